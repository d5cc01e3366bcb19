/* Every corpus file survives load -> emit -> load with the same data and
 * key order, in YAML; and emitting twice gives the same text. */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "stream.h"
#include "unit.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return data;
}

static bool same_stream(const vp_stream *a, const vp_stream *b)
{
    if (a->ndocs != b->ndocs)
        return false;
    for (size_t i = 0; i < a->ndocs; i++)
        if ((a->docs[i].root == NULL) != (b->docs[i].root == NULL) ||
            (a->docs[i].root && !node_equal(a->docs[i].root, b->docs[i].root)))
            return false;
    return true;
}

/* Corpus files that must be refused, and the reason. */
static const struct {
    const char *file;
    const char *message;
} refusals[] = {
    {"k8s-patch-json-workflow.yaml", "13:3: duplicate key 'annotations' in a mapping (first at line 6, column 3)"},
};

static const char *expected_refusal(const char *path)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
        if (strcmp(base, refusals[i].file) == 0)
            return refusals[i].message;
    return NULL;
}

static void check_refused(const char *path, const char *data, size_t len, const char *want)
{
    vp_load_options opts = VP_LOAD_OPTIONS_INIT;
    opts.filename = path;
    vp_stream *s = NULL;
    vp_error *err = NULL;
    CHECK(vp_stream_load(&s, data, len, &opts, &err) == VP_EINVALID);
    char got[512] = "";
    if (err)
        snprintf(got, sizeof got, "%lu:%lu: %s", vp_error_line(err), vp_error_column(err),
                 vp_error_message(err));
    CHECK_STR(got, want);
    vp_error_free(err);
    vp_stream_free(s);
}

static void check_file(const char *path)
{
    size_t len;
    char *data = read_file(path, &len);
    CHECK(data != NULL);
    if (!data)
        return;
    const char *refusal = expected_refusal(path);
    if (refusal) {
        check_refused(path, data, len, refusal);
        free(data);
        return;
    }
    vp_load_options opts = VP_LOAD_OPTIONS_INIT;
    opts.filename = path;
    vp_stream *first = NULL, *second = NULL;
    vp_error *err = NULL;
    CHECK(vp_stream_load(&first, data, len, &opts, &err) == VP_OK);
    char *out = first ? emit_text(first, VP_FORMAT_YAML) : NULL;
    CHECK(out != NULL);
    if (out)
        CHECK(vp_stream_load(&second, out, strlen(out), &opts, &err) == VP_OK);
    bool same = first && second && same_stream(first, second);
    if (!same)
        fprintf(stderr, "  round trip changed %s\n", path);
    CHECK(same);
    char *again = second ? emit_text(second, VP_FORMAT_YAML) : NULL;
    CHECK(again && out && strcmp(again, out) == 0);
    if (err) {
        fprintf(stderr, "  %s: %s\n", path, vp_error_message(err));
        vp_error_free(err);
    }
    free(again);
    free(out);
    free(data);
    vp_stream_free(first);
    vp_stream_free(second);
}

static int walk(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), files = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        struct stat st;
        if (names[i]->d_name[0] != '.' && stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                files += walk(path);
            } else {
                check_file(path);
                files++;
            }
        }
        free(names[i]);
    }
    free(names);
    return files;
}

void test_corpus(const char *dir)
{
    int files = walk(dir);
    CHECK(files >= 200); /* the corpus was found and read */
    printf("unit: corpus round trip over %d files\n", files);
}
