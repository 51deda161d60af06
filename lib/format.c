/* Freestanding formatted printing (a subset of ISO C 7.21.6.1, enough for logs and dumps). */
#include "lib/format.h"

#include <stdbool.h>
#include <stdint.h>

struct out {
    char *buf;
    size_t size;
    size_t len;   /* characters the full output needs, may exceed size */
};

static void out_char(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_repeat(struct out *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

struct spec {
    bool left;        /* '-' */
    bool zero;        /* '0' */
    int width;
    int precision;    /* -1: none */
};

static void out_field(struct out *o, const struct spec *sp, const char *s, int n)
{
    int pad = sp->width > n ? sp->width - n : 0;
    if (!sp->left)
        out_repeat(o, ' ', pad);
    for (int i = 0; i < n; i++)
        out_char(o, s[i]);
    if (sp->left)
        out_repeat(o, ' ', pad);
}

static void out_number(struct out *o, const struct spec *sp, unsigned long long v,
                       unsigned base, bool upper, bool negative, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    int prefix_len = 0;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (negative)
        prefix = "-";
    while (prefix && prefix[prefix_len])
        prefix_len++;

    int total = n + prefix_len;
    int pad = sp->width > total ? sp->width - total : 0;
    if (!sp->left && !sp->zero)
        out_repeat(o, ' ', pad);
    for (int i = 0; i < prefix_len; i++)
        out_char(o, prefix[i]);
    if (!sp->left && sp->zero)
        out_repeat(o, '0', pad);
    while (n)
        out_char(o, tmp[--n]);
    if (sp->left)
        out_repeat(o, ' ', pad);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR:  return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_LONG:  return va_arg(*ap, unsigned long);
    case LEN_LLONG: return va_arg(*ap, unsigned long long);
    case LEN_SIZE:  return va_arg(*ap, size_t);
    default:        return va_arg(*ap, unsigned int);
    }
}

static long long arg_signed(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR:  return (signed char)va_arg(*ap, int);
    case LEN_SHORT: return (short)va_arg(*ap, int);
    case LEN_LONG:  return va_arg(*ap, long);
    case LEN_LLONG: return va_arg(*ap, long long);
    case LEN_SIZE:  return (long long)va_arg(*ap, size_t);
    default:        return va_arg(*ap, int);
    }
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct out o = { buf, size, 0 };
    va_list ap;

    va_copy(ap, ap_in);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            out_char(&o, *p);
            continue;
        }
        p++;
        struct spec sp = { false, false, 0, -1 };
        for (;; p++) {
            if (*p == '-')
                sp.left = true;
            else if (*p == '0')
                sp.zero = true;
            else
                break;
        }
        if (*p == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                sp.width = sp.width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            p++;
            sp.precision = 0;
            if (*p == '*') {
                sp.precision = va_arg(ap, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    sp.precision = sp.precision * 10 + (*p++ - '0');
            }
        }
        enum length len = LEN_INT;
        if (*p == 'h') {
            len = LEN_SHORT;
            if (*++p == 'h') {
                len = LEN_CHAR;
                p++;
            }
        } else if (*p == 'l') {
            len = LEN_LONG;
            if (*++p == 'l') {
                len = LEN_LLONG;
                p++;
            }
        } else if (*p == 'z') {
            len = LEN_SIZE;
            p++;
        }

        switch (*p) {
        case 'd':
        case 'i': {
            long long v = arg_signed(&ap, len);
            unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
            out_number(&o, &sp, mag, 10, false, v < 0, NULL);
            break;
        }
        case 'u':
            out_number(&o, &sp, arg_unsigned(&ap, len), 10, false, false, NULL);
            break;
        case 'x':
        case 'X':
            out_number(&o, &sp, arg_unsigned(&ap, len), 16, *p == 'X', false, NULL);
            break;
        case 'o':
            out_number(&o, &sp, arg_unsigned(&ap, len), 8, false, false, NULL);
            break;
        case 'p': {
            struct spec ps = sp;
            if (ps.width == 0) {   /* pointers print at full width so columns line up */
                ps.width = 18;
                ps.zero = true;
            }
            out_number(&o, &ps, (uintptr_t)va_arg(ap, void *), 16, false, false, "0x");
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            out_field(&o, &sp, &c, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n = 0;
            if (!s)
                s = "(null)";
            while (s[n] && (sp.precision < 0 || n < sp.precision))
                n++;
            out_field(&o, &sp, s, n);
            break;
        }
        case '%':
            out_char(&o, '%');
            break;
        case '\0':
            p--;   /* a lone '%' at the end: stop at the terminator */
            break;
        default:   /* unknown conversion: print it as written so the mistake is visible */
            out_char(&o, '%');
            out_char(&o, *p);
            break;
        }
    }
    va_end(ap);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
