/* libFuzzer target for guest/vuart.c (PC16550D data sheet, section 8): the input is a
 * sequence of guest register accesses and bytes arriving from the console, applied as the
 * I/O-exit handler and the console input path apply them, and compared step by step with a
 * small model of the data sheet's registers (receiver FIFO, LSR, IIR priorities, DLAB).
 *
 * Each operation is one byte, kind in bits 7:5:
 *   0 read register (bits 2:0)         1 write register (bits 2:0), value: next byte
 *   2 receive the next byte            3 wide access as vmx/exit_io.c does: next byte
 *                                        bits 1:0 size 1/2/4/1, bit 2 IN; value: next u32
 *   4 check the queries (rx room, IRQ)  5 read offset 8 + bits 2:0 (past the registers)
 *   6 write offset 8 + bits 2:0         7 reset (vuart_init, as a partition restart) */
#include "tests/fuzz/fuzz_common.h"

#include "guest/vuart.h"

/* What the guest should see, kept from the accesses alone. */
struct model {
    uint8_t rx[VUART_FIFO_SIZE];
    unsigned rx_count;
    uint8_t rbr;
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    bool fifo_on;
    uint8_t trigger;            /* FCR bits 7:6 */
    bool overrun;
    bool thre;
    int expect_tx;              /* the byte tx must receive next, -1: none */
};

static void model_reset(struct model *m)
{
    *m = (struct model){ .dll = 1, .expect_tx = -1 };
}

static bool loop_on(const struct model *m)
{
    return (m->mcr & VUART_MCR_LOOP) != 0;
}

static bool dlab_on(const struct model *m)
{
    return (m->lcr & VUART_LCR_DLAB) != 0;
}

static unsigned capacity(const struct model *m)
{
    return m->fifo_on ? VUART_FIFO_SIZE : 1;
}

static bool model_push(struct model *m, uint8_t byte)
{
    if (m->rx_count >= capacity(m)) {
        m->overrun = true;
        return false;
    }
    m->rx[m->rx_count++] = byte;
    return true;
}

/* The interrupt the data sheet's table V says is pending, -1 for "modem status or none"
 * (the model does not follow the modem deltas). */
static int model_interrupt(const struct model *m)
{
    static const uint8_t trigger_bytes[4] = { 1, 4, 8, 14 };

    if ((m->ier & VUART_IER_ELSI) && m->overrun)
        return VUART_IIR_RLS;
    if ((m->ier & VUART_IER_ERBFI) && m->rx_count > 0)
        return m->fifo_on && m->rx_count < trigger_bytes[m->trigger] ? VUART_IIR_CTI
                                                                      : VUART_IIR_RDA;
    if ((m->ier & VUART_IER_ETBEI) && m->thre)
        return VUART_IIR_THRE;
    return -1;
}

static void check_interrupt_id(const struct model *m, uint8_t id)
{
    int want = model_interrupt(m);

    if (want >= 0)
        FUZZ_CHECK(id == want);
    else
        FUZZ_CHECK(id == VUART_IIR_NO_INT || (id == VUART_IIR_MSI && (m->ier & VUART_IER_EDSSI)));
}

static void tx(void *ctx, uint8_t byte)
{
    struct model *m = ctx;

    FUZZ_CHECK(m->expect_tx == byte);   /* once per THR write, outside loopback */
    m->expect_tx = -1;
}

static uint8_t do_read(struct vuart *u, struct model *m, unsigned reg)
{
    uint8_t v = vuart_read(u, reg);
    uint8_t modem_in = 0;

    switch (reg) {
    case VUART_REG_RBR:
        if (dlab_on(m)) {
            FUZZ_CHECK(v == m->dll);
        } else if (m->rx_count) {
            FUZZ_CHECK(v == m->rx[0]);
            m->rbr = m->rx[0];
            memmove(m->rx, m->rx + 1, --m->rx_count);
        } else {
            FUZZ_CHECK(v == m->rbr);
        }
        break;
    case VUART_REG_IER:
        FUZZ_CHECK(v == (dlab_on(m) ? m->dlm : m->ier));
        break;
    case VUART_REG_IIR:
        FUZZ_CHECK((v & 0x30) == 0);
        FUZZ_CHECK((v & 0xC0) == (m->fifo_on ? VUART_IIR_FIFO_ENABLED : 0));
        check_interrupt_id(m, v & VUART_IIR_ID_MASK);
        if ((v & VUART_IIR_ID_MASK) == VUART_IIR_THRE)
            m->thre = false;
        break;
    case VUART_REG_LCR:
        FUZZ_CHECK(v == m->lcr);
        break;
    case VUART_REG_MCR:
        FUZZ_CHECK(v == m->mcr);
        break;
    case VUART_REG_LSR:
        FUZZ_CHECK(v == (VUART_LSR_THRE | VUART_LSR_TEMT | (m->overrun ? VUART_LSR_OE : 0) |
                         (m->rx_count ? VUART_LSR_DR : 0)));
        m->overrun = false;
        break;
    case VUART_REG_MSR:
        if (!loop_on(m))
            modem_in = VUART_MSR_IDLE_INPUTS;
        else
            modem_in = (uint8_t)((m->mcr & VUART_MCR_RTS ? VUART_MSR_CTS : 0) |
                                 (m->mcr & VUART_MCR_DTR ? VUART_MSR_DSR : 0) |
                                 (m->mcr & VUART_MCR_OUT1 ? VUART_MSR_RI : 0) |
                                 (m->mcr & VUART_MCR_OUT2 ? VUART_MSR_DCD : 0));
        FUZZ_CHECK((v & VUART_MSR_STATUS_MASK) == modem_in);
        FUZZ_CHECK((vuart_read(u, VUART_REG_MSR) & VUART_MSR_DELTA_MASK) == 0);
        break;
    case VUART_REG_SCR:
        FUZZ_CHECK(v == m->scr);
        break;
    default:
        FUZZ_CHECK(v == 0xFF);
    }
    return v;
}

static void do_write(struct vuart *u, struct model *m, unsigned reg, uint8_t v)
{
    switch (reg) {
    case VUART_REG_THR:
        if (dlab_on(m)) {
            m->dll = v;
        } else {
            if (loop_on(m))
                model_push(m, v);
            else
                m->expect_tx = v;
            m->thre = true;
        }
        break;
    case VUART_REG_IER:
        if (dlab_on(m)) {
            m->dlm = v;
        } else {
            if ((v & VUART_IER_ETBEI) && !(m->ier & VUART_IER_ETBEI))
                m->thre = true;
            m->ier = v & VUART_IER_MASK;
        }
        break;
    case VUART_REG_FCR:
        if ((v & VUART_FCR_ENABLE) != m->fifo_on || (v & VUART_FCR_ENABLE && v & VUART_FCR_CLEAR_RX))
            m->rx_count = 0;
        m->fifo_on = v & VUART_FCR_ENABLE;
        m->trigger = m->fifo_on ? v >> 6 : 0;
        break;
    case VUART_REG_LCR:
        m->lcr = v;
        break;
    case VUART_REG_MCR:
        m->mcr = v & VUART_MCR_MASK;
        break;
    case VUART_REG_SCR:
        m->scr = v;
        break;
    default:
        break;
    }
    vuart_write(u, reg, v);
    FUZZ_CHECK(m->expect_tx == -1);     /* tx ran when it should have */
}

static void check_queries(const struct vuart *u, const struct model *m)
{
    uint8_t id = vuart_interrupt_id(u);

    check_interrupt_id(m, id);
    FUZZ_CHECK(vuart_rx_room(u) == (loop_on(m) ? 0 : capacity(m) - m->rx_count));
    FUZZ_CHECK(vuart_irq_pending(u) ==
               (id != VUART_IIR_NO_INT && (m->mcr & VUART_MCR_OUT2) && !loop_on(m)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = fuzz_input(data, size);
    struct vuart u;
    struct model m;

    model_reset(&m);
    vuart_init(&u, tx, &m);
    while (fuzz_left(&in) > 0) {
        uint8_t op = fuzz_u8(&in);
        unsigned reg = op & 7;

        switch (op >> 5) {
        case 0:
            do_read(&u, &m, reg);
            break;
        case 1:
            do_write(&u, &m, reg, fuzz_u8(&in));
            break;
        case 2: {
            uint8_t byte = fuzz_u8(&in);
            bool want = !loop_on(&m) && model_push(&m, byte);
            FUZZ_CHECK(vuart_receive(&u, byte) == want);
            break;
        }
        case 3: {
            uint8_t how = fuzz_u8(&in);
            unsigned width = (how & 3) == 2 ? 4 : (how & 3) == 1 ? 2 : 1;
            uint32_t value = fuzz_u32(&in);
            for (unsigned i = 0; i < width && reg + i < VUART_REG_COUNT; i++) {
                if (how & 4)
                    do_read(&u, &m, reg + i);
                else
                    do_write(&u, &m, reg + i, (uint8_t)(value >> (8 * i)));
            }
            break;
        }
        case 4:
            check_queries(&u, &m);
            break;
        case 5:
            FUZZ_CHECK(vuart_read(&u, VUART_REG_COUNT + reg) == 0xFF);
            break;
        case 6: {
            struct vuart before;
            memcpy(&before, &u, sizeof(u));
            vuart_write(&u, VUART_REG_COUNT + reg, fuzz_u8(&in));
            FUZZ_CHECK(memcmp(&before, &u, sizeof(u)) == 0);
            break;
        }
        default:
            model_reset(&m);
            vuart_init(&u, tx, &m);
            break;
        }
        FUZZ_CHECK(u.rx_count <= VUART_FIFO_SIZE && u.rx_first < VUART_FIFO_SIZE);
    }
    check_queries(&u, &m);
    return 0;
}
