/* --explain: the decisions of a run (every file of --in-place), copied as
 * they come and written at the end, as text lines or one JSON array. With
 * JSON, warnings and errors are entries of the array too (action "warning"
 * or "error", the message as the detail), so that standard error holds the
 * array alone whatever happens. */
#ifndef VP_CLI_EXPLAIN_H
#define VP_CLI_EXPLAIN_H

#include <stdbool.h>

#include "volpass.h"

typedef struct explained {
    vp_decision *items;
    size_t count, cap;
    bool oom;
} explained;

/* A vp_decision_fn: keeps a copy of the decision in the explained `ctx`. */
void explain_decision(const vp_decision *d, void *ctx);

/* A vp_warning_fn: keeps the warning as an entry of action "warning". */
void explain_warning(const vp_error *w, void *ctx);

/* Keeps an error as an entry of action "error"; line 0 when it has no position. */
void explain_error(explained *e, const char *file, unsigned long line, unsigned long column, const char *message);

/* Keeps in `e` only the entries that `other` has too: the same in every field. */
void explain_keep_common(explained *e, const explained *other);

/* Frees every entry, and leaves `e` empty. */
void explain_free(explained *e);

/* Writes every entry through `write` and frees them; 0, or -1 when it
 * cannot write or an entry could not be kept. */
int explain_write(explained *e, vp_report_format format, vp_write_fn write, void *ctx);

#endif
