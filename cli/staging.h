/* Output files that appear whole or not at all. Each is written to a
 * temporary file beside its target ("staged"); once every output of the run
 * is written and synced, all are renamed over their targets. An error, a
 * signal that ends the process (SIGINT, SIGTERM, SIGPIPE, ...; SIGBUS, which
 * an input file truncated while volpass has it mapped raises) or a full disk
 * before that leaves every target as it was and no temporary file behind.
 * The renames themselves come one after another, a signal waiting until
 * they are done: should one fail (a directory that denies it), the targets
 * renamed before it stay replaced. */
#ifndef VP_CLI_STAGING_H
#define VP_CLI_STAGING_H

#include <stdio.h>
#include <sys/stat.h>

/* Installs the signal handlers that remove staged files. */
void staging_init(void);

/* Opens a temporary file beside `target` with the permissions `target` has
 * (or a new file's, when `existing` is NULL). NULL with errno on failure. */
FILE *stage_open(const char *target, const struct stat *existing);

/* Flushes, syncs and closes a staged file. 0, or -1 with errno. */
int stage_close(FILE *f);

/* Renames every staged file over its target. 0, or -1 with errno and the
 * target that failed in *failed. */
int stage_commit(const char **failed);

/* Removes every staged file; the targets are untouched. */
void stage_abort(void);

#endif
