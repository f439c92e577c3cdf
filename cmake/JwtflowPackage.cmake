# The Debian packages: `cpack -G DEB` in the build folder makes
#   jwtflow_<version>_amd64.deb      /usr/bin/jwtflow, the libraries and the network module under
#                                    /usr/lib, the plugins and descriptors under
#                                    /usr/lib/jwtflow/plugins.d, the man page, completion, docs;
#   jwtflow-dev_<version>_amd64.deb  headers, the CMake package, the libraries' .so links.
# Depends is computed by dpkg-shlibdeps, not typed by hand.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "jwtflow")
set(CPACK_PACKAGE_VENDOR "jwtflow")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "jwtflow maintainers <maintainers@jwtflow.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OAuth 2.0 JWT flows from the command line: mint, exchange, use")
set(CPACK_PACKAGE_DESCRIPTION "jwtflow mints a JWT signed with your private key, exchanges it at
the identity provider for an access token, and uses the token (Bearer calls,
Salesforce frontdoor links). Providers: Salesforce, Salesforce communities,
Microsoft Entra ID (Azure AD), OpenID Connect (Okta, Keycloak, Auth0) and
Google service accounts, with workload identity federation. It hands tokens
to other programs (exec, kubectl's exec credential, a local managed-identity
and metadata endpoint). Includes a loopback emulator of the identity
providers (jwtflow demo) and the shared libraries the program runs on; the
headers and CMake package for embedding are in jwtflow-dev.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")        # jwtflow_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME "jwtflow")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME "jwtflow-dev")
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "jwtflow (= ${PROJECT_VERSION}), libpoco-dev (>= 1.11), libssl-dev (>= 3)")
set(CPACK_COMPONENT_DEV_DESCRIPTION "jwtflow: headers and CMake package for embedding and plugins
The C++ headers of jwtflow's core (Session, TokenClient, the provider SDK),
its CMake package (find_package(JwtFlow), jwtflow_add_plugin) and the
libraries' development links.")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS "bash-completion, xdg-utils")   # completion, and a browser for `open`
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Our own libraries are in the package: dpkg-shlibdeps finds them in the build tree.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${CMAKE_BINARY_DIR}/lib")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# ldconfig through a trigger, as lintian asks (CPack adds its ldconfig postinst too: a warning only).
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA "${CMAKE_SOURCE_DIR}/packaging/triggers")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/package")
# The copyright file and the changelog Debian asks every package for.
install(FILES "${CMAKE_SOURCE_DIR}/packaging/copyright" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(FILES "${CMAKE_SOURCE_DIR}/packaging/copyright" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/jwtflow-dev" COMPONENT dev)
configure_file("${CMAKE_SOURCE_DIR}/packaging/changelog.in" "${CMAKE_BINARY_DIR}/packaging/changelog" @ONLY)
add_custom_command(OUTPUT "${CMAKE_BINARY_DIR}/packaging/changelog.gz"
  COMMAND gzip -9 -n -c "${CMAKE_BINARY_DIR}/packaging/changelog" > "${CMAKE_BINARY_DIR}/packaging/changelog.gz"
  DEPENDS "${CMAKE_BINARY_DIR}/packaging/changelog")
add_custom_target(jwtflow-changelog ALL DEPENDS "${CMAKE_BINARY_DIR}/packaging/changelog.gz")
install(FILES "${CMAKE_BINARY_DIR}/packaging/changelog.gz" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(FILES "${CMAKE_BINARY_DIR}/packaging/changelog.gz" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/jwtflow-dev" COMPONENT dev)
include(CPack)
