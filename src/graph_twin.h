/* Twins of dag and steps templates. A dag or steps template whose callers
 * pass one of its inputs in two forms (a volume location from some, a real
 * artifact from others) cannot take both. Pod templates get twins within a
 * plan (plan_calls.c), as their form is theirs alone; a graph template's
 * form decides the forms of everything it calls, which only a plan of its
 * own can work out. So the plan asks for a copy of the template under
 * another name for the callers of one form (plan_graph_twin), and
 * rewrite_volume (src/volpass.c) makes it in the documents and plans again
 * from them, where the copy is a template like any other. */
#ifndef VP_GRAPH_TWIN_H
#define VP_GRAPH_TWIN_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "doc.h"

/* Per stream: each one plans the whole stream again. */
#define MAX_GRAPH_TWINS 16

/* The field of a call that names the template it calls (template,
 * templateRef's template, onExit, a workflow's entrypoint): value `pair` of
 * mapping `map`, which was `was` before the twin took it. */
typedef struct call_target {
    node *map;
    size_t pair;
    node *was;
} call_target;

typedef struct graph_twin {
    node *templates;       /* the list the twin joins: its original's document's templates */
    node *original;        /* the template copied */
    node *copy;            /* the twin, once made */
    const char *name;
    const char *original_name;
    const char *input;     /* the input artifact its callers pass in the other form */
    bool constant;         /* they pass a real artifact where the original takes a volume location */
    call_target *callers;  /* the calls that go to the twin */
    size_t ncallers;
} graph_twin;

typedef struct graph_twins {
    graph_twin items[MAX_GRAPH_TWINS];
    size_t count;   /* made */
    bool requested; /* items[count] is asked for by the plan just refused */
} graph_twins;

/* Makes twins->items[count], asked for: the template copied under its new
 * name into its list, and its callers pointed at it. -1 when out of memory
 * (nothing changed then). */
int graph_twin_make(arena *mem, graph_twins *twins);

/* Takes every twin made back out of the documents, the last first. */
void graph_twins_undo(graph_twins *twins);

/* The twin whose copy is template node `t`, or NULL. */
const graph_twin *graph_twin_of(const graph_twins *twins, const node *t);

#endif
