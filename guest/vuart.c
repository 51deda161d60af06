/* A virtual 16550A UART (National Semiconductor PC16550D data sheet, section 8): the
 * register file, the RX FIFO, the four interrupt sources in their priority order and the
 * loopback mode Linux's 8250 driver uses to detect the chip. Pure. */
#include "guest/vuart.h"

static const uint8_t rx_trigger_levels[4] = { 1, 4, 8, 14 };

static bool fifo_enabled(const struct vuart *u)
{
    return (u->fcr & VUART_FCR_ENABLE) != 0;
}

static bool dlab(const struct vuart *u)
{
    return (u->lcr & VUART_LCR_DLAB) != 0;
}

static bool loopback(const struct vuart *u)
{
    return (u->mcr & VUART_MCR_LOOP) != 0;
}

/* 16450 mode holds one byte in RBR; FIFO mode sixteen. */
static unsigned rx_capacity(const struct vuart *u)
{
    return fifo_enabled(u) ? VUART_FIFO_SIZE : 1u;
}

static void rx_clear(struct vuart *u)
{
    u->rx_first = 0;
    u->rx_count = 0;
}

/* A byte reaching the receiver: from the serial input or, in loopback, from THR. A full
 * buffer is an overrun: the new byte is lost and OE set. (A 16450-mode RBR would be
 * overwritten instead; the guest sees OE either way and only one byte is lost.) */
static bool rx_push(struct vuart *u, uint8_t byte)
{
    if (u->rx_count >= rx_capacity(u)) {
        u->lsr_errors |= VUART_LSR_OE;
        return false;
    }
    u->rx[(u->rx_first + u->rx_count) % VUART_FIFO_SIZE] = byte;
    u->rx_count++;
    return true;
}

static uint8_t rx_pop(struct vuart *u)
{
    if (u->rx_count == 0)
        return u->rbr;
    u->rbr = u->rx[u->rx_first];
    u->rx_first = (uint8_t)((u->rx_first + 1u) % VUART_FIFO_SIZE);
    u->rx_count--;
    return u->rbr;
}

/* The modem inputs (MSR 7:4). In loopback the four outputs are wired to them:
 * RTS -> CTS, DTR -> DSR, OUT1 -> RI, OUT2 -> DCD. */
static uint8_t modem_inputs(const struct vuart *u)
{
    if (!loopback(u))
        return VUART_MSR_IDLE_INPUTS;
    uint8_t in = 0;
    if (u->mcr & VUART_MCR_RTS)
        in |= VUART_MSR_CTS;
    if (u->mcr & VUART_MCR_DTR)
        in |= VUART_MSR_DSR;
    if (u->mcr & VUART_MCR_OUT1)
        in |= VUART_MSR_RI;
    if (u->mcr & VUART_MCR_OUT2)
        in |= VUART_MSR_DCD;
    return in;
}

/* Latches the delta bits for inputs that changed; TERI only on RI's trailing edge. */
static void modem_update(struct vuart *u)
{
    uint8_t old = u->msr & VUART_MSR_STATUS_MASK;
    uint8_t now = modem_inputs(u);
    uint8_t changed = old ^ now;
    uint8_t delta = u->msr & VUART_MSR_DELTA_MASK;

    if (changed & VUART_MSR_CTS)
        delta |= VUART_MSR_DCTS;
    if (changed & VUART_MSR_DSR)
        delta |= VUART_MSR_DDSR;
    if ((old & VUART_MSR_RI) && !(now & VUART_MSR_RI))
        delta |= VUART_MSR_TERI;
    if (changed & VUART_MSR_DCD)
        delta |= VUART_MSR_DDCD;
    u->msr = (uint8_t)(now | delta);
}

void vuart_init(struct vuart *u, vuart_tx_fn tx, void *ctx)
{
    *u = (struct vuart){ .tx = tx, .tx_ctx = ctx, .dll = 1 };
    u->msr = modem_inputs(u);
}

/* Data sheet table V, highest priority first. With FIFOs on, data below the trigger
 * level reports a character timeout at once: with no baud clock, the four character
 * times have always passed. */
uint8_t vuart_interrupt_id(const struct vuart *u)
{
    if ((u->ier & VUART_IER_ELSI) && (u->lsr_errors & VUART_LSR_OE))
        return VUART_IIR_RLS;
    if ((u->ier & VUART_IER_ERBFI) && u->rx_count > 0) {
        if (fifo_enabled(u) && u->rx_count < rx_trigger_levels[u->fcr >> 6])
            return VUART_IIR_CTI;
        return VUART_IIR_RDA;
    }
    if ((u->ier & VUART_IER_ETBEI) && u->thre_pending)
        return VUART_IIR_THRE;
    if ((u->ier & VUART_IER_EDSSI) && (u->msr & VUART_MSR_DELTA_MASK))
        return VUART_IIR_MSI;
    return VUART_IIR_NO_INT;
}

bool vuart_irq_pending(const struct vuart *u)
{
    return vuart_interrupt_id(u) != VUART_IIR_NO_INT && (u->mcr & VUART_MCR_OUT2) &&
           !loopback(u);
}

static uint8_t read_iir(struct vuart *u)
{
    uint8_t id = vuart_interrupt_id(u);

    /* Reading IIR clears the THRE interrupt only when it is the one reported. */
    if (id == VUART_IIR_THRE)
        u->thre_pending = false;
    return (uint8_t)(id | (fifo_enabled(u) ? VUART_IIR_FIFO_ENABLED : 0));
}

static uint8_t read_lsr(struct vuart *u)
{
    uint8_t lsr = (uint8_t)(VUART_LSR_THRE | VUART_LSR_TEMT | u->lsr_errors);

    if (u->rx_count > 0)
        lsr |= VUART_LSR_DR;
    u->lsr_errors = 0;
    return lsr;
}

static uint8_t read_msr(struct vuart *u)
{
    uint8_t msr = u->msr;

    u->msr &= VUART_MSR_STATUS_MASK;
    return msr;
}

uint8_t vuart_read(struct vuart *u, unsigned offset)
{
    switch (offset) {
    case VUART_REG_RBR:
        return dlab(u) ? u->dll : rx_pop(u);
    case VUART_REG_IER:
        return dlab(u) ? u->dlm : u->ier;
    case VUART_REG_IIR:
        return read_iir(u);
    case VUART_REG_LCR:
        return u->lcr;
    case VUART_REG_MCR:
        return u->mcr;
    case VUART_REG_LSR:
        return read_lsr(u);
    case VUART_REG_MSR:
        return read_msr(u);
    case VUART_REG_SCR:
        return u->scr;
    default:
        return 0xFF;
    }
}

/* Writing THR clears the THRE interrupt; the byte leaves at once, so THR is empty again
 * and the interrupt is pending again for IER.ETBEI. */
static void write_thr(struct vuart *u, uint8_t byte)
{
    u->thre_pending = false;
    if (loopback(u))
        rx_push(u, byte);
    else if (u->tx)
        u->tx(u->tx_ctx, byte);
    u->thre_pending = true;
}

void vuart_transmitter_empty(struct vuart *u)
{
    u->thre_pending = true;
}

/* Enabling ETBEI while THR is empty raises the THRE interrupt, as on real 16550As: Linux
 * checks for it at port start-up (else it marks the port UART_BUG_THRE/TXEN). */
static void write_ier(struct vuart *u, uint8_t value)
{
    uint8_t ier = value & VUART_IER_MASK;

    if ((ier & VUART_IER_ETBEI) && !(u->ier & VUART_IER_ETBEI))
        u->thre_pending = true;
    u->ier = ier;
}

/* FCR bit 0 must be set for the other bits to take effect; switching between 16450 and
 * FIFO mode empties the FIFOs. */
static void write_fcr(struct vuart *u, uint8_t value)
{
    bool enable = (value & VUART_FCR_ENABLE) != 0;

    if (enable != fifo_enabled(u))
        rx_clear(u);
    if (!enable) {
        u->fcr = 0;
        return;
    }
    if (value & VUART_FCR_CLEAR_RX)
        rx_clear(u);
    /* CLEAR_TX: the transmitter is always empty. */
    u->fcr = value & (VUART_FCR_ENABLE | VUART_FCR_DMA_MODE | VUART_FCR_TRIGGER_MASK);
}

static void write_mcr(struct vuart *u, uint8_t value)
{
    u->mcr = value & VUART_MCR_MASK;
    modem_update(u);
}

void vuart_write(struct vuart *u, unsigned offset, uint8_t value)
{
    switch (offset) {
    case VUART_REG_THR:
        if (dlab(u))
            u->dll = value;
        else
            write_thr(u, value);
        break;
    case VUART_REG_IER:
        if (dlab(u))
            u->dlm = value;
        else
            write_ier(u, value);
        break;
    case VUART_REG_FCR:
        write_fcr(u, value);
        break;
    case VUART_REG_LCR:
        u->lcr = value;
        break;
    case VUART_REG_MCR:
        write_mcr(u, value);
        break;
    case VUART_REG_SCR:
        u->scr = value;
        break;
    default:
        break;      /* LSR and MSR are read-only here; nothing lies beyond offset 7 */
    }
}

unsigned vuart_rx_room(const struct vuart *u)
{
    if (loopback(u))
        return 0;
    return rx_capacity(u) - u->rx_count;
}

bool vuart_receive(struct vuart *u, uint8_t byte)
{
    if (loopback(u))
        return false;
    return rx_push(u, byte);
}
