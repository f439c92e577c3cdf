# jwtflow_add_plugin(<name> SOURCES ...)
# Builds a provider plugin as a MODULE library named jwtflow-provider-<name>.so
# into the plugins.d folder, linked against the core, with hidden symbols
# (only the POCO manifest and the ABI function are exported).
function(jwtflow_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  set(target "jwtflow-provider-${name}")
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE jwtflow::core ${ARG_LIBRARIES})
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY "${JWTFLOW_PLUGIN_OUTPUT_DIR}")
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}"
    INSTALL_RPATH "$ORIGIN/../..")
  if(NOT JWTFLOW_FUZZ)  # clang leaves the sanitizer runtime to the executable
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  if(COMMAND jwtflow_warnings)
    jwtflow_warnings(${target})
  endif()
  set(JWTFLOW_LAST_PLUGIN_TARGET ${target} PARENT_SCOPE)
endfunction()
