# `cpack -G DEB` in the Release build directory builds allervers_VERSION_ARCH.deb: the binary,
# what it reads at run time (templates, static files, migrations, reference data, web fonts),
# a default configuration, a hardened systemd unit and the administrator's documentation.
# The binary finds its files in ../share/allervers (config::DefaultShareDir), so one build serves
# both the source tree and the package. tests/package/check_deb.sh checks the result.
include(GNUInstallDirs)

# `make install` and cpack install what is built, without building every target first (the
# test programs are built only with the sanitizers, see tools/run_tests.sh).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS allervers RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY templates static migrations data DESTINATION ${CMAKE_INSTALL_DATADIR}/allervers)
set(ALLERVERS_FONT_FILES ${CMAKE_SOURCE_DIR}/node_modules/@fontsource/atkinson-hyperlegible/files)
if(EXISTS ${ALLERVERS_FONT_FILES})
  install(DIRECTORY ${ALLERVERS_FONT_FILES}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/allervers/fonts)
endif()
install(FILES packaging/allervers.toml DESTINATION /etc/allervers)
install(FILES packaging/allervers.service DESTINATION /lib/systemd/system)
install(FILES docs/admin.md docs/configuration.md docs/guide-utilisateur.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/guide DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME allervers)
set(CPACK_PACKAGE_VENDOR "Allervers")
set(CPACK_PACKAGE_CONTACT "Allervers <exploitation@allervers.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "système d'information d'une équipe mobile d'inclusion numérique")
set(CPACK_PACKAGE_DESCRIPTION
    "Fiches de liaison, rendez-vous à domicile, bilans, démarches, orientations, retours aux\n\
prescripteurs et indicateurs trimestriels d'une équipe mobile numérique (Pacte des solidarités).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies computed from the binary by dpkg-shlibdeps; the rest named here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, fonts-dejavu-core")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, nginx | apache2")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
