# Settings every OS shares (after obs-plugintemplate's compiler_common): hidden symbols, so the
# module exports only what OBS_DECLARE_MODULE marks; the template's clang warning set, used on macOS
# and by clang builds on Linux. The C++ standard stays the project's own (top-level CMakeLists.txt).
include_guard(GLOBAL)

set(CMAKE_C_VISIBILITY_PRESET hidden)
set(CMAKE_CXX_VISIBILITY_PRESET hidden)
set(CMAKE_VISIBILITY_INLINES_HIDDEN TRUE)

set(GOAWAY_CLANG_WARNINGS
    -fno-strict-aliasing
    -Werror=return-type
    -Wunreachable-code
    -Wparentheses
    -Wswitch
    -Wunused-variable
    -Wunused-value
    -Wempty-body
    -Wuninitialized
    -Wconstant-conversion
    -Wint-conversion
    -Wbool-conversion
    -Wenum-conversion
    -Wnon-literal-null-conversion
    -Wsign-compare
    -Wshorten-64-to-32
    -Wno-error=shorten-64-to-32
    -Wnewline-eof
    -Wdeprecated-declarations
    -Winfinite-recursion
    -Wcomma
    -Wformat-security
    -Wvla
    -Wno-missing-field-initializers
    -Wno-missing-braces
    -Wno-unknown-pragmas
    -Wno-unused-function
    -Wno-unused-label
    -Wno-conversion
    -Wno-sign-conversion
    -Wno-implicit-fallthrough
    -Wno-trigraphs
    -Wno-shadow)
set(GOAWAY_CLANG_CXX_WARNINGS -Winvalid-offsetof -Wmove -Wrange-loop-analysis -Wno-non-virtual-dtor
                              -Wno-overloaded-virtual -Wno-exit-time-destructors)

# OBS's callbacks (output, service, frontend, Qt slots) have fixed signatures whose arguments the
# plugin often does not need: an unused parameter is no defect here, so that one warning stays off.
set(GOAWAY_NO_UNUSED_PARAMETER -Wno-unused-parameter)

# Warnings are errors in the CI presets (CMAKE_COMPILE_WARNING_AS_ERROR=ON there); local builds keep
# them as warnings so a newer compiler in a Debian root does not stop the build.
