/* Reading YAML and JSON into the document model, with libyaml's event API.
 *
 * Events arrive in document order; children are collected on one shared
 * stack and copied into their collection when it closes, so each collection
 * is allocated once at its final size. The safety limits are enforced here,
 * as events are read: nesting depth (which also bounds libyaml's quadratic
 * work on deeply nested flow collections), alias expansion, and input size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "error.h"
#include "grow.h"
#include "loader.h"
#include "scalar.h"

#define SMALL_MAPPING 16 /* below this, duplicate keys are found by comparing all pairs */
#define INTERN_CHECK 65536 /* interning stops when fewer than half of this many scalars repeat */
#define MAX_IMPLICIT_KEY 1024 /* libyaml's longest key without "? " (YAML 1.1 allows no more) */

static int fail(loader *l, vp_status status, const yaml_mark_t *mark, const char *what)
{
    l->err = error_new(status, l->file, mark ? mark->line + 1 : 0, mark ? mark->column + 1 : 0,
                       "%s", what);
    return -1;
}

int loader_fail_oom(loader *l)
{
    l->err = error_oom();
    return -1;
}

static node *position(node *n, const yaml_mark_t *mark)
{
    if (n) {
        n->line = (uint32_t)(mark->line + 1);
        n->column = (uint32_t)(mark->column + 1);
    }
    return n;
}

/* Turns a mark of the current parser into one in the whole input. */
static void shift_mark(const loader *l, yaml_mark_t *m)
{
    if (m->line == 0)
        m->column += l->base.column;
    m->line += l->base.line;
}

/* Hands a finished node to the open collection (or the document). */
static int push_child(loader *l, child next, size_t height)
{
    if (!next.n)
        return loader_fail_oom(l);
    child *c = grow_heap(l->children, &l->children_cap, l->nchildren, sizeof *c);
    if (!c)
        return loader_fail_oom(l);
    l->children = c;
    l->children[l->nchildren++] = next;
    if (l->depth && l->frames[l->depth - 1].height < height)
        l->frames[l->depth - 1].height = height;
    return 0;
}

static int add_child(loader *l, node *n, size_t height)
{
    return push_child(l, (child){n, n ? n->line : 0, n ? n->column : 0}, height);
}

static anchor *define_anchor(loader *l, const yaml_char_t *name, node *target, bool complete)
{
    size_t len = strlen((const char *)name);
    char *key = arena_strndup(&l->s->arena, (const char *)name, len);
    anchor *a = arena_alloc(&l->s->arena, sizeof *a);
    if (!key || !a || strmap_put(&l->anchors, key, len, a) != 0)
        return NULL;
    a->target = target;
    a->height = 0;
    a->complete = complete;
    return a;
}

static node_style scalar_style(yaml_scalar_style_t style)
{
    switch (style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: return STYLE_SINGLE;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return STYLE_DOUBLE;
    case YAML_LITERAL_SCALAR_STYLE: return STYLE_LITERAL;
    case YAML_FOLDED_SCALAR_STYLE: return STYLE_FOLDED;
    default: return STYLE_PLAIN;
    }
}

/* libyaml writes a tag under one of its handles ("!" and "!!") whenever the
 * tag starts with the handle's prefix, even when the rest holds ',', '[' or
 * ']', which its own reader refuses in that form: such a tag could not be
 * read back, so it is refused here, where its place is known. */
static bool tag_writable(const char *tag)
{
    static const char core[] = CORE_TAG;
    size_t n = strlen(tag);
    const char *rest = strncmp(tag, core, sizeof core - 1) == 0 && n > sizeof core - 1 ? tag + sizeof core - 1
                       : tag[0] == '!' && n > 1                                     ? tag + 1
                                                                                    : NULL;
    return !rest || !strpbrk(rest, ",[]");
}

static int set_tag(loader *l, node *n, const char *tag)
{
    if (!tag)
        return 0;
    if (!tag_writable(tag)) {
        l->err = error_new(VP_EUNSUPPORTED, l->file, n->line, n->column,
                           "the tag '%s' cannot be written back: libyaml would shorten it to a form "
                           "that YAML readers refuse", tag);
        return -1;
    }
    return node_set_tag(&l->s->arena, n, tag) == 0 ? 0 : loader_fail_oom(l);
}

/* One copy of each scalar text: a workflow repeats its keys, images and
 * paths thousands of times (a 13 MB one holds 3 MB of distinct text). Nodes
 * never change their text in place, so they can share it. A stream whose
 * scalars rarely repeat would pay for the table for nothing: interning
 * stops when fewer than half of the last INTERN_CHECK scalars were repeats. */
static void count_lookup(loader *l, bool reused) /* counts one lookup, found or not */
{
    l->texts_reused += reused;
    if (++l->texts_seen == INTERN_CHECK) {
        l->interning = 2 * l->texts_reused >= INTERN_CHECK;
        l->texts_seen = l->texts_reused = 0;
        if (!l->interning) {
            strmap_free(&l->texts);
            strmap_free(&l->keys);
            memset(l->recent_keys, 0, sizeof l->recent_keys);
            memset(l->recent_texts, 0, sizeof l->recent_texts);
        }
    }
}

/* A slot for `text` in a table of `slots` (a power of two) of texts met
 * lately, by its length and three of its bytes: cheaper than hashing, and
 * a miss only costs the lookup in the table that was due anyway. Most
 * scalars repeat one met a few lines before (a workflow's keys are a few
 * dozen words), and a hit is confirmed by comparing the text. */
static size_t recent_slot(const char *text, size_t len, size_t slots)
{
    const unsigned char *t = (const unsigned char *)text;
    return len ? (len * 7 + t[0] * 3 + t[len / 2] + t[len - 1] * 5) & (slots - 1) : 0;
}

static const char *intern(loader *l, const char *text, size_t len)
{
    if (!l->interning)
        return arena_strndup(&l->s->arena, text, len);
    size_t r = recent_slot(text, len, LOADER_RECENT_TEXTS);
    const char *recent = l->recent_texts[r].text;
    if (recent && l->recent_texts[r].len == len && memcmp(recent, text, len) == 0) {
        count_lookup(l, true);
        return recent;
    }
    const char *s = strmap_get(&l->texts, text, len);
    bool reused = s != NULL;
    if (!s) {
        char *copy = arena_strndup(&l->s->arena, text, len);
        if (!copy || strmap_put(&l->texts, copy, len, copy) != 0)
            return NULL;
        s = copy;
    }
    l->recent_texts[r].text = s;
    l->recent_texts[r].len = len;
    count_lookup(l, reused);
    return s;
}

/* The open collection's frame when it is a mapping, else NULL. */
static const frame *open_mapping(const loader *l)
{
    const frame *f = loader_open_frame(l);
    return f && f->collection->kind == NODE_MAPPING ? f : NULL;
}

/* Whether the next child completes a key of the open mapping. */
static bool at_key(const loader *l)
{
    const frame *f = open_mapping(l);
    return f && (l->nchildren - f->base) % 2 == 0;
}

/* Whether the next child is the value of an expression or fromExpression
 * key: Argo reads it as an expression, which holds references bare. */
static bool bare_expression(const loader *l)
{
    if (!open_mapping(l) || at_key(l))
        return false;
    const node *key = l->children[l->nchildren - 1].n;
    return scalar_is(key, "expression") || scalar_is(key, "fromExpression");
}

/* The shared node of key `text`, or NULL. */
static node *shared_key(loader *l, const char *text, size_t len)
{
    node **slot = &l->recent_keys[recent_slot(text, len, LOADER_RECENT_KEYS)];
    if (*slot && (*slot)->len == len && memcmp((*slot)->as.text, text, len) == 0)
        return *slot;
    node *n = strmap_get(&l->keys, text, len);
    if (n)
        *slot = n;
    return n;
}

/* Mapping keys are most of a workflow's nodes ("name" alone thousands of
 * times) and never change in place, so while texts are shared an untagged,
 * unanchored key is one node per text and style. That node has no position
 * (line 0): the child stack keeps each occurrence's for the duplicate-key
 * check, the one error that points at a key. Every other key gets a node of
 * its own, with its position. */
static int add_key(loader *l, const char *text, size_t len, node_style style, const yaml_mark_t *mark)
{
    child c = {shared_key(l, text, len), (uint32_t)(mark->line + 1), (uint32_t)(mark->column + 1)};
    if (c.n && c.n->style == style) {
        count_lookup(l, true);
        return push_child(l, c, 0);
    }
    bool share = !c.n; /* the first style of a key text met is the one shared */
    const char *copy = intern(l, text, len);
    c.n = copy ? node_text(&l->s->arena, copy, len, style) : NULL;
    share = share && l->interning; /* which the lookup just counted may have ended */
    if (!c.n || (share && strmap_put(&l->keys, copy, len, c.n) != 0))
        return loader_fail_oom(l);
    c.n->inert = !memchr(text, '{', len);
    c.n->utf8 = true;
    if (!share)
        position(c.n, mark);
    return push_child(l, c, 0);
}

#define MERGE_TAG CORE_TAG "merge"

/* "<<", plain, untagged or tagged !!merge. */
static bool is_merge(const char *text, size_t len, node_style style, const char *tag)
{
    return len == 2 && memcmp(text, "<<", 2) == 0 && style == STYLE_PLAIN && (!tag || strcmp(tag, MERGE_TAG) == 0);
}

#define BINARY_TAG CORE_TAG "binary"

/* A !!binary scalar becomes the text its base64 holds, as go-yaml reads
 * it: a string, untagged, its quotes the emitter's. volpass keeps text
 * only, which is what Argo's fields hold: not UTF-8, or with a NUL, it is
 * refused. */
static int binary_text(loader *l, node *n)
{
    char *text = arena_alloc(&l->s->arena, (size_t)n->len + 1);
    if (!text)
        return loader_fail_oom(l);
    size_t len = scalar_base64_decode(n->as.text, n->len, text);
    const char *bad = len == SIZE_MAX ? "is not base64 (go-yaml, which Argo and Kubernetes read YAML with, "
                                        "refuses it)"
                      : !text_is_utf8(text, len) || memchr(text, '\0', len) ? "holds bytes that are not UTF-8 "
                                                                               "text, which volpass does not keep"
                                                                             : NULL;
    if (bad) {
        l->err = error_new(VP_EINVALID, l->file, n->line, n->column, "the !!binary value %s", bad);
        return -1;
    }
    text[len] = '\0';
    if (node_set_text(&l->s->arena, n, text, len) != 0)
        return loader_fail_oom(l);
    n->style = STYLE_ANY;
    n->inert = n->inert && !memchr(text, '{', len);
    return 0;
}

/* Whether tagged scalar n holds what its tag says (scalar_fits_tag), which
 * go-yaml requires: else an error. */
static bool tag_fits(loader *l, const node *n)
{
    if (scalar_fits_tag(n))
        return true;
    const char *tag = node_tag(n) + strlen(CORE_TAG); /* scalar_fits_tag fails on core tags only */
    l->err = error_new(VP_EINVALID, l->file, n->line, n->column, "'%s' is no %s, as its tag !!%s says: go-yaml, "
                       "which Argo and Kubernetes read YAML with, refuses it", n->as.text,
                       strcmp(tag, "int") == 0 ? "integer" : strcmp(tag, "bool") == 0 ? "boolean" : tag, tag);
    return false;
}

static int on_scalar(loader *l, const yaml_event_t *e)
{
    size_t len = e->data.scalar.length;
    const char *value = (const char *)e->data.scalar.value;
    node_style style = scalar_style(e->data.scalar.style);
    if (is_merge(value, len, style, (const char *)e->data.scalar.tag) && at_key(l))
        l->frames[l->depth - 1].merge = true; /* on_collection_end merges */
    if (l->interning && !e->data.scalar.tag && !e->data.scalar.anchor && at_key(l))
        return add_key(l, value, len, style, &e->start_mark);
    const char *text = intern(l, value, len);
    node *n = text ? position(node_text(&l->s->arena, text, len, style), &e->start_mark) : NULL;
    if (!n)
        return loader_fail_oom(l);
    n->inert = !memchr(value, '{', len) && !bare_expression(l);
    n->utf8 = true;
    /* A plain or quoted scalar without a tag resolves by itself; an explicit
     * one keeps it. The non-specific tag "!" makes any text a string (libyaml
     * reports it as implicit, except on an empty scalar): a string it stays,
     * untagged. */
    const char *tag = (const char *)e->data.scalar.tag;
    bool explicit = tag && !e->data.scalar.plain_implicit && !e->data.scalar.quoted_implicit;
    if (tag && strcmp(tag, "!") == 0) {
        if (n->style == STYLE_PLAIN)
            n->style = STYLE_ANY;
    } else if (explicit && strcmp(tag, BINARY_TAG) == 0) {
        if (binary_text(l, n) != 0)
            return -1;
    } else if (explicit && (set_tag(l, n, tag) != 0 || !tag_fits(l, n))) {
        return -1;
    }
    if (e->data.scalar.anchor && !define_anchor(l, e->data.scalar.anchor, n, true))
        return loader_fail_oom(l);
    return add_child(l, n, 0);
}

/* How to accept deeper nesting, for the messages that refuse it. */
static const char *depth_hint(const loader *l)
{
    return l->max_depth < VP_MAX_DEPTH_LIMIT ? "raise --max-depth to accept it" : "the most volpass follows";
}

/* Whether collection start event e opens a flow collection. */
bool loader_flow_start(const yaml_event_t *e)
{
    return e->type == YAML_SEQUENCE_START_EVENT ? e->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                                                : e->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
}

static int on_collection_start(loader *l, const yaml_event_t *e, node_kind kind)
{
    if (l->depth >= l->max_depth) {
        char msg[160];
        snprintf(msg, sizeof msg, "nesting deeper than %zu levels (%s)", l->max_depth, depth_hint(l));
        return fail(l, VP_ELIMIT, &e->start_mark, msg);
    }
    bool flow = loader_flow_start(e);
    const yaml_char_t *tag = kind == NODE_SEQUENCE ? e->data.sequence_start.tag
                                                   : e->data.mapping_start.tag;
    int implicit = kind == NODE_SEQUENCE ? e->data.sequence_start.implicit
                                         : e->data.mapping_start.implicit;
    const yaml_char_t *anchor_name = kind == NODE_SEQUENCE ? e->data.sequence_start.anchor
                                                           : e->data.mapping_start.anchor;
    node *n = position(node_collection(&l->s->arena, kind, flow ? STYLE_FLOW : STYLE_BLOCK),
                       &e->start_mark);
    if (!n)
        return loader_fail_oom(l);
    char *tag_copy = NULL;
    if (!implicit && tag && !(tag_copy = arena_strndup(&l->s->arena, (const char *)tag, strlen((const char *)tag))))
        return loader_fail_oom(l);
    anchor *a = NULL;
    if (anchor_name && !(a = define_anchor(l, anchor_name, n, false)))
        return loader_fail_oom(l);
    frame *f = grow_heap(l->frames, &l->frames_cap, l->depth, sizeof *f);
    if (!f)
        return loader_fail_oom(l);
    l->frames = f;
    l->frames[l->depth++] = (frame){n, tag_copy, a, l->nchildren, 0, false};
    return 0;
}

static bool same_text(const child *a, const child *b)
{
    return a->n->len == b->n->len && memcmp(a->n->as.text, b->n->as.text, a->n->len) == 0;
}

static int compare_keys(const void *x, const void *y)
{
    const child *a = x, *b = y;
    size_t n = a->n->len < b->n->len ? a->n->len : b->n->len;
    int c = memcmp(a->n->as.text, b->n->as.text, n);
    if (c == 0 && a->n->len != b->n->len)
        c = a->n->len < b->n->len ? -1 : 1;
    if (c == 0) /* equal keys sort in source order, so the later one is reported */
        c = a->line != b->line ? (a->line < b->line ? -1 : 1)
                               : (a->column < b->column ? -1 : a->column > b->column);
    return c;
}

static int report_duplicate(loader *l, const child *first, const child *again)
{
    l->err = error_new(VP_EINVALID, l->file, again->line, again->column,
                       "duplicate key '%s' in a mapping (first at line %lu, column %lu)",
                       again->n->as.text, (unsigned long)first->line, (unsigned long)first->column);
    return -1;
}

static bool is_merge_key(const node *k)
{
    return k->kind == NODE_SCALAR && is_merge(k->as.text, k->len, (node_style)k->style, node_tag(k));
}

/* Mapping keys must be scalars (every Argo and Kubernetes key is) and
 * unique; merge keys (<<) are no keys, and may repeat. */
static int check_keys(loader *l, const child *keys_values, size_t pairs)
{
    for (size_t i = 0; i < pairs; i++) {
        const child *k = &keys_values[2 * i];
        if (k->n->kind != NODE_SCALAR) {
            /* {{ .Values.x }} unquoted reads as a flow mapping whose key is one */
            bool templated = k->n->kind == NODE_MAPPING && k->n->style == STYLE_FLOW;
            l->err = error_new(VP_EINVALID, l->file, k->line, k->column,
                               "a mapping key must be a scalar, not a %s%s",
                               k->n->kind == NODE_MAPPING ? "mapping" : "sequence",
                               templated ? " (a Go or Helm template? render it first, with helm template, say)" : "");
            return -1;
        }
    }
    if (pairs <= SMALL_MAPPING) {
        for (size_t i = 1; i < pairs; i++)
            for (size_t j = 0; j < i; j++)
                if (same_text(&keys_values[2 * i], &keys_values[2 * j]) && !is_merge_key(keys_values[2 * i].n) &&
                    !is_merge_key(keys_values[2 * j].n))
                    return report_duplicate(l, &keys_values[2 * j], &keys_values[2 * i]);
        return 0;
    }
    child *keys = malloc(pairs * sizeof *keys);
    if (!keys)
        return loader_fail_oom(l);
    size_t n = 0;
    for (size_t i = 0; i < pairs; i++)
        if (!is_merge_key(keys_values[2 * i].n))
            keys[n++] = keys_values[2 * i];
    qsort(keys, n, sizeof *keys, compare_keys);
    int rc = 0;
    for (size_t i = 1; i < n && rc == 0; i++)
        if (same_text(&keys[i - 1], &keys[i]))
            rc = report_duplicate(l, &keys[i - 1], &keys[i]);
    free(keys);
    return rc;
}

static const char *scalar_type_name(scalar_type type)
{
    static const char *const names[] = {"a string", "null", "a boolean", "an integer", "a number"};
    return names[type];
}

/* Two keys of one text and two types ("1" and 1) are two keys to YAML, and
 * one to Kubernetes, which reads keys as strings: refused, as they are
 * side by side, at `where` (the key, or the merge key that brings it). */
static int check_same_key(loader *l, const node *k, const node *before, const child *where)
{
    scalar_type type = scalar_resolve(k), was = scalar_resolve(before);
    if (type == was)
        return 0;
    l->err = error_new(VP_EINVALID, l->file, where->line, where->column, "key '%s' is %s here and %s in another pair "
                       "of the mapping a merge key (<<) makes: two keys to YAML, one to Kubernetes, which reads keys "
                       "as strings", k->as.text, scalar_type_name(type), scalar_type_name(was));
    return -1;
}

/* Sets key k to v in the merged pairs out (*n of them): in its place when
 * an earlier pair has k, else appended. `at` maps each key to its index + 1. */
static int merge_put(loader *l, strmap *at, node **out, size_t *n, node *k, node *v, const child *where)
{
    uintptr_t i = (uintptr_t)strmap_get(at, k->as.text, k->len);
    if (i) {
        if (check_same_key(l, k, out[2 * (i - 1)], where) != 0)
            return -1;
        out[2 * (i - 1) + 1] = v;
        return 0;
    }
    if (strmap_put(at, k->as.text, k->len, (void *)(uintptr_t)(*n + 1)) != 0)
        return loader_fail_oom(l);
    out[2 * *n] = k;
    out[2 * *n + 1] = v;
    ++*n;
    return 0;
}

/* The pairs a merge key's value `v` brings: a mapping's, or those of each
 * mapping of a list, where an earlier mapping's pair wins over a later
 * one's (go-yaml sets them last; they are kept in list order here). */
static int merge_value(loader *l, const child *key, const node *v, strmap *at, node **out, size_t *n)
{
    bool list = v->kind == NODE_SEQUENCE;
    strmap mine; /* the keys this merge key has set */
    strmap_init(&mine);
    int rc = 0;
    for (size_t j = 0; rc == 0 && j < (list ? v->len : 1); j++) {
        const node *m = list ? v->as.items[j] : v;
        if (m->kind != NODE_MAPPING) {
            l->err = error_new(VP_EINVALID, l->file, key->line, key->column,
                               "the value of a merge key (<<) must be a mapping or a list of mappings");
            rc = -1;
        }
        for (size_t i = 0; rc == 0 && i < m->len; i++) {
            node *k = map_key(m, i);
            const node *earlier = strmap_get(&mine, k->as.text, k->len); /* an earlier mapping's wins */
            if (earlier) {
                rc = check_same_key(l, k, earlier, key);
                continue;
            }
            rc = strmap_put(&mine, k->as.text, k->len, k) != 0 ? loader_fail_oom(l)
                                                                : merge_put(l, at, out, n, k, map_value(m, i), key);
        }
    }
    strmap_free(&mine);
    return rc;
}

/* YAML's merge key as go-yaml v2, Argo's reader, applies it: pairs are set
 * in order, so the pairs under "<<: " (a mapping's, or of each mapping of a
 * list, earlier ones winning) replace the mapping's own pairs before the
 * merge key and give way to those after it; each merge key of a mapping
 * counts. The merged mapping in out (2 * *pairs nodes, malloc'd). */
static int merge_keys(loader *l, const child *items, size_t *pairs, node ***out)
{
    size_t total = 0;
    for (size_t i = 0; i < *pairs; i++) {
        const node *v = items[2 * i + 1].n;
        bool merge = is_merge_key(items[2 * i].n);
        total += !merge ? 1 : v->kind == NODE_MAPPING ? v->len : 0;
        for (size_t j = 0; merge && v->kind == NODE_SEQUENCE && j < v->len; j++)
            total += v->as.items[j]->kind == NODE_MAPPING ? v->as.items[j]->len : 0;
    }
    strmap at;
    strmap_init(&at);
    node **merged = malloc((2 * total + 1) * sizeof *merged);
    int rc = merged ? 0 : loader_fail_oom(l);
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < *pairs; i++)
        rc = is_merge_key(items[2 * i].n) ? merge_value(l, &items[2 * i], items[2 * i + 1].n, &at, merged, &n)
                                          : merge_put(l, &at, merged, &n, items[2 * i].n, items[2 * i + 1].n,
                                                      &items[2 * i]);
    strmap_free(&at);
    if (rc != 0) {
        free(merged);
        return -1;
    }
    *out = merged;
    *pairs = n;
    return 0;
}

static int on_collection_end(loader *l)
{
    frame f = l->frames[--l->depth];
    node *n = f.collection;
    size_t count = l->nchildren - f.base;
    const child *items = count ? &l->children[f.base] : NULL; /* children is NULL until a first child */
    if (n->kind == NODE_MAPPING && check_keys(l, items, count / 2) != 0)
        return -1;
    node **merged = NULL;
    size_t pairs = count / 2;
    if (f.merge && merge_keys(l, items, &pairs, &merged) != 0)
        return -1;
    if (merged)
        count = 2 * pairs;
    if (count) {
        n->as.items = arena_alloc(&l->s->arena, count * sizeof(node *));
        if (!n->as.items) {
            free(merged);
            return loader_fail_oom(l);
        }
    }
    n->inert = true;
    for (size_t i = 0; i < count; i++) {
        n->as.items[i] = merged ? merged[i] : items[i].n;
        n->inert &= n->as.items[i]->inert;
    }
    n->len = (uint32_t)(n->kind == NODE_MAPPING ? count / 2 : count);
    if (merged) /* the merge key's value nested one or two levels deeper than its pairs now do */
        f.height = node_height(n) - 1;
    free(merged);
    if (set_tag(l, n, f.tag) != 0)
        return -1;
    l->nchildren = f.base;
    if (f.anchor) {
        f.anchor->complete = true;
        f.anchor->height = f.height + 1;
    }
    return add_child(l, n, f.height + 1);
}

/* Counts the nodes of a subtree, stopping once the count passes `limit`.
 * A scalar counts one more per ALIAS_TEXT_NODE bytes of its text: aliases
 * share the text, but writing them out repeats it, and 5,000 aliases of a
 * 1 MB scalar would make 5 GB of output from 1 MB of input. */
#define ALIAS_TEXT_NODE 64
static size_t count_nodes(const node *n, size_t limit)
{
    size_t total = 1;
    if (n->kind == NODE_SCALAR)
        return total + n->len / ALIAS_TEXT_NODE;
    size_t slots = node_slots(n);
    for (size_t i = 0; i < slots && total <= limit; i++)
        total += count_nodes(n->as.items[i], limit - total);
    return total;
}

static int on_alias(loader *l, const yaml_event_t *e)
{
    const char *name = (const char *)e->data.alias.anchor;
    anchor *a = strmap_get(&l->anchors, name, strlen(name));
    char msg[200];
    if (!a) {
        snprintf(msg, sizeof msg, "alias '*%.100s' names no anchor defined before it", name);
        return fail(l, VP_EINVALID, &e->start_mark, msg);
    }
    if (!a->complete) {
        snprintf(msg, sizeof msg, "alias '*%.100s' is inside the collection it names (recursive aliases are not supported)", name);
        return fail(l, VP_EINVALID, &e->start_mark, msg);
    }
    if (l->depth + a->height > l->max_depth) {
        snprintf(msg, sizeof msg, "alias '*%.100s' nests deeper than %zu levels (%s)", name, l->max_depth,
                 depth_hint(l));
        return fail(l, VP_ELIMIT, &e->start_mark, msg);
    }
    size_t size = count_nodes(a->target, l->alias_left);
    if (size > l->alias_left) {
        snprintf(msg, sizeof msg, "aliases expand to more than %zu nodes, a scalar counting one more per %d "
                 "bytes of its text (raise --max-alias-nodes to accept it)", l->max_alias_nodes, ALIAS_TEXT_NODE);
        return fail(l, VP_ELIMIT, &e->start_mark, msg);
    }
    l->alias_left -= size;
    /* go-yaml takes no alias for a merge key: `*m :` with m a `<<` is that
     * text, a key like any other, which the output quotes. A duplicate key
     * check points at the alias. */
    node *copy = is_merge_key(a->target) ? node_text(&l->s->arena, a->target->as.text, a->target->len, STYLE_SINGLE)
                                         : node_clone(&l->s->arena, a->target);
    return push_child(l, (child){copy, (uint32_t)e->start_mark.line + 1, (uint32_t)e->start_mark.column + 1},
                      a->height);
}

static int begin_document(loader *l, const yaml_event_t *e)
{
    vp_stream *s = l->s;
    document *d = grow_heap(s->docs, &s->cap, s->ndocs, sizeof *d);
    if (!d)
        return loader_fail_oom(l);
    s->docs = d;
    s->docs[s->ndocs++] = (document){.explicit_start = !e->data.document_start.implicit};
    strmap_free(&l->anchors); /* anchors are scoped to their document */
    l->opening = true;
    return 0;
}

static void end_document(loader *l, const yaml_event_t *e)
{
    document *d = &l->s->docs[l->s->ndocs - 1];
    d->root = l->nchildren ? l->children[0].n : NULL;
    d->explicit_end = !e->data.document_end.implicit;
    l->nchildren = 0;
    l->gap_from = e->end_mark.index;
}

static void parser_error(loader *l, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR) {
        l->err = error_oom();
        return;
    }
    const char *problem = p->problem ? p->problem : "cannot parse";
    if (p->error == YAML_READER_ERROR) {
        unsigned long line, column;
        size_t offset = l->start + p->problem_offset;
        text_position(l->data, l->len, offset, &line, &column);
        if (p->problem_value != -1)
            l->err = error_new(VP_EINVALID, l->file, line, column, "%s (value 0x%X at byte offset %zu)",
                               problem, (unsigned)p->problem_value, offset);
        else
            l->err = error_new(VP_EINVALID, l->file, line, column, "%s (at byte offset %zu)",
                               problem, offset);
        return;
    }
    yaml_mark_t at = p->problem_mark, context = p->context_mark;
    bool long_key = at.column >= MAX_IMPLICIT_KEY &&
                    (strcmp(problem, "mapping values are not allowed in this context") == 0 ||
                     strcmp(problem, "did not find expected ',' or '}'") == 0 ||
                     strcmp(problem, "did not find expected ',' or ']'") == 0);
    const char *hint = long_key ? "; if a key of over 1024 characters ends here: libyaml reads one only in "
                                  "the explicit form, '? KEY' then ': VALUE'" : "";
    shift_mark(l, &at);
    shift_mark(l, &context);
    if (p->context)
        l->err = error_new(VP_EINVALID, l->file, at.line + 1, at.column + 1,
                           "%s (%s started at line %lu, column %lu)%s", problem, p->context,
                           (unsigned long)context.line + 1, (unsigned long)context.column + 1, hint);
    else
        l->err = error_new(VP_EINVALID, l->file, at.line + 1, at.column + 1, "%s%s", problem, hint);
}

static int dispatch(loader *l, const yaml_event_t *e)
{
    switch (e->type) {
    case YAML_STREAM_START_EVENT: l->gap_from = e->end_mark.index; return 0;
    case YAML_DOCUMENT_START_EVENT: return begin_document(l, e);
    case YAML_DOCUMENT_END_EVENT: end_document(l, e); return 0;
    case YAML_SCALAR_EVENT: return on_scalar(l, e);
    case YAML_ALIAS_EVENT: return on_alias(l, e);
    case YAML_SEQUENCE_START_EVENT: return on_collection_start(l, e, NODE_SEQUENCE);
    case YAML_MAPPING_START_EVENT: return on_collection_start(l, e, NODE_MAPPING);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: return on_collection_end(l);
    default: return 0;
    }
}

static int on_event(loader *l, const yaml_event_t *e)
{
    if (l->comments && e->type == YAML_STREAM_END_EVENT && loader_stream_end_comments(l, e) != 0)
        return -1;
    bool in_document = l->comments && l->s->ndocs && e->type != YAML_DOCUMENT_START_EVENT &&
                       e->type != YAML_STREAM_END_EVENT;
    if (l->opening) {
        if (loader_document_comments(l, e->start_mark.index) != 0)
            return -1;
        l->last_end = e->end_mark.index;
        l->last_mid_line = e->end_mark.column > 0;
    } else if (in_document && loader_before_event(l, e) != 0) {
        return -1;
    }
    const char *cut = l->percent_nul ? loader_tag_holds_nul(l, e) : NULL; /* most inputs hold no %00 */
    if (cut)
        return fail(l, VP_EUNSUPPORTED, &e->start_mark, cut);
    if (dispatch(l, e) != 0)
        return -1;
    return in_document ? loader_after_event(l, e) : 0;
}

static size_t or_default(size_t value, size_t fallback)
{
    return value ? value : fallback;
}

/* libyaml's read handler: the bytes [next, end) of the input, in pieces
 * that start small and double (up to what it asks for, 16 KB at most).
 * libyaml decodes whatever it was given at once: from a string it takes
 * 16 KB, and a stream of small JSON documents, each read by a parser of
 * its own, cost as much per document. */
static int read_input(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
    loader *l = data;
    size_t n = l->end - l->next;
    if (n > size)
        n = size;
    if (n > l->chunk)
        n = l->chunk;
    memcpy(buffer, l->data + l->next, n);
    l->next += n;
    if (l->chunk < size)
        l->chunk *= 2;
    *size_read = n;
    return 1;
}

/* Has parser p read the input from byte `at` to l->end. */
static void read_from(loader *l, yaml_parser_t *p, size_t at)
{
    l->next = at;
    l->chunk = 256;
    yaml_parser_set_input(p, read_input, l);
}

/* Starts `p` again on the input from byte `at` on, whose position `mark`
 * has in the current parser. A document that is a scalar (null, 1, "x")
 * ends with its line: YAML would read the next lines as more of it. */
static void restart(loader *l, yaml_parser_t *p, size_t at, yaml_mark_t mark)
{
    shift_mark(l, &mark);
    l->base = mark;
    l->start = at;
    l->tag_chars = 0;
    l->tag_bytes = at;
    l->comments = false;
    l->end = l->len;
    if (at < l->len && l->data[at] != '{' && l->data[at] != '[') {
        const char *eol = memchr(l->data + at, '\n', l->len - at);
        if (eol)
            l->end = (size_t)(eol - l->data) + 1;
    }
    yaml_parser_delete(p);
    if (!yaml_parser_initialize(p))
        loader_fail_oom(l); /* p stays safe to delete */
    else
        read_from(l, p, at);
}

/* JSON streams put documents one after the other ("{...}\n{...}", as
 * emit_json writes them), which YAML allows only with "---" between them.
 * When the parser of a JSON input stops right where a document ended, the
 * rest is parsed on its own, from there. Not in UTF-16, which the parser
 * knows by the byte order mark at the start (and Argo reads as YAML, which
 * refuses it there as libyaml does). */
static bool next_json_document(loader *l, yaml_parser_t *p)
{
    if (l->s->format != VP_FORMAT_JSON || !l->between || p->error != YAML_PARSER_ERROR ||
        p->problem_mark.index != l->resume.index || text_utf16_order(l->data, l->len))
        return false;
    size_t at = l->start ? l->start : text_start(l->data, l->len, 0); /* libyaml does not count the mark */
    restart(l, p, loader_skip_chars(l, at, l->resume.index), l->resume);
    return true;
}

vp_status load_stream(vp_stream *s, const char *data, size_t len, const vp_load_options *opts,
                      vp_error **err)
{
    vp_load_options none = VP_LOAD_OPTIONS_INIT;
    if (!opts)
        opts = &none;
    if (opts->max_depth > VP_MAX_DEPTH_LIMIT)
        return error_give(err, error_new(VP_EINVALID, s->filename, 0, 0, "max_depth %zu is above %d, the "
                                         "deepest nesting volpass follows", opts->max_depth, VP_MAX_DEPTH_LIMIT));
    loader l;
    memset(&l, 0, sizeof l);
    l.s = s;
    l.data = data;
    l.len = len;
    l.file = s->filename;
    l.max_depth = or_default(opts->max_depth, VP_DEFAULT_MAX_DEPTH);
    l.max_alias_nodes = or_default(opts->max_alias_nodes, VP_DEFAULT_MAX_ALIAS_NODES);
    l.alias_left = l.max_alias_nodes;
    l.end = len;
    l.seen_bytes = l.hash_byte = text_start(data, len, 0);
    l.comments = !text_utf16_order(data, len) && memchr(data, '#', len); /* none to keep without a '#' */
    l.percent_nul = text_holds_percent_nul(data, len, text_utf16_order(data, len));
    l.tag_bytes = text_start(data, len, 0);
    strmap_init(&l.anchors);
    strmap_init(&l.texts);
    strmap_init(&l.keys);
    l.interning = true;
    size_t max_bytes = or_default(opts->max_input_bytes, VP_DEFAULT_MAX_INPUT_BYTES);
    if (len > max_bytes || len > VP_MAX_INPUT_BYTES_LIMIT)
        return error_give(err, error_new(VP_ELIMIT, l.file, 0, 0,
                                         "input of %zu bytes exceeds the limit of %zu bytes "
                                         "(raise --max-input-bytes to accept it)",
                                         len, max_bytes < VP_MAX_INPUT_BYTES_LIMIT ? max_bytes
                                                                                   : (size_t)VP_MAX_INPUT_BYTES_LIMIT));
    s->format = text_format(data, len);
    unsigned raw;
    size_t at = s->format == VP_FORMAT_JSON ? text_json_yaml_break(data, len, &raw) : len;
    if (at < len) {
        unsigned long line, column;
        text_position(data, len, at, &line, &column);
        return error_give(err, error_new(VP_EUNSUPPORTED, l.file, line, column, "a raw %s in JSON: libyaml, which "
                                         "volpass reads JSON with, takes it for a line break and would change the "
                                         "string that holds it; write it escaped, \\u%04X", raw == 0x85 ? "NEL "
                                         "(U+0085)" : raw == 0x2028 ? "LINE SEPARATOR (U+2028)"
                                         : "PARAGRAPH SEPARATOR (U+2029)", raw));
    }

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return error_give(err, error_oom());
    read_from(&l, &parser, 0);
    for (bool done = false; !done && !l.err;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser, &e)) {
            if (next_json_document(&l, &parser))
                continue;
            parser_error(&l, &parser);
            break;
        }
        if (e.type == YAML_STREAM_END_EVENT && l.end < len) { /* after a scalar's line */
            restart(&l, &parser, l.end, e.start_mark);
            yaml_event_delete(&e);
            continue;
        }
        l.between = e.type == YAML_DOCUMENT_END_EVENT;
        if (l.between)
            l.resume = e.end_mark;
        shift_mark(&l, &e.start_mark);
        done = e.type == YAML_STREAM_END_EVENT;
        on_event(&l, &e);
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&parser);
    comments_sort(&s->notes);
    free(l.carried);
    free(l.children);
    free(l.frames);
    strmap_free(&l.anchors);
    strmap_free(&l.texts);
    strmap_free(&l.keys);
    return l.err ? error_give(err, l.err) : VP_OK;
}
