# The static POCO of the single-file jwtflow (JWTFLOW_STATIC_HOST=ON).
#
# Builds POCO once from Debian's source package of the installed libpoco-dev
# (scripts/build-static-poco.sh, at configure time) into JWTFLOW_STATIC_POCO_DIR
# (default: <build>/static-poco; kept across builds of that folder), and
# defines the Poco::<Component> targets the rest of the tree links, as
# IMPORTED static libraries. Headers: Debian's /usr/include/Poco, which is the
# same source and the same patches.
set(JWTFLOW_STATIC_POCO_DIR "${CMAKE_BINARY_DIR}/static-poco" CACHE PATH
  "Where the static POCO libraries are built once and kept")
set(static_poco_lib "${JWTFLOW_STATIC_POCO_DIR}/install/lib")
execute_process(
  COMMAND bash "${CMAKE_SOURCE_DIR}/scripts/build-static-poco.sh" "${JWTFLOW_STATIC_POCO_DIR}"
  RESULT_VARIABLE static_poco_result)
if(NOT static_poco_result EQUAL 0)
  message(FATAL_ERROR "building the static POCO failed (see ${JWTFLOW_STATIC_POCO_DIR}/build.log)")
endif()

set(OPENSSL_USE_STATIC_LIBS TRUE)
find_package(OpenSSL 3 REQUIRED)
find_package(Threads REQUIRED)

# Each component, and what it links.
set(static_poco_components Foundation JSON Util Net Crypto NetSSL Redis)
set(static_poco_links_Foundation Threads::Threads ${CMAKE_DL_LIBS} rt)
set(static_poco_links_JSON Poco::Foundation)
set(static_poco_links_Util Poco::JSON Poco::Foundation)
set(static_poco_links_Net Poco::Foundation)
set(static_poco_links_Crypto Poco::Foundation OpenSSL::Crypto)
set(static_poco_links_NetSSL Poco::Util Poco::Net Poco::Crypto Poco::Foundation OpenSSL::SSL OpenSSL::Crypto)
set(static_poco_links_Redis Poco::Net Poco::Foundation)
# What Debian's Poco::Foundation asks of its users (PocoFoundationTargets.cmake), POCO_UNBUNDLED aside:
# _FILE_OFFSET_BITS among them changes struct layouts, so the code that links these archives must agree.
set(JWTFLOW_POCO_DEFINITIONS POCO_ENABLE_CPP11 POCO_ENABLE_CPP14 POCO_OS_FAMILY_UNIX _REENTRANT _THREAD_SAFE
  _LARGEFILE64_SOURCE _FILE_OFFSET_BITS=64 _XOPEN_SOURCE=500 POCO_HAVE_FD_EPOLL)
foreach(component IN LISTS static_poco_components)
  set(archive "${static_poco_lib}/libPoco${component}.a")
  if(NOT EXISTS "${archive}")
    message(FATAL_ERROR "the static POCO in ${JWTFLOW_STATIC_POCO_DIR} has no ${archive}: delete that folder and configure again")
  endif()
  add_library(Poco::${component} STATIC IMPORTED GLOBAL)
  set_target_properties(Poco::${component} PROPERTIES
    IMPORTED_LOCATION "${archive}"
    INTERFACE_LINK_LIBRARIES "${static_poco_links_${component}}"
    INTERFACE_COMPILE_DEFINITIONS "${JWTFLOW_POCO_DEFINITIONS}")
endforeach()
