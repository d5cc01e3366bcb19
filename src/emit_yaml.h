/* Writing YAML (emit_yaml.c) as resumable steps, for emit_halves.c, which
 * writes a large document's two halves at once: a writer (libyaml's
 * emitter and the comment writer under it) writes documents, or one up to
 * a point inside it, or from that point on after a stand-in for what lies
 * above the point. Nothing else sees these. */
#ifndef VP_EMIT_YAML_H
#define VP_EMIT_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "emit_comments.h"
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

typedef struct yaml_writer {
    yaml_emitter_t em;
    yaml_out out;
} yaml_writer;

/* A place inside a document where its writing can be cut in two: between
 * two items of a block sequence reached from the root through block
 * mappings, under keys written plain on one line (spec.templates). */
#define SPLIT_MAX_DEPTH 4
typedef struct split_point {
    size_t doc;
    size_t depth;                     /* mappings from the root down to the sequence */
    const node *map[SPLIT_MAX_DEPTH]; /* those mappings, the root first */
    size_t key[SPLIT_MAX_DEPTH];      /* in each, the slot of the key whose value leads down */
    const node *seq;
    size_t item;                      /* the first item after the cut */
} split_point;

/* Starts a writer to write(ctx) (its stream start written); -1 when out of
 * memory. yw_close ends it either way. */
int yw_open(yaml_writer *w, const vp_stream *s, bool keep_styles, vp_write_fn write, void *ctx);

/* These return 1, or 0 on failure (yw_close says which). */
int yw_documents(yaml_writer *w, const vp_stream *s, size_t from, size_t to);
int yw_finish(yaml_writer *w); /* the stream's end, everything written */

/* Writes document sp->doc up to the cut: after it, the writer waits for
 * yw_from_split. */
int yw_to_split(yaml_writer *w, const vp_stream *s, const split_point *sp);

/* Writes what a new writer needs to stand where the cut is: a document
 * whose mappings down to the sequence have one key each, "k", then the
 * sequence with two items "x". yw_stand_in_text is the text it writes
 * (0 when `size` is too small). */
int yw_stand_in(yaml_writer *w, const split_point *sp);
size_t yw_stand_in_text(const split_point *sp, char *buf, size_t size);

/* Writes the rest of the stream from the cut, but for its end. */
int yw_from_split(yaml_writer *w, const vp_stream *s, const split_point *sp);

/* Whether the writer has written out all it was given: no event held by
 * the emitter, no comment waiting for its place. */
bool yw_idle(yaml_writer *w);

vp_status yw_close(yaml_writer *w, int ok, vp_error **err);

/* emit_halves.c: where s may be cut, in a document of at least min_lines
 * lines; false when nowhere. */
bool split_find(const vp_stream *s, bool keep_styles, size_t min_lines, split_point *sp);

/* Writes s in two halves at once, cut at sp; *joined (when not NULL)
 * tells whether the second half's text was used, or the first writer wrote
 * on alone. */
vp_status emit_halves(const vp_stream *s, bool keep_styles, const split_point *sp, vp_write_fn write, void *ctx,
                      bool *joined, vp_error **err);

#endif
