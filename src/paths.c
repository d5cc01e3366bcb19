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

static char *normalized_copy(const char *p)
{
    size_t n = strlen(p);
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, p, n + 1);
        path_normalize(c);
    }
    return c;
}

bool path_equal(const char *a, const char *b)
{
    char *x = normalized_copy(a), *y = normalized_copy(b);
    bool same = x && y && strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

bool path_is_root(const char *path)
{
    char *x = normalized_copy(path);
    bool root = x && strcmp(x, "/") == 0;
    free(x);
    return root;
}

size_t path_covers(const char *mount, const char *path)
{
    char *m = normalized_copy(mount);
    if (!m)
        return 0;
    size_t n = strlen(m), covered = 0;
    if (strcmp(m, "/") == 0 && path[0] == '/')
        covered = 1;
    else if (n && strncmp(m, path, n) == 0 && (path[n] == '\0' || path[n] == '/'))
        covered = n;
    free(m);
    return covered;
}
