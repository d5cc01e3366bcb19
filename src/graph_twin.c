#include "graph_twin.h"

#include <string.h>

/* Points value `pair` of `map` at the scalar `name` (which lives in the
 * arena); false when out of memory. */
static bool name_in(arena *mem, node *map, size_t pair, const char *name)
{
    node *n = node_text(mem, name, strlen(name), STYLE_ANY);
    if (!n)
        return false;
    map->as.items[2 * pair + 1] = n;
    return true;
}

/* Points the first n callers of tw back at what they called. */
static void restore_callers(graph_twin *tw, size_t n)
{
    while (n-- > 0)
        tw->callers[n].map->as.items[2 * tw->callers[n].pair + 1] = tw->callers[n].was;
}

/* The node of `copy` (a clone of `original`) where `original` has `at`, or NULL. */
static node *counterpart(node *original, node *copy, const node *at)
{
    if (original == at)
        return copy;
    for (size_t i = 0, n = node_slots(original); i < n; i++) {
        node *found = counterpart(original->as.items[i], copy->as.items[i], at);
        if (found)
            return found;
    }
    return NULL;
}

int graph_twin_make(arena *mem, graph_twins *twins)
{
    graph_twin *tw = &twins->items[twins->count];
    long name = map_find(tw->original, "name");
    if (name < 0)
        return -1; /* the plan asks only for named templates */
    size_t moved = 0;
    for (; moved < tw->ncallers; moved++) {
        call_target *c = &tw->callers[moved];
        c->was = map_value(c->map, c->pair);
        if (!name_in(mem, c->map, c->pair, tw->name))
            break;
    }
    /* Copied once its callers are moved: where the template calls itself
     * in the form the twin takes, the twin calls itself. Its scalars are
     * the original's: its name is a new one, and so are the targets of its
     * calls that pass the input on (inner_calls). */
    node *copy = moved == tw->ncallers ? node_clone(mem, tw->original) : NULL;
    if (!copy || !name_in(mem, copy, (size_t)name, tw->name) || seq_push(mem, tw->templates, copy) != 0) {
        restore_callers(tw, moved);
        return -1;
    }
    for (size_t i = 0; i < tw->ninner_calls; i++) {
        const call_target *c = &tw->inner_calls[i];
        node *call = counterpart(tw->original, copy, c->map);
        if (!call || !name_in(mem, call, c->pair, c->to ? c->to : tw->name)) {
            tw->templates->len--;
            restore_callers(tw, moved);
            return -1;
        }
    }
    tw->copy = copy;
    twins->count++;
    return 0;
}

/* Removes `item` from sequence `seq`, wherever it is (templates the
 * rewrite added after it may follow it). */
static void seq_remove(node *seq, const node *item)
{
    for (size_t i = seq->len; i-- > 0;)
        if (seq->as.items[i] == item) {
            memmove(&seq->as.items[i], &seq->as.items[i + 1], (seq->len - i - 1) * sizeof(node *));
            seq->len--;
            return;
        }
}

void graph_twins_undo(graph_twins *twins)
{
    while (twins->count > 0) {
        graph_twin *tw = &twins->items[--twins->count];
        restore_callers(tw, tw->ncallers);
        seq_remove(tw->templates, tw->copy);
    }
}

const graph_twin *graph_twin_of(const graph_twins *twins, const node *t)
{
    for (size_t i = 0; i < twins->count; i++)
        if (twins->items[i].copy == t)
            return &twins->items[i];
    return NULL;
}

bool graph_twins_again(const graph_twins *twins)
{
    for (size_t i = 0; !twins->requested && !twins->no_convention && i < twins->count; i++)
        if (twins->items[i].for_convention)
            return true;
    return twins->requested;
}
