# Run by cpack after it has written the .deb files (CPACK_POST_BUILD_SCRIPTS,
# packaging/CMakeLists.txt): rebuilds each package with dpkg-deb from the
# same files, file modes and control data, with every folder 0755 and one
# field changed: Installed-Size.
#
# Why: CPack (3.25) writes Installed-Size as the sum of st_size over the
# staged files *and folders*, and a folder's st_size is the filesystem's
# own (4096 on ext4, a few dozen bytes on tmpfs, other sums on btrfs or
# xfs), so one commit packaged on two filesystems gave two different
# control files, hence two different .deb files. Here the size is
# dpkg-gencontrol's (deb-substvars(5)): every regular file and symlink
# rounded up to whole KiB, 1 KiB for every other object. dpkg-deb writes the
# archives as Debian's own packages are written: entries sorted by name,
# owned by root, no date later than SOURCE_DATE_EPOCH
# (source_date_epoch.cmake, run by cpack before this), gzip without a name
# or time in its header.
#
# From cpack: CPACK_PACKAGE_FILES, the .deb files just written.

if(NOT DEFINED ENV{SOURCE_DATE_EPOCH})
  message(FATAL_ERROR "deb_rebuild.cmake: SOURCE_DATE_EPOCH is not set (packaging/source_date_epoch.cmake runs first)")
endif()
find_program(MELDPUNT_DPKG_DEB dpkg-deb REQUIRED)

foreach(deb IN LISTS CPACK_PACKAGE_FILES)
  if(NOT deb MATCHES "\\.deb$")
    continue()
  endif()
  set(tree "${deb}.tree")
  file(REMOVE_RECURSE "${tree}")
  execute_process(COMMAND ${MELDPUNT_DPKG_DEB} --raw-extract ${deb} ${tree} COMMAND_ERROR_IS_FATAL ANY)
  # Every folder 0755, as Debian policy asks. The install made them under the
  # builder's umask: CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS is itself
  # masked by it, so under umask 077 they were 0700 (an /etc/meldpunt the
  # service user cannot enter). CPack's archive has no entry for the root
  # folder either: dpkg-deb made it, and would archive its mode as "./".
  # Files keep the modes the install rules gave them (install() sets them
  # whatever the umask).
  set(folders "${tree}" "${tree}/DEBIAN")
  # dpkg-gencontrol's estimate, from the objects themselves, never from a folder's st_size.
  file(GLOB_RECURSE entries LIST_DIRECTORIES true RELATIVE "${tree}" "${tree}/*")
  set(kib 0)
  foreach(entry IN LISTS entries)
    if(entry MATCHES "^DEBIAN(/|$)")
      continue()
    endif()
    set(entry "${tree}/${entry}")
    if(IS_SYMLINK "${entry}")
      file(READ_SYMLINK "${entry}" target)
      string(LENGTH "${target}" bytes)
      math(EXPR kib "${kib} + (${bytes} + 1023) / 1024")
    elseif(IS_DIRECTORY "${entry}")
      list(APPEND folders "${entry}")
      math(EXPR kib "${kib} + 1")
    else()
      file(SIZE "${entry}" bytes)
      math(EXPR kib "${kib} + (${bytes} + 1023) / 1024")
    endif()
  endforeach()

  file(CHMOD ${folders} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ
       WORLD_EXECUTE)

  file(READ "${tree}/DEBIAN/control" control)
  if(NOT control MATCHES "\nInstalled-Size: [0-9]+\n")
    message(FATAL_ERROR "deb_rebuild.cmake: no Installed-Size in the control file of ${deb}")
  endif()
  string(REGEX REPLACE "\nInstalled-Size: [0-9]+\n" "\nInstalled-Size: ${kib}\n" control "${control}")
  file(WRITE "${tree}/DEBIAN/control" "${control}")

  # -Z/-z: the same compression whatever DPKG_DEB_COMPRESSOR_* the builder's environment sets.
  execute_process(COMMAND ${MELDPUNT_DPKG_DEB} --root-owner-group -Zgzip -z9 --build ${tree} ${deb}.new
                  OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
  file(RENAME "${deb}.new" "${deb}")
  file(REMOVE_RECURSE "${tree}")
  message(STATUS "meldpunt: ${deb} rebuilt by dpkg-deb, Installed-Size ${kib} KiB")
endforeach()
