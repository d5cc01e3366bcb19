/* The paths of one template's artifacts, sorted so that the checks between
 * them ("is this input mounted inside that one?", "which output mount holds
 * this directory?") look at the few paths that can answer instead of every
 * other artifact: walking them all for each made a template of 16,000
 * artifacts take 21 s.
 *
 * The order ranks '/' below every other byte, so the paths at or below a
 * directory make one run right after it. A query visits the candidates:
 * every path that may answer, a superset of those that do, in no particular
 * order; the visitor applies the exact test and keeps the answer it wants
 * (the least index, the shortest path). Short lists are not indexed, as a
 * walk of them costs less than sorting: with no index (NULL) a query visits
 * every index below n, in order. */
#ifndef VP_PATH_INDEX_H
#define VP_PATH_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#define PATH_INDEX_MIN 16 /* lists longer than this are worth an index */

typedef struct path_entry {
    const char *path; /* normalised */
    size_t len;
    size_t index;     /* in the caller's list */
} path_entry;

typedef struct path_index {
    path_entry *entries;
    size_t count;
} path_index;

typedef void path_visit(void *ctx, size_t index);

/* Sorts the entries, which the caller allocates and fills; when `distinct`,
 * keeps one of the paths written alike, the one of least index. */
void path_index_sort(path_index *ix, bool distinct);

/* Visits the paths that are `dir` or lie below it, by their text: `dir`
 * followed by '/' and more ("/" and "" hold every path). */
void path_index_under(const path_index *ix, size_t n, const char *dir, path_visit *visit, void *ctx);

/* Visits the paths that are `path` or one of its directories, by text: "/"
 * (whatever `path` is), and each prefix of `path` that ends before a '/' or
 * at its end. */
void path_index_holding(const path_index *ix, size_t n, const char *path, path_visit *visit, void *ctx);

/* Visits the paths whose text is `path`. */
void path_index_equal(const path_index *ix, size_t n, const char *path, path_visit *visit, void *ctx);

#endif
