/* Writing the document model as JSON: two-space indentation (up to a depth), keys in their
 * order, scalars typed as Kubernetes reads YAML (scalar.h), keys as strings. libyaml cannot write
 * JSON (its escapes and line folding are YAML's), so this is done here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "scalar.h"
#include "stream.h"
#include "strmap.h"

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

/* Indentation stops growing at MAX_INDENT levels: a document nested
 * thousands deep would otherwise be written in a size that grows with the
 * square of its depth. */
#define MAX_INDENT 64

static void indent(json_out *o, size_t depth)
{
    put(o, "\n", 1);
    for (size_t i = 0; i < depth && i < MAX_INDENT; i++)
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
 * spelled as Kubernetes spells it (true, 8 for 010). The spelling, in
 * *typed (to free) when it differs from the text; NULL when out of memory. */
static const char *key_text(const node *k, char **typed)
{
    size_t size = (size_t)k->len + 32;
    *typed = malloc(size);
    if (*typed && scalar_json_key(k, *typed, size))
        return *typed;
    free(*typed);
    *typed = NULL;
    return k->as.text;
}

static void put_key(json_out *o, const node *k)
{
    char *typed;
    const char *text = key_text(k, &typed);
    put_string(o, text, typed ? strlen(typed) : k->len);
    free(typed);
}

/* Two keys of one mapping that Kubernetes reads as one (y and on are both
 * true, 010 and 8 both 8) cannot both be JSON keys, nor can a null key
 * (empty, ~, null), which Kubernetes refuses: the first mapping holding
 * such a pair, its keys in *a and *b, or such a key, in both; NULL when
 * there is none. */
static const node *key_clash(const node *n, const node **a, const node **b)
{
    if (n->kind == NODE_SCALAR)
        return NULL;
    size_t slots = node_slots(n);
    for (size_t i = n->kind == NODE_MAPPING; i < slots; i += 1 + (n->kind == NODE_MAPPING)) {
        const node *inner = key_clash(n->as.items[i], a, b);
        if (inner)
            return inner;
    }
    if (n->kind != NODE_MAPPING)
        return NULL;
    size_t spelled = 0; /* keys whose JSON spelling is not their text: usually none */
    for (size_t i = 0; i < n->len; i++) {
        scalar_type t = map_key(n, i)->kind == NODE_SCALAR ? scalar_resolve(map_key(n, i)) : SCALAR_STR;
        if (t == SCALAR_NULL) {
            *a = *b = map_key(n, i);
            return n;
        }
        spelled += t == SCALAR_BOOL || t == SCALAR_INT || t == SCALAR_FLOAT;
    }
    if (!spelled)
        return NULL; /* distinct texts, as the loader made sure */
    strmap seen;
    strmap_init(&seen);
    char **typed = calloc(n->len + 1, sizeof *typed);
    const node *clash = NULL;
    for (size_t i = 0; typed && i < n->len && !clash; i++) {
        const char *text = key_text(map_key(n, i), &typed[i]);
        const node *first = strmap_get(&seen, text, strlen(text));
        if (first)
            clash = n, *a = first, *b = map_key(n, i);
        else if (strmap_put(&seen, text, strlen(text), (void *)map_key(n, i)) != 0)
            break; /* out of memory: the writing finds it */
    }
    for (size_t i = 0; typed && i < n->len; i++)
        free(typed[i]);
    free(typed);
    strmap_free(&seen);
    return clash;
}

/* What key_clash found, said. */
static vp_error *key_error(const vp_stream *s, const node *map, const node *a, const node *b)
{
    const char *file = s->filename ? s->filename : "";
    if (a == b)
        return error_new(VP_EINVALID, file, map->line, map->column, "key '%s' of a mapping is null to Kubernetes, "
                         "which refuses it, and JSON cannot hold it (a quoted key without a tag is a string)",
                         a->as.text);
    return error_new(VP_EINVALID, file, map->line, map->column, "keys '%s' and '%s' of a mapping are one key to "
                     "Kubernetes, which JSON cannot hold twice (quote them in the YAML to keep them strings)",
                     a->as.text, b->as.text);
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
    for (size_t i = 0; i < s->ndocs; i++) { /* before anything is written */
        const node *a, *b, *clash = s->docs[i].root ? key_clash(s->docs[i].root, &a, &b) : NULL;
        if (clash) {
            free(o);
            return error_give(err, key_error(s, clash, a, b));
        }
    }
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
