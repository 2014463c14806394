# Included right after project(): which OS we build for, the plugin's identity from buildspec.json,
# then that OS's compiler settings, its prebuilt OBS dependencies (Windows and macOS only) and the
# libraries the plugin links. Each OS folder under cmake/ holds the same four modules:
#   goaway_compilerconfig  flags and warnings (after obs-plugintemplate's per-OS choices)
#   goaway_dependencies    libcurl, nlohmann-json, the TLS library, Threads (and obs-deps first)
#   goaway_plugin          goaway_plugin_layout(): module naming, rundir, install layout
#   goaway_package         (Linux) CPack .deb
include_guard(GLOBAL)

if(CMAKE_SYSTEM_NAME STREQUAL "Windows")
  set(GOAWAY_OS windows)
elseif(CMAKE_SYSTEM_NAME STREQUAL "Darwin")
  set(GOAWAY_OS macos)
else()
  set(GOAWAY_OS linux)
endif()
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}" "${CMAKE_CURRENT_LIST_DIR}/../${GOAWAY_OS}")

# The plugin's identity: one place (buildspec.json) for the name, version, author and the macOS
# bundle id, as the plugin template keeps it.
file(READ "${CMAKE_SOURCE_DIR}/buildspec.json" _goaway_spec)
foreach(field IN ITEMS name displayName version author website email)
  string(JSON _value GET "${_goaway_spec}" ${field})
  string(TOUPPER "${field}" _upper)
  set(GOAWAY_PLUGIN_${_upper} "${_value}")
endforeach()
string(JSON GOAWAY_MACOS_BUNDLE_ID GET "${_goaway_spec}" platformConfig macos bundleId)
unset(_goaway_spec)
unset(_value)
unset(_upper)

include(goaway_compilerconfig)
include(goaway_plugin)
if(GOAWAY_OS STREQUAL "linux")
  include(goaway_package)
endif()
