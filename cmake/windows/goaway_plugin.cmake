# Windows: goaway_plugin_layout(TARGET): <target>.dll (+ .pdb) in <prefix>/<target>/bin/64bit and the
# data in <prefix>/<target>/data, the folder OBS 28+ loads from %ALLUSERSPROFILE%\obs-studio\plugins;
# the same folder is kept ready in the build tree (rundir/<config>/<target>). Version resource from
# buildspec.json.
include_guard(GLOBAL)

function(goaway_plugin_layout target)
  set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME "${target}")

  set(GOAWAY_RC_NAME "${GOAWAY_PLUGIN_DISPLAYNAME}")
  set(GOAWAY_RC_AUTHOR "${GOAWAY_PLUGIN_AUTHOR}")
  string(REPLACE "." "," GOAWAY_RC_VERSION_COMMAS "${GOAWAY_PLUGIN_VERSION}")
  set(GOAWAY_RC_VERSION "${GOAWAY_PLUGIN_VERSION}")
  set(GOAWAY_RC_FILE "${target}.dll")
  configure_file("${CMAKE_SOURCE_DIR}/cmake/windows/resources/version.rc.in" "${CMAKE_CURRENT_BINARY_DIR}/${target}.rc" @ONLY)
  target_sources(${target} PRIVATE "${CMAKE_CURRENT_BINARY_DIR}/${target}.rc")

  set(rundir "${CMAKE_BINARY_DIR}/rundir/$<CONFIG>/${target}")
  set(GOAWAY_RUNDIR "${CMAKE_BINARY_DIR}/rundir/RelWithDebInfo/${target}" CACHE INTERNAL "The ready plugin folder in the build tree")
  add_custom_command(
    TARGET ${target}
    POST_BUILD
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${rundir}/bin/64bit"
    COMMAND "${CMAKE_COMMAND}" -E copy_if_different "$<TARGET_FILE:${target}>" "$<TARGET_PDB_FILE:${target}>" "${rundir}/bin/64bit/"
    COMMAND "${CMAKE_COMMAND}" -E copy_directory "${CMAKE_SOURCE_DIR}/data" "${rundir}/data"
    VERBATIM)

  install(TARGETS ${target} RUNTIME DESTINATION "${target}/bin/64bit" LIBRARY DESTINATION "${target}/bin/64bit" COMPONENT obs_plugin)
  install(FILES "$<TARGET_PDB_FILE:${target}>" DESTINATION "${target}/bin/64bit" CONFIGURATIONS RelWithDebInfo Debug Release
          COMPONENT obs_plugin OPTIONAL)
  install(DIRECTORY "${CMAKE_SOURCE_DIR}/data/" DESTINATION "${target}/data" COMPONENT obs_plugin)
endfunction()
