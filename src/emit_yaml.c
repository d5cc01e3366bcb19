/* Writing the document model as YAML through libyaml's emitter. Each node
 * is written in the style it was read in; strings volpass created get the
 * quoting that keeps them strings for every reader; the input's comments
 * are put back beside their nodes. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "emit_comments.h"
#include "error.h"
#include "scalar.h"
#include "stream.h"

/* Shared nodes stand for most of the scalars written: keys (plain, line 0:
 * see src/load.c), "name" alone thousands of times, and the strings the
 * editor made (any style, line 0: see src/edit.c). What the emitter asks of
 * their text is found once and kept, in a slot chosen by the node's address.
 * The text is compared too, as a null key is written from a copy with
 * another text (null_key). */
#define KNOWN_SLOTS 64
typedef struct known_key {
    const node *n;
    const char *text;
    bool string; /* reads as a string */
} known_key;

typedef struct known_string {
    const node *n;
    const char *text;
    bool quoted;    /* must be quoted to stay a string */
    bool multiline; /* holds a line break */
} known_string;

typedef struct yaml_out {
    comment_writer cw; /* all output goes through it */
    bool keep_styles;  /* false when converting from JSON: write idiomatic YAML instead */
    known_key keys[KNOWN_SLOTS];
    known_string strings[KNOWN_SLOTS];
    const node *refused; /* the node libyaml could not make an event of: see refused() */
    const document *comments_after_start; /* whose comments go after the root's start: see write_comments */
} yaml_out;

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

static int emit_node(yaml_emitter_t *em, yaml_out *out, const node *n, bool in_flow)
{
    if (n->kind == NODE_SCALAR)
        return emit_scalar(em, out, n, in_flow);
    yaml_event_t e;
    bool flow = out->keep_styles && n->style == STYLE_FLOW, in_flow_around = in_flow;
    in_flow = in_flow || flow;
    size_t slots = n->kind == NODE_MAPPING ? 2 * (size_t)n->len : n->len;
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
    if (out->comments_after_start &&
        !write_comments(em, out, &out->comments_after_start->leading, true))
        return 0;
    for (size_t i = 0; i < slots; i++) {
        const node *item = n->as.items[i];
        node spelled;
        if (n->kind == NODE_MAPPING && i % 2 == 0 && empty_plain(item)) {
            spelled = *item;
            spelled.as.text = null_key(n);
            spelled.len = (uint32_t)strlen(spelled.as.text);
            item = &spelled;
        }
        if (!in_flow && cw_entry_commented(n, i, item))
            cw_entry(&out->cw, n, i, item);
        if (!emit_node(em, out, item, in_flow))
            return 0;
    }
    if (n->kind == NODE_MAPPING)
        yaml_mapping_end_event_initialize(&e);
    else
        yaml_sequence_end_event_initialize(&e);
    if (flow && !in_flow_around && n->commented)
        cw_after(&out->cw, n);
    return cw_emit(&out->cw, em, &e, NULL, !flow);
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

static int emit_document(yaml_emitter_t *em, yaml_out *out, const document *d, bool first)
{
    bool implicit = !d->explicit_start && !needs_start_marker(out, d->root);
    bool after_start = !first && root_below_start(out, d->root);
    /* A root written as nothing has nothing to follow: the comments after
     * it would read as ones before it, and go there (or are lost, as those
     * of a later document written on its "---" line are). */
    bool nothing = !d->root || empty_plain(d->root);
    if (d->leading.len && first && !write_comments(em, out, &d->leading, false))
        return 0;
    if (d->end.len && first && nothing && !write_comments(em, out, &d->end, false))
        return 0;
    out->comments_after_start = d->leading.len && after_start ? d : NULL;
    yaml_event_t e;
    yaml_document_start_event_initialize(&e, NULL, NULL, NULL, implicit);
    if (!cw_emit(&out->cw, em, &e, NULL, false))
        return 0;
    /* A document without a root is written as one that is null. */
    static const node null_root = {.kind = NODE_SCALAR, .style = STYLE_PLAIN, .as.text = ""};
    if (!emit_node(em, out, d->root ? d->root : &null_root, false))
        return 0;
    yaml_document_end_event_initialize(&e, !d->explicit_end);
    if (d->explicit_end && !nothing)
        cw_before_end(&out->cw, &d->end);
    if (!cw_emit(&out->cw, em, &e, NULL, false))
        return 0;
    static const comment_block none = {NULL, 0, 0};
    return cw_end(&out->cw, em, d->explicit_end || nothing ? &none : &d->end);
}

vp_status emit_yaml(const vp_stream *s, bool keep_styles, vp_write_fn write, void *ctx,
                    vp_error **err)
{
    yaml_out out = {.keep_styles = keep_styles};
    if (cw_init(&out.cw, s, keep_styles, write, ctx) != 0) {
        cw_free(&out.cw);
        return error_give(err, error_oom());
    }
    yaml_emitter_t em;
    yaml_event_t e;
    if (!yaml_emitter_initialize(&em)) {
        cw_free(&out.cw);
        return error_give(err, error_oom());
    }
    yaml_emitter_set_output(&em, write_handler, &out);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1); /* never fold long lines */
    yaml_emitter_set_indent(&em, 2);
    int ok = 1;
    yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING);
    ok = cw_emit(&out.cw, &em, &e, NULL, false);
    for (size_t i = 0; ok && i < s->ndocs; i++)
        ok = emit_document(&em, &out, &s->docs[i], i == 0);
    if (ok) {
        yaml_stream_end_event_initialize(&e);
        ok = cw_emit(&out.cw, &em, &e, NULL, false) && yaml_emitter_flush(&em);
    }
    if (ok && cw_finish(&out.cw) != 0) {
        em.error = YAML_WRITER_ERROR;
        ok = 0;
    }
    vp_status status = VP_OK;
    if (!ok) {
        if (out.refused && !node_is_utf8(out.refused))
            status = error_give(err, error_new(VP_EINVALID, "", out.refused->line, out.refused->column,
                                               "cannot emit YAML: a text that is not valid UTF-8"));
        else if (out.refused || out.cw.out_of_memory || em.error == YAML_MEMORY_ERROR)
            status = error_give(err, error_oom());
        else if (em.error == YAML_WRITER_ERROR)
            status = error_give(err, error_new(VP_EIO, "", 0, 0, "cannot write the output"));
        else
            status = error_give(err, error_new(VP_EINVALID, "", 0, 0, "cannot emit YAML: %s",
                                               em.problem ? em.problem : "unknown problem"));
    }
    yaml_emitter_delete(&em);
    cw_free(&out.cw);
    return status;
}
