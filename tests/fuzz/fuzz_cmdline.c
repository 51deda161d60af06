/* libFuzzer target for lib/cmdline.c: "key=value" lookup and number parsing, checked
 * against a plain reference (the last word with the key decides; strtoull for numbers).
 *
 * Input: u8 value buffer size, the key up to a NUL byte, then the command line. */
#include "tests/fuzz/fuzz_common.h"

#include <errno.h>

#include "lib/cmdline.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* What cmdline_get must answer: the last word that is `key` or starts with "key=" decides;
 * its value is returned when it fits in size - 1 characters. */
static bool reference_get(const char *cmdline, const char *key, const char **value,
                          size_t *value_len, size_t size)
{
    size_t key_len = strlen(key);
    bool found = false;

    for (const char *p = cmdline; *p;) {
        while (is_space(*p))
            p++;
        const char *word = p;
        while (*p && !is_space(*p))
            p++;
        size_t len = (size_t)(p - word);
        if (key_len == 0 || len < key_len || memcmp(word, key, key_len) != 0 ||
            (len > key_len && word[key_len] != '='))
            continue;
        *value = len > key_len ? word + key_len + 1 : word + len;
        *value_len = (size_t)(p - *value);
        found = *value_len < size;
    }
    return found;
}

/* cmdline_parse_u64 against strtoull, which accepts more (signs, spaces), so it is asked
 * only about strings made of the digits of the base. */
static void check_number(const char *s)
{
    uint64_t got = 0;
    bool ok = cmdline_parse_u64(s, &got);
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    bool well_formed = *digits != '\0';

    for (const char *p = digits; *p && well_formed; p++)
        well_formed = hex ? (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                                (*p >= 'A' && *p <= 'F')
                          : *p >= '0' && *p <= '9';
    if (!well_formed) {
        FUZZ_CHECK(!ok);
        return;
    }
    errno = 0;
    unsigned long long want = strtoull(digits, NULL, hex ? 16 : 10);
    if (errno == ERANGE) {
        FUZZ_CHECK(!ok);
        return;
    }
    FUZZ_CHECK(ok);
    FUZZ_CHECK(got == want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t value_size = data[0];
    const uint8_t *rest = data + 1;
    size_t rest_len = size - 1;
    const uint8_t *nul = memchr(rest, '\0', rest_len);
    size_t key_len = nul ? (size_t)(nul - rest) : rest_len;
    size_t line_len = nul ? rest_len - key_len - 1 : 0;
    char *key = (char *)fuzz_dup(rest, key_len, true);
    char *line = (char *)fuzz_dup(nul ? nul + 1 : rest, line_len, true);
    /* An exact-size value buffer: ASan sees a write past value_size (0 included). */
    char *value = malloc(value_size);
    const char *want = NULL;
    size_t want_len = 0;

    if (!value && value_size)
        abort();
    if (value_size)
        memset(value, 'x', value_size);

    bool got = cmdline_get(line, key, value, value_size);
    bool expect = reference_get(line, key, &want, &want_len, value_size);
    FUZZ_CHECK(got == expect);
    if (got) {
        FUZZ_CHECK(strlen(value) == want_len);
        FUZZ_CHECK(memcmp(value, want, want_len) == 0);
        check_number(value);
    } else if (value_size > 0) {
        FUZZ_CHECK(value[0] == '\0');
    }
    FUZZ_CHECK(!cmdline_get(NULL, key, value, value_size));

    check_number(key);
    check_number(line);
    free(key);
    free(line);
    free(value);
    return 0;
}
