# Windows and macOS: the dependencies OBS itself builds with, as buildspec.json names them.
#   prebuilt   obs-deps (libcurl on Windows, nlohmann-json, mbedTLS, ...)
#   qt6        obs-deps' Qt 6
#   obs-studio OBS's sources at a release tag; only libobs and obs-frontend-api are built from them
# Each archive is downloaded once into .deps/ and checked against its SHA-256 from buildspec.json
# (a wrong or missing hash stops the configure); an unchanged hash skips download and extraction.
# Afterwards CMAKE_PREFIX_PATH holds the three prefixes, so find_package() finds libobs,
# obs-frontend-api, Qt6, CURL, nlohmann_json and MbedTLS there.
include_guard(GLOBAL)

# Release-type builds of the plugin take whichever optimised configuration a package provides.
set(CMAKE_MAP_IMPORTED_CONFIG_RELWITHDEBINFO RelWithDebInfo Release MinSizeRel None "")
set(CMAKE_MAP_IMPORTED_CONFIG_RELEASE Release RelWithDebInfo MinSizeRel None "")
set(CMAKE_MAP_IMPORTED_CONFIG_MINSIZEREL MinSizeRel Release RelWithDebInfo None "")

# goaway_fetch_obs_deps(PLATFORM <buildspec key> ARCH <arch> PREBUILT <file> QT6 <file> OBS <file>)
# File names may use @VERSION@ and @ARCH@.
function(goaway_fetch_obs_deps)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "PLATFORM;ARCH;PREBUILT;QT6;OBS" "")
  set(deps_dir "${CMAKE_SOURCE_DIR}/.deps")
  file(MAKE_DIRECTORY "${deps_dir}")
  file(READ "${CMAKE_SOURCE_DIR}/buildspec.json" spec)

  set(prefixes "")
  foreach(dep IN ITEMS prebuilt qt6 obs-studio)
    string(JSON version GET "${spec}" dependencies ${dep} version)
    string(JSON base_url GET "${spec}" dependencies ${dep} baseUrl)
    string(JSON hash ERROR_VARIABLE no_hash GET "${spec}" dependencies ${dep} hashes ${arg_PLATFORM})
    if(no_hash OR NOT hash MATCHES "^[0-9a-f]+$")
      message(FATAL_ERROR "buildspec.json: no SHA-256 for ${dep} on ${arg_PLATFORM}")
    endif()
    string(LENGTH "${hash}" hash_length)
    if(NOT hash_length EQUAL 64)
      message(FATAL_ERROR "buildspec.json: the ${dep} hash for ${arg_PLATFORM} is not a SHA-256")
    endif()

    if(dep STREQUAL "prebuilt")
      set(pattern "${arg_PREBUILT}")
      set(dest "obs-deps-${version}-${arg_ARCH}")
    elseif(dep STREQUAL "qt6")
      set(pattern "${arg_QT6}")
      set(dest "obs-deps-qt6-${version}-${arg_ARCH}")
    else()
      set(pattern "${arg_OBS}")
      set(dest "obs-studio-${version}") # the tag archives unpack into this folder themselves
    endif()
    string(REPLACE "@VERSION@" "${version}" file_name "${pattern}")
    string(REPLACE "@ARCH@" "${arg_ARCH}" file_name "${file_name}")
    if(dep STREQUAL "obs-studio")
      set(url "${base_url}/${file_name}")
    else()
      set(url "${base_url}/${version}/${file_name}")
    endif()

    set(stamp "${deps_dir}/.${dep}-${arg_ARCH}.sha256")
    set(stamped "")
    if(EXISTS "${stamp}")
      file(READ "${stamp}" stamped)
    endif()
    if(NOT stamped STREQUAL hash OR NOT EXISTS "${deps_dir}/${dest}")
      message(STATUS "obs-rtmp-goaway: fetching ${url}")
      file(DOWNLOAD "${url}" "${deps_dir}/${file_name}" EXPECTED_HASH SHA256=${hash} STATUS status)
      list(GET status 0 code)
      if(NOT code EQUAL 0)
        list(GET status 1 reason)
        file(REMOVE "${deps_dir}/${file_name}")
        message(FATAL_ERROR "download of ${url} failed: ${reason}")
      endif()
      file(REMOVE_RECURSE "${deps_dir}/${dest}")
      if(dep STREQUAL "obs-studio")
        file(ARCHIVE_EXTRACT INPUT "${deps_dir}/${file_name}" DESTINATION "${deps_dir}")
      else()
        file(ARCHIVE_EXTRACT INPUT "${deps_dir}/${file_name}" DESTINATION "${deps_dir}/${dest}")
      endif()
      file(WRITE "${stamp}" "${hash}")
    endif()

    if(dep STREQUAL "obs-studio")
      set(obs_version "${version}")
      set(obs_source "${deps_dir}/${dest}")
    else()
      list(APPEND prefixes "${deps_dir}/${dest}")
    endif()
  endforeach()

  list(PREPEND CMAKE_PREFIX_PATH ${prefixes} "${deps_dir}")
  list(REMOVE_DUPLICATES CMAKE_PREFIX_PATH)
  set(CMAKE_PREFIX_PATH "${CMAKE_PREFIX_PATH}" CACHE PATH "Where find_package() looks first" FORCE)

  # libobs and obs-frontend-api from OBS's sources, with OBS's own CMake (no plugins, no frontend),
  # installed into .deps as OBS's Development component. Rebuilt only when the OBS version changes.
  set(obs_stamp "${deps_dir}/.obs-libraries-${obs_version}-${arg_ARCH}")
  if(NOT EXISTS "${obs_stamp}")
    set(obs_build "${obs_source}/build_${arg_ARCH}")
    # OBS's own CMake: version 2 of its scripts on Windows, 3 on macOS (as for OBS 30.1).
    set(obs_common_args -DENABLE_PLUGINS:BOOL=OFF -DENABLE_UI:BOOL=OFF -DENABLE_SCRIPTING:BOOL=OFF
                        -DOBS_VERSION_OVERRIDE:STRING=${obs_version} --fresh)
    message(STATUS "obs-rtmp-goaway: building libobs and obs-frontend-api ${obs_version}")
    if(CMAKE_SYSTEM_NAME STREQUAL "Windows")
      execute_process(
        COMMAND "${CMAKE_COMMAND}" -S "${obs_source}" -B "${obs_build}" -G "${CMAKE_GENERATOR}" -A
                "${CMAKE_GENERATOR_PLATFORM}" -DCMAKE_SYSTEM_VERSION=${CMAKE_SYSTEM_VERSION}
                -DOBS_CMAKE_VERSION:STRING=2.0.0 "-DCMAKE_PREFIX_PATH=${prefixes}" ${obs_common_args}
        COMMAND_ERROR_IS_FATAL ANY)
    else()
      execute_process(
        COMMAND "${CMAKE_COMMAND}" -S "${obs_source}" -B "${obs_build}" -G Xcode
                "-DCMAKE_OSX_ARCHITECTURES:STRING=arm64;x86_64"
                -DCMAKE_OSX_DEPLOYMENT_TARGET=${CMAKE_OSX_DEPLOYMENT_TARGET} -DOBS_CMAKE_VERSION:STRING=3.0.0
                "-DCMAKE_PREFIX_PATH=${prefixes}" ${obs_common_args}
        COMMAND_ERROR_IS_FATAL ANY)
    endif()
    foreach(config IN ITEMS Debug Release)
      execute_process(COMMAND "${CMAKE_COMMAND}" --build "${obs_build}" --target obs-frontend-api --config ${config}
                              --parallel COMMAND_ERROR_IS_FATAL ANY)
      execute_process(COMMAND "${CMAKE_COMMAND}" --install "${obs_build}" --component Development --config ${config}
                              --prefix "${deps_dir}" COMMAND_ERROR_IS_FATAL ANY)
    endforeach()
    file(WRITE "${obs_stamp}" "${obs_version}")
  endif()
endfunction()
