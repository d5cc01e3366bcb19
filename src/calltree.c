#include "calltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "grow.h"
#include "scalar.h"

/* verify works on each instance and keeps what it finds, 3 to 4 KB of an
 * instance that passes artifacts: about 1 GB at the limit. */
#define MAX_INSTANCES 250000
/* An instance's path names every call above it: deep nesting repeated
 * across documents (a chain of WorkflowTemplates each a root) makes them
 * long, and verify copies them into what it finds. */
#define MAX_PATH_BYTES (64u << 20)
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

const workflow *call_tree_runs(const call_tree *t, const workflow *wf)
{
    const node *refers = map_get(wf->spec, "workflowTemplateRef");
    return refers ? call_tree_document(t, wf, refers) : NULL;
}

const node *call_tree_run_claims(const call_tree *t, const workflow *wf)
{
    const node *own = spec_claims(wf->spec);
    const workflow *runs = own ? NULL : call_tree_runs(t, wf);
    return runs ? spec_claims(runs->spec) : own;
}

template *call_tree_target(const call_tree *t, const workflow *wf, const call_site *c,
                           const workflow **in)
{
    *in = wf;
    if (c->inline_template)
        return c->inline_template;
    if (c->template_name) {
        /* Argo joins the spec of the WorkflowTemplate a Workflow runs to the
         * Workflow's: a name the Workflow does not have is that template's. */
        template *own = workflow_template(wf, c->template_name);
        const workflow *runs = own ? NULL : call_tree_runs(t, wf);
        if (runs)
            *in = runs;
        return runs ? workflow_template(runs, c->template_name) : own;
    }
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
    size_t len = path ? strlen(path) : 0;
    if ((t->path_bytes += len) > MAX_PATH_BYTES) {
        const node *at = call ? call->node : wf->root;
        b->err = error_new(VP_ELIMIT, b->file, at ? at->line : 0, at ? at->column : 0,
                           "the workflow's template instances nest so deep and so often that their paths take more "
                           "than %u MiB, more than verify follows", MAX_PATH_BYTES >> 20);
        return NULL;
    }
    if (!i || !path || strmap_put(&t->by_path, path, len, i) != 0) {
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

static const artifact_list *defaults_of(const workflow *wf, int io)
{
    return io ? &wf->default_outputs : &wf->default_inputs;
}

/* Fills t->defaulted, t->defaults_paths and t->defaulted_parameters; false
 * when out of memory. */
static bool note_defaulted(call_tree *t)
{
    for (int io = 0; io < 2; io++) {
        size_t paths = 0;
        for (size_t d = 0; d < t->nwfs; d++) {
            const artifact_list *list = defaults_of(&t->wfs[d], io);
            for (size_t i = 0; i < list->count; i++) {
                if (strmap_put(&t->defaulted[io], list->items[i].name, strlen(list->items[i].name),
                               &list->items[i]) != 0)
                    return false;
                paths += list->items[i].path != NULL;
            }
        }
        if (paths && !(t->defaults_paths[io] = arena_alloc(&t->mem, paths * sizeof(artifact *))))
            return false;
        for (size_t d = 0; paths && d < t->nwfs; d++) {
            const artifact_list *list = defaults_of(&t->wfs[d], io);
            for (size_t i = 0; i < list->count; i++)
                if (list->items[i].path)
                    t->defaults_paths[io][t->ndefaults_paths[io]++] = &list->items[i];
        }
        for (size_t d = 0; d < t->nwfs; d++) {
            const node *params = t->wfs[d].default_parameters[io]; /* of mappings: read_defaults */
            for (size_t i = 0; params && i < params->len; i++) {
                const node *name = map_get(params->as.items[i], "name");
                if (name && name->kind == NODE_SCALAR &&
                    strmap_put(&t->defaulted_parameters, name->as.text, name->len, (void *)name) != 0)
                    return false;
            }
        }
    }
    return true;
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
    strmap_init(&t->defaulted[0]);
    strmap_init(&t->defaulted[1]);
    strmap_init(&t->defaulted_parameters);
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
    return note_defaulted(t) && call_tree_link_documents(t) ? VP_OK : error_give(err, error_oom());
}

const artifact *call_tree_defaulted(const call_tree *t, bool input, const char *name)
{
    return strmap_get(&t->defaulted[!input], name, strlen(name));
}

bool call_tree_parameter_defaulted(const call_tree *t, const char *name)
{
    return strmap_get(&t->defaulted_parameters, name, strlen(name)) != NULL;
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
    strmap_free(&t->defaulted[0]);
    strmap_free(&t->defaulted[1]);
    strmap_free(&t->defaulted_parameters);
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
