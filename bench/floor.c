/* The benchmark's floor: the least any libyaml-based rewriter must do. Maps
 * the file, as volpass maps a regular file, then passes each
 * event libyaml's parser produces straight to its emitter (set up as volpass
 * sets it up), writing to standard output. No document model, no rewrite.
 *
 *     bench-floor FILE > /dev/null
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

static unsigned char *map_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    *len = (size_t)st.st_size;
    return map == MAP_FAILED ? NULL : map;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench-floor FILE > OUTPUT\n");
        return 2;
    }
    size_t len;
    unsigned char *data = map_file(argv[1], &len);
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
    munmap(data, len);
    return ok && fflush(stdout) == 0 ? 0 : 3;
}
