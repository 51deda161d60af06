#!/bin/sh
# Tests tools/usb.sh's refusals and its question against a fake sysfs, mount table and
# device (never a real disk): every case must stop before dd, with its own message.
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
usb="$here/tools/usb.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/tessera-usb-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
cases=0

export TESSERA_SYSFS="$work/sys" TESSERA_MOUNTS="$work/mounts" TESSERA_SWAPS="$work/swaps"
iso="$work/tessera.iso"
head -c 3000000 /dev/zero > "$iso"
: > "$work/mounts"
printf 'Filename Type Size Used Priority\n' > "$work/swaps"

# fake_disk NAME REMOVABLE SECTORS [PARTITION...]
fake_disk() {
    mkdir -p "$work/sys/block/$1/device"
    echo "$2" > "$work/sys/block/$1/removable"
    echo "$3" > "$work/sys/block/$1/size"
    echo "FakeStick" > "$work/sys/block/$1/device/model"
    disk=$1
    shift 3
    for p in "$@"; do
        mkdir -p "$work/sys/block/$disk/$p"
    done
}

# expect STATUS MESSAGE-REGEX INPUT ARGS...: runs usb.sh and checks status and output.
expect() {
    want_status=$1 pattern=$2 input=$3
    shift 3
    cases=$((cases + 1))
    status=0
    out=$(printf '%s\n' "$input" | sh "$usb" "$@" 2>&1) || status=$?
    if [ "$status" != "$want_status" ] || ! printf '%s\n' "$out" | tr '\n' ' ' | grep -Eq "$pattern"; then
        echo "FAIL usb.sh $*: status $status (want $want_status), output:"
        printf '%s\n' "$out" | sed 's/^/    | /'
        echo "    wanted /$pattern/"
        failures=$((failures + 1))
    fi
    if printf '%s\n' "$out" | grep -q "written;"; then
        echo "FAIL usb.sh $*: claims to have written"
        failures=$((failures + 1))
    fi
}

fake_disk vda 0 41943040 vda1
fake_disk sdb 1 31260672 sdb1 sdb2
fake_disk sdc 1 31260672 sdc1
fake_disk sdd 1 2048 sdd1
fake_disk sde 1 31260672 sde1
fake_disk sdf 1 31260672 sdf1
mkdir -p "$work/sys/block/sdf/sdf1/holders/dm-0"
echo "/dev/sdc1 /media/stick vfat rw 0 0" >> "$work/mounts"
echo "/dev/sde1 partition 1048572 0 -2" >> "$work/swaps"

expect 2 "usage" "" "$iso"
expect 1 "no such ISO" "" "$work/none.iso" /dev/sdb
expect 1 "not a /dev path" "" "$iso" sdb
expect 1 "not a whole disk" "" "$iso" /dev/nonexistent
expect 1 "not a whole disk" "" "$iso" /dev/sdb1
expect 1 "not a whole disk" "" "$iso" /dev/disk/by-id/usb-stick
expect 1 "vda is not removable" "" "$iso" /dev/vda
expect 1 "in use: /dev/sdc1 \(mounted on /media/stick\)" "" "$iso" /dev/sdc
expect 1 "in use: /dev/sde1 \(swap\)" "" "$iso" /dev/sde
expect 1 "in use: /dev/sdf1 \(held by dm-0\)" "" "$iso" /dev/sdf
expect 1 "holds 1 MiB; the ISO needs 3 MiB" "" "$iso" /dev/sdd
expect 1 "sdb is not a block device" "" "$iso" /dev/sdb
expect 1 "cancelled; nothing written" "yes" --dry-run "$iso" /dev/sdb
expect 1 "cancelled; nothing written" "" --dry-run "$iso" /dev/sdb
expect 0 "About to overwrite ALL of /dev/sdb \(FakeStick, 15264 MiB\).*dry run: dd if=.* of=/dev/sdb" \
    "sdb" --dry-run "$iso" /dev/sdb

if [ "$failures" -ne 0 ]; then
    echo "usb.sh: $failures of $cases cases failed"
    exit 1
fi
echo "usb.sh: $cases cases passed"
