/* The containers beside a pod's main one that mirror its volume mounts
 * (mirrorVolumeMounts: Argo copies every mount of the main container into
 * them), and their own mounts, which a mount volpass adds to the main
 * container must not land on. Found once per template (workflow.c reads
 * them with the template), in the order template_mirror_clash looks at
 * them, and indexed by path: the plan asks about each artifact, and walking
 * every container for each took a pod of 8,000 mirroring sidecars 6 s. */
#ifndef VP_MIRRORS_H
#define VP_MIRRORS_H

#include <stdbool.h>

#include "arena.h"
#include "doc.h"
#include "name_index.h"
#include "path_index.h"

typedef struct mirror_mount {
    const node *mount;
    const char *container; /* the name of the container that mirrors ("?" when it has none) */
    const char *path;      /* its mountPath as written */
} mirror_mount;

typedef struct mirrors {
    const node *first;       /* the first container that mirrors */
    const char *first_name;
    mirror_mount *mounts;    /* those with a mountPath, each container's own, then those of its templateDefaults twin */
    size_t count;
    path_index by_path;      /* their paths normalised, when there are over PATH_INDEX_MIN */
    size_t *templated;       /* the mounts whose paths hold tags, in order */
    size_t ntemplated;
} mirrors;

/* The containers that mirror among `lists` (a template's init containers
 * and sidecars, then spec.templateDefaults': template_side_containers),
 * where a container of the defaults named as one of the template's is
 * merged into it, the template's settings first: NULL when none mirrors or
 * when out of memory (*oom then). twins finds containers by name. */
const mirrors *mirrors_read(const node *const lists[4], arena *mem, name_index *twins, bool *oom);

/* As template_mirror_clash (workflow.h) answers for the template m is of. */
const node *mirrors_clash(const mirrors *m, const char *path, bool maybe, const char **container);

#endif
