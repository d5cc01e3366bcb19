/* Writing the document model as JSON: two-space indentation, keys in their
 * order, scalars typed as Kubernetes reads YAML (scalar.h), keys as strings. libyaml cannot write
 * JSON (its escapes and line folding are YAML's), so this is done here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "scalar.h"
#include "stream.h"

typedef struct json_out {
    vp_write_fn write;
    void *ctx;
    char buf[16384];
    size_t used;
    bool failed;
} json_out;

static void flush(json_out *o)
{
    if (o->used && !o->failed && o->write(o->buf, o->used, o->ctx) != 0)
        o->failed = true;
    o->used = 0;
}

static void put(json_out *o, const char *s, size_t n)
{
    if (n > sizeof o->buf - o->used) {
        flush(o);
        if (n > sizeof o->buf) {
            if (!o->failed && o->write(s, n, o->ctx) != 0)
                o->failed = true;
            return;
        }
    }
    memcpy(o->buf + o->used, s, n);
    o->used += n;
}

static void put_text(json_out *o, const char *s) { put(o, s, strlen(s)); }

static void indent(json_out *o, size_t depth)
{
    put(o, "\n", 1);
    for (size_t i = 0; i < depth; i++)
        put(o, "  ", 2);
}

/* Characters a YAML reader (volpass's own) would not take literally in a
 * JSON string: control characters (C0, DEL, C1: refused), NEL, LS and PS
 * (line breaks, folded into spaces), U+FFFE and U+FFFF (refused). Returns
 * how many bytes the character at p takes, 0 when it is safe; sets *cp. */
static size_t unsafe_char(const unsigned char *p, size_t left, unsigned *cp)
{
    if (p[0] < 0x20 || p[0] == 0x7F) {
        *cp = p[0];
        return 1;
    }
    if (left >= 2 && p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
        *cp = p[1];
        return 2;
    }
    if (left >= 3 && ((p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) ||
                      (p[0] == 0xEF && p[1] == 0xBF && p[2] >= 0xBE))) {
        *cp = (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3Fu);
        return 3;
    }
    return 0;
}

static void put_string(json_out *o, const char *s, size_t len)
{
    put(o, "\"", 1);
    size_t run = 0; /* bytes that need no escape, written in one go */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char hex[8];
        size_t width = 1;
        unsigned cp;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if ((width = unsafe_char((const unsigned char *)s + i, len - i, &cp)) != 0) {
                snprintf(hex, sizeof hex, "\\u%04x", cp);
                esc = hex;
            }
        }
        if (!esc)
            continue;
        put(o, s + run, i - run);
        put_text(o, esc);
        run = i + width;
        i = run - 1;
    }
    put(o, s + run, len - run);
    put(o, "\"", 1);
}

static void put_scalar(json_out *o, const node *n)
{
    scalar_type type = scalar_resolve(n);
    if (type == SCALAR_NULL) {
        put_text(o, "null");
        return;
    }
    if (type != SCALAR_STR) {
        size_t size = (size_t)n->len + 32;
        char *lit = malloc(size);
        bool ok = lit && scalar_json_literal(n, type, lit, size);
        if (ok)
            put_text(o, lit);
        free(lit);
        if (ok)
            return;
    }
    put_string(o, n->as.text, n->len);
}

/* JSON keys are strings: a key YAML reads as a boolean or a number is
 * spelled as Kubernetes spells it (true, 8 for 010). */
static void put_key(json_out *o, const node *k)
{
    size_t size = (size_t)k->len + 32;
    char *typed = malloc(size);
    if (typed && scalar_json_key(k, typed, size))
        put_string(o, typed, strlen(typed));
    else
        put_string(o, k->as.text, k->len);
    free(typed);
}

static void put_node(json_out *o, const node *n, size_t depth)
{
    if (n->kind == NODE_SCALAR) {
        put_scalar(o, n);
        return;
    }
    bool map = n->kind == NODE_MAPPING;
    put(o, map ? "{" : "[", 1);
    for (size_t i = 0; i < n->len; i++) {
        if (i)
            put(o, ",", 1);
        indent(o, depth + 1);
        if (map) {
            put_key(o, map_key(n, i));
            put(o, ": ", 2);
            put_node(o, map_value(n, i), depth + 1);
        } else {
            put_node(o, n->as.items[i], depth + 1);
        }
    }
    if (n->len)
        indent(o, depth);
    put(o, map ? "}" : "]", 1);
}

vp_status emit_json(const vp_stream *s, vp_write_fn write, void *ctx, vp_error **err)
{
    json_out *o = malloc(sizeof *o);
    if (!o)
        return error_give(err, error_oom());
    o->write = write;
    o->ctx = ctx;
    o->used = 0;
    o->failed = false;
    for (size_t i = 0; i < s->ndocs; i++) {
        if (s->docs[i].root)
            put_node(o, s->docs[i].root, 0);
        else
            put_text(o, "null");
        put(o, "\n", 1);
    }
    flush(o);
    bool failed = o->failed;
    free(o);
    return failed ? error_give(err, error_new(VP_EIO, "", 0, 0, "cannot write the output")) : VP_OK;
}
