# tessera: a static-partitioning micro-hypervisor for Intel VT-x.
# One Makefile: per-folder source lists, the hypervisor image, the ISO, host unit tests.

NAME    := tessera
VERSION := 0.1.0
BUILD   := build

CC      := gcc
LD      := ld
OBJCOPY := objcopy
HOSTCC  := gcc

GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
BUILD_DATE := $(shell date -u +%Y-%m-%d)

# ---- source lists, one per folder -------------------------------------------------
BOOT_SRCS    := boot/entry.S boot/main.c boot/multiboot2.c boot/ap_trampoline.S
ARCH_SRCS    := arch/x86/gdt.c arch/x86/idt.c arch/x86/exception_stubs.S \
                arch/x86/exception.c arch/x86/cpu.c arch/x86/percpu.c \
                arch/x86/paging.c arch/x86/lapic.c arch/x86/smp.c
DRIVER_SRCS  := drivers/uart.c drivers/console.c drivers/timer.c drivers/acpi.c drivers/acpi_dump.c
MM_SRCS      := mm/frame.c mm/phys.c mm/lowmem.c
VMX_SRCS     := vmx/caps.c vmx/vmx_controls.c vmx/caps_policy.c vmx/vm_instruction_error.c \
                vmx/vmxon.c
LIB_SRCS     := lib/string.c lib/format.c lib/diag.c lib/cmdline.c
HV_SRCS      := $(BOOT_SRCS) $(ARCH_SRCS) $(DRIVER_SRCS) $(MM_SRCS) $(VMX_SRCS) $(LIB_SRCS)

HV_OBJS := $(patsubst %,$(BUILD)/hv/%.o,$(HV_SRCS))

# ---- hypervisor flags --------------------------------------------------------------
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wvla -Wmissing-prototypes -Wstrict-prototypes
HV_CFLAGS := -std=c11 $(WARNINGS) -O2 -g -I. \
             -ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
             -fno-stack-protector -fno-pic -fno-pie -fno-asynchronous-unwind-tables \
             -mno-red-zone -mgeneral-regs-only -mcmodel=small -m64 \
             -DTESSERA_VERSION='"$(VERSION)"' -DTESSERA_COMMIT='"$(GIT_COMMIT)"' \
             -DTESSERA_BUILD_DATE='"$(BUILD_DATE)"'
HV_ASFLAGS := -I. -m64 -D__ASSEMBLY__
HV_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T linker.ld

ELF := $(BUILD)/$(NAME).elf
ISO := $(BUILD)/$(NAME).iso

.PHONY: all iso deps run run-qemu run-bochs test unit-test emu-test bench clean
all: deps-check $(ELF) $(ISO)
iso: $(ISO)

$(BUILD)/hv/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hv/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(HV_ASFLAGS) -MMD -MP -c $< -o $@

# The commit and date only reach the banner; rebuild main when HEAD moves.
$(BUILD)/hv/boot/main.c.o: $(wildcard .git/HEAD .git/refs/heads/*)

$(ELF): $(HV_OBJS) linker.ld
	@echo "  LD      $@"
	@$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS)
	@grub-file --is-x86-multiboot2 $@ || { echo "error: $@ is not a valid multiboot2 image"; rm -f $@; exit 1; }

$(ISO): $(ELF) iso/grub.cfg iso/mkiso.sh
	sh iso/mkiso.sh $(ELF) iso/grub.cfg $@

# ---- Debian packages the build and the tests need ----------------------------------
deps:
	@sh tools/deps.sh install
deps-check:
	@sh tools/deps.sh check

# ---- host unit tests (cmocka) -------------------------------------------------------
# Each test links only pure sources; UNIT_SRCS_<name> lists them.
UNIT_TESTS += format
UNIT_SRCS_format     := lib/format.c
UNIT_TESTS += cmdline
UNIT_SRCS_cmdline    := lib/cmdline.c
UNIT_TESTS += multiboot2
UNIT_SRCS_multiboot2 := boot/multiboot2.c lib/diag.c lib/format.c
UNIT_TESTS += frame
UNIT_SRCS_frame      := mm/frame.c lib/diag.c lib/format.c
UNIT_TESTS += lowmem
UNIT_SRCS_lowmem     := mm/lowmem.c
UNIT_TESTS += acpi
UNIT_SRCS_acpi       := drivers/acpi.c lib/diag.c lib/format.c
UNIT_TESTS += vmx_caps
UNIT_SRCS_vmx_caps   := vmx/caps.c vmx/vmx_controls.c vmx/caps_policy.c \
                        vmx/vm_instruction_error.c lib/diag.c lib/format.c

HOST_CFLAGS := -std=c11 $(WARNINGS) -Wno-missing-prototypes -O1 -g -I. -DHOST_TEST \
               -fsanitize=address,undefined -fno-omit-frame-pointer -D_DEFAULT_SOURCE
UNIT_BINS := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_TESTS))

.SECONDEXPANSION:
$(BUILD)/unit/test_%: tests/unit/test_%.c $$(UNIT_SRCS_$$*) $$(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) $(HOST_CFLAGS) -o $@ tests/unit/test_$*.c $(UNIT_SRCS_$*) -lcmocka

unit-test: deps-check $(UNIT_BINS)
	@python3 tests/run.py --unit $(UNIT_BINS)

# ---- emulator tests, run, bench ------------------------------------------------------
emu-test: all
	@python3 tests/run.py --emu

test: deps-check $(UNIT_BINS) all
	@python3 tests/run.py --unit $(UNIT_BINS) --emu

run: all
	@sh tools/run.sh best $(ISO)
run-qemu: all
	@sh tools/run.sh qemu $(ISO)
run-bochs: all
	@sh tools/run.sh bochs $(ISO)

bench: all
	@python3 tools/bench.py --elf $(ELF) --iso $(ISO) --out $(BUILD)/bench.txt

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/hv -name '*.d' 2>/dev/null)
