# Installation layout and the Debian package (`cpack -G DEB`, docs/operations.md).
#
# Programs, man pages, catalogs and docs go under the install prefix (/usr in the package).
# Configuration and systemd files go to the absolute paths Debian 12 and systemd read them from.
include(GNUInstallDirs)

install(TARGETS liaisond liaisonctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Man pages, compressed as Debian ships them.
set(liaison_man_pages liaisond.8 liaisonctl.1)
set(liaison_man_outputs)
foreach(page IN LISTS liaison_man_pages)
  set(out ${PROJECT_BINARY_DIR}/man/${page}.gz)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND gzip -9 -n -c ${PROJECT_SOURCE_DIR}/man/${page} > ${out}
    DEPENDS ${PROJECT_SOURCE_DIR}/man/${page}
    COMMENT "Compressing man page ${page}"
    VERBATIM)
  list(APPEND liaison_man_outputs ${out})
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
add_custom_target(liaison_man_pages ALL DEPENDS ${liaison_man_outputs})

# Message catalogs: [district] catalog_directory defaults to /usr/share/liaison/catalog.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/i18n/catalog/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/liaison/catalog
        FILES_MATCHING PATTERN "*.json")

# The example configuration to edit, and the Redis snippet to include from redis.conf; both are
# conffiles (packaging/debian/conffiles): an upgrade keeps the operator's edits.
install(FILES ${PROJECT_SOURCE_DIR}/config/liaison.toml ${PROJECT_SOURCE_DIR}/config/redis-liaison.conf
        DESTINATION /etc/liaison)

# systemd: the unit, the user (sysusers.d) and the folders (tmpfiles.d).
install(FILES ${PROJECT_SOURCE_DIR}/systemd/liaisond.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/liaison.sysusers.conf
        DESTINATION /usr/lib/sysusers.d RENAME liaison.conf)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/liaison.tmpfiles.conf
        DESTINATION /usr/lib/tmpfiles.d RENAME liaison.conf)

# The unit's Documentation= points at the README; the design and operations docs go with it.
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB liaison_docs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${liaison_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# --- CPack: one Debian package, "liaison" ------------------------------------------------------
set(LIAISON_PACKAGE_MAINTAINER "Liaison maintainers <liaison@localhost>"
    CACHE STRING "The Maintainer field of the Debian package")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME liaison)
set(CPACK_PACKAGE_VENDOR "Liaison")
set(CPACK_PACKAGE_CONTACT "${LIAISON_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "district-to-family messaging in each family's language")
set(CPACK_PACKAGE_DESCRIPTION
    "liaisond lets a school district send announcements and direct messages to every family "
    "by SMS, email or voice call, in the family's own language, with a durable Redis queue, "
    "retries and delivery reports. liaisonctl checks its configuration, creates API keys and "
    "looks after the queue.")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Debian strips its binaries; the debug information stays in the build tree.
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# Shared-library dependencies computed by dpkg-shlibdeps (dpkg-dev). libphonenumber8's shlibs
# file names the virtual package libphonenumber8-protobuf32; name the real package as well.
# The postinst runs systemd-sysusers and systemd-tmpfiles.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libphonenumber8, systemd | systemd-standalone-sysusers, systemd | systemd-standalone-tmpfiles")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "redis-server")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/debian/conffiles;${PROJECT_SOURCE_DIR}/packaging/debian/postinst;${PROJECT_SOURCE_DIR}/packaging/debian/prerm;${PROJECT_SOURCE_DIR}/packaging/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
