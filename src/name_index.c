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

/* Where list's items named name[0..len) are among its sorted items: the
 * first place, and how many (*count); NULL when the list is to be walked. */
static const sorted_list *run_of(name_index *x, const node *list, const char *name, size_t len, size_t *at,
                                 size_t *count)
{
    if (!x || !list || list->kind != NODE_SEQUENCE || list->len <= NAME_INDEX_MIN)
        return NULL;
    const sorted_list *s = sorted(x, list);
    if (!s || s->items != list->as.items || s->len != list->len)
        return NULL;
    *at = sorted_lower_bound(s->e, s->n, sizeof *s->e, &(named){name, len, 0}, compare_named);
    size_t end = *at;
    while (end < s->n && text_order(s->e[end].name, s->e[end].len, name, len) == 0)
        end++;
    *count = end - *at;
    return s;
}

node *name_index_find(name_index *x, const node *list, const char *name, size_t len)
{
    size_t at, count;
    const sorted_list *s = run_of(x, list, name, len, &at, &count);
    if (s)
        return count ? s->list->as.items[s->e[at].index] : NULL;
    return parameter_named(list, name, len);
}

size_t name_index_count(name_index *x, const node *list, const char *name, size_t len)
{
    size_t at, count = 0;
    if (run_of(x, list, name, len, &at, &count))
        return count;
    for (size_t i = 0; list && list->kind == NODE_SEQUENCE && i < list->len; i++)
        count += item_named(list->as.items[i], name, len);
    return count;
}
