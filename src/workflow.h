/* The workflow model: what a rewrite scheme needs to know about one Argo
 * document, read once and checked for shape (wrong types are refused here
 * with their location, so schemes never meet them). Schemes decide from the
 * model and only then change the document. */
#ifndef VP_WORKFLOW_H
#define VP_WORKFLOW_H

#include <stdbool.h>

#include "arena.h"
#include "doc.h"
#include "name_index.h"
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
    const node *sub_path;        /* an argument's subPath: scalar or NULL */
    const node *global_name;     /* an output's globalName: scalar or NULL */
    const char *source;          /* raw, s3, http, git, ...: the artifact brings its own data; or NULL */
    bool optional;
} artifact;

typedef struct artifact_list {
    node *owner;     /* the inputs, outputs or arguments mapping holding "artifacts", or NULL */
    artifact *items; /* a long list's are followed by pointers to them in the order of their names (workflow.c) */
    size_t count;
} artifact_list;

typedef enum call_kind {
    CALL_TASK,    /* a dag task */
    CALL_STEP,    /* a step of a steps template (any parallel group) */
    CALL_HOOK,    /* a lifecycle hook of a task, step or workflow: hooks.NAME */
    CALL_ON_EXIT  /* an exit handler: onExit of a task, step or workflow */
} call_kind;

typedef struct template template;

/* One place where a template is called. */
typedef struct call_site {
    node *node;
    const char *name;       /* task or step name; "TASK.hooks.NAME", "TASK.onExit" for handlers */
    call_kind kind;
    artifact_list arguments;
    node *parameters;       /* arguments.parameters, or NULL */
    const char *template_name; /* template: NAME, or NULL */
    node *template_ref;     /* templateRef mapping, or NULL */
    template *inline_template; /* inline: {...}, or NULL */
    bool looped;            /* withItems, withParam or withSequence: many instances */
    bool workflow_arguments; /* an exit handler that Argo passes spec.arguments (onExit; hooks.exit without arguments) */
} call_site;

struct template {
    node *node;
    const char *name;
    template_kind kind;
    node *container; /* container or script mapping; for containerSet, the container named main */
    artifact_list inputs, outputs;
    node *input_parameters, *output_parameters; /* lists, or NULL */
    call_site *calls; /* dag tasks or steps, then their hooks and exit handlers */
    size_t ncalls, calls_cap;
    strmap calls_by_name; /* name -> index + 1 of each call, when too many to scan (over 64) */
    const node *defaults; /* spec.templateDefaults, which Argo merges into every template, or NULL */
    node *default_mounts; /* the volumeMounts it adds to this one (template_mounts), or NULL */
    const struct mirrors *mirrors; /* its side containers that mirror the main one's mounts (mirrors.h), or NULL */
    void *plan;       /* the volume scheme's plan of it (src/volume_plan.c), while it rewrites */
};

/* What the documents that may run a document's templates give every pod
 * of them: a workflow that calls them through templateRef, or runs the
 * document through workflowTemplateRef, applies its spec's podSpecPatch,
 * templateDefaults and securityContext to every pod it runs, and so does
 * whatever runs that workflow's templates in turn; a templateRef whose
 * name is made of parameters may run any WorkflowTemplate (call_tree_read
 * joins them: workflow_runs_join, run_settings_merge). */
#define RUN_DEFAULTS 4 /* templateDefaults of running workflows whose mounts are compared by path */
typedef struct run_settings {
    int patch;            /* what the first of their podSpecPatch that may change mounts does: 0 none, 1 mentions
                             volumes, 2 holds a reference, 3 holds escapes */
    int defaults_patch;   /* the same of their templateDefaults' podSpecPatch */
    bool mounts[3];       /* their templateDefaults give a container, script or containerSet template sidecars or init
                             containers with mounts (theirs, or mirrored), or volume mounts past RUN_DEFAULTS */
    const node *defaults[RUN_DEFAULTS]; /* their templateDefaults that give containers volume mounts, once each,
                                           which template_runner_mount compares path by path */
    size_t ndefaults;
    const node *memoize;  /* the first memoize of their templateDefaults, or NULL */
    const node *non_root; /* the first of their security contexts that runs pods as a user other than root */
} run_settings;

typedef struct workflow {
    node *root;
    node *spec;      /* spec, or spec.workflowSpec of a CronWorkflow */
    const char *kind;
    const char *name; /* metadata.name, or NULL */
    const char *name_space; /* metadata.namespace, or "" */
    const char *entrypoint; /* or NULL */
    template *templates;
    size_t ntemplates;
    artifact_list arguments; /* spec.arguments.artifacts */
    node *parameters;        /* spec.arguments.parameters, or NULL */
    const node *defaults;    /* spec.templateDefaults, or NULL */
    artifact_list default_inputs, default_outputs; /* its inputs' and outputs' artifacts */
    node *default_parameters[2]; /* its inputs' [0] and outputs' [1] parameters, or NULL */
    template handlers;       /* the workflow's onExit and hooks, as the call sites of a pseudo-template */
    /* The Workflows of the stream that run this one through
     * workflowTemplateRef, whose specs Argo joins to its own (their volumes
     * take the place of its own of the same name): the first
     * (call_tree_read links them), and after each, the next. */
    const struct workflow *runner, *next_runner;
    run_settings runs; /* of every document that may run its templates */
    strmap by_name;          /* template name -> template */
    arena *mem;              /* the model's own arrays: the caller's, as a stream has many models */
} workflow;

/* True for Workflow, WorkflowTemplate, ClusterWorkflowTemplate and
 * CronWorkflow documents (and, as the reference has it, for a document that
 * has no kind but spec.templates). */
bool workflow_document(const node *root);
/* Whether `kind` is one of those kinds spelt in other case ("workflow"). */
bool workflow_kind_like(const char *kind);

/* Whether other documents may call wf's templates through templateRef: a
 * WorkflowTemplate or ClusterWorkflowTemplate. */
bool workflow_callable_apart(const workflow *wf);

/* The name or template of call c's templateRef when it is made of
 * parameters ("{{inputs.parameters.which}}"), which Argo resolves at run
 * time and does not validate; else NULL. */
const char *call_target_dynamic(const call_site *c);

/* The items of call c's withItems, a list, or NULL (none, or values known
 * at run time only: withParam, withSequence). */
const node *call_items(const call_site *c);

/* The text item `item` of a withItems list gives the tag whose expression
 * is expr[0, len) ("item", or "item.KEY" for a mapping item's key KEY, dots
 * and all), or NULL when that is not an item's, or gives no scalar. */
const char *item_text(const node *item, const char *expr, size_t len);

/* Reads the document into `wf`, its arrays allocated from `mem` (which must
 * outlive it). Returns VP_EINVALID with the location when a field the model
 * reads has the wrong type. */
vp_status workflow_read(workflow *wf, node *root, const char *file, arena *mem, vp_error **err);
void workflow_free(workflow *wf); /* all but what `mem` holds */



/* spec.volumeClaimTemplates when it lists any claim, else NULL: Argo drops
 * an empty or null list (omitempty), so another spec's may apply. */
const node *spec_claims(const node *spec);

/* Whether the claims list has a claim named `name` (NULL-safe). */
bool claims_have(const node *claims, const char *name);


static inline bool template_is_graph(const template *t)
{
    return t->kind == TEMPLATE_DAG || t->kind == TEMPLATE_STEPS;
}

/* Container, script and containerSet templates: the ones that run a pod. */
static inline bool template_runs_pod(const template *t)
{
    return t->kind == TEMPLATE_CONTAINER || t->kind == TEMPLATE_SCRIPT ||
           t->kind == TEMPLATE_CONTAINER_SET;
}

/* The key that gives template t its type (container, resource, data, ...),
 * for messages; "typeless" when it has none. */
const char *template_type(const template *t);

#define NOT_FOUND ((size_t)-1)

/* Index of the artifact named name[0, len) in `l`, or NOT_FOUND. */
size_t artifact_index(const artifact_list *l, const char *name, size_t len);

/* Whether item (a parameter, volume, ...) has the scalar name name[0, len). */
bool item_named(const node *item, const char *name, size_t len);

/* The item named name[0, len) of a parameters list, or NULL. */
node *parameter_named(const node *list, const char *name, size_t len);

/* map[key] as Argo reads it: NULL when absent or null. */
const node *argo_field(const node *map, const char *key);

/* The value parameter `param` gives of its own, a scalar: its `value`, or
 * with `with_default` its `default`; NULL when neither is set (null is none;
 * "" is a value). */
const node *parameter_own_value(const node *param, bool with_default);

/* Whether parameter `param` reads a ConfigMap's key (valueFrom.configMapKeyRef). */
bool parameter_reads_config_map(const node *param);

/* The name (a scalar) of an input parameter that a caller must supply:
 * one with no value or default of its own and no ConfigMap key to read
 * (Argo's ProcessArgs fails on any other); else NULL. */
const node *required_parameter(const node *param);

/* The task or step of graph template `t` named name[0, len), or NULL. */
const call_site *template_call(const template *t, const char *name, size_t len);

/* The step of t with a `when` whose output (an artifact when `of_artifact`,
 * else a parameter) `text` names in every branch, or NULL: `text` is a whole
 * tag ({{…}}, or {{=…}} read as an expression) or, with `expression`, an
 * expression; ?: then chooses no other step. Argo (v4.1) gives a step its
 * `when` skipped an empty placeholder for each output artifact and no value
 * for each output parameter. */
const call_site *template_skippable_step(const template *t, const char *text, bool expression, bool of_artifact);

/* The template named `name`, or NULL. */
template *workflow_template(const workflow *wf, const char *name);

/* The volumeMounts lists a pod template's main container sees: its own
 * (which 0), a containerSet's shared ones (1), and those spec.templateDefaults
 * adds (2: the ones on a mountPath the template does not mount itself);
 * NULL for none. The first TEMPLATE_OWN_MOUNT_LISTS are in the template. */
#define TEMPLATE_MOUNT_LISTS 3
#define TEMPLATE_OWN_MOUNT_LISTS 2
const node *template_mounts(const template *t, int which);

/* Walks the mounts of the first `lists` of those lists, in order:
 *     mount_cursor at = {0, 0};
 *     for (const node *m; (m = template_next_mount(t, TEMPLATE_MOUNT_LISTS, &at));)
 * NULL after the last. */
typedef struct mount_cursor {
    int list;
    size_t next;
} mount_cursor;
const node *template_next_mount(const template *t, int lists, mount_cursor *at);

/* The first volume mount of pod template t, in any of its containers (the
 * main one's lists above, then init containers, sidecars, its own and
 * spec.templateDefaults', and a containerSet's), for which fn holds; NULL
 * when there is none. */
const node *template_find_mount(const template *t, bool (*fn)(const node *m, const void *ctx), const void *ctx);

/* Whether a container of pod template t other than the main one sees what
 * the main container's mount `holder` shows at `path`: an init container or
 * a sidecar (its own or spec.templateDefaults'), another container of a
 * containerSet, or every container through the containerSet's own mounts,
 * mounting the same volume where that place is (its subPath counts). */
bool template_shares_volume(const template *t, const node *holder, const char *path);

/* A mount on `path` of an init container or sidecar of pod template t (its
 * own or spec.templateDefaults') that mirrors the main container's mounts
 * (mirrorVolumeMounts): Argo copies every mount of the main container into
 * it, so one added there on `path` would be its second, which Kubernetes
 * refuses. With `maybe`, also a mount whose path is made of parameters
 * that may put it there. The container's name in *container; NULL for none.
 * With `path` NULL: the first such container that mirrors (its node). */
const node *template_mirror_clash(const template *t, const char *path, bool maybe, const char **container);

/* The setting that makes pod template t's main container run as a user
 * other than root (runAsUser, runAsNonRoot: its container's securityContext,
 * then templateDefaults' container's, the template's, templateDefaults',
 * the workflow's: the nearest decides), or
 * NULL. wf may be NULL: t's own only. */
const node *template_non_root(const template *t, const workflow *wf);

/* A podSpecPatch of pod template t (its own, templateDefaults', the
 * workflow's) that sets runAsUser or runAsNonRoot (in any case: Go's JSON
 * reader matches field names so), which may make its pod run as a user
 * other than root, whatever its securityContext says; or NULL. */
const node *template_patch_user(const template *t, const workflow *wf);

/* A mount Argo gives pod template t's main container itself at `dir` or
 * below it, or NULL: its executor's /var/run/argo (every container), a
 * script's source in /argo/staging. A mount of the volume on `dir` would be
 * a second mount on its path (which Kubernetes refuses) or hide it. */
const char *argo_mount_within(const template *t, const char *dir);

/* Whether a volume of the workflow's own (spec.volumes, or a claim) named
 * `name` reaches pod template t's pod. Argo adds one to the pod where a
 * mount names it: the main container's, or for a containerSet only the
 * set's shared mounts (not each container's), an init container's or a
 * sidecar's. */
bool template_reaches(const template *t, const char *name);

/* The volume named `name` that template t's pod has when workflow wf runs
 * it: t's own, or wf's spec.templateDefaults' or spec.volumes' (wf may be
 * NULL: t's own only); NULL when there is none (or name is NULL). */
const node *template_volume(const template *t, const workflow *wf, const char *name);

/* The same, looked up through `names` (name_index.h; NULL: walked), for a
 * pod of many volumes. */
const node *template_volume_in(name_index *names, const template *t, const workflow *wf, const char *name);

/* Why a podSpecPatch may give template t's pod other mounts or volumes than
 * the template shows when workflow wf runs it ("its podSpecPatch mentions
 * volumes"), or NULL. Argo merges the patches into the pod, mounts by their
 * path: the workflow's, and the template's (or where it has none, its
 * templateDefaults'), those of a Workflow that runs wf through
 * workflowTemplateRef included. One that mentions volumes may, and so may
 * one that holds a reference, whose value could be anything. wf may be
 * NULL: t's own patch only. */
const char *template_mount_patch(const template *t, const workflow *wf);

/* Joins into `to` (a document's run_settings) what workflow `from`, which
 * runs its templates, gives them: its own spec's, and its run_settings.
 * Whether `to` changed. */
bool workflow_runs_join(run_settings *to, const workflow *from);

/* Joins run_settings `from` into `to`; whether `to` changed. */
bool run_settings_merge(run_settings *to, const run_settings *from);

/* The mountPath of a volume mount that the templateDefaults of a workflow
 * that runs wf's templates give t's container on `path`, above it or
 * inside it (or one made of parameters, which may be anywhere); NULL for
 * none. Argo merges such a mount with the template's own of its path. */
const char *template_runner_mount(const template *t, const workflow *wf, const char *path);

/* The memoize settings template t runs with in workflow wf: its own, or
 * else those of spec.templateDefaults, which Argo merges into every
 * template (a Workflow's that runs wf through workflowTemplateRef
 * included); NULL for none. */
const node *template_memoize(const template *t, const workflow *wf);

/* The path output text `raw` of template t stands for: Argo substitutes
 * its inputs' paths ({{inputs.artifacts.X.path}}) in the whole template,
 * outputs too. `raw` itself when it names none; a copy in `mem` else; NULL
 * when that would pass PATH_MAX_BYTES (a path's limit), or when memory runs
 * out (*oom set). */
const char *template_output_path(const template *t, const char *raw, arena *mem, bool *oom);

/* The key by which an input has Argo set its file mode ("mode",
 * "recurseMode"), or NULL: a mount from a volume cannot apply it. */
const char *artifact_mode_key(const artifact *a);

#endif
