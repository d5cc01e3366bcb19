#include "scalar.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers whatever the locale ------------------------------------------
 *
 * strtod and printf's %e read and write the decimal point of the thread's
 * locale: a program linking volpass may have called setlocale with one
 * whose point is ','. They run under the C locale, switched for the calling
 * thread alone (uselocale). Were it missing, the thread's own is kept. */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Puts the calling thread under the C locale; returns the locale to restore. */
static locale_t enter_c_locale(void)
{
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale ? uselocale(c_locale) : (locale_t)0;
}

static void leave_c_locale(locale_t before)
{
    if (before)
        uselocale(before);
}

static double c_strtod(const char *s)
{
    locale_t before = enter_c_locale();
    double v = strtod(s, NULL);
    leave_c_locale(before);
    return v;
}

static bool is_one_of(const char *text, size_t len, const char *const *words)
{
    if (len == 0)
        return false; /* no word is empty */
    for (; *words; words++) /* the first byte rules out most words before strlen */
        if ((*words)[0] == text[0] && strlen(*words) == len && memcmp(*words, text, len) == 0)
            return true;
    return false;
}

/* go-yaml v2's table of words (resolve.go): everything else is a string
 * unless it starts like a number. */
static const char *const null_words[] = {"~", "null", "Null", "NULL", NULL};
static const char *const true_words[] = {"y",  "Y",  "yes", "Yes", "YES", "true", "True",
                                         "TRUE", "on", "On", "ON", NULL};
static const char *const false_words[] = {"n",  "N",   "no",  "No",  "NO", "false", "False",
                                          "FALSE", "off", "Off", "OFF", NULL};
static const char *const special_floats[] = {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf",
                                             "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", NULL};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The value of c as a digit of `base`, or -1. */
static int digit_in(char c, int base)
{
    int d = is_digit(c) ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
    return d < base ? d : -1;
}

/* A plain scalar that starts like a number, as go-yaml v2 reads it: '_'
 * dropped, then Go's strconv.ParseInt(s, 0, 64) (a sign, then 0b, 0o, 0x
 * or a leading 0 for octal), or ParseUint for what only fits in 64 unsigned
 * bits, or else a float of the form below that a double can hold. */
typedef struct number {
    scalar_type type;    /* SCALAR_INT, SCALAR_FLOAT or SCALAR_STR (not a number) */
    bool negative;       /* integers: the value is -magnitude */
    uintmax_t magnitude;
} number;

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? — go-yaml v2's float syntax. */
static bool is_go_float(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    size_t digits = 0;
    while (is_digit(*s))
        s++, digits++;
    if (*s == '.') {
        s++;
        size_t fraction = 0;
        while (is_digit(*s))
            s++, fraction++;
        if (digits == 0 && fraction == 0)
            return false;
    } else if (digits == 0) {
        return false;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!is_digit(*s))
            return false;
        while (is_digit(*s))
            s++;
    }
    return *s == '\0';
}

static bool go_integer(const char *s, number *out)
{
    bool signed_ = *s == '-' || *s == '+';
    out->negative = *s == '-';
    s += signed_;
    int base = 10;
    if (s[0] == '0' && s[1]) {
        char p = (char)(s[1] | 0x20);
        base = p == 'b' ? 2 : p == 'o' ? 8 : p == 'x' ? 16 : 8;
        s += base == 8 && p != 'o' ? 1 : 2;
    }
    if (!*s)
        return false;
    uintmax_t v = 0;
    for (; *s; s++) {
        int d = digit_in(*s, base);
        if (d < 0 || v > (UINT64_MAX - (uintmax_t)d) / (uintmax_t)base)
            return false;
        v = v * (uintmax_t)base + (uintmax_t)d;
    }
    out->magnitude = v;
    if (out->negative)
        return v <= (uintmax_t)INT64_MAX + 1;
    return v <= (uintmax_t)INT64_MAX || !signed_; /* ParseUint takes no sign */
}

static number go_number(const char *t, size_t len)
{
    number n = {SCALAR_STR, false, 0};
    char small[128];
    char *s = len < sizeof small ? small : malloc(len + 1);
    if (!s)
        return n; /* out of memory: a string, which JSON can always hold */
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (t[i] != '_')
            s[k++] = t[i];
    s[k] = '\0';
    if (t[0] == '.' && k != len)
        ; /* a float that starts with '.' is read as written: no '_' */
    else if (t[0] != '.' && go_integer(s, &n))
        n.type = SCALAR_INT;
    else if (is_go_float(s) && !isinf(c_strtod(s)))
        n.type = SCALAR_FLOAT; /* Go refuses a float out of range: a string */
    if (s != small)
        free(s);
    return n;
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
    if (len <= 5 && is_one_of(t, len, special_floats))
        return SCALAR_FLOAT;
    return go_number(t, len).type;
}

static scalar_type resolve_tag(const char *tag)
{
    static const char core[] = CORE_TAG;
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

/* Go's time.Parse reading digits for a layout field of one digit ("1",
 * "2", "15", "4", "5"): one or two. Their value, and *s moved past them; -1
 * when there are none. */
static int go_short_number(const char **s)
{
    if (!is_digit(**s))
        return -1;
    int v = *(*s)++ - '0';
    if (is_digit(**s))
        v = 10 * v + (*(*s)++ - '0');
    return v;
}

static int days_in_month(int month, int year)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return month == 2 && leap ? 29 : days[month - 1];
}

/* Whether go-yaml v2 takes text as a timestamp (resolve.go): Go's time.Parse
 * of one of "2006-1-2T15:4:5.999999999Z07:00" (or 't'), "2006-1-2
 * 15:4:5.999999999" (one space or more, no zone) and "2006-1-2". */
static bool is_go_timestamp(const char *s)
{
    int year = 0;
    for (int i = 0; i < 4; i++, s++) {
        if (!is_digit(*s))
            return false;
        year = 10 * year + (*s - '0');
    }
    if (*s++ != '-')
        return false;
    int month = go_short_number(&s);
    if (month < 1 || month > 12 || *s++ != '-')
        return false;
    int day = go_short_number(&s);
    if (day < 1 || day > days_in_month(month, year))
        return false;
    if (*s == '\0')
        return true;
    bool zoned = *s == 'T' || *s == 't';
    if (zoned)
        s++;
    else if (*s == ' ')
        s += strspn(s, " ");
    else
        return false;
    int hour = go_short_number(&s);
    int minute = hour >= 0 && *s == ':' ? (s++, go_short_number(&s)) : -1;
    int second = minute >= 0 && *s == ':' ? (s++, go_short_number(&s)) : -1;
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
        return false;
    if ((*s == '.' || *s == ',') && is_digit(s[1]))
        for (s++; is_digit(*s); s++)
            ;
    if (!zoned)
        return *s == '\0';
    if (*s == 'Z')
        return s[1] == '\0';
    /* ±hh:mm, hours up to 24 and minutes up to 60 (Go allows both) */
    return (s[0] == '+' || s[0] == '-') && is_digit(s[1]) && is_digit(s[2]) && s[3] == ':' && is_digit(s[4]) &&
           is_digit(s[5]) && s[6] == '\0' && (s[1] - '0') * 10 + (s[2] - '0') <= 24 &&
           (s[4] - '0') * 10 + (s[5] - '0') <= 60;
}

bool scalar_fits_tag(const node *n)
{
    if (strcmp(node_tag(n), CORE_TAG "timestamp") == 0)
        return strlen(n->as.text) == n->len && is_go_timestamp(n->as.text);
    scalar_type t = resolve_tag(node_tag(n)), plain = resolve_plain(n->as.text, n->len);
    return t == SCALAR_STR || t == plain || (t == SCALAR_FLOAT && plain == SCALAR_INT);
}

size_t scalar_base64_decode(const char *text, size_t len, char *out)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t group = 0;
    size_t n = 0, in_group = 0, padding = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\n' || c == '\r')
            continue;
        const char *d = c && !padding ? strchr(digits, c) : NULL;
        if (c == '=' && in_group >= 2) {
            padding++;
            in_group++;
        } else if (d) {
            group = group << 6 | (uint32_t)(d - digits);
            in_group++;
        } else {
            return SIZE_MAX;
        }
        if (in_group == 4) {
            group <<= 6 * padding;
            for (size_t b = 0; b < 3 - padding; b++)
                out[n++] = (char)(group >> (16 - 8 * b));
            group = 0;
            in_group = 0;
            if (padding)
                padding = 4; /* nothing may follow */
        }
    }
    return in_group ? SIZE_MAX : n;
}

scalar_type scalar_resolve(const node *n)
{
    if (n->tagged) /* the loader refuses a tag the text does not fit (!!int abc) */
        return resolve_tag(node_tag(n));
    return n->style == STYLE_PLAIN ? resolve_plain(n->as.text, n->len) : SCALAR_STR;
}

bool scalar_needs_quotes(const char *text, size_t len)
{
    if (resolve_plain(text, len) != SCALAR_STR)
        return true;
    /* PyYAML's value key and the merge key. */
    if (len <= 2 && is_one_of(text, len, (const char *const[]){"=", "<<", NULL}))
        return true;
    /* Anything else that starts like a number (1:30, a base-60 number to
     * YAML 1.1, or 2024-01-01, a timestamp) may be one to some reader: quote it. */
    char c = len ? text[0] : 0;
    char d = len > 1 ? text[1] : 0;
    return is_digit(c) || ((c == '-' || c == '+' || c == '.') && (is_digit(d) || d == '.'));
}

/* t[*i], passing over '_'; '\0' at the end. */
static char significant(const char *t, size_t len, size_t *i)
{
    while (*i < len && t[*i] == '_')
        ++*i;
    return *i < len ? t[*i] : '\0';
}

/* A float go-yaml accepts, written as JSON wants a number: no '+' or '_',
 * no leading zeros, a digit on each side of the point ("08" -> "8",
 * "+1." -> "1.0", "-.5e3" -> "-0.5e3"). buf holds len + 3 bytes. */
static void float_literal(const char *t, size_t len, char *buf)
{
    size_t i = 0, n = 0;
    char c = significant(t, len, &i);
    if (c == '-' || c == '+') {
        if (c == '-')
            buf[n++] = '-';
        ++i;
        c = significant(t, len, &i);
    }
    while (c == '0') { /* leading zeros go, but for one before the point or the end */
        size_t next = i + 1;
        if (!is_digit(significant(t, len, &next)))
            break;
        c = t[i = next];
    }
    if (!is_digit(c))
        buf[n++] = '0';
    for (; is_digit(c); ++i, c = significant(t, len, &i))
        buf[n++] = c;
    if (c == '.') {
        buf[n++] = c;
        ++i;
        if (!is_digit(c = significant(t, len, &i)))
            buf[n++] = '0';
    }
    for (; c; ++i, c = significant(t, len, &i))
        buf[n++] = c;
    buf[n] = '\0';
}

/* The value of a scalar that resolves as a boolean: y, yes, true, on
 * (any case go-yaml accepts) are true; n, no, false, off are false. */
static bool bool_value(const node *n)
{
    char c = n->len ? n->as.text[0] : 'n';
    return c == 'y' || c == 'Y' || c == 't' || c == 'T' || ((c == 'o' || c == 'O') && n->len == 2);
}

bool scalar_is_null(const node *n)
{
    if (!n || n->kind != NODE_SCALAR)
        return false;
    if (n->tagged)
        return scalar_resolve(n) == SCALAR_NULL;
    return n->style == STYLE_PLAIN && (n->len == 0 || is_one_of(n->as.text, n->len, null_words));
}

bool scalar_is_true(const node *n)
{
    return n && n->kind == NODE_SCALAR && scalar_resolve(n) == SCALAR_BOOL && bool_value(n);
}

bool scalar_json_literal(const node *n, scalar_type type, char *buf, size_t size)
{
    if (type == SCALAR_BOOL) {
        snprintf(buf, size, "%s", bool_value(n) ? "true" : "false");
        return true;
    }
    if (size < (size_t)n->len + 32)
        return false;
    number v = go_number(n->as.text, n->len);
    if (type == SCALAR_FLOAT && v.type != SCALAR_INT) { /* an integer tagged !!float is its value, in decimal */
        if (is_one_of(n->as.text, n->len, special_floats))
            return false; /* .inf and .nan have no JSON form */
        float_literal(n->as.text, n->len, buf);
        return true;
    }
    if (v.type != SCALAR_INT)
        return false; /* tagged !!int but no integer: never resolved so */
    snprintf(buf, size, "%s%" PRIuMAX, v.negative && v.magnitude ? "-" : "", v.magnitude);
    return true;
}

/* Go's strconv.FormatFloat(v, 'g', -1, 32), as sigs.k8s.io/yaml spells a
 * float key: the fewest digits that read back as the same float32, in
 * exponent form below 1e-4 or from 1e6 on ("1e+06", "0.5", "1e-05"). */
static void go_float32_key(double value, char *buf, size_t size)
{
    float f = (float)value;
    if (isinf(f) || isnan(f)) {
        snprintf(buf, size, "%s", isnan(f) ? ".nan" : f > 0 ? ".inf" : "-.inf");
        return;
    }
    if (f == 0) {
        snprintf(buf, size, "%s", signbit(f) ? "-0" : "0");
        return;
    }
    char e[32];
    locale_t before = enter_c_locale();
    for (int precision = 0; precision < 9; precision++) {
        snprintf(e, sizeof e, "%.*e", precision, (double)f);
        if ((float)strtod(e, NULL) == f)
            break;
    }
    leave_c_locale(before);
    /* e is [-]d[.ddd]e±XX: its digits, without the point and trailing zeros. */
    char digits[16];
    size_t nd = 0;
    const char *p = e + (e[0] == '-');
    for (; *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    int exp = atoi(p + 1);
    char out[48];
    size_t n = 0;
    if (e[0] == '-')
        out[n++] = '-';
    if (exp < -4 || exp >= 6) {
        out[n++] = digits[0];
        if (nd > 1)
            out[n++] = '.';
        snprintf(out + n, sizeof out - n, "%se%c%02d", digits + 1, exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    } else {
        /* The digits around the point, with zeros between them and it. */
        int point = exp + 1; /* digits before the point */
        for (int i = point <= 0 ? point - 1 : 0; i < (int)nd || i < point; i++) {
            if (i == point)
                out[n++] = '.';
            out[n++] = i >= 0 && i < (int)nd ? digits[i] : '0';
        }
        out[n] = '\0';
    }
    snprintf(buf, size, "%s", out);
}

bool scalar_json_key(const node *n, char *buf, size_t size)
{
    scalar_type type = scalar_resolve(n);
    if (type == SCALAR_BOOL || type == SCALAR_INT)
        return scalar_json_literal(n, type, buf, size);
    if (type != SCALAR_FLOAT)
        return false;
    if (scalar_json_literal(n, type, buf, size))
        go_float32_key(c_strtod(buf), buf, size);
    else /* .inf, .nan: the spellings go-yaml writes */
        snprintf(buf, size, "%s", (n->as.text[n->len - 3] | 0x20) == 'n' ? ".nan" : n->as.text[0] == '-' ? "-.inf" : ".inf");
    return true;
}

/* The bytes of the UTF-8 character text starts with (of `left`), or 0 when
 * they are not one (a stray byte, an overlong form, a surrogate). */
static size_t utf8_width(const char *text, size_t left)
{
    const unsigned char *s = (const unsigned char *)text;
    unsigned c = s[0];
    size_t width = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (width == 0 || left < width)
        return 0;
    unsigned long value = width == 1 ? c : c & (0x7Fu >> width);
    for (size_t k = 1; k < width; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        value = value << 6 | (s[k] & 0x3Fu);
    }
    static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000}; /* shorter forms are overlong */
    if (value < least[width] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    return width;
}

bool text_is_utf8(const char *text, size_t len)
{
    for (size_t i = 0, width; i < len; i += width) {
        uint64_t eight;
        if (len - i >= 8 && (memcpy(&eight, text + i, 8), !(eight & UINT64_C(0x8080808080808080)))) {
            width = 8; /* ASCII, most text: eight bytes at a time */
            continue;
        }
        if (!(width = utf8_width(text + i, len - i)))
            return false;
    }
    return true;
}

const char *text_as_utf8(arena *a, const char *text, size_t len)
{
    if (text_is_utf8(text, len))
        return text;
    char *out = arena_alloc(a, 3 * len + 1); /* at most one U+FFFD, 3 bytes, per byte */
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0, width; i < len; i += width) {
        if ((width = utf8_width(text + i, len - i)) != 0) {
            memcpy(out + n, text + i, width);
            n += width;
        } else {
            memcpy(out + n, "\xEF\xBF\xBD", 3);
            n += 3;
            width = 1;
        }
    }
    out[n] = '\0';
    return out;
}

char text_ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool text_equal_ignoring_case(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (text_ascii_lower(a[i]) != text_ascii_lower(b[i]))
            return false;
    return true;
}
