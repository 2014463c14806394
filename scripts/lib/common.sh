# Shared helpers for scripts/*. Sourced, not run.

DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
OBS_GOAWAY_ROOTS=${OBS_GOAWAY_ROOTS:-/var/cache/obs-rtmp-goaway/roots}
REPO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Everything a root needs to build the plugin and run every test suite.
ROOT_PACKAGES=(
	obs-studio libobs-dev qt6-base-dev cmake ninja-build g++ pkg-config
	librtmp-dev libgnutls28-dev libcurl4-openssl-dev nlohmann-json3-dev libgtest-dev
	xvfb xauth x11-utils xdotool imagemagick
	nginx libnginx-mod-rtmp stunnel4 ffmpeg
	python3 python3-websocket python3-yaml iproute2 procps psmisc ca-certificates openssl valgrind gdb
	clang libclang-rt-dev clang-tidy
)

log() { printf '[obs-rtmp-goaway] %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}
need_root_user() { [ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and mounts need it)"; }
root_dir() { printf '%s/%s' "$OBS_GOAWAY_ROOTS" "$1"; }

apt_host_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 || {
		apt-get update -qq >/dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
	}
}

# Deleting a root with /dev still bound into it would delete the host's /dev.
refuse_if_mounted() {
	if awk -v d="$1" 'index($2, d) == 1 {found=1} END {exit !found}' /proc/mounts; then
		die "something is still mounted under $1; unmount it before recreating the root"
	fi
}
