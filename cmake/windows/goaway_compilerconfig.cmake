# Windows (MSVC, Visual Studio 17 2022): obs-plugintemplate's settings for its Windows build.
include_guard(GLOBAL)
include(goaway_compiler_common)

if(CMAKE_VS_WINDOWS_TARGET_PLATFORM_VERSION AND CMAKE_VS_WINDOWS_TARGET_PLATFORM_VERSION VERSION_LESS 10.0.20348)
  message(FATAL_ERROR "OBS plugins need the Windows SDK 10.0.20348 or newer (found ${CMAKE_VS_WINDOWS_TARGET_PLATFORM_VERSION})")
endif()

set(CMAKE_MSVC_DEBUG_INFORMATION_FORMAT ProgramDatabase)

add_compile_options(
  /W3
  /utf-8
  /Brepro
  /permissive-
  "$<$<COMPILE_LANG_AND_ID:C,MSVC>:/MP;/Zc:__cplusplus;/Zc:preprocessor>"
  "$<$<COMPILE_LANG_AND_ID:CXX,MSVC>:/MP;/Zc:__cplusplus;/Zc:preprocessor;/Zc:char8_t->"
  $<$<NOT:$<CONFIG:Debug>>:/Gy>
  $<$<NOT:$<CONFIG:Debug>>:/GL>
  $<$<NOT:$<CONFIG:Debug>>:/Oi>)

# UNICODE: Win32 calls take UTF-16 (the W functions), as in OBS itself.
add_compile_definitions(UNICODE _UNICODE _CRT_SECURE_NO_WARNINGS _CRT_NONSTDC_NO_WARNINGS NOMINMAX
                        WIN32_LEAN_AND_MEAN $<$<CONFIG:Debug>:DEBUG> $<$<CONFIG:Debug>:_DEBUG>)

add_link_options(
  $<$<NOT:$<CONFIG:Debug>>:/OPT:REF>
  $<$<NOT:$<CONFIG:Debug>>:/OPT:ICF>
  $<$<NOT:$<CONFIG:Debug>>:/LTCG>
  $<$<NOT:$<CONFIG:Debug>>:/INCREMENTAL:NO>
  /DEBUG
  /Brepro)
if(CMAKE_COMPILE_WARNING_AS_ERROR)
  add_link_options(/WX)
endif()
