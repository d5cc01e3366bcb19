/* Writing the document model as JSON: two-space indentation, keys in their
 * order, scalars typed as a YAML 1.1 reader types them. libyaml cannot write
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

static void put_string(json_out *o, const char *s, size_t len)
{
    put(o, "\"", 1);
    size_t run = 0; /* bytes that need no escape, written in one go */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char hex[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if (c < 0x20) {
                snprintf(hex, sizeof hex, "\\u%04x", c);
                esc = hex;
            }
        }
        if (!esc)
            continue;
        put(o, s + run, i - run);
        put_text(o, esc);
        run = i + 1;
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
            const node *k = map_key(n, i);
            put_string(o, k->as.text, k->len); /* JSON keys are strings, whatever YAML made of them */
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
