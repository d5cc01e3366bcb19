/* What volpass knows of Kubernetes' volume sources: which ones exist, which
 * give pods storage they share, which settings Kubernetes requires of them
 * and refuses in them, and volume names. For --volume and for the volumes a
 * workflow declares alike. */
#ifndef VP_VOLUMES_H
#define VP_VOLUMES_H

#include <stdbool.h>

#include "arena.h"
#include "doc.h"

/* When a volume source (a spec.volumes entry or --volume) gives each pod
 * its own storage (emptyDir, configMap, secret, ...) or one node's
 * (hostPath), the name of that kind; NULL for storage pods can share. */
const char *volume_private_kind(const node *volume);

/* The source, when it is storage that one node at a time attaches to
 * write (a cloud disk, a block device: awsElasticBlockStore, rbd...);
 * NULL otherwise. */
const char *volume_one_node_kind(const node *volume);

/* Whether the source is made for each pod by a driver, which may or may
 * not share what it holds (an inline csi volume). */
bool volume_made_per_pod(const node *volume);

/* Whether name is a Kubernetes volume name: a DNS-1123 label (at most 63
 * lowercase letters, digits and '-', starting and ending with neither '-'). */
bool volume_name_valid(const char *name);

/* The setting ("persistentVolumeClaim.claimName") Kubernetes requires of
 * the volume's source that it lacks, leaves empty or gives another type
 * (volume_setting_type), or NULL. */
const char *volume_source_lacks(const node *volume);

/* What tells the storage behind a volume apart, so that two volumes of one
 * claim (or nfs server, ...) under two names count as one: a key, in mem,
 * made of its kind and the settings that name its storage (claimName;
 * server; monitors), or for other kinds all its settings but readOnly; a
 * volume with no source (an emptyDir) by its name. NULL when out of
 * memory. *root receives the directory of that storage the volume shows (an
 * nfs or cephfs path, normalised and relative), "" for all of it. */
const char *volume_storage(arena *mem, const node *volume, const char **root);

/* What Kubernetes refuses in a setting the volume's source has, or NULL:
 * an nfs path that is not absolute, a csi driver that is not a driver's
 * name (a DNS-1123 subdomain of at most 63 characters, in any case). */
const char *volume_source_invalid(const node *volume);

/* What such a setting must be: "a string", or "a list" (monitors). */
const char *volume_setting_type(const char *setting);

/* Whether Argo gives pods a volume of this name of its own (every pod:
 * var-run-argo, tmp-dir-argo, input-artifacts, argo-staging; some:
 * exec-sa-token, kubeconfig, argo-env-config, argoexec-bin), which then
 * stands where the workflow's volume of that name would. */
bool volume_name_reserved(const char *name);

/* "an" before a volume kind that starts with a vowel (an emptyDir), else "a". */
const char *volume_kind_article(const char *kind);

/* Whether `key` is one of Kubernetes' volume sources (persistentVolumeClaim,
 * nfs, emptyDir, ...). */
bool volume_source_known(const char *key);

/* The source a volume (a spec.volumes entry or --volume) names, or NULL when
 * it names none Kubernetes knows (or only with null settings, which
 * Kubernetes drops): Kubernetes then gives it an emptyDir. */
const char *volume_source_kind(const node *volume);

/* When a volume source mounts its storage read-only for every pod
 * (persistentVolumeClaim: {readOnly: true}, nfs, csi, ...), the name of that
 * kind: no producer can write there. NULL otherwise. */
const char *volume_read_only_kind(const node *volume);

/* What first makes a volume that names one source unfit to pass artifacts
 * between pods, as --volume and verify both judge it, in this order. */
typedef enum volume_fault {
    VOLUME_FIT,
    VOLUME_LACKS,    /* a setting Kubernetes requires: *what is it (volume_source_lacks) */
    VOLUME_INVALID,  /* a setting Kubernetes refuses: *what says why (volume_source_invalid) */
    VOLUME_PRIVATE,  /* storage each pod or node has for itself, when `shared` is asked: *what is its kind */
    VOLUME_READ_ONLY /* read-only for every pod: *what is its kind */
} volume_fault;

volume_fault volume_unfit(const node *volume, bool shared, const char **what);

#endif
