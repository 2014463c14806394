# mbedTLS from obs-deps (Windows: static, macOS: shared) as the target goaway-mbedtls. mbedTLS 3
# installs a CMake package with MbedTLS::mbedtls / mbedx509 / mbedcrypto; OBS's own find module
# names them MbedTLS::MbedTLS: either is accepted.
include_guard(GLOBAL)

find_package(MbedTLS CONFIG QUIET)
if(NOT MbedTLS_FOUND)
  find_package(MbedTLS REQUIRED)
endif()
add_library(goaway-mbedtls INTERFACE)
if(TARGET MbedTLS::mbedtls)
  target_link_libraries(goaway-mbedtls INTERFACE MbedTLS::mbedtls MbedTLS::mbedx509 MbedTLS::mbedcrypto)
elseif(TARGET MbedTLS::MbedTLS)
  target_link_libraries(goaway-mbedtls INTERFACE MbedTLS::MbedTLS)
else()
  message(FATAL_ERROR "mbedTLS was found but defines none of MbedTLS::mbedtls, MbedTLS::MbedTLS")
endif()
