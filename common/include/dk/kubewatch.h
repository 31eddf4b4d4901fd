/*
 * kubewatch: many Kubernetes streams at once — watches and followed pod logs — driven by one
 * event loop, for tools that follow a cluster (dk-track) without a thread per stream.
 *
 * A struct dk_kubewatch borrows a struct dk_kube (its kubeconfig, credentials and discovery)
 * and runs its own HTTP multi handle (same CA, tls-server-name, proxy-url, token, basic or
 * client certificate as the client), so the client's synchronous calls (dk_kube_get, _list,
 * _logs) may be made from inside the callbacks below.
 *
 * Watches start from the present state: every existing object arrives first as ADDED, then
 * the changes. When the server ends the stream the watch goes on from the last resourceVersion
 * seen; on 410 Gone it starts again from the present (every object comes again as ADDED).
 * Transport failures are retried after a second. Log streams deliver whole lines.
 *
 * Ownership: callbacks get borrowed data, valid during the call. Callbacks may add and cancel
 * streams.
 */
#ifndef DK_KUBEWATCH_H
#define DK_KUBEWATCH_H

#include <cJSON.h>

#include "dk/buf.h"
#include "dk/err.h"
#include "dk/http.h"
#include "dk/kube.h"

/* A watch event: type ADDED, MODIFIED or DELETED (bookmarks are kept inside). */
typedef void (*dk_kubewatch_event_fn)(const char *type, const cJSON *obj, void *ud);
/* One line of a log (without its newline). */
typedef void (*dk_kubewatch_line_fn)(const char *line, size_t n, void *ud);
/* A log stream ended: status is the HTTP status (0 on a transport failure, with err). */
typedef void (*dk_kubewatch_end_fn)(long status, const struct dk_err *err, void *ud);

struct dk_kubewatch_stream;

struct dk_kubewatch {
    struct dk_kube *k; /* borrowed */
    struct dk_http http;
    struct dk_kubewatch_stream *streams;
    int next_id;
    int stop;
};

/* Sets up the loop over k's cluster. Release even on failure. */
int dk_kubewatch_init(struct dk_kubewatch *w, struct dk_kube *k, struct dk_err *err);
void dk_kubewatch_release(struct dk_kubewatch *w);

/* The collection path of apiVersion + kind in ns ("" or NULL: all namespaces, or a
 * cluster-scoped kind), e.g. "/apis/apps/v1/namespaces/web/deployments", appended to out. */
int dk_kubewatch_path(struct dk_kube *k, const char *api_version, const char *kind, const char *ns,
                      struct dk_buf *out, struct dk_err *err);

/* Watches the collection at path (see dk_kubewatch_path; a query may follow). Returns the
 * stream's id (> 0). */
int dk_kubewatch_add(struct dk_kubewatch *w, const char *path, dk_kubewatch_event_fn fn, void *ud);

/* Follows a container's log from its start. end (may be NULL) runs once when the stream is
 * over (the container stopped, the pod is gone, or an error answer such as 400 for a
 * container still waiting to start). Returns the stream's id. */
int dk_kubewatch_logs(struct dk_kubewatch *w, const char *ns, const char *pod,
                      const char *container, dk_kubewatch_line_fn line, dk_kubewatch_end_fn end,
                      void *ud);

/* Stops a stream: no callback of it runs any more. */
void dk_kubewatch_cancel(struct dk_kubewatch *w, int id);

/* Runs the streams until dk_kubewatch_stop(). tick (may be NULL) runs about ten times a
 * second. Returns 0, or -1 when the HTTP machinery itself failed. */
int dk_kubewatch_run(struct dk_kubewatch *w, void (*tick)(void *ud), void *ud, struct dk_err *err);
void dk_kubewatch_stop(struct dk_kubewatch *w);

#endif
