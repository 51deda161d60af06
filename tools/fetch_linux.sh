#!/bin/sh
# Fetches the current Debian distribution kernel (the package linux-image-amd64 depends on,
# resolved now) with `apt-get download` and extracts its bzImage; cached by package version.
#   sh tools/fetch_linux.sh OUT_DIR      -> OUT_DIR/vmlinuz, OUT_DIR/vmlinuz.version
# Nothing fetched is committed: OUT_DIR lives under build/.
set -eu

[ $# -eq 1 ] || { echo "usage: sh tools/fetch_linux.sh OUT_DIR" >&2; exit 2; }
out=$1
mkdir -p "$out/cache"

fail() {
    echo "error: fetch_linux: $*" >&2
    exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found (a Debian machine is needed)"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
      sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
    [ "$(id -u)" -eq 0 ] && apt-get update >/dev/null 2>&1 || true
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
fi
[ -n "$pkg" ] || fail "cannot resolve linux-image-amd64 (run: sudo apt-get update)"
version=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
[ -n "$version" ] && [ "$version" != "(none)" ] || fail "no candidate version of $pkg"

if [ -f "$out/vmlinuz" ] && [ "$(cat "$out/vmlinuz.version" 2>/dev/null)" = "$pkg $version" ]; then
    touch "$out/vmlinuz"        # up to date: newer than this script for make
    exit 0
fi

deb=$(ls "$out/cache/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
    echo "  FETCH   $pkg $version (apt-get download)"
    (cd "$out/cache" && apt-get -o APT::Sandbox::User=root download "$pkg" >/dev/null) ||
        fail "apt-get download $pkg failed (run: sudo apt-get update, and check the network)"
    deb=$(ls "$out/cache/${pkg}_"*.deb | head -n 1)
fi
tmp="$out/vmlinuz.tmp.$$"
dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './boot/vmlinuz-*' >"$tmp" ||
    fail "no /boot/vmlinuz-* in $deb"
[ -s "$tmp" ] || fail "empty kernel extracted from $deb"
mv -f "$tmp" "$out/vmlinuz"
echo "$pkg $version" >"$out/vmlinuz.version"
