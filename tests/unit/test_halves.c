/* A document written in two halves at once (src/emit_halves.c) is the text
 * one writer gives, byte for byte: for every file of the directories given,
 * as loaded and as each scheme rewrites it, cut at each item of the
 * sequence the cut goes in (only where split_find cuts, in a long one),
 * after a comment too, where the first writer writes on alone. */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "emit_yaml.h"
#include "unit.h"

#define EVERY_CUT_UP_TO 64 /* items; past them, split_find's cut alone */

static size_t cuts, joined_cuts, files;

static char *emitted(const vp_stream *s, const split_point *sp, bool *joined)
{
    text_buf b = {NULL, 0, 0};
    vp_status st = sp ? emit_halves(s, s->format == VP_FORMAT_YAML, sp, text_buf_write, &b, joined, NULL)
                      : emit_yaml(s, s->format == VP_FORMAT_YAML, SIZE_MAX, text_buf_write, &b, NULL);
    if (st != VP_OK) {
        free(b.data);
        return NULL;
    }
    return b.data ? b.data : calloc(1, 1);
}

static void check_cuts(const vp_stream *s, const char *path, const char *what)
{
    split_point sp;
    if (!split_find(s, s->format == VP_FORMAT_YAML, 0, &sp))
        return;
    char *whole = emitted(s, NULL, NULL);
    CHECK(whole != NULL);
    size_t chosen = sp.item, n = sp.seq->len;
    for (size_t k = 1; whole && k < n; k++) {
        if (n > EVERY_CUT_UP_TO && k != chosen)
            continue;
        sp.item = k;
        bool joined = false;
        char *halves = emitted(s, &sp, &joined);
        bool same = halves && strcmp(halves, whole) == 0;
        if (!same)
            fprintf(stderr, "  %s (%s), cut before item %zu: the halves differ from the whole\n", path, what, k);
        CHECK(same);
        cuts++;
        joined_cuts += joined;
        free(halves);
    }
    free(whole);
}

static void check_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    text_buf in = {NULL, 0, 0};
    char chunk[65536];
    for (size_t n; f && (n = fread(chunk, 1, sizeof chunk, f)) > 0;)
        text_buf_write(chunk, n, &in);
    if (f)
        fclose(f);
    vp_rewrite_options opts[2] = {VP_REWRITE_OPTIONS_INIT, VP_REWRITE_OPTIONS_INIT};
    const char *what[] = {"loaded", "volume", "kfp"};
    opts[0].volume = opts[1].volume = "persistentVolumeClaim: {claimName: pvc}";
    opts[1].scheme = VP_SCHEME_KFP;
    for (size_t i = 0; in.data && i < 3; i++) {
        vp_stream *s = NULL;
        vp_load_options lo = VP_LOAD_OPTIONS_INIT;
        if (vp_stream_load(&s, in.data, in.len, &lo, NULL) != VP_OK)
            break; /* refused: nothing to write */
        if (i == 0 || vp_rewrite(s, &opts[i - 1], NULL) == VP_OK)
            check_cuts(s, path, what[i]);
        vp_stream_free(s);
    }
    files++;
    free(in.data);
}

static void walk(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        struct stat st;
        if (names[i]->d_name[0] != '.' && stat(path, &st) == 0)
            S_ISDIR(st.st_mode) ? walk(path) : check_file(path);
        free(names[i]);
    }
    free(names);
}

void test_halves(char **dirs, int count)
{
    for (int i = 0; i < count; i++)
        walk(dirs[i]);
    /* cut somewhere in most files, and the halves mostly joined: the test tests */
    CHECK(cuts > 2 * files && joined_cuts * 4 > cuts * 3);
    printf("unit: %zu cuts in %zu files written in halves, %zu of them joined\n", cuts, files, joined_cuts);
}
