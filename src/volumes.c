/* Kubernetes' volume sources: see volumes.h. */
#include <stdio.h>
#include <string.h>

#include "paths.h"
#include "scalar.h"
#include "volumes.h"

/* Kubernetes' volume sources (VolumeSource's fields). */
static const char *const volume_sources[] = {
    "persistentVolumeClaim", "nfs", "cephfs", "csi", "azureFile", "glusterfs", "iscsi", "rbd", "fc", "flexVolume",
    "cinder", "vsphereVolume", "azureDisk", "portworxVolume", "quobyte", "scaleIO", "storageos", "flocker",
    "photonPersistentDisk", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "image", "emptyDir",
    "configMap", "secret", "downwardAPI", "projected", "ephemeral", "hostPath", NULL};

/* The settings Kubernetes requires of the shared storage sources, each as
 * "source.setting" (the rest are checked by Kubernetes alone). */
static const char *const required_settings[] = {
    "persistentVolumeClaim.claimName", "nfs.server", "nfs.path", "csi.driver", "cephfs.monitors",
    "glusterfs.endpoints", "glusterfs.path", "azureFile.secretName", "azureFile.shareName", "iscsi.targetPortal",
    "iscsi.iqn", "rbd.monitors", "rbd.image", "flexVolume.driver", "quobyte.registry", "quobyte.volume",
    "cinder.volumeID", "vsphereVolume.volumePath", "azureDisk.diskName", "azureDisk.diskURI",
    "portworxVolume.volumeID", "gcePersistentDisk.pdName", "awsElasticBlockStore.volumeID", NULL};

/* The settings that name a directory of the storage, which a volume shows
 * as its root, rather than the storage itself. */
static const char *const root_settings[] = {"nfs.path", "cephfs.path", NULL};

/* Whether a required setting is a list (cephfs's and rbd's monitors); the others are strings. */
static bool setting_is_list(const char *setting)
{
    const char *dot = strrchr(setting, '.');
    return dot && strcmp(dot, ".monitors") == 0;
}

const char *volume_setting_type(const char *setting)
{
    return setting_is_list(setting) ? "a list" : "a string";
}

const char *volume_source_lacks(const node *volume)
{
    const char *kind = volume_source_kind(volume);
    size_t n = kind ? strlen(kind) : 0;
    for (const char *const *r = required_settings; kind && *r; r++) {
        if (strncmp(*r, kind, n) != 0 || (*r)[n] != '.')
            continue;
        const node *v = map_get(map_get(volume, kind), *r + n + 1);
        bool list = setting_is_list(*r);
        if (!v || v->len == 0 || v->kind != (list ? NODE_SEQUENCE : NODE_SCALAR) ||
            (!list && scalar_resolve(v) != SCALAR_STR))
            return *r; /* empty, as Kubernetes reads it, or a type it refuses (claimName: 123) */
    }
    return NULL;
}

/* The settings that name the storage of a volume of these kinds, when
 * they alone do: the others (readOnly, a user, a secret) change how pods
 * reach it, not which it is. A volume of another kind shows the storage
 * all its settings but readOnly name. */
static const char *const storage_settings[] = {"persistentVolumeClaim.claimName", "nfs.server", "cephfs.monitors",
                                               NULL};

/* Writes node n as text into out (when not NULL) and returns its length:
 * a scalar as its length, ':' and its text; a collection's entries in
 * brackets. Two nodes give the same text when they hold the same. A key
 * `skip` of a mapping is left out, with its value. */
static size_t canonical(const node *n, const char *skip, char *out)
{
    if (!n)
        return 0;
    if (n->kind == NODE_SCALAR) {
        char head[24];
        size_t h = (size_t)snprintf(head, sizeof head, "%zu:", (size_t)n->len);
        if (out) {
            memcpy(out, head, h);
            memcpy(out + h, n->as.text, n->len);
        }
        return h + n->len;
    }
    bool map = n->kind == NODE_MAPPING;
    size_t len = 1, slots = node_slots(n);
    if (out)
        out[0] = map ? '{' : '[';
    for (size_t i = 0; i < slots; i++) {
        if (map && i % 2 == 0 && skip && scalar_is(n->as.items[i], skip)) {
            i++;
            continue;
        }
        len += canonical(n->as.items[i], NULL, out ? out + len : NULL);
    }
    if (out)
        out[len] = map ? '}' : ']';
    return len + 1;
}

/* Appends node n (canonical, leaving out `skip`) to key `key`, after a line break. */
static const char *key_add(arena *mem, const char *key, const node *n, const char *skip)
{
    size_t had = key ? strlen(key) : 0, len = canonical(n, skip, NULL);
    char *grown = key ? arena_alloc(mem, had + 1 + len + 1) : NULL;
    if (!grown)
        return NULL;
    memcpy(grown, key, had);
    grown[had] = '\n';
    canonical(n, skip, grown + had + 1);
    grown[had + 1 + len] = '\0';
    return grown;
}

const char *volume_storage(arena *mem, const node *volume, const char **root)
{
    *root = "";
    const char *kind = volume_source_kind(volume);
    if (!kind) /* an emptyDir, which no other volume shows */
        return key_add(mem, "volume", map_get(volume, "name"), NULL);
    const node *source = map_get(volume, kind);
    size_t n = strlen(kind);
    const char *key = kind;
    bool named = false;
    for (const char *const *s = storage_settings; *s; s++)
        if (strncmp(*s, kind, n) == 0 && (*s)[n] == '.') {
            key = key_add(mem, key, map_get(source, *s + n + 1), NULL);
            named = true;
        }
    if (!named)
        key = key_add(mem, key, source, "readOnly");
    for (const char *const *r = root_settings; key && *r; r++) {
        const node *dir = strncmp(*r, kind, n) == 0 && (*r)[n] == '.' ? map_get(source, *r + n + 1) : NULL;
        if (dir && dir->kind == NODE_SCALAR) {
            char *path = arena_strndup(mem, dir->as.text, dir->len);
            if (!path)
                return NULL;
            path_normalize(path);
            *root = path + (*path == '/');
        }
    }
    return key;
}

const char *volume_source_invalid(const node *volume)
{
    const node *nfs = map_get(map_get(volume, "nfs"), "path");
    if (nfs && nfs->kind == NODE_SCALAR && path_is_relative(nfs->as.text))
        return "nfs.path must be an absolute path";
    const node *driver = map_get(map_get(volume, "csi"), "driver");
    if (driver && driver->kind == NODE_SCALAR) {
#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        const char *d = driver->as.text;
        size_t len = driver->len;
        if (len == 0 || len > 63 || strspn(d, ALNUM "-.") != len || !strchr(ALNUM, d[0]) ||
            !strchr(ALNUM, d[len - 1]) || strstr(d, "..") || strstr(d, ".-") || strstr(d, "-."))
            return "csi.driver must be a driver's name: at most 63 letters, digits, '-' and '.', starting and "
                   "ending with a letter or digit";
#undef ALNUM
    }
    return NULL;
}

bool volume_name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 63 || name[0] == '-' || name[len - 1] == '-')
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

bool volume_name_reserved(const char *name)
{
    /* every pod's; then those of some: a service account's token, a kubeconfig, the executor's settings and
     * binary (workflow/common/common.go, workflow/controller/workflowpod.go) */
    static const char *const argos[] = {"var-run-argo", "tmp-dir-argo", "input-artifacts", "argo-staging",
                                        "exec-sa-token", "kubeconfig", "argo-env-config", "argoexec-bin", NULL};
    for (const char *const *a = argos; *a; a++)
        if (strcmp(*a, name) == 0)
            return true;
    return false;
}

const char *volume_kind_article(const char *kind)
{
    return strchr("aeiouAEIOU", kind[0]) && kind[0] ? "an" : "a";
}

bool volume_source_known(const char *key)
{
    for (const char *const *k = volume_sources; *k; k++)
        if (strcmp(*k, key) == 0)
            return true;
    return false;
}

const char *volume_source_kind(const node *volume)
{
    for (size_t i = 0; volume && volume->kind == NODE_MAPPING && i < volume->len; i++)
        if (map_key(volume, i)->kind == NODE_SCALAR && volume_source_known(map_key(volume, i)->as.text) &&
            map_value(volume, i)->kind == NODE_MAPPING) /* a null source is none */
            return map_key(volume, i)->as.text;
    return NULL;
}

const char *volume_private_kind(const node *volume)
{
    static const char *const private_kinds[] = {"emptyDir", "configMap", "secret", "downwardAPI", "projected",
                                                "ephemeral", "hostPath", "gitRepo", "image", NULL};
    for (const char *const *k = private_kinds; *k; k++)
        if (map_get(volume, *k))
            return *k;
    return NULL;
}

const char *volume_one_node_kind(const node *volume)
{
    static const char *const one_node_kinds[] = {"awsElasticBlockStore", "gcePersistentDisk", "azureDisk", "rbd",
                                                 "iscsi", "fc", "cinder", "vsphereVolume", "photonPersistentDisk",
                                                 "scaleIO", "flocker", NULL};
    for (const char *const *k = one_node_kinds; *k; k++)
        if (map_get(volume, *k))
            return *k;
    return NULL;
}

bool volume_made_per_pod(const node *volume)
{
    return map_get(volume, "csi") != NULL;
}

const char *volume_read_only_kind(const node *volume)
{
    for (size_t i = 0; volume && volume->kind == NODE_MAPPING && i < volume->len; i++)
        if (map_key(volume, i)->kind == NODE_SCALAR && scalar_is_true(map_get(map_value(volume, i), "readOnly")))
            return map_key(volume, i)->as.text;
    return NULL;
}

volume_fault volume_unfit(const node *volume, bool shared, const char **what)
{
    if ((*what = volume_source_lacks(volume)))
        return VOLUME_LACKS;
    if ((*what = volume_source_invalid(volume)))
        return VOLUME_INVALID;
    if (shared && (*what = volume_private_kind(volume)))
        return VOLUME_PRIVATE;
    if ((*what = volume_read_only_kind(volume)))
        return VOLUME_READ_ONLY;
    return VOLUME_FIT;
}
