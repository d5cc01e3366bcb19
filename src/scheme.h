/* What every rewrite scheme receives, and the schemes themselves. A scheme
 * first checks the whole workflow and refuses before changing anything; only
 * then does it edit the document. */
#ifndef VP_SCHEME_H
#define VP_SCHEME_H

#include "doc.h"
#include "volpass.h"
#include "workflow.h"

typedef struct scheme_ctx {
    arena *arena;        /* the stream's: new nodes go here */
    const char *file;
    const node *volume;  /* the volume source, a mapping (copied before use) */
    const char *path_prefix;
    vp_warning_fn on_warning;
    void *warning_ctx;
} scheme_ctx;

vp_status scheme_kfp(const scheme_ctx *ctx, workflow *wf, vp_error **err);

#endif
