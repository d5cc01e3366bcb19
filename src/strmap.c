#define _GNU_SOURCE /* getrandom */
#include "strmap.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* ---- the hash: SipHash-1-3 under a key drawn once per process ----------
 *
 * Keys come from the input, and linear probing degrades to a walk of the
 * whole table when many keys share their low hash bits: with a fixed hash,
 * 60,000 such keys (1 MB) took 8 s to load. SipHash, keyed with a secret
 * random key, is a pseudo-random function: without the key no input can aim
 * at collisions (Redis, Python and Rust hash their tables so). One
 * compression round per 8 bytes and three to finish (SipHash-1-3), as
 * Python and Rust use for tables, where SipHash-2-4 aims at MACs. Words are
 * read in the machine's byte order: a table needs no portable value. */

static uint64_t sip_key[2];
static pthread_once_t sip_key_once = PTHREAD_ONCE_INIT;

static void draw_sip_key(void)
{
    if (getrandom(sip_key, sizeof sip_key, 0) == (ssize_t)sizeof sip_key)
        return;
    /* No entropy source (a sandbox without the system call): unknown enough
     * to an input's author, though not secret. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    sip_key[0] = (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 32) ^ (uint64_t)(uintptr_t)&now;
    sip_key[1] = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)sip_key ^ 0x9E3779B97F4A7C15ULL;
}

static inline uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

#define SIP_ROUND(v0, v1, v2, v3)                                                                                  \
    do {                                                                                                           \
        v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);                                                \
        v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;                                                                   \
        v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;                                                                   \
        v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);                                                \
    } while (0)

static uint32_t hash(const char *key, size_t len)
{
    uint64_t v0 = sip_key[0] ^ 0x736f6d6570736575ULL, v1 = sip_key[1] ^ 0x646f72616e646f6dULL;
    uint64_t v2 = sip_key[0] ^ 0x6c7967656e657261ULL, v3 = sip_key[1] ^ 0x7465646279746573ULL;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t m;
        memcpy(&m, key + i, 8);
        v3 ^= m;
        SIP_ROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    uint64_t last = (uint64_t)len << 56;
    for (size_t b = 0; i + b < len; b++)
        last |= (uint64_t)(unsigned char)key[i + b] << (8 * b);
    v3 ^= last;
    SIP_ROUND(v0, v1, v2, v3);
    v0 ^= last;
    v2 ^= 0xff;
    SIP_ROUND(v0, v1, v2, v3);
    SIP_ROUND(v0, v1, v2, v3);
    SIP_ROUND(v0, v1, v2, v3);
    uint64_t h = v0 ^ v1 ^ v2 ^ v3;
    return (uint32_t)(h ^ (h >> 32));
}

void strmap_init(strmap *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
}

void strmap_free(strmap *m)
{
    free(m->slots);
    strmap_init(m);
}

/* The slot holding key, or the empty one where it would go. */
static strmap_slot *find(const strmap *m, const char *key, size_t len, uint32_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        strmap_slot *s = &m->slots[i];
        if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
            return s;
    }
}

void *strmap_get(const strmap *m, const char *key, size_t len)
{
    if (m->count == 0)
        return NULL;
    strmap_slot *s = find(m, key, len, hash(key, len));
    return s->key ? s->value : NULL;
}

static int grow(strmap *m)
{
    if (!m->cap) /* a map's first key: nothing is hashed before one (strmap_get of an empty map returns at once) */
        pthread_once(&sip_key_once, draw_sip_key);
    size_t cap = m->cap ? m->cap * 2 : 16;
    strmap_slot *old = m->slots;
    size_t old_cap = m->cap;
    m->slots = calloc(cap, sizeof *m->slots);
    if (!m->slots) {
        m->slots = old;
        return -1;
    }
    m->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key) /* no key is equal to another: only the hash decides where it goes */
            for (size_t j = old[i].hash & (cap - 1);; j = (j + 1) & (cap - 1))
                if (!m->slots[j].key) {
                    m->slots[j] = old[i];
                    break;
                }
    free(old);
    return 0;
}

int strmap_put(strmap *m, const char *key, size_t len, void *value)
{
    /* Keep the load factor under 1/2 so probe runs stay short. */
    if (len > UINT32_MAX || (2 * (m->count + 1) > m->cap && grow(m) != 0))
        return -1;
    uint32_t h = hash(key, len);
    strmap_slot *s = find(m, key, len, h);
    if (!s->key) {
        s->key = key;
        s->len = (uint32_t)len;
        s->hash = h;
        m->count++;
    }
    s->value = value;
    return 0;
}
