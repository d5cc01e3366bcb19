/* Absolute paths in a container, compared as Kubernetes mounts them: "//"
 * and "/./" collapse and a trailing "/" does not count; nor do blanks inside
 * a {{…}} tag, which Argo trims. */
#ifndef VP_PATHS_H
#define VP_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#define PATH_MAX_BYTES 4096 /* PATH_MAX on Linux */

/* Normalises in place; the result is never longer. */
void path_normalize(char *path);

/* Whether path_normalize would leave the path as it is. */
bool path_is_normal(const char *path);

/* Whether a component of the path is "..": such a path cannot be compared
 * with others by its text (and a symbolic link can change where it goes). */
bool path_has_dotdot(const char *path);

/* Resolves the "." and ".." components of relative path `path` in place,
 * and drops empty ones, as Go's path.Join does when Argo joins an
 * artifact's key and a subPath: "a/../b" is "b", "a/.." is "". False, with
 * the path left undefined, when it climbs above its start ("../b"). */
bool path_resolve_relative(char *path);

/* The same for absolute path `path`, by its text, as Go's path.Clean does:
 * "/a/../b" is "/b", "/.." is "/". (The kernel follows a symbolic link
 * before its ".."; mount paths are compared unresolved for that reason.) */
void path_resolve_absolute(char *path);

bool path_equal(const char *a, const char *b);
bool path_is_root(const char *path);

/* When mount path `mount` covers the normalised `path` (is it, or one of its
 * directories), the length of `path`'s prefix it covers (at least 1); else 0. */
size_t path_covers(const char *mount, const char *path);

/* Whether the path is relative: it starts with neither '/' nor a tag
 * (whose value may make it absolute). The kubelet mounts a relative mount
 * path below /. */
bool path_is_relative(const char *path);

/* Whether the path holds a {{…}} tag that Argo substitutes at run time. */
bool path_is_templated(const char *path);

/* Whether mount path `outer` covers `inner` (both normalised), or may once
 * Argo substitutes their parameters. A templated path is its text before the
 * first tag, anything, then its text after the last tag: "/data/{{…}}.csv"
 * may be /data/x.csv or /data/a/b.csv, never /work/x. */
bool path_may_cover(const char *outer, const char *inner);

/* Whether the two paths are one, or may be once Argo substitutes their
 * parameters. */
bool path_may_equal(const char *a, const char *b);

/* Whether `outer` covers `inner` whatever the parameters hold: literal
 * paths that do, a templated inner path whose text before its first tag
 * already lies below `outer` ("/in/{{…}}" below /in), or an inner path that
 * is outer's text, or it and more below it ("/in/{{…}}/f" below "/in/{{…}}"). */
bool path_must_cover(const char *outer, const char *inner);

#endif
