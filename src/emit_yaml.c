/* Writing the document model as YAML through libyaml's emitter. Each node
 * is written in the style it was read in; strings volpass created get the
 * quoting that keeps them strings for every reader; the input's comments
 * are put back beside their nodes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "error.h"
#include "scalar.h"
#include "stream.h"

/* A shared key node (plain, line 0: see src/load.c) stands for most of the
 * scalars written, "name" alone thousands of times: its type is found once
 * and kept here, in a slot chosen by its address. The text is compared too,
 * as a null key is written from a copy with another text (null_key). */
#define KEY_SLOTS 64
typedef struct known_key {
    const node *n;
    const char *text;
    bool string;
} known_key;

/* Comments waiting for the emitter to write the line they go before (see
 * place_comments). */
#define MAX_WAITING 16
#define NOT_YET SIZE_MAX
typedef struct waiting {
    size_t event;            /* the event whose line they go before (its number, from 0) */
    const comment_block *c;
    bool inside;             /* before the line after it starts: a mapping value's first entry */
    bool one_line;           /* the event is a scalar written on one line */
    const node *after;       /* the scalar or flow collection the event before it ended, or NULL */
    size_t from;             /* inside: where in the stage its event was written, once it was */
} waiting;

#define STAGE_KEEP 65536 /* staged output is written on past this much, when no comment waits */

typedef struct yaml_out {
    vp_write_fn write;
    void *ctx;
    bool keep_styles; /* false when converting from JSON: write idiomatic YAML instead */
    known_key keys[KEY_SLOTS];
    const node *refused; /* the node libyaml could not make an event of: see refused() */
    const document *comments_after_start; /* whose comments go after the root's start: see write_comments */
    char last_byte;   /* the last one written; '\n' at a line's start */
    /* Comments inside documents. While some wait, the output is held in
     * `stage`, where they are put in once their line is known. */
    const node_comments *notes;
    size_t nnotes;
    bool *placed;     /* per note: done (a node the rewrite copied by reference appears twice) */
    bool staging;     /* the stream has comments inside documents */
    char *stage;
    size_t staged, stage_cap;
    bool out_of_memory;
    size_t events;    /* events given to the emitter */
    const node *last_inline; /* of the last event: a scalar, or a flow collection it ends (a block one's end writes nothing) */
    waiting wait[MAX_WAITING];
    size_t nwait;
} yaml_out;

/* Writes on, through the stage when there is one. 0 on success. */
static int put(yaml_out *out, const char *text, size_t len)
{
    if (!len)
        return 0;
    out->last_byte = text[len - 1];
    if (!out->staging)
        return out->write(text, len, out->ctx);
    if (out->staged + len > out->stage_cap) {
        size_t cap = out->stage_cap ? out->stage_cap : 4096;
        while (cap < out->staged + len)
            cap *= 2;
        char *grown = realloc(out->stage, cap);
        if (!grown) {
            out->out_of_memory = true;
            return -1;
        }
        out->stage = grown;
        out->stage_cap = cap;
    }
    memcpy(out->stage + out->staged, text, len);
    out->staged += len;
    return 0;
}

static int release(yaml_out *out)
{
    size_t n = out->staged;
    out->staged = 0;
    return n ? out->write(out->stage, n, out->ctx) : 0;
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    return put(data, (const char *)buffer, size) == 0;
}

/* Events the emitter holds, not yet written: it writes a collection's
 * start once it has seen a few events after it. The queue is a member of
 * libyaml's emitter that its header calls internal; the structure is part
 * of libyaml's ABI, which has not changed since 0.1. */
static size_t held(const yaml_emitter_t *em)
{
    return (size_t)(em->events.tail - em->events.head);
}

static bool is_break(const char *text, size_t len, size_t i)
{
    unsigned char c = (unsigned char)text[i];
    if (c == '\n' || c == '\r')
        return true;
    return (c == 0xC2 && i + 1 < len && (unsigned char)text[i + 1] == 0x85) ||
           (c == 0xE2 && i + 2 < len && (unsigned char)text[i + 1] == 0x80 &&
            ((unsigned char)text[i + 2] == 0xA8 || (unsigned char)text[i + 2] == 0xA9));
}

/* A node libyaml writes on one line (the width is unlimited: it never
 * folds): a scalar with no line break in it, not in a block style, or a
 * flow collection of such. */
static bool one_line(const yaml_out *out, const node *n)
{
    if (n->kind != NODE_SCALAR) {
        if (!out->keep_styles || n->style != STYLE_FLOW)
            return false;
        size_t slots = n->kind == NODE_MAPPING ? 2 * (size_t)n->len : n->len;
        for (size_t i = 0; i < slots; i++)
            if (!one_line(out, n->as.items[i]))
                return false;
        return true;
    }
    if (n->style == STYLE_LITERAL || n->style == STYLE_FOLDED)
        return false;
    for (size_t i = 0; i < n->len; i++)
        if (is_break(n->as.text, n->len, i))
            return false;
    return true;
}

/* Puts text[0, len) into the stage at `at`. */
static void splice(yaml_out *out, size_t at, const char *text, size_t len)
{
    size_t tail = out->staged - at;
    if (put(out, text, len) != 0) /* room at the end, then moved into place */
        return;
    memmove(out->stage + at + len, out->stage + at, tail);
    memcpy(out->stage + at, text, len);
    out->last_byte = out->stage[out->staged - 1];
}

/* Puts c's trailing comment before the line break at stage offset `at`. */
static void put_trailing(yaml_out *out, size_t at, const comment_block *c)
{
    char *text = malloc(c->trailing);
    if (!text) {
        out->out_of_memory = true;
        return;
    }
    text[0] = ' ';
    memcpy(text + 1, c->text, c->trailing - 1); /* without its line break */
    splice(out, at, text, c->trailing);
    free(text);
}

/* Puts w's comments on the lines before the staged line starting at `at`,
 * at its indentation; a trailing comment goes at the end of the line
 * before, when that ends with its scalar. A line that does not start with
 * a node's text takes none: comments never go where they could change
 * what the YAML says. */
static void insert_comments(yaml_out *out, size_t at, const waiting *w)
{
    size_t indent = 0;
    while (at + indent < out->staged && out->stage[at + indent] == ' ')
        indent++;
    if (at + indent >= out->staged || strchr("\n#", out->stage[at + indent]))
        return;
    const comment_block *c = w->c;
    bool trails = c->trailing && c->follows == w->after && one_line(out, w->after) && at > 0 && out->stage[at - 1] == '\n';
    size_t first = trails ? c->trailing : 0;
    char *text = malloc((c->len - first) * (indent + 1) + 1);
    if (!text) {
        out->out_of_memory = true;
        return;
    }
    size_t n = 0;
    for (size_t i = first; i < c->len;) {
        size_t len = (size_t)((const char *)memchr(c->text + i, '\n', c->len - i) - (c->text + i)) + 1;
        if (len > 1) { /* a blank line stays empty */
            memset(text + n, ' ', indent);
            n += indent;
        }
        memcpy(text + n, c->text + i, len);
        n += len;
        i += len;
    }
    splice(out, at, text, n);
    free(text);
    if (trails)
        put_trailing(out, at - 1, c);
}

/* Finds the line each waiting comment goes before, among what the
 * emitter wrote while it was given event `done_before` to `done` - 1:
 * from stage offset `batch` on. The emitter writes an event once it has
 * seen those after it that it looks at (a collection's start: up to three),
 * so several may come out at once, and where one of them starts is known
 * only when it is the first of them, or the last and on one line:
 * - the first: it starts a new line with its line break, or starts where
 *   the line before ended (after a block scalar's last line);
 * - the last, on one line: its line is the last one written;
 * - a mapping value's first entry: the first line that starts after its
 *   key's, when the value is the first of the events written.
 * Other comments are dropped. */
static void place_comments(yaml_out *out, size_t batch, bool line_start, size_t done_before, size_t done)
{
    size_t kept = 0;
    for (size_t i = 0; i < out->nwait; i++) {
        waiting *w = &out->wait[i];
        size_t at = NOT_YET;
        if (w->event >= done) {
            out->wait[kept++] = *w;
            continue;
        }
        if (w->inside) {
            if (w->from == NOT_YET && w->event != done_before)
                continue; /* dropped */
            if (w->from == NOT_YET)
                w->from = batch;
            const char *nl = memchr(out->stage + w->from, '\n', out->staged - w->from);
            if (!nl) { /* the entry is not written yet */
                out->wait[kept++] = *w;
                continue;
            }
            at = (size_t)(nl - out->stage) + 1;
        } else if (w->event == done_before) {
            at = batch < out->staged && out->stage[batch] == '\n' ? batch + 1 : line_start ? batch : NOT_YET;
        } else if (w->one_line && w->event == done - 1) {
            size_t j = out->staged;
            while (j > batch && out->stage[j - 1] != '\n')
                j--;
            at = j > batch ? j : NOT_YET;
        }
        if (at != NOT_YET)
            insert_comments(out, at, w);
    }
    out->nwait = kept;
}

/* Gives the emitter one event; the comments waiting for their line find
 * it (place_comments), and the stage is written on when none waits. */
static int emit_event(yaml_emitter_t *em, yaml_out *out, yaml_event_t *e)
{
    out->events++;
    if (!out->nwait) {
        if (!yaml_emitter_emit(em, e))
            return 0;
        if (out->staged >= STAGE_KEEP && release(out) != 0) {
            em->error = YAML_WRITER_ERROR; /* reported as the emitter's own write failures are */
            return 0;
        }
        return 1;
    }
    if (!yaml_emitter_flush(em)) {
        yaml_event_delete(e);
        return 0;
    }
    size_t batch = out->staged, done_before = out->events - 1 - held(em);
    bool line_start = out->last_byte == '\n';
    if (!yaml_emitter_emit(em, e) || !yaml_emitter_flush(em))
        return 0;
    place_comments(out, batch, line_start, done_before, out->events - held(em));
    return !out->out_of_memory;
}

/* Has the comments `c` wait for the line of the next event. */
static void await(yaml_out *out, const comment_block *c, bool inside, bool one_line_event)
{
    if (c->len && out->nwait < MAX_WAITING)
        out->wait[out->nwait++] = (waiting){out->events, c, inside, one_line_event, out->last_inline, NOT_YET};
}

/* The comments of n not yet placed, or NULL. */
static const node_comments *comments_of(yaml_out *out, const node *n)
{
    if (!n->commented)
        return NULL;
    const node_comments *note = comments_find(out->notes, out->nnotes, n);
    return note && !out->placed[note - out->notes] ? note : NULL;
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

/* Whether an untagged plain scalar reads as a string. */
static bool plain_is_string(yaml_out *out, const node *n)
{
    if (n->line != 0)
        return scalar_resolve(n) == SCALAR_STR;
    known_key *k = &out->keys[((uintptr_t)n / sizeof *n) % KEY_SLOTS];
    if (k->n != n || k->text != n->as.text)
        *k = (known_key){n, n->as.text, scalar_resolve(n) == SCALAR_STR};
    return k->string;
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
        plain_implicit = !scalar_needs_quotes(text, len);
        quoted_implicit = 1;
        if (memchr(text, '\n', len))
            style = STYLE_LITERAL; /* libyaml falls back to quotes when it cannot */
    } else {
        plain_implicit = 0;
        quoted_implicit = 1;
    }
    if (!yaml_scalar_event_initialize(&e, NULL, (yaml_char_t *)node_tag(n), (yaml_char_t *)text, (int)len,
                                      plain_implicit, quoted_implicit, yaml_scalar_style(style)))
        return refused(out, n);
    int ok = emit_event(em, out, &e);
    out->last_inline = n;
    return ok;
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
static int write_comments(yaml_emitter_t *em, yaml_out *out, const char *text, size_t len, bool after_start)
{
    out->comments_after_start = NULL;
    if (!yaml_emitter_flush(em))
        return 0;
    int failed = after_start ? put(out, "\n", 1) || put(out, text, len - 1) : put(out, text, len);
    if (failed) {
        em->error = YAML_WRITER_ERROR; /* reported as the emitter's own write failures are */
        return 0;
    }
    return 1;
}

/* Has the comments of a block collection's entry wait for their line:
 * those before it (before its key, for a mapping's value), and, for a
 * mapping's block collection value, those before its first entry. The
 * emitter puts an entry of a sequence on the "- " line: the comments
 * before its first entry go before that line too. */
static void await_entry(yaml_out *out, const node *n, size_t i, const node *item)
{
    const node *value = n->kind == NODE_MAPPING ? n->as.items[i | 1] : item;
    const node_comments *note = comments_of(out, value);
    if (!note)
        return;
    bool key = n->kind == NODE_MAPPING && i % 2 == 0;
    if (key || n->kind == NODE_SEQUENCE) {
        await(out, &note->before, false, item->kind == NODE_SCALAR && one_line(out, item));
        if (n->kind == NODE_SEQUENCE)
            await(out, &note->inside, false, item->kind == NODE_SCALAR && one_line(out, item));
    }
    if (!key && n->kind == NODE_MAPPING) {
        if (item->kind != NODE_SCALAR && item->style == STYLE_BLOCK && item->len)
            await(out, &note->inside, true, false);
        out->placed[note - out->notes] = true;
    }
    if (n->kind == NODE_SEQUENCE)
        out->placed[note - out->notes] = true;
}

static int emit_node(yaml_emitter_t *em, yaml_out *out, const node *n, bool in_flow)
{
    if (n->kind == NODE_SCALAR)
        return emit_scalar(em, out, n, in_flow);
    yaml_event_t e;
    bool flow = out->keep_styles && n->style == STYLE_FLOW;
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
    out->last_inline = NULL;
    if (!emit_event(em, out, &e))
        return 0;
    if (out->comments_after_start &&
        !write_comments(em, out, out->comments_after_start->comments, out->comments_after_start->comments_len, true))
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
        if (out->notes && !in_flow)
            await_entry(out, n, i, item);
        if (!emit_node(em, out, item, in_flow))
            return 0;
    }
    if (n->kind == NODE_MAPPING)
        yaml_mapping_end_event_initialize(&e);
    else
        yaml_sequence_end_event_initialize(&e);
    if (flow) /* a block collection's end writes nothing: what ended the line still does */
        out->last_inline = n;
    return emit_event(em, out, &e);
}

/* Whether the document must start with "---" to read back as it was: a
 * root written as nothing at all (an empty plain scalar) would be no
 * document, and one starting with '{' or '[' (a flow collection, styles
 * kept) would make the text read as JSON, which loses the styles. */
static bool needs_start_marker(const yaml_out *out, const node *root)
{
    if (!root || empty_plain(root))
        return true;
    if (root->tagged || root->kind == NODE_SCALAR)
        return false; /* a tag is written first */
    return out->keep_styles && root->style == STYLE_FLOW;
}

/* Whether the emitter writes the root on the lines after its "---": an
 * untagged block collection with entries (an empty one is written "{}" or
 * "[]", and a tag or a scalar follow the "---" on its line). */
static bool root_below_start(const yaml_out *out, const node *root)
{
    return root && root->kind != NODE_SCALAR && root->len && !root->tagged &&
           !(out->keep_styles && root->style == STYLE_FLOW);
}

/* Writes the comments after a document's last node after it, when its end
 * is implicit: the emitter ends a document at a line's start, and a
 * trailing comment goes before that line break when its scalar is the
 * last thing written. */
static int write_end_comments(yaml_emitter_t *em, yaml_out *out, const comment_block *c)
{
    if (!c->len)
        return 1;
    if (!yaml_emitter_flush(em))
        return 0;
    if (out->last_byte != '\n')
        return 1;
    size_t first = 0;
    if (c->trailing && c->follows == out->last_inline && one_line(out, out->last_inline) && out->staged) {
        put_trailing(out, out->staged - 1, c);
        first = c->trailing;
    }
    if (out->out_of_memory || put(out, c->text + first, c->len - first) != 0) {
        em->error = YAML_WRITER_ERROR;
        return 0;
    }
    return 1;
}

static int emit_document(yaml_emitter_t *em, yaml_out *out, const document *d, bool first)
{
    bool implicit = !d->explicit_start && !needs_start_marker(out, d->root);
    bool after_start = !first && root_below_start(out, d->root);
    /* A root written as nothing has nothing to follow: the comments after
     * it would read as ones before it, and go there (or are lost, as those
     * of a later document written on its "---" line are). */
    bool nothing = !d->root || empty_plain(d->root);
    if (d->comments && first && !write_comments(em, out, d->comments, d->comments_len, false))
        return 0;
    if (d->end.len && first && nothing && !write_comments(em, out, d->end.text, d->end.len, false))
        return 0;
    out->comments_after_start = d->comments && after_start ? d : NULL;
    yaml_event_t e;
    yaml_document_start_event_initialize(&e, NULL, NULL, NULL, implicit);
    if (!emit_event(em, out, &e))
        return 0;
    /* A document without a root is written as one that is null. */
    static const node null_root = {.kind = NODE_SCALAR, .style = STYLE_PLAIN, .as.text = ""};
    if (!emit_node(em, out, d->root ? d->root : &null_root, false))
        return 0;
    yaml_document_end_event_initialize(&e, !d->explicit_end);
    if (d->explicit_end && !nothing)
        await(out, &d->end, false, false); /* before the "..." */
    if (!emit_event(em, out, &e))
        return 0;
    out->nwait = 0; /* the lines they waited for never came */
    return d->explicit_end || nothing || write_end_comments(em, out, &d->end);
}

vp_status emit_yaml(const vp_stream *s, bool keep_styles, vp_write_fn write, void *ctx,
                    vp_error **err)
{
    yaml_out out = {.write = write, .ctx = ctx, .keep_styles = keep_styles, .last_byte = '\n'};
    for (size_t i = 0; i < s->ndocs; i++)
        out.staging = out.staging || s->docs[i].end.len;
    if (s->nnotes) {
        out.staging = true;
        out.notes = s->notes;
        out.nnotes = s->nnotes;
        if (!(out.placed = calloc(s->nnotes, sizeof *out.placed)))
            return error_give(err, error_oom());
    }
    yaml_emitter_t em;
    yaml_event_t e;
    if (!yaml_emitter_initialize(&em)) {
        free(out.placed);
        return error_give(err, error_oom());
    }
    yaml_emitter_set_output(&em, write_handler, &out);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1); /* never fold long lines */
    yaml_emitter_set_indent(&em, 2);
    int ok = 1;
    yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING);
    ok = emit_event(&em, &out, &e);
    for (size_t i = 0; ok && i < s->ndocs; i++)
        ok = emit_document(&em, &out, &s->docs[i], i == 0);
    if (ok) {
        yaml_stream_end_event_initialize(&e);
        ok = emit_event(&em, &out, &e) && yaml_emitter_flush(&em);
    }
    if (ok && release(&out) != 0) {
        em.error = YAML_WRITER_ERROR;
        ok = 0;
    }
    vp_status status = VP_OK;
    if (!ok) {
        if (out.refused && !node_is_utf8(out.refused))
            status = error_give(err, error_new(VP_EINVALID, "", out.refused->line, out.refused->column,
                                               "cannot emit YAML: a text that is not valid UTF-8"));
        else if (out.refused || out.out_of_memory || em.error == YAML_MEMORY_ERROR)
            status = error_give(err, error_oom());
        else if (em.error == YAML_WRITER_ERROR)
            status = error_give(err, error_new(VP_EIO, "", 0, 0, "cannot write the output"));
        else
            status = error_give(err, error_new(VP_EINVALID, "", 0, 0, "cannot emit YAML: %s",
                                               em.problem ? em.problem : "unknown problem"));
    }
    yaml_emitter_delete(&em);
    free(out.stage);
    free(out.placed);
    return status;
}
