#include "calltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "grow.h"
#include "scalar.h"

#define MAX_INSTANCES 2000000
#define MAX_RECURSION 2 /* a recursive template is expanded this many times in one branch */

typedef struct builder {
    call_tree *t;
    const char *file;
    bool **reached; /* per document, per template: has an instance */
    vp_error *err;
} builder;

/* "NAMESPACE/NAME", the key of a WorkflowTemplate, in buf (of `size`
 * bytes); its length, or 0 when it does not fit. */
static size_t template_key(char *buf, size_t size, const char *name_space, const char *name, size_t len)
{
    size_t ns = strlen(name_space);
    if (ns + 1 + len >= size)
        return 0;
    memcpy(buf, name_space, ns);
    buf[ns] = '/';
    memcpy(buf + ns + 1, name, len);
    return ns + 1 + len;
}

/* The WorkflowTemplate `name` of namespace `name_space` ("" for one that
 * names none), or NULL. */
static const workflow *template_in(const call_tree *t, const char *name_space, const node *name)
{
    char key[512]; /* a namespace (63 bytes) and a name (253) */
    size_t len = template_key(key, sizeof key, name_space, name->as.text, name->len);
    return len ? strmap_get(&t->workflow_templates, key, len) : NULL;
}

const workflow *call_tree_document(const call_tree *t, const workflow *from, const node *template_ref)
{
    const node *name = map_get(template_ref, "name");
    if (!name || name->kind != NODE_SCALAR)
        return NULL;
    if (scalar_is_true(map_get(template_ref, "clusterScope")))
        return strmap_get(&t->cluster_templates, name->as.text, name->len);
    const workflow *found = template_in(t, from->name_space, name);
    if (!found)
        found = template_in(t, "", name);
    if (!found && !*from->name_space)
        found = strmap_get(&t->workflow_template_names, name->as.text, name->len);
    return found;
}

bool call_tree_uses_outside(const call_tree *t, size_t d)
{
    const workflow *wf = &t->wfs[d];
    const node *refers = map_get(wf->spec, "workflowTemplateRef");
    return t->calls_outside[d] || t->runs_any[d] || (refers && !call_tree_document(t, wf, refers));
}

const node *call_tree_run_claims(const call_tree *t, const workflow *wf)
{
    const node *own = spec_claims(wf->spec);
    const node *refers = map_get(wf->spec, "workflowTemplateRef");
    const workflow *runs = own || !refers ? NULL : call_tree_document(t, wf, refers);
    return runs ? spec_claims(runs->spec) : own;
}

template *call_tree_target(const call_tree *t, const workflow *wf, const call_site *c,
                           const workflow **in)
{
    *in = wf;
    if (c->inline_template)
        return c->inline_template;
    if (c->template_name)
        return workflow_template(wf, c->template_name);
    if (c->template_ref) {
        const node *name = map_get(c->template_ref, "template");
        *in = call_tree_document(t, wf, c->template_ref);
        return *in && name ? workflow_template(*in, name->as.text) : NULL;
    }
    return NULL;
}

static char *join_path(builder *b, const char *parent, const char *name)
{
    size_t lp = parent ? strlen(parent) : 0, ln = strlen(name);
    char *p = arena_alloc(&b->t->mem, lp + ln + 2);
    if (!p)
        return NULL;
    if (parent) {
        memcpy(p, parent, lp);
        p[lp++] = '/';
    }
    memcpy(p + lp, name, ln + 1);
    return p;
}

static size_t times_in_branch(const instance *i, const template *tmpl)
{
    size_t n = 0;
    for (; i; i = i->parent)
        n += i->tmpl == tmpl;
    return n;
}

static instance *make_instance(builder *b, const workflow *wf, template *tmpl, instance *parent,
                               const call_site *call, const char *name, size_t depth);

static void expand(builder *b, instance *i, size_t depth)
{
    template *tm = i->tmpl;
    if (!tm || tm->ncalls == 0 || times_in_branch(i->parent, tm) >= MAX_RECURSION)
        return;
    if (depth >= CALL_TREE_MAX_DEPTH) {
        b->t->too_deep = true;
        return;
    }
    i->children = arena_alloc(&b->t->mem, tm->ncalls * sizeof(instance *));
    if (!i->children) {
        b->err = error_oom();
        return;
    }
    i->nchildren = tm->ncalls;
    for (size_t c = 0; c < tm->ncalls && !b->err; c++) {
        const workflow *in;
        template *target = call_tree_target(b->t, i->wf, &tm->calls[c], &in);
        i->children[c] = make_instance(b, in, target, i, &tm->calls[c], tm->calls[c].name, depth + 1);
    }
}

static instance *make_instance(builder *b, const workflow *wf, template *tmpl, instance *parent,
                               const call_site *call, const char *name, size_t depth)
{
    call_tree *t = b->t;
    if (++t->count > MAX_INSTANCES) {
        const node *at = call ? call->node : wf->root; /* the call that passes the limit */
        b->err = error_new(VP_ELIMIT, b->file, at ? at->line : 0, at ? at->column : 0,
                           "the workflow expands to more than %d template instances, more than verify follows",
                           MAX_INSTANCES);
        return NULL;
    }
    instance *i = arena_alloc(&t->mem, sizeof *i);
    char *path = join_path(b, parent ? parent->path : NULL, name);
    if (!i || !path || strmap_put(&t->by_path, path, strlen(path), i) != 0) {
        b->err = error_oom();
        return NULL;
    }
    *i = (instance){wf, tmpl, parent, call, path, NULL, 0};
    size_t doc = (size_t)(wf - t->wfs);
    if (tmpl && tmpl >= wf->templates && tmpl < wf->templates + wf->ntemplates)
        b->reached[doc][tmpl - wf->templates] = true;
    expand(b, i, depth);
    return i;
}

static void add_root(builder *b, const workflow *wf, template *tmpl, const call_site *call,
                     const char *name)
{
    call_tree *t = b->t;
    instance **roots = grow_arena(&t->mem, t->roots, &t->roots_cap, t->nroots, sizeof *roots);
    if (!roots) {
        b->err = error_oom();
        return;
    }
    t->roots = roots;
    if (call_tree_find(t, name))
        return; /* already a root under this name (an entrypoint that is also an exit handler) */
    instance *i = make_instance(b, wf, tmpl, NULL, call, name, 0);
    if (i)
        t->roots[t->nroots++] = i;
}

/* prefix + name, whole however long (two roots cut to one length would be
 * taken for one), in the tree's arena; "" when out of memory (b->err). */
static const char *root_label(builder *b, const char *prefix, const char *name)
{
    size_t lp = strlen(prefix), ln = strlen(name);
    char *label = arena_alloc(&b->t->mem, lp + ln + 1);
    if (!label) {
        b->err = error_oom();
        return "";
    }
    memcpy(label, prefix, lp);
    memcpy(label + lp, name, ln + 1);
    return label;
}

/* Roots: the entrypoint, the workflow's exit handler and hooks, then every
 * dag or steps template nothing reached (a WorkflowTemplate library's). With
 * several documents, root names carry the document's index: "1:main". */
static void add_roots(builder *b, size_t doc, bool many)
{
    const workflow *wf = &b->t->wfs[doc];
    char name[512];
    const char *prefix = many ? name : "";
    if (many)
        snprintf(name, sizeof name, "%zu:", doc);
    if (wf->entrypoint && workflow_template(wf, wf->entrypoint))
        add_root(b, wf, workflow_template(wf, wf->entrypoint), NULL, root_label(b, prefix, wf->entrypoint));
    for (size_t c = 0; c < wf->handlers.ncalls && !b->err; c++) {
        const workflow *in;
        template *target = call_tree_target(b->t, wf, &wf->handlers.calls[c], &in);
        add_root(b, in, target, &wf->handlers.calls[c], root_label(b, prefix, wf->handlers.calls[c].name));
    }
    for (size_t i = 0; i < wf->ntemplates && !b->err; i++) {
        template *tm = &wf->templates[i];
        if ((tm->kind == TEMPLATE_DAG || tm->kind == TEMPLATE_STEPS) && !b->reached[doc][i])
            add_root(b, wf, tm, NULL, root_label(b, prefix, tm->name));
    }
}

/* Files a WorkflowTemplate or ClusterWorkflowTemplate under what a
 * templateRef finds it by. Two of one name in one namespace are refused:
 * applied, the second replaces the first, and which one a workflow meant
 * is not known. */
static vp_status index_template_document(call_tree *t, const workflow *wf, const char *file, vp_error **err)
{
    bool cluster = strcmp(wf->kind, "ClusterWorkflowTemplate") == 0;
    if (!wf->name || (!cluster && strcmp(wf->kind, "WorkflowTemplate") != 0))
        return VP_OK;
    size_t n = strlen(wf->name);
    char buf[512];
    size_t len = cluster ? n : template_key(buf, sizeof buf, wf->name_space, wf->name, n);
    const char *key = cluster ? wf->name : len ? arena_strndup(&t->mem, buf, len) : NULL;
    if (!key) /* longer than Kubernetes allows: found by its name alone */
        len = 0;
    strmap *map = cluster ? &t->cluster_templates : &t->workflow_templates;
    if (len && strmap_get(map, key, len)) {
        const node *at = map_get(map_get(wf->root, "metadata"), "name");
        bool named = !cluster && *wf->name_space;
        return error_give(err, error_new(VP_EUNSUPPORTED, file, at ? at->line : 0, at ? at->column : 0,
                                         "%s '%s' appears twice%s%s%s: applied, the second replaces the first, and "
                                         "which one a workflow means is not known", wf->kind, wf->name,
                                         cluster ? "" : named ? " in namespace '" : ", with no namespace",
                                         named ? wf->name_space : "", named ? "'" : ""));
    }
    const workflow *first = cluster ? NULL : strmap_get(&t->workflow_template_names, wf->name, n);
    if ((len && strmap_put(map, key, len, (void *)wf) != 0) ||
        (!cluster && !first && strmap_put(&t->workflow_template_names, wf->name, n, (void *)wf) != 0) ||
        (first && strcmp(first->name_space, wf->name_space) != 0 && !strmap_get(&t->ambiguous, wf->name, n) &&
         strmap_put(&t->ambiguous, wf->name, n, (void *)wf) != 0))
        return error_give(err, error_oom());
    return VP_OK;
}

const workflow *call_tree_ambiguous(const call_tree *t, const workflow *from, const node *template_ref)
{
    const node *name = map_get(template_ref, "name");
    if (*from->name_space || !name || name->kind != NODE_SCALAR ||
        scalar_is_true(map_get(template_ref, "clusterScope")))
        return NULL;
    if (template_in(t, "", name))
        return NULL; /* one that names no namespace either: applied where `from` is */
    return strmap_get(&t->ambiguous, name->as.text, name->len);
}

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

vp_status call_tree_read(call_tree *t, node **docs, size_t ndocs, const char *file, vp_error **err)
{
    memset(t, 0, sizeof *t);
    arena_init(&t->mem);
    strmap_init(&t->by_path);
    strmap_init(&t->workflow_templates);
    strmap_init(&t->workflow_template_names);
    strmap_init(&t->cluster_templates);
    strmap_init(&t->ambiguous);
    t->wfs = arena_alloc(&t->mem, (ndocs ? ndocs : 1) * sizeof(workflow));
    if (!t->wfs)
        return error_give(err, error_oom());
    memset(t->wfs, 0, (ndocs ? ndocs : 1) * sizeof(workflow));
    t->nwfs = ndocs;
    for (size_t i = 0; i < ndocs; i++) {
        if (!workflow_document(docs[i]))
            continue;
        vp_status st = workflow_read(&t->wfs[i], docs[i], file, &t->mem, err);
        if (st != VP_OK)
            return st;
        st = index_template_document(t, &t->wfs[i], file, err);
        if (st != VP_OK)
            return st;
    }
    if (!collect_refs(t) || !join_run_settings(t))
        return error_give(err, error_oom());
    for (size_t r = t->nrefs; r-- > 0;) /* prepended: the list is in stream order */
        if (!t->refs[r].template_ref) {
            workflow *run = &t->wfs[t->refs[r].callee], *wf = &t->wfs[t->refs[r].caller];
            wf->next_runner = run->runner;
            run->runner = wf;
        }
    return VP_OK;
}

vp_status call_tree_expand(call_tree *t, const char *file, vp_error **err)
{
    builder b = {t, file, NULL, NULL};
    size_t ndocs = t->nwfs, workflows = 0;
    b.reached = arena_alloc(&t->mem, (ndocs ? ndocs : 1) * sizeof(bool *));
    for (size_t i = 0; b.reached && i < ndocs; i++) {
        workflows += t->wfs[i].root != NULL;
        size_t n = t->wfs[i].ntemplates;
        if (!(b.reached[i] = arena_alloc(&t->mem, n ? n : 1)))
            b.reached = NULL;
        else
            memset(b.reached[i], 0, n ? n : 1);
    }
    if (!b.reached)
        return error_give(err, error_oom());
    for (size_t i = 0; i < ndocs && !b.err; i++)
        if (t->wfs[i].root)
            add_roots(&b, i, workflows > 1);
    return b.err ? error_give(err, b.err) : VP_OK;
}

void call_tree_free(call_tree *t)
{
    for (size_t i = 0; i < t->nwfs; i++)
        if (t->wfs[i].root)
            workflow_free(&t->wfs[i]);
    strmap_free(&t->by_path);
    strmap_free(&t->workflow_templates);
    strmap_free(&t->workflow_template_names);
    strmap_free(&t->cluster_templates);
    strmap_free(&t->ambiguous);
    free(t->refs);
    arena_free(&t->mem);
}

instance *call_tree_find(const call_tree *t, const char *path)
{
    return strmap_get(&t->by_path, path, strlen(path));
}

instance *instance_sibling(const call_tree *t, const instance *scope, span name)
{
    char buf[1024]; /* most paths; a longer one is put together on the heap */
    size_t len = strlen(scope->path) + 1 + name.len;
    char *path = len < sizeof buf ? buf : malloc(len + 1);
    if (!path)
        return NULL;
    snprintf(path, len + 1, "%s/%.*s", scope->path, (int)name.len, name.s);
    instance *found = call_tree_find(t, path);
    if (path != buf)
        free(path);
    return found;
}

static void each(instance *i, void (*fn)(instance *, void *), void *ctx)
{
    if (!i)
        return;
    if (!i->tmpl || (i->tmpl->kind != TEMPLATE_DAG && i->tmpl->kind != TEMPLATE_STEPS))
        fn(i, ctx);
    for (size_t c = 0; c < i->nchildren; c++)
        each(i->children[c], fn, ctx);
}

void call_tree_each(const call_tree *t, void (*fn)(instance *, void *), void *ctx)
{
    for (size_t r = 0; r < t->nroots; r++)
        each(t->roots[r], fn, ctx);
}
