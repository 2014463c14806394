#!/bin/sh
# tests/package/test_obs_deps_fetch.sh SOURCE_DIR — the Windows/macOS dependency fetch
# (cmake/common/goaway_obs_deps.cmake) on this machine, with local archives served as file:// URLs
# instead of GitHub: the three archives of a buildspec are fetched, checked and unpacked, the
# prefixes land in CMAKE_PREFIX_PATH, a second configure fetches nothing, and an archive whose
# SHA-256 differs from the buildspec stops the configure. (The OBS library build step is skipped by
# its stamp file: it needs MSVC or Xcode.)
set -eu
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p srv/2024-03-19 content/deps content/qt content/obs-studio-30.1.2 proj/.deps
echo 2024-03-19 >content/deps/VERSION
echo qt >content/qt/qt.txt
echo "project(obs)" >content/obs-studio-30.1.2/CMakeLists.txt
(cd content/deps && cmake -E tar cf "$work/srv/2024-03-19/windows-deps-2024-03-19-x64.zip" --format=zip VERSION)
(cd content/qt && cmake -E tar cf "$work/srv/2024-03-19/windows-deps-qt6-2024-03-19-x64.zip" --format=zip qt.txt)
(cd content && cmake -E tar cf "$work/srv/30.1.2.zip" --format=zip obs-studio-30.1.2)
hash() { cmake -E sha256sum "$1" | cut -c1-64; }
write_spec() { # write_spec PREBUILT_HASH
	cat >"$work/proj/buildspec.json" <<JSON
{"dependencies": {
 "obs-studio": {"version": "30.1.2", "baseUrl": "file://$work/srv", "hashes": {"windows-x64": "$(hash "$work/srv/30.1.2.zip")"}},
 "prebuilt": {"version": "2024-03-19", "baseUrl": "file://$work/srv", "hashes": {"windows-x64": "$1"}},
 "qt6": {"version": "2024-03-19", "baseUrl": "file://$work/srv", "hashes": {"windows-x64": "$(hash "$work/srv/2024-03-19/windows-deps-qt6-2024-03-19-x64.zip")"}}}}
JSON
}
write_spec "$(hash srv/2024-03-19/windows-deps-2024-03-19-x64.zip)"
touch proj/.deps/.obs-libraries-30.1.2-x64
cat >proj/fetch.cmake <<CMAKE
list(APPEND CMAKE_MODULE_PATH "$src/cmake/common")
include(goaway_obs_deps)
goaway_fetch_obs_deps(PLATFORM windows-x64 ARCH x64 PREBUILT "windows-deps-@VERSION@-@ARCH@.zip"
  QT6 "windows-deps-qt6-@VERSION@-@ARCH@.zip" OBS "@VERSION@.zip")
message(STATUS "prefix path: \${CMAKE_PREFIX_PATH}")
CMAKE
fail() {
	echo "FAIL: $*"
	exit 1
}
cd proj
cmake -P fetch.cmake >first.log 2>&1 || { cat first.log; fail "the fetch failed"; }
cat first.log
[ "$(grep -c 'fetching file://' first.log)" = 3 ] || fail "expected three fetches"
[ -f .deps/obs-deps-2024-03-19-x64/VERSION ] || fail "obs-deps not unpacked"
[ -f .deps/obs-deps-qt6-2024-03-19-x64/qt.txt ] || fail "Qt 6 not unpacked"
[ -f .deps/obs-studio-30.1.2/CMakeLists.txt ] || fail "OBS sources not unpacked"
grep -q "prefix path: $work/proj/.deps/obs-deps-2024-03-19-x64;$work/proj/.deps/obs-deps-qt6-2024-03-19-x64;$work/proj/.deps" first.log ||
	fail "CMAKE_PREFIX_PATH does not list the prefixes"
cmake -P fetch.cmake >second.log 2>&1 || { cat second.log; fail "the second run failed"; }
! grep -q 'fetching' second.log || fail "the second run fetched again"
# One changed byte of the published archive: its hash no longer matches the buildspec.
write_spec "$(hash "$work/srv/2024-03-19/windows-deps-2024-03-19-x64.zip" | tr 0-9a-f 1-9a-f0)"
if cmake -P fetch.cmake >bad.log 2>&1; then
	cat bad.log
	fail "an archive with another SHA-256 was accepted"
fi
grep -q "HASH mismatch" bad.log || { cat bad.log; fail "no hash mismatch reported"; }
echo "PASS"
