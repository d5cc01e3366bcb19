#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* Eight bytes at a time (the text of a large workflow is hashed once per
 * scalar when interned), each mixed by a multiply and a shift. */
static uint32_t hash(const char *key, size_t len)
{
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    uint64_t h = len * k;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, key + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    memcpy(&tail, key + i, len - i);
    h = (h ^ tail) * k;
    return (uint32_t)(h ^ (h >> 32));
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
