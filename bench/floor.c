/* The benchmark's floor: the least any libyaml-based rewriter must do. Maps
 * the file, as volpass maps a regular file, then passes each event libyaml's
 * parser produces straight to its emitter (set up as volpass sets it up),
 * writing to standard output. No document model, no rewrite.
 *
 *     bench-floor FILE > /dev/null
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <sys/mman.h>

#include "roundtrip.h"

int main(int argc, char **argv)
{
    size_t len;
    unsigned char *data = map_input(argc, argv, 2, "bench-floor FILE > OUTPUT", &len);
    yaml_emitter_t emitter;
    if (emitter_init(&emitter) != 0)
        return 7;
    yaml_emitter_set_output_file(&emitter, stdout);
    int rc = round_trip(data, len, &emitter, argv[1]);
    yaml_emitter_delete(&emitter);
    munmap(data, len);
    return rc == 0 && fflush(stdout) == 0 ? 0 : 3;
}
