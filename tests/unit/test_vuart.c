/* Host unit tests for guest/vuart.c, the virtual 16550A: the probing sequence of Linux's
 * 8250 driver, transmit and receive, FIFO and 16450 modes, interrupt identification and
 * priorities, loopback and the modem status deltas (PC16550D data sheet). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "guest/vuart.h"

struct sink {
    uint8_t bytes[64];
    size_t count;
};

static void sink_tx(void *ctx, uint8_t byte)
{
    struct sink *s = ctx;

    assert_true(s->count < sizeof(s->bytes));
    s->bytes[s->count++] = byte;
}

static void setup_uart(struct vuart *u, struct sink *s)
{
    memset(s, 0, sizeof(*s));
    vuart_init(u, sink_tx, s);
}

static void test_reset_state(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    assert_int_equal(vuart_read(&u, VUART_REG_IER), 0);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_NO_INT);
    assert_int_equal(vuart_read(&u, VUART_REG_LCR), 0);
    assert_int_equal(vuart_read(&u, VUART_REG_MCR), 0);
    assert_int_equal(vuart_read(&u, VUART_REG_LSR), VUART_LSR_THRE | VUART_LSR_TEMT);
    assert_int_equal(vuart_read(&u, VUART_REG_MSR), VUART_MSR_IDLE_INPUTS);
    assert_int_equal(vuart_read(&u, 8), 0xFF);
    assert_false(vuart_irq_pending(&u));
}

/* The order and values of Linux's autoconfig(): IER test, loopback test, LCR, the IIR's
 * FIFO bits after FCR = 1, then its 16550A checks (EFR reads at offset 2 with LCR 0x80 and
 * 0xBF must not read 0, IER's UUE bit must not stick, no 64-byte FIFO bit). */
static void test_linux_probe_sequence(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);

    /* Scratch register (autoconfig_8250 and the uart driver's presence check). */
    vuart_write(&u, VUART_REG_SCR, 0xA5);
    assert_int_equal(vuart_read(&u, VUART_REG_SCR), 0xA5);
    vuart_write(&u, VUART_REG_SCR, 0x5A);
    assert_int_equal(vuart_read(&u, VUART_REG_SCR), 0x5A);

    /* IER: 0 reads 0, 0x0F reads 0x0F; the upper nibble does not exist. */
    uint8_t saved_ier = vuart_read(&u, VUART_REG_IER);
    vuart_write(&u, VUART_REG_IER, 0);
    assert_int_equal(vuart_read(&u, VUART_REG_IER) & 0x0F, 0);
    vuart_write(&u, VUART_REG_IER, 0x0F);
    assert_int_equal(vuart_read(&u, VUART_REG_IER) & 0x0F, 0x0F);
    vuart_write(&u, VUART_REG_IER, 0xFF);
    assert_int_equal(vuart_read(&u, VUART_REG_IER), 0x0F);
    vuart_write(&u, VUART_REG_IER, saved_ier);

    /* Loopback: LOOP | OUT2 | RTS must read DCD | CTS in the status nibble. */
    uint8_t saved_mcr = vuart_read(&u, VUART_REG_MCR);
    uint8_t saved_lcr = vuart_read(&u, VUART_REG_LCR);
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_LOOP | VUART_MCR_OUT2 | VUART_MCR_RTS);
    assert_int_equal(vuart_read(&u, VUART_REG_MSR) & VUART_MSR_STATUS_MASK,
                     VUART_MSR_DCD | VUART_MSR_CTS);
    vuart_write(&u, VUART_REG_MCR, 0x1F);
    assert_int_equal(vuart_read(&u, VUART_REG_MSR) & VUART_MSR_STATUS_MASK, 0xF0);
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_LOOP);
    assert_int_equal(vuart_read(&u, VUART_REG_MSR) & VUART_MSR_STATUS_MASK, 0);
    vuart_write(&u, VUART_REG_MCR, saved_mcr);
    assert_int_equal(vuart_read(&u, VUART_REG_MCR), saved_mcr);

    /* EFR probe: LCR 0xBF then a write of 0 to offset 2, which is FCR here. */
    vuart_write(&u, VUART_REG_LCR, 0xBF);
    assert_int_equal(vuart_read(&u, VUART_REG_LCR), 0xBF);
    vuart_write(&u, VUART_REG_FCR, 0);
    vuart_write(&u, VUART_REG_LCR, 0);
    vuart_write(&u, VUART_REG_FCR, VUART_FCR_ENABLE);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR) & VUART_IIR_FIFO_ENABLED, 0xC0);

    vuart_write(&u, VUART_REG_LCR, 0x80);
    assert_int_not_equal(vuart_read(&u, VUART_REG_IIR), 0);
    vuart_write(&u, VUART_REG_LCR, 0xBF);
    assert_int_not_equal(vuart_read(&u, VUART_REG_IIR), 0);
    vuart_write(&u, VUART_REG_LCR, 0);
    vuart_write(&u, VUART_REG_IER, 0x40);
    assert_int_equal(vuart_read(&u, VUART_REG_IER) & 0x40, 0);
    vuart_write(&u, VUART_REG_IER, 0);
    vuart_write(&u, VUART_REG_FCR, VUART_FCR_ENABLE | 0x20);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR) & 0x20, 0);

    /* Divisor latch: written and read back with DLAB set; IER untouched. */
    vuart_write(&u, VUART_REG_IER, VUART_IER_ERBFI);
    vuart_write(&u, VUART_REG_LCR, VUART_LCR_DLAB | 0x03);
    vuart_write(&u, VUART_REG_DLL, 0x0C);
    vuart_write(&u, VUART_REG_DLM, 0x34);
    assert_int_equal(vuart_read(&u, VUART_REG_DLL), 0x0C);
    assert_int_equal(vuart_read(&u, VUART_REG_DLM), 0x34);
    vuart_write(&u, VUART_REG_LCR, 0x03);
    assert_int_equal(vuart_read(&u, VUART_REG_LCR), 0x03);
    assert_int_equal(vuart_read(&u, VUART_REG_IER), VUART_IER_ERBFI);
    assert_int_equal(s.count, 0);       /* the DLL write was not transmitted */
    vuart_write(&u, VUART_REG_LCR, saved_lcr);
}

static void test_thr_reaches_callback(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    static const uint8_t msg[] = { 'o', 'k', '\r', '\n', 0x00, 0xFF, 0x80, 0x1B };
    for (size_t i = 0; i < sizeof(msg); i++) {
        assert_true(vuart_read(&u, VUART_REG_LSR) & VUART_LSR_THRE);
        vuart_write(&u, VUART_REG_THR, msg[i]);
        assert_int_equal(vuart_read(&u, VUART_REG_LSR) & (VUART_LSR_THRE | VUART_LSR_TEMT),
                         VUART_LSR_THRE | VUART_LSR_TEMT);
    }
    assert_int_equal(s.count, sizeof(msg));
    assert_memory_equal(s.bytes, msg, sizeof(msg));
    assert_int_equal(vuart_read(&u, VUART_REG_LSR) & VUART_LSR_DR, 0);

    struct vuart quiet;
    vuart_init(&quiet, NULL, NULL);
    vuart_write(&quiet, VUART_REG_THR, 'x');          /* no callback: dropped, no crash */
}

static void test_loopback_turns_thr_into_rx(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_LOOP);
    vuart_write(&u, VUART_REG_THR, 0xAE);
    assert_int_equal(s.count, 0);
    assert_true(vuart_read(&u, VUART_REG_LSR) & VUART_LSR_DR);
    assert_int_equal(vuart_read(&u, VUART_REG_RBR), 0xAE);
    assert_false(vuart_read(&u, VUART_REG_LSR) & VUART_LSR_DR);

    /* The serial input is disconnected in loopback. */
    assert_int_equal(vuart_rx_room(&u), 0);
    assert_false(vuart_receive(&u, 'z'));
    assert_false(vuart_read(&u, VUART_REG_LSR) & (VUART_LSR_DR | VUART_LSR_OE));

    /* 16450 mode: a second looped byte before the first is read overruns. */
    vuart_write(&u, VUART_REG_THR, 1);
    vuart_write(&u, VUART_REG_THR, 2);
    assert_int_equal(vuart_read(&u, VUART_REG_LSR), VUART_LSR_DR | VUART_LSR_OE |
                                                    VUART_LSR_THRE | VUART_LSR_TEMT);
    assert_int_equal(vuart_read(&u, VUART_REG_RBR), 1);

    vuart_write(&u, VUART_REG_MCR, 0);
    vuart_write(&u, VUART_REG_THR, 'y');
    assert_int_equal(s.count, 1);
    assert_int_equal(s.bytes[0], 'y');
}

static void test_rx_fifo_order_and_overrun(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    vuart_write(&u, VUART_REG_FCR, VUART_FCR_ENABLE);
    assert_int_equal(vuart_rx_room(&u), VUART_FIFO_SIZE);
    for (unsigned i = 0; i < VUART_FIFO_SIZE; i++)
        assert_true(vuart_receive(&u, (uint8_t)(0x40 + i)));
    assert_int_equal(vuart_rx_room(&u), 0);
    assert_false(vuart_receive(&u, 0xEE));
    assert_int_equal(vuart_read(&u, VUART_REG_LSR),
                     VUART_LSR_DR | VUART_LSR_OE | VUART_LSR_THRE | VUART_LSR_TEMT);
    assert_int_equal(vuart_read(&u, VUART_REG_LSR) & VUART_LSR_OE, 0);     /* read clears */

    /* Drain half, refill: order survives wrapping. */
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(vuart_read(&u, VUART_REG_RBR), 0x40 + i);
    for (unsigned i = 0; i < 8; i++)
        assert_true(vuart_receive(&u, (uint8_t)(0x60 + i)));
    for (unsigned i = 8; i < 16; i++)
        assert_int_equal(vuart_read(&u, VUART_REG_RBR), 0x40 + i);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(vuart_read(&u, VUART_REG_RBR), 0x60 + i);
    assert_false(vuart_read(&u, VUART_REG_LSR) & VUART_LSR_DR);
    /* Reading an empty RBR repeats the last byte, as the register still holds it. */
    assert_int_equal(vuart_read(&u, VUART_REG_RBR), 0x67);
}

static void test_non_fifo_mode_holds_one_byte(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    assert_int_equal(vuart_rx_room(&u), 1);
    assert_true(vuart_receive(&u, 'a'));
    assert_false(vuart_receive(&u, 'b'));
    uint8_t lsr = vuart_read(&u, VUART_REG_LSR);
    assert_true(lsr & VUART_LSR_DR);
    assert_true(lsr & VUART_LSR_OE);
    assert_int_equal(vuart_read(&u, VUART_REG_RBR), 'a');
    assert_int_equal(vuart_read(&u, VUART_REG_IIR) & VUART_IIR_FIFO_ENABLED, 0);

    /* Switching to FIFO mode empties the receiver; so does switching back. */
    assert_true(vuart_receive(&u, 'c'));
    vuart_write(&u, VUART_REG_FCR, VUART_FCR_ENABLE);
    assert_false(vuart_read(&u, VUART_REG_LSR) & VUART_LSR_DR);
    assert_true(vuart_receive(&u, 'd'));
    assert_true(vuart_receive(&u, 'e'));
    vuart_write(&u, VUART_REG_FCR, 0);
    assert_false(vuart_read(&u, VUART_REG_LSR) & VUART_LSR_DR);
    assert_int_equal(vuart_rx_room(&u), 1);
}

static void test_fcr_clears_rx_fifo(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    vuart_write(&u, VUART_REG_FCR, VUART_FCR_ENABLE);
    for (unsigned i = 0; i < 5; i++)
        assert_true(vuart_receive(&u, (uint8_t)i));
    vuart_write(&u, VUART_REG_FCR, VUART_FCR_ENABLE | VUART_FCR_CLEAR_RX | VUART_FCR_CLEAR_TX);
    assert_false(vuart_read(&u, VUART_REG_LSR) & VUART_LSR_DR);
    assert_int_equal(vuart_rx_room(&u), VUART_FIFO_SIZE);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_NO_INT);
    /* FIFOs stay on: the clear bits clear themselves. */
    assert_true(vuart_receive(&u, 'q'));
    vuart_write(&u, VUART_REG_FCR, VUART_FCR_ENABLE);
    assert_int_equal(vuart_read(&u, VUART_REG_RBR), 'q');
}

/* Receiver line status > received data > THR empty > modem status (table V). */
static void test_iir_priorities(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    vuart_write(&u, VUART_REG_FCR, VUART_FCR_ENABLE | VUART_FCR_TRIGGER_1);
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_LOOP | VUART_MCR_RTS);     /* MSR deltas */
    vuart_write(&u, VUART_REG_IER, VUART_IER_MASK);                       /* THRE latched */
    for (unsigned i = 0; i < VUART_FIFO_SIZE; i++)
        vuart_write(&u, VUART_REG_THR, (uint8_t)i);                      /* looped back */
    vuart_write(&u, VUART_REG_THR, 0xFF);                                 /* overrun */

    assert_int_equal(vuart_interrupt_id(&u), VUART_IIR_RLS);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_RLS);
    vuart_read(&u, VUART_REG_LSR);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_RDA);
    /* Reading IIR while RDA is reported leaves the lower THRE interrupt pending. */
    for (unsigned i = 0; i < VUART_FIFO_SIZE; i++)
        vuart_read(&u, VUART_REG_RBR);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_THRE);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_MSI);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_MSI);
    /* Entering loopback with only RTS dropped DSR and DCD. */
    assert_int_equal(vuart_read(&u, VUART_REG_MSR) & VUART_MSR_DELTA_MASK,
                     VUART_MSR_DDSR | VUART_MSR_DDCD);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_FIFO_ENABLED | VUART_IIR_NO_INT);
}

static void test_rx_trigger_and_timeout(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    vuart_write(&u, VUART_REG_FCR, VUART_FCR_ENABLE | VUART_FCR_TRIGGER_8);
    vuart_write(&u, VUART_REG_IER, VUART_IER_ERBFI);
    assert_int_equal(vuart_interrupt_id(&u), VUART_IIR_NO_INT);
    assert_true(vuart_receive(&u, 'a'));
    assert_int_equal(vuart_interrupt_id(&u), VUART_IIR_CTI);         /* below the trigger */
    for (unsigned i = 1; i < 8; i++)
        assert_true(vuart_receive(&u, 'a'));
    assert_int_equal(vuart_interrupt_id(&u), VUART_IIR_RDA);
    vuart_read(&u, VUART_REG_RBR);
    assert_int_equal(vuart_interrupt_id(&u), VUART_IIR_CTI);
    while (vuart_read(&u, VUART_REG_LSR) & VUART_LSR_DR)
        vuart_read(&u, VUART_REG_RBR);
    assert_int_equal(vuart_interrupt_id(&u), VUART_IIR_NO_INT);

    /* 16450 mode: one byte is data available. */
    vuart_write(&u, VUART_REG_FCR, 0);
    assert_true(vuart_receive(&u, 'b'));
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_RDA);
    /* Not enabled in IER: no interrupt, the data still shows in LSR. */
    vuart_write(&u, VUART_REG_IER, 0);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_NO_INT);
    assert_true(vuart_read(&u, VUART_REG_LSR) & VUART_LSR_DR);
}

/* THRE: pending after a THR write with ETBEI set, cleared by reading IIR when reported or
 * by writing THR (which, transmitting at once, makes it pending again); enabling ETBEI
 * with THR empty raises it, as Linux's start-up check expects. */
static void test_thre_interrupt_rules(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_OUT2 | VUART_MCR_RTS | VUART_MCR_DTR);
    vuart_read(&u, VUART_REG_MSR);

    /* Linux serial8250_do_startup: IER = THRI, LSR, IIR must show an interrupt. */
    vuart_write(&u, VUART_REG_IER, VUART_IER_ETBEI);
    assert_true(vuart_read(&u, VUART_REG_LSR) & VUART_LSR_TEMT);
    assert_true(vuart_irq_pending(&u));
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_THRE);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_NO_INT);     /* cleared */
    assert_false(vuart_irq_pending(&u));
    vuart_write(&u, VUART_REG_IER, 0);
    vuart_write(&u, VUART_REG_IER, VUART_IER_ETBEI);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_THRE);

    /* Rewriting IER with ETBEI already set does not raise it again. */
    vuart_write(&u, VUART_REG_IER, VUART_IER_ETBEI | VUART_IER_ERBFI);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_NO_INT);

    /* Each THR write completes at once: pending again. */
    vuart_write(&u, VUART_REG_THR, 'A');
    assert_true(vuart_irq_pending(&u));
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_THRE);
    assert_false(vuart_irq_pending(&u));

    /* Latched while ETBEI was off, shown once it is on. */
    vuart_write(&u, VUART_REG_IER, 0);
    vuart_write(&u, VUART_REG_THR, 'B');
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_NO_INT);
    vuart_write(&u, VUART_REG_IER, VUART_IER_ETBEI);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_THRE);
    assert_int_equal(s.count, 2);
}

/* The owner made LSR read busy; once it lets the transmitter drain, THRE interrupts again
 * without a THR write (a driver that read IIR, then found LSR busy, waits for exactly this). */
static void test_transmitter_empty_raises_thre(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_OUT2);
    vuart_write(&u, VUART_REG_IER, VUART_IER_ETBEI);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_THRE);
    assert_false(vuart_irq_pending(&u));
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_NO_INT);
    vuart_transmitter_empty(&u);
    assert_true(vuart_irq_pending(&u));
    assert_int_equal(vuart_interrupt_id(&u), VUART_IIR_THRE);
    assert_int_equal(vuart_read(&u, VUART_REG_IIR), VUART_IIR_THRE);
    assert_false(vuart_irq_pending(&u));
    /* Without ETBEI it is latched only. */
    vuart_write(&u, VUART_REG_IER, 0);
    vuart_transmitter_empty(&u);
    assert_false(vuart_irq_pending(&u));
    assert_int_equal(s.count, 0);
}

static void test_msr_deltas_clear_on_read(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_LOOP);
    /* Entering loopback drops CTS, DSR and DCD: three deltas. */
    assert_int_equal(vuart_read(&u, VUART_REG_MSR),
                     VUART_MSR_DCTS | VUART_MSR_DDSR | VUART_MSR_DDCD);
    assert_int_equal(vuart_read(&u, VUART_REG_MSR), 0);

    vuart_write(&u, VUART_REG_MCR, VUART_MCR_LOOP | VUART_MCR_OUT1 | VUART_MCR_DTR);
    /* RI rising is no TERI; DSR changed. */
    assert_int_equal(vuart_read(&u, VUART_REG_MSR),
                     VUART_MSR_RI | VUART_MSR_DSR | VUART_MSR_DDSR);
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_LOOP | VUART_MCR_DTR);
    assert_int_equal(vuart_read(&u, VUART_REG_MSR), VUART_MSR_DSR | VUART_MSR_TERI);
    assert_int_equal(vuart_read(&u, VUART_REG_MSR), VUART_MSR_DSR);

    /* Deltas accumulate until read. */
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_LOOP | VUART_MCR_DTR | VUART_MCR_RTS);
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_LOOP | VUART_MCR_DTR | VUART_MCR_OUT2);
    assert_int_equal(vuart_read(&u, VUART_REG_MSR),
                     VUART_MSR_DSR | VUART_MSR_DCD | VUART_MSR_DCTS | VUART_MSR_DDCD);

    /* Leaving loopback: the terminal's CTS, DSR, DCD again; MCR keeps only five bits. */
    vuart_write(&u, VUART_REG_MCR, 0xE0 | VUART_MCR_DTR);
    assert_int_equal(vuart_read(&u, VUART_REG_MCR), VUART_MCR_DTR);
    assert_int_equal(vuart_read(&u, VUART_REG_MSR), VUART_MSR_IDLE_INPUTS | VUART_MSR_DCTS);
}

static void test_irq_pending_needs_out2(void **state)
{
    (void)state;
    struct vuart u;
    struct sink s;
    setup_uart(&u, &s);
    vuart_write(&u, VUART_REG_IER, VUART_IER_ERBFI);
    assert_true(vuart_receive(&u, 'x'));
    assert_int_equal(vuart_interrupt_id(&u), VUART_IIR_RDA);
    assert_false(vuart_irq_pending(&u));                  /* OUT2 clear: line not driven */
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_OUT2);
    assert_true(vuart_irq_pending(&u));
    vuart_read(&u, VUART_REG_RBR);
    assert_false(vuart_irq_pending(&u));

    /* Modem-status interrupt, and loopback forcing the OUT2 pin inactive. */
    vuart_write(&u, VUART_REG_IER, VUART_IER_EDSSI);
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_OUT2 | VUART_MCR_LOOP | VUART_MCR_RTS);
    assert_int_equal(vuart_interrupt_id(&u), VUART_IIR_MSI);
    assert_false(vuart_irq_pending(&u));
    vuart_write(&u, VUART_REG_MCR, VUART_MCR_OUT2);
    assert_true(vuart_irq_pending(&u));
    vuart_read(&u, VUART_REG_MSR);
    assert_false(vuart_irq_pending(&u));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_state),
        cmocka_unit_test(test_linux_probe_sequence),
        cmocka_unit_test(test_thr_reaches_callback),
        cmocka_unit_test(test_loopback_turns_thr_into_rx),
        cmocka_unit_test(test_rx_fifo_order_and_overrun),
        cmocka_unit_test(test_non_fifo_mode_holds_one_byte),
        cmocka_unit_test(test_fcr_clears_rx_fifo),
        cmocka_unit_test(test_iir_priorities),
        cmocka_unit_test(test_rx_trigger_and_timeout),
        cmocka_unit_test(test_thre_interrupt_rules),
        cmocka_unit_test(test_transmitter_empty_raises_thre),
        cmocka_unit_test(test_msr_deltas_clear_on_read),
        cmocka_unit_test(test_irq_pending_needs_out2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
