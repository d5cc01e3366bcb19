/* The stream behind the public vp_stream handle: documents plus the arena
 * that owns every node in them. */
#ifndef VP_STREAM_H
#define VP_STREAM_H

#include <stdbool.h>

#include "comments.h"
#include "doc.h"
#include "volpass.h"

typedef struct document {
    node *root;
    bool explicit_start; /* written with "---" */
    bool explicit_end;   /* written with "..." */
    comment_block leading; /* the comments before its first node */
    comment_block end;     /* the comments after its last node */
} document;

struct vp_stream {
    arena arena;
    document *docs;
    size_t ndocs, cap;
    vp_format format;
    char *filename; /* for error messages */
    comment_table notes; /* comments inside the documents, by node (see comments.h); sorted */
};

/* Parses YAML or JSON text into `s` (already initialised, empty). */
vp_status load_stream(vp_stream *s, const char *data, size_t len,
                      const vp_load_options *opts, vp_error **err);

/* A document of at least split_lines lines is written in two halves at
 * once (emit_halves.c); SIZE_MAX for never. */
#define EMIT_SPLIT_LINES 8192
vp_status emit_yaml(const vp_stream *s, bool keep_styles, size_t split_lines, vp_write_fn write, void *ctx,
                    vp_error **err);
vp_status emit_json(const vp_stream *s, vp_write_fn write, void *ctx, vp_error **err);

#endif
