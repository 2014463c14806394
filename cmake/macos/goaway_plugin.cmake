# macOS: goaway_plugin_layout(TARGET) builds <target>.plugin, a bundle with the module in
# Contents/MacOS and data/ in Contents/Resources, which OBS loads from
# ~/Library/Application Support/obs-studio/plugins. The .pkg installs it there (packaging/macos).
include_guard(GLOBAL)

function(goaway_plugin_layout target)
  string(TIMESTAMP year "%Y")
  set_target_properties(
    ${target}
    PROPERTIES BUNDLE TRUE
               BUNDLE_EXTENSION plugin
               OUTPUT_NAME "${target}"
               XCODE_ATTRIBUTE_PRODUCT_NAME "${target}"
               XCODE_ATTRIBUTE_PRODUCT_BUNDLE_IDENTIFIER "${GOAWAY_MACOS_BUNDLE_ID}"
               XCODE_ATTRIBUTE_MARKETING_VERSION "${GOAWAY_PLUGIN_VERSION}"
               XCODE_ATTRIBUTE_CURRENT_PROJECT_VERSION "${GOAWAY_PLUGIN_VERSION}"
               XCODE_ATTRIBUTE_GENERATE_INFOPLIST_FILE YES
               XCODE_ATTRIBUTE_INFOPLIST_KEY_CFBundleDisplayName "${GOAWAY_PLUGIN_DISPLAYNAME}"
               XCODE_ATTRIBUTE_INFOPLIST_KEY_NSHumanReadableCopyright "(c) ${year} ${GOAWAY_PLUGIN_AUTHOR}")

  file(GLOB_RECURSE data_files "${CMAKE_SOURCE_DIR}/data/*")
  foreach(data_file IN LISTS data_files)
    cmake_path(RELATIVE_PATH data_file BASE_DIRECTORY "${CMAKE_SOURCE_DIR}/data" OUTPUT_VARIABLE relative)
    cmake_path(GET relative PARENT_PATH relative_dir)
    target_sources(${target} PRIVATE "${data_file}")
    set_property(SOURCE "${data_file}" PROPERTY MACOSX_PACKAGE_LOCATION "Resources/${relative_dir}")
  endforeach()

  set(GOAWAY_RUNDIR "${CMAKE_BINARY_DIR}/rundir/RelWithDebInfo/${target}.plugin" CACHE INTERNAL "The ready plugin bundle in the build tree")
  add_custom_command(
    TARGET ${target}
    POST_BUILD
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${CMAKE_BINARY_DIR}/rundir/$<CONFIG>"
    COMMAND "${CMAKE_COMMAND}" -E copy_directory "$<TARGET_BUNDLE_DIR:${target}>"
            "${CMAKE_BINARY_DIR}/rundir/$<CONFIG>/$<TARGET_BUNDLE_DIR_NAME:${target}>"
    VERBATIM)

  # The bundle only; its dSYM stays in the build tree (Xcode's DWARF_DSYM_FOLDER_PATH).
  install(TARGETS ${target} LIBRARY DESTINATION . COMPONENT obs_plugin)
endfunction()
