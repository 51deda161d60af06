/* testguest: the shipped test guest's shared declarations. Guest code only: it must not
 * include hypervisor headers, only guest/guest_abi.h, lib/ and the guest library
 * (guest/images/common: port I/O, CPUID, TSC, VMCALL, the COM1 printer). */
#ifndef TESTGUEST_TESTGUEST_H
#define TESTGUEST_TESTGUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/images/common/guest_lib.h"

/* bench.c: times CPUID, VMCALL and trapped OUT round trips, prints and reports them. */
void tg_bench_round_trips(void);

/* mmio.c: every MMIO instruction form against the test device (mmiotest=on). */
void tg_mmio_check(void);
/* mmio.c: an interrupt whose delivery exits (its stack in the test device's window page)
 * still reaches the guest (eventtest=on). */
void tg_event_delivery_check(void);

/* main.c, called from entry.S with the loader's RDI and the RSP it found. */
void testguest_main(const struct tessera_boot_params *params, uint64_t entry_rsp);

#endif
