#!/usr/bin/env bash
# The Go Away peer test: Debian 12's own OBS 29.0.2 against goaway-ingest (see it/obs29_peer.py).
# Runs on the host only (OBS 29 is Qt5); skips with 77 when /usr/bin/obs is not version 29.
# Must run inside `unshare -n` with lo up (ctest under scripts/test does this).
set -euo pipefail
ingest=${1:?usage: obs29_peer_test.sh PATH/TO/goaway-ingest}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ ! -x /usr/bin/obs ] || ! command -v Xvfb >/dev/null; then
	echo "SKIP: /usr/bin/obs or Xvfb missing"
	exit 77
fi
version=$(timeout -s KILL 60 /usr/bin/obs --version 2>/dev/null | grep -o '[0-9][0-9]*\.[0-9][0-9]*\.[0-9]*' | head -1 || true)
case "$version" in
29.*) ;;
*)
	echo "SKIP: /usr/bin/obs is '${version:-unknown}', this peer test needs OBS 29 (Go Away built in)"
	exit 77
	;;
esac
# Never touch a real network: refuse to run outside a private network namespace.
if ip -o link show | grep -qv ' lo:'; then
	echo "SKIP: not inside a private network namespace (run under unshare -n)"
	exit 77
fi
exec timeout -s KILL 280 python3 "$here/it/obs29_peer.py" "$ingest"
