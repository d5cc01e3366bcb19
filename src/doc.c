#include "doc.h"

#include <stdlib.h>
#include <string.h>

static node *node_new(arena *a, node_kind kind, node_style style)
{
    node *n = arena_alloc(a, sizeof *n);
    if (!n)
        return NULL;
    memset(n, 0, sizeof *n);
    n->kind = (uint8_t)kind;
    n->style = (uint8_t)style;
    return n;
}

node *node_scalar(arena *a, const char *text, size_t len, node_style style)
{
    char *copy = len <= UINT32_MAX ? arena_strndup(a, text, len) : NULL;
    return copy ? node_text(a, copy, len, style) : NULL;
}

node *node_string(arena *a, const char *text)
{
    return node_scalar(a, text, strlen(text), STYLE_ANY);
}

node *node_text(arena *a, const char *text, size_t len, node_style style)
{
    node *n = len <= UINT32_MAX ? node_new(a, NODE_SCALAR, style) : NULL;
    if (n) {
        n->as.text = text;
        n->len = (uint32_t)len;
    }
    return n;
}

node *node_collection(arena *a, node_kind kind, node_style style)
{
    return node_new(a, kind, style);
}

size_t node_slots(const node *n)
{
    return n->kind == NODE_MAPPING ? 2 * (size_t)n->len : n->kind == NODE_SEQUENCE ? n->len : 0;
}

/* ---- tags ----------------------------------------------------------------
 * A tagged node's text or items are preceded by a pointer to the tag, so the
 * millions of untagged nodes do not carry one. */

#define TAG_ROOM sizeof(const char *)
_Static_assert(sizeof(node) == 24 || sizeof(void *) != 8, "a node is 24 bytes on 64-bit machines");

static const char *payload(const node *n)
{
    return n->kind == NODE_SCALAR ? n->as.text : (const char *)n->as.items;
}

const char *node_tag(const node *n)
{
    const char *tag = NULL;
    if (n->tagged)
        memcpy(&tag, payload(n) - TAG_ROOM, sizeof tag);
    return tag;
}

/* Room for `bytes` of payload after the tag pointer; returns the payload. */
static char *tagged_payload(arena *a, const char *tag, size_t bytes)
{
    char *p = arena_alloc(a, TAG_ROOM + bytes);
    if (!p)
        return NULL;
    memcpy(p, &tag, sizeof tag);
    return p + TAG_ROOM;
}

int node_set_tag(arena *a, node *n, const char *tag)
{
    char *copy = arena_strndup(a, tag, strlen(tag));
    size_t bytes = n->kind == NODE_SCALAR ? (size_t)n->len + 1 : node_slots(n) * sizeof(node *);
    char *p = copy ? tagged_payload(a, copy, bytes) : NULL;
    if (!p)
        return -1;
    if (bytes)
        memcpy(p, payload(n), bytes);
    if (n->kind == NODE_SCALAR)
        n->as.text = p;
    else
        n->as.items = (node **)(void *)p;
    n->tagged = 1;
    n->grown = 0; /* exactly its items now */
    return 0;
}

int node_set_text(arena *a, node *n, const char *text, size_t len)
{
    const char *tag = node_tag(n);
    if (len > UINT32_MAX)
        return -1;
    n->as.text = text;
    n->len = (uint32_t)len;
    n->tagged = 0;
    n->inert = false; /* the text is no longer the loaded one */
    n->utf8 = false;
    return tag ? node_set_tag(a, n, tag) : 0;
}

node *node_mapping(arena *a, node *const *items, size_t pairs)
{
    node *n = pairs <= UINT32_MAX / 2 ? node_new(a, NODE_MAPPING, STYLE_ANY) : NULL;
    if (!n || !pairs)
        return n;
    if (!(n->as.items = arena_alloc(a, 2 * pairs * sizeof *items)))
        return NULL;
    memcpy(n->as.items, items, 2 * pairs * sizeof *items);
    n->len = (uint32_t)pairs;
    return n;
}

/* A copy of tree n in arena a; its scalars' texts too unless `share`. */
static node *copy_tree(arena *a, const node *n, bool share)
{
    node *c = node_new(a, (node_kind)n->kind, (node_style)n->style);
    if (!c)
        return NULL;
    *c = *n;
    c->tagged = 0;
    c->commented = 0;
    if (n->kind == NODE_SCALAR) {
        c->as.text = share ? n->as.text : arena_strndup(a, n->as.text, n->len);
        if (!c->as.text)
            return NULL;
    } else {
        size_t count = node_slots(n);
        c->grown = 0;
        c->as.items = count ? arena_alloc(a, count * sizeof(node *)) : NULL;
        if (count && !c->as.items)
            return NULL;
        for (size_t i = 0; i < count; i++)
            if (!(c->as.items[i] = copy_tree(a, n->as.items[i], share)))
                return NULL;
    }
    return n->tagged && node_set_tag(a, c, node_tag(n)) != 0 ? NULL : c;
}

node *node_copy(arena *a, const node *n)
{
    return copy_tree(a, n, false);
}

node *node_clone(arena *a, const node *n)
{
    return copy_tree(a, n, true);
}

/* n's explicit tag; with as_data, none for !!str on a scalar, which a
 * plain string has. */
static const char *tag_of(const node *n, bool as_data)
{
    const char *tag = node_tag(n);
    return as_data && tag && n->kind == NODE_SCALAR && strcmp(tag, "tag:yaml.org,2002:str") == 0 ? NULL : tag;
}

/* node_equal, or with as_data node_same_data. */
static bool same(const node *x, const node *y, bool as_data)
{
    if (x->kind != y->kind || x->len != y->len)
        return false;
    const char *tx = tag_of(x, as_data), *ty = tag_of(y, as_data);
    if ((tx == NULL) != (ty == NULL) || (tx && strcmp(tx, ty) != 0))
        return false;
    if (x->kind == NODE_SCALAR)
        return memcmp(x->as.text, y->as.text, x->len) == 0;
    if (!as_data || x->kind == NODE_SEQUENCE || x->len > 64) { /* in order (a long mapping too: no quadratic lookups) */
        for (size_t i = 0; i < node_slots(x); i++)
            if (!same(x->as.items[i], y->as.items[i], as_data))
                return false;
        return true;
    }
    for (size_t i = 0; i < x->len; i++) {
        const node *key = map_key(x, i);
        long j = key->kind == NODE_SCALAR ? map_find_len(y, key->as.text, key->len) : -1;
        if (j < 0 || !same(map_value(x, i), map_value(y, (size_t)j), true))
            return false;
    }
    return true;
}

size_t node_height(const node *n)
{
    if (n->kind == NODE_SCALAR)
        return 0;
    size_t deepest = 0, slots = node_slots(n);
    for (size_t i = 0; i < slots; i++) {
        size_t h = node_height(n->as.items[i]);
        if (h > deepest)
            deepest = h;
    }
    return deepest + 1;
}

bool node_equal(const node *x, const node *y)
{
    return same(x, y, false);
}

bool node_same_data(const node *x, const node *y)
{
    return same(x, y, true);
}

static int put_bytes(char **buf, size_t *len, size_t *cap, const void *bytes, size_t n)
{
    if (*len + n > *cap) {
        size_t room = *cap ? *cap : 64;
        while (room < *len + n)
            room *= 2;
        char *bigger = realloc(*buf, room);
        if (!bigger)
            return -1;
        *buf = bigger;
        *cap = room;
    }
    memcpy(*buf + *len, bytes, n);
    *len += n;
    return 0;
}

/* What same() compares without as_data, each part told apart from the next:
 * kind, length, the tag up to its NUL (or a NUL for none), then a scalar's
 * text, of that length, or the collection's items in order. */
int node_equality_key(const node *n, char **buf, size_t *len, size_t *cap)
{
    const char *tag = node_tag(n);
    uint8_t kind = n->kind;
    if (put_bytes(buf, len, cap, &kind, 1) != 0 || put_bytes(buf, len, cap, &n->len, sizeof n->len) != 0 ||
        put_bytes(buf, len, cap, tag ? "\1" : "", 1) != 0 || (tag && put_bytes(buf, len, cap, tag, strlen(tag) + 1) != 0))
        return -1;
    if (n->kind == NODE_SCALAR)
        return put_bytes(buf, len, cap, n->as.text, n->len);
    for (size_t i = 0; i < node_slots(n); i++)
        if (node_equality_key(n->as.items[i], buf, len, cap) != 0)
            return -1;
    return 0;
}

/* The slots allocated for n's items. A loaded collection has exactly its
 * items; one that grew has the next power of two (at least 4). */
static size_t capacity(const node *n)
{
    size_t used = node_slots(n);
    if (!n->grown)
        return used;
    size_t cap = 4;
    while (cap < used)
        cap *= 2;
    return cap;
}

/* Makes room for `extra` more slots, doubling so that appends stay amortised O(1). */
static int reserve(arena *a, node *n, size_t extra)
{
    size_t need = node_slots(n) + extra;
    if (need <= capacity(n))
        return 0;
    size_t cap = 4;
    while (cap < need)
        cap *= 2;
    if (cap > UINT32_MAX)
        return -1;
    node **items = n->tagged ? (node **)(void *)tagged_payload(a, node_tag(n), cap * sizeof(node *))
                             : arena_alloc(a, cap * sizeof(node *));
    if (!items)
        return -1;
    if (node_slots(n))
        memcpy(items, n->as.items, node_slots(n) * sizeof(node *));
    n->as.items = items;
    n->grown = 1;
    return 0;
}

int seq_push(arena *a, node *seq, node *item)
{
    if (!item || seq->kind != NODE_SEQUENCE || reserve(a, seq, 1) != 0)
        return -1;
    seq->as.items[seq->len++] = item;
    return 0;
}

int map_push(arena *a, node *map, node *key, node *value)
{
    if (!key || !value || map->kind != NODE_MAPPING || reserve(a, map, 2) != 0)
        return -1;
    map->as.items[2 * (size_t)map->len] = key;
    map->as.items[2 * (size_t)map->len + 1] = value;
    map->len++;
    return 0;
}

long map_find_len(const node *map, const char *key, size_t len)
{
    if (!map || map->kind != NODE_MAPPING)
        return -1;
    for (size_t i = 0; i < map->len; i++) {
        const node *k = map_key(map, i);
        if (k->kind == NODE_SCALAR && k->len == len && memcmp(k->as.text, key, len) == 0)
            return (long)i;
    }
    return -1;
}

void map_remove(node *map, const char *key)
{
    long i = map_find(map, key);
    if (i < 0)
        return;
    size_t from = 2 * (size_t)i + 2, total = 2 * (size_t)map->len;
    memmove(&map->as.items[2 * (size_t)i], &map->as.items[from], (total - from) * sizeof(node *));
    map->len--;
}
