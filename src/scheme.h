/* What every rewrite scheme receives, and the schemes themselves. A scheme
 * first checks the whole workflow and refuses before changing anything; only
 * then does it edit the document. */
#ifndef VP_SCHEME_H
#define VP_SCHEME_H

#include "comments.h"
#include "doc.h"
#include "volpass.h"
#include "workflow.h"

/* What both schemes name alike: the volume (by default, in the volume
 * scheme), and the parameter that carries an artifact's location; and
 * where on the volume the data goes, by default. */
#define DEFAULT_VOLUME_NAME "data-storage"
#define SUBPATH_SUFFIX "-subpath"
#define DEFAULT_PATH_PREFIX "artifact_data/"

typedef struct scheme_ctx {
    arena *arena;        /* the stream's: new nodes go here */
    comment_table *notes; /* the stream's comments: removed nodes' go to what replaces them */
    const char *file;
    const node *volume;  /* the volume source, a mapping (copied before use) */
    const char *path_prefix;
    vp_warning_fn on_warning;
    void *warning_ctx;
    /* volume scheme */
    const node *claim;   /* a claim spec for spec.volumeClaimTemplates, or NULL */
    const char *volume_name;
    const char *const *keep;
    size_t keep_count;
    vp_decision_fn on_decision;
    void *decision_ctx;
} scheme_ctx;

/* Rewrites the workflows among the stream's documents `roots`, one after
 * another, as Kubeflow's rewriter takes each alone. */
vp_status scheme_kfp(const scheme_ctx *ctx, node *const *roots, size_t n, vp_error **err);

/* Rewrites every workflow of the stream at once (templateRef crosses
 * documents). `twins`: the twins of dag and steps templates made in the
 * documents so far; a refusal may ask for another there (graph_twin.h). */
struct call_tree;
struct graph_twins;
vp_status scheme_volume(const scheme_ctx *ctx, struct call_tree *tree, struct graph_twins *twins, vp_error **err);

#endif
