# macOS: the SDK's libcurl; nlohmann-json and mbedTLS (shared) from obs-deps; Qt 6 from obs-deps;
# libobs and obs-frontend-api built from OBS's sources (buildspec.json). No GnuTLS, no librtmp.
include_guard(GLOBAL)
include(goaway_obs_deps)

goaway_fetch_obs_deps(
  PLATFORM macos
  ARCH universal
  PREBUILT "macos-deps-@VERSION@-@ARCH@.tar.xz"
  QT6 "macos-deps-qt6-@VERSION@-@ARCH@.tar.xz"
  OBS "@VERSION@.tar.gz")
# Downloaded archives carry the quarantine attribute; Xcode would refuse to run their tools.
execute_process(COMMAND xattr -r -d com.apple.quarantine "${CMAKE_SOURCE_DIR}/.deps" RESULT_VARIABLE _ignored
                ERROR_QUIET)
list(APPEND CMAKE_FRAMEWORK_PATH "${CMAKE_SOURCE_DIR}/.deps/Frameworks")

if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(CMAKE_INSTALL_PREFIX "$ENV{HOME}/Library/Application Support/obs-studio/plugins" CACHE PATH
      "Where OBS looks for plugins" FORCE)
endif()
set(CMAKE_MACOSX_RPATH TRUE)
set(CMAKE_INSTALL_RPATH "@executable_path/../Frameworks")
set(CMAKE_INSTALL_RPATH_USE_LINK_PATH FALSE)

find_package(CURL REQUIRED) # the SDK's
find_package(nlohmann_json 3 REQUIRED)
find_package(Threads REQUIRED)

include(goaway_mbedtls)
add_library(goaway-tls INTERFACE)
target_link_libraries(goaway-tls INTERFACE goaway-mbedtls "-framework Security" "-framework CoreFoundation")
add_library(GoAway::TLS ALIAS goaway-tls)
