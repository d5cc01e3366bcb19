/* The volume scheme's plan: what happens to every artifact of every
 * template and every call, decided for the whole stream before anything is
 * edited (src/volume_plan.c), then carried out (src/scheme_volume.c). */
#ifndef VP_VOLUME_PLAN_H
#define VP_VOLUME_PLAN_H

#include "calltree.h"
#include "edit.h"
#include "error.h"
#include "graph_twin.h"
#include "name_index.h"
#include "path_index.h"
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
    bool named;           /* an inline template's, made for its name alone (plan_call_form): never adopted */
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
    size_t inputs_settled;      /* while graph_inputs is BUSY: how many of its inputs are decided */
    bool mentions_artifacts; /* some text of it is an expression ({{=...}}, fromExpression) or a tag that names
                                one of its own artifacts: check_mentions looks */
    const node *lists_parameters; /* a text of it that reads {{inputs.parameters}}, the whole list, or NULL */
    bool reads_call_maps;    /* some text of it reads a call's outputs.parameters whole */
    caller *callers;         /* every call of this template in the stream */
    size_t ncallers, callers_cap;
};

/* The plan of one call: which form of its target it calls. */
typedef struct call_plan {
    const call_site *c;
    tplan *target;        /* NULL when the target is outside the stream */
    const char *twin;     /* call this twin instead, or NULL */
    const char **arg_params; /* per argument artifact: the parameter it becomes, or NULL */
} call_plan;

/* The plan of the whole stream. */
typedef struct vplan {
    const scheme_ctx *ctx;
    call_tree *tree;
    strmap globals;     /* artifact globalName -> parameter globalName */
    strmap param_globals; /* the globalNames output parameters have already */
    strmap setters;     /* artifact globalName -> the outputs that set it (plan_refs.c) */
    struct setter *templated_setters; /* outputs whose globalName is made of parameters */
    strmap twin_names;  /* document address + twin name -> twin */
    strmap apart;       /* names of WorkflowTemplates not in the input that calls go to (plan_warn_apart) */
    /* A pod template of many artifacts: its plan's address -> the paths of
     * its artifacts, indexed for the checks between them (volume_plan.c). */
    strmap artifact_paths;
    strmap user_mounts; /* a pod template of many mounts: its address -> its own mounts, read (volume_plan.c) */
    name_index names;   /* long parameter lists, for plan_parameter */
    /* Outputs kept real artifacts for a consumer that cannot take a volume
     * location (plan_keep_producer): output node's address -> kept. They
     * hold from one try of the plan to the next. */
    strmap kept_for_consumers;
    size_t keep_tries;  /* tries of the plan made for them */
    bool keep_asked;    /* this try asked for more: volume_plan plans again */
    const node *keep_at; /* the artifact that asked last, for the refusal when they never end */
    editor ed;          /* the stream's arena (ed.mem), where the names the plan makes end up in the documents */
    size_t nesting;     /* dag and steps templates being followed through one another */
    size_t growth;      /* bytes the paths that replace artifact path tags add (check_mentions) */
    struct decision *decisions; /* for --explain, handed on when the plan is done (adopt_twin may change some) */
    size_t ndecisions, decisions_cap;
    vp_error **warnings;  /* while `holding`, until the plan stands: volume_plan may plan twice */
    size_t nwarnings, warnings_cap;
    bool holding;
    /* What an input of a dag or steps template that is being decided
     * further up a recursion is taken to be (ref_backing), one try after
     * another (volume_plan); `assumed` says the plan took it somewhere. */
    enum { ASSUME_NOTHING, ASSUME_REAL, ASSUME_VOLUME, ASSUMPTIONS } assumption;
    bool assumed;
    bool cycle_bound;   /* the refusal is of forms that may rest on the assumption (plan_note_cycle_bound) */
    graph_twins *graph_twins; /* those made, and room to ask for one (rewrite_volume's) */
    vp_error *err;
} vplan;

/* An output kept a real artifact for a consumer, why, and in which try it
 * was asked for (vplan.kept_for_consumers). */
typedef struct kept {
    const char *why;
    size_t try_asked;
} kept;

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

/* The plan's functions, by the file that defines them: volume_plan, which
 * scheme_volume.c calls, and those its three files share. */

/* Whether a new name is taken already, for plan_first_free. */
typedef bool name_test(vplan *p, const char *name, const void *ctx);

/* ---- volume_plan.c: the stream, and each template on its own ----------- */

/* The volume or claim of list `list` named `name`, or NULL; with p, one
 * other than volpass's own (one an earlier conversion with these options
 * added, which a conversion of its output uses again). */
const node *volume_listed(const vplan *p, const node *list, const char *name);

/* The plan of template `t`, or NULL when `t` is not in the stream. */
tplan *plan_of(const template *t);

/* Says that the refusal about to be made, when it is the plan's first, is
 * one of forms that may rest on an assumption about a cycle: another try
 * may not make it, and another refusal of a try is the one to report. */
void plan_note_cycle_bound(vplan *p);

/* A plan of the stream in `tree`, with nothing planned yet; and its end
 * (the error, if any, stays in p->err for the caller). */
void vplan_init(vplan *p, const scheme_ctx *ctx, call_tree *tree, graph_twins *twins);
void vplan_free(vplan *p);

/* Plans the whole stream: every template, call and root. On a refusal
 * p->err is set and nothing should be applied. Each dag and steps
 * template's plan gets its calls' plans; *roots, per document, the calls
 * that start it; *volume the volume's name. */
void volume_plan(vplan *p, stream_calls **roots, const char **volume);

/* Refuses the stream; the first refusal stands. */
void VP_PRINTF(4, 5) plan_refuse(vplan *p, vp_status status, const node *at, const char *f, ...);

/* Notes a decision for --explain. The detail is formatted only when
 * someone listens: a large workflow has hundreds of thousands of them. */
void VP_PRINTF(6, 7) plan_decide(vplan *p, const template *t, const artifact *a, const char *role, const char *action,
               const char *f, ...);

/* Warns at `at` (the stream's file), through the caller's on_warning. */
void VP_PRINTF(3, 4) plan_warn(vplan *p, const node *at, const char *f, ...);

/* `base` (interned), or BASE-2, BASE-3, ...: the first name `taken` does
 * not say is taken. Every name volpass adds is chosen so. */
const char *plan_first_free(vplan *p, const char *base, name_test *taken, const void *ctx);

/* A key for a strmap: `address` (a document's, a template's) followed by
 * `name`; NULL when out of memory. */
const char *plan_address_key(vplan *p, const void *address, const char *name, size_t *len);

/* The parameter that carries the location of artifact `a` of template tp
 * (the `role` list: "input", "output"): NAME-subpath, or the first free
 * NAME-subpath-N. A workflow converted apart from the WorkflowTemplate it
 * calls through templateRef passes and reads NAME-subpath: in a
 * WorkflowTemplate, where a taken name would break that, it is refused. */
const char *plan_location_param(vplan *p, const tplan *tp, const node *list, const art_plan *taken, size_t k,
                                const char *role);

/* Whether the artifact sets a global artifact whose name is made of parameters. */
bool plan_global_templated(const artifact *a);

/* Argo refuses a reference to an input artifact the template does not declare. */
void plan_refuse_undeclared_input(vplan *p, const template *t, span name, const node *at);

/* Refuses, at `at`, input k of pod template tp mounted read-only from the
 * volume over one of its outputs: the producer could not write it. (An
 * output inside an input that stays a real artifact stays one too:
 * mounted_over.) Used for the template's own form and for its twins. */
bool plan_refuse_input_over_outputs(vplan *p, const tplan *tp, size_t k, const node *at);

/* Refuses the form of pod template `tp` in which the inputs `mask` says
 * (NULL: each input's default) come from the volume when one input would be
 * mounted inside another's read-only mount from the volume: the runtime
 * cannot make its mount point there. At `at`, or at the inner input. */
bool plan_refuse_nested_inputs(vplan *p, const tplan *tp, const bool *mask, const node *at);

/* parameter_named, through the plan's index of long lists (name_index.h):
 * the plan changes no list. */
node *plan_parameter(vplan *p, const node *list, const char *name, size_t len);

/* An index (path_index.h), in the arena, of the paths path_of gives n
 * artifacts (NULL for none) when there are enough to want one; else NULL,
 * and queries walk them all. */
path_index *plan_index_paths(vplan *p, size_t n, const char *(*path_of)(vplan *, const void *ctx, size_t),
                             const void *ctx, bool distinct);

/* ---- plan_refs.c: what references name ------------------------------- */

/* The branches of expression `expr` (the values its ?: operators pick)
 * into alts, room for EXPR_MAX_BRANCHES; 0, refused at `at`, when there are
 * more or they nest too deep. */
size_t plan_branches(vplan *p, const tplan *scope, span expr, const node *at, span *alts);

/* Asks that the outputs which argument `a` of a call in `scope` passes on
 * stay real artifacts, `why` naming the consumer that cannot take a volume
 * location: followed through dag and steps outputs (and the inputs of the
 * call that led into one), and through the inputs of `scope` itself to what
 * each of its callers passes, to the pod templates that write them, which
 * the next try of the plan keeps (keep_asked). True when this try asked
 * for one: the caller plans on as the next try will; false, and nothing
 * asked, when one cannot be found (a global artifact, an expression), is a
 * WorkflowTemplate's (whose outputs workflows converted apart read from the
 * volume), or all were kept already: the caller refuses. */
bool plan_keep_producer(vplan *p, tplan *scope, const artifact *a, const char *why);

/* Why output `a` stays a real artifact for a consumer, or NULL. */
const char *plan_kept_for_consumer(vplan *p, const artifact *a);

/* Whether reference `r`, written in dag or steps template `scope`, names
 * data on the volume after the rewrite or a real artifact; in *param the
 * parameter that carries its location. */
backing ref_backing(vplan *p, tplan *scope, ref r, const char **param, const node *at);

/* Call c, made in workflow wf, goes through templateRef to a
 * WorkflowTemplate not in the input, which volpass takes to be converted
 * apart by its convention; said once per WorkflowTemplate, at `at` (none
 * during the edit). A parameter NAME-subpath that wf's templateDefaults
 * give, which Argo would merge into the location parameter of that name
 * the convention gives that template, is refused. */
void plan_warn_apart(vplan *p, const workflow *wf, const call_site *c, const node *at);

/* The reference the whole of artifact a's `from` is ({0} when it is
 * anything else); its first tag in *g, when *tagged. */
ref plan_from_ref(const artifact *a, tag *g, bool *tagged);

/* Whether artifact argument or dag/steps output `a`, passed on in graph
 * template `scope` (from or fromExpression), names data on the volume
 * after the rewrite or a real artifact. */
backing plan_from_backing(vplan *p, tplan *scope, const artifact *a);

/* An argument's subPath is appended to the location it passes, with the
 * parameters Argo substitutes there: refused when it names an artifact, or
 * a task or step the calling template does not have, or when a location
 * on the volume it passes would not lead where Argo reads (sub_path_problem). */
void plan_check_argument_sub_path(vplan *p, const tplan *scope, const call_site *c, const artifact *a, backing b);

/* Whether output k of dag or steps template tp passes on data on the
 * volume: planned for all its outputs at once, from what its calls pass on. */
backing plan_graph_output_backing(vplan *p, tplan *tp, size_t k);

/* A dag or steps template's input artifacts go through the volume when its
 * callers pass volume locations, and stay artifacts when they pass real
 * artifacts; callers that disagree are refused, asking for a twin of the
 * template (plan_graph_twin). Without callers in the stream, the default
 * stands. */
void plan_graph_inputs(vplan *p, tplan *tp);

/* Refuses a dag or steps template whose input or output form, decided
 * while a cycle of calls was being followed, is not what its callers or
 * sources give once every form is known (each_template, after planning). */
void plan_check_settled(vplan *p, template *t, const workflow *wf);

/* Notes that graph template `scope` calls `target` through call c. */
void plan_add_caller(vplan *p, tplan *target, tplan *scope, const call_site *c);

/* Notes scope's calls as callers of the templates they call. */
void plan_index_calls(vplan *p, tplan *scope);

/* Notes the global names output parameters have (the location parameters
 * must not take one), and which outputs set each global artifact. */
void plan_note_globals(vplan *p, template *t, const workflow *wf);

/* Notes, per global artifact, the parameter globalName its setters
 * through the volume give their location parameters. */
void plan_register_globals(vplan *p, template *t, const workflow *wf);

/* A global artifact set through the volume by one producer and as a real
 * artifact by another: its readers cannot take both. */
void plan_refuse_mixed_globals(vplan *p, template *t, const workflow *wf);

/* ---- plan_calls.c: calls --------------------------------------------- */

/* Plans one call: which form of the target it needs, given how each input
 * artifact is passed (through the volume, or as a real artifact). */
void plan_call(vplan *p, tplan *scope, const call_site *c, call_plan *cp);

/* A call must give its parameters values as Argo requires (argument_fault),
 * and supply every input parameter of its target that has no value of its
 * own (required_parameter): Argo fails the call otherwise, and paths made
 * of such a parameter would have no location. (Not the entrypoint's nor an
 * exit handler's: `argo submit -p` may supply those.) */
void plan_check_required_parameters(vplan *p, const tplan *scope, const call_site *c, const call_plan *cp);

/* A Workflow that runs a WorkflowTemplate (workflowTemplateRef) passes its
 * spec.arguments to that template's entrypoint, and its workflow parameters
 * to that template's output paths. (Its exit handlers are calls, planned
 * as others.) */
void plan_check_run_arguments(vplan *p, const workflow *wf);

/* An exit handler of a template in another document in the input
 * (templateRef, workflowTemplateRef) reads this workflow's spec.arguments
 * as written, which volpass does not rewrite: a global artifact it reads
 * there may not come from the volume, and another reference, resolved
 * where that handler runs, is not followed. (The workflow's own handlers'
 * calls are checked as calls; a document outside the input is not seen.) */
void plan_check_workflow_arguments(vplan *p, const workflow *wf, const stream_calls *r);

/* With --volume-claim-template, a Workflow that runs a WorkflowTemplate
 * (workflowTemplateRef) and has no claims of its own creates that
 * template's (call_tree_run_claims): a list added to it would replace
 * theirs. It gets none, and the template, given the claim when converted,
 * brings it. When that template is not in the input, a claim the
 * Workflow's own templates need would drop whatever claims it has. One
 * with claims of its own creates those only, so they get the claim, which
 * the template's pods mount. */
void plan_claim(vplan *p, const workflow *wf, stream_calls *r);

/* Asks for a twin of graph template tp for its callers that pass input k
 * in one form (passed: per caller) where the others pass the other, or
 * (for_convention) where workflows converted apart pass the other, by the
 * refusal about to be made: rewrite_volume makes it and plans again. NULL
 * when asked; else why there can be none. */
const char *plan_graph_twin(vplan *p, const tplan *tp, size_t k, const backing *passed, bool for_convention);

/* --explain: the twins of dag and steps templates made before this plan,
 * said of the templates they copy (each_template). */
void plan_note_graph_twins(vplan *p, template *t, const workflow *wf);

/* What tag g stands for when it is a parameter of workflow wf (a const
 * workflow *) that spec.arguments gives, with no tag of its own: its text;
 * else NULL (known at run time only, or no such parameter). */
const char *plan_workflow_value(vplan *p, const tag *g, const void *wf);

/* `text` with the values withItems item `item` gives its {{item}} and
 * {{item.KEY}} tags; tags it gives none left as they are. */
const char *plan_with_item(vplan *p, const char *text, const node *item);

#endif
