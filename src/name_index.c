#include "name_index.h"

#include <stdlib.h>
#include <string.h>

#include "sorted.h"
#include "workflow.h"

typedef struct named {
    const char *name;
    size_t len;
    size_t index; /* in the list */
} named;

/* A list's named items, sorted by name, then by place: the first of a name first. */
typedef struct sorted_list {
    const node *list; /* the key */
    node **items;     /* the list's items and their number when sorted: a */
    size_t len;       /* list changed since is walked, as a safeguard */
    named *e;
    size_t n;
} sorted_list;

void name_index_init(name_index *x, arena *mem)
{
    strmap_init(&x->lists);
    x->mem = mem;
    x->oom = false;
}

void name_index_free(name_index *x)
{
    strmap_free(&x->lists);
}

static int compare_named(const void *x, const void *y)
{
    const named *a = x, *b = y;
    int c = text_order(a->name, a->len, b->name, b->len);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* The sorted items of `list`, made the first time it is asked for. */
static const sorted_list *sorted(name_index *x, const node *list)
{
    sorted_list *s = strmap_get(&x->lists, (const char *)&list, sizeof list);
    if (s)
        return s;
    s = arena_alloc(x->mem, sizeof *s);
    named *e = arena_alloc(x->mem, list->len * sizeof *e);
    if (s)
        s->list = list; /* the map keeps the key's bytes: these, in the arena */
    if (!s || !e || strmap_put(&x->lists, (const char *)&s->list, sizeof s->list, s) != 0) {
        x->oom = true;
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < list->len; i++) {
        const node *name = map_get(list->as.items[i], "name");
        if (name && name->kind == NODE_SCALAR)
            e[n++] = (named){name->as.text, name->len, i};
    }
    if (n > 1)
        qsort(e, n, sizeof *e, compare_named);
    s->items = list->as.items;
    s->len = list->len;
    s->e = e;
    s->n = n;
    return s;
}

node *name_index_find(name_index *x, const node *list, const char *name, size_t len)
{
    if (!list || list->kind != NODE_SEQUENCE || list->len <= NAME_INDEX_MIN)
        return parameter_named(list, name, len);
    const sorted_list *s = sorted(x, list);
    if (!s)
        return NULL;
    if (s->items != list->as.items || s->len != list->len)
        return parameter_named(list, name, len);
    size_t at = sorted_lower_bound(s->e, s->n, sizeof *s->e, &(named){name, len, 0}, compare_named);
    bool found = at < s->n && text_order(s->e[at].name, s->e[at].len, name, len) == 0;
    return found ? s->list->as.items[s->e[at].index] : NULL;
}
