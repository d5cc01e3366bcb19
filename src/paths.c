#include "paths.h"

#include <stdlib.h>
#include <string.h>

#define PATH_LIMIT 4096 /* PATH_MAX on Linux */

void path_normalize(char *path)
{
    char *out = path;
    const char *in = path;
    while (*in) {
        if (in[0] == '/' && (in[1] == '/' || (in[1] == '.' && (in[2] == '/' || in[2] == '\0')))) {
            in += in[1] == '/' ? 1 : 2; /* "//" or "/." */
            continue;
        }
        *out++ = *in++;
    }
    *out = '\0';
    size_t n = (size_t)(out - path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
}

bool path_is_normal(const char *path)
{
    size_t n = strlen(path);
    if (n > 1 && path[n - 1] == '/')
        return false;
    for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/'))
        if (s[1] == '/' || (s[1] == '.' && (s[2] == '/' || s[2] == '\0')))
            return false;
    return true;
}

bool path_has_dotdot(const char *path)
{
    for (const char *s = strstr(path, ".."); s; s = strstr(s + 1, ".."))
        if ((s == path || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
            return true;
    return false;
}

/* p when it is normal (no allocation: the usual case), else a normalised
 * copy that *owned keeps for the caller to free; NULL when out of memory. */
static const char *normal_form(const char *p, char **owned)
{
    *owned = NULL;
    if (path_is_normal(p))
        return p;
    size_t n = strlen(p);
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, p, n + 1);
        path_normalize(c);
    }
    *owned = c;
    return c;
}

bool path_equal(const char *a, const char *b)
{
    char *ox, *oy;
    const char *x = normal_form(a, &ox), *y = normal_form(b, &oy);
    bool same = x && y && strcmp(x, y) == 0;
    free(ox);
    free(oy);
    return same;
}

bool path_is_root(const char *path)
{
    char *owned;
    const char *x = normal_form(path, &owned);
    bool root = x && strcmp(x, "/") == 0;
    free(owned);
    return root;
}

size_t path_covers(const char *mount, const char *path)
{
    char *owned;
    const char *m = normal_form(mount, &owned);
    if (!m)
        return 0;
    size_t n = strlen(m), covered = 0;
    if (strcmp(m, "/") == 0 && path[0] == '/')
        covered = 1;
    else if (n && strncmp(m, path, n) == 0 && (path[n] == '\0' || path[n] == '/'))
        covered = n;
    free(owned);
    return covered;
}

bool path_is_templated(const char *path)
{
    for (const char *c = strchr(path, '{'); c; c = strchr(c + 1, '{')) /* strchr: most paths have none */
        if (c[1] == '{')
            return true;
    return false;
}

bool path_is_placed(const char *path)
{
    if (!path_is_templated(path))
        return true;
    const char *tag = strstr(path, "{{");
    for (const char *c = path + 1; c < tag; c++)
        if (*c == '/')
            return true;
    return false;
}

/* The directory a templated path lies in for sure: its text up to the last
 * '/' before the first tag ("/" when there is none). Owned by the caller. */
static char *fixed_directory(const char *path)
{
    const char *tag = strstr(path, "{{");
    const char *slash = NULL;
    for (const char *c = path; c < tag; c++)
        if (*c == '/')
            slash = c;
    size_t n = slash && slash > path ? (size_t)(slash - path) : 1;
    char *dir = malloc(n + 1);
    if (dir) {
        memcpy(dir, slash && slash > path ? path : "/", n);
        dir[n] = '\0';
    }
    return dir;
}

/* The literal text after the last tag of a templated path ("/in.txt" of
 * "{{inputs.parameters.dir}}/in.txt"; "" when it ends with a tag). */
static const char *last_tail(const char *path)
{
    const char *tail = path;
    for (const char *close = strstr(path, "}}"); close; close = strstr(close + 2, "}}"))
        tail = close + 2;
    return tail;
}

/* Whether `path` or one of its directories lies below `dir` and ends with `tail`. */
static bool covers_with_tail(const char *dir, const char *tail, const char *path)
{
    size_t covered = path_covers(dir, path), t = strlen(tail), n = strlen(path);
    if (!covered)
        return false;
    if (n > PATH_LIMIT)
        return true; /* longer than a path can be: assume the worst rather than compare at every '/' */
    for (; n >= covered; n--)
        if ((path[n] == '/' || path[n] == '\0') && n >= t && memcmp(path + n - t, tail, t) == 0)
            return true;
    return false;
}

bool path_may_cover(const char *outer, const char *inner)
{
    bool to = path_is_templated(outer), ti = path_is_templated(inner);
    if (!to && !ti)
        return path_covers(outer, inner) > 0;
    char *fo = to ? fixed_directory(outer) : NULL, *fi = ti ? fixed_directory(inner) : NULL;
    if ((to && !fo) || (ti && !fi)) {
        free(fo);
        free(fi);
        return true; /* out of memory: assume the worst */
    }
    const char *o = to ? fo : outer, *i = ti ? fi : inner;
    /* Two paths of which either is templated may meet when one's directory
     * holds the other's; a templated outer path covers a literal one when
     * some directory of it, or itself, lies below the outer one's directory
     * and ends as the outer path does after its last tag. */
    bool may = to && !ti ? covers_with_tail(o, last_tail(outer), inner)
                         : path_covers(o, i) > 0 || path_covers(i, o) > 0;
    free(fo);
    free(fi);
    return may;
}
