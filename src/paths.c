#include "paths.h"

#include <stdlib.h>
#include <string.h>

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
