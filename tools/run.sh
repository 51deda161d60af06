#!/bin/sh
# Boots a tessera ISO interactively with COM1 on this terminal.
#   sh tools/run.sh best|qemu|bochs ISO
# best: QEMU with KVM when KVM can give the guest VMX (nested kvm_intel), else Bochs,
# the only emulator here whose CPU has VMX. qemu: QEMU (KVM when usable, else TCG, whose
# CPU has no VMX). bochs: Bochs, corei7_skylake_x. Both run under tools/serial_bridge.py,
# which this script becomes (exec): the bridge gets every signal, kills the emulator's
# process group whatever ends the run, and restores the terminal; no shell stays behind.
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

# The default table (demo) puts a partition on CPUs 0 and 1, 32 MiB each.
CPUS=2
MEM_MIB=512

run_qemu() {
    if kvm_with_vmx; then
        kvm=--kvm
        what="QEMU with KVM"
    else
        kvm=
        what="QEMU TCG (its CPU model has no VMX)"
    fi
    echo "run: $what, $CPUS CPUs, $MEM_MIB MiB; serial console here." \
         "Shell: type help. Quit: Ctrl-A then X."
    # shellcheck disable=SC2086  # $kvm is empty or one word
    exec python3 "$here/serial_bridge.py" qemu $kvm --cpus $CPUS --mem $MEM_MIB "$iso"
}

run_bochs() {
    echo "run: Bochs corei7_skylake_x, $CPUS CPUs, $MEM_MIB MiB; serial console here." \
         "Shell: type help. Quit: Ctrl-]."
    exec python3 "$here/serial_bridge.py" bochs --cpus $CPUS --mem $MEM_MIB "$iso"
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
