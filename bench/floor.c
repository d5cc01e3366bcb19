/* The benchmark's floor: the least any libyaml-based rewriter must do. Reads
 * the whole file, as volpass does, then passes each event libyaml's parser
 * produces straight to its emitter (set up as volpass sets it up), writing
 * to standard output. No document model, no rewrite.
 *
 *     bench-floor FILE > /dev/null
 */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0, got;
    unsigned char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *bigger = realloc(buf, cap *= 2);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    if (ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench-floor FILE > OUTPUT\n");
        return 2;
    }
    size_t len;
    unsigned char *data = read_file(argv[1], &len);
    if (!data) {
        perror(argv[1]);
        return 5;
    }
    yaml_parser_t parser;
    yaml_emitter_t emitter;
    if (!yaml_parser_initialize(&parser) || !yaml_emitter_initialize(&emitter))
        return 7;
    yaml_parser_set_input_string(&parser, data, len);
    yaml_emitter_set_output_file(&emitter, stdout);
    yaml_emitter_set_unicode(&emitter, 1);
    yaml_emitter_set_width(&emitter, -1);
    yaml_emitter_set_indent(&emitter, 2);
    int ok = 1, done = 0;
    while (ok && !done) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s:%lu: %s\n", argv[1], (unsigned long)parser.problem_mark.line + 1,
                    parser.problem ? parser.problem : "parse error");
            ok = 0;
            break;
        }
        done = event.type == YAML_STREAM_END_EVENT;
        ok = yaml_emitter_emit(&emitter, &event); /* takes the event, even on failure */
        if (!ok)
            fprintf(stderr, "%s: emit error: %s\n", argv[1],
                    emitter.problem ? emitter.problem : "cannot write");
    }
    yaml_emitter_delete(&emitter);
    yaml_parser_delete(&parser);
    free(data);
    return ok && fflush(stdout) == 0 ? 0 : 3;
}
