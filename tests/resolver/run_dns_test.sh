#!/bin/sh
# run_dns_test.sh TEST-BINARY — runs the DNS re-resolution test with names served inside the
# namespace: in a private mount namespace, a temporary hosts file is bind-mounted over /etc/hosts
# (and a resolv.conf naming only 127.0.0.1, so a name missing from it never leaves loopback).
# ctest runs this as root inside `unshare -n`; the mounts die with the namespace.
set -eu
if [ "${GOAWAY_DNS_TEST_IN_NS:-}" != 1 ]; then
	# Inside a chroot (scripts/in-root) "/" is no mount point and cannot be made private; the
	# in-root namespace is private already, so "unchanged" is safe there. Checked below.
	if unshare --mount --propagation private true 2>/dev/null; then
		GOAWAY_DNS_TEST_IN_NS=1 exec unshare --mount --propagation private "$0" "$@"
	fi
	GOAWAY_DNS_TEST_IN_NS=1 exec unshare --mount --propagation unchanged "$0" "$@"
fi
# Never let the bind mounts below reach another namespace (the machine's /etc/hosts): refuse
# if any mount here still propagates ("shared:N" in mountinfo's optional fields).
if grep -q ' shared:' /proc/self/mountinfo; then
	echo "run_dns_test.sh: a mount in this namespace is shared; refusing to bind-mount over /etc/hosts" >&2
	exit 1
fi
dir=$(mktemp -d /tmp/goaway-dns-test.XXXXXX)
trap 'umount /etc/resolv.conf 2>/dev/null; umount /etc/hosts 2>/dev/null; rm -rf "$dir"' EXIT
printf '127.0.0.1 localhost\n::1 localhost\n' >"$dir/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$dir/resolv.conf"
mount --bind "$dir/hosts" /etc/hosts
mount --bind "$dir/resolv.conf" /etc/resolv.conf
GOAWAY_TEST_HOSTS_FILE="$dir/hosts" "$1"
