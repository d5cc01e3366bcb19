#include "scalar.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_one_of(const char *text, size_t len, const char *const *words)
{
    if (len == 0)
        return false; /* no word is empty */
    for (; *words; words++) /* the first byte rules out most words before strlen */
        if ((*words)[0] == text[0] && strlen(*words) == len && memcmp(*words, text, len) == 0)
            return true;
    return false;
}

static const char *const null_words[] = {"~", "null", "Null", "NULL", NULL};
static const char *const true_words[] = {"yes", "Yes", "YES", "true", "True", "TRUE",
                                         "on",  "On",  "ON",  NULL};
static const char *const false_words[] = {"no", "No", "NO", "false", "False", "FALSE",
                                          "off", "Off", "OFF", NULL};
/* Read as booleans by go-yaml v2 but not by PyYAML; never written plain. */
static const char *const go_bool_words[] = {"y", "Y", "n", "N", NULL};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Scans [0-9_]* (or another class) from *i; returns how many characters matched. */
static size_t skip(const char *t, size_t len, size_t *i, const char *set)
{
    size_t start = *i;
    while (*i < len && t[*i] && strchr(set, t[*i]))
        ++*i;
    return *i - start;
}

#define DEC "0123456789_"

/* (:[0-5]?[0-9])+ — the base-60 tail of YAML 1.1's sexagesimal numbers. */
static size_t skip_sexagesimal(const char *t, size_t len, size_t *i)
{
    size_t groups = 0;
    while (*i < len && t[*i] == ':') {
        size_t j = *i + 1;
        if (j + 1 < len && t[j] >= '0' && t[j] <= '5' && is_digit(t[j + 1]))
            j += 2;
        else if (j < len && is_digit(t[j]))
            j += 1;
        else
            break;
        *i = j;
        groups++;
    }
    return groups;
}

static bool is_int(const char *t, size_t len)
{
    size_t i = 0;
    if (i < len && (t[i] == '-' || t[i] == '+'))
        i++;
    if (i >= len || !is_digit(t[i]))
        return false;
    if (t[i] == '0') {
        if (i + 1 == len)
            return true;
        size_t j = i + 2;
        if (t[i + 1] == 'b')
            return skip(t, len, &j, "01_") > 0 && j == len;
        if (t[i + 1] == 'x')
            return skip(t, len, &j, "0123456789abcdefABCDEF_") > 0 && j == len;
        j = i + 1;
        return skip(t, len, &j, "01234567_") > 0 && j == len;
    }
    skip(t, len, &i, DEC);
    if (i == len)
        return true;
    return skip_sexagesimal(t, len, &i) > 0 && i == len;
}

static bool is_exponent(const char *t, size_t len, size_t i)
{
    if (i == len)
        return true;
    if ((t[i] != 'e' && t[i] != 'E') || i + 1 >= len || (t[i + 1] != '-' && t[i + 1] != '+'))
        return false;
    i += 2;
    return skip(t, len, &i, "0123456789") > 0 && i == len;
}

static bool is_float(const char *t, size_t len)
{
    size_t i = 0;
    if (len >= 1 && t[0] == '.') { /* .5, .inf, .nan */
        if (is_one_of(t, len, (const char *const[]){".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", NULL}))
            return true;
        i = 1;
        if (i >= len || !is_digit(t[i]))
            return false;
        skip(t, len, &i, DEC);
        return is_exponent(t, len, i);
    }
    if (i < len && (t[i] == '-' || t[i] == '+'))
        i++;
    if (is_one_of(t + i, len - i, (const char *const[]){".inf", ".Inf", ".INF", NULL}))
        return true;
    if (i >= len || !is_digit(t[i]))
        return false;
    skip(t, len, &i, DEC);
    skip_sexagesimal(t, len, &i);
    if (i >= len || t[i] != '.')
        return false;
    i++;
    skip(t, len, &i, DEC);
    return is_exponent(t, len, i);
}

/* A number starts with a digit, a sign or '.'; a null or boolean word with
 * one of the letters below (or '~'). Any other plain text is a string. */
static bool may_start_number(char c)
{
    return is_digit(c) || c == '+' || c == '-' || c == '.';
}

static bool may_start_word(char c)
{
    switch (c) {
    case '~': case 'n': case 'N': case 't': case 'T': case 'f': case 'F': case 'y': case 'Y':
    case 'o': case 'O':
        return true;
    default:
        return false;
    }
}

static scalar_type resolve_plain(const char *t, size_t len)
{
    if (len == 0)
        return SCALAR_NULL;
    if (!may_start_number(t[0])) {
        if (!may_start_word(t[0]) || len > 5) /* no word is longer than "false" */
            return SCALAR_STR;
        if (is_one_of(t, len, null_words))
            return SCALAR_NULL;
        if (is_one_of(t, len, true_words) || is_one_of(t, len, false_words))
            return SCALAR_BOOL;
        return SCALAR_STR;
    }
    if (is_int(t, len))
        return SCALAR_INT;
    if (is_float(t, len))
        return SCALAR_FLOAT;
    return SCALAR_STR;
}

static scalar_type resolve_tag(const char *tag)
{
    static const char core[] = "tag:yaml.org,2002:";
    if (strncmp(tag, core, sizeof core - 1) != 0)
        return SCALAR_STR;
    tag += sizeof core - 1;
    if (strcmp(tag, "null") == 0)
        return SCALAR_NULL;
    if (strcmp(tag, "bool") == 0)
        return SCALAR_BOOL;
    if (strcmp(tag, "int") == 0)
        return SCALAR_INT;
    if (strcmp(tag, "float") == 0)
        return SCALAR_FLOAT;
    return SCALAR_STR;
}

scalar_type scalar_resolve(const node *n)
{
    if (n->tagged) {
        scalar_type t = resolve_tag(node_tag(n));
        /* An explicit tag the text does not fit (!!int abc) is read as a string. */
        return t == SCALAR_STR || t == resolve_plain(n->as.text, n->len) ? t : SCALAR_STR;
    }
    return n->style == STYLE_PLAIN ? resolve_plain(n->as.text, n->len) : SCALAR_STR;
}

bool scalar_needs_quotes(const char *text, size_t len)
{
    if (resolve_plain(text, len) != SCALAR_STR)
        return true;
    if (len <= 4 && (is_one_of(text, len, go_bool_words) ||
                     is_one_of(text, len, (const char *const[]){"=", "<<", ".inf", ".Inf", ".INF", ".nan", ".NaN",
                                                                ".NAN", NULL})))
        return true;
    /* Anything that starts like a number (1e3, 0o17, 2024-01-01, 1_000) may be
     * one to some reader: quote it. */
    char c = len ? text[0] : 0;
    char d = len > 1 ? text[1] : 0;
    return is_digit(c) || ((c == '-' || c == '+' || c == '.') && (is_digit(d) || d == '.'));
}

/* Copies the text without '_' separators and without a leading '+'. */
static size_t clean_number(const char *t, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (t[i] != '_' && !(i == 0 && t[i] == '+'))
            out[n++] = t[i];
    out[n] = '\0';
    return n;
}

static bool sexagesimal_value(const char *digits, double *value)
{
    bool negative = digits[0] == '-';
    double v = 0;
    const char *p = digits + negative;
    while (*p) {
        char *end;
        double part = strtod(p, &end);
        v = v * 60 + part;
        p = *end == ':' ? end + 1 : end;
        if (end == p && *p)
            return false;
    }
    *value = negative ? -v : v;
    return true;
}

static bool int_literal(const char *digits, size_t n, char *buf, size_t size)
{
    bool negative = digits[0] == '-';
    const char *body = digits + negative;
    int base = 10;
    if (strchr(body, ':')) {
        double v;
        if (!sexagesimal_value(digits, &v))
            return false;
        snprintf(buf, size, "%.0f", v);
        return true;
    }
    if (body[0] == '0' && body[1] == 'b') {
        base = 2, body += 2;
    } else if (body[0] == '0' && body[1] == 'x') {
        base = 16, body += 2;
    } else if (body[0] == '0' && body[1]) {
        base = 8, body += 1;
    } else {
        /* Plain decimal: already JSON, however long. */
        snprintf(buf, size, "%.*s", (int)n, digits);
        return true;
    }
    errno = 0;
    uintmax_t v = strtoumax(body, NULL, base);
    if (errno == ERANGE)
        return false;
    snprintf(buf, size, "%s%" PRIuMAX, negative && v ? "-" : "", v);
    return true;
}

static bool float_literal(const char *digits, char *buf, size_t size)
{
    if (strchr(digits, ':')) {
        double v;
        if (!sexagesimal_value(digits, &v))
            return false;
        snprintf(buf, size, "%.17g", v);
        return true;
    }
    if (strchr(digits, 'i') || strchr(digits, 'I') || strchr(digits, 'n') || strchr(digits, 'N'))
        return false; /* .inf and .nan have no JSON form */
    /* [-]int.frac[e±exp] with every part JSON needs: "1." -> "1.0", ".5" -> "0.5", "007.5" -> "7.5". */
    const char *p = digits;
    size_t n = 0;
    if (*p == '-')
        buf[n++] = *p++;
    while (p[0] == '0' && is_digit(p[1]))
        p++;
    if (*p == '.')
        buf[n++] = '0';
    while (is_digit(*p))
        buf[n++] = *p++;
    buf[n++] = *p++; /* the '.' */
    if (!is_digit(*p))
        buf[n++] = '0';
    snprintf(buf + n, size - n, "%s", p);
    return true;
}

bool scalar_json_literal(const node *n, scalar_type type, char *buf, size_t size)
{
    if (type == SCALAR_BOOL) {
        char c = n->len ? n->as.text[0] : 'n';
        bool value = c == 'y' || c == 'Y' || c == 't' || c == 'T' ||
                     ((c == 'o' || c == 'O') && n->len == 2);
        snprintf(buf, size, "%s", value ? "true" : "false");
        return true;
    }
    if (size < (size_t)n->len + 32)
        return false;
    char *digits = malloc((size_t)n->len + 1);
    if (!digits)
        return false;
    size_t len = clean_number(n->as.text, n->len, digits);
    bool ok = type == SCALAR_INT ? int_literal(digits, len, buf, size) : float_literal(digits, buf, size);
    free(digits);
    return ok;
}

bool text_is_utf8(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        size_t width = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (width == 0 || len - i < width)
            return false;
        unsigned long value = width == 1 ? c : c & (0x7Fu >> width);
        for (size_t k = 1; k < width; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            value = value << 6 | (s[i + k] & 0x3Fu);
        }
        static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000}; /* shorter forms are overlong */
        if (value < least[width] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
            return false;
        i += width;
    }
    return true;
}
