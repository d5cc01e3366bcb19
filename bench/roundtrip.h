/* What the benchmark's floor and its phase timing share: the input mapped
 * as volpass maps a regular file, and libyaml's parser run over it, alone or
 * feeding an emitter set up as volpass sets up its own. */
#ifndef BENCH_ROUNDTRIP_H
#define BENCH_ROUNDTRIP_H

#include <stddef.h>
#include <yaml.h>

/* The bytes of the file argv[1], mapped read-only (munmap them). Exits with
 * status 2 and `usage` unless there are `argc_wanted` arguments, with 5 when
 * the file cannot be mapped. */
unsigned char *map_input(int argc, char **argv, int argc_wanted, const char *usage, size_t *len);

/* Initialises `em` with volpass's settings; its output is the caller's to set. */
int emitter_init(yaml_emitter_t *em);

/* Parses `data`, passing each event to `em` unless it is NULL. Returns 0, or
 * -1 after printing what failed, naming the input `name`. */
int round_trip(const unsigned char *data, size_t len, yaml_emitter_t *em, const char *name);

#endif
