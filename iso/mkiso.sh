#!/bin/sh
# Builds a hybrid BIOS+UEFI GRUB rescue ISO holding the tessera image.
#   sh iso/mkiso.sh ELF GRUB_CFG OUT.iso [MODULE_FILE...]
# Modules are copied into /boot/ under their base name; grub.cfg refers to them
# as /boot/<name>. grub-mkrescue's output is shown only when it fails.
set -eu

usage() {
    echo "usage: sh iso/mkiso.sh ELF GRUB_CFG OUT.iso [MODULE_FILE...]" >&2
    exit 2
}

[ $# -ge 3 ] || usage
elf=$1
cfg=$2
out=$3
shift 3

for f in "$elf" "$cfg" "$@"; do
    [ -f "$f" ] || { echo "error: mkiso: no such file: $f" >&2; exit 1; }
done
command -v grub-mkrescue >/dev/null 2>&1 || {
    echo "error: mkiso: grub-mkrescue not found (run: sh tools/deps.sh install)" >&2
    exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/tessera-iso.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
stage=$work/root
log=$work/grub-mkrescue.log

mkdir -p "$stage/boot/grub"
cp "$elf" "$stage/boot/tessera.elf"
cp "$cfg" "$stage/boot/grub/grub.cfg"
for m in "$@"; do
    cp "$m" "$stage/boot/$(basename "$m")"
done

mkdir -p "$(dirname "$out")"
tmp_out="$out.tmp.$$"
if ! grub-mkrescue -o "$tmp_out" "$stage" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$tmp_out"
    echo "error: mkiso: grub-mkrescue failed for $out" >&2
    exit 1
fi
mv -f "$tmp_out" "$out"
