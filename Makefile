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
                arch/x86/paging.c arch/x86/paging_map.c arch/x86/lapic.c arch/x86/smp.c
DRIVER_SRCS  := drivers/wall_clock.c drivers/uart.c drivers/console.c drivers/timer.c drivers/pic.c drivers/acpi.c \
                drivers/acpi_dump.c drivers/acpi_spcr.c drivers/pci.c drivers/pci_serial.c \
                drivers/fb_draw.c drivers/fb_text.c drivers/font8x16.c drivers/screen.c \
                drivers/ps2_keymap.c drivers/keyboard.c drivers/console_setup.c
MM_SRCS      := mm/frame.c mm/phys.c mm/lowmem.c
VMX_SRCS     := vmx/mitigations.c vmx/mitigations_apply.c vmx/caps.c vmx/vmx_controls.c vmx/caps_policy.c vmx/vm_instruction_error.c \
                vmx/vmxon.c vmx/ept.c vmx/vmcs_fields.c vmx/vmcs_dump.c vmx/exit_reasons.c \
                vmx/guest_state_check.c vmx/guest_state_check_segments.c \
                vmx/vmcs_setup.c vmx/exit_stub.S vmx/guest_state_report.c \
                vmx/preemption_timer.c vmx/cr3_write.c
VCPU_SRCS    := vcpu/vcpu.c vcpu/run.c vcpu/dispatch.c vcpu/report.c vcpu/range_registry.c \
                vcpu/entry_state.c vcpu/events.c vcpu/event_delivery.c vcpu/exit_cpuid.c \
                vcpu/cpuid_policy.c vcpu/cpuid_lookup.c vcpu/exit_io.c vcpu/exit_io_string.c \
                vcpu/string_io.c vcpu/exit_msr.c \
                vcpu/exit_cr.c vcpu/exit_events.c vcpu/exit_misc.c vcpu/exit_mmio.c \
                vcpu/insn_decode.c vcpu/guest_walk.c vcpu/xcr0.c vcpu/cr_rules.c vcpu/hypercall.c \
                vcpu/rip_advance.c vcpu/db_reflect.c vcpu/exit_debug.c
LIB_SRCS     := lib/string.c lib/format.c lib/diag.c lib/cmdline.c lib/ratelimit.c lib/interval_stats.c \
                lib/civil_time.c
VLAPIC_SRCS  := guest/vlapic.c guest/vlapic_registers.c guest/vlapic_timer.c guest/vlapic_msr.c
GUEST_SRCS   := guest/partition_tables.c guest/partition_validate.c guest/io_bitmap.c \
                guest/msr_bitmap.c guest/elf_loader.c guest/guest_boot.c guest/loader.c \
                guest/guest_memmap.c guest/acpi_build.c guest/aml_emit.c guest/mp_table.c \
                guest/bzimage_loader.c \
                guest/multiboot_common.c guest/multiboot_loader.c guest/multiboot2_loader.c \
                guest/partition_run.c guest/partition_prepare.c guest/partition_control.c guest/partition_console.c \
                guest/partition_platform.c \
                guest/console_mux.c guest/vuart.c guest/line_queue.c guest/testdev.c \
                guest/port_lanes.c guest/cmos_rtc.c guest/pic8259.c guest/acpi_pm.c \
                guest/reset_control.c \
                $(VLAPIC_SRCS) guest/vioapic.c
SHELL_SRCS   := shell/parse.c shell/line_editor.c shell/format.c shell/screen_text.c \
                shell/commands.c
HV_SRCS      := $(BOOT_SRCS) $(ARCH_SRCS) $(DRIVER_SRCS) $(MM_SRCS) $(VMX_SRCS) $(VCPU_SRCS) \
                $(LIB_SRCS) $(GUEST_SRCS) $(SHELL_SRCS)

HV_OBJS := $(patsubst %,$(BUILD)/hv/%.o,$(HV_SRCS))

# ---- hypervisor flags --------------------------------------------------------------
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wvla -Wmissing-prototypes -Wstrict-prototypes
HV_CFLAGS := -std=c11 $(WARNINGS) -Wconversion -Wsign-conversion -O2 -g -I. \
             -ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
             -fno-stack-protector -fno-pic -fno-pie -fno-asynchronous-unwind-tables \
             -mno-red-zone -mgeneral-regs-only -mcmodel=small -m64 \
             -DTESSERA_VERSION='"$(VERSION)"' -DTESSERA_COMMIT='"$(GIT_COMMIT)"' \
             -DTESSERA_BUILD_DATE='"$(BUILD_DATE)"'
HV_ASFLAGS := -I. -I$(BUILD)/gen -m64 -D__ASSEMBLY__
HV_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T linker.ld

ELF := $(BUILD)/$(NAME).elf
ISO := $(BUILD)/$(NAME).iso
GUEST_IMAGE := $(BUILD)/guest/testguest.elf
# The Linux partition's kernel and initramfs (rules below, under "the Linux partition").
LINUX_DIR    := $(BUILD)/linux
LINUX_KERNEL := $(LINUX_DIR)/vmlinuz
LINUX_INITRD := $(LINUX_DIR)/initrd.img
HOSTILE_IMAGE := $(BUILD)/guest/hostile.elf
PARTITIONS_OK := $(BUILD)/host/partitions.ok

.PHONY: all iso deps run run-qemu run-bochs test unit-test emu-test fuzz fuzz-replay bench clean font usb \
        linux-images
all: deps-check $(ELF) $(GUEST_IMAGE) $(HOSTILE_IMAGE) $(MB_ISO_FILES) $(LINUX_KERNEL) \
     $(LINUX_INITRD) $(ISO)
iso: $(ISO)

$(BUILD)/hv/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hv/%.S.o: %.S | $(BUILD)/gen/asm_offsets.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(HV_ASFLAGS) -MMD -MP -c $< -o $@

# Offsets of C structures that assembly uses, generated from vmx/asm_offsets.c.
$(BUILD)/gen/asm_offsets.h: vmx/asm_offsets.c vmx/vmx_entry.h vmx/vmcs_fields.h vmx/vmcs_fields.def
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@$(CC) $(HV_CFLAGS) -S -o $@.s $<
	@{ echo "/* generated from vmx/asm_offsets.c: do not edit */"; \
	   sed -n 's/.*->\([A-Z_0-9]*\) \$$\{0,1\}\([0-9]*\).*/#define \1 \2/p' $@.s; } > $@
	@rm -f $@.s
$(BUILD)/hv/vmx/exit_stub.S.o: $(BUILD)/gen/asm_offsets.h

# The commit and date only reach the banner; rebuild main when HEAD moves.
$(BUILD)/hv/boot/main.c.o: $(wildcard .git/HEAD .git/refs/heads/*)

$(ELF): $(HV_OBJS) linker.ld $(PARTITIONS_OK)
	@echo "  LD      $@"
	@$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS)
	@grub-file --is-x86-multiboot2 $@ || { echo "error: $@ is not a valid multiboot2 image"; rm -f $@; exit 1; }

# ---- the compiled-in partition tables, checked on the build host -------------------
# The same table and validator sources as the hypervisor, built for the host; the stamp makes
# `make` refuse an image whose tables do not validate.
VALIDATE_PARTITIONS := $(BUILD)/host/validate_partitions
VALIDATE_PARTITIONS_SRCS := tools/validate_partitions.c guest/partition_tables.c \
                            guest/partition_validate.c lib/format.c lib/diag.c

$(VALIDATE_PARTITIONS): $(VALIDATE_PARTITIONS_SRCS) $(wildcard guest/*.h lib/*.h drivers/uart.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) -std=c11 $(WARNINGS) -O1 -g -I. -DHOST_TEST -o $@ $(VALIDATE_PARTITIONS_SRCS)

$(PARTITIONS_OK): $(VALIDATE_PARTITIONS)
	@$(VALIDATE_PARTITIONS)
	@touch $@

# ---- guest images: freestanding ELF executables the ISO carries as modules ---------
# Built with their own flags and linker script; they may use lib/ but no hypervisor code.
TESTGUEST_SRCS := guest/images/testguest/entry.S guest/images/testguest/main.c \
                  guest/images/testguest/bench.c guest/images/testguest/mmio.c \
                  guest/images/testguest/irq.S \
                  guest/images/common/console.c guest/images/common/paging.c \
                  lib/format.c lib/cmdline.c lib/string.c
TESTGUEST_OBJS := $(patsubst %,$(BUILD)/guest/testguest/%.o,$(TESTGUEST_SRCS))
GUEST_CFLAGS := -std=c11 $(WARNINGS) -O2 -g -I. \
                -ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
                -fno-stack-protector -fno-pic -fno-pie -fno-asynchronous-unwind-tables \
                -mno-red-zone -mgeneral-regs-only -mcmodel=small -m64
GUEST_ASFLAGS := -I. -m64 -D__ASSEMBLY__
GUEST_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack

$(BUILD)/guest/testguest/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (testguest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guest/testguest/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (testguest)"
	@$(CC) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

$(GUEST_IMAGE): $(TESTGUEST_OBJS) guest/images/testguest/linker.ld
	@echo "  LD      $@"
	@$(LD) $(GUEST_LDFLAGS) -T guest/images/testguest/linker.ld -o $@ $(TESTGUEST_OBJS)

# The hostile guest (docs/HOSTILE.md): linked at 2 MiB, same flags as the test guest.
HOSTILE_SRCS := guest/images/hostile/entry.S guest/images/hostile/traps.S \
                guest/images/hostile/main.c guest/images/hostile/traps.c \
                guest/images/common/paging.c guest/images/hostile/survivable.c \
                guest/images/hostile/stopping.c guest/images/hostile/cpu_rules.c \
                guest/images/hostile/sweeps.c guest/images/hostile/debug.c \
                guest/images/hostile/leftover.c \
                guest/images/common/console.c \
                lib/format.c lib/cmdline.c lib/string.c
HOSTILE_OBJS := $(patsubst %,$(BUILD)/guest/hostile/%.o,$(HOSTILE_SRCS))

$(BUILD)/guest/hostile/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (hostile)"
	@$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guest/hostile/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (hostile)"
	@$(CC) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

$(HOSTILE_IMAGE): $(HOSTILE_OBJS) guest/images/hostile/linker.ld
	@echo "  LD      $@"
	@$(LD) $(GUEST_LDFLAGS) -T guest/images/hostile/linker.ld -o $@ $(HOSTILE_OBJS)

# Multiboot test kernels (guest/images/multiboot): 32-bit, for the multiboot loaders. The C
# objects are shared; entry.S is built once per variant with its header's flags. mb1kludge is
# also a flat binary that only its header's a.out-kludge addresses can load.
MB32_SRCS := guest/images/multiboot/main.c guest/images/multiboot/mb1.c \
             guest/images/multiboot/mb2.c guest/images/multiboot/vga.c \
             guest/images/multiboot/divide.c guest/images/multiboot/platform.c \
             guest/images/common/console.c boot/multiboot2.c \
             lib/format.c lib/cmdline.c lib/string.c lib/diag.c
MB32_OBJS := $(patsubst %,$(BUILD)/guest/mb32/%.o,$(MB32_SRCS))
MBLONG_OBJS := $(BUILD)/guest/mb32/guest/images/multiboot/long_mode.c.o \
               $(BUILD)/guest/mb32/guest/images/multiboot/long_mode.S.o \
               $(BUILD)/guest/mb32/guest/images/multiboot/real_mode.c.o \
               $(BUILD)/guest/mb32/guest/images/multiboot/real_mode.S.o
MB32_CFLAGS := -std=c11 $(WARNINGS) -O2 -g -I. \
               -ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
               -fno-stack-protector -fno-pic -fno-pie -fno-asynchronous-unwind-tables \
               -mgeneral-regs-only -m32 -march=i686
MB32_ASFLAGS := -I. -m32 -D__ASSEMBLY__
MB32_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -z noexecstack
MB_ENTRY_FLAGS_mb1test   := -DMB_VERSION=1 -DMB_NAME='"mb1"'
MB_ENTRY_FLAGS_mb1kludge := -DMB_VERSION=1 -DMB_AOUT_KLUDGE -DMB_NAME='"mbkludge"'
MB_ENTRY_FLAGS_mb2test   := -DMB_VERSION=2 -DMB_INFO_REQUEST -DMB_NAME='"mb2"'
MB_ENTRY_FLAGS_mblong    := -DMB_VERSION=2 -DMB_NAME='"mblong"'
MB_GRUB_CHECK_mb1test    := --is-x86-multiboot
MB_GRUB_CHECK_mb1kludge  := --is-x86-multiboot
MB_GRUB_CHECK_mb2test    := --is-x86-multiboot2
MB_GRUB_CHECK_mblong     := --is-x86-multiboot2
MB_ELFS := $(patsubst %,$(BUILD)/guest/%.elf,mb1test mb2test mblong mb1kludge)
MB_KLUDGE_BIN := $(BUILD)/guest/mb1kludge.bin
MB_DATA := guest/images/multiboot/mbdata.txt
MB_ISO_FILES := $(BUILD)/guest/mb1test.elf $(BUILD)/guest/mb2test.elf $(BUILD)/guest/mblong.elf \
                $(MB_KLUDGE_BIN) $(MB_DATA)

$(BUILD)/guest/mb32/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (multiboot, 32-bit)"
	@$(CC) $(MB32_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guest/mb32/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (multiboot, 32-bit)"
	@$(CC) $(MB32_ASFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guest/mb32/entry-%.S.o: guest/images/multiboot/entry.S $(MB_DATA)
	@mkdir -p $(dir $@)
	@echo "  AS      $< ($*)"
	@$(CC) $(MB32_ASFLAGS) $(MB_ENTRY_FLAGS_$*) -MMD -MP -c $< -o $@

$(BUILD)/guest/mblong.elf: $(MBLONG_OBJS)
$(MB_ELFS): $(BUILD)/guest/%.elf: $(BUILD)/guest/mb32/entry-%.S.o $(MB32_OBJS) \
                                  guest/images/multiboot/linker.ld
	@echo "  LD      $@"
	@$(LD) $(MB32_LDFLAGS) -T guest/images/multiboot/linker.ld -o $@ $(filter %.o,$^)
	@grub-file $(MB_GRUB_CHECK_$*) $@ || { echo "error: $@ is not a valid multiboot image"; rm -f $@; exit 1; }

$(MB_KLUDGE_BIN): $(BUILD)/guest/mb1kludge.elf
	@echo "  OBJCOPY $@"
	@$(OBJCOPY) -O binary $< $@
	@grub-file --is-x86-multiboot $@ || { echo "error: $@ is not a valid multiboot image"; rm -f $@; exit 1; }

$(ISO): $(ELF) $(GUEST_IMAGE) $(HOSTILE_IMAGE) $(MB_ISO_FILES) $(LINUX_KERNEL) $(LINUX_INITRD) \
        iso/grub.cfg iso/mkiso.sh
	sh iso/mkiso.sh $(ELF) iso/grub.cfg $@ $(GUEST_IMAGE) $(HOSTILE_IMAGE) $(MB_ISO_FILES) \
	    $(LINUX_KERNEL) $(LINUX_INITRD)

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
# What both multiboot loaders link, for their unit tests and fuzz targets.
MULTIBOOT_COMMON_SRCS := guest/multiboot_common.c guest/elf_loader.c guest/guest_memmap.c \
                         vcpu/entry_state.c lib/format.c lib/diag.c
UNIT_TESTS += guest_boot
UNIT_SRCS_guest_boot := guest/guest_boot.c guest/loader.c guest/bzimage_loader.c \
                        guest/multiboot_loader.c guest/multiboot2_loader.c \
                        $(MULTIBOOT_COMMON_SRCS) lib/string.c
UNIT_TESTS += guest_memmap
UNIT_SRCS_guest_memmap := guest/guest_memmap.c
UNIT_TESTS += acpi_build
UNIT_SRCS_acpi_build := guest/acpi_build.c guest/aml_emit.c guest/mp_table.c drivers/acpi.c \
                        lib/diag.c lib/format.c
UNIT_TESTS += mp_table
UNIT_SRCS_mp_table   := guest/mp_table.c guest/acpi_build.c guest/aml_emit.c drivers/acpi.c \
                        lib/diag.c lib/format.c
UNIT_TESTS += wall_clock
UNIT_SRCS_wall_clock := drivers/wall_clock.c lib/civil_time.c
UNIT_TESTS += lowmem
UNIT_SRCS_lowmem     := mm/lowmem.c
UNIT_TESTS += acpi
UNIT_SRCS_acpi       := drivers/acpi.c lib/diag.c lib/format.c
UNIT_TESTS += vmx_caps
UNIT_SRCS_vmx_caps   := vmx/caps.c vmx/vmx_controls.c vmx/caps_policy.c \
                        vmx/vm_instruction_error.c lib/diag.c lib/format.c
UNIT_TESTS += mitigations
UNIT_SRCS_mitigations := vmx/mitigations.c lib/format.c
UNIT_TESTS += preemption_timer
UNIT_SRCS_preemption_timer := vmx/preemption_timer.c
UNIT_TESTS += cr3_write
UNIT_SRCS_cr3_write := vmx/cr3_write.c
UNIT_TESTS += vmx_caps_nested
UNIT_SRCS_vmx_caps_nested := $(UNIT_SRCS_vmx_caps) vmx/preemption_timer.c
UNIT_TESTS += partition
UNIT_SRCS_partition  := guest/partition_tables.c guest/partition_validate.c lib/diag.c lib/format.c
UNIT_TESTS += bitmaps
UNIT_SRCS_bitmaps    := guest/io_bitmap.c guest/msr_bitmap.c
UNIT_TESTS += ept
UNIT_SRCS_ept        := vmx/ept.c lib/format.c lib/diag.c
UNIT_TESTS += elf_loader
UNIT_SRCS_elf_loader := guest/elf_loader.c lib/format.c lib/diag.c
UNIT_TESTS += bzimage_loader
UNIT_SRCS_bzimage_loader := guest/bzimage_loader.c guest/guest_boot.c guest/loader.c \
                            guest/multiboot_loader.c guest/multiboot2_loader.c \
                            $(MULTIBOOT_COMMON_SRCS)
UNIT_TESTS += multiboot_loader
UNIT_SRCS_multiboot_loader := guest/multiboot_loader.c $(MULTIBOOT_COMMON_SRCS)
UNIT_TESTS += multiboot2_loader
UNIT_SRCS_multiboot2_loader := guest/multiboot2_loader.c $(MULTIBOOT_COMMON_SRCS)
UNIT_TESTS += vmcs
UNIT_SRCS_vmcs       := vmx/vmcs_fields.c vmx/vmcs_dump.c vmx/exit_reasons.c vmx/vmx_controls.c \
                        vmx/vm_instruction_error.c lib/format.c lib/diag.c
UNIT_TESTS += guest_state_check
UNIT_SRCS_guest_state_check := vmx/guest_state_check.c vmx/guest_state_check_segments.c \
                               lib/format.c lib/diag.c
UNIT_TESTS += vcpu_exits
UNIT_SRCS_vcpu_exits := tests/unit/vcpu_fakes.c vcpu/dispatch.c vcpu/vcpu.c vcpu/range_registry.c \
                        vcpu/events.c vcpu/event_delivery.c vmx/exit_reasons.c vmx/cr3_write.c lib/diag.c \
                        vcpu/exit_cpuid.c vcpu/cpuid_policy.c vcpu/cpuid_lookup.c \
                        vcpu/exit_cr.c vcpu/exit_msr.c vcpu/exit_io.c \
                        vcpu/exit_io_string.c vcpu/string_io.c \
                        vcpu/exit_events.c vcpu/exit_misc.c vcpu/exit_mmio.c vcpu/insn_decode.c \
                        vcpu/guest_walk.c vcpu/xcr0.c vcpu/cr_rules.c vcpu/hypercall.c guest/testdev.c \
                        vcpu/rip_advance.c vcpu/db_reflect.c vcpu/exit_debug.c \
                        lib/ratelimit.c lib/format.c
UNIT_TESTS += rip_advance
UNIT_SRCS_rip_advance := vcpu/rip_advance.c vcpu/db_reflect.c
UNIT_TESTS += string_io
UNIT_TESTS += vcpu_string_io
UNIT_SRCS_vcpu_string_io := $(UNIT_SRCS_vcpu_exits)
UNIT_SRCS_string_io := vcpu/string_io.c
UNIT_TESTS += vcpu_delivery
UNIT_SRCS_vcpu_delivery := $(UNIT_SRCS_vcpu_exits)
UNIT_TESTS += vcpu_instructions
UNIT_SRCS_vcpu_instructions := $(UNIT_SRCS_vcpu_exits)
UNIT_TESTS += vcpu_debug
UNIT_SRCS_vcpu_debug := $(UNIT_SRCS_vcpu_exits)
UNIT_TESTS += cpuid_policy
UNIT_SRCS_cpuid_policy := vcpu/cpuid_policy.c vcpu/cpuid_lookup.c
UNIT_TESTS += vcpu_state
UNIT_SRCS_vcpu_state := vcpu/entry_state.c vcpu/range_registry.c vcpu/xcr0.c vcpu/cr_rules.c vmx/guest_state_check.c \
                        vmx/guest_state_check_segments.c lib/format.c lib/diag.c
UNIT_TESTS += vuart
UNIT_SRCS_vuart      := guest/vuart.c
UNIT_TESTS += cmos_rtc
UNIT_SRCS_cmos_rtc   := guest/cmos_rtc.c guest/port_lanes.c lib/civil_time.c lib/diag.c lib/format.c
UNIT_TESTS += pc_legacy
UNIT_SRCS_pc_legacy  := guest/pic8259.c guest/acpi_pm.c guest/reset_control.c guest/port_lanes.c \
                        lib/diag.c lib/format.c
UNIT_TESTS += vlapic
UNIT_SRCS_vlapic     := $(VLAPIC_SRCS) vcpu/events.c lib/diag.c lib/format.c
UNIT_TESTS += vlapic_timer
UNIT_SRCS_vlapic_timer := $(VLAPIC_SRCS) lib/diag.c lib/format.c
UNIT_TESTS += vioapic
UNIT_SRCS_vioapic    := guest/vioapic.c $(VLAPIC_SRCS) lib/diag.c lib/format.c
UNIT_TESTS += line_queue
UNIT_SRCS_line_queue := guest/line_queue.c
UNIT_LDLIBS_line_queue := -lpthread
UNIT_TESTS += ratelimit
UNIT_SRCS_ratelimit  := lib/ratelimit.c
UNIT_TESTS += interval_stats
UNIT_SRCS_interval_stats := lib/interval_stats.c
UNIT_TESTS += shell_parse
UNIT_SRCS_shell_parse  := shell/parse.c lib/format.c lib/cmdline.c
UNIT_TESTS += line_editor
UNIT_SRCS_line_editor  := shell/line_editor.c shell/parse.c lib/format.c lib/cmdline.c
UNIT_TESTS += shell_format
UNIT_SRCS_shell_format := shell/format.c shell/parse.c lib/format.c lib/cmdline.c
UNIT_TESTS += screen_text
UNIT_SRCS_screen_text := shell/screen_text.c lib/format.c
UNIT_TESTS += mb_divide
UNIT_SRCS_mb_divide  := guest/images/multiboot/divide.c
UNIT_TESTS += insn_decode
UNIT_SRCS_insn_decode  := vcpu/insn_decode.c
UNIT_TESTS += guest_walk
UNIT_SRCS_guest_walk   := vcpu/guest_walk.c
UNIT_TESTS += events
UNIT_SRCS_events       := vcpu/events.c lib/diag.c lib/format.c
UNIT_TESTS += event_faults
UNIT_SRCS_event_faults := vcpu/events.c lib/diag.c lib/format.c
UNIT_TESTS += acpi_spcr
UNIT_SRCS_acpi_spcr  := drivers/acpi_spcr.c lib/diag.c lib/format.c
UNIT_TESTS += pci_serial
UNIT_SRCS_pci_serial := drivers/pci_serial.c lib/diag.c lib/format.c
UNIT_TESTS += ps2_keymap
UNIT_SRCS_ps2_keymap := drivers/ps2_keymap.c
UNIT_TESTS += paging_map
UNIT_SRCS_paging_map := arch/x86/paging_map.c
UNIT_TESTS += fb_text
UNIT_SRCS_fb_text    := drivers/fb_text.c
UNIT_TESTS += fb_draw
UNIT_SRCS_fb_draw    := drivers/fb_draw.c drivers/font8x16.c lib/diag.c lib/format.c

HOST_CFLAGS := -std=c11 $(WARNINGS) -Wno-missing-prototypes -O1 -g -I. -DHOST_TEST \
               -fsanitize=address,undefined -fno-omit-frame-pointer -D_DEFAULT_SOURCE
UNIT_BINS := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_TESTS))

.SECONDEXPANSION:
$(BUILD)/unit/test_%: tests/unit/test_%.c $$(UNIT_SRCS_$$*) $$(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) $(HOST_CFLAGS) -o $@ tests/unit/test_$*.c $(UNIT_SRCS_$*) -lcmocka $(UNIT_LDLIBS_$*)

unit-test: deps-check $(UNIT_BINS)
	@python3 tools/mkfont.py --check
	@sh tests/tools/test_usb.sh
	@python3 tests/run.py --unit $(UNIT_BINS)

# The console font is drawn in tools/font8x16.txt; drivers/font8x16.c is generated from it
# and committed, so building needs no Python. Run after editing the sheet.
font:
	@python3 tools/mkfont.py

# ---- the Linux partition's kernel and initramfs ---------------------------------------
# The kernel is Debian's current linux-image-amd64, fetched with apt-get download and cached
# under build/linux (never committed); the initramfs is busybox-static with an init that
# prints a marker and keeps a shell on ttyS0.

$(LINUX_KERNEL): tools/fetch_linux.sh
	@sh tools/fetch_linux.sh $(LINUX_DIR)

$(LINUX_INITRD): tools/mkinitramfs.py
	@mkdir -p $(dir $@)
	@echo "  CPIO    $@"
	@python3 tools/mkinitramfs.py /bin/busybox $@

linux-images: deps-check $(LINUX_KERNEL) $(LINUX_INITRD)

# ---- fuzzing (libFuzzer, clang): docs/FUZZING.md -------------------------------------
# Each target tests/fuzz/fuzz_<name>.c links only pure sources, like a unit test; its seed
# and regression inputs live in tests/fuzz/corpus/<name>/. `make fuzz` fuzzes each target for
# FUZZ_SECONDS; `make test` replays every corpus once.
FUZZ_TARGETS += multiboot2
FUZZ_SRCS_multiboot2 := boot/multiboot2.c lib/diag.c lib/format.c
FUZZ_TARGETS += acpi
FUZZ_SRCS_acpi       := drivers/acpi.c lib/diag.c lib/format.c
FUZZ_TARGETS += elf
FUZZ_SRCS_elf        := guest/elf_loader.c lib/diag.c lib/format.c
FUZZ_TARGETS += bzimage
FUZZ_SRCS_bzimage    := guest/bzimage_loader.c guest/guest_boot.c guest/guest_memmap.c \
                        vcpu/entry_state.c lib/diag.c lib/format.c
FUZZ_TARGETS += multiboot_loader
FUZZ_SRCS_multiboot_loader := guest/multiboot_loader.c $(MULTIBOOT_COMMON_SRCS)
FUZZ_TARGETS += multiboot2_loader
FUZZ_SRCS_multiboot2_loader := guest/multiboot2_loader.c $(MULTIBOOT_COMMON_SRCS)
FUZZ_TARGETS += cmdline
FUZZ_SRCS_cmdline    := lib/cmdline.c
FUZZ_TARGETS += partition
FUZZ_SRCS_partition  := guest/partition_tables.c guest/partition_validate.c lib/diag.c lib/format.c
FUZZ_TARGETS += shell_parse
FUZZ_SRCS_shell_parse := shell/parse.c lib/format.c lib/cmdline.c
FUZZ_TARGETS += line_editor
FUZZ_SRCS_line_editor := shell/line_editor.c shell/parse.c lib/format.c lib/cmdline.c
FUZZ_TARGETS += screen_text
FUZZ_SRCS_screen_text := shell/screen_text.c lib/format.c
FUZZ_TARGETS += vuart
FUZZ_SRCS_vuart      := guest/vuart.c
FUZZ_TARGETS += cmos_rtc
FUZZ_SRCS_cmos_rtc   := $(UNIT_SRCS_cmos_rtc)
FUZZ_TARGETS += pc_legacy
FUZZ_SRCS_pc_legacy  := $(UNIT_SRCS_pc_legacy)
FUZZ_TARGETS += vlapic
FUZZ_SRCS_vlapic     := $(VLAPIC_SRCS) lib/diag.c lib/format.c
FUZZ_TARGETS += vioapic
FUZZ_SRCS_vioapic    := guest/vioapic.c lib/diag.c lib/format.c
FUZZ_TARGETS += line_queue
FUZZ_SRCS_line_queue := guest/line_queue.c
FUZZ_TARGETS += insn_decode
FUZZ_SRCS_insn_decode := vcpu/insn_decode.c
FUZZ_TARGETS += cpuid
FUZZ_SRCS_cpuid      := vcpu/cpuid_policy.c vcpu/cpuid_lookup.c vcpu/xcr0.c

FUZZ_CC      := clang
FUZZ_CFLAGS  := -std=c11 $(WARNINGS) -Wno-missing-prototypes -O1 -g -I. -DHOST_TEST \
                -D_DEFAULT_SOURCE -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -fno-omit-frame-pointer \
                -fsanitize-coverage-ignorelist=tests/fuzz/harness.ignorelist
FUZZ_BINS    := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_SECONDS ?= 60

# One clang command per binary, so headers are tracked by folder: those beside its sources.
FUZZ_HEADERS = $(wildcard tests/fuzz/*.h lib/*.h $(addsuffix *.h,$(sort $(dir $(FUZZ_SRCS_$*)))))

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) $$(FUZZ_HEADERS) tests/fuzz/harness.ignorelist
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_$*.c $(FUZZ_SRCS_$*)

fuzz: deps-check $(FUZZ_BINS)
	@python3 tests/fuzz/fuzz.py --seconds $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-replay: deps-check $(FUZZ_BINS)
	@python3 tests/run.py --fuzz $(FUZZ_BINS)

# ---- emulator tests, run, bench ------------------------------------------------------
emu-test: all
	@python3 tests/run.py --emu

test: deps-check $(UNIT_BINS) $(FUZZ_BINS) all
	@python3 tests/run.py --unit $(UNIT_BINS) --fuzz $(FUZZ_BINS) --emu

# Writes the ISO to a USB stick after checks and a question (docs/REAL_HARDWARE.md).
usb: all
	@sh tools/usb.sh $(ISO) "$(DEV)"

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

-include $(shell find $(BUILD)/hv $(BUILD)/guest -name '*.d' 2>/dev/null)
