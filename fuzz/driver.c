/* Runs a fuzz target's LLVMFuzzerTestOneInput on the files named on the
 * command line, without libFuzzer: the regression test of every input the
 * fuzzers once crashed on (fuzz/regressions/TARGET/). A failing input
 * crashes or aborts, as it did under libFuzzer. */
#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    fuzz_buf b = {NULL, 0, 0, false};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (fuzz_buf_write(chunk, n, &b) != 0)
            break;
    int failed = ferror(f) || !feof(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "%s: cannot read\n", path);
        fuzz_buf_free(&b);
        return -1;
    }
    /* A copy of exactly the input's size, so ASan sees reads past its end. */
    size_t len = b.len;
    uint8_t *copy = malloc(len ? len : 1);
    if (copy && len)
        memcpy(copy, b.data, len);
    fuzz_buf_free(&b);
    if (!copy)
        return -1;
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    return 0;
}

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        fprintf(stderr, "running %s\n", argv[i]);
        bad |= run_file(argv[i]) != 0;
    }
    printf("%d inputs run%s\n", argc - 1, bad ? ", some unreadable" : "");
    return bad ? 1 : 0;
}
