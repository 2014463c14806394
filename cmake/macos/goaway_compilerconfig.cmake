# macOS (Xcode 16, universal arm64 + x86_64, macOS 12+): obs-plugintemplate's settings.
include_guard(GLOBAL)
include(goaway_compiler_common)

if(NOT XCODE)
  message(FATAL_ERROR "The macOS build uses the Xcode generator (cmake --preset macos)")
endif()
if(XCODE_VERSION VERSION_LESS 16.0)
  message(FATAL_ERROR "Xcode 16 or newer is needed (found ${XCODE_VERSION})")
endif()
if(NOT CMAKE_OSX_DEPLOYMENT_TARGET)
  set(CMAKE_OSX_DEPLOYMENT_TARGET 12.0)
endif()

add_compile_options(
  "$<$<COMPILE_LANGUAGE:C,OBJC>:${GOAWAY_CLANG_WARNINGS}>"
  "$<$<COMPILE_LANGUAGE:CXX,OBJCXX>:${GOAWAY_CLANG_WARNINGS};${GOAWAY_CLANG_CXX_WARNINGS}>"
  ${GOAWAY_NO_UNUSED_PARAMETER}
  # Qt's framework headers include each other with quotes.
  -Wno-quoted-include-in-framework-header)
add_compile_definitions($<$<CONFIG:Debug>:DEBUG> $<$<CONFIG:Debug>:_DEBUG>)

# Debug symbols (dSYM) for release builds too.
string(APPEND CMAKE_C_FLAGS_RELEASE " -g")
string(APPEND CMAKE_CXX_FLAGS_RELEASE " -g")
set(CMAKE_XCODE_ATTRIBUTE_DEBUG_INFORMATION_FORMAT "dwarf-with-dsym")
set(CMAKE_XCODE_ATTRIBUTE_CLANG_CXX_LIBRARY "libc++")

# Code signing: an identity from the environment (CODESIGN_IDENT, CODESIGN_TEAM), else ad hoc.
set(CODESIGN_IDENTITY "-" CACHE STRING "macOS code signing identity ('-' signs ad hoc)")
set(CODESIGN_TEAM "" CACHE STRING "macOS code signing team")
set(CMAKE_XCODE_ATTRIBUTE_CODE_SIGN_IDENTITY "${CODESIGN_IDENTITY}")
set(CMAKE_XCODE_ATTRIBUTE_DEVELOPMENT_TEAM "${CODESIGN_TEAM}")
set(CMAKE_XCODE_ATTRIBUTE_CODE_SIGN_STYLE Manual)
set(CMAKE_XCODE_ATTRIBUTE_ENABLE_HARDENED_RUNTIME YES)
