/*
 * track: follows Kubernetes resources until they are ready or have failed, with kubedog's
 * rules (docs/dk-track.md): Deployments, StatefulSets, DaemonSets, Jobs and Pods by their
 * status counters and conditions, anything else by its conditions or phase-like fields.
 *
 * dk_track_run() resolves what to follow (operands, -f manifests, or release.resources of the
 * document), opens one watch per kind and namespace plus Pods, ReplicaSets and Events of each
 * namespace (dk/kubewatch.h), follows the logs of the resources' containers, prints a progress
 * table, logs and events on stderr, and records the outcome under "track" in the document.
 *
 * The rule functions are pure: they read an object and fill a verdict.
 */
#ifndef DK_TRACK_H
#define DK_TRACK_H

#include <cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "dk/cli.h"
#include "dk/err.h"
#include "dk/pipeline.h"

enum dk_track_state {
    DK_TRACK_WAITING = 0, /* not ready yet (or absent) */
    DK_TRACK_READY,
    DK_TRACK_FAILED,
};

struct dk_track_verdict {
    enum dk_track_state state;
    char info[256]; /* what it waits for ("up-to-date 0->2"), or why it failed */
    long ready;     /* ready replicas (or pods), -1 unknown */
    long want;      /* wanted replicas, -1 unknown */
};

/* The verdict for obj of kind (Deployment, StatefulSet, DaemonSet, Job, Pod; any other kind
 * by the generic condition/phase rules). */
void dk_track_rules(const char *kind, const cJSON *obj, struct dk_track_verdict *v);
void dk_track_deployment(const cJSON *obj, struct dk_track_verdict *v);
void dk_track_statefulset(const cJSON *obj, struct dk_track_verdict *v);
void dk_track_daemonset(const cJSON *obj, struct dk_track_verdict *v);
void dk_track_job(const cJSON *obj, struct dk_track_verdict *v);
void dk_track_pod(const cJSON *obj, struct dk_track_verdict *v);
void dk_track_generic(const cJSON *obj, struct dk_track_verdict *v);

/* A container status that signals failure (waiting ImagePullBackOff, ErrImagePull,
 * CrashLoopBackOff, ErrImageNeverPull): 1 with "<reason>: <message>" in out, else 0. */
int dk_track_container_failure(const cJSON *container_status, char *out, size_t n);

/* What an Event means for tracking. */
enum dk_track_event {
    DK_TRACK_EV_INFO = 0,  /* nothing wrong */
    DK_TRACK_EV_FAILURE,   /* a Failed* reason (not RecreatingFailedPod, FailedDelete) */
    DK_TRACK_EV_READINESS, /* "Readiness probe failed: ..." */
    DK_TRACK_EV_RESTART,   /* a startup or liveness probe failed and the container restarts */
};
enum dk_track_event dk_track_event_class(const cJSON *event);

/* Seconds from a container's start during which its readiness probe failures are ignored
 * (kubedog's window, from the readiness and startup probes of the container spec); 0 when
 * there is no readiness probe or its failureThreshold is 1. */
double dk_track_probe_ignore(const cJSON *container);

/* A Go-style duration ("90s", "1m30s", "500ms", "2h"; a bare number is seconds) in seconds;
 * -1 when malformed. */
double dk_track_duration(const char *s);

struct dk_track_opts {
    struct dk_strlist targets; /* KIND/NAME operands */
    struct dk_strlist files;   /* -f: manifest files, "-" for standard input */
    const char *ns;            /* -n; NULL: the kubeconfig's */
    const char *kubeconfig;
    const char *context;
    const char *timeout;       /* overall limit; NULL/"0": none */
    const char *status_period; /* progress lines when stderr is no terminal; default 5s */
    int no_logs;               /* no container logs */
    FILE *progress;            /* where the table, logs and events go; NULL: stderr */
};

void dk_track_opts_init(struct dk_track_opts *o);
void dk_track_opts_release(struct dk_track_opts *o);

/* Follows everything asked for until all is ready (0), something failed or time ran out (-1,
 * DK_E_FAIL), or the input is bad (-1, DK_E_INPUT/DK_E_USAGE). Writes doc's "track". */
int dk_track_run(const struct dk_track_opts *o, struct dk_doc *doc, struct dk_err *err);

#endif
