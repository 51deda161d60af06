#!/bin/sh
# Boots a tessera ISO interactively with COM1 on this terminal.
#   sh tools/run.sh best|qemu|bochs ISO
# best: QEMU with KVM when KVM can give the guest VMX (nested kvm_intel), else Bochs,
# the only emulator here whose CPU has VMX. qemu: QEMU (KVM when usable, else TCG, whose
# CPU has no VMX). bochs: Bochs, corei7_skylake_x, through tools/serial_bridge.py.
set -eu

usage() {
    echo "usage: sh tools/run.sh best|qemu|bochs ISO" >&2
    exit 2
}

[ $# -eq 2 ] || usage
mode=$1
iso=$2
[ -f "$iso" ] || { echo "error: run: no such ISO: $iso" >&2; exit 1; }
here=$(dirname "$0")

# KVM helps only if the guest can use VMX: /dev/kvm usable, a VMX host, nested on.
kvm_with_vmx() {
    [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
    grep -qw vmx /proc/cpuinfo || return 1
    nested=$(cat /sys/module/kvm_intel/parameters/nested 2>/dev/null || echo N)
    [ "$nested" = Y ] || [ "$nested" = 1 ]
}

run_qemu() {
    if kvm_with_vmx; then
        accel="-accel kvm -cpu host"
        what="QEMU with KVM"
    else
        accel="-accel tcg -cpu max"
        what="QEMU TCG (its CPU model has no VMX)"
    fi
    echo "run: $what, 2 CPUs, 512 MiB; serial console here. Quit: Ctrl-A then X."
    # shellcheck disable=SC2086  # $accel is several words
    exec qemu-system-x86_64 $accel -smp 2 -m 512 -no-reboot \
        -serial mon:stdio -display none -cdrom "$iso" -boot d
}

run_bochs() {
    echo "run: Bochs corei7_skylake_x, 2 CPUs, 512 MiB; serial console here. Quit: Ctrl-]."
    exec python3 "$here/serial_bridge.py" --cpus 2 --mem 512 "$iso"
}

case "$mode" in
    best)
        if kvm_with_vmx; then run_qemu; else run_bochs; fi ;;
    qemu)
        run_qemu ;;
    bochs)
        run_bochs ;;
    *)
        usage ;;
esac
