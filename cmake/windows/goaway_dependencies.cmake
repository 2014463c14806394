# Windows: obs-deps from buildspec.json (libcurl with Schannel, nlohmann-json, mbedTLS 3 static),
# Qt 6 from obs-deps, libobs and obs-frontend-api built from OBS's sources. No GnuTLS, no librtmp.
include_guard(GLOBAL)
include(goaway_obs_deps)

if(NOT CMAKE_GENERATOR_PLATFORM)
  set(CMAKE_GENERATOR_PLATFORM x64)
endif()
goaway_fetch_obs_deps(
  PLATFORM windows-x64
  ARCH x64
  PREBUILT "windows-deps-@VERSION@-@ARCH@.zip"
  QT6 "windows-deps-qt6-@VERSION@-@ARCH@.zip"
  OBS "@VERSION@.zip")

# Plugins install under %ALLUSERSPROFILE%\obs-studio\plugins\<name>\{bin\64bit,data} (OBS 28+).
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(CMAKE_INSTALL_PREFIX "$ENV{ALLUSERSPROFILE}/obs-studio/plugins" CACHE PATH "Where OBS looks for plugins" FORCE)
endif()

find_package(CURL REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(Threads REQUIRED)

include(goaway_mbedtls)
add_library(goaway-tls INTERFACE)
target_link_libraries(goaway-tls INTERFACE goaway-mbedtls crypt32 ws2_32)
add_library(GoAway::TLS ALIAS goaway-tls)
