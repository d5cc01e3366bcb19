/* Writing a large document's YAML in two halves at once, on two threads.
 * The document is cut between two items of its longest block sequence
 * (spec.templates, say). The calling thread writes up to the cut; a second
 * one, meanwhile, writes the rest into memory after a stand-in for the
 * lines above the cut, whose text it then drops; the calling thread writes
 * that rest on. libyaml's emitter writes an item the same whatever came
 * before it, but for its first line break, which it leaves out after a
 * block scalar's last line: so does the join.
 *
 * The result is byte for byte what one writer gives. Where anything could
 * make it otherwise, the calling thread writes the rest itself instead: a
 * comment that waits for its place across the cut, a comment that both
 * halves placed (a node the rewrite put in twice), a stand-in written
 * otherwise than expected, or any failure of the second half. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "emit_yaml.h"

#define PIECE_BYTES ((size_t)1 << 20) /* the second half's text, in pieces of this much */
#define CUT_TRIES 32                  /* items tried around the first guess for one to cut after */
/* Where the cut goes, in hundredths of the sequence's lines: the second
 * half, held in memory until the first is written, is the smaller, so that
 * its text (with the memory the rewrite freed given back) keeps the peak
 * memory below the rewrite's. */
#define CUT_PERCENT 55

/* ---- where to cut --------------------------------------------------------- */

/* A key libyaml writes as it is, on one line, with no tag: printable ASCII,
 * short. */
static bool simple_key(const node *k)
{
    if (k->kind != NODE_SCALAR || k->tagged || k->len == 0 || k->len > 64)
        return false;
    for (size_t i = 0; i < k->len; i++)
        if (k->as.text[i] < 0x20 || k->as.text[i] > 0x7e)
            return false;
    return true;
}

/* A collection written in block style, untagged, with entries. */
static bool plain_block(const node *n, bool keep_styles)
{
    return n->kind != NODE_SCALAR && !n->tagged && n->len && !(keep_styles && n->style == STYLE_FLOW);
}

static bool commented_inside(const node *n)
{
    if (n->commented)
        return true;
    size_t slots = node_slots(n);
    for (size_t i = 0; i < slots; i++)
        if (commented_inside(n->as.items[i]))
            return true;
    return false;
}

/* The item to cut before in seq, whose items 0 to last were read from the
 * input (their lines grow): the first past CUT_PERCENT of the lines whose
 * item before holds no comment (one that could wait across the cut); 0
 * when none near there does. */
static size_t cut_item(const node *seq, size_t last)
{
    uint32_t span = seq->as.items[last]->line - seq->as.items[0]->line;
    uint32_t at = seq->as.items[0]->line + (uint32_t)((uint64_t)span * CUT_PERCENT / 100);
    size_t lo = 1, hi = last;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (seq->as.items[mid]->line < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t t = 0; t < CUT_TRIES; t++) {
        size_t k = t % 2 ? lo + (t + 1) / 2 : lo - t / 2; /* lo, lo+1, lo-1, lo+2, ... */
        if (k >= 1 && k < seq->len && !commented_inside(seq->as.items[k - 1]))
            return k;
    }
    return 0;
}

typedef struct search {
    bool keep_styles;
    size_t min_lines;
    uint32_t best_span;
    split_point at, *best;
    bool found;
} search;

/* Looks for the longest block sequence below `map` (at `depth`). */
static void look(search *q, const node *map, size_t depth)
{
    q->at.map[depth] = map;
    for (size_t i = 0; i < map->len; i++) {
        const node *key = map->as.items[2 * i], *v = map->as.items[2 * i + 1];
        if (!simple_key(key) || !plain_block(v, q->keep_styles))
            continue;
        q->at.key[depth] = 2 * i;
        if (v->kind == NODE_MAPPING) {
            if (depth + 1 < SPLIT_MAX_DEPTH)
                look(q, v, depth + 1);
            continue;
        }
        size_t last = v->len; /* items the rewrite added come last, with line 0 */
        while (last > 0 && v->as.items[last - 1]->line == 0)
            last--;
        if (last < 2 || v->as.items[0]->line == 0)
            continue;
        uint32_t span = v->as.items[last - 1]->line - v->as.items[0]->line;
        size_t item;
        if (span < q->min_lines || (q->found && span <= q->best_span) || !(item = cut_item(v, last - 1)))
            continue;
        *q->best = q->at;
        q->best->depth = depth + 1;
        q->best->seq = v;
        q->best->item = item;
        q->best_span = span;
        q->found = true;
    }
}

bool split_find(const vp_stream *s, bool keep_styles, size_t min_lines, split_point *sp)
{
    search q = {.keep_styles = keep_styles, .min_lines = min_lines, .best = sp};
    for (size_t d = 0; d < s->ndocs; d++) {
        const node *root = s->docs[d].root;
        q.at.doc = d;
        if (root && root->kind == NODE_MAPPING && plain_block(root, keep_styles))
            look(&q, root, 0);
    }
    return q.found;
}

/* ---- the second half, written into memory ---------------------------------- */

typedef struct piece {
    struct piece *next;
    size_t len;
    char text[];
} piece;

typedef struct second_half {
    const vp_stream *s;
    bool keep_styles;
    const split_point *sp;
    piece *first, *last;
    uint8_t *placed; /* its comment writer's, for the check against the first half's */
    int ok;
} second_half;

static int keep_text(const char *data, size_t len, void *ctx)
{
    second_half *h = ctx;
    while (len) {
        piece *p = h->last;
        if (!p || p->len == PIECE_BYTES) {
            p = malloc(sizeof *p + PIECE_BYTES);
            if (!p)
                return -1;
            *p = (piece){NULL, 0};
            *(h->last ? &h->last->next : &h->first) = p;
            h->last = p;
        }
        size_t n = PIECE_BYTES - p->len < len ? PIECE_BYTES - p->len : len;
        memcpy(p->text + p->len, data, n);
        p->len += n;
        data += n;
        len -= n;
    }
    return 0;
}

static void *write_second_half(void *arg)
{
    second_half *h = arg;
    yaml_writer w;
    h->ok = yw_open(&w, h->s, h->keep_styles, keep_text, h) == 0 && yw_stand_in(&w, h->sp) &&
            yw_from_split(&w, h->s, h->sp) && yw_finish(&w);
    h->placed = w.out.cw.placed;
    w.out.cw.placed = NULL;
    yw_close(&w, h->ok, NULL); /* a failure is the first thread's to meet, writing the rest itself */
    return NULL;
}

static void second_half_free(second_half *h)
{
    for (piece *p = h->first, *next; p; p = next) {
        next = p->next;
        free(p);
    }
    free(h->placed);
}

/* ---- joining them ------------------------------------------------------------ */

/* Whether a comment was placed by both writers: the first, writing on
 * alone, would have left it to the one place it put it. */
static bool placed_twice(const yaml_writer *w, const second_half *h)
{
    for (size_t i = 0; w->out.cw.placed && h->placed && i < w->out.cw.nnotes; i++)
        if (w->out.cw.placed[i] & h->placed[i])
            return true;
    return false;
}

/* Whether the first half's emitter, given the item after the cut, would
 * start it with a line break, as the second half's does after the stand-in:
 * 1, or 0 when the first half ends with one already (a block scalar's last
 * line), or -1 when its state says neither for sure. (libyaml's
 * write_indent breaks the line unless it is at the start of an indentation
 * no deeper than the item's.) */
static int item_breaks_line(const yaml_emitter_t *em)
{
    if (!em->indention)
        return 1;
    return em->column == 0 && em->whitespace ? 0 : -1;
}

/* Where the second half's own text starts, after the stand-in (and the
 * line break the first half would not write); 0 when it was not written
 * as expected. */
static size_t own_text(const split_point *sp, const second_half *h, const yaml_emitter_t *first)
{
    char stand_in[(SPLIT_MAX_DEPTH + 2) * (2 * SPLIT_MAX_DEPTH + 4) + 1];
    size_t n = yw_stand_in_text(sp, stand_in, sizeof stand_in);
    const piece *p = h->first;
    int breaks = item_breaks_line(first);
    if (breaks < 0 || !n || !p || p->len <= n || memcmp(p->text, stand_in, n) != 0 || p->text[n] != '\n')
        return 0;
    return n + !breaks;
}

vp_status emit_halves(const vp_stream *s, bool keep_styles, const split_point *sp, vp_write_fn write, void *ctx,
                      bool *joined, vp_error **err)
{
    second_half h = {s, keep_styles, sp, NULL, NULL, NULL, 0};
#ifdef __GLIBC__
    /* The rewrite freed much (its model, its plan), which glibc keeps
     * mapped; given back, it makes room for the second half's text, which
     * the second thread's own heap holds, so that writing in halves takes
     * no more memory at its peak than the rewrite did. */
    malloc_trim(0);
#endif
    pthread_t thread;
    bool started = pthread_create(&thread, NULL, write_second_half, &h) == 0;
    yaml_writer w;
    int ok = yw_open(&w, s, keep_styles, write, ctx) == 0 && yw_documents(&w, s, 0, sp->doc) &&
             yw_to_split(&w, s, sp) && yaml_emitter_flush(&w.em);
    if (started)
        pthread_join(thread, NULL);
    size_t from = ok && started && h.ok && yw_idle(&w) && !placed_twice(&w, &h)
                      ? own_text(sp, &h, &w.em)
                      : 0;
    if (joined)
        *joined = ok && from;
    if (ok && from) {
        ok = cw_finish(&w.out.cw) == 0;
        for (const piece *p = h.first; ok && p; p = p->next, from = 0)
            ok = p->len == from || write(p->text + from, p->len - from, ctx) == 0;
        if (!ok)
            w.em.error = YAML_WRITER_ERROR;
    } else if (ok) {
        ok = yw_from_split(&w, s, sp) && yw_finish(&w);
    }
    second_half_free(&h);
    return yw_close(&w, ok, err);
}
