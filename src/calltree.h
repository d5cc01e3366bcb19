/* The call tree of a stream: every template *instance* a run would create,
 * found by walking from each workflow's entrypoint, exit handler and hooks
 * through dag tasks and steps (and templateRef, inline templates). A template
 * called from two places is two instances. Instances are named by the path of
 * call names that reaches them ("main/train/fit"), which is what a rewrite
 * keeps, so the same instance can be found in the original and the rewrite. */
#ifndef VP_CALLTREE_H
#define VP_CALLTREE_H

#include "refs.h"
#include "strmap.h"
#include "volpass.h"
#include "workflow.h"

typedef struct instance instance;

struct instance {
    const workflow *wf;     /* the document its template is in */
    template *tmpl;         /* NULL when the call's target is not in the stream */
    instance *parent;       /* the dag or steps instance that calls it; NULL for roots */
    const call_site *call;  /* NULL for a root */
    const char *path;
    instance **children;    /* one per call site of tmpl (NULL where it was not expanded) */
    size_t nchildren;
};

/* One document of the stream running templates of another: a templateRef
 * in one of its templates (an inline one, an exit handler), or its
 * workflowTemplateRef. By index in the call tree's wfs. */
typedef struct doc_ref {
    size_t caller, callee;
    bool template_ref;   /* else workflowTemplateRef */
} doc_ref;

typedef struct call_tree {
    workflow *wfs;       /* the stream's workflow documents, NULL entries for others */
    size_t nwfs;
    /* What documents run of others, by caller: document d's are refs[refs_from[d], refs_from[d + 1]), once each. */
    doc_ref *refs;
    size_t nrefs, *refs_from;
    bool *calls_outside; /* per document: a templateRef of its names a document not in the stream */
    bool *runs_any;      /* per document: a templateRef of its has a name made of parameters (no reference in refs) */
    instance **roots;
    size_t nroots, roots_cap;
    strmap by_path;      /* path -> instance */
    /* What a templateRef finds: WorkflowTemplates by "NAMESPACE/NAME" (the
     * namespace "" when not given), and by name alone (the first of a name);
     * ClusterWorkflowTemplates by name. */
    strmap workflow_templates, workflow_template_names, cluster_templates;
    strmap ambiguous;    /* names of WorkflowTemplates in two namespaces or more -> the second one seen */
    strmap defaulted[2]; /* names of templateDefaults' input [0] and output [1] artifacts -> the artifact */
    const artifact **defaults_paths[2]; /* those of them with a path, in the stream's order */
    size_t ndefaults_paths[2];
    strmap defaulted_parameters; /* names of templateDefaults' input and output parameters */
    size_t count;        /* instances made */
    size_t path_bytes;   /* their paths', in all */
    bool too_deep;       /* calls nest deeper than call_tree_expand follows: not all instances were made */
    arena mem;
} call_tree;

/* Fills what the documents of the stream run of one another (refs,
 * calls_outside, runs_any, each workflow's runner links and run_settings:
 * src/doc_refs.c), once call_tree_read has read them. False when out of
 * memory. */
bool call_tree_link_documents(call_tree *t);

/* Whether document d runs templates of a document not in the stream
 * (templateRef, workflowTemplateRef): call_tree_runs_outside; or that or
 * may (a templateRef named by parameters): call_tree_uses_outside. */
bool call_tree_runs_outside(const call_tree *t, size_t d);
bool call_tree_uses_outside(const call_tree *t, size_t d);

/* Reads every workflow document of `docs`: enough for call_tree_target. */
vp_status call_tree_read(call_tree *t, node **docs, size_t ndocs, const char *file, vp_error **err);

/* The artifact called `name` among the inputs (or outputs) of the
 * templateDefaults of a workflow of the stream, or NULL. Argo merges
 * templateDefaults into every template it runs, their artifacts by name (a
 * strategic merge): an artifact gone from a template comes back from there,
 * without a path. Any workflow of the stream may run a template
 * (templateRef), so the names of all of them count. */
const artifact *call_tree_defaulted(const call_tree *t, bool input, const char *name);

/* Whether the templateDefaults of a workflow of the stream name a parameter
 * `name` (among inputs or outputs), which Argo merges into every template's
 * parameter of that name. */
bool call_tree_parameter_defaulted(const call_tree *t, const char *name);

/* Calls nested deeper than this are not expanded (too_deep is set). */
#define CALL_TREE_MAX_DEPTH 200

/* Then builds the instances (verify needs them; a rewrite does not, and is
 * spared their limit: a workflow may expand to millions of instances). */
vp_status call_tree_expand(call_tree *t, const char *file, vp_error **err);
void call_tree_free(call_tree *t);

instance *call_tree_find(const call_tree *t, const char *path);

/* The WorkflowTemplate (or ClusterWorkflowTemplate, with clusterScope) a
 * templateRef or workflowTemplateRef mapping in document `from` names, or
 * NULL when it is not in the stream. Argo looks in the namespace `from`
 * runs in: one of that namespace is found, else one that names none (it is
 * created where it is applied); when `from` names none, else the first of
 * the name. */
const workflow *call_tree_document(const call_tree *t, const workflow *from, const node *template_ref);

/* When `from` names no namespace (a ClusterWorkflowTemplate, say, which runs
 * in its workflow's) and the WorkflowTemplate its templateRef names is in
 * the input in two namespaces or more, and in none without one, one of
 * those others; else NULL: which one runs is not known. */
const workflow *call_tree_ambiguous(const call_tree *t, const workflow *from, const node *template_ref);

/* The WorkflowTemplate of the stream that workflow wf runs through
 * spec.workflowTemplateRef, or NULL. */
const workflow *call_tree_runs(const call_tree *t, const workflow *wf);

/* The claims (spec.volumeClaimTemplates) a run of workflow wf creates, or
 * NULL for none (or unknown): its own list when it has one (spec_claims);
 * else, when it runs a WorkflowTemplate of the stream through
 * workflowTemplateRef, that template's, for Argo's merge of the two specs
 * takes the list as a whole. */
const node *call_tree_run_claims(const call_tree *t, const workflow *wf);

/* The template call `c` (made from a template of `wf`) runs, and in *in the
 * document that template belongs to (for a name wf does not have, the
 * WorkflowTemplate wf runs through workflowTemplateRef); NULL when it is
 * not in the stream. */
template *call_tree_target(const call_tree *t, const workflow *wf, const call_site *c,
                           const workflow **in);

/* The instance created by the task or step named `name` of `scope` (a dag or steps instance). */
instance *instance_sibling(const call_tree *t, const instance *scope, span name);

/* Every leaf instance: one that runs a pod (container, script, containerSet) or any other
 * non-dag, non-steps template, or one whose template is not known (tmpl NULL: outside the
 * input, or named by parameters). Calls fn for each, in tree order. */
void call_tree_each(const call_tree *t, void (*fn)(instance *, void *), void *ctx);

#endif
