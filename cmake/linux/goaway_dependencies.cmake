# Linux: everything from the system (Debian/Ubuntu packages, or the Flatpak SDK and the OBS app).
include_guard(GLOBAL)

find_package(PkgConfig REQUIRED)
# librtmp is no part of the plugin: only a test peer (tests/ingest, an independent client) uses it.
pkg_check_modules(LIBRTMP QUIET IMPORTED_TARGET librtmp)
# RTMPS on Linux: GnuTLS, as Debian's and Ubuntu's own builds link it.
pkg_check_modules(GNUTLS REQUIRED IMPORTED_TARGET gnutls)
find_package(CURL REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(Threads REQUIRED)

# The TLS library by one name on every OS (GnuTLS here, mbedTLS from obs-deps on Windows and macOS),
# for the portable network layer to link.
add_library(goaway-tls INTERFACE)
target_link_libraries(goaway-tls INTERFACE PkgConfig::GNUTLS)
add_library(GoAway::TLS ALIAS goaway-tls)
