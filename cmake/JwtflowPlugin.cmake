# jwtflow_add_plugin(<name> SOURCES <files...>
#                    [LIBRARIES <targets...>]
#                    [DESCRIPTOR <file.properties>]
#                    [OUTPUT_DIRECTORY <dir>])
#
# Builds a provider plugin as a MODULE library named jwtflow-provider-<name>.so
# (into OUTPUT_DIRECTORY, default <build>/plugins.d) against JwtFlow::plugin-sdk:
# the jwtflow and POCO headers, and no library. Its jwtflow, POCO and C++
# runtime symbols resolve to the host's when it is loaded, so the same file
# loads into the shared jwtflow and into the single-file one (docs/plugins.md).
# Hidden symbols: only the POCO manifest and the ABI functions of
# jwtflow/PluginAbi.h are exported. LIBRARIES adds libraries of the plugin's
# own; linking JwtFlow::core or JwtFlow::net there ties it to the shared
# layout (the single-file jwtflow then refuses it, with the reason). DESCRIPTOR is copied next to
# the library as <name>.properties, so the folder works with
# `jwtflow --plugins <dir>` at once. Sets JWTFLOW_LAST_PLUGIN_TARGET in the
# caller's scope. Used by jwtflow's own providers and, installed with the
# JwtFlow package, by out-of-tree plugins.
function(jwtflow_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY;DESCRIPTOR" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "jwtflow_add_plugin(${name}): give SOURCES")
  endif()
  set(target "jwtflow-provider-${name}")
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE JwtFlow::plugin-sdk ${ARG_LIBRARIES})
  if(NOT ARG_OUTPUT_DIRECTORY)
    if(JWTFLOW_PLUGIN_OUTPUT_DIR)
      set(ARG_OUTPUT_DIRECTORY "${JWTFLOW_PLUGIN_OUTPUT_DIR}")
    else()
      set(ARG_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/plugins.d")
    endif()
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}"
    INSTALL_RPATH "$ORIGIN/../..")
  target_compile_features(${target} PRIVATE cxx_std_17)
  # No --no-undefined: the SDK's symbols are the host's. The registry opens each plugin with every
  # symbol bound (RTLD_NOW, in a child process) and refuses one that needs what the host lacks.
  if(COMMAND jwtflow_warnings)
    jwtflow_warnings(${target})
  endif()
  if(ARG_DESCRIPTOR)
    get_filename_component(descriptor "${ARG_DESCRIPTOR}" ABSOLUTE)
    configure_file("${descriptor}" "${ARG_OUTPUT_DIRECTORY}/${name}.properties" COPYONLY)
  endif()
  set(JWTFLOW_LAST_PLUGIN_TARGET ${target} PARENT_SCOPE)
endfunction()
