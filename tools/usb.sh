#!/bin/sh
# Writes the tessera ISO to a USB stick (docs/REAL_HARDWARE.md).
#   sh tools/usb.sh [--dry-run] ISO /dev/sdX
# Refuses anything that is not a whole, removable disk, or that has a partition mounted or
# used as swap; shows the disk and asks for its name before dd overwrites all of it.
# --dry-run does every check and the question, then prints the dd command instead of
# running it (and accepts a device that is not a block device: for tests/tools/test_usb.sh).
# TESSERA_SYSFS, TESSERA_MOUNTS and TESSERA_SWAPS point the checks elsewhere (tests only).
set -eu

usage() {
    echo "usage: sh tools/usb.sh [--dry-run] ISO /dev/sdX   (make usb DEV=/dev/sdX)" >&2
    exit 2
}

refuse() {
    echo "error: usb: $*; nothing written" >&2
    exit 1
}

dry_run=0
if [ "${1:-}" = "--dry-run" ]; then
    dry_run=1
    shift
fi
[ $# -eq 2 ] || usage
iso=$1
dev=$2
sysfs=${TESSERA_SYSFS:-/sys}
mounts=${TESSERA_MOUNTS:-/proc/mounts}
swaps=${TESSERA_SWAPS:-/proc/swaps}

[ -n "$dev" ] || usage
[ -f "$iso" ] || refuse "no such ISO: $iso (run make first)"
case $dev in
    /dev/*) ;;
    *) refuse "$dev is not a /dev path; give the whole disk, e.g. /dev/sdb" ;;
esac
name=${dev#/dev/}
case $name in
    ''|*/*) refuse "$dev is not a whole disk; give e.g. /dev/sdb, not a partition or link" ;;
esac
disk=$sysfs/block/$name
[ -d "$disk" ] || refuse "$dev is not a whole disk ($disk does not exist; a partition such as sdb1 is not accepted)"
removable=$(cat "$disk/removable" 2>/dev/null || echo "?")
[ "$removable" = 1 ] || refuse "$dev is not removable ($disk/removable is $removable): not a USB stick"

# The disk itself and each partition sysfs lists under it (sdb1, nvme0n1p1, ...).
in_use=""
for part in "$name" $(cd "$disk" && ls -d "$name"* 2>/dev/null || true); do
    if awk -v d="/dev/$part" '$1 == d { found = 1 } END { exit !found }' "$mounts"; then
        where=$(awk -v d="/dev/$part" '$1 == d { print $2; exit }' "$mounts")
        in_use="$in_use /dev/$part (mounted on $where)"
    fi
    if [ -r "$swaps" ] && awk -v d="/dev/$part" '$1 == d { found = 1 } END { exit !found }' "$swaps"; then
        in_use="$in_use /dev/$part (swap)"
    fi
    holders=$disk/holders
    [ "$part" = "$name" ] || holders=$disk/$part/holders
    if [ -n "$(ls "$holders" 2>/dev/null)" ]; then
        in_use="$in_use /dev/$part (held by $(ls "$holders" | tr '\n' ' ' | sed 's/ $//'))"
    fi
done
[ -z "$in_use" ] || refuse "in use:$in_use; unmount it first"

sectors=$(cat "$disk/size" 2>/dev/null || echo 0)
model=$(cat "$disk/device/model" 2>/dev/null | sed 's/ *$//' || true)
vendor=$(cat "$disk/device/vendor" 2>/dev/null | sed 's/ *$//' || true)
mib=$((sectors / 2048))
iso_mib=$(( ($(wc -c < "$iso") + 1048575) / 1048576 ))
[ "$sectors" -eq 0 ] || [ "$iso_mib" -le "$mib" ] || refuse "$dev holds $mib MiB; the ISO needs $iso_mib MiB"
if [ "$dry_run" = 0 ] && [ ! -b "$dev" ]; then
    refuse "$dev is not a block device"
fi

echo "About to overwrite ALL of $dev (${vendor:+$vendor }${model:-unknown model}, $mib MiB) with $iso ($iso_mib MiB)."
printf 'Type the device name (%s) to go on, anything else cancels: ' "$name"
answer=""
read -r answer || true
if [ "$answer" != "$name" ]; then
    echo "usb: cancelled; nothing written"
    exit 1
fi

if [ "$dry_run" = 1 ]; then
    echo "usb: dry run: dd if=$iso of=$dev bs=4M conv=fsync status=progress"
    exit 0
fi
dd if="$iso" of="$dev" bs=4M conv=fsync status=progress
sync
echo "usb: $dev written; boot the PC from it (docs/REAL_HARDWARE.md)"
