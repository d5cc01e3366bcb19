/* The workflow model: what a rewrite scheme needs to know about one Argo
 * document, read once and checked for shape (wrong types are refused here
 * with their location, so schemes never meet them). Schemes decide from the
 * model and only then change the document. */
#ifndef VP_WORKFLOW_H
#define VP_WORKFLOW_H

#include <stdbool.h>

#include "arena.h"
#include "doc.h"
#include "strmap.h"
#include "volpass.h"

typedef enum template_kind {
    TEMPLATE_CONTAINER,
    TEMPLATE_SCRIPT,
    TEMPLATE_CONTAINER_SET,
    TEMPLATE_DAG,
    TEMPLATE_STEPS,
    TEMPLATE_OTHER /* resource, suspend, http, plugin, data */
} template_kind;

typedef struct artifact {
    node *node;                  /* the artifact's mapping */
    const char *name;
    const node *path;            /* scalar or NULL */
    const node *from;            /* scalar or NULL */
    const node *from_expression; /* scalar or NULL */
    bool has_source;             /* raw, s3, http, git, ...: the artifact brings its own data */
} artifact;

typedef struct artifact_list {
    node *owner;     /* the inputs, outputs or arguments mapping holding "artifacts", or NULL */
    artifact *items;
    size_t count;
} artifact_list;

typedef struct call_site { /* a dag task or a step */
    node *node;
    const char *name;
    artifact_list arguments;
} call_site;

typedef struct template {
    node *node;
    const char *name;
    template_kind kind;
    node *container; /* container or script mapping, for those kinds */
    artifact_list inputs, outputs;
    call_site *calls; /* dag tasks, or steps of every parallel group */
    size_t ncalls;
} template;

typedef struct workflow {
    node *root;
    node *spec;      /* spec, or spec.workflowSpec of a CronWorkflow */
    const char *kind;
    template *templates;
    size_t ntemplates;
    artifact_list arguments; /* spec.arguments.artifacts */
    strmap by_name;          /* template name -> template */
    arena mem;               /* the model's own arrays */
} workflow;

/* True for Workflow, WorkflowTemplate, ClusterWorkflowTemplate and
 * CronWorkflow documents (and, as the reference has it, for a document that
 * has no kind but spec.templates). */
bool workflow_document(const node *root);

/* Reads the document into `wf`. Returns VP_EINVALID with the location when
 * a field the model reads has the wrong type. */
vp_status workflow_read(workflow *wf, node *root, const char *file, vp_error **err);
void workflow_free(workflow *wf);


#endif
