/* The hypervisor's command line: lookup of "key=value" words and number parsing. */
#include "lib/cmdline.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool cmdline_get(const char *cmdline, const char *key, char *value, size_t size)
{
    bool found = false;
    size_t key_len = 0;

    if (size)
        value[0] = '\0';
    if (!cmdline || !key)
        return false;
    while (key[key_len])
        key_len++;

    const char *p = cmdline;
    while (*p) {
        while (is_space(*p))
            p++;
        const char *word = p;
        while (*p && !is_space(*p))
            p++;
        size_t word_len = (size_t)(p - word);
        if (word_len < key_len || key_len == 0)
            continue;
        bool same_key = true;
        for (size_t i = 0; i < key_len; i++)
            if (word[i] != key[i])
                same_key = false;
        if (!same_key || (word_len > key_len && word[key_len] != '='))
            continue;

        const char *v = word_len > key_len ? word + key_len + 1 : word + word_len;
        size_t v_len = (size_t)(p - v);
        if (v_len >= size) {
            found = false;
            if (size)
                value[0] = '\0';
            continue;
        }
        for (size_t i = 0; i < v_len; i++)
            value[i] = v[i];
        value[v_len] = '\0';
        found = true;
    }
    return found;
}

bool cmdline_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;

    if (!s || !*s)
        return false;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (!*s)
            return false;
    }
    for (; *s; s++) {
        unsigned digit;
        if (*s >= '0' && *s <= '9')
            digit = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            digit = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            digit = (unsigned)(*s - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - digit) / base)
            return false;
        v = v * base + digit;
    }
    *out = v;
    return true;
}

const char *cmdline_module_args(const char *module_string, const char *name)
{
    if (!module_string || !name || !*name)
        return 0;
    const char *p = module_string;
    while (is_space(*p))
        p++;
    for (; *name; name++, p++)
        if (*p != *name)
            return 0;
    if (*p && !is_space(*p))
        return 0;
    while (is_space(*p))
        p++;
    return p;
}
