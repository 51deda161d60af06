/* A tiny AML emitter (ACPI 6.5 section 20.2, AML grammar). */
#include "guest/aml_emit.h"

#include "lib/string.h"

/* Opcodes (20.2.5, 20.2.3) and name prefixes (20.2.2). */
#define AML_ZERO_OP         0x00u
#define AML_ONE_OP          0x01u
#define AML_NAME_OP         0x08u
#define AML_BYTE_PREFIX     0x0Au
#define AML_WORD_PREFIX     0x0Bu
#define AML_DWORD_PREFIX    0x0Cu
#define AML_SCOPE_OP        0x10u
#define AML_BUFFER_OP       0x11u
#define AML_PACKAGE_OP      0x12u
#define AML_EXT_OP_PREFIX   0x5Bu
#define AML_DEVICE_OP       0x82u   /* after the ExtOpPrefix */
#define AML_ROOT_CHAR       '\\'
#define AML_NAME_SEG_SIZE   4u

/* PkgLength (20.2.4): one byte holds 0..63; with one follow byte the lead's low nibble and
 * the follow byte hold 12 bits, and bits 7:6 of the lead count the follow bytes. */
#define PKG_ONE_BYTE_MAX    0x3Fu
#define PKG_FOLLOW_ONE      0x40u

void aml_init(struct aml *a, uint8_t *bytes, uint32_t capacity)
{
    a->bytes = bytes;
    a->capacity = capacity;
    a->length = 0;
    a->failed = false;
}

void aml_bytes(struct aml *a, const void *bytes, uint32_t count)
{
    if (a->failed || count > a->capacity - a->length) {
        a->failed = true;
        return;
    }
    memcpy(a->bytes + a->length, bytes, count);
    a->length += count;
}

static void aml_byte(struct aml *a, uint8_t b)
{
    aml_bytes(a, &b, 1);
}

void aml_name_string(struct aml *a, const char *name)
{
    if (name[0] == AML_ROOT_CHAR)
        aml_byte(a, (uint8_t)*name++);
    if (strlen(name) != AML_NAME_SEG_SIZE) {
        a->failed = true;           /* a NameSeg is exactly four characters */
        return;
    }
    aml_bytes(a, name, AML_NAME_SEG_SIZE);
}

void aml_integer(struct aml *a, uint32_t value)
{
    uint8_t le[4] = { (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
                      (uint8_t)(value >> 24) };

    if (value <= AML_ONE_OP) {
        aml_byte(a, (uint8_t)value);    /* ZeroOp and OneOp are the values themselves */
    } else if (value <= 0xFFu) {
        aml_byte(a, AML_BYTE_PREFIX);
        aml_bytes(a, le, 1);
    } else if (value <= 0xFFFFu) {
        aml_byte(a, AML_WORD_PREFIX);
        aml_bytes(a, le, 2);
    } else {
        aml_byte(a, AML_DWORD_PREFIX);
        aml_bytes(a, le, 4);
    }
}

void aml_name_integer(struct aml *a, const char *name, uint32_t value)
{
    aml_byte(a, AML_NAME_OP);
    aml_name_string(a, name);
    aml_integer(a, value);
}

/* Reserves one byte for a PkgLength; aml_close fills it in (and widens it if needed). */
static uint32_t open_pkg(struct aml *a)
{
    uint32_t mark = a->length;

    aml_byte(a, 0);
    return mark;
}

void aml_close(struct aml *a, uint32_t mark)
{
    if (a->failed)
        return;
    uint32_t body = a->length - mark - 1;   /* what follows the reserved byte */
    if (body + 1 <= PKG_ONE_BYTE_MAX) {
        a->bytes[mark] = (uint8_t)(body + 1);
        return;
    }
    uint32_t total = body + 2;              /* the PkgLength counts its own bytes */
    if (total > AML_PKG_LENGTH_MAX || a->length == a->capacity) {
        a->failed = true;
        return;
    }
    memmove(a->bytes + mark + 2, a->bytes + mark + 1, body);
    a->length++;
    a->bytes[mark] = (uint8_t)(PKG_FOLLOW_ONE | (total & 0x0Fu));
    a->bytes[mark + 1] = (uint8_t)(total >> 4);
}

void aml_name_buffer(struct aml *a, const char *name, const uint8_t *bytes, uint32_t count)
{
    aml_byte(a, AML_NAME_OP);
    aml_name_string(a, name);
    aml_byte(a, AML_BUFFER_OP);
    uint32_t mark = open_pkg(a);
    aml_integer(a, count);                  /* BufferSize */
    aml_bytes(a, bytes, count);
    aml_close(a, mark);
}

uint32_t aml_scope_open(struct aml *a, const char *name)
{
    aml_byte(a, AML_SCOPE_OP);
    uint32_t mark = open_pkg(a);
    aml_name_string(a, name);
    return mark;
}

uint32_t aml_device_open(struct aml *a, const char *name)
{
    aml_byte(a, AML_EXT_OP_PREFIX);
    aml_byte(a, AML_DEVICE_OP);
    uint32_t mark = open_pkg(a);
    aml_name_string(a, name);
    return mark;
}

uint32_t aml_name_package_open(struct aml *a, const char *name, uint8_t element_count)
{
    aml_byte(a, AML_NAME_OP);
    aml_name_string(a, name);
    aml_byte(a, AML_PACKAGE_OP);
    uint32_t mark = open_pkg(a);
    aml_byte(a, element_count);             /* NumElements */
    return mark;
}
