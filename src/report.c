/* Writing reports: verify's (one line per hand-off and problem and a
 * summary) and --explain's decisions, as text or as JSON (built as a
 * document and written by the JSON emitter). */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "scalar.h"
#include "stream.h"
#include "verify.h"

/* Writes s with its control characters as \xNN: names from a workflow
 * must not drive the terminal or CI log that shows a report. NULL writes
 * nothing: a caller's decision may leave strings out. */
static int put(vp_write_fn write, void *ctx, const char *s)
{
    if (!s)
        return 0;
    const char *run = s;
    for (; *s; s++) {
        if ((unsigned char)*s >= 0x20 && *s != 0x7f)
            continue;
        char escaped[5];
        snprintf(escaped, sizeof escaped, "\\x%02x", (unsigned char)*s);
        if (write(run, (size_t)(s - run), ctx) || write(escaped, 4, ctx))
            return -1;
        run = s + 1;
    }
    return write(run, (size_t)(s - run), ctx);
}

static int end_line(vp_write_fn write, void *ctx)
{
    return write("\n", 1, ctx);
}

/* FILE:LINE:COLUMN: (FILE: with no line), the file written whole, however long. */
static int put_location(vp_write_fn write, void *ctx, const char *file, unsigned long line, unsigned long column)
{
    char where[64];
    if (line)
        snprintf(where, sizeof where, ":%lu:%lu: ", line, column);
    else
        snprintf(where, sizeof where, ": ");
    return put(write, ctx, file) || put(write, ctx, where);
}

static int write_line(const vp_verify_report *r, const entry *e, vp_write_fn write, void *ctx)
{
    int rc;
    if (e->kind == ENTRY_PROBLEM) {
        rc = put_location(write, ctx, r->file, e->line, e->column) || put(write, ctx, "problem: ") ||
             put(write, ctx, e->detail);
    } else {
        rc = put(write, ctx, e->preserved ? "preserved: " : "broken: ") ||
             put(write, ctx, e->producer) || put(write, ctx, " output '") ||
             put(write, ctx, e->output) || put(write, ctx, "' -> ") ||
             put(write, ctx, e->consumer) || put(write, ctx, " input '") ||
             put(write, ctx, e->input) || put(write, ctx, "'");
        if (!rc && e->sub_path)
            rc = put(write, ctx, " (subPath ") || put(write, ctx, e->sub_path) || put(write, ctx, ")");
        rc = rc || put(write, ctx, ": ") || put(write, ctx, e->detail);
    }
    return rc || end_line(write, ctx);
}

static vp_status write_text(const vp_verify_report *r, vp_write_fn write, void *ctx)
{
    for (size_t i = 0; i < r->count; i++)
        if (write_line(r, &r->entries[i], write, ctx))
            return VP_EIO;
    char summary[256];
    snprintf(summary, sizeof summary, "verify: %zu hand-off%s: %zu preserved, %zu broken; %zu problem%s",
             r->sum.handoffs, r->sum.handoffs == 1 ? "" : "s", r->sum.preserved, r->sum.broken, r->sum.problems,
             r->sum.problems == 1 ? "" : "s");
    return put(write, ctx, summary) || end_line(write, ctx) ? VP_EIO : VP_OK;
}

/* ---- JSON, through the document model ---------------------------------- */

typedef struct builder {
    arena *a;
    bool oom;
} builder;

/* A string node; "" for NULL. A file name need not be UTF-8, which JSON is. */
static node *string(builder *b, const char *s)
{
    s = s ? text_as_utf8(b->a, s, strlen(s)) : "";
    node *n = s ? node_string(b->a, s) : NULL;
    b->oom |= !n;
    return n;
}

static node *number(builder *b, size_t value)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%zu", value);
    node *n = node_scalar(b->a, digits, strlen(digits), STYLE_PLAIN);
    b->oom |= !n;
    return n;
}

static node *mapping(builder *b)
{
    node *n = node_collection(b->a, NODE_MAPPING, STYLE_BLOCK);
    b->oom |= !n;
    return n;
}

static void set(builder *b, node *map, const char *key, node *value)
{
    if (!map || !value || map_push(b->a, map, string(b, key), value) != 0)
        b->oom = true;
}

static node *entry_node(builder *b, const vp_verify_report *r, const entry *e)
{
    node *m = mapping(b);
    if (e->kind == ENTRY_PROBLEM) {
        set(b, m, "file", string(b, r->file));
        set(b, m, "line", number(b, e->line));
        set(b, m, "column", number(b, e->column));
        set(b, m, "message", string(b, e->detail));
        return m;
    }
    set(b, m, "verdict", string(b, e->preserved ? "preserved" : "broken"));
    set(b, m, "producer", string(b, e->producer));
    set(b, m, "output", string(b, e->output));
    set(b, m, "consumer", string(b, e->consumer));
    set(b, m, "input", string(b, e->input));
    set(b, m, "subPath", string(b, e->sub_path));
    set(b, m, e->preserved ? "location" : "reason", string(b, e->detail));
    return m;
}

/* Emits `root`, built in `a`, as one JSON document; frees the arena. */
static vp_status emit_built(arena *a, node *root, bool oom, vp_write_fn write, void *ctx, vp_error **err)
{
    vp_stream s;
    memset(&s, 0, sizeof s);
    document doc = {.root = root};
    s.docs = &doc;
    s.ndocs = 1;
    vp_status st = oom || !root ? error_give(err, error_oom()) : emit_json(&s, write, ctx, err);
    arena_free(a);
    return st;
}

static vp_status write_json(const vp_verify_report *r, vp_write_fn write, void *ctx, vp_error **err)
{
    arena a;
    arena_init(&a);
    builder b = {&a, false};
    node *root = mapping(&b);
    node *handoffs = node_collection(b.a, NODE_SEQUENCE, STYLE_BLOCK);
    node *problems = node_collection(b.a, NODE_SEQUENCE, STYLE_BLOCK);
    for (size_t i = 0; i < r->count && handoffs && problems; i++) {
        const entry *e = &r->entries[i];
        if (seq_push(b.a, e->kind == ENTRY_PROBLEM ? problems : handoffs, entry_node(&b, r, e)) != 0)
            b.oom = true;
    }
    node *summary = mapping(&b);
    set(&b, summary, "handoffs", number(&b, r->sum.handoffs));
    set(&b, summary, "preserved", number(&b, r->sum.preserved));
    set(&b, summary, "broken", number(&b, r->sum.broken));
    set(&b, summary, "problems", number(&b, r->sum.problems));
    set(&b, root, "handoffs", handoffs);
    set(&b, root, "problems", problems);
    set(&b, root, "summary", summary);
    return emit_built(&a, root, b.oom, write, ctx, err);
}

/* VP_OK for a format the header defines, else the error. */
static vp_status check_format(vp_report_format format, vp_error **err)
{
    if (format == VP_REPORT_TEXT || format == VP_REPORT_JSON)
        return VP_OK;
    return error_give(err, error_new(VP_EINVALID, NULL, 0, 0, "unknown report format %d", (int)format));
}

vp_status vp_verify_report_write(const vp_verify_report *r, vp_report_format format,
                                 vp_write_fn write, void *ctx, vp_error **err)
{
    if (check_format(format, err) != VP_OK)
        return VP_EINVALID;
    if (format == VP_REPORT_JSON)
        return write_json(r, write, ctx, err);
    vp_status st = write_text(r, write, ctx);
    return st == VP_OK ? VP_OK : error_give(err, error_new(VP_EIO, "", 0, 0, "cannot write the report"));
}

/* ---- --explain ---------------------------------------------------------- */

static vp_status decisions_json(const vp_decision *d, size_t n, vp_write_fn write, void *ctx,
                                vp_error **err)
{
    arena a;
    arena_init(&a);
    builder b = {&a, false};
    node *list = node_collection(&a, NODE_SEQUENCE, STYLE_BLOCK);
    for (size_t i = 0; i < n && list; i++) {
        node *m = mapping(&b);
        set(&b, m, "file", string(&b, d[i].file));
        set(&b, m, "template", string(&b, d[i].template_name));
        set(&b, m, "artifact", string(&b, d[i].artifact));
        set(&b, m, "role", string(&b, d[i].role));
        set(&b, m, "action", string(&b, d[i].action));
        set(&b, m, "detail", string(&b, d[i].detail));
        set(&b, m, "line", number(&b, d[i].line));
        set(&b, m, "column", number(&b, d[i].column));
        if (seq_push(&a, list, m) != 0)
            b.oom = true;
    }
    return emit_built(&a, list, b.oom, write, ctx, err);
}

vp_status vp_decisions_write(const vp_decision *d, size_t n, vp_report_format format,
                             vp_write_fn write, void *ctx, vp_error **err)
{
    if (check_format(format, err) != VP_OK)
        return VP_EINVALID;
    if (format == VP_REPORT_JSON)
        return decisions_json(d, n, write, ctx, err);
    for (size_t i = 0; i < n; i++) {
        int rc = put_location(write, ctx, d[i].file, d[i].line, d[i].column) || put(write, ctx, "template '") ||
                 put(write, ctx, d[i].template_name) || put(write, ctx, "'");
        if (!rc && d[i].artifact)
            rc = put(write, ctx, ", ") || put(write, ctx, d[i].role) || put(write, ctx, " artifact '") ||
                 put(write, ctx, d[i].artifact) || put(write, ctx, "'");
        rc = rc || put(write, ctx, ": ") || put(write, ctx, d[i].action) || put(write, ctx, ": ") ||
             put(write, ctx, d[i].detail) || end_line(write, ctx);
        if (rc)
            return error_give(err, error_new(VP_EIO, "", 0, 0, "cannot write the explanation"));
    }
    return VP_OK;
}
