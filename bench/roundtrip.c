#define _POSIX_C_SOURCE 200809L
#include "roundtrip.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

unsigned char *map_input(int argc, char **argv, int argc_wanted, const char *usage, size_t *len)
{
    if (argc != argc_wanted) {
        fprintf(stderr, "usage: %s\n", usage);
        exit(2);
    }
    unsigned char *data = map_file(argv[1], len);
    if (!data) {
        perror(argv[1]);
        exit(5);
    }
    return data;
}

int emitter_init(yaml_emitter_t *em)
{
    if (!yaml_emitter_initialize(em))
        return -1;
    yaml_emitter_set_unicode(em, 1);
    yaml_emitter_set_width(em, -1);
    yaml_emitter_set_indent(em, 2);
    return 0;
}

int round_trip(const unsigned char *data, size_t len, yaml_emitter_t *em, const char *name)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return -1;
    yaml_parser_set_input_string(&parser, data, len);
    int rc = 0;
    for (bool done = false; !done && rc == 0;) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s:%lu: %s\n", name, (unsigned long)parser.problem_mark.line + 1,
                    parser.problem ? parser.problem : "parse error");
            rc = -1;
            break;
        }
        done = event.type == YAML_STREAM_END_EVENT;
        if (!em) {
            yaml_event_delete(&event);
        } else if (!yaml_emitter_emit(em, &event)) { /* takes the event, even on failure */
            fprintf(stderr, "%s: emit error: %s\n", name, em->problem ? em->problem : "cannot write");
            rc = -1;
        }
    }
    yaml_parser_delete(&parser);
    return rc;
}
