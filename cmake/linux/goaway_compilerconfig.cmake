# Linux (GCC or clang): obs-plugintemplate's GCC warning set for its Linux build.
include_guard(GLOBAL)
include(goaway_compiler_common)

set(_goaway_gcc_warnings
    -fno-strict-aliasing
    -Wall
    -Wextra
    -Werror=return-type
    -Wdeprecated-declarations
    -Wempty-body
    -Wenum-conversion
    -Wformat
    -Wformat-security
    -Wparentheses
    -Wuninitialized
    -Wunreachable-code
    -Wunused-value
    -Wunused-variable
    -Wvla
    -Winvalid-offsetof
    -Wno-conversion
    -Wno-float-conversion
    -Wno-implicit-fallthrough
    -Wno-missing-braces
    -Wno-missing-field-initializers
    -Wno-shadow
    -Wno-sign-conversion
    -Wno-trigraphs
    -Wno-unknown-pragmas
    -Wno-unused-function
    -Wno-unused-label
    -Wno-overloaded-virtual)

add_compile_options(
  "$<$<COMPILE_LANG_AND_ID:C,GNU>:${_goaway_gcc_warnings}>"
  "$<$<COMPILE_LANG_AND_ID:CXX,GNU>:${_goaway_gcc_warnings}>"
  # clang (the fuzz and sanitizer builds) takes the same set here; the template's wider clang set
  # (cmake/common/goaway_compiler_common.cmake) is the macOS one.
  "$<$<COMPILE_LANG_AND_ID:C,Clang>:${_goaway_gcc_warnings}>"
  "$<$<COMPILE_LANG_AND_ID:CXX,Clang>:${_goaway_gcc_warnings}>"
  ${GOAWAY_NO_UNUSED_PARAMETER})

if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12)
  # GCC 12+ reports maybe-uninitialized and stringop-overflow falsely on inlined standard
  # containers (GCC bugs 105562 and 106297); the template keeps them out of -Werror the same way.
  add_compile_options(-Winfinite-recursion -Wno-error=maybe-uninitialized -Wno-stringop-overflow)
endif()

add_compile_definitions($<$<CONFIG:Debug>:DEBUG> $<$<CONFIG:Debug>:_DEBUG>)
unset(_goaway_gcc_warnings)
