#include "workflow.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

/* Artifact fields that make an artifact bring its own data. */
static const char *const source_keys[] = {"raw", "s3", "http", "git", "gcs", "oss", "hdfs",
                                          "artifactory", "azure", "plugin", NULL};

static const char *const workflow_kinds[] = {"Workflow", "WorkflowTemplate",
                                             "ClusterWorkflowTemplate", "CronWorkflow", NULL};

typedef struct reader {
    workflow *wf;
    const char *file;
    vp_error *err;
} reader;

static const char *kind_name(const node *n)
{
    if (n->kind == NODE_MAPPING)
        return "a mapping";
    if (n->kind == NODE_SEQUENCE)
        return "a list";
    return "a scalar";
}

static bool is_null(const node *n)
{
    return n->kind == NODE_SCALAR && n->style == STYLE_PLAIN &&
           (n->len == 0 || scalar_is(n, "null") || scalar_is(n, "~") || scalar_is(n, "Null") ||
            scalar_is(n, "NULL"));
}

/* The value of map[key] when it is of `kind`; NULL when absent or null; an
 * error naming `where` when it has another type. */
static node *field(reader *r, const node *map, const char *key, node_kind kind, const char *where)
{
    node *v = map_get(map, key);
    if (!v || r->err || is_null(v))
        return NULL;
    if (v->kind != kind) {
        r->err = error_new(VP_EINVALID, r->file, v->line, v->column, "%s%s%s must be %s, not %s",
                           where, *where ? "." : "", key,
                           kind == NODE_MAPPING ? "a mapping" : kind == NODE_SEQUENCE ? "a list" : "a scalar",
                           kind_name(v));
        return NULL;
    }
    return v;
}

static bool is_workflow_kind(const node *kind)
{
    for (const char *const *k = workflow_kinds; *k; k++)
        if (scalar_is(kind, *k))
            return true;
    return false;
}

bool workflow_document(const node *root)
{
    if (!root || root->kind != NODE_MAPPING)
        return false;
    const node *kind = map_get(root, "kind");
    if (kind)
        return is_workflow_kind(kind);
    return map_get(map_get(root, "spec"), "templates") != NULL;
}

static void *model_alloc(reader *r, size_t count, size_t size)
{
    if (count == 0)
        return NULL;
    void *p = arena_alloc(&r->wf->mem, count * size);
    if (!p && !r->err)
        r->err = error_oom();
    if (p)
        memset(p, 0, count * size);
    return p;
}

static void read_artifact(reader *r, artifact *a, node *n, const char *where)
{
    if (n->kind != NODE_MAPPING) {
        r->err = error_new(VP_EINVALID, r->file, n->line, n->column,
                           "%s: each artifact must be a mapping, not %s", where, kind_name(n));
        return;
    }
    a->node = n;
    const node *name = field(r, n, "name", NODE_SCALAR, where);
    if (!name && !r->err) {
        r->err = error_new(VP_EINVALID, r->file, n->line, n->column, "%s: artifact has no name", where);
        return;
    }
    if (r->err)
        return;
    a->name = name->as.text;
    char here[300];
    snprintf(here, sizeof here, "%s, artifact '%s'", where, a->name);
    a->path = field(r, n, "path", NODE_SCALAR, here);
    a->from = field(r, n, "from", NODE_SCALAR, here);
    a->from_expression = field(r, n, "fromExpression", NODE_SCALAR, here);
    for (const char *const *k = source_keys; *k; k++)
        if (map_get(n, *k))
            a->has_source = true;
}

/* Reads owner.artifacts (owner being an inputs, outputs or arguments mapping). */
static void read_artifacts(reader *r, artifact_list *list, node *owner, const char *where)
{
    list->owner = owner;
    char here[256];
    snprintf(here, sizeof here, "%s.artifacts", where);
    node *seq = field(r, owner, "artifacts", NODE_SEQUENCE, where);
    if (!seq)
        return;
    list->items = model_alloc(r, seq->len, sizeof(artifact));
    for (size_t i = 0; i < seq->len && !r->err; i++)
        read_artifact(r, &list->items[list->count++], seq->as.items[i], here);
}

static void read_call(reader *r, call_site *c, node *n, const char *where)
{
    if (n->kind != NODE_MAPPING) {
        r->err = error_new(VP_EINVALID, r->file, n->line, n->column, "%s must be a mapping, not %s",
                           where, kind_name(n));
        return;
    }
    c->node = n;
    const node *name = field(r, n, "name", NODE_SCALAR, where);
    c->name = name ? name->as.text : "";
    char here[256];
    snprintf(here, sizeof here, "%s '%s': arguments", where, c->name);
    node *args = field(r, n, "arguments", NODE_MAPPING, here);
    read_artifacts(r, &c->arguments, args, here);
}

static void read_calls(reader *r, template *t)
{
    char where[200];
    if (t->kind == TEMPLATE_DAG) {
        snprintf(where, sizeof where, "template '%s': dag", t->name);
        node *tasks = field(r, field(r, t->node, "dag", NODE_MAPPING, where), "tasks", NODE_SEQUENCE, where);
        if (!tasks)
            return;
        t->calls = model_alloc(r, tasks->len, sizeof(call_site));
        snprintf(where, sizeof where, "template '%s', task", t->name);
        for (size_t i = 0; i < tasks->len && !r->err; i++)
            read_call(r, &t->calls[t->ncalls++], tasks->as.items[i], where);
        return;
    }
    snprintf(where, sizeof where, "template '%s'", t->name);
    node *groups = field(r, t->node, "steps", NODE_SEQUENCE, where);
    if (!groups)
        return;
    size_t total = 0;
    for (size_t g = 0; g < groups->len; g++) {
        node *group = groups->as.items[g];
        if (group->kind != NODE_SEQUENCE) {
            r->err = error_new(VP_EINVALID, r->file, group->line, group->column,
                               "template '%s': each group of steps must be a list, not %s",
                               t->name, kind_name(group));
            return;
        }
        total += group->len;
    }
    t->calls = model_alloc(r, total, sizeof(call_site));
    snprintf(where, sizeof where, "template '%s', step", t->name);
    for (size_t g = 0; g < groups->len && !r->err; g++)
        for (size_t i = 0; i < groups->as.items[g]->len && !r->err; i++)
            read_call(r, &t->calls[t->ncalls++], groups->as.items[g]->as.items[i], where);
}

static template_kind classify(const node *t)
{
    if (map_get(t, "container"))
        return TEMPLATE_CONTAINER;
    if (map_get(t, "script"))
        return TEMPLATE_SCRIPT;
    if (map_get(t, "containerSet"))
        return TEMPLATE_CONTAINER_SET;
    if (map_get(t, "dag"))
        return TEMPLATE_DAG;
    if (map_get(t, "steps"))
        return TEMPLATE_STEPS;
    return TEMPLATE_OTHER;
}

static void read_template(reader *r, template *t, node *n)
{
    if (n->kind != NODE_MAPPING) {
        r->err = error_new(VP_EINVALID, r->file, n->line, n->column,
                           "each template must be a mapping, not %s", kind_name(n));
        return;
    }
    t->node = n;
    const node *name = field(r, n, "name", NODE_SCALAR, "template");
    if (!name) {
        if (!r->err)
            r->err = error_new(VP_EINVALID, r->file, n->line, n->column, "template has no name");
        return;
    }
    t->name = name->as.text;
    t->kind = classify(n);
    char where[200];
    snprintf(where, sizeof where, "template '%s'", t->name);
    if (t->kind == TEMPLATE_CONTAINER || t->kind == TEMPLATE_SCRIPT)
        t->container = field(r, n, t->kind == TEMPLATE_CONTAINER ? "container" : "script",
                             NODE_MAPPING, where);
    snprintf(where, sizeof where, "template '%s': inputs", t->name);
    read_artifacts(r, &t->inputs, field(r, n, "inputs", NODE_MAPPING, where), where);
    snprintf(where, sizeof where, "template '%s': outputs", t->name);
    read_artifacts(r, &t->outputs, field(r, n, "outputs", NODE_MAPPING, where), where);
    if (t->kind == TEMPLATE_DAG || t->kind == TEMPLATE_STEPS)
        read_calls(r, t);
    if (!r->err && strmap_put(&r->wf->by_name, t->name, name->len, t) != 0)
        r->err = error_oom();
}

static node *find_spec(reader *r, node *root)
{
    node *spec = field(r, root, "spec", NODE_MAPPING, "");
    if (scalar_is(map_get(root, "kind"), "CronWorkflow"))
        spec = field(r, spec, "workflowSpec", NODE_MAPPING, "spec");
    return spec;
}

vp_status workflow_read(workflow *wf, node *root, const char *file, vp_error **err)
{
    memset(wf, 0, sizeof *wf);
    arena_init(&wf->mem);
    strmap_init(&wf->by_name);
    reader r = {wf, file, NULL};
    wf->root = root;
    const node *kind = map_get(root, "kind");
    wf->kind = kind && kind->kind == NODE_SCALAR ? kind->as.text : "Workflow";
    wf->spec = find_spec(&r, root);
    node *templates = field(&r, wf->spec, "templates", NODE_SEQUENCE, "spec");
    if (templates) {
        wf->templates = model_alloc(&r, templates->len, sizeof(template));
        for (size_t i = 0; i < templates->len && !r.err; i++)
            read_template(&r, &wf->templates[wf->ntemplates++], templates->as.items[i]);
    }
    read_artifacts(&r, &wf->arguments, field(&r, wf->spec, "arguments", NODE_MAPPING, "spec"),
                   "spec.arguments");
    return r.err ? error_give(err, r.err) : VP_OK;
}

void workflow_free(workflow *wf)
{
    strmap_free(&wf->by_name);
    arena_free(&wf->mem);
}
