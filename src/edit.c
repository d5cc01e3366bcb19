#include "edit.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "scalar.h"

void edit_init(editor *e, arena *mem, comment_table *notes)
{
    memset(e, 0, sizeof *e);
    e->mem = mem;
    e->notes = notes;
    strmap_init(&e->strings);
}

void edit_free(editor *e)
{
    strmap_free(&e->strings);
    free(e->scratch);
    e->scratch = NULL;
    e->scratch_cap = 0;
}

/* The slot of e->recent for a text at address s. */
static edit_recent *recent_slot(editor *e, const char *s)
{
    return &e->recent[((uintptr_t)s * UINT64_C(0x9E3779B97F4A7C15)) >> 58];
}
_Static_assert(EDIT_RECENT == 64, "recent_slot takes the top 6 bits of the product");

/* The string scalar over the one copy of s[0, len): a text and its node are
 * made together, so that one lookup finds either. Most texts come again at
 * the same address, literals ("name", "mountPath") and texts this returned
 * (edit_str(e, edit_cat(...))): a slot by address remembers the last node
 * for each, and a hit, confirmed by comparing the text, costs no hashing.
 * A reused buffer at that address holds another text, which the comparison
 * tells, unless it is that node's own copy, which never changes. */
static node *string(editor *e, const char *s, size_t len)
{
    edit_recent *r = recent_slot(e, s);
    if (r->n && r->at == s && r->n->len == len && (r->n->as.text == s || memcmp(r->n->as.text, s, len) == 0))
        return r->n;
    node *n = strmap_get(&e->strings, s, len);
    if (!n) {
        char *copy = arena_strndup(e->mem, s, len);
        n = copy ? node_text(e->mem, copy, len, STYLE_ANY) : NULL;
        if (!n || strmap_put(&e->strings, copy, len, n) != 0) {
            e->oom = true;
            return NULL;
        }
        n->utf8 = text_is_utf8(copy, len); /* once for all the places it goes: the emitter checks no more */
    }
    *r = (edit_recent){s, n};
    return n;
}

const char *edit_intern(editor *e, const char *s, size_t len)
{
    node *n = string(e, s, len);
    return n ? n->as.text : "";
}

/* The scratch buffer with room for `len` bytes and a NUL, or NULL. */
static char *scratch(editor *e, size_t len)
{
    if (len >= e->scratch_cap) {
        char *bigger = realloc(e->scratch, len + 1);
        if (!bigger) {
            e->oom = true;
            return NULL;
        }
        e->scratch = bigger;
        e->scratch_cap = len + 1;
    }
    return e->scratch;
}

const char *edit_join(editor *e, const char *const *parts)
{
    size_t len = 0;
    for (size_t i = 0; parts[i]; i++)
        len += strlen(parts[i]);
    char *s = scratch(e, len);
    if (!s)
        return "";
    char *at = s;
    for (size_t i = 0; parts[i]; i++) {
        size_t n = strlen(parts[i]);
        memcpy(at, parts[i], n);
        at += n;
    }
    *at = '\0';
    return edit_intern(e, s, len);
}

const char *edit_fmt(editor *e, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = n >= 0 ? scratch(e, (size_t)n) : NULL;
    if (!s)
        return "";
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return edit_intern(e, s, (size_t)n);
}

/* A copy of `path` in the arena, to change; NULL, noted, when out of memory. */
static char *path_copy(editor *e, const char *path)
{
    char *c = arena_strndup(e->mem, path, strlen(path));
    e->oom |= !c;
    return c;
}

const char *edit_normal_path(editor *e, const char *path)
{
    if (path_is_normal(path))
        return path;
    char *c = path_copy(e, path);
    if (c)
        path_normalize(c);
    return c ? c : "";
}

const char *edit_resolved_path(editor *e, const char *path)
{
    if (path[0] != '/' || !path_has_dotdot(path))
        return edit_normal_path(e, path);
    char *c = path_copy(e, path);
    if (c)
        path_resolve_absolute(c);
    return c ? c : "";
}

node *edit_str(editor *e, const char *text)
{
    return string(e, text, strlen(text));
}

node *edit_true(editor *e)
{
    if (!e->yes && (e->yes = node_scalar(e->mem, "true", 4, STYLE_PLAIN)))
        e->yes->utf8 = true;
    e->oom |= !e->yes;
    return e->yes;
}

void edit_put(editor *e, pairs *m, const char *key, node *value)
{
    m->items[m->n++] = edit_str(e, key);
    m->items[m->n++] = value;
}

node *edit_mapping(editor *e, const pairs *m)
{
    for (size_t i = 0; i < m->n; i++)
        if (!m->items[i]) {
            e->oom = true; /* the part that could not be made */
            return NULL;
        }
    node *n = node_mapping(e->mem, m->items, m->n / 2);
    e->oom |= !n;
    return n;
}

/* A flow collection volpass adds to is written in block style (edit_push). */
static node *unflow(editor *e, node *n)
{
    if (!n || n->style != STYLE_FLOW)
        return n;
    n->style = STYLE_BLOCK;
    if (e->notes && n->commented && comments_unflowed(e->notes, e->mem, n) != 0)
        e->oom = true;
    return n;
}

void edit_set(editor *e, node *map, const char *key, node *value)
{
    long i = map_find(map, key);
    if (i >= 0 && value)
        map->as.items[2 * i + 1] = value;
    else if (!unflow(e, map) || !value || map_push(e->mem, map, edit_str(e, key), value) != 0)
        e->oom = true;
}

void edit_set_first(editor *e, node *map, const char *key, node *value)
{
    bool added = map_find(map, key) < 0;
    edit_set(e, map, key, value);
    if (!added || e->oom)
        return;
    node *k = map->as.items[2 * (size_t)map->len - 2], *v = map->as.items[2 * (size_t)map->len - 1];
    memmove(&map->as.items[2], &map->as.items[0], (2 * (size_t)map->len - 2) * sizeof(node *));
    map->as.items[0] = k;
    map->as.items[1] = v;
}

void edit_push(editor *e, node *seq, node *item)
{
    if (!unflow(e, seq) || !item || seq_push(e->mem, seq, item) != 0)
        e->oom = true;
}

void edit_push_for(editor *e, node *seq, node *item, const node *replaced, node *replaced_in)
{
    edit_push(e, seq, item);
    if (!e->oom && e->notes && e->notes->count &&
        comments_carry_entry(e->notes, e->mem, replaced, replaced_in, item, seq) != 0)
        e->oom = true;
}

void edit_carry_list_comments(editor *e, const node *from, node *to)
{
    if (e->notes && from && to && comments_carry_list(e->notes, e->mem, from, to) != 0)
        e->oom = true;
}

void edit_first_entry_changed(editor *e, node *collection)
{
    if (e->notes && comments_first_entry_changed(e->notes, e->mem, collection) != 0)
        e->oom = true;
}

void edit_remove(editor *e, node *map, const char *key)
{
    long i = map_find(map, key);
    if (i < 0)
        return;
    map_remove(map, key);
    if (i == 0)
        edit_first_entry_changed(e, map);
}

/* map[key] when it is a `kind`, else a new empty one set there. */
static node *field(editor *e, node *map, const char *key, node_kind kind)
{
    node *v = map_get(map, key);
    if (v && v->kind == kind)
        return v;
    v = node_collection(e->mem, kind, STYLE_ANY);
    edit_set(e, map, key, v);
    return v;
}

node *edit_list_field(editor *e, node *map, const char *key)
{
    return field(e, map, key, NODE_SEQUENCE);
}

node *edit_map_field(editor *e, node *map, const char *key)
{
    return field(e, map, key, NODE_MAPPING);
}
