/* Writes N lines "- KEY: [1, 1]" of a YAML sequence whose 8-byte keys all fall
 * in the first 256 slots of a table of 2^18 under the fixed hash strmap.c
 * had before its hash was keyed: loaded with that hash, every key walked
 * past all those before it (2 MB took 32 s). test_hostile.py builds and runs
 * it; with a keyed hash the keys are as good as random.
 *
 *     hash_flood N */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t former_hash(const char *key, size_t len)
{
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    uint64_t h = len * k, w;
    memcpy(&w, key, 8); /* len is 8: one word, no tail */
    h = (h ^ w) * k;
    h ^= h >> 29;
    h *= k;
    return (uint32_t)(h ^ (h >> 32));
}

int main(int argc, char **argv)
{
    long want = argc > 1 ? atol(argv[1]) : 0, found = 0;
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char key[9] = "k";
    uint64_t x = 88172645463325252ULL; /* xorshift64: the same keys every run */
    while (found < want) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t y = x;
        for (int i = 1; i < 8; i++, y /= 62)
            key[i] = alphabet[y % 62];
        if ((former_hash(key, 8) & 0x3FFFF) < 256 && printf("- %s: [1, 1]\n", key) > 0)
            found++;
    }
    return 0;
}
