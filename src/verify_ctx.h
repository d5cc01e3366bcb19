/* The verifier's shared state and small helpers (src/verify.c: locating
 * files and judging hand-offs; src/verify_values.c: where an artifact comes
 * from and what a parameter holds; src/verify_problems.c: the problems a
 * rewrite brought). */
#ifndef VP_VERIFY_CTX_H
#define VP_VERIFY_CTX_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calltree.h"
#include "error.h"
#include "grow.h"
#include "name_index.h"
#include "path_index.h"
#include "paths.h"
#include "scalar.h"
#include "refs.h"
#include "stream.h"
#include "verify.h"
#include "volumes.h"

#define MAX_ALT EXPR_MAX_BRANCHES /* alternatives followed for one value (branches of ?:) */
#define MAX_GLOBAL_NESTING 8 /* globals looked up through one another */
#define BUDGET 20000         /* references followed to answer one question */
#define MOUNT_TABLES 8       /* pods whose mounts are kept at hand (verify_mounts.c) */

/* A pod's volume mounts, and their paths as one instance's values fill them
 * in (as written, without one), indexed by path (verify_mounts.c). */
typedef struct mount_table {
    const template *t;
    const call_tree *tree;
    const instance *i;
    const node **mount;
    const char **path;  /* each mount's mountPath, filled in, made absolute, normalised; or NULL */
    path_entry *entries;
    path_index ix;      /* over `path`, for a pod of more than PATH_INDEX_MIN mounts */
    size_t n, cap;
    unsigned long used; /* when last asked for, to replace the one asked for least lately */
} mount_table;

/* The outputs of a tree's instances that set each global name, artifacts
 * and parameters apart, in the order a walk of the tree from its roots
 * meets them (verify_values.c): made the first time a global is looked
 * up, where each lookup walked every instance. */
typedef struct global_index {
    const call_tree *tree;
    strmap artifacts, parameters; /* name -> setters */
} global_index;

typedef struct vctx {
    vp_verify_report *r;
    const char *file;  /* the rewritten stream's, for problem positions */
    call_tree orig, rew;
    strmap checked;    /* templates whose problems were looked for */
    strmap known;      /* problems the original has already: not the rewrite's doing */
    strmap reported;   /* problems reported, by place and text */
    bool baseline;     /* looking at the original, to fill `known` */
    bool oom;
    /* Global names being looked up, innermost last: a global set from itself
     * would make every lookup walk every instance again, without end. */
    span globals[MAX_GLOBAL_NESTING];
    size_t nglobals;
    size_t budget;     /* steps left for the question being answered (spend) */
    /* Where the rewrite's pods write outputs on shared volumes: "volume\npath"
     * of each place written (writes) and of each directory above one (above),
     * to the writer: a place two instances write is nobody's alone. */
    strmap writes, above;
    mount_table mounts[MOUNT_TABLES];
    unsigned long mounts_clock;
    name_index names;   /* long parameter lists, for find_parameter */
    global_index setters[2]; /* of the original and of the rewrite, as they are asked for */
} vctx;

static inline const char *VP_PRINTF(2, 3) fmt(vctx *v, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = arena_vprintf(&v->r->mem, f, ap);
    va_end(ap);
    v->oom |= !s;
    return s ? s : "";
}

/* fmt's text, to change in place (normalise, cut, decode: never to make
 * longer); when out of memory, noted, an empty one all the same. */
static inline char *VP_PRINTF(2, 3) fmt_writable(vctx *v, const char *f, ...)
{
    static _Thread_local char none[1];
    va_list ap;
    va_start(ap, f);
    char *s = arena_vprintf(&v->r->mem, f, ap);
    va_end(ap);
    v->oom |= !s;
    if (!s)
        none[0] = '\0';
    return s ? s : none;
}

static inline const char *span_str(vctx *v, span s)
{
    return fmt(v, "%.*s", (int)s.len, s.s);
}

static inline const artifact *find_artifact(const artifact_list *l, span name)
{
    size_t i = artifact_index(l, name.s, name.len);
    return i == NOT_FOUND ? NULL : &l->items[i];
}

/* The first parameter of `list` named `name`, or NULL (name_index.h). */
node *find_parameter(vctx *v, const node *list, span name);

static inline span text_span(const char *s)
{
    return (span){s, strlen(s)};
}


typedef enum origin_kind { ORIGIN_OUTPUT, ORIGIN_SOURCE, ORIGIN_NONE, ORIGIN_UNRESOLVED } origin_kind;

typedef struct origin {
    origin_kind kind;
    const instance *producer; /* ORIGIN_OUTPUT */
    const char *output;
    const char *sub_path;     /* accumulated argument subPath, or NULL */
    const char *what;         /* ORIGIN_SOURCE: which source; ORIGIN_UNRESOLVED: why */
    const node *holder;       /* ORIGIN_SOURCE: the artifact that holds it */
} origin;

typedef struct origins {
    origin o[MAX_ALT];
    size_t n;
    const char *limit; /* set when verify's own limits left some origin out: why */
} origins;

typedef struct values {
    const char *v[MAX_ALT];
    size_t n;
    const char *why; /* set when the value cannot be known */
} values;

static inline void one_value(values *out, const char *s)
{
    out->n = 1;
    out->v[0] = s;
    out->why = NULL;
}

static inline void cannot(values *out, const char *why)
{
    out->n = 0;
    out->why = why;
}

/* The workflow whose run instance i is part of: its root's. */
static inline const workflow *running_workflow(const instance *i)
{
    while (i->parent)
        i = i->parent;
    return i->wf;
}

/* Whether instance i is its workflow's entrypoint (a root). */
static inline bool is_entrypoint(const instance *i)
{
    return !i->call && i->tmpl && i->wf->entrypoint && strcmp(i->wf->entrypoint, i->tmpl->name) == 0;
}

/* Reports a problem of the rewrite at `at` (of template t, when not NULL),
 * unless the original has it already or it was reported there already. */
void VP_PRINTF(4, 5) verify_problem(vctx *v, const node *at, const template *t, const char *f, ...);

/* Where input artifact `name` of instance i comes from, in tree t. */
void verify_input_origins(vctx *v, const call_tree *t, const instance *i, span name, const char *sub, origins *os,
                          int depth);

/* The values `text` takes in instance `scope` of tree t: every tag
 * substituted, symbolically; several alternatives when a tag has them. */
void verify_resolve_text(vctx *v, const call_tree *t, const instance *scope, const char *text, values *out,
                         int depth);

/* A path as the pod of instance i sees it: parameters substituted (the
 * first value when there are several), or as written when they cannot be
 * known. With v NULL, as written. */
const char *verify_pod_path(vctx *v, const call_tree *t, const instance *i, const char *text);

/* Where a mount path puts the mount: the kubelet makes a relative one
 * absolute, below /. */
const char *verify_mount_path(vctx *v, const char *text);

/* The mount of pod template t whose mountPath is the longest prefix of
 * `path` (*prefix_len, its length), or NULL; the first of them when two are.
 * With tree set, mount paths have their parameters substituted in instance i. */
const node *verify_covering_mount_in(vctx *v, const call_tree *tree, const instance *i, const template *t,
                                     const char *path, size_t *prefix_len);
const node *verify_covering_mount(vctx *v, const template *t, const char *path, size_t *prefix_len);

/* How many mounts of pod template t are on `mount_path`, as written. */
size_t verify_mount_count(vctx *v, const template *t, const char *mount_path);

/* Whether a mount of pod template t between `first` and j (not j), in the
 * order of template_next_mount, is on the path of the j-th, as written. */
bool verify_mount_repeats(vctx *v, const template *t, size_t first, size_t j);

/* Calls fn, in their order, for the mounts of pod template t that lie
 * inside `path` (normalised), not on it, by their paths as written. */
void verify_each_mount_inside(vctx *v, const template *t, const char *path,
                              void (*fn)(vctx *, const node *mount, const char *mount_path, void *), void *ctx);

/* Frees the global indexes of v. */
void verify_globals_free(vctx *v);

/* Frees the mount tables of v. */
void verify_mounts_free(vctx *v);

/* A volume that every pod of the workflow sees alike; NULL when it is, else
 * why not. A pod has its template's volumes, those the running workflow's
 * templateDefaults give every template, then the running workflow's (the
 * root's), joined by those of a WorkflowTemplate it runs through
 * workflowTemplateRef: a WorkflowTemplate's spec plays no part when a
 * workflow calls its templates through templateRef; and where Workflows
 * run the WorkflowTemplate (workflowTemplateRef), the first one's volumes
 * come before the template's, and it is a problem that theirs differ.
 * *missing (when not NULL) says whether the pod has no volume of that name
 * at all. */
const char *verify_volume_problem(vctx *v, const instance *i, const char *name, bool *missing);

/* The problems of instance i of tree `tree` (the rewrite's) and of those below it. */
void verify_check_instance(vctx *v, const call_tree *tree, instance *i);

/* A Workflow that runs a WorkflowTemplate of the stream (workflowTemplateRef)
 * creates its own claims if it has any, else the template's
 * (call_tree_run_claims). Its run in the rewrite must create every claim its
 * run in the original did, and those the rewrite gave the template. */
void verify_check_run_claims(vctx *v);

/* Argo refuses a workflow that runs a WorkflowTemplate (workflowTemplateRef)
 * and has templates of its own (validate.go, WorkflowTemplateRefFields). */
void verify_check_referring_templates(vctx *v);

#endif
