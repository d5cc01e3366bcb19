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
 * mapping `map`, which was `was` before the twin took it; `to`, the
 * template it calls in the twin's copy, for the copy's own calls. */
typedef struct call_target {
    node *map;
    size_t pair;
    node *was;
    const char *to;
} call_target;

typedef struct graph_twin {
    node *templates;       /* the list the twin joins: its original's document's templates */
    node *original;        /* the template copied */
    node *copy;            /* the twin, once made */
    const char *name;
    const char *original_name;
    const char *input;     /* the input artifact its callers pass in the other form */
    bool constant;         /* they pass a real artifact where the original takes a volume location */
    bool for_convention;   /* made so that a WorkflowTemplate's template keeps the convention's form */
    call_target *callers;  /* the calls that go to the twin */
    size_t ncallers;
    /* Calls in the template that pass the input on as they got it, to
     * itself or to a template with a twin of the same form: in the copy,
     * they call the copy, or that twin (recursion stays in one form). */
    call_target *inner_calls;
    size_t ninner_calls;
} graph_twin;

typedef struct graph_twins {
    graph_twin items[MAX_GRAPH_TWINS];
    size_t count;   /* made */
    bool requested; /* items[count] is asked for by the plan just refused */
    /* None is made for the convention: with them, the stream was refused
     * (a template kept in the convention's form calls one that cannot take
     * it, say), and without, its templates take their callers' forms. */
    bool no_convention;
} graph_twins;

/* Whether a plan refused with these twins starts again: with the twin it
 * asked for, or without the twins made for the convention. */
bool graph_twins_again(const graph_twins *twins);

/* Makes twins->items[count], asked for: the template copied under its new
 * name into its list, and its callers pointed at it. -1 when out of memory
 * (nothing changed then). */
int graph_twin_make(arena *mem, graph_twins *twins);

/* Takes every twin made back out of the documents, the last first. */
void graph_twins_undo(graph_twins *twins);

/* The twin whose copy is template node `t`, or NULL. */
const graph_twin *graph_twin_of(const graph_twins *twins, const node *t);

#endif
