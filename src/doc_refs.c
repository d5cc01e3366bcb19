/* What the documents of a stream run of one another: the references
 * between them (templateRef, workflowTemplateRef), the Workflows that run a
 * WorkflowTemplate, and the settings (run_settings) that reach a document's
 * pods from the workflows that run its templates. Part of the call tree
 * (calltree.h); call_tree_read links them. */
#include <stdlib.h>
#include <string.h>

#include "calltree.h"
#include "grow.h"

/* The references of document `from` being collected (collect_refs). */
typedef struct ref_list {
    call_tree *t;
    size_t from, cap;
    bool oom;
} ref_list;

/* Adds the reference of `from` to `to` (NULL: a document not in the
 * stream), unless it has it already or it is to itself. */
static void add_ref(ref_list *l, const workflow *to, bool template_ref)
{
    call_tree *t = l->t;
    if (!to) {
        t->calls_outside[l->from] |= template_ref;
        return;
    }
    size_t callee = (size_t)(to - t->wfs);
    if (callee == l->from)
        return;
    for (size_t r = t->refs_from[l->from]; r < t->nrefs; r++)
        if (t->refs[r].callee == callee && t->refs[r].template_ref == template_ref)
            return; /* a document refers to few others: the scan is short */
    doc_ref *bigger = grow_heap(t->refs, &l->cap, t->nrefs, sizeof *bigger);
    if (!bigger) {
        l->oom = true;
        return;
    }
    t->refs = bigger;
    t->refs[t->nrefs++] = (doc_ref){l->from, callee, template_ref};
}

/* add_ref for each templateRef of template tm, and of those inline in it;
 * one whose name is made of parameters may run any WorkflowTemplate. */
static void add_calls(ref_list *l, const template *tm)
{
    const workflow *from = &l->t->wfs[l->from];
    for (size_t c = 0; c < tm->ncalls; c++) {
        const node *name = map_get(tm->calls[c].template_ref, "name");
        if (name && name->kind == NODE_SCALAR && strstr(name->as.text, "{{"))
            l->t->runs_any[l->from] = true; /* give_any: no document of its own */
        else if (tm->calls[c].template_ref)
            add_ref(l, call_tree_document(l->t, from, tm->calls[c].template_ref), true);
        if (tm->calls[c].inline_template)
            add_calls(l, tm->calls[c].inline_template);
    }
}

/* Fills refs, refs_from and calls_outside. False when out of memory. */
static bool collect_refs(call_tree *t)
{
    ref_list l = {t, 0, 0, false};
    t->refs_from = arena_alloc(&t->mem, (t->nwfs + 1) * sizeof *t->refs_from);
    t->calls_outside = arena_alloc(&t->mem, t->nwfs + 1);
    t->runs_any = arena_alloc(&t->mem, t->nwfs + 1);
    if (!t->refs_from || !t->calls_outside || !t->runs_any)
        return false;
    memset(t->calls_outside, 0, t->nwfs + 1);
    memset(t->runs_any, 0, t->nwfs + 1);
    for (l.from = 0; l.from < t->nwfs && !l.oom; l.from++) {
        const workflow *wf = &t->wfs[l.from];
        t->refs_from[l.from] = t->nrefs;
        if (!wf->root)
            continue;
        const node *refers = map_get(wf->spec, "workflowTemplateRef");
        if (refers)
            add_ref(&l, call_tree_document(t, wf, refers), false);
        for (size_t i = 0; i < wf->ntemplates; i++)
            add_calls(&l, &wf->templates[i]);
        add_calls(&l, &wf->handlers);
    }
    t->refs_from[t->nwfs] = t->nrefs;
    return !l.oom;
}

/* Documents whose run_settings changed, to pass on to those they run. */
typedef struct worklist {
    size_t *docs, n;
    bool *queued;
} worklist;

static void queue_doc(worklist *w, size_t d)
{
    if (!w->queued[d]) {
        w->queued[d] = true;
        w->docs[w->n++] = d;
    }
}

/* Passes the run_settings of each queued document on to those it runs,
 * queueing each that changed, until none does. */
static void pass_on(call_tree *t, worklist *w)
{
    while (w->n) {
        size_t d = w->docs[--w->n];
        w->queued[d] = false;
        for (size_t r = t->refs_from[d]; r < t->refs_from[d + 1]; r++)
            if (workflow_runs_join(&t->wfs[t->refs[r].callee].runs, &t->wfs[d]))
                queue_doc(w, t->refs[r].callee);
    }
}

/* Gives every WorkflowTemplate what the documents that may run any (a
 * templateRef whose name is made of parameters) give theirs, but its own:
 * run_settings come from the workflows that run a document, and the union
 * of all but one is that of those before it and of those after it.
 * Queues each that changed: 1 when one did, 0 when none, -1 when out of
 * memory. */
static int give_any(call_tree *t, worklist *w)
{
    size_t n = 0;
    for (size_t d = 0; d < t->nwfs; d++)
        n += t->runs_any[d];
    if (!n)
        return 0;
    run_settings *before = calloc(n + 1, sizeof *before), *after = calloc(n + 1, sizeof *after);
    bool changed = false;
    for (size_t d = 0, k = 0; before && after && d < t->nwfs; d++)
        if (t->runs_any[d]) {
            before[k + 1] = before[k];
            workflow_runs_join(&before[k + 1], &t->wfs[d]);
            k++;
        }
    for (size_t d = t->nwfs, k = n; before && after && d-- > 0;)
        if (t->runs_any[d]) {
            after[k - 1] = after[k];
            workflow_runs_join(&after[k - 1], &t->wfs[d]);
            k--;
        }
    for (size_t d = 0, k = 0; before && after && d < t->nwfs; d++) {
        run_settings others = before[k];
        run_settings_merge(&others, &after[k + t->runs_any[d]]);
        k += t->runs_any[d];
        if (t->wfs[d].root && workflow_callable_apart(&t->wfs[d]) && run_settings_merge(&t->wfs[d].runs, &others)) {
            queue_doc(w, d);
            changed = true;
        }
    }
    int got = before && after ? changed : -1;
    free(before);
    free(after);
    return got;
}

/* Fills each document's run_settings from the documents that run its
 * templates, and from those that run theirs, until nothing changes: each
 * setting only grows, a few times at most, so a document is queued a few
 * times at most, however its references loop. False when out of memory. */
static bool join_run_settings(call_tree *t)
{
    worklist w = {malloc((t->nwfs + 1) * sizeof *w.docs), 0, calloc(t->nwfs + 1, 1)};
    bool ok = w.docs && w.queued;
    for (size_t d = t->nwfs; ok && d-- > 0;) /* popped in stream order */
        queue_doc(&w, d);
    int given = 0;
    do
        pass_on(t, &w);
    while (ok && (given = give_any(t, &w)) > 0);
    ok &= given >= 0;
    free(w.docs);
    free(w.queued);
    return ok;
}

bool call_tree_runs_outside(const call_tree *t, size_t d)
{
    const workflow *wf = &t->wfs[d];
    return t->calls_outside[d] || (map_get(wf->spec, "workflowTemplateRef") && !call_tree_runs(t, wf));
}

bool call_tree_uses_outside(const call_tree *t, size_t d)
{
    return call_tree_runs_outside(t, d) || t->runs_any[d];
}

bool call_tree_link_documents(call_tree *t)
{
    if (!collect_refs(t) || !join_run_settings(t))
        return false;
    for (size_t r = t->nrefs; r-- > 0;) /* prepended: the list is in stream order */
        if (!t->refs[r].template_ref) {
            workflow *run = &t->wfs[t->refs[r].callee], *wf = &t->wfs[t->refs[r].caller];
            wf->next_runner = run->runner;
            run->runner = wf;
        }
    return true;
}
