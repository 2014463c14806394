# Linux: goaway_plugin_layout(TARGET) names the module <target>.so and lays it out three ways:
#  - rundir: build/<dir>/rundir/<target>/{bin/64bit/<target>.so,data/}, a ready user plugin folder
#    (the e2e tests copy it into a throwaway ~/.config/obs-studio/plugins);
#  - install component obs_plugin: the system layout OBS's Linux packages search,
#    <prefix>/lib/<multiarch>/obs-plugins/<target>.so and <prefix>/share/obs/obs-plugins/<target>/
#    (the .deb and the Flatpak extension are made from it);
#  - the default `cmake --install`: the user's plugin folder, or the system layout with
#    -DGOAWAY_SYSTEM_INSTALL=ON.
include_guard(GLOBAL)

option(GOAWAY_SYSTEM_INSTALL "cmake --install: the system layout (lib/<arch>/obs-plugins, share/obs/obs-plugins) instead of ~/.config/obs-studio/plugins" OFF)

# Debian and Ubuntu build OBS with a multiarch plugin directory and OBS searches only the one it was
# built with; GNUInstallDirs gives plain "lib" for any prefix but /usr, so name the multiarch one.
if(CMAKE_INSTALL_LIBDIR STREQUAL "lib" AND CMAKE_LIBRARY_ARCHITECTURE)
  set(_goaway_libdir_default "lib/${CMAKE_LIBRARY_ARCHITECTURE}")
else()
  set(_goaway_libdir_default "${CMAKE_INSTALL_LIBDIR}")
endif()
set(GOAWAY_OBS_PLUGIN_LIBDIR "${_goaway_libdir_default}" CACHE STRING
    "Library directory (relative to the prefix) holding obs-plugins/ in the system layout (the Flatpak extension uses lib)")
unset(_goaway_libdir_default)

function(goaway_plugin_layout target)
  set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME "${target}")

  set(rundir "${CMAKE_BINARY_DIR}/rundir/${target}")
  set(GOAWAY_RUNDIR "${rundir}" CACHE INTERNAL "The ready-to-copy user plugin folder in the build tree")
  add_custom_command(
    TARGET ${target}
    POST_BUILD
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${rundir}/bin/64bit"
    COMMAND "${CMAKE_COMMAND}" -E copy_if_different "$<TARGET_FILE:${target}>" "${rundir}/bin/64bit/"
    COMMAND "${CMAKE_COMMAND}" -E copy_directory "${CMAKE_SOURCE_DIR}/data" "${rundir}/data"
    VERBATIM)

  set(system_lib "${GOAWAY_OBS_PLUGIN_LIBDIR}/obs-plugins")
  set(system_data "${CMAKE_INSTALL_DATAROOTDIR}/obs/obs-plugins/${target}")
  if(GOAWAY_SYSTEM_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${system_lib}" COMPONENT obs_plugin)
    install(DIRECTORY "${CMAKE_SOURCE_DIR}/data/" DESTINATION "${system_data}" COMPONENT obs_plugin)
  else()
    install(TARGETS ${target} LIBRARY DESTINATION "${system_lib}" COMPONENT obs_plugin EXCLUDE_FROM_ALL)
    install(DIRECTORY "${CMAKE_SOURCE_DIR}/data/" DESTINATION "${system_data}" COMPONENT obs_plugin EXCLUDE_FROM_ALL)
    set(user_dir "$ENV{HOME}/.config/obs-studio/plugins/${target}")
    install(TARGETS ${target} LIBRARY DESTINATION "${user_dir}/bin/64bit" COMPONENT user_plugin)
    install(DIRECTORY "${CMAKE_SOURCE_DIR}/data/" DESTINATION "${user_dir}/data" COMPONENT user_plugin)
  endif()

endfunction()
