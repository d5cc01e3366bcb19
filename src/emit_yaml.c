/* Writing the document model as YAML through libyaml's emitter. Each node
 * is written in the style it was read in; strings volpass created get the
 * quoting that keeps them strings for every reader; the input's comments
 * are put back beside their nodes. The writing goes in steps that
 * emit_halves.c can also stop at a cut inside a document and take up from
 * there (emit_yaml.h). */
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "emit_yaml.h"
#include "error.h"
#include "scalar.h"

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    yaml_out *out = data;
    return cw_put(&out->cw, (const char *)buffer, size) == 0;
}

static yaml_scalar_style_t yaml_scalar_style(node_style style)
{
    switch (style) {
    case STYLE_PLAIN: return YAML_PLAIN_SCALAR_STYLE;
    case STYLE_SINGLE: return YAML_SINGLE_QUOTED_SCALAR_STYLE;
    case STYLE_DOUBLE: return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    case STYLE_LITERAL: return YAML_LITERAL_SCALAR_STYLE;
    case STYLE_FOLDED: return YAML_FOLDED_SCALAR_STYLE;
    default: return YAML_ANY_SCALAR_STYLE;
    }
}

static size_t known_slot(const node *n)
{
    return ((uintptr_t)n / sizeof *n) % KNOWN_SLOTS;
}

/* Whether an untagged plain scalar reads as a string. */
static bool plain_is_string(yaml_out *out, const node *n)
{
    if (n->line != 0)
        return scalar_resolve(n) == SCALAR_STR;
    known_key *k = &out->keys[known_slot(n)];
    if (k->n != n || k->text != n->as.text)
        *k = (known_key){n, n->as.text, scalar_resolve(n) == SCALAR_STR};
    return k->string;
}

/* What writing n as a string of the emitter's style takes. */
static known_string any_style(yaml_out *out, const node *n)
{
    known_string *k = &out->strings[known_slot(n)];
    if (n->line == 0 && k->n == n && k->text == n->as.text)
        return *k;
    known_string fresh = {n, n->as.text, scalar_needs_quotes(n->as.text, n->len),
                          memchr(n->as.text, '\n', n->len) != NULL};
    if (n->line == 0)
        *k = fresh;
    return fresh;
}

/* libyaml's event constructors copy the text and tag, and fail when memory
 * runs out or when either is not UTF-8 (which loaded text always is; text
 * volpass made must be too). The event is then unset: never emitted. */
static int refused(yaml_out *out, const node *n)
{
    out->refused = n;
    return 0;
}

static bool node_is_utf8(const node *n)
{
    const char *tag = node_tag(n);
    return (!tag || text_is_utf8(tag, strlen(tag))) &&
           (n->kind != NODE_SCALAR || text_is_utf8(n->as.text, n->len));
}

/* The scalar event for n, written as `text`. libyaml's constructor copies
 * text and tag after checking that they are UTF-8, a tenth of the emitter's
 * time here; loaded text was checked as libyaml read it (n->utf8), so its
 * event is filled in directly. The copies are made with malloc, as libyaml
 * makes its own: yaml_event_delete frees them with free (api.c, yaml_free). */
static int scalar_event(yaml_event_t *e, const node *n, const char *text, size_t len, int plain_implicit,
                        int quoted_implicit, yaml_scalar_style_t style)
{
    const char *tag = node_tag(n);
    if (!n->utf8)
        return yaml_scalar_event_initialize(e, NULL, (yaml_char_t *)tag, (yaml_char_t *)text, (int)len,
                                            plain_implicit, quoted_implicit, style);
    char *value = len < INT_MAX ? malloc(len + 1) : NULL, *tag_copy = tag ? strdup(tag) : NULL;
    if (!value || (tag && !tag_copy)) {
        free(value);
        free(tag_copy);
        return 0;
    }
    memcpy(value, text, len);
    value[len] = '\0';
    e->type = YAML_SCALAR_EVENT; /* field by field: clearing the whole event first was a tenth of this walk */
    e->start_mark = e->end_mark = (yaml_mark_t){0, 0, 0};
    e->data.scalar.anchor = NULL;
    e->data.scalar.tag = (yaml_char_t *)tag_copy;
    e->data.scalar.value = (yaml_char_t *)value;
    e->data.scalar.length = len;
    e->data.scalar.plain_implicit = plain_implicit;
    e->data.scalar.quoted_implicit = quoted_implicit;
    e->data.scalar.style = style;
    return 1;
}

static int emit_scalar(yaml_emitter_t *em, yaml_out *out, const node *n, bool in_flow)
{
    yaml_event_t e;
    node_style style = (node_style)n->style;
    const char *text = n->as.text;
    size_t len = n->len;
    int plain_implicit, quoted_implicit;
    /* Not keeping styles, a multi-line plain scalar (always a string) is
     * written as any other string is, rather than quoted by libyaml in a
     * style that the next reading would not keep either. */
    if (!out->keep_styles && (style != STYLE_PLAIN || memchr(text, '\n', len)))
        style = STYLE_ANY;
    if (n->tagged) {
        plain_implicit = quoted_implicit = 0; /* written out */
    } else if (style == STYLE_PLAIN) {
        /* Kept plain where libyaml allows it; where it must quote (a folded
         * multi-line plain scalar), quoting keeps the meaning only for strings. */
        plain_implicit = 1;
        /* Nor can libyaml write ':' plain in flow: the only non-strings with
         * one are YAML 1.1's base-60 numbers (1:30), which YAML 1.2 and Go
         * (Argo) read as strings anyway. They become those strings, quoted,
         * rather than get the "!" tag libyaml would add (also a string). */
        quoted_implicit = plain_is_string(out, n) || (in_flow && memchr(text, ':', len));
        if (len == 0 && in_flow)
            text = "null", len = 4; /* libyaml would write '' there, a string (keys: null_key) */
    } else if (style == STYLE_ANY) {
        known_string k = any_style(out, n);
        plain_implicit = !k.quoted;
        quoted_implicit = 1;
        if (k.multiline)
            style = STYLE_LITERAL; /* libyaml falls back to quotes when it cannot */
    } else {
        plain_implicit = 0;
        quoted_implicit = 1;
    }
    if (!scalar_event(&e, n, text, len, plain_implicit, quoted_implicit, yaml_scalar_style(style)))
        return refused(out, n);
    if (!in_flow && n->commented)
        cw_after(&out->cw, n);
    return cw_emit(&out->cw, em, &e, n, false);
}

/* A scalar written as nothing at all: null. */
static bool empty_plain(const node *n)
{
    return n->kind == NODE_SCALAR && n->len == 0 && n->style == STYLE_PLAIN && !n->tagged;
}

/* libyaml quotes an empty plain key, which would make a string of it:
 * another spelling of null is written instead, one that no other key of
 * the mapping has (keys are distinct and null has five: one is free). */
static const char *null_key(const node *map)
{
    static const char *const spellings[] = {"null", "~", "Null", "NULL"};
    for (size_t i = 0; i < 3; i++)
        if (map_find(map, spellings[i]) < 0)
            return spellings[i];
    return spellings[3];
}

/* Writes the comments that led document d in the input (see load.c), as
 * lines of their own. libyaml's emitter writes an event out once it has
 * the events after it that it looks at, so after a flush it has written:
 * - at the first document's start, nothing: the comments go first, before
 *   any "---";
 * - after a root block collection's start event (`after_start`), the "---"
 *   before it and nothing else: the comments go on the lines after the
 *   "---", without a last line break, since the emitter believes it is
 *   still on the "---" line and starts the collection's first entry on a
 *   new one.
 * A later document whose root the emitter writes on its "---" line loses
 * its comments: before the "---" they would follow the document before,
 * and belong to it when read again. */
static int write_comments(yaml_emitter_t *em, yaml_out *out, const comment_block *c, bool after_start)
{
    out->comments_after_start = NULL;
    if (!yaml_emitter_flush(em))
        return 0;
    int failed = after_start ? cw_put(&out->cw, "\n", 1) || cw_put(&out->cw, c->text, c->len - 1)
                             : cw_put(&out->cw, c->text, c->len);
    if (failed) {
        em->error = YAML_WRITER_ERROR; /* reported as the emitter's own write failures are */
        return 0;
    }
    return 1;
}

static int emit_node(yaml_emitter_t *em, yaml_out *out, const node *n, bool in_flow);

/* Whether collection n is written in flow style. */
static bool written_flow(const yaml_out *out, const node *n)
{
    return out->keep_styles && n->style == STYLE_FLOW;
}

/* The start event of collection n, and the document's leading comments
 * after it when they wait for it (write_comments). */
static int emit_start(yaml_emitter_t *em, yaml_out *out, const node *n)
{
    yaml_event_t e;
    bool flow = written_flow(out, n);
    int implicit = !n->tagged;
    int made = n->kind == NODE_MAPPING
                   ? yaml_mapping_start_event_initialize(&e, NULL, (yaml_char_t *)node_tag(n), implicit,
                                                         flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
                   : yaml_sequence_start_event_initialize(&e, NULL, (yaml_char_t *)node_tag(n), implicit,
                                                          flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
    if (!made)
        return refused(out, n);
    if (!cw_emit(&out->cw, em, &e, NULL, false))
        return 0;
    return !out->comments_after_start || write_comments(em, out, &out->comments_after_start->leading, true);
}

/* Has the comments of entry i of collection n (a key, a value or an item,
 * `item` as written) wait for their place. */
static void entry_comments(yaml_out *out, const node *n, size_t i, const node *item, bool in_flow)
{
    if (!in_flow && cw_entry_commented(n, i, item))
        cw_entry(&out->cw, n, i, item);
}

/* Entry i of collection n: a key, a value or an item. */
static int emit_entry(yaml_emitter_t *em, yaml_out *out, const node *n, size_t i, bool in_flow)
{
    const node *item = n->as.items[i];
    node spelled;
    if (n->kind == NODE_MAPPING && i % 2 == 0 && empty_plain(item)) {
        spelled = *item;
        spelled.as.text = null_key(n);
        spelled.len = (uint32_t)strlen(spelled.as.text);
        item = &spelled;
    }
    entry_comments(out, n, i, item, in_flow);
    return emit_node(em, out, item, in_flow);
}

/* The end event of collection n, written in flow style inside another
 * one (`in_flow_around`) or not. */
static int emit_end(yaml_emitter_t *em, yaml_out *out, const node *n, bool in_flow_around)
{
    yaml_event_t e;
    bool flow = written_flow(out, n);
    if (n->kind == NODE_MAPPING)
        yaml_mapping_end_event_initialize(&e);
    else
        yaml_sequence_end_event_initialize(&e);
    if (flow && !in_flow_around && n->commented)
        cw_after(&out->cw, n);
    return cw_emit(&out->cw, em, &e, NULL, !flow);
}

static int emit_node(yaml_emitter_t *em, yaml_out *out, const node *n, bool in_flow)
{
    if (n->kind == NODE_SCALAR)
        return emit_scalar(em, out, n, in_flow);
    if (!emit_start(em, out, n))
        return 0;
    bool inside_flow = in_flow || written_flow(out, n);
    for (size_t i = 0, slots = node_slots(n); i < slots; i++)
        if (!emit_entry(em, out, n, i, inside_flow))
            return 0;
    return emit_end(em, out, n, in_flow);
}

/* Whether the document must start with "---" to read back as it was: a
 * root written as nothing at all (an empty plain scalar) would be no
 * document, and one starting with '{' or '[' (a flow collection, styles
 * kept, or an empty one, which libyaml writes so in any style) would make
 * the text read as JSON, which loses the styles and refuses what JSON may
 * not hold raw (a LINE SEPARATOR in a YAML string). */
static bool needs_start_marker(const yaml_out *out, const node *root)
{
    if (!root || empty_plain(root))
        return true;
    if (root->tagged || root->kind == NODE_SCALAR)
        return false; /* a tag is written first */
    return root->len == 0 || (out->keep_styles && root->style == STYLE_FLOW);
}

/* Whether the emitter writes the root on the lines after its "---": an
 * untagged block collection with entries (an empty one is written "{}" or
 * "[]", and a tag or a scalar follow the "---" on its line). */
static bool root_below_start(const yaml_out *out, const node *root)
{
    return root && root->kind != NODE_SCALAR && root->len && !root->tagged &&
           !(out->keep_styles && root->style == STYLE_FLOW);
}

/* Whether document d's root is written as nothing at all. Such a root has
 * nothing to follow: the comments after it would read as ones before it,
 * and go there (or are lost, as those of a later document written on its
 * "---" line are). */
static bool nothing_written(const document *d)
{
    return !d->root || empty_plain(d->root);
}

/* Document d's comments before it and its start. */
static int emit_document_start(yaml_emitter_t *em, yaml_out *out, const document *d, bool first)
{
    bool implicit = !d->explicit_start && !needs_start_marker(out, d->root);
    bool after_start = !first && root_below_start(out, d->root);
    if (d->leading.len && first && !write_comments(em, out, &d->leading, false))
        return 0;
    if (d->end.len && first && nothing_written(d) && !write_comments(em, out, &d->end, false))
        return 0;
    out->comments_after_start = d->leading.len && after_start ? d : NULL;
    yaml_event_t e;
    yaml_document_start_event_initialize(&e, NULL, NULL, NULL, implicit);
    return cw_emit(&out->cw, em, &e, NULL, false);
}

/* Document d's end and the comments after it. */
static int emit_document_end(yaml_emitter_t *em, yaml_out *out, const document *d)
{
    yaml_event_t e;
    yaml_document_end_event_initialize(&e, !d->explicit_end);
    bool nothing = nothing_written(d);
    if (d->explicit_end && !nothing)
        cw_before_end(&out->cw, &d->end);
    if (!cw_emit(&out->cw, em, &e, NULL, false))
        return 0;
    static const comment_block none = {NULL, 0, 0};
    return cw_end(&out->cw, em, d->explicit_end || nothing ? &none : &d->end);
}

static int emit_document(yaml_emitter_t *em, yaml_out *out, const document *d, bool first)
{
    /* A document without a root is written as one that is null. */
    static const node null_root = {.kind = NODE_SCALAR, .style = STYLE_PLAIN, .as.text = ""};
    return emit_document_start(em, out, d, first) && emit_node(em, out, d->root ? d->root : &null_root, false) &&
           emit_document_end(em, out, d);
}

int yw_open(yaml_writer *w, const vp_stream *s, bool keep_styles, vp_write_fn write, void *ctx)
{
    memset(&w->out, 0, sizeof w->out);
    w->out.keep_styles = keep_styles;
    int failed = cw_init(&w->out.cw, s, keep_styles, write, ctx) != 0;
    w->out.cw.out_of_memory |= failed;
    if (!yaml_emitter_initialize(&w->em)) {
        memset(&w->em, 0, sizeof w->em);
        w->em.error = YAML_MEMORY_ERROR;
        return -1;
    }
    yaml_emitter_set_output(&w->em, write_handler, &w->out);
    yaml_emitter_set_unicode(&w->em, 1);
    yaml_emitter_set_width(&w->em, -1); /* never fold long lines */
    yaml_emitter_set_indent(&w->em, 2);
    yaml_event_t e;
    yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING);
    return failed || !cw_emit(&w->out.cw, &w->em, &e, NULL, false) ? -1 : 0;
}

int yw_documents(yaml_writer *w, const vp_stream *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (!emit_document(&w->em, &w->out, &s->docs[i], i == 0))
            return 0;
    return 1;
}

int yw_finish(yaml_writer *w)
{
    yaml_event_t e;
    yaml_stream_end_event_initialize(&e);
    if (!cw_emit(&w->out.cw, &w->em, &e, NULL, false) || !yaml_emitter_flush(&w->em))
        return 0;
    if (cw_finish(&w->out.cw) != 0) {
        w->em.error = YAML_WRITER_ERROR;
        return 0;
    }
    return 1;
}

int yw_to_split(yaml_writer *w, const vp_stream *s, const split_point *sp)
{
    yaml_emitter_t *em = &w->em;
    yaml_out *out = &w->out;
    if (!emit_document_start(em, out, &s->docs[sp->doc], sp->doc == 0))
        return 0;
    for (size_t l = 0; l <= sp->depth; l++) {
        const node *n = l < sp->depth ? sp->map[l] : sp->seq;
        if (!emit_start(em, out, n))
            return 0;
        size_t upto = l < sp->depth ? sp->key[l] + 1 : sp->item; /* the key; its value is the next level */
        for (size_t i = 0; i < upto; i++)
            if (!emit_entry(em, out, n, i, false))
                return 0;
        if (l < sp->depth)
            entry_comments(out, n, upto, n->as.items[upto], false);
    }
    return 1;
}

/* The key every stand-in mapping has, and the text of its sequence's
 * two items, which make the emitter write out the sequence's start before
 * the first item of the cut comes, as it has long done where the first
 * writer stands: the comment writer finds the lines of the items it writes
 * as that writer does (the emitter holds a collection's start until it has
 * seen two events after it). */
#define STAND_IN_KEY "k"
#define STAND_IN_ITEM "x"

int yw_stand_in(yaml_writer *w, const split_point *sp)
{
    yaml_event_t e;
    yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1);
    if (!cw_emit(&w->out.cw, &w->em, &e, NULL, false))
        return 0;
    for (size_t l = 0; l < sp->depth; l++) {
        yaml_mapping_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        if (!cw_emit(&w->out.cw, &w->em, &e, NULL, false) ||
            !yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)STAND_IN_KEY, 1, 1, 1, YAML_PLAIN_SCALAR_STYLE) ||
            !cw_emit(&w->out.cw, &w->em, &e, NULL, false))
            return 0;
    }
    yaml_sequence_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
    if (!cw_emit(&w->out.cw, &w->em, &e, NULL, false))
        return 0;
    for (int i = 0; i < 2; i++)
        if (!yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)STAND_IN_ITEM, 1, 1, 1,
                                          YAML_PLAIN_SCALAR_STYLE) ||
            !cw_emit(&w->out.cw, &w->em, &e, NULL, false))
            return 0;
    return 1;
}

size_t yw_stand_in_text(const split_point *sp, char *buf, size_t size)
{
    size_t n = 0;
    for (size_t l = 0; l < sp->depth + 2; l++) { /* the keys, then the items, at their mapping's indentation */
        size_t indent = 2 * (l < sp->depth ? l : sp->depth - 1);
        int k = snprintf(buf + n, size - n, "%s%*s%s", l ? "\n" : "", (int)indent, "",
                         l < sp->depth ? STAND_IN_KEY ":" : "- " STAND_IN_ITEM);
        if (k < 0 || (size_t)k >= size - n)
            return 0;
        n += (size_t)k;
    }
    return n;
}

int yw_from_split(yaml_writer *w, const vp_stream *s, const split_point *sp)
{
    yaml_emitter_t *em = &w->em;
    yaml_out *out = &w->out;
    for (size_t l = sp->depth + 1; l-- > 0;) {
        const node *n = l < sp->depth ? sp->map[l] : sp->seq;
        for (size_t i = l < sp->depth ? sp->key[l] + 2 : sp->item, slots = node_slots(n); i < slots; i++)
            if (!emit_entry(em, out, n, i, false))
                return 0;
        if (!emit_end(em, out, n, false))
            return 0;
    }
    return emit_document_end(em, out, &s->docs[sp->doc]) && yw_documents(w, s, sp->doc + 1, s->ndocs);
}

bool yw_idle(yaml_writer *w)
{
    return cw_idle(&w->out.cw, &w->em);
}

vp_status yw_close(yaml_writer *w, int ok, vp_error **err)
{
    yaml_out *out = &w->out;
    vp_status status = VP_OK;
    if (!ok) {
        if (out->refused && !node_is_utf8(out->refused))
            status = error_give(err, error_new(VP_EINVALID, "", out->refused->line, out->refused->column,
                                               "cannot emit YAML: a text that is not valid UTF-8"));
        else if (out->refused || out->cw.out_of_memory || w->em.error == YAML_MEMORY_ERROR)
            status = error_give(err, error_oom());
        else if (w->em.error == YAML_WRITER_ERROR)
            status = error_give(err, error_new(VP_EIO, "", 0, 0, "cannot write the output"));
        else
            status = error_give(err, error_new(VP_EINVALID, "", 0, 0, "cannot emit YAML: %s",
                                               w->em.problem ? w->em.problem : "unknown problem"));
    }
    yaml_emitter_delete(&w->em);
    cw_free(&out->cw);
    return status;
}

vp_status emit_yaml(const vp_stream *s, bool keep_styles, size_t split_lines, vp_write_fn write, void *ctx,
                    vp_error **err)
{
    split_point sp;
    if (split_find(s, keep_styles, split_lines, &sp))
        return emit_halves(s, keep_styles, &sp, write, ctx, NULL, err);
    yaml_writer w;
    int ok = yw_open(&w, s, keep_styles, write, ctx) == 0 && yw_documents(&w, s, 0, s->ndocs) && yw_finish(&w);
    return yw_close(&w, ok, err);
}
