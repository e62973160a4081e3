# Included by cpack before it writes the packages (CPACK_PROJECT_CONFIG_FILE,
# packaging/CMakeLists.txt): sets SOURCE_DATE_EPOCH, the one time CPack
# stamps on every file and member of the .deb archives, so that the same
# commit gives the same bytes whenever it is packaged.
#
#   1. the builder's SOURCE_DATE_EPOCH, when set (a release pipeline's own);
#   2. else the committer date of the commit checked out in the source tree
#      (`git log -1 --format=%ct`), when the source tree is itself a git
#      checkout: each commit its own date, the same for everyone who checks
#      it out;
#   3. else (sources without git, e.g. an unpacked archive) the date of the
#      top entry of packaging/debian/changelog. Such a build differs from a
#      git checkout's in these stamps: compare packages built the same way
#      (README.md, "Checking a package", builds from a git clone).
#
# From CPackConfig.cmake: CPACK_MELDPUNT_SOURCE_DIR, CPACK_MELDPUNT_CHANGELOG_EPOCH.

if(DEFINED ENV{SOURCE_DATE_EPOCH})
  if(NOT "$ENV{SOURCE_DATE_EPOCH}" MATCHES "^[0-9]+$")
    message(FATAL_ERROR "SOURCE_DATE_EPOCH='$ENV{SOURCE_DATE_EPOCH}' is not a number of seconds since 1970")
  endif()
  message(STATUS "meldpunt packages dated SOURCE_DATE_EPOCH=$ENV{SOURCE_DATE_EPOCH} (from the environment)")
  return()
endif()

set(meldpunt_epoch "${CPACK_MELDPUNT_CHANGELOG_EPOCH}")
set(meldpunt_epoch_from "the top entry of packaging/debian/changelog: the source tree is not a git checkout of its own")
find_program(MELDPUNT_GIT git)
if(MELDPUNT_GIT)
  # safe.directory: git refuses a checkout owned by another user (root building
  # a user's clone) and would quietly give the changelog's date; whoever runs
  # this already runs the tree's build, so its git metadata adds no trust.
  set(MELDPUNT_GIT ${MELDPUNT_GIT} -c safe.directory=${CPACK_MELDPUNT_SOURCE_DIR})
  # Only the source tree's own repository: a tree unpacked inside some other
  # checkout (a home folder kept in git) must not take that one's date.
  execute_process(COMMAND ${MELDPUNT_GIT} -C ${CPACK_MELDPUNT_SOURCE_DIR} rev-parse --show-toplevel
                  OUTPUT_VARIABLE meldpunt_top OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE meldpunt_rc ERROR_QUIET)
  if(meldpunt_rc EQUAL 0)
    file(REAL_PATH "${meldpunt_top}" meldpunt_top)
    file(REAL_PATH "${CPACK_MELDPUNT_SOURCE_DIR}" meldpunt_source)
  endif()
  if(meldpunt_rc EQUAL 0 AND meldpunt_top STREQUAL meldpunt_source)
    execute_process(COMMAND ${MELDPUNT_GIT} -C ${CPACK_MELDPUNT_SOURCE_DIR} log -1 --format=%ct%n%H
                    OUTPUT_VARIABLE meldpunt_commit OUTPUT_STRIP_TRAILING_WHITESPACE
                    COMMAND_ERROR_IS_FATAL ANY)
    string(REPLACE "\n" ";" meldpunt_commit "${meldpunt_commit}")
    list(GET meldpunt_commit 0 meldpunt_epoch)
    list(GET meldpunt_commit 1 meldpunt_hash)
    set(meldpunt_epoch_from "the date of commit ${meldpunt_hash}")
    execute_process(COMMAND ${MELDPUNT_GIT} --no-optional-locks -C ${CPACK_MELDPUNT_SOURCE_DIR} status --porcelain
                            --untracked-files=no
                    OUTPUT_VARIABLE meldpunt_changes OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT meldpunt_changes STREQUAL "")
      message(WARNING "the source tree has changes not committed: these packages are not those of commit "
                      "${meldpunt_hash}, whose date they carry")
    endif()
  endif()
endif()
if(NOT meldpunt_epoch MATCHES "^[0-9]+$")
  message(FATAL_ERROR "no SOURCE_DATE_EPOCH for the packages (read '${meldpunt_epoch}' from ${meldpunt_epoch_from})")
endif()
set(ENV{SOURCE_DATE_EPOCH} ${meldpunt_epoch})
message(STATUS "meldpunt packages dated SOURCE_DATE_EPOCH=${meldpunt_epoch}, ${meldpunt_epoch_from}")
