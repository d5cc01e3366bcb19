/* The volume scheme's plan: what happens to every artifact of every
 * template and every call, decided for the whole stream before anything is
 * edited (src/volume_plan.c), then carried out (src/scheme_volume.c). */
#ifndef VP_VOLUME_PLAN_H
#define VP_VOLUME_PLAN_H

#include "calltree.h"
#include "edit.h"
#include "error.h"
#include "refs.h"
#include "scheme.h"

#define MAX_TWINS 8
/* With --volume-claim-template, Argo names each run's claim after the workflow. */
#define CLAIM_PREFIX "{{workflow.name}}-"
#define MAX_NAME 128 /* the longest template name Argo accepts */
#define MAX_GRAPH_NESTING 1000 /* dag and steps templates an artifact is followed through in a row */
#define MAX_GROWTH ((size_t)64 << 20) /* bytes the paths that replace artifact path tags may add, in all */

/* What happens to one artifact of a template. */
typedef struct art_plan {
    const artifact *a;
    const char *param;      /* parameter carrying its location on the volume */
    const char *global;     /* outputs with globalName: the parameter's globalName */
    const char *path;       /* normalised artifact path */
    const char *mount_dir;  /* outputs: the directory mounted from the volume */
    const char *file;       /* outputs: name under mount_dir; "" when the artifact is the directory */
    size_t mount;           /* outputs: which of the template's output mounts */
    bool convert;           /* outputs: passed through the volume; inputs: in the default form */
    bool keep;              /* outputs: the artifact stays declared (own destination, --keep-artifact) */
    const char *why_kept;
    const char *unmountable; /* inputs: why a mount from the volume cannot stand in for it, or NULL */
} art_plan;

/* Whether the rewrite removes output o: it goes through the volume and has
 * no destination of its own to keep it declared for. */
static inline bool output_removed(const art_plan *o)
{
    return o->convert && !o->keep;
}

/* A directory of a pod's outputs, mounted from the volume. */
typedef struct out_mount {
    const char *dir;
    const char *key; /* the last part of its subPath */
} out_mount;

/* A copy of a template in another form (other inputs through the volume). */
typedef struct twin {
    bool *mask; /* per input: converted */
    const char *name;
    const workflow *home; /* the document it is added to */
} twin;

typedef struct tplan tplan;

typedef struct caller {
    tplan *scope; /* the graph template (or the workflow's start) that makes the call */
    const call_site *c;
} caller;

/* Where a part of a plan that depends on other templates is: following
 * them may come back to it (recursion), when it is BUSY. */
typedef enum plan_state { PLAN_TODO = 0, PLAN_BUSY, PLAN_DONE } plan_state;

/* The plan of one template. */
struct tplan {
    template *t;
    const workflow *wf;
    art_plan *in, *out;
    out_mount *mounts;
    size_t nmounts;
    twin *twins;             /* room for MAX_TWINS, made with the first */
    size_t ntwins;
    size_t default_calls;    /* calls that take the template's own form, not a twin */
    struct call_plan *calls; /* a dag or steps template's: the plan of each of its calls */
    plan_state graph_outputs;   /* a dag or steps template's outputs: from what its calls pass on */
    plan_state graph_inputs;    /* its inputs: from what its callers pass */
    bool mentions_artifacts; /* some text of it is an expression ({{=...}}, fromExpression) or a tag that names
                                one of its own artifacts: check_mentions looks */
    caller *callers;         /* every call of this template in the stream */
    size_t ncallers, callers_cap;
};

/* The plan of one call: which form of its target it calls. */
typedef struct call_plan {
    const call_site *c;
    tplan *target;        /* NULL when the target is outside the stream */
    const char *twin;     /* call this twin instead, or NULL */
    const workflow *twin_home;
    const char **arg_params; /* per argument artifact: the parameter it becomes, or NULL */
} call_plan;

/* The plan of the whole stream. */
typedef struct vplan {
    const scheme_ctx *ctx;
    call_tree *tree;
    strmap globals;     /* artifact globalName -> parameter globalName */
    strmap param_globals; /* the globalNames output parameters have already */
    strmap setters;     /* artifact globalName -> the outputs that set it (volume_plan.c) */
    struct setter *templated_setters; /* outputs whose globalName is made of parameters */
    strmap twin_names;  /* document address + twin name -> twin */
    strmap apart;       /* names of WorkflowTemplates not in the input that calls go to (warn_apart) */
    editor ed;          /* the stream's arena (ed.mem), where the names the plan makes end up in the documents */
    size_t nesting;     /* dag and steps templates being followed through one another */
    size_t growth;      /* bytes the paths that replace artifact path tags add (check_mentions) */
    struct decision *decisions; /* for --explain, handed on when the plan is done (adopt_twin may change some) */
    size_t ndecisions, decisions_cap;
    vp_error *err;
} vplan;

/* How an artifact reference is carried after the rewrite. */
typedef enum backing { BACK_VOLUME, BACK_ARTIFACT, BACK_UNKNOWN } backing;

/* The calls that start a workflow: spec.arguments to the entrypoint, and
 * the workflow's exit handler and hooks. */
typedef struct stream_calls {
    tplan *scope;         /* a pseudo-template whose calls are the handlers */
    call_plan *handlers;
    call_site entry;      /* spec.arguments, as a call of the entrypoint */
    call_plan entry_plan;
    bool claim_elsewhere; /* a run of it creates another document's claims: none is added to it (plan_claim) */
    bool claim_replaced;  /* its own claims replace those of the WorkflowTemplate it runs: it gets the claim */
} stream_calls;

/* Whether workflow wf runs templates of another document (templateRef,
 * workflowTemplateRef) that `test` holds true for; test gets NULL for a
 * document the stream does not hold (document_outside: true for those). */
typedef bool document_test(const workflow *doc, const void *ctx);
bool uses_document(const call_tree *tree, const workflow *wf, document_test *test, const void *ctx);
/* The same, through templateRef only: what wf's own templates and exit handler call. */
bool calls_documents(const call_tree *tree, const workflow *wf, document_test *test, const void *ctx);
bool document_outside(const workflow *doc, const void *ctx);

/* The branches of expression `expr` (the values its ?: operators pick)
 * into alts, room for EXPR_MAX_BRANCHES; 0, refused at `at`, when there are
 * more or they nest too deep. */
size_t plan_branches(vplan *p, const tplan *scope, span expr, const node *at, span *alts);

/* The volume or claim of list `list` named `name`, or NULL; with p, one
 * other than volpass's own (one an earlier conversion with these options
 * added, which a conversion of its output uses again). */
const node *volume_listed(const vplan *p, const node *list, const char *name);

/* The plan of template `t`, or NULL when `t` is not in the stream. */
tplan *plan_of(const template *t);

/* Whether reference `r`, written in dag or steps template `scope`, names
 * data on the volume after the rewrite or a real artifact; in *param the
 * parameter that carries its location. */
backing ref_backing(vplan *p, tplan *scope, ref r, const char **param, const node *at);

/* Plans the whole stream: every template, call and root. On a refusal
 * p->err is set and nothing should be applied. Each dag and steps
 * template's plan gets its calls' plans; *roots, per document, the calls
 * that start it; *volume the volume's name. */
void volume_plan(vplan *p, stream_calls **roots, const char **volume);

#endif
