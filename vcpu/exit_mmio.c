/* EPT violations (SDM Vol. 3C 28.2.1 table 28-7): inside a device's MMIO range the faulting
 * instruction is fetched through the guest's page tables (vcpu/guest_walk.c), decoded
 * (vcpu/insn_decode.c) and performed on the device, then skipped; anywhere else the guest
 * touched memory it does not have and is stopped. */
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_regs.h"
#include "arch/x86/msr.h"
#include "drivers/console.h"
#include "lib/format.h"
#include "lib/string.h"
#include "vcpu/exit.h"
#include "vcpu/guest_walk.h"
#include "vcpu/insn_decode.h"

static bool read_guest_physical(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    const void *src = vcpu_gpa_to_host(ctx, gpa, len);
    if (!src)
        return false;
    memcpy(buf, src, len);
    return true;
}

struct guest_memory vcpu_guest_memory(struct vcpu *v)
{
    return (struct guest_memory){ read_guest_physical, v };
}

void vcpu_paging_state(struct guest_paging_state *s)
{
    *s = (struct guest_paging_state){
        .cr0 = vcpu_vmread(VMCS_GUEST_CR0),
        .cr3 = vcpu_vmread(VMCS_GUEST_CR3),
        .cr4 = vcpu_vmread(VMCS_GUEST_CR4),
        .efer = vcpu_vmread(VMCS_GUEST_IA32_EFER),
        .maxphyaddr = vcpu_maxphyaddr(),
        .pdptes_loaded = true,
        .pdpte = { vcpu_vmread(VMCS_GUEST_PDPTE0), vcpu_vmread(VMCS_GUEST_PDPTE1),
                   vcpu_vmread(VMCS_GUEST_PDPTE2), vcpu_vmread(VMCS_GUEST_PDPTE3) },
    };
}

static void gprs_load(const struct vcpu *v, uint64_t gpr[INSN_GPR_COUNT])
{
    for (unsigned i = 0; i < INSN_GPR_COUNT; i++)
        gpr[i] = vcpu_read_gpr(v, i);
}

static void gprs_store(struct vcpu *v, const uint64_t old[INSN_GPR_COUNT],
                       const uint64_t gpr[INSN_GPR_COUNT])
{
    for (unsigned i = 0; i < INSN_GPR_COUNT; i++)
        if (gpr[i] != old[i])
            vcpu_write_gpr(v, i, gpr[i]);
}

/* Fetches and decodes the instruction at CS:RIP. False with v's stop reason set. */
static bool fetch_and_decode(struct vcpu *v, struct insn *insn, enum insn_mode *mode)
{
    struct guest_paging_state paging;
    vcpu_paging_state(&paging);
    *mode = vcpu_code_mode();
    uint64_t rip = vcpu_vmread(VMCS_GUEST_RIP);
    uint64_t linear = rip + (*mode == INSN_MODE_64 ? 0 : vcpu_vmread(VMCS_GUEST_CS_BASE));
    if (*mode != INSN_MODE_64)
        linear = (uint32_t)linear;
    unsigned access = GUEST_ACCESS_FETCH | (vcpu_guest_cpl() == 3 ? GUEST_ACCESS_USER : 0);
    const struct guest_memory memory = vcpu_guest_memory(v);
    uint8_t bytes[INSN_MAX_LENGTH];
    size_t copied = 0;
    struct guest_translation where;
    enum guest_walk_result walk = guest_read_linear(&paging, &memory, linear, access, bytes,
                                                    sizeof(bytes), &copied, &where);
    if (walk != GUEST_WALK_OK && copied == 0) {
        vcpu_stop_verdict(v, "MMIO access: its instruction at 0x%llx cannot be fetched: %s",
                          (unsigned long long)linear, guest_walk_result_name(walk));
        return false;
    }
    /* Bytes up to a page the guest cannot read may still hold the whole instruction. */
    enum insn_result r = insn_decode(bytes, copied, *mode, insn);
    if (r != INSN_OK) {
        vcpu_stop_verdict(v, "MMIO access by an instruction not emulated at 0x%llx (%s, "
                             "opcode %02x %02x)", (unsigned long long)rip, insn_result_name(r),
                          insn->opcode[0], insn->opcode[1]);
        return false;
    }
    return true;
}

static enum vcpu_verdict mmio_emulate(struct vcpu *v, const struct range_entry *dev, uint64_t gpa)
{
    struct insn insn;
    enum insn_mode mode;
    if (!fetch_and_decode(v, &insn, &mode))
        return VCPU_STOP;
    if (insn.kind == INSN_KIND_STOS || insn.kind == INSN_KIND_MOVS)
        return vcpu_stop_verdict(v, "MMIO access at 0x%llx by a string instruction (%s): not "
                                    "emulated", (unsigned long long)gpa,
                                 insn.kind == INSN_KIND_STOS ? "STOS" : "MOVS");
    if (gpa + insn.access_size - 1 > dev->last)
        return vcpu_stop_verdict(v, "MMIO access of %u bytes at 0x%llx runs past its device",
                                 insn.access_size, (unsigned long long)gpa);
    const struct vcpu_mmio_ops *ops = dev->ops;
    uint64_t gpr[INSN_GPR_COUNT], old[INSN_GPR_COUNT];
    gprs_load(v, gpr);
    memcpy(old, gpr, sizeof(old));
    uint64_t value = 0;
    if (insn.direction == INSN_DIR_WRITE) {
        insn_store_value(&insn, gpr, &value);
        ops->access(dev->ctx, gpa - dev->first, insn.access_size, true, &value);
    } else {
        ops->access(dev->ctx, gpa - dev->first, insn.access_size, false, &value);
        insn_complete_load(&insn, gpr, value);
        gprs_store(v, old, gpr);
    }
    return vcpu_advance_by(v, insn.length, mode);
}

/* A device page that becomes memory on first use: mapped, and the access (or the event whose
 * delivery touched it, re-injected by the events module) happens again, now without an exit. */
static enum vcpu_verdict mmio_map_backing(struct vcpu *v, uint64_t gpa, uint64_t hpa)
{
    uint64_t page = gpa & ~(uint64_t)(GUEST_PAGE_4K - 1);
    if (!v->owner->map_device_page(v->owner_ctx, page, hpa))
        return vcpu_stop_verdict(v, "device page 0x%llx could not be mapped",
                                 (unsigned long long)page);
    char during[48] = "";
    if (v->events.reinject.valid) {
        const struct event_reinjection *r = &v->events.reinject;
        char event[24];
        event_format(event, sizeof(event), (uint32_t)r->type << 8 | r->vector);
        fmt_snprintf(during, sizeof(during), ", during delivery of %s", event);
    }
    console_printf("partition %s: device page 0x%llx mapped on its first use%s\n", v->name,
                   (unsigned long long)page, during);
    return vcpu_resume(v);
}

enum vcpu_verdict exit_ept_violation(struct vcpu *v)
{
    vcpu_note_event_delivery(v);
    uint64_t gpa = vcpu_vmread(VMCS_EXIT_INFO_GUEST_PHYSICAL_ADDRESS);
    const struct range_entry *dev = range_registry_find(&v->devices.mmio, gpa);
    if (!dev)
        return vcpu_stop_verdict(v, "access outside its memory (EPT violation)");
    const struct vcpu_mmio_ops *ops = dev->ops;
    uint64_t backing = ops->backing_page ? ops->backing_page(dev->ctx, gpa - dev->first) : 0;
    if (backing)
        return mmio_map_backing(v, gpa, backing);
    if (v->events.reinject.valid)
        return vcpu_stop_verdict(v, "its event delivery touched device memory at 0x%llx",
                                 (unsigned long long)gpa);
    return mmio_emulate(v, dev, gpa);
}
