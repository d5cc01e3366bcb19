/* The items of long lists of named mappings (parameters) found by name.
 * parameter_named walks a list; a template of a rewrite has a parameter
 * for each artifact passed through the volume, and each of its mounts and
 * texts names one, which made looking them all up take the square of
 * their number. A list longer than NAME_INDEX_MIN is sorted by name the
 * first time it is asked about, and searched from then on (a list changed
 * since, which the plan and verify never do, is walked again). */
#ifndef VP_NAME_INDEX_H
#define VP_NAME_INDEX_H

#include <stdbool.h>

#include "arena.h"
#include "doc.h"
#include "strmap.h"

#define NAME_INDEX_MIN 16

typedef struct name_index {
    strmap lists; /* a list's address -> its items sorted by name */
    arena *mem;   /* where the sorted items go */
    bool oom;     /* some list could not be indexed: out of memory */
} name_index;

void name_index_init(name_index *x, arena *mem);
void name_index_free(name_index *x);

/* The first item of `list` (a sequence of mappings) whose "name" is
 * name[0..len), as parameter_named finds it (which it calls for x NULL, and
 * when out of memory, x->oom set); NULL when none is. */
node *name_index_find(name_index *x, const node *list, const char *name, size_t len);

/* How many items of `list` are named name[0..len). */
size_t name_index_count(name_index *x, const node *list, const char *name, size_t len);

#endif
