#!/bin/sh
# packaging/macos/make-pkg.sh STAGE OUT_DIR — the macOS installer (.pkg) from a staged install
# (cmake --install <build> --component obs_plugin --prefix STAGE, which holds <name>.plugin).
# Run by the workflow on macOS; pkgbuild and productbuild are Apple's tools.
set -eu
stage=$1
out=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
# field KEY... — a value of buildspec.json
field() {
	python3 -c 'import functools, json, sys; print(functools.reduce(lambda d, k: d[k], sys.argv[2:], json.load(open(sys.argv[1]))))' \
		"$top/buildspec.json" "$@"
}
name=$(field name)
display=$(field displayName)
version=$(field version)
bundle=$(field platformConfig macos bundleId)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root/Library/Application Support/obs-studio/plugins"
mkdir -p "$root" "$out"
cp -R "$stage/$name.plugin" "$root/"
pkgbuild --identifier "$bundle" --version "$version" --root "$work/root" "$work/$name-component.pkg"
sed -e "s|@NAME@|$name|g" -e "s|@DISPLAY_NAME@|$display|g" -e "s|@VERSION@|$version|g" -e "s|@BUNDLE_ID@|$bundle|g" \
	"$top/packaging/macos/distribution.xml.in" >"$work/distribution.xml"
productbuild --distribution "$work/distribution.xml" --package-path "$work" "$out/$name-$version-macos-universal.pkg"
echo "$out/$name-$version-macos-universal.pkg"
