/*
 * volpass — rewrite Argo workflows so artifacts pass through one shared volume.
 *
 * The library works on a *stream*: the documents of one YAML or JSON input.
 * Load it, rewrite it, emit it:
 *
 *     vp_stream *s; vp_error *err = NULL;
 *     if (vp_stream_load(&s, text, len, &load_opts, &err) != VP_OK) { ...report err... }
 *     if (vp_rewrite(s, &rewrite_opts, &err) != VP_OK) { ... }
 *     vp_stream_emit(s, VP_FORMAT_AUTO, write_fn, ctx, &err);
 *     vp_stream_free(s);
 *
 * Every function that can fail returns a vp_status and, when it is not VP_OK,
 * hands the caller an error object in *err (free it with vp_error_free; *err
 * is overwritten, so free or clear one before passing err again). A
 * warning's error object, given to a warning callback, lives only for the
 * call. Errors carry
 * the input's file name, line and column (1-based; 0 when they do not apply).
 * An error in a rewrite option, or a warning about one, names the option as
 * its file, as the command line spells it ("--volume", "--keep-artifact"),
 * with line and column in its value; the
 * limit messages name the command-line options too ("raise --max-depth"):
 * vp_load_options.max_depth and the others are those limits.
 *
 * Options pointers may be NULL (the defaults; vp_rewrite's then name no
 * volume, which it refuses), and so may `err` (the error is then dropped)
 * and the data of an empty input; streams, reports, errors given to
 * vp_error_* and `out` pointers may not. An enum value the header does not
 * define is refused with VP_EINVALID.
 *
 * Lifetimes: the strings of an error live until vp_error_free; a verify
 * report holds copies of what it says and outlives the streams it compared.
 * Nothing is shared between streams: separate streams may be used from
 * separate threads at once. Nothing depends on the program's locale
 * (setlocale): numbers are read and written with '.' in every one.
 */
#ifndef VOLPASS_H
#define VOLPASS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VOLPASS_VERSION "0.1.0"

typedef enum vp_status {
    VP_OK = 0,
    VP_EINVALID = 3,     /* malformed input (YAML syntax, bad UTF-8, duplicate key, wrong type), or an
                            option or argument that cannot be used */
    VP_EUNSUPPORTED = 4, /* valid input that the chosen scheme cannot convert */
    VP_EIO = 5,          /* reading or writing failed */
    VP_ELIMIT = 6,       /* input exceeds a safety limit (depth, aliases, size) */
    VP_ENOMEM = 7        /* out of memory */
} vp_status;

/* ---- errors ---------------------------------------------------------- */

typedef struct vp_error vp_error;

vp_status vp_error_status(const vp_error *err);
const char *vp_error_message(const vp_error *err);
const char *vp_error_file(const vp_error *err);   /* never NULL; "" when unknown */
unsigned long vp_error_line(const vp_error *err);   /* 1-based, 0 = no position */
unsigned long vp_error_column(const vp_error *err); /* 1-based, 0 = no position */
void vp_error_free(vp_error *err);

/* Receives output in pieces; returns 0 on success, non-zero to abort. */
typedef int (*vp_write_fn)(const char *data, size_t len, void *ctx);

/* ---- loading --------------------------------------------------------- */

typedef struct vp_stream vp_stream;

typedef enum vp_format { VP_FORMAT_AUTO = 0, VP_FORMAT_YAML, VP_FORMAT_JSON } vp_format;

/* The largest max_depth accepted: volpass walks documents recursively, and
 * deeper ones could overflow a thread's stack. It takes 200 to 300 bytes of
 * stack per level (measured, x86-64, -O2): the default 1,000 levels need
 * 256 KiB, 10,000 need 3 MiB. A thread with less (musl's default is
 * 128 KiB) needs a lower max_depth or a bigger stack. */
#define VP_MAX_DEPTH_LIMIT 10000
/* The largest max_input_bytes that has effect: positions are 32-bit. */
#define VP_MAX_INPUT_BYTES_LIMIT 4294967295u

/* The limits a 0 in vp_load_options stands for. */
#define VP_DEFAULT_MAX_DEPTH 1000
#define VP_DEFAULT_MAX_ALIAS_NODES 1000000
#define VP_DEFAULT_MAX_INPUT_BYTES 1073741824u /* 1 GiB */

typedef struct vp_load_options {
    const char *filename;    /* used in error messages; NULL means "<stdin>" (set it for a buffer) */
    size_t max_depth;        /* deepest nesting of collections; 0 = default; at most VP_MAX_DEPTH_LIMIT */
    size_t max_alias_nodes;  /* nodes that alias expansion may create, a scalar one more per 64 bytes of its
                                text (written out, it is repeated); 0 = default */
    size_t max_input_bytes;  /* largest accepted input; 0 = default; at most VP_MAX_INPUT_BYTES_LIMIT */
} vp_load_options;

#define VP_LOAD_OPTIONS_INIT {NULL, 0, 0, 0}

/* Parses `len` bytes of YAML or JSON (a stream of one or more documents). The
 * text is copied; the caller keeps ownership of `data`. */
vp_status vp_stream_load(vp_stream **out, const char *data, size_t len,
                         const vp_load_options *opts, vp_error **err);

/* The format the input was written in: VP_FORMAT_JSON when its first
 * significant character opens a JSON object or array, else VP_FORMAT_YAML. */
vp_format vp_stream_format(const vp_stream *stream);

size_t vp_stream_document_count(const vp_stream *stream);

void vp_stream_free(vp_stream *stream);

/* ---- rewriting ------------------------------------------------------- */

typedef enum vp_scheme {
    VP_SCHEME_VOLUME = 0, /* correct data flow on every workflow: the default */
    VP_SCHEME_KFP         /* Kubeflow Pipelines v1's rewriter, reproduced */
} vp_scheme;

typedef void (*vp_warning_fn)(const vp_error *warning, void *ctx);

/* One decision of the volume scheme, for --explain: what happened to one
 * artifact of one template, and why. Only a rewrite that succeeds reports
 * its decisions. Strings live until the callback returns. */
typedef struct vp_decision {
    const char *template_name;
    const char *artifact;  /* NULL for decisions about the whole template (twins) */
    const char *role;      /* "input", "output" or "template" */
    const char *action;    /* "converted", "kept", "twin" */
    const char *detail;    /* what was done and why */
    unsigned long line, column;
    const char *file;      /* the input's file name, as loaded */
} vp_decision;

typedef void (*vp_decision_fn)(const vp_decision *decision, void *ctx);

typedef struct vp_rewrite_options {
    vp_scheme scheme;
    const char *volume;       /* volume source as YAML or JSON, e.g. "persistentVolumeClaim: {claimName: pvc}" */
    const char *path_prefix;  /* NULL = "artifact_data/"; relative, no ".." directory, no brace (else VP_EINVALID) */
    vp_warning_fn on_warning; /* optional; called for each warning */
    void *warning_ctx;
    /* volume scheme only (given with the kfp scheme: VP_EINVALID): */
    const char *volume_claim_template; /* a PersistentVolumeClaim spec: the workflow gets its own
                                          claim (spec.volumeClaimTemplates); given with `volume`: VP_EINVALID */
    const char *volume_name;           /* NULL = "data-storage" (or the first free "data-storage-N");
                                          a DNS-1123 label (else VP_EINVALID) */
    const char *const *keep_artifacts; /* output artifact names left as real artifacts (none NULL) */
    size_t keep_artifacts_count;
    vp_decision_fn on_decision;        /* optional; called for each decision */
    void *decision_ctx;
} vp_rewrite_options;

#define VP_REWRITE_OPTIONS_INIT {VP_SCHEME_VOLUME, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL}

/* Rewrites every Workflow, WorkflowTemplate, ClusterWorkflowTemplate and
 * CronWorkflow document of the stream in place; other documents are left as
 * they are. The options' strings need to last for the call only. On error,
 * the volume scheme leaves the stream as it was; the kfp scheme, which
 * rewrites one document after another, may have rewritten those before the
 * failing one: discard the stream then. */
vp_status vp_rewrite(vp_stream *stream, const vp_rewrite_options *opts, vp_error **err);

/* ---- verifying ------------------------------------------------------- */

/* Checks statically that `rewritten` moves data as `original` does: every
 * artifact hand-off of the original (a producer instance's output consumed by
 * another instance's input) must land where the consumer reads it in the
 * rewrite, or stay a real artifact on both sides. It follows what the
 * documents say, whatever wrote the rewrite. Also reports problems of the
 * rewrite: colliding or root mounts, outputs under read-only mounts, missing
 * volumes, undeclared or unsupplied parameters, dangling references, inputs
 * that lost their own source. */
typedef struct vp_verify_report vp_verify_report;

typedef struct vp_verify_summary {
    size_t handoffs, preserved, broken, problems;
} vp_verify_summary;

/* JSON is UTF-8: in a JSON report, each byte of a string that starts no
 * UTF-8 character (a file name may hold any) is written as U+FFFD. Text
 * reports write strings as they are, but for control characters, written
 * \xNN so that a name cannot drive the terminal that shows them. */
typedef enum vp_report_format { VP_REPORT_TEXT = 0, VP_REPORT_JSON } vp_report_format;

vp_status vp_verify(const vp_stream *original, const vp_stream *rewritten,
                    vp_verify_report **out, vp_error **err);
vp_verify_summary vp_verify_report_summary(const vp_verify_report *report);
/* One line per hand-off and problem, then a summary line; or one JSON object. */
vp_status vp_verify_report_write(const vp_verify_report *report, vp_report_format format,
                                 vp_write_fn write, void *ctx, vp_error **err);
void vp_verify_report_free(vp_verify_report *report);

/* Writes decisions gathered through vp_rewrite_options.on_decision: one line
 * each ("FILE:LINE:COLUMN: template 'T', ROLE artifact 'A': ACTION: DETAIL";
 * "FILE: " for line 0; without the artifact for a decision about the
 * template), or one JSON
 * array of objects with the fields "file", "line", "column", "template",
 * "artifact" ("" for a template's), "role", "action" and "detail". A NULL
 * string is written as an empty one. */
vp_status vp_decisions_write(const vp_decision *decisions, size_t count, vp_report_format format,
                             vp_write_fn write, void *ctx, vp_error **err);

/* ---- emitting -------------------------------------------------------- */

/* Writes the stream as YAML or JSON. VP_FORMAT_AUTO keeps the input's format.
 * A large YAML document (8,192 lines and more) is written in two halves at
 * once, the second on a thread of its own, joined before this returns;
 * `write` is called on the calling thread only, and the text is what one
 * thread writes. */
vp_status vp_stream_emit(const vp_stream *stream, vp_format format,
                         vp_write_fn write, void *ctx, vp_error **err);

const char *vp_version(void);

#ifdef __cplusplus
}
#endif

#endif /* VOLPASS_H */
