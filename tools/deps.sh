#!/bin/sh
# Checks for (and installs) the Debian packages tessera's build and tests need.
#   sh tools/deps.sh check     silent when everything is installed; as root installs
#                              what is missing, otherwise prints the apt-get line, exit 1
#   sh tools/deps.sh install   the same, but always says what it did
set -eu

# clang and libclang-rt-dev build the fuzz targets: libFuzzer's runtime (libclang_rt.fuzzer)
# ships in libclang-rt-14-dev on Debian 12, which libclang-rt-dev pulls in for the default
# clang, not clang itself.
PACKAGES="gcc make binutils python3 grub-common grub-pc-bin grub-efi-amd64-bin xorriso \
mtools qemu-system-x86 ovmf bochs bochs-term bochsbios vgabios libcmocka-dev util-linux \
clang libclang-rt-dev busybox-static"

usage() {
    echo "usage: sh tools/deps.sh check|install" >&2
    exit 2
}

[ $# -eq 1 ] || usage
mode=$1
case "$mode" in
    check|install) ;;
    *) usage ;;
esac

missing_packages() {
    missing=""
    for pkg in $PACKAGES; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || missing="$missing $pkg"
    done
    echo "${missing# }"
}

missing=$(missing_packages)

if [ -z "$missing" ]; then
    [ "$mode" = install ] && echo "deps: all required packages are installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages; run: sudo apt-get install -y $missing" >&2
    exit 1
fi

echo "deps: installing: $missing"
apt-get update
# shellcheck disable=SC2086  # one word per package
DEBIAN_FRONTEND=noninteractive apt-get install -y $missing

still=$(missing_packages)
if [ -n "$still" ]; then
    echo "error: deps: still missing after apt-get install: $still" >&2
    exit 1
fi
echo "deps: installed: $missing"
