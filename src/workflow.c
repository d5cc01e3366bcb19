/* The workflow model (see workflow.h): documents, templates, artifacts and
 * call sites read from the document tree and checked for shape, and what
 * a template's pod has (mounts, volumes, patches, defaults). */
#include "workflow.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "grow.h"
#include "mirrors.h"
#include "name_index.h"
#include "paths.h"
#include "refs.h"
#include "scalar.h"
#include "sorted.h"

/* Artifact fields that make an artifact bring its own data. */
static const char *const source_keys[] = {"raw", "s3", "http", "git", "gcs", "oss", "hdfs",
                                          "artifactory", "azure", "plugin", NULL};

static const char *const workflow_kinds[] = {"Workflow", "WorkflowTemplate",
                                             "ClusterWorkflowTemplate", "CronWorkflow", NULL};

typedef struct reader {
    workflow *wf;
    const char *file;
    vp_error *err;
    name_index twins; /* containers by name, for mirrors_read */
} reader;

/* Where the reader is, for error messages: "template 'x'", then ", task 'y'",
 * ": arguments", ".artifacts", ... each part `head` + `name` + `tail` after
 * its `up`. Spelled out only when an error is made: a large workflow has
 * hundreds of thousands of places and, usually, no error. */
typedef struct place {
    const struct place *up;
    const char *head, *name, *tail; /* name and tail may be NULL */
} place;

#define LABEL_MAX 512

static const place top = {NULL, "", NULL, NULL}, spec_place = {NULL, "spec", NULL, NULL};
static const place defaults_place = {NULL, "spec.templateDefaults", NULL, NULL};

static size_t spell(const place *p, char *buf)
{
    if (!p)
        return 0;
    size_t n = spell(p->up, buf);
    const char *parts[] = {p->head, p->name, p->tail};
    for (size_t i = 0; i < 3; i++)
        for (const char *c = parts[i]; c && *c && n < LABEL_MAX - 1; c++)
            buf[n++] = *c;
    buf[n] = '\0';
    return n;
}

/* The place as text, in buf (LABEL_MAX bytes). */
static const char *label(const place *p, char *buf)
{
    buf[0] = '\0';
    spell(p, buf);
    return buf;
}

static const char *kind_name(const node *n)
{
    if (n->kind == NODE_MAPPING)
        return "a mapping";
    if (n->kind == NODE_SEQUENCE)
        return "a list";
    return "a scalar";
}

/* v, the value of `key`, when it is of `kind`; NULL when absent or null;
 * an error naming the place `at` when it has another type. */
static node *checked_field(reader *r, node *v, const char *key, node_kind kind, const place *at)
{
    if (!v || r->err || scalar_is_null(v))
        return NULL;
    if (v->kind != kind) {
        /* "spec.templates", but "template 'x': inputs" after a label that ends in a name */
        char where[LABEL_MAX];
        size_t n = strlen(label(at, where));
        const char *sep = n == 0 ? "" : where[n - 1] == '\'' ? ": " : ".";
        r->err = error_new(VP_EINVALID, r->file, v->line, v->column, "%s%s%s must be %s, not %s",
                           where, sep, key,
                           kind == NODE_MAPPING ? "a mapping" : kind == NODE_SEQUENCE ? "a list" : "a scalar",
                           kind_name(v));
        return NULL;
    }
    return v;
}

/* The value of map[key], checked as checked_field does. */
static node *field(reader *r, const node *map, const char *key, node_kind kind, const place *at)
{
    return checked_field(r, map_get(map, key), key, kind, at);
}

static bool is_workflow_kind(const node *kind)
{
    for (const char *const *k = workflow_kinds; *k; k++)
        if (scalar_is(kind, *k))
            return true;
    return false;
}

bool workflow_kind_like(const char *kind)
{
    for (const char *const *k = workflow_kinds; *k; k++)
        if (text_equal_ignoring_case(*k, kind, strlen(*k) + 1))
            return true;
    return false;
}

bool workflow_callable_apart(const workflow *wf)
{
    return strcmp(wf->kind, "WorkflowTemplate") == 0 || strcmp(wf->kind, "ClusterWorkflowTemplate") == 0;
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
    void *p = arena_alloc(r->wf->mem, count * size);
    if (!p && !r->err)
        r->err = error_oom();
    if (p)
        memset(p, 0, count * size);
    return p;
}

/* Argo refuses two templates of a workflow, two tasks or steps of a
 * template, or two artifacts of one list with the same name; the model,
 * which finds each by its name, would take one for the other. (Templates
 * are checked as they are put in the workflow's by_name.) `name_at`
 * gives the name and the node of item i. Short lists are compared pairwise;
 * a long one goes through a set (name -> index + 1), so that a hostile one
 * stays linear. When `index` is given, a set made is kept there. */
typedef const char *(*name_at_fn)(const void *items, size_t i, const node **at);

enum {
    PAIRWISE_MAX = 16,   /* longer lists are checked for repeats through a set */
    CALL_INDEX_MIN = 64, /* a graph with more calls keeps that set to find them by name */
    ARTIFACT_INDEX_MIN = 16, /* a list of more artifacts is sorted by name to find them */
};

static void refuse_repeat(reader *r, const place *where, const char *what, const char *name,
                          const node *first, const node *again)
{
    char buf[LABEL_MAX];
    r->err = error_new(VP_EINVALID, r->file, again->line, again->column,
                       "%s has two %s named '%s' (lines %lu and %lu), which Argo refuses",
                       label(where, buf), what, name, (unsigned long)first->line,
                       (unsigned long)again->line);
}

static void refuse_repeats(reader *r, const void *items, size_t count, name_at_fn name_at,
                           const char *what, const place *where, strmap *index)
{
    strmap seen;
    strmap_init(&seen);
    const node *first = NULL, *again = NULL;
    const char *name = NULL;
    for (size_t i = 0; i < count && !first && !r->err; i++) {
        name = name_at(items, i, &again);
        size_t earlier = 0; /* index + 1 */
        if (count <= PAIRWISE_MAX) {
            for (size_t j = 0; j < i && !earlier; j++)
                earlier = strcmp(name_at(items, j, &first), name) == 0 ? j + 1 : 0;
        } else if (!(earlier = (uintptr_t)strmap_get(&seen, name, strlen(name))) &&
                   strmap_put(&seen, name, strlen(name), (void *)(uintptr_t)(i + 1)) != 0) {
            r->err = error_oom();
        }
        first = earlier ? (name_at(items, earlier - 1, &first), first) : NULL;
    }
    if (first && !r->err)
        refuse_repeat(r, where, what, name, first, again);
    if (index && !r->err)
        *index = seen;
    else
        strmap_free(&seen);
}

/* Where a graph keeps its set of call names: only a large one does, as
 * scanning a few dozen names costs less than the set's memory. */
static strmap *call_index(template *t)
{
    return t->ncalls > CALL_INDEX_MIN ? &t->calls_by_name : NULL;
}

static const char *artifact_name_at(const void *items, size_t i, const node **at)
{
    const artifact *a = (const artifact *)items + i;
    *at = a->node;
    return a->name;
}

static const char *call_name_at(const void *items, size_t i, const node **at)
{
    const call_site *c = (const call_site *)items + i;
    *at = c->node;
    return c->name;
}

/* v, the value of `key`, when it is a scalar of `type` (what Go reads into
 * a string or a bool field: Argo refuses another, as `path: 5` or
 * `optional: "yes"`); NULL when absent or null; an error naming the place
 * otherwise. */
static node *checked_scalar(reader *r, node *v, const char *key, scalar_type type, const place *at)
{
    v = checked_field(r, v, key, NODE_SCALAR, at);
    if (v && memchr(v->as.text, '\0', v->len)) { /* escaped, "\0": no name nor path holds one */
        char where[LABEL_MAX];
        size_t n = strlen(label(at, where));
        r->err = error_new(VP_EINVALID, r->file, v->line, v->column, "%s%s%s holds a NUL character (\\0), which no "
                           "name or path can hold", where, n && where[n - 1] == '\'' ? ": " : ".", key);
        return NULL;
    }
    if (v && scalar_resolve(v) != type) {
        char where[LABEL_MAX];
        size_t n = strlen(label(at, where));
        r->err = error_new(VP_EINVALID, r->file, v->line, v->column, "%s%s%s must be %s, not '%s'", where,
                           n && where[n - 1] == '\'' ? ": " : ".", key,
                           type == SCALAR_BOOL ? "true or false (unquoted)" : "a string (quote it)", v->as.text);
        return NULL;
    }
    return v;
}

/* The value of map[key], checked as checked_scalar does. */
static node *typed_field(reader *r, const node *map, const char *key, scalar_type type, const place *at)
{
    return checked_scalar(r, map_get(map, key), key, type, at);
}

/* The artifact fields read_artifact reads. */
enum { A_NAME, A_PATH, A_FROM, A_FROM_EXPRESSION, A_SUB_PATH, A_GLOBAL_NAME, A_OPTIONAL, A_FIELDS };
static const char *const artifact_keys[A_FIELDS] = {"name", "path", "from", "fromExpression", "subPath",
                                                    "globalName", "optional"};

/* Whether scalar key is `text`; its first byte first, which tells most apart (texts end in NUL). */
static bool key_is(const node *key, const char *text)
{
    return key->as.text[0] == text[0] && scalar_is(key, text);
}

static void read_artifact(reader *r, artifact *a, node *n, const place *at)
{
    char where[LABEL_MAX];
    if (n->kind != NODE_MAPPING) {
        r->err = error_new(VP_EINVALID, r->file, n->line, n->column,
                           "%s: each artifact must be a mapping, not %s", label(at, where), kind_name(n));
        return;
    }
    a->node = n;
    node *v[A_FIELDS] = {NULL};
    for (size_t i = 0; i < n->len; i++) { /* one pass over the artifact's keys, a few among many possible */
        const node *key = map_key(n, i);
        if (key->kind != NODE_SCALAR)
            continue;
        for (size_t f = 0; f < A_FIELDS; f++)
            if (key_is(key, artifact_keys[f]))
                v[f] = map_value(n, i);
        for (const char *const *k = source_keys; *k && !a->source; k++)
            if (key_is(key, *k))
                a->source = *k;
    }
    const node *name = checked_scalar(r, v[A_NAME], artifact_keys[A_NAME], SCALAR_STR, at);
    if (!name && !r->err) {
        r->err = error_new(VP_EINVALID, r->file, n->line, n->column, "%s: artifact has no name", label(at, where));
        return;
    }
    if (r->err)
        return;
    a->name = name->as.text;
    place here = {at, ", artifact '", a->name, "'"};
    a->path = checked_scalar(r, v[A_PATH], artifact_keys[A_PATH], SCALAR_STR, &here);
    a->from = checked_scalar(r, v[A_FROM], artifact_keys[A_FROM], SCALAR_STR, &here);
    a->from_expression = checked_scalar(r, v[A_FROM_EXPRESSION], artifact_keys[A_FROM_EXPRESSION], SCALAR_STR, &here);
    a->sub_path = checked_scalar(r, v[A_SUB_PATH], artifact_keys[A_SUB_PATH], SCALAR_STR, &here);
    a->global_name = checked_scalar(r, v[A_GLOBAL_NAME], artifact_keys[A_GLOBAL_NAME], SCALAR_STR, &here);
    a->optional = scalar_is_true(checked_scalar(r, v[A_OPTIONAL], artifact_keys[A_OPTIONAL], SCALAR_BOOL, &here));
}

static int compare_artifacts(const void *x, const void *y)
{
    const artifact *a = *(const artifact *const *)x, *b = *(const artifact *const *)y;
    return strcmp(a->name, b->name);
}

/* A long list's items in the order of their names, which artifact_index
 * searches: they follow the items, in the same allocation (read_artifacts),
 * so that a list costs no more for them, and a short list nothing. */
static const artifact **by_name(const artifact_list *list)
{
    return list->count > ARTIFACT_INDEX_MIN ? (const artifact **)(list->items + list->count) : NULL;
}

/* Its names are unique: refuse_repeats has checked. */
static void index_names(artifact_list *list)
{
    const artifact **order = by_name(list);
    for (size_t i = 0; i < list->count; i++)
        order[i] = &list->items[i];
    qsort(order, list->count, sizeof *order, compare_artifacts);
}

/* Reads owner.artifacts (owner being an inputs, outputs or arguments mapping). */
static void read_artifacts(reader *r, artifact_list *list, node *owner, const place *at)
{
    list->owner = owner;
    place here = {at, ".artifacts", NULL, NULL};
    node *seq = field(r, owner, "artifacts", NODE_SEQUENCE, at);
    if (!seq)
        return;
    size_t room = seq->len > ARTIFACT_INDEX_MIN ? sizeof(artifact) + sizeof(artifact *) : sizeof(artifact);
    list->items = model_alloc(r, seq->len, room);
    for (size_t i = 0; i < seq->len && !r->err; i++)
        read_artifact(r, &list->items[list->count++], seq->as.items[i], &here);
    refuse_repeats(r, list->items, list->count, artifact_name_at, "artifacts", &here, NULL);
    if (by_name(list) && !r->err)
        index_names(list);
}

static void read_template(reader *r, template *t, node *n, const char *name);

static call_site *add_call(reader *r, template *t, node *n, const char *name, call_kind kind)
{
    call_site *calls = grow_arena(r->wf->mem, t->calls, &t->calls_cap, t->ncalls, sizeof *calls);
    if (!calls) {
        if (!r->err)
            r->err = error_oom();
        return NULL;
    }
    t->calls = calls;
    call_site *c = &t->calls[t->ncalls++];
    memset(c, 0, sizeof *c);
    c->node = n;
    c->name = name;
    c->kind = kind;
    return c;
}

static char *model_strcat(reader *r, const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = model_alloc(r, la + lb + lc + 1, 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c, lc + 1);
    }
    return s;
}

/* What a call site calls and passes: template, templateRef or inline; arguments. */
static void read_target(reader *r, call_site *c, const place *at)
{
    const node *name = typed_field(r, c->node, "template", SCALAR_STR, at);
    c->template_name = name ? name->as.text : NULL;
    c->template_ref = field(r, c->node, "templateRef", NODE_MAPPING, at);
    place ref_at = {at, ": templateRef", NULL, NULL};
    typed_field(r, c->template_ref, "name", SCALAR_STR, &ref_at);
    typed_field(r, c->template_ref, "template", SCALAR_STR, &ref_at);
    typed_field(r, c->template_ref, "clusterScope", SCALAR_BOOL, &ref_at);
    node *inl = field(r, c->node, "inline", NODE_MAPPING, at);
    if (inl && !r->err) {
        c->inline_template = model_alloc(r, 1, sizeof(template));
        if (c->inline_template)
            read_template(r, c->inline_template, inl, c->name);
    }
    c->looped = map_get(c->node, "withItems") || map_get(c->node, "withParam") ||
                map_get(c->node, "withSequence");
    place here = {at, ": arguments", NULL, NULL};
    node *args = field(r, c->node, "arguments", NODE_MAPPING, at);
    c->parameters = field(r, args, "parameters", NODE_SEQUENCE, &here);
    read_artifacts(r, &c->arguments, args, &here);
}

/* The exit handler and lifecycle hooks of a task, step or workflow (`owner`). */
static void read_handlers(reader *r, template *t, const node *owner, const char *prefix,
                          const place *at)
{
    const node *on_exit = typed_field(r, owner, "onExit", SCALAR_STR, at);
    if (on_exit) {
        call_site *c = add_call(r, t, (node *)owner, model_strcat(r, prefix, "onExit", ""), CALL_ON_EXIT);
        if (c) {
            c->template_name = on_exit->as.text;
            c->workflow_arguments = true;
        }
    }
    node *hooks = field(r, owner, "hooks", NODE_MAPPING, at);
    for (size_t i = 0; hooks && i < hooks->len && !r->err; i++) {
        node *hook = map_value(hooks, i);
        place here = {at, ": hooks.", map_key(hooks, i)->as.text, NULL};
        if (hook->kind != NODE_MAPPING) {
            char where[LABEL_MAX];
            r->err = error_new(VP_EINVALID, r->file, hook->line, hook->column,
                               "%s must be a mapping, not %s", label(&here, where), kind_name(hook));
            return;
        }
        call_site *c = add_call(r, t, hook, model_strcat(r, prefix, "hooks.", map_key(hooks, i)->as.text), CALL_HOOK);
        if (c)
            read_target(r, c, &here);
        if (c && scalar_is(map_key(hooks, i), "exit"))
            c->workflow_arguments = !c->arguments.count && !(c->parameters && c->parameters->len);
    }
}

/* Argo runs an exit handler (a workflow's, a task's or a step's onExit, or
 * a hooks.exit given no arguments) with the workflow's spec.arguments. */
static void pass_workflow_arguments(template *t, const artifact_list *args, node *parameters)
{
    for (size_t c = 0; c < t->ncalls; c++) {
        if (t->calls[c].workflow_arguments) {
            t->calls[c].arguments = *args;
            t->calls[c].parameters = parameters;
        }
        if (t->calls[c].inline_template)
            pass_workflow_arguments(t->calls[c].inline_template, args, parameters);
    }
}

static void read_call(reader *r, template *t, node *n, call_kind kind, const place *tmpl)
{
    const char *what = kind == CALL_TASK ? "task" : "step";
    if (n->kind != NODE_MAPPING) {
        r->err = error_new(VP_EINVALID, r->file, n->line, n->column,
                           "template '%s': each %s must be a mapping, not %s", t->name, what,
                           kind_name(n));
        return;
    }
    place unnamed = {tmpl, ", ", what, NULL};
    const node *name = typed_field(r, n, "name", SCALAR_STR, &unnamed);
    const char *call_name = name ? name->as.text : "";
    place here = {&unnamed, " '", call_name, "'"};
    call_site *c = add_call(r, t, n, call_name, kind);
    if (!c)
        return;
    read_target(r, c, &here);
    read_handlers(r, t, n, model_strcat(r, call_name, ".", ""), &here);
}

/* Room for the `n` calls a graph is about to add, made at once: growing
 * one call at a time would leave smaller arrays behind in the arena. */
static void expect_calls(reader *r, template *t, size_t n)
{
    call_site *calls = t->ncalls == 0 ? model_alloc(r, n, sizeof *calls) : NULL;
    if (calls) {
        t->calls = calls;
        t->calls_cap = n;
    }
}

static void read_calls(reader *r, template *t, const place *tmpl)
{
    if (t->kind == TEMPLATE_DAG) {
        place dag = {tmpl, ": dag", NULL, NULL};
        node *tasks = field(r, field(r, t->node, "dag", NODE_MAPPING, tmpl), "tasks", NODE_SEQUENCE, &dag);
        expect_calls(r, t, tasks ? tasks->len : 0);
        for (size_t i = 0; tasks && i < tasks->len && !r->err; i++)
            read_call(r, t, tasks->as.items[i], CALL_TASK, tmpl);
        refuse_repeats(r, t->calls, t->ncalls, call_name_at, "tasks", tmpl, call_index(t));
        return;
    }
    node *groups = field(r, t->node, "steps", NODE_SEQUENCE, tmpl);
    size_t steps = 0;
    for (size_t g = 0; groups && g < groups->len; g++)
        steps += groups->as.items[g]->kind == NODE_SEQUENCE ? groups->as.items[g]->len : 0;
    expect_calls(r, t, steps);
    for (size_t g = 0; groups && g < groups->len && !r->err; g++) {
        node *group = groups->as.items[g];
        if (group->kind != NODE_SEQUENCE) {
            r->err = error_new(VP_EINVALID, r->file, group->line, group->column,
                               "template '%s': each group of steps must be a list, not %s",
                               t->name, kind_name(group));
            return;
        }
        for (size_t i = 0; i < group->len && !r->err; i++)
            read_call(r, t, group->as.items[i], CALL_STEP, tmpl);
    }
    refuse_repeats(r, t->calls, t->ncalls, call_name_at, "steps", tmpl, call_index(t));
}

const node *argo_field(const node *map, const char *key)
{
    const node *v = map_get(map, key);
    return v && !scalar_is_null(v) ? v : NULL;
}

/* Argo's template types, each with the kind volpass reads it as. */
static const struct {
    const char *key;
    template_kind kind;
} template_types[] = {
    {"container", TEMPLATE_CONTAINER}, {"script", TEMPLATE_SCRIPT}, {"containerSet", TEMPLATE_CONTAINER_SET},
    {"dag", TEMPLATE_DAG},             {"steps", TEMPLATE_STEPS},   {"resource", TEMPLATE_OTHER},
    {"suspend", TEMPLATE_OTHER},       {"data", TEMPLATE_OTHER},    {"http", TEMPLATE_OTHER},
    {"plugin", TEMPLATE_OTHER},
};

const char *template_type(const template *t)
{
    for (size_t i = 0; i < sizeof template_types / sizeof *template_types; i++)
        if (argo_field(t->node, template_types[i].key))
            return template_types[i].key;
    return "typeless";
}

/* The kind of template t (`name`). Argo takes a template of one type only
 * ("multiple template types specified"): an error when t has two, naming them. */
static template_kind classify(reader *r, const node *t, const char *name)
{
    const char *first = NULL;
    template_kind kind = TEMPLATE_OTHER;
    for (size_t i = 0; i < sizeof template_types / sizeof *template_types && !r->err; i++) {
        const node *v = argo_field(t, template_types[i].key);
        if (v && first) {
            r->err = error_new(VP_EINVALID, r->file, v->line, v->column, "template '%s' is both a %s and a %s "
                               "template: Argo takes one type of template", name, first, template_types[i].key);
        } else if (v) {
            first = template_types[i].key;
            kind = template_types[i].kind;
        }
    }
    return kind;
}

/* The container whose artifacts a containerSet template's are: the one named main. */
static node *main_container(reader *r, const node *t, const place *at)
{
    node *containers = field(r, field(r, t, "containerSet", NODE_MAPPING, at), "containers",
                             NODE_SEQUENCE, at);
    for (size_t i = 0; containers && i < containers->len; i++)
        if (scalar_is(map_get(containers->as.items[i], "name"), "main"))
            return containers->as.items[i];
    return NULL;
}

/* Each item of `list` must be a mapping (a volume, a container, a mount). */
static void mappings(reader *r, const node *list, const place *at)
{
    for (size_t i = 0; list && !r->err && i < list->len; i++)
        if (list->as.items[i]->kind != NODE_MAPPING) {
            char where[LABEL_MAX];
            const node *n = list->as.items[i];
            r->err = error_new(VP_EINVALID, r->file, n->line, n->column, "each item of %s must be a mapping, not %s",
                               label(at, where), kind_name(n));
        }
}

/* spec.templateDefaults, which Argo merges into every template: the parts
 * volpass reads, checked for shape once. */
static node *read_defaults(reader *r, node *spec)
{
    node *d = field(r, spec, "templateDefaults", NODE_MAPPING, &spec_place);
    static const char *const lists[] = {"volumes", "initContainers", "sidecars"};
    static const place list_places[] = {{&defaults_place, ".volumes", NULL, NULL},
                                        {&defaults_place, ".initContainers", NULL, NULL},
                                        {&defaults_place, ".sidecars", NULL, NULL}};
    for (size_t i = 0; i < 3; i++)
        mappings(r, field(r, d, lists[i], NODE_SEQUENCE, &defaults_place), &list_places[i]);
    static const char *const pods[] = {"container", "script", "containerSet"};
    static const place pod_places[] = {{&defaults_place, ".container", NULL, NULL},
                                       {&defaults_place, ".script", NULL, NULL},
                                       {&defaults_place, ".containerSet", NULL, NULL}};
    static const place mount_places[] = {{&pod_places[0], ".volumeMounts", NULL, NULL},
                                         {&pod_places[1], ".volumeMounts", NULL, NULL},
                                         {&pod_places[2], ".volumeMounts", NULL, NULL}};
    for (size_t i = 0; i < 3; i++)
        mappings(r, field(r, field(r, d, pods[i], NODE_MAPPING, &defaults_place), "volumeMounts", NODE_SEQUENCE,
                          &pod_places[i]), &mount_places[i]);
    static const place in = {&defaults_place, ".inputs", NULL, NULL}, out = {&defaults_place, ".outputs", NULL, NULL};
    static const place in_params = {&in, ".parameters", NULL, NULL}, out_params = {&out, ".parameters", NULL, NULL};
    node *ins = field(r, d, "inputs", NODE_MAPPING, &defaults_place), *outs = field(r, d, "outputs", NODE_MAPPING,
                                                                                   &defaults_place);
    read_artifacts(r, &r->wf->default_inputs, ins, &in);
    read_artifacts(r, &r->wf->default_outputs, outs, &out);
    mappings(r, r->wf->default_parameters[0] = field(r, ins, "parameters", NODE_SEQUENCE, &in), &in_params);
    mappings(r, r->wf->default_parameters[1] = field(r, outs, "parameters", NODE_SEQUENCE, &out), &out_params);
    return r->err ? NULL : d;
}

/* Whether one of t's own volumeMounts lists has a mount on `path`. */
static bool mounts_on(const template *t, const node *path)
{
    mount_cursor at = {0, 0};
    for (const node *m; path && path->kind == NODE_SCALAR && (m = template_next_mount(t, TEMPLATE_OWN_MOUNT_LISTS, &at));) {
        const char *mp = scalar_text(map_get(m, "mountPath"));
        if (mp && path_equal(mp, path->as.text))
            return true;
    }
    return false;
}

/* Which of run_settings' pod kinds template t is (container, script,
 * containerSet), or -1 for a template that runs no container. */
static int pod_kind(const template *t)
{
    return t->kind == TEMPLATE_CONTAINER ? 0 : t->kind == TEMPLATE_SCRIPT ? 1 : t->kind == TEMPLATE_CONTAINER_SET ? 2
                                                                                                                : -1;
}

/* The volume mounts templateDefaults `d` give a container of pod kind
 * `kind` (pod_kind), or NULL. */
static const node *default_container_mounts(const node *d, int kind)
{
    static const char *const keys[] = {"container", "script", "containerSet"};
    const node *mounts = map_get(map_get(d, keys[kind]), "volumeMounts");
    return mounts && mounts->kind == NODE_SEQUENCE && mounts->len ? mounts : NULL;
}

/* The volumeMounts that spec.templateDefaults gives template t's container
 * (or containerSet) and t does not set itself: Argo merges the defaults into
 * every template, where a mount of t's own replaces the default mount on its
 * mountPath. NULL for none. */
static node *default_mounts(reader *r, const template *t)
{
    int kind = pod_kind(t);
    const node *mounts = kind >= 0 ? default_container_mounts(t->defaults, kind) : NULL; /* shape: read_defaults */
    if (!mounts)
        return NULL; /* none, or null */
    node *kept = node_collection(r->wf->mem, NODE_SEQUENCE, STYLE_BLOCK);
    for (size_t i = 0; kept && i < mounts->len; i++)
        if (!mounts_on(t, map_get(mounts->as.items[i], "mountPath")) && seq_push(r->wf->mem, kept, mounts->as.items[i]) != 0)
            kept = NULL;
    if (!kept)
        r->err = error_oom();
    return kept;
}

/* The lists of containers beside pod template t's main one: init containers
 * and sidecars, its own and spec.templateDefaults'; a containerSet's
 * containers last, when `with_set`. Their count. */
static size_t side_containers(const template *t, bool with_set, const node *lists[5])
{
    lists[0] = map_get(t->node, "initContainers");
    lists[1] = map_get(t->node, "sidecars");
    lists[2] = map_get(t->defaults, "initContainers");
    lists[3] = map_get(t->defaults, "sidecars");
    lists[4] = map_get(map_get(t->node, "containerSet"), "containers");
    return with_set ? 5 : 4;
}

/* `inline_name` names an inline template (which has no name of its own);
 * NULL for the templates of spec.templates. */
static void read_template(reader *r, template *t, node *n, const char *inline_name)
{
    if (n->kind != NODE_MAPPING) {
        r->err = error_new(VP_EINVALID, r->file, n->line, n->column,
                           "each template must be a mapping, not %s", kind_name(n));
        return;
    }
    t->node = n;
    static const place unnamed = {NULL, "template", NULL, NULL};
    const node *name = inline_name ? NULL : typed_field(r, n, "name", SCALAR_STR, &unnamed);
    if (!name && !inline_name) {
        if (!r->err)
            r->err = error_new(VP_EINVALID, r->file, n->line, n->column, "template has no name");
        return;
    }
    t->name = name ? name->as.text : inline_name;
    t->kind = classify(r, n, t->name);
    const place at = {NULL, "template '", t->name, "'"};
    if (t->kind == TEMPLATE_CONTAINER || t->kind == TEMPLATE_SCRIPT)
        t->container = field(r, n, t->kind == TEMPLATE_CONTAINER ? "container" : "script",
                             NODE_MAPPING, &at);
    else if (t->kind == TEMPLATE_CONTAINER_SET)
        t->container = main_container(r, n, &at);
    /* Rewrites add to these lists: they must be lists. */
    field(r, t->container, "volumeMounts", NODE_SEQUENCE, &at);
    field(r, map_get(n, "containerSet"), "volumeMounts", NODE_SEQUENCE, &at);
    field(r, n, "volumes", NODE_SEQUENCE, &at);
    t->defaults = r->wf->defaults;
    t->default_mounts = default_mounts(r, t);
    const node *sides[5];
    side_containers(t, false, sides);
    bool oom;
    t->mirrors = mirrors_read(sides, r->wf->mem, &r->twins, &oom);
    if (oom && !r->err)
        r->err = error_oom();
    const place in = {&at, ": inputs", NULL, NULL}, out = {&at, ": outputs", NULL, NULL};
    node *inputs = field(r, n, "inputs", NODE_MAPPING, &at);
    t->input_parameters = field(r, inputs, "parameters", NODE_SEQUENCE, &in);
    read_artifacts(r, &t->inputs, inputs, &in);
    for (size_t k = 0; k < t->inputs.count && !r->err; k++) {
        const node *from = t->inputs.items[k].from;
        char where[LABEL_MAX];
        if (from && from->len) /* validateInputs: an empty one passes */
            r->err = error_new(VP_EINVALID, r->file, from->line, from->column, "%s, artifact '%s': from is not valid "
                               "in inputs, and Argo refuses it: a call passes the artifact in its arguments",
                               label(&in, where), t->inputs.items[k].name);
    }
    node *outputs = field(r, n, "outputs", NODE_MAPPING, &at);
    t->output_parameters = field(r, outputs, "parameters", NODE_SEQUENCE, &out);
    read_artifacts(r, &t->outputs, outputs, &out);
    if (t->kind == TEMPLATE_DAG || t->kind == TEMPLATE_STEPS)
        read_calls(r, t, &at);
    if (r->err || !name)
        return;
    const template *earlier = strmap_get(&r->wf->by_name, t->name, name->len);
    if (earlier)
        refuse_repeat(r, &spec_place, "templates", t->name, earlier->node, n);
    else if (strmap_put(&r->wf->by_name, t->name, name->len, t) != 0)
        r->err = error_oom();
}


static node *find_spec(reader *r, node *root)
{
    node *spec = field(r, root, "spec", NODE_MAPPING, &top);
    if (scalar_is(map_get(root, "kind"), "CronWorkflow"))
        spec = field(r, spec, "workflowSpec", NODE_MAPPING, &spec_place);
    return spec;
}

vp_status workflow_read(workflow *wf, node *root, const char *file, arena *mem, vp_error **err)
{
    memset(wf, 0, sizeof *wf);
    wf->mem = mem;
    strmap_init(&wf->by_name);
    reader r = {.wf = wf, .file = file};
    name_index_init(&r.twins, mem);
    wf->root = root;
    const node *kind = map_get(root, "kind");
    wf->kind = kind && kind->kind == NODE_SCALAR ? kind->as.text : "Workflow";
    wf->spec = find_spec(&r, root);
    node *templates = field(&r, wf->spec, "templates", NODE_SEQUENCE, &spec_place);
    wf->defaults = read_defaults(&r, wf->spec);
    field(&r, wf->spec, "volumes", NODE_SEQUENCE, &spec_place);
    field(&r, wf->spec, "volumeClaimTemplates", NODE_SEQUENCE, &spec_place);
    if (templates) {
        wf->templates = model_alloc(&r, templates->len, sizeof(template));
        for (size_t i = 0; i < templates->len && !r.err; i++)
            read_template(&r, &wf->templates[wf->ntemplates++], templates->as.items[i], NULL);
    }
    static const place arguments = {NULL, "spec.arguments", NULL, NULL}, metadata = {NULL, "metadata", NULL, NULL};
    node *args = field(&r, wf->spec, "arguments", NODE_MAPPING, &spec_place);
    wf->parameters = field(&r, args, "parameters", NODE_SEQUENCE, &arguments);
    read_artifacts(&r, &wf->arguments, args, &arguments);
    const node *entry = typed_field(&r, wf->spec, "entrypoint", SCALAR_STR, &spec_place);
    wf->entrypoint = entry ? entry->as.text : NULL;
    node *meta = field(&r, root, "metadata", NODE_MAPPING, &top);
    const node *name = typed_field(&r, meta, "name", SCALAR_STR, &metadata);
    wf->name = name ? name->as.text : NULL;
    const node *name_space = field(&r, meta, "namespace", NODE_SCALAR, &metadata);
    wf->name_space = name_space ? name_space->as.text : "";
    wf->handlers.name = "(workflow)";
    wf->handlers.kind = TEMPLATE_OTHER;
    if (wf->spec)
        read_handlers(&r, &wf->handlers, wf->spec, "", &spec_place);
    for (size_t i = 0; i < wf->ntemplates; i++)
        pass_workflow_arguments(&wf->templates[i], &wf->arguments, wf->parameters);
    pass_workflow_arguments(&wf->handlers, &wf->arguments, wf->parameters);
    name_index_free(&r.twins);
    return r.err ? error_give(err, r.err) : VP_OK;
}

const node *spec_claims(const node *spec)
{
    const node *claims = map_get(spec, "volumeClaimTemplates");
    return claims && claims->kind == NODE_SEQUENCE && claims->len ? claims : NULL;
}

bool claims_have(const node *claims, const char *name)
{
    for (size_t k = 0; name && claims && claims->kind == NODE_SEQUENCE && k < claims->len; k++)
        if (scalar_is(map_get(map_get(claims->as.items[k], "metadata"), "name"), name))
            return true;
    return false;
}

/* Whether the model's name `have` is name[0, len). */
static bool named(const char *have, const char *name, size_t len)
{
    /* The first bytes first: most names differ there. */
    return have[0] == (len ? name[0] : '\0') && strlen(have) == len && memcmp(have, name, len) == 0;
}

static int artifact_order(const void *element, const void *key)
{
    const artifact *a = *(const artifact *const *)element;
    const span *name = key;
    return text_order(a->name, strlen(a->name), name->s, name->len);
}

size_t artifact_index(const artifact_list *l, const char *name, size_t len)
{
    const artifact **order = by_name(l);
    if (order) {
        size_t at = sorted_lower_bound(order, l->count, sizeof *order, &(span){name, len}, artifact_order);
        return at < l->count && named(order[at]->name, name, len) ? (size_t)(order[at] - l->items) : NOT_FOUND;
    }
    for (size_t i = 0; i < l->count; i++)
        if (named(l->items[i].name, name, len))
            return i;
    return NOT_FOUND;
}

bool item_named(const node *item, const char *name, size_t len)
{
    const node *n = map_get(item, "name");
    return n && n->kind == NODE_SCALAR && n->len == len && memcmp(n->as.text, name, len) == 0;
}

node *parameter_named(const node *list, const char *name, size_t len)
{
    for (size_t i = 0; list && list->kind == NODE_SEQUENCE && i < list->len; i++)
        if (item_named(list->as.items[i], name, len))
            return list->as.items[i];
    return NULL;
}

const node *parameter_own_value(const node *param, bool with_default)
{
    const node *v = argo_field(param, "value");
    if (!v && with_default)
        v = argo_field(param, "default");
    return v && v->kind == NODE_SCALAR ? v : NULL;
}

bool parameter_reads_config_map(const node *param)
{
    return argo_field(argo_field(param, "valueFrom"), "configMapKeyRef") != NULL;
}

const char *call_target_dynamic(const call_site *c)
{
    static const char *const keys[] = {"name", "template"};
    for (size_t i = 0; i < 2; i++) {
        const node *v = map_get(c->template_ref, keys[i]);
        if (v && v->kind == NODE_SCALAR && strstr(v->as.text, "{{"))
            return v->as.text;
    }
    return NULL;
}

const node *call_items(const call_site *c)
{
    const node *items = argo_field(c->node, "withItems");
    return items && items->kind == NODE_SEQUENCE ? items : NULL;
}

const char *item_text(const node *item, const char *expr, size_t len)
{
    if (len == 4 && memcmp(expr, "item", 4) == 0)
        return item->kind == NODE_SCALAR ? item->as.text : NULL;
    if (len < 6 || memcmp(expr, "item.", 5) != 0 || item->kind != NODE_MAPPING)
        return NULL;
    /* Argo keys a mapping item's values by "item." and the whole key, dots
     * and all, one level deep (a nested value it writes as Go prints it). */
    long i = map_find_len(item, expr + 5, len - 5);
    const node *v = i < 0 ? NULL : map_value(item, (size_t)i);
    return scalar_text(v);
}

const node *required_parameter(const node *param)
{
    const node *name = map_get(param, "name");
    if (!name || name->kind != NODE_SCALAR || parameter_own_value(param, true) || parameter_reads_config_map(param))
        return NULL;
    return name;
}

template *workflow_template(const workflow *wf, const char *name)
{
    return strmap_get(&wf->by_name, name, strlen(name));
}

static void template_free(template *t)
{
    strmap_free(&t->calls_by_name);
    for (size_t c = 0; c < t->ncalls; c++)
        if (t->calls[c].inline_template)
            template_free(t->calls[c].inline_template);
}

const call_site *template_call(const template *t, const char *name, size_t len)
{
    const call_site *c = NULL;
    if (t->calls_by_name.count) {
        size_t i = (uintptr_t)strmap_get(&t->calls_by_name, name, len);
        c = i ? &t->calls[i - 1] : NULL;
    } else {
        for (size_t i = 0; i < t->ncalls && !c; i++)
            if (named(t->calls[i].name, name, len))
                c = &t->calls[i];
    }
    return c && (c->kind == CALL_TASK || c->kind == CALL_STEP) ? c : NULL;
}

const call_site *template_skippable_step(const template *t, const char *text, bool expression, bool of_artifact)
{
    span expr = {text, text ? strlen(text) : 0};
    size_t pos = 0;
    tag g;
    if (text && !expression) {
        if (!tag_next(text, expr.len, &pos, &g) || g.start != 0 || g.end != expr.len)
            return NULL;
        expr = g.expr;
        expression = g.expression;
    }
    span alts[EXPR_MAX_BRANCHES];
    size_t n = !text ? 0 : expression ? expr_alternatives(expr, alts, EXPR_MAX_BRANCHES) : (alts[0] = expr, 1);
    const call_site *only = NULL;
    for (size_t i = 0; i < n && n <= EXPR_MAX_BRANCHES; i++) {
        ref r = expression ? ref_parse_branch(alts[i]) : ref_parse(alts[i]);
        const call_site *c = r.kind == REF_OUTPUT && r.steps && r.artifact == of_artifact && !r.rest.len
                                 ? template_call(t, r.step.s, r.step.len) : NULL;
        if (!c || (only && c != only))
            return NULL;
        only = c;
    }
    return only && map_get(only->node, "when") ? only : NULL;
}

void workflow_free(workflow *wf)
{
    for (size_t i = 0; i < wf->ntemplates; i++)
        template_free(&wf->templates[i]);
    template_free(&wf->handlers);
    strmap_free(&wf->by_name);
}

const node *template_mounts(const template *t, int which)
{
    if (which == 0)
        return map_get(t->container, "volumeMounts");
    if (which == 1)
        return t->kind == TEMPLATE_CONTAINER_SET ? map_get(map_get(t->node, "containerSet"), "volumeMounts") : NULL;
    return t->default_mounts;
}

const node *template_next_mount(const template *t, int lists, mount_cursor *at)
{
    for (; at->list < lists; at->list++, at->next = 0) {
        const node *mounts = template_mounts(t, at->list);
        if (mounts && mounts->kind == NODE_SEQUENCE && at->next < mounts->len)
            return mounts->as.items[at->next++];
    }
    return NULL;
}

/* Where in its volume a mount shows `path` (which lies under its
 * mountPath): its subPath and the rest of the path; NULL when the mount uses
 * subPathExpr (known at run time only) or memory runs out. Owned by the caller. */
static char *place_in_volume(const node *mount, const char *path)
{
    const node *mp = map_get(mount, "mountPath"), *sub = map_get(mount, "subPath");
    if (map_get(mount, "subPathExpr") || !mp || mp->kind != NODE_SCALAR)
        return NULL;
    size_t covered = path_covers(mp->as.text, path);
    const char *base = sub && sub->kind == NODE_SCALAR ? sub->as.text : "";
    size_t n = strlen(base) + strlen(path + covered) + 3;
    char *where = malloc(n);
    if (where) {
        snprintf(where, n, "/%s/%s", base, path + covered);
        path_normalize(where);
    }
    return where;
}

/* Whether a mount of `volume` among `mounts` shows `where` (a path in the
 * volume), or a part of it. */
static bool mounts_show(const node *mounts, const char *volume, const char *where)
{
    for (size_t i = 0; mounts && mounts->kind == NODE_SEQUENCE && i < mounts->len; i++) {
        const node *m = mounts->as.items[i];
        if (!scalar_is(map_get(m, "name"), volume))
            continue;
        const node *mp = map_get(m, "mountPath");
        char *seen = mp && mp->kind == NODE_SCALAR ? place_in_volume(m, mp->as.text) : NULL; /* its subPath's root */
        bool shows = !seen || !where || path_covers(seen, where) || path_covers(where, seen);
        free(seen);
        if (shows)
            return true;
    }
    return false;
}

static const node *find_in(const node *mounts, bool (*fn)(const node *m, const void *ctx), const void *ctx)
{
    for (size_t k = 0; mounts && mounts->kind == NODE_SEQUENCE && k < mounts->len; k++)
        if (fn(mounts->as.items[k], ctx))
            return mounts->as.items[k];
    return NULL;
}

const node *template_find_mount(const template *t, bool (*fn)(const node *m, const void *ctx), const void *ctx)
{
    const node *m = NULL;
    for (int w = 0; !m && w < TEMPLATE_MOUNT_LISTS; w++)
        m = find_in(template_mounts(t, w), fn, ctx);
    const node *lists[5];
    size_t n = side_containers(t, true, lists);
    for (size_t l = 0; !m && l < n; l++)
        for (size_t c = 0; !m && lists[l] && lists[l]->kind == NODE_SEQUENCE && c < lists[l]->len; c++)
            m = find_in(map_get(lists[l]->as.items[c], "volumeMounts"), fn, ctx);
    return m;
}

bool template_shares_volume(const template *t, const node *holder, const char *path)
{
    const node *name = map_get(holder, "name");
    if (!name || name->kind != NODE_SCALAR)
        return false;
    const char *volume = name->as.text;
    char *where = place_in_volume(holder, path);
    const node *set = map_get(t->node, "containerSet");
    const node *lists[5];
    size_t nlists = side_containers(t, true, lists);
    size_t others = 0;
    bool shared = false;
    for (size_t l = 0; l < nlists && !shared; l++)
        for (size_t c = 0; lists[l] && lists[l]->kind == NODE_SEQUENCE && c < lists[l]->len && !shared; c++) {
            const node *container = lists[l]->as.items[c];
            if (container == t->container)
                continue;
            others++;
            shared = mounts_show(map_get(container, "volumeMounts"), volume, where);
        }
    shared |= set && others && mounts_show(map_get(set, "volumeMounts"), volume, where);
    free(where);
    return shared;
}

const node *template_mirror_clash(const template *t, const char *path, bool maybe, const char **container)
{
    return t->mirrors ? mirrors_clash(t->mirrors, path, maybe, container) : NULL;
}

/* A security context's setting that runs pods as a user other than root,
 * NULL when it has none, or (*root) one that runs them as root. */
static const node *non_root_in(const node *context, bool *root)
{
    const node *user = map_get(context, "runAsUser");
    *root = user && !(user->kind == NODE_SCALAR && !scalar_is(user, "0"));
    if (user)
        return *root ? NULL : user;
    return scalar_is_true(map_get(context, "runAsNonRoot")) ? map_get(context, "runAsNonRoot") : NULL;
}

const node *template_non_root(const template *t, const workflow *wf)
{
    /* templateDefaults' container or script, merged into a template of that kind */
    const char *kind = t->kind == TEMPLATE_SCRIPT ? "script" : t->kind == TEMPLATE_CONTAINER ? "container" : NULL;
    const node *contexts[] = {map_get(t->container, "securityContext"),
                              wf && kind ? map_get(map_get(wf->defaults, kind), "securityContext") : NULL,
                              map_get(t->node, "securityContext"),
                              wf ? map_get(wf->defaults, "securityContext") : NULL,
                              wf ? map_get(wf->spec, "securityContext") : NULL};
    bool root = false;
    for (size_t i = 0; i < sizeof contexts / sizeof *contexts && !root; i++) {
        const node *user = non_root_in(contexts[i], &root);
        if (user)
            return user;
    }
    return root || !wf ? NULL : wf->runs.non_root; /* root, which a wider context cannot change */
}

const char *argo_mount_within(const template *t, const char *dir)
{
    if (path_covers(dir, "/var/run/argo"))
        return "/var/run/argo";
    if (t->kind == TEMPLATE_SCRIPT && path_covers(dir, "/argo/staging"))
        return "/argo/staging";
    return NULL;
}

bool template_reaches(const template *t, const char *name)
{
    if (t->kind != TEMPLATE_CONTAINER_SET)
        return true;
    const node *lists[5];
    size_t nlists = side_containers(t, false, lists);
    if (mounts_show(template_mounts(t, 1), name, NULL))
        return true;
    for (size_t l = 0; l < nlists; l++)
        for (size_t c = 0; lists[l] && lists[l]->kind == NODE_SEQUENCE && c < lists[l]->len; c++)
            if (mounts_show(map_get(lists[l]->as.items[c], "volumeMounts"), name, NULL))
                return true;
    return false;
}

const node *template_volume_in(name_index *names, const template *t, const workflow *wf, const char *name)
{
    const node *lists[] = {map_get(t->node, "volumes"), wf ? map_get(wf->defaults, "volumes") : NULL,
                           wf && template_reaches(t, name) ? map_get(wf->spec, "volumes") : NULL};
    const node *found = NULL;
    for (size_t l = 0; name && !found && l < sizeof lists / sizeof *lists; l++)
        found = name_index_find(names, lists[l], name, strlen(name));
    return found;
}

const node *template_volume(const template *t, const workflow *wf, const char *name)
{
    return template_volume_in(NULL, t, wf, name);
}

/* Which of a podSpecPatch's texts may change mounts: 0 none (no patch, an
 * empty one, which Argo drops, or one about other things), 1 one that
 * mentions volumes (in any case: Go's JSON reader matches field names so),
 * 2 one that holds a reference, whose value may, 3 one with an escape
 * (\u0076olumes), which may spell them. */
static int patch_kind(const node *patch)
{
    if (!patch || patch->kind != NODE_SCALAR)
        return 0;
    for (const char *s = patch->as.text; *s; s++)
        if (text_equal_ignoring_case(s, "volume", 6))
            return 1;
    return strstr(patch->as.text, "{{") ? 2 : strchr(patch->as.text, '\\') ? 3 : 0;
}

const node *template_patch_user(const template *t, const workflow *wf)
{
    const node *patches[] = {map_get(t->node, "podSpecPatch"), wf ? map_get(wf->defaults, "podSpecPatch") : NULL,
                             wf ? map_get(wf->spec, "podSpecPatch") : NULL};
    for (size_t i = 0; i < sizeof patches / sizeof *patches; i++)
        for (const char *s = patches[i] && patches[i]->kind == NODE_SCALAR ? patches[i]->as.text : ""; *s; s++)
            if (text_equal_ignoring_case(s, "runAsUser", 9) || text_equal_ignoring_case(s, "runAsNonRoot", 12))
                return patches[i];
    return NULL;
}

/* Whether templateDefaults `d` give a template a sidecar or init container
 * that has mounts or mirrors the main container's (one that has neither
 * changes no mount). */
static bool defaults_side_mount(const node *d)
{
    static const char *const lists[] = {"sidecars", "initContainers"};
    bool some = false;
    for (size_t i = 0; i < 2; i++) {
        const node *list = map_get(d, lists[i]);
        for (size_t c = 0; list && list->kind == NODE_SEQUENCE && c < list->len; c++) {
            const node *own = map_get(list->as.items[c], "volumeMounts");
            some |= (own && own->kind == NODE_SEQUENCE && own->len) ||
                    scalar_is_true(map_get(list->as.items[c], "mirrorVolumeMounts"));
        }
    }
    return some;
}


const char *template_mount_patch(const template *t, const workflow *wf)
{
    static const char *const says[5][4] = {
        {NULL, "its podSpecPatch mentions volumes", "its podSpecPatch holds a reference, whose value may add mounts",
         "its podSpecPatch holds escapes, which may spell volumes"},
        {NULL, "the templateDefaults' podSpecPatch mentions volumes",
         "the templateDefaults' podSpecPatch holds a reference, whose value may add mounts",
         "the templateDefaults' podSpecPatch holds escapes, which may spell volumes"},
        {NULL, "the workflow's podSpecPatch mentions volumes",
         "the workflow's podSpecPatch holds a reference, whose value may add mounts",
         "the workflow's podSpecPatch holds escapes, which may spell volumes"},
        {NULL, "the templateDefaults' podSpecPatch of a workflow that runs it (templateRef, workflowTemplateRef) "
               "mentions volumes",
         "the templateDefaults' podSpecPatch of a workflow that runs it (templateRef, workflowTemplateRef) holds a "
         "reference, whose value may add mounts",
         "the templateDefaults' podSpecPatch of a workflow that runs it (templateRef, workflowTemplateRef) holds "
         "escapes, which may spell volumes"},
        {NULL, "the podSpecPatch of a workflow that runs it (templateRef, workflowTemplateRef) mentions volumes",
         "the podSpecPatch of a workflow that runs it (templateRef, workflowTemplateRef) holds a reference, whose "
         "value may add mounts",
         "the podSpecPatch of a workflow that runs it (templateRef, workflowTemplateRef) holds escapes, which may "
         "spell volumes"}};
    const node *own = map_get(t->node, "podSpecPatch");
    int kind = patch_kind(own);
    if (kind)
        return says[0][kind];
    bool defaults_apply = !(own && own->kind == NODE_SCALAR && own->len); /* where the template has none */
    if (defaults_apply && wf && (kind = patch_kind(map_get(wf->defaults, "podSpecPatch"))))
        return says[1][kind];
    if (wf && (kind = patch_kind(map_get(wf->spec, "podSpecPatch"))))
        return says[2][kind];
    int k = pod_kind(t);
    if (wf && k >= 0 && wf->runs.mounts[k])
        return "the templateDefaults of a workflow that runs it (templateRef, workflowTemplateRef) give its pod "
               "sidecars or init containers with mounts, or volume mounts of more workflows than volpass compares "
               "path by path";
    if (wf && defaults_apply && wf->runs.defaults_patch)
        return says[3][wf->runs.defaults_patch];
    return wf && wf->runs.patch ? says[4][wf->runs.patch] : NULL;
}

const node *template_memoize(const template *t, const workflow *wf)
{
    const node *memoize = argo_field(t->node, "memoize");
    if (!memoize && wf)
        memoize = argo_field(wf->defaults, "memoize");
    return memoize ? memoize : wf ? wf->runs.memoize : NULL;
}

/* Adds templateDefaults `d` to those of `to` compared by path; past
 * RUN_DEFAULTS, their mounts count for every pod. */
static void add_defaults(run_settings *to, const node *d)
{
    for (size_t i = 0; i < to->ndefaults; i++)
        if (to->defaults[i] == d)
            return;
    if (to->ndefaults < RUN_DEFAULTS) {
        to->defaults[to->ndefaults++] = d;
        return;
    }
    for (int k = 0; k < 3; k++)
        to->mounts[k] |= default_container_mounts(d, k) != NULL;
}

bool run_settings_merge(run_settings *to, const run_settings *from)
{
    run_settings was = *to;
    to->patch = to->patch ? to->patch : from->patch;
    to->defaults_patch = to->defaults_patch ? to->defaults_patch : from->defaults_patch;
    for (int k = 0; k < 3; k++)
        to->mounts[k] |= from->mounts[k];
    for (size_t i = 0; i < from->ndefaults; i++)
        add_defaults(to, from->defaults[i]);
    to->memoize = to->memoize ? to->memoize : from->memoize;
    to->non_root = to->non_root ? to->non_root : from->non_root;
    return was.patch != to->patch || was.defaults_patch != to->defaults_patch || was.mounts[0] != to->mounts[0] ||
           was.mounts[1] != to->mounts[1] || was.mounts[2] != to->mounts[2] || was.ndefaults != to->ndefaults ||
           was.memoize != to->memoize || was.non_root != to->non_root;
}

bool workflow_runs_join(run_settings *to, const workflow *from)
{
    run_settings own = {.patch = patch_kind(map_get(from->spec, "podSpecPatch")),
                        .defaults_patch = patch_kind(map_get(from->defaults, "podSpecPatch")),
                        .memoize = argo_field(from->defaults, "memoize")};
    bool side = defaults_side_mount(from->defaults), mounts = false;
    for (int k = 0; k < 3; k++) {
        own.mounts[k] = side;
        mounts |= default_container_mounts(from->defaults, k) != NULL;
    }
    if (mounts)
        own.defaults[own.ndefaults++] = from->defaults;
    bool root = false; /* a template's context, the defaults', wins over the pod's */
    const node *contexts[] = {map_get(from->defaults, "securityContext"), map_get(from->spec, "securityContext")};
    for (size_t c = 0; c < 2 && !own.non_root && !root; c++)
        own.non_root = non_root_in(contexts[c], &root);
    bool changed = run_settings_merge(to, &own);
    return run_settings_merge(to, &from->runs) || changed;
}

const char *template_runner_mount(const template *t, const workflow *wf, const char *path)
{
    int k = pod_kind(t);
    for (size_t i = 0; wf && k >= 0 && i < wf->runs.ndefaults; i++) {
        const node *mounts = default_container_mounts(wf->runs.defaults[i], k);
        for (size_t m = 0; mounts && m < mounts->len; m++) {
            const node *at = map_get(mounts->as.items[m], "mountPath");
            const char *mp = scalar_text(at);
            if (mp && (path_is_templated(mp) || path_is_templated(path) || path_covers(mp, path) ||
                       path_covers(path, mp)))
                return mp;
        }
    }
    return NULL;
}

const char *artifact_mode_key(const artifact *a)
{
    return map_get(a->node, "mode") ? "mode" : map_get(a->node, "recurseMode") ? "recurseMode" : NULL;
}

/* Copies `raw` into `out` (when not NULL) with each tag that is the path of
 * an input of t replaced by that path's text; returns the length. */
static size_t put_input_paths(const template *t, const char *raw, size_t len, char *out)
{
    size_t n = 0, pos = 0, last = 0;
    tag g;
    while (tag_next(raw, len, &pos, &g)) {
        artifact_mention m;
        size_t k = expr_mention_is(g.expr, &m) && m.input && m.path
                       ? artifact_index(&t->inputs, m.name.s, m.name.len) : NOT_FOUND;
        const node *path = k == NOT_FOUND ? NULL : t->inputs.items[k].path;
        if (!path || path->kind != NODE_SCALAR)
            continue;
        if (out) {
            memcpy(out + n, raw + last, g.start - last);
            memcpy(out + n + (g.start - last), path->as.text, path->len);
        }
        n += g.start - last + path->len;
        last = g.end;
    }
    if (out)
        memcpy(out + n, raw + last, len - last);
    return n + len - last;
}

const char *template_output_path(const template *t, const char *raw, arena *mem, bool *oom)
{
    size_t len = strlen(raw);
    if (!memchr(raw, '{', len))
        return raw;
    size_t n = put_input_paths(t, raw, len, NULL);
    if (n > PATH_MAX_BYTES)
        return NULL;
    char *out = arena_alloc(mem, n + 1);
    if (!out) {
        *oom = true;
        return NULL;
    }
    put_input_paths(t, raw, len, out);
    out[n] = '\0';
    return out;
}
