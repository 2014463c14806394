# Linux: `cpack` (or `cmake --build <dir> --target package`) makes a .deb of the obs_plugin install
# component: the module in /usr/lib/<multiarch>/obs-plugins and its data in
# /usr/share/obs/obs-plugins/<name>, where Debian's and Ubuntu's OBS (the PPA too) look for plugins.
include_guard(GLOBAL)

set(CPACK_PACKAGE_NAME "${GOAWAY_PLUGIN_NAME}")
set(CPACK_PACKAGE_VERSION "${GOAWAY_PLUGIN_VERSION}")
set(CPACK_PACKAGE_VENDOR "${GOAWAY_PLUGIN_AUTHOR}")
set(CPACK_PACKAGE_CONTACT "${GOAWAY_PLUGIN_EMAIL}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OBS Studio output that hands an RTMP stream over when the ingest server goes away")
set(CPACK_PACKAGE_HOMEPAGE_URL "${GOAWAY_PLUGIN_WEBSITE}")
set(CPACK_RESOURCE_FILE_LICENSE "${CMAKE_SOURCE_DIR}/LICENSE")
set(CPACK_GENERATOR DEB)
# Only the obs_plugin component: the tools and tests are not part of the package, and the default
# component may point into the user's home.
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};obs_plugin;/")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_OUTPUT_FILE_PREFIX "${CMAKE_BINARY_DIR}/release")
# The package carries the stripped module (RelWithDebInfo builds keep their symbols in the build tree).
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${GOAWAY_PLUGIN_AUTHOR} <${GOAWAY_PLUGIN_EMAIL}>")
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# OBS 30 is the first with the Qt 6 frontend API the plugin uses; dpkg-shlibdeps (dpkg-dev) adds
# the libraries' packages where it is installed (the Ubuntu runner), else OBS's own dependencies
# bring them (libobs, Qt 6, libcurl, GnuTLS are all dependencies of obs-studio).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "obs-studio (>= 30)")
find_program(GOAWAY_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(GOAWAY_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()

set(CPACK_SOURCE_GENERATOR TXZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build/" "/build_[^/]*/" "/release/" "/\\.deps/")
set(CPACK_VERBATIM_VARIABLES YES)
include(CPack)
