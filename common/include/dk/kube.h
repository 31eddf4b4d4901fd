/*
 * kube: a small Kubernetes REST client over dk_http.
 *
 * A struct dk_kube talks to the cluster of a resolved struct dk_kubeconfig (borrowed: it must
 * outlive the client). It authenticates with the kubeconfig's bearer token, basic credentials
 * and/or client certificate (an exec plugin's token or certificate is refreshed before it
 * expires and once after a 401), verifies TLS with the kubeconfig's CA (written to a private
 * temporary file, removed by dk_kube_release()) against tls-server-name when set, unless
 * insecure-skip-tls-verify is set, and goes through proxy-url when set (http://, https://,
 * socks5://; without it curl's https_proxy/no_proxy variables apply).
 *
 * Objects are addressed by apiVersion + kind; discovery (GET /api, /apis, aggregated discovery
 * when the server offers it, else one document per group-version, fetched when first needed)
 * maps them to a resource name and scope, and is cached for the client's life.
 * Namespaced objects without metadata.namespace use the kubeconfig's namespace.
 *
 * Errors come from the server's Status body: its message as Kubernetes wrote it
 * (`configmaps "x" not found`), with the causes added when the message does not already hold
 * them (`...; spec.x: Invalid value`); a Status without a message gives its reason
 * (`GET /api/v1/... answered 409 Conflict`); a body that is no Status gives the code. Codes:
 * 404 DK_E_NOTFOUND, 401/403 DK_E_AUTH, 400/422 DK_E_INPUT, others (409 conflicts included)
 * DK_E_FAIL; transport failures DK_E_NET. 429 and 5xx answers and failed connections are
 * retried by dk_http with exponential backoff, honouring Retry-After (k->http.opts holds the
 * retry count and first delay). Messages never hold the credentials.
 *
 * Ownership: every cJSON ** out belongs to the caller (cJSON_Delete()); objects passed in are
 * only read. Watch and log callbacks get borrowed data, valid during the call.
 */
#ifndef DK_KUBE_H
#define DK_KUBE_H

#include <cJSON.h>

#include "dk/err.h"
#include "dk/http.h"
#include "dk/kubeconfig.h"

struct dk_kube {
    struct dk_kubeconfig *kc; /* borrowed */
    struct dk_http http;
    char *ca_dir;     /* temporary directory holding the CA file, or NULL */
    char *ca_file;    /* that CA file (from certificate-authority-data), or NULL */
    cJSON *resources; /* discovery cache: {"apps/v1": [{kind, name, namespaced}], ...} */
    int aggregated;   /* the server answered aggregated discovery */
};

/* Options of writes: dryRun=All, fieldManager, and force for server-side apply. */
struct dk_kube_write_opts {
    int dry_run;
    const char *field_manager; /* NULL: none (apply: "dk") */
    int force;                 /* apply only */
    const char *propagation;   /* delete only: Foreground, Background, Orphan; NULL: default */
};

struct dk_kube_list_opts {
    const char *label_selector;
    const char *field_selector;
    long limit;       /* page size; 0: no limit (one page) */
    const char *cont; /* continue token of a page to start at */
    int one_page;     /* stop after one page (its metadata.continue tells where to go on) */
    /* dk_kube_watch only: watch-list (sendInitialEvents=true). The current objects come first
     * as ADDED, then a BOOKMARK for which dk_kube_initial_events_end() is 1, then changes. */
    int send_initial_events;
};

enum dk_kube_patch {
    DK_KUBE_PATCH_MERGE = 0, /* application/merge-patch+json */
    DK_KUBE_PATCH_JSON,      /* application/json-patch+json */
    DK_KUBE_PATCH_STRATEGIC, /* application/strategic-merge-patch+json */
    DK_KUBE_PATCH_APPLY,     /* application/apply-patch+yaml (server-side apply) */
};

/* Sets up the client (no request yet). Returns 0, or -1 with err. Release even on failure. */
int dk_kube_init(struct dk_kube *k, struct dk_kubeconfig *kc, struct dk_err *err);
void dk_kube_release(struct dk_kube *k);

/* Runs discovery now (aggregated when offered) and fills the cache. */
int dk_kube_discover(struct dk_kube *k, struct dk_err *err);
/* The resource name (borrowed, valid for the client's life) and scope of apiVersion + kind.
 * DK_E_NOTFOUND: `no kind "X" in apiVersion "g/v"`. */
int dk_kube_resource(struct dk_kube *k, const char *api_version, const char *kind,
                     const char **resource, int *namespaced, struct dk_err *err);

/* GET one object into *out. ns NULL: the kubeconfig's namespace (ignored when cluster-scoped). */
int dk_kube_get(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                const char *name, cJSON **out, struct dk_err *err);
/* Lists objects into *out (a List whose items hold every page unless o->one_page). ns "" lists
 * across all namespaces. o may be NULL. */
int dk_kube_list(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                 const struct dk_kube_list_opts *o, cJSON **out, struct dk_err *err);
/* POST obj; *out (may be NULL) gets what the server stored. */
int dk_kube_create(struct dk_kube *k, const cJSON *obj, const struct dk_kube_write_opts *o,
                   cJSON **out, struct dk_err *err);
/* PUT obj (its metadata.resourceVersion, when set, is the precondition). */
int dk_kube_update(struct dk_kube *k, const cJSON *obj, const struct dk_kube_write_opts *o,
                   cJSON **out, struct dk_err *err);
/* DELETE one object. */
int dk_kube_delete(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                   const char *name, const struct dk_kube_write_opts *o, struct dk_err *err);
/* PATCH with body (JSON text, or YAML/JSON for APPLY). */
int dk_kube_patch(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                  const char *name, enum dk_kube_patch type, const char *body,
                  const struct dk_kube_write_opts *o, cJSON **out, struct dk_err *err);
/* Server-side apply of obj (fieldManager o->field_manager or "dk", force o->force). A conflict
 * fails with the server's message naming the other managers and fields. */
int dk_kube_apply(struct dk_kube *k, const cJSON *obj, const struct dk_kube_write_opts *o,
                  cJSON **out, struct dk_err *err);

/*
 * Watch callback: type is ADDED, MODIFIED, DELETED or BOOKMARK; obj the object. Return 0 to go
 * on, non-zero to stop the watch (dk_kube_watch then returns 0).
 */
typedef int (*dk_kube_watch_fn)(const char *type, const cJSON *obj, void *ud);

/*
 * Watches objects from resource_version (NULL or "": lists first and starts from the list's
 * version, without reporting the listed objects). Reconnects from the last version seen when
 * the server ends the stream, when the stream breaks and when the server cannot be reached for
 * a while (a few attempts, then DK_E_NET); on 410 Gone, or a server behind our version (a
 * restarted one), lists again and goes on from there. Runs until the callback asks to stop.
 * o may be NULL; its selectors and send_initial_events are used.
 *
 * With o->send_initial_events (watch-list, as client-go's reflectors do): resource_version may
 * be NULL; the callback first gets every current object as ADDED, then the BOOKMARK ending the
 * initial events, then changes. After a 410 the initial events come again (the callback then
 * sees ADDED for objects it knows: it should treat the new set as a replacement). A server
 * that refuses sendInitialEvents (400, 422) gets a LIST instead, reported the same way.
 */
int dk_kube_watch(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                  const struct dk_kube_list_opts *o, const char *resource_version,
                  dk_kube_watch_fn fn, void *ud, struct dk_err *err);

/* 1 when a BOOKMARK object is the one ending a watch-list's initial events (annotation
 * k8s.io/initial-events-end: "true"), else 0. */
int dk_kube_initial_events_end(const cJSON *obj);

/* Lists the core/v1 Events about an object (field selector involvedObject.kind and .name; kind
 * or name NULL: any) in ns (NULL: the kubeconfig's, "": all) into *out, a List whose items are
 * sorted oldest first (lastTimestamp, else eventTime, firstTimestamp, creationTimestamp). */
int dk_kube_events(struct dk_kube *k, const char *ns, const char *kind, const char *name,
                   cJSON **out, struct dk_err *err);

/* Log callback: n bytes of the pod's log; return 0 to go on, non-zero to stop. */
typedef int (*dk_kube_log_fn)(const char *p, size_t n, void *ud);

/* Streams a pod's log (container NULL: the only one), following it when follow is set, until
 * it ends or the callback stops it. */
int dk_kube_logs(struct dk_kube *k, const char *ns, const char *pod, const char *container,
                 int follow, dk_kube_log_fn fn, void *ud, struct dk_err *err);

#endif
