#!/usr/bin/env bash
# Checks Debian packages against the commit they are built from (README.md,
# "Checking a package"). Two uses:
#
#   bash scripts/check-reproducible.sh COMMIT --against FILE.deb [--against FILE.deb ...]
#       Someone handed a package: clones COMMIT, builds the packages once with
#       the steps the README documents, and compares each FILE.deb with the
#       package of the same name built here. One build.
#
#   bash scripts/check-reproducible.sh [COMMIT]
#       A release manager, before publishing: clones COMMIT twice, into
#       folders whose absolute paths differ in length (the second on another
#       filesystem where /dev/shm has room), builds the packages in each, the
#       second under another umask, time zone, locale and home folder, and
#       compares the two sets byte for byte. Two builds.
#
# No compiler cache is used (it would hand a build objects made elsewhere and
# hide a difference). On a difference it says which member of which package
# differs, and in which file and ELF section, and keeps the trees.
#
#   COMMIT       what to build (default HEAD of this repository); a tag or hash
#   --against F  a package to check (repeatable); builds once instead of twice
#   --jobs N     parallel compile jobs per build (default 2)
#   --keep       keep the trees (they are kept anyway when the packages differ)
#   --work DIR   where the trees go (default: a new folder under $TMPDIR or /tmp)
#
# Exit codes: 0 identical, 1 usage, 2 a build failed, 4 the packages differ.
# On 2 cores shared with other builds, one build took 24 minutes, the check
# of a commit 49 (packaging/REPRODUCIBLE.md). Not for CI, too slow:
# tests/integration/test_packages.py checks the cheap part (two packagings of
# one tree, dates, modes, no build path in any installed file).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 1; }

commit_arg=HEAD
jobs=2
keep=0
work=""
against=()
while [ $# -gt 0 ]; do
  case "$1" in
    --against) [ $# -ge 2 ] || usage; against+=("$(realpath -e -- "$2")") ||
                 { echo "check-reproducible: no file $2" >&2; exit 1; }; shift 2 ;;
    --jobs) [ $# -ge 2 ] || usage; jobs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "check-reproducible: unknown option $1" >&2; usage ;;
    *) commit_arg=$1; shift ;;
  esac
done
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "check-reproducible: --jobs takes a positive number" >&2; exit 1; }

for tool in git cmake cpack dpkg-deb ar cmp sha256sum readelf strings nice; do
  command -v "$tool" >/dev/null || { echo "check-reproducible: $tool not found (bash scripts/install-deps.sh)" >&2; exit 1; }
done

for f in "${against[@]}"; do
  dpkg-deb -f "$f" Package >/dev/null 2>&1 || { echo "check-reproducible: $f is not a Debian package" >&2; exit 1; }
done

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse --verify --quiet "${commit_arg}^{commit}") ||
  { echo "check-reproducible: $commit_arg is not a commit of $repo" >&2; exit 1; }

if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/meldpunt-repro.XXXXXX")
else
  mkdir -p "$work"
  work=$(cd "$work" && pwd)
fi
# The second tree on another filesystem where there is room (tmpfs /dev/shm): a
# folder's size, the order in which a folder lists its files and the like are
# the filesystem's own, and must not reach the packages.
other=$work
if [ ${#against[@]} -eq 0 ] && [ -d /dev/shm ] && [ -w /dev/shm ] &&
   [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$work")" ] &&
   [ "$(df -P -k /dev/shm | awk 'NR == 2 { print $4 }')" -gt $((6 * 1024 * 1024)) ]; then
  other=$(mktemp -d /dev/shm/meldpunt-repro.XXXXXX)
fi
# Different lengths, so any absolute path left in a file shifts every offset after it.
trees=("$work/a" "$other/second-build-in-a-longer-folder/meldpunt")
# The builder's npm cache, whatever HOME the builds get (web/build.sh runs `npm ci --prefer-offline`).
export npm_config_cache=${npm_config_cache:-$HOME/.npm}
started=$(date +%s)

echo "check-reproducible: commit $commit"
if [ ${#against[@]} -gt 0 ]; then
  echo "check-reproducible: tree ${trees[0]} (build log: $work/build-1.log)"
else
  echo "check-reproducible: trees ${trees[0]} and ${trees[1]} (build logs: $work/build-1.log, $work/build-2.log)"
fi

# The steps README.md documents under "Packages", with nothing changed that
# could change the bytes: only the niceness and the number of jobs.
build_packages() {
  local tree=$1
  cmake -S "$tree" -B "$tree/build/release" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DMELDPUNT_BUILD_TESTS=OFF -DMELDPUNT_BUILD_BENCH=OFF &&
    nice -n 19 cmake --build "$tree/build/release" -j "$jobs" &&
    (cd "$tree/build/release" && nice -n 19 cpack)
}

# One build: a fresh clone, then the build under its own umask, time zone,
# locale and home folder.
build_one() {
  local n=$1 tree=$2 umask_value=$3 tz=$4 locale=$5
  local log="$work/build-$n.log" home="$work/home-$n"
  rm -rf "$tree" "$home"
  mkdir -p "$(dirname "$tree")" "$home"
  git clone --quiet --no-checkout "$repo" "$tree"
  git -C "$tree" checkout --quiet --detach "$commit"
  echo "check-reproducible: build $n in $tree (umask $umask_value, TZ=$tz, LC_ALL=$locale) ..."
  local t0
  t0=$(date +%s)
  if ! (umask "$umask_value" && export CCACHE_DISABLE=1 TZ="$tz" LANG="$locale" LC_ALL="$locale" HOME="$home" &&
        unset SOURCE_DATE_EPOCH LANGUAGE CMAKE_CXX_COMPILER_LAUNCHER CMAKE_C_COMPILER_LAUNCHER &&
        build_packages "$tree") >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "check-reproducible: build $n failed (log: $log)" >&2
    exit 2
  fi
  echo "check-reproducible: build $n done in $(( ($(date +%s) - t0) / 60 )) min"
}

if [ ${#against[@]} -gt 0 ]; then
  build_one 1 "${trees[0]}" 022 Etc/GMT+12 C.UTF-8
else
  # Time zones 26 hours apart; a UTF-8 locale and the plain C one (every Debian has both).
  build_one 1 "${trees[0]}" 022 Etc/GMT+12 C.UTF-8
  build_one 2 "${trees[1]}" 077 Pacific/Kiritimati C
fi

debs_of() { find "$1/build/release/packages" -maxdepth 1 -name '*.deb' -printf '%f\n' | LC_ALL=C sort; }

# --- Comparison --------------------------------------------------------------------------------
# Names the files that differ between two extracted folders: in ELF files the
# sections, elsewhere the first lines of a diff.
compare_files() {
  local a=$1 b=$2 what=$3
  local rel
  (cd "$a" && find . -type f) | LC_ALL=C sort >"$work/files-a"
  (cd "$b" && find . -type f) | LC_ALL=C sort >"$work/files-b"
  if ! cmp -s "$work/files-a" "$work/files-b"; then
    echo "    $what: the file lists differ:"
    diff "$work/files-a" "$work/files-b" | sed 's/^/      /' | head -n 20 || true
  fi
  while IFS= read -r rel; do
    [ -f "$b/$rel" ] || continue
    cmp -s "$a/$rel" "$b/$rel" && continue
    echo "    $what: ${rel#./} differs"
    if [ "$(head -c 4 "$a/$rel" | od -An -c | tr -d ' ')" = '177ELF' ]; then
      local s
      for s in $(readelf -SW "$a/$rel" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p'); do
        cmp -s <(readelf -x "$s" "$a/$rel" 2>&1) <(readelf -x "$s" "$b/$rel" 2>&1) ||
          echo "      ELF section $s differs"
      done
      echo "      first differing byte: $(cmp "$a/$rel" "$b/$rel" | sed 's/.*differ: //')"
      diff <(strings -n 8 "$a/$rel") <(strings -n 8 "$b/$rel") | grep '^[<>]' | head -n 10 | sed 's/^/      /' || true
    elif grep -Iq . "$a/$rel"; then
      diff -u "$a/$rel" "$b/$rel" | sed -n '3,22p' | sed 's/^/      /' || true
    else
      cmp -l "$a/$rel" "$b/$rel" | head -n 5 | sed 's/^/      offset, octal bytes: /' || true
    fi
  done <"$work/files-a"
}

# Names the members of two .deb files (ar archives) that differ, then what differs inside them.
compare_debs() {
  local a=$1 b=$2 name=$3
  local x="$work/diff/$name"
  rm -rf "$x"
  mkdir -p "$x/a" "$x/b"
  # A package handed over may be damaged or not a package at all: say so, never stop.
  if ! (cd "$x/a" && ar x "$a" 2>/dev/null) || ! (cd "$x/b" && ar x "$b" 2>/dev/null); then
    echo "  $name: not both readable as ar archives (a .deb is one): damaged or not a Debian package"
    return 0
  fi
  if [ "$(ar t "$a")" != "$(ar t "$b")" ]; then
    echo "  $name: the ar members differ: $(ar t "$a" | tr '\n' ' ')/ $(ar t "$b" | tr '\n' ' ')"
  fi
  cmp -s <(ar tv "$a") <(ar tv "$b") || echo "  $name: the ar headers (dates, modes, sizes) differ"
  local member
  for member in $(ar t "$a"); do
    [ -f "$x/b/$member" ] || continue
    cmp -s "$x/a/$member" "$x/b/$member" && continue
    echo "  $name: member $member differs"
    case "$member" in
      *.tar*)
        # Order, modes, owners and dates of the entries, then their contents.
        diff <(TZ=UTC tar -tvf "$x/a/$member" --full-time 2>&1) <(TZ=UTC tar -tvf "$x/b/$member" --full-time 2>&1) |
          grep '^[<>]' | head -n 20 | sed 's/^/    listing /' || true
        mkdir -p "$x/a/${member%%.*}" "$x/b/${member%%.*}"
        if ! tar -xf "$x/a/$member" -C "$x/a/${member%%.*}" 2>/dev/null ||
           ! tar -xf "$x/b/$member" -C "$x/b/${member%%.*}" 2>/dev/null; then
          echo "    $member: cannot be unpacked whole (damaged?); comparing what could be"
        fi
        compare_files "$x/a/${member%%.*}" "$x/b/${member%%.*}" "$member"
        ;;
    esac
  done
}

mapfile -t first < <(debs_of "${trees[0]}")
status=0
if [ ${#against[@]} -gt 0 ]; then
  # Each given package against the one of its name built here.
  for f in "${against[@]}"; do
    name=$(dpkg-deb -f "$f" Package)
    built=""
    for deb in "${first[@]}"; do
      if [ "$(dpkg-deb -f "${trees[0]}/build/release/packages/$deb" Package)" = "$name" ]; then
        built="${trees[0]}/build/release/packages/$deb"
      fi
    done
    if [ -z "$built" ]; then
      echo "check-reproducible: $f is $name, which $commit does not build (it builds: ${first[*]})"
      status=4
    elif cmp -s "$f" "$built"; then
      echo "check-reproducible: $f is IDENTICAL to $name as built from $commit"
    else
      status=4
      echo "check-reproducible: $f DIFFERS from $name as built from $commit"
      compare_debs "$built" "$f" "$name"
    fi
  done
else
  mapfile -t second < <(debs_of "${trees[1]}")
  if [ "${#first[@]}" -ne 3 ] || [ "${first[*]}" != "${second[*]}" ]; then
    echo "check-reproducible: the builds made different packages: ${first[*]} / ${second[*]}" >&2
    status=4
  fi
  for deb in "${first[@]}"; do
    a="${trees[0]}/build/release/packages/$deb"
    b="${trees[1]}/build/release/packages/$deb"
    [ -f "$b" ] || continue
    if ! cmp -s "$a" "$b"; then
      status=4
      echo "check-reproducible: $deb DIFFERS"
      compare_debs "$a" "$b" "${deb%%_*}"
    fi
  done
fi

# A build path in an installed file is a difference waiting to happen, even where
# the two paths happened to give the same bytes: name any.
built_trees=(0)
[ ${#against[@]} -gt 0 ] || built_trees=(0 1)
for i in "${built_trees[@]}"; do
  root="$work/installed-$i"
  rm -rf "$root"
  for deb in "${first[@]}"; do
    if [ -f "${trees[$i]}/build/release/packages/$deb" ]; then
      dpkg-deb -x "${trees[$i]}/build/release/packages/$deb" "$root"
    fi
  done
  if leaks=$(grep -rlF -e "$work" -e "$other" "$root" 2>/dev/null); then
    status=4
    echo "check-reproducible: installed files naming the build folder ${trees[$i]}:"
    echo "$leaks" | sed "s|^$root|  |"
  fi
done

# The record (README.md, "Checking a package"; packaging/REPRODUCIBLE.md).
echo
echo "Date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Commit:   $commit ($(git -C "$repo" log -1 --format='%cd' --date=iso-strict "$commit"))"
echo "Machine:  Debian $(cat /etc/debian_version), $(gcc --version | head -n 1), $(cmake --version | head -n 1)"
echo "Time:     $(( ($(date +%s) - started) / 60 )) min in all"
for i in "${built_trees[@]}"; do
  echo "Build $((i + 1)):  ${trees[$i]} ($(stat -f -c %T "${trees[$i]}"))"
done
for deb in "${first[@]}"; do
  for i in "${built_trees[@]}"; do
    f="${trees[$i]}/build/release/packages/$deb"
    if [ -f "$f" ]; then echo "  $(sha256sum "$f" | cut -d' ' -f1)  $((i + 1))/$deb"; fi
  done
done
for f in "${against[@]}"; do
  echo "  $(sha256sum "$f" | cut -d' ' -f1)  $f"
done
echo

if [ "$status" -eq 0 ]; then
  if [ ${#against[@]} -gt 0 ]; then
    echo "check-reproducible: IDENTICAL: every package given is the one built from $commit"
  else
    echo "check-reproducible: IDENTICAL: both builds of $commit gave the same bytes"
  fi
  [ "$keep" -eq 1 ] || rm -rf "$work" "$other"
else
  kept=$work
  [ "$other" = "$work" ] || kept="$work and $other"
  echo "check-reproducible: DIFFERENT: do not install (trees kept in $kept, members in $work/diff)"
fi
exit "$status"
