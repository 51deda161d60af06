/* testguest's MMIO check: every instruction form tessera's decoder emulates (MOV with register
 * and immediate sources, high-byte and REX registers, ModRM, SIB, disp8/disp32, RIP-relative,
 * moffs; MOVZX, MOVSX, MOVSXD; SDM Vol. 2) run against the test device's scratch register
 * (guest/testdev.h) at tg_testdev (linker.ld), each result read back and compared. The device
 * counts its accesses, so an access that reached RAM instead of the device is caught too. */
#include "guest/images/testguest/testguest.h"

#define SCRATCH     0x000u
#define ACCESSES    0x100u
#define PRESET      0x8877665544332211ull
#define FILL_A      0xAAAAAAAAAAAAAAAAull
#define FILL_B      0xBBBBBBBBBBBBBBBBull

extern volatile uint8_t tg_testdev[];   /* linker.ld: the test device's guest-physical page */

static uint64_t expected_accesses;
static unsigned forms, failures;

static uint64_t scratch_read(void)
{
    expected_accesses++;
    return *(volatile uint64_t *)(tg_testdev + SCRATCH);
}

static void scratch_preset(void)
{
    expected_accesses++;
    *(volatile uint64_t *)(tg_testdev + SCRATCH) = PRESET;
}

static void check(const char *form, uint64_t got, uint64_t want)
{
    forms++;
    if (got != want) {
        failures++;
        guest_print("mmio: FAIL %s: 0x%llx, expected 0x%llx", form, (unsigned long long)got,
                    (unsigned long long)want);
    }
}

/* A store form: preset, the asm statement (one device access), then read back. */
#define STORE_FORM(name, want, ...)                     \
    do {                                                \
        scratch_preset();                               \
        expected_accesses++;                            \
        __asm__ volatile(__VA_ARGS__);                  \
        check(name, scratch_read(), (want));            \
    } while (0)

/* A load form: preset, then the asm statement (one device access) leaves its result in r. */
#define LOAD_FORM(name, r, want, ...)                   \
    do {                                                \
        scratch_preset();                               \
        expected_accesses++;                            \
        __asm__ volatile(__VA_ARGS__);                  \
        check(name, (r), (want));                       \
    } while (0)

static void store_forms(volatile uint8_t *d)
{
    STORE_FORM("88 al", 0x88776655443322AAull, "movb %%al, (%0)" : : "r"(d), "a"(0xAAu) : "memory");
    STORE_FORM("66 89 ax", 0x887766554433BEEFull,
               "movw %%ax, (%0)" : : "r"(d), "a"(0xBEEFu) : "memory");
    STORE_FORM("89 eax", 0x8877665512345678ull,
               "movl %%eax, (%0)" : : "r"(d), "a"(0x12345678u) : "memory");
    STORE_FORM("REX.W 89 rax", 0x0102030405060708ull,
               "movq %%rax, (%0)" : : "r"(d), "a"(0x0102030405060708ull) : "memory");
    STORE_FORM("REX.R 89 r9", 0xCAFEF00DDEADBEEFull,
               "mov %1, %%r9\n\tmovq %%r9, (%0)" : : "r"(d), "r"(0xCAFEF00DDEADBEEFull)
               : "r9", "memory");
    STORE_FORM("88 ah disp8", 0x887766554433AB11ull,
               "movb %%ah, 1(%0)" : : "r"(d), "a"(0xAB00u) : "memory");
    STORE_FORM("REX 88 sil", 0x8877665544332277ull,
               "movb %%sil, (%0)" : : "r"(d), "S"(0x77u) : "memory");
    STORE_FORM("C6 imm8 disp8", 0x88776655445A2211ull, "movb $0x5a, 2(%0)" : : "r"(d) : "memory");
    STORE_FORM("C7 imm32", 0x8877665512345678ull, "movl $0x12345678, (%0)" : : "r"(d) : "memory");
    STORE_FORM("REX.W C7 imm32 sign-extended", 0xFFFFFFFFFFFFFFFEull,
               "movq $-2, (%0)" : : "r"(d) : "memory");
    STORE_FORM("66 C7 imm16 disp8", 0x8877BEEF44332211ull,
               "movw $0xbeef, 4(%0)" : : "r"(d) : "memory");
    STORE_FORM("89 SIB base+index*4", 0x887766550BADF00Dull,
               "movl %%eax, (%0,%1,4)" : : "r"((uintptr_t)d - 16), "r"(4ull), "a"(0x0BADF00Du) : "memory");
    STORE_FORM("89 SIB disp32", 0x88776655FEEDFACEull,
               "movl %%eax, 0x1000(%0)" : : "r"((uintptr_t)d - 0x1000), "a"(0xFEEDFACEu) : "memory");
    STORE_FORM("89 SIB no base disp32", 0x8877665501020304ull,
               "movl %%eax, tg_testdev" : : "a"(0x01020304u) : "memory");
    STORE_FORM("89 RIP-relative", 0x8877665505060708ull,
               "movl %%eax, tg_testdev(%%rip)" : : "a"(0x05060708u) : "memory");
    STORE_FORM("REX.W A3 moffs64", 0x1122334455667788ull,
               ".byte 0x48, 0xA3\n\t.quad tg_testdev" : : "a"(0x1122334455667788ull) : "memory");
}

static void load_forms(volatile uint8_t *d)
{
    uint64_t r;
    LOAD_FORM("8A al merges", r, 0xAAAAAAAAAAAAAA11ull, "movb (%1), %%al" : "=a"(r) : "r"(d), "0"(FILL_A) : "memory");
    LOAD_FORM("66 8B ax merges", r, 0xAAAAAAAAAAAA2211ull,
              "movw (%1), %%ax" : "=a"(r) : "r"(d), "0"(FILL_A) : "memory");
    LOAD_FORM("8B eax zero-extends", r, 0x44332211ull,
              "movl (%1), %%eax" : "=a"(r) : "r"(d), "0"(FILL_A) : "memory");
    LOAD_FORM("REX.WR 8B r10", r, PRESET,
              "movq (%1), %%r10\n\tmov %%r10, %0" : "=r"(r) : "r"(d) : "r10", "memory");
    LOAD_FORM("8A bh disp8", r, 0xBBBBBBBBBBBB22BBull,
              "movb 1(%1), %%bh" : "=b"(r) : "r"(d), "0"(FILL_B) : "memory");
    LOAD_FORM("0F B6 movzbl", r, 0x88ull, "movzbl 7(%1), %k0" : "=r"(r) : "r"(d), "0"(FILL_A) : "memory");
    LOAD_FORM("0F B7 movzwl", r, 0x8877ull, "movzwl 6(%1), %k0" : "=r"(r) : "r"(d), "0"(FILL_A) : "memory");
    LOAD_FORM("REX.W 0F B6 movzbq", r, 0x88ull, "movzbq 7(%1), %0" : "=r"(r) : "r"(d) : "memory");
    LOAD_FORM("REX.W 0F BE movsbq", r, 0xFFFFFFFFFFFFFF88ull,
              "movsbq 7(%1), %0" : "=r"(r) : "r"(d) : "memory");
    LOAD_FORM("REX.W 0F BF movswq", r, 0xFFFFFFFFFFFF8877ull,
              "movswq 6(%1), %0" : "=r"(r) : "r"(d) : "memory");
    LOAD_FORM("0F BE movsbl zero-extends", r, 0xFFFFFF88ull,
              "movsbl 7(%1), %k0" : "=r"(r) : "r"(d), "0"(FILL_A) : "memory");
    LOAD_FORM("REX.W 63 movslq", r, 0xFFFFFFFF88776655ull,
              "movslq 4(%1), %0" : "=r"(r) : "r"(d) : "memory");
    LOAD_FORM("8B RIP-relative", r, 0x44332211ull,
              "movl tg_testdev(%%rip), %k0" : "=r"(r) : "0"(FILL_A) : "memory");
    LOAD_FORM("A0 moffs64 al", r, 0xAAAAAAAAAAAAAA11ull,
              ".byte 0xA0\n\t.quad tg_testdev" : "=a"(r) : "0"(FILL_A) : "memory");
}

static bool map_testdev(void)
{
    static bool mapped;
    uint64_t gpa = (uint64_t)(uintptr_t)tg_testdev;
    if (!mapped && !paging_map_2m(gpa, gpa, true)) {
        guest_print("mmio: FAIL cannot map the test device at 0x%llx", (unsigned long long)gpa);
        return false;
    }
    mapped = true;
    return true;
}

void tg_mmio_check(void)
{
    volatile uint8_t *d = tg_testdev;
    if (!map_testdev())
        return;
    store_forms(d);
    load_forms(d);
    uint64_t counted = *(volatile uint64_t *)(d + ACCESSES);
    if (counted != expected_accesses) {
        failures++;
        guest_print("mmio: FAIL the device counted %llu accesses, expected %llu",
                    (unsigned long long)counted, (unsigned long long)expected_accesses);
    }
    if (!failures)
        guest_print("mmio: %u forms ok, %llu device accesses", forms,
                    (unsigned long long)counted);
}

/* ---- an exit during event delivery ------------------------------------------------------- */

#define IRQ_VECTOR      0x40u
#define WINDOW          0x1000u     /* the test device's window page (guest/testdev.h) */
#define IRQ_SPINS       20000000ull
#define GATE_INTERRUPT  0x8Eu       /* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
    uint16_t offset_low, selector;
    uint8_t ist, type;
    uint16_t offset_mid;
    uint32_t offset_high, reserved;
};

static struct idt_gate idt[IRQ_VECTOR + 1] __attribute__((aligned(16)));

void tg_irq_handler(void);
bool tg_irq_on_stack(uint64_t stack_top, uint32_t vector, uint64_t spins);

/* The interrupt's own delivery is the first touch of the window page: its push of the
 * interrupt frame exits (an EPT violation during event delivery), tessera maps the page and
 * must deliver the interrupt again, or it is lost and the handler never runs. */
void tg_event_delivery_check(void)
{
    if (!map_testdev())
        return;
    uint64_t handler = (uint64_t)(uintptr_t)tg_irq_handler;
    idt[IRQ_VECTOR] = (struct idt_gate){ (uint16_t)handler, TESSERA_GUEST_SEL_CODE, 0,
                                         GATE_INTERRUPT, (uint16_t)(handler >> 16),
                                         (uint32_t)(handler >> 32), 0 };
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = {
        sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
    uint64_t stack_top = (uint64_t)(uintptr_t)tg_testdev + WINDOW + 0x1000 - 64;
    if (tg_irq_on_stack(stack_top, IRQ_VECTOR, IRQ_SPINS))
        guest_print("event: irq 0x%x delivered on a stack in the device window", IRQ_VECTOR);
    else
        guest_print("event: FAIL irq 0x%x lost (its delivery exited and it never came)",
                    IRQ_VECTOR);
}
