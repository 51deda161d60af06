/* A virtual 16550A UART per partition: the eight registers of the National Semiconductor
 * PC16550D data sheet (section 8, "Registers") as Linux's 8250 driver probes and drives them.
 * Transmission is instant; there is no baud clock. Pure: the I/O-exit handler calls it.
 * Not thread-safe: one CPU at a time (normally the partition's own). */
#ifndef GUEST_VUART_H
#define GUEST_VUART_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets from the base port (PC16550D table II). DLAB is LCR bit 7. */
#define VUART_REG_RBR   0u      /* read, DLAB = 0: receiver buffer */
#define VUART_REG_THR   0u      /* write, DLAB = 0: transmitter holding */
#define VUART_REG_DLL   0u      /* DLAB = 1: divisor latch, low byte */
#define VUART_REG_IER   1u      /* DLAB = 0: interrupt enable */
#define VUART_REG_DLM   1u      /* DLAB = 1: divisor latch, high byte */
#define VUART_REG_IIR   2u      /* read: interrupt identification */
#define VUART_REG_FCR   2u      /* write: FIFO control */
#define VUART_REG_LCR   3u      /* line control */
#define VUART_REG_MCR   4u      /* modem control */
#define VUART_REG_LSR   5u      /* line status */
#define VUART_REG_MSR   6u      /* modem status */
#define VUART_REG_SCR   7u      /* scratch */
#define VUART_REG_COUNT 8u

/* IER: only the low four bits exist; the upper four read as 0. */
#define VUART_IER_ERBFI 0x01u   /* received data available (and character timeout) */
#define VUART_IER_ETBEI 0x02u   /* transmitter holding register empty */
#define VUART_IER_ELSI  0x04u   /* receiver line status */
#define VUART_IER_EDSSI 0x08u   /* modem status */
#define VUART_IER_MASK  0x0Fu

/* IIR: bit 0 set = nothing pending; bits 3:1 the source, highest priority first. */
#define VUART_IIR_NO_INT        0x01u
#define VUART_IIR_ID_MASK       0x0Fu
#define VUART_IIR_RLS           0x06u   /* 1: receiver line status (OE), cleared by LSR read */
#define VUART_IIR_RDA           0x04u   /* 2: RX data at or above the trigger level */
#define VUART_IIR_CTI           0x0Cu   /* 2: character timeout (data below the trigger) */
#define VUART_IIR_THRE          0x02u   /* 3: THR empty, cleared by IIR read or THR write */
#define VUART_IIR_MSI           0x00u   /* 4: modem status, cleared by MSR read */
#define VUART_IIR_FIFO_ENABLED  0xC0u   /* bits 7:6 = 11 while FCR bit 0 is set */

/* FCR (write only). Bits 1 and 2 clear themselves. */
#define VUART_FCR_ENABLE        0x01u
#define VUART_FCR_CLEAR_RX      0x02u
#define VUART_FCR_CLEAR_TX      0x04u
#define VUART_FCR_DMA_MODE      0x08u
#define VUART_FCR_TRIGGER_MASK  0xC0u   /* RX trigger: 00 = 1, 01 = 4, 10 = 8, 11 = 14 bytes */
#define VUART_FCR_TRIGGER_1     0x00u
#define VUART_FCR_TRIGGER_4     0x40u
#define VUART_FCR_TRIGGER_8     0x80u
#define VUART_FCR_TRIGGER_14    0xC0u

/* LCR: word length, stop bits and parity are stored and ignored; bit 7 selects DLL/DLM. */
#define VUART_LCR_DLAB          0x80u

/* MCR: bits 7:5 read as 0. */
#define VUART_MCR_DTR           0x01u
#define VUART_MCR_RTS           0x02u
#define VUART_MCR_OUT1          0x04u
#define VUART_MCR_OUT2          0x08u   /* gates the UART's interrupt onto the IRQ line on PCs */
#define VUART_MCR_LOOP          0x10u
#define VUART_MCR_MASK          0x1Fu

/* LSR. PE, FE, BI and the RX FIFO error bit never occur: there is no wire. */
#define VUART_LSR_DR            0x01u   /* data ready */
#define VUART_LSR_OE            0x02u   /* overrun: a byte arrived with the RX buffer full */
#define VUART_LSR_PE            0x04u
#define VUART_LSR_FE            0x08u
#define VUART_LSR_BI            0x10u
#define VUART_LSR_THRE          0x20u   /* always set: transmitting is instant */
#define VUART_LSR_TEMT          0x40u   /* always set */
#define VUART_LSR_RX_FIFO_ERROR 0x80u

/* MSR: bits 3:0 are deltas (cleared when MSR is read), bits 7:4 the modem inputs. */
#define VUART_MSR_DCTS          0x01u
#define VUART_MSR_DDSR          0x02u
#define VUART_MSR_TERI          0x04u   /* RI went from on to off */
#define VUART_MSR_DDCD          0x08u
#define VUART_MSR_DELTA_MASK    0x0Fu
#define VUART_MSR_CTS           0x10u   /* loopback: RTS */
#define VUART_MSR_DSR           0x20u   /* loopback: DTR */
#define VUART_MSR_RI            0x40u   /* loopback: OUT1 */
#define VUART_MSR_DCD           0x80u   /* loopback: OUT2 */
#define VUART_MSR_STATUS_MASK   0xF0u
/* Outside loopback a terminal is attached and ready: CTS, DSR and DCD on, no ring. */
#define VUART_MSR_IDLE_INPUTS   (VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD)

#define VUART_FIFO_SIZE         16u

/* Receives each byte the guest transmits (THR write outside loopback). */
typedef void (*vuart_tx_fn)(void *ctx, uint8_t byte);

struct vuart {
    vuart_tx_fn tx;             /* NULL: transmitted bytes are discarded */
    void *tx_ctx;
    uint8_t rx[VUART_FIFO_SIZE];
    uint8_t rx_first;           /* index of the oldest received byte */
    uint8_t rx_count;
    uint8_t rbr;                /* last byte read: what RBR returns when nothing is held */
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    uint8_t fcr;                /* ENABLE, DMA_MODE and trigger bits as programmed */
    uint8_t lsr_errors;         /* OE until LSR is read */
    uint8_t msr;                /* inputs (7:4) and deltas (3:0) */
    bool thre_pending;          /* the THRE interrupt latch */
};

/* The state after a master reset (PC16550D table IV): IER, LCR, MCR, FCR 0; LSR 0x60;
 * no deltas. DLL = 1, DLM = 0 (115200 baud), SCR = 0. tx may be NULL. */
void vuart_init(struct vuart *u, vuart_tx_fn tx, void *ctx);

/* A one-byte IN from base + offset (0..7); other offsets read 0xFF. Reads have the data
 * sheet's side effects: RBR pops a byte, IIR clears a reported THRE interrupt, LSR clears
 * OE, MSR clears the deltas. */
uint8_t vuart_read(struct vuart *u, unsigned offset);

/* A one-byte OUT to base + offset (0..7); LSR and MSR writes and other offsets are ignored.
 * A THR write calls tx (or, in loopback, receives the byte itself) before returning. */
void vuart_write(struct vuart *u, unsigned offset, uint8_t value);

/* A byte arriving on the serial input (console input for this partition). Returns false
 * when it is lost: the RX buffer (16 bytes with FIFOs on, else 1) is full, which sets
 * LSR.OE as a real overrun does, or the UART is in loopback, where the input is
 * disconnected. Callers that must not lose input ask vuart_rx_room() first. */
bool vuart_receive(struct vuart *u, uint8_t byte);

/* The transmitter went empty: the THRE interrupt is pending again, as on a real 16550 when
 * its shift register drains. The model sends each byte at once, so its owner calls this
 * only after it had made the transmitter look busy (LSR.THRE read 0 for back-pressure): a
 * driver that found LSR busy in its interrupt handler waits for this interrupt. */
void vuart_transmitter_empty(struct vuart *u);

/* How many more bytes vuart_receive() would accept now (0 in loopback). */
unsigned vuart_rx_room(const struct vuart *u);

/* The IIR's interrupt identification right now (bits 3:0), without the side effects of
 * reading IIR. VUART_IIR_NO_INT when nothing enabled in IER is pending. */
uint8_t vuart_interrupt_id(const struct vuart *u);

/* True when the UART asserts its interrupt on a PC: a source enabled in IER is pending
 * and MCR.OUT2 is set. In loopback the OUT2 output pin is forced inactive (PC16550D MCR
 * bit 4), so the IRQ line is not driven even though IIR still reports the source. */
bool vuart_irq_pending(const struct vuart *u);

#endif
