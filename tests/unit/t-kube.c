/* Tests of common/kube.c against the Kubernetes API emulator (tests/kube-emulator). They need
 * a running emulator: tests/bats/kube-client.bats starts one and runs this program with
 * KUBECONFIG_TEST set to its kubeconfig ("-": found as tools find it, KUBECONFIG etc.);
 * without it every test is skipped. T_KUBE_ONLY=basic runs namespace, discovery and CRUD only;
 * T_KUBE_ONLY=restart the watch across a restart (T_KUBE_RESTART, T_KUBE_RESTART_RV);
 * T_KUBE_EXPECT_FAIL=TEXT checks that the first request fails with TEXT and without
 * T_KUBE_SECRET in the message. */
#include "dk/kube.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dk/http.h"
#include "dk/json.h"
#include "dk/log.h"

#include "tap.h"

#define NS "t-kube"

static cJSON *parse(const char *text)
{
    cJSON *j = NULL;
    struct dk_err err = DK_ERR_INIT;

    if (dk_json_parse(text, strlen(text), "test", &j, &err) < 0)
        printf("# %s\n", err.msg);
    return j;
}

static void test_discovery(struct dk_kube *k)
{
    struct dk_err err = DK_ERR_INIT;
    const char *res = NULL;
    int namespaced = -1;

    ok(dk_kube_discover(k, &err) == 0, "kube: discovery (%s)", err.msg);
    printf("# aggregated discovery: %s\n", k->aggregated ? "yes" : "no");
    ok(dk_kube_resource(k, "apps/v1", "Deployment", &res, &namespaced, &err) == 0,
       "kube: Deployment found (%s)", err.msg);
    is_str(res, "deployments", "kube: Deployment is deployments");
    is_int(namespaced, 1, "kube: deployments.apps are namespaced");
    ok(dk_kube_resource(k, "v1", "Namespace", &res, &namespaced, &err) == 0,
       "kube: Namespace found (%s)", err.msg);
    is_str(res, "namespaces", "kube: Namespace is namespaces");
    is_int(namespaced, 0, "kube: namespaces are cluster-scoped");
    ok(dk_kube_resource(k, "v1", "Nonsense", &res, &namespaced, &err) < 0 &&
           err.code == DK_E_NOTFOUND,
       "kube: unknown kind (%s)", err.msg);
}

static void test_crud(struct dk_kube *k)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_kube_write_opts wo = {0, NULL, 0, NULL};
    cJSON *cm = parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                      "\"one\",\"namespace\":\"" NS "\",\"labels\":{\"app\":\"t\"}},"
                      "\"data\":{\"a\":\"1\"}}");
    cJSON *got = NULL, *upd = NULL, *stale, *list = NULL;
    struct dk_kube_list_opts lo = {.label_selector = "app=t"};
    char *old_rv;

    ok(dk_kube_create(k, cm, &wo, &got, &err) == 0, "kube: create a ConfigMap (%s)", err.msg);
    cJSON_Delete(got);
    got = NULL;
    ok(dk_kube_get(k, "v1", "ConfigMap", NS, "one", &got, &err) == 0, "kube: get it (%s)", err.msg);
    is_str(dk_json_str(cJSON_GetObjectItemCaseSensitive(got, "data"), "a"), "1",
           "kube: get returns the data");
    old_rv = dk_xstrdup(
        dk_json_str(cJSON_GetObjectItemCaseSensitive(got, "metadata"), "resourceVersion"));
    stale = cJSON_Duplicate(got, 1);
    dk_json_set_str(dk_json_obj(got, "data"), "a", "2");
    ok(dk_kube_update(k, got, &wo, &upd, &err) == 0, "kube: update with resourceVersion (%s)",
       err.msg);
    ok(strcmp(dk_json_str(cJSON_GetObjectItemCaseSensitive(upd, "metadata"), "resourceVersion"),
              old_rv) != 0,
       "kube: update moves the resourceVersion");
    dk_json_set_str(dk_json_obj(stale, "data"), "a", "3");
    ok(dk_kube_update(k, stale, &wo, NULL, &err) < 0, "kube: stale update fails");
    ok(strstr(err.msg, "Operation cannot be fulfilled on configmaps \"one\"") != NULL,
       "kube: conflict message (%s)", err.msg);
    cJSON_Delete(got);
    cJSON_Delete(upd);
    cJSON_Delete(stale);
    got = upd = NULL;
    free(old_rv);

    ok(dk_kube_patch(k, "v1", "ConfigMap", NS, "one", DK_KUBE_PATCH_MERGE,
                     "{\"data\":{\"b\":\"x\"}}", &wo, &got, &err) == 0,
       "kube: merge patch (%s)", err.msg);
    is_str(dk_json_str(cJSON_GetObjectItemCaseSensitive(got, "data"), "b"), "x",
           "kube: merge patch added a key");
    is_str(dk_json_str(cJSON_GetObjectItemCaseSensitive(got, "data"), "a"), "2",
           "kube: merge patch kept the others");
    cJSON_Delete(got);
    got = NULL;

    ok(dk_kube_list(k, "v1", "ConfigMap", NS, &lo, &list, &err) == 0, "kube: list (%s)", err.msg);
    is_int(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(list, "items")), 1,
           "kube: label selector finds one");
    cJSON_Delete(list);
    list = NULL;
    lo.label_selector = "app=none";
    ok(dk_kube_list(k, "v1", "ConfigMap", NS, &lo, &list, &err) == 0 &&
           cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(list, "items")) == 0,
       "kube: label selector finds none");
    cJSON_Delete(list);

    wo.dry_run = 1;
    ok(dk_kube_delete(k, "v1", "ConfigMap", NS, "one", &wo, &err) == 0, "kube: dry-run delete");
    ok(dk_kube_get(k, "v1", "ConfigMap", NS, "one", &got, &err) == 0,
       "kube: still there after a dry run");
    cJSON_Delete(got);
    got = NULL;
    wo.dry_run = 0;
    wo.propagation = "Background";
    ok(dk_kube_delete(k, "v1", "ConfigMap", NS, "one", &wo, &err) == 0, "kube: delete (%s)",
       err.msg);
    ok(dk_kube_get(k, "v1", "ConfigMap", NS, "one", &got, &err) < 0, "kube: get after delete");
    is_int(err.code, DK_E_NOTFOUND, "kube: not found code");
    is_str(err.msg, "configmaps \"one\" not found", "kube: Kubernetes' message");
    cJSON_Delete(cm);
}

static void test_pages(struct dk_kube *k)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_kube_list_opts lo = {.label_selector = "page=yes", .limit = 2};
    cJSON *list = NULL;
    int i, okc = 1;

    for (i = 0; i < 5; i++) {
        char *t = dk_xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{"
                               "\"name\":\"p%d\",\"namespace\":\"" NS "\",\"labels\":{\"page\":"
                               "\"yes\"}}}",
                               i);
        cJSON *o = parse(t);

        okc &= dk_kube_create(k, o, NULL, NULL, &err) == 0;
        cJSON_Delete(o);
        free(t);
    }
    ok(okc, "kube: five ConfigMaps created");
    ok(dk_kube_list(k, "v1", "ConfigMap", NS, &lo, &list, &err) == 0, "kube: paged list (%s)",
       err.msg);
    is_int(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(list, "items")), 5,
           "kube: pages of 2 joined");
    cJSON_Delete(list);
    lo.one_page = 1;
    ok(dk_kube_list(k, "v1", "ConfigMap", NS, &lo, &list, &err) == 0 &&
           cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(list, "items")) == 2 &&
           dk_json_str(cJSON_GetObjectItemCaseSensitive(list, "metadata"), "continue"),
       "kube: one page has 2 and a continue token");
    cJSON_Delete(list);
}

static void test_apply(struct dk_kube *k)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_kube_write_opts a = {0, "mgr-a", 0, NULL}, b = {0, "mgr-b", 0, NULL};
    cJSON *o1 = parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                      "\"ssa\",\"namespace\":\"" NS "\"},\"data\":{\"k\":\"a\"}}");
    cJSON *o2 = parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                      "\"ssa\",\"namespace\":\"" NS "\"},\"data\":{\"k\":\"b\"}}");
    cJSON *got = NULL;

    ok(dk_kube_apply(k, o1, &a, NULL, &err) == 0, "kube: apply by mgr-a (%s)", err.msg);
    ok(dk_kube_apply(k, o2, &b, NULL, &err) < 0, "kube: apply by mgr-b conflicts");
    ok(strstr(err.msg, "Apply failed with 1 conflict") && strstr(err.msg, "mgr-a") &&
           strstr(err.msg, ".data.k"),
       "kube: conflict names the manager and field (%s)", err.msg);
    b.force = 1;
    ok(dk_kube_apply(k, o2, &b, &got, &err) == 0, "kube: force wins (%s)", err.msg);
    is_str(dk_json_str(cJSON_GetObjectItemCaseSensitive(got, "data"), "k"), "b",
           "kube: forced value stored");
    cJSON_Delete(got);
    cJSON_Delete(o1);
    cJSON_Delete(o2);
}

struct seen {
    const char *name;
    int added, deleted;
};

static int on_event(const char *type, const cJSON *obj, void *ud)
{
    struct seen *s = ud;
    const char *name = dk_json_str(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "name");

    if (!name || strcmp(name, s->name) != 0)
        return 0;
    if (strcmp(type, "ADDED") == 0)
        s->added++;
    if (strcmp(type, "DELETED") == 0)
        s->deleted++;
    return s->deleted > 0;
}

/* Watches NS from rv (NULL: now) while a child creates and deletes ConfigMap name. */
static void test_watch(struct dk_kube *k, struct dk_kubeconfig *kc, const char *rv,
                       const char *name, const char *what)
{
    struct dk_err err = DK_ERR_INIT;
    struct seen s = {name, 0, 0};
    pid_t pid;
    int status;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        /* the child makes the changes with a client of its own */
        struct dk_kube k2;
        char *t = dk_xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{"
                               "\"name\":\"%s\",\"namespace\":\"" NS "\"}}",
                               name);
        cJSON *o = parse(t);
        int rc = 1;

        free(t);
        sleep(1);
        if (dk_kube_init(&k2, kc, &err) == 0 && dk_kube_create(&k2, o, NULL, NULL, &err) == 0 &&
            dk_kube_delete(&k2, "v1", "ConfigMap", NS, name, NULL, &err) == 0)
            rc = 0;
        if (rc)
            fprintf(stderr, "child: %s\n", err.msg);
        cJSON_Delete(o);
        dk_kube_release(&k2);
        _exit(rc);
    }
    alarm(30);
    ok(dk_kube_watch(k, "v1", "ConfigMap", NS, NULL, rv, on_event, &s, &err) == 0,
       "kube: %s: watch ends when the callback says (%s)", what, err.msg);
    alarm(0);
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "kube: %s: the child made its changes", what);
    is_int(s.added, 1, "kube: %s: watch saw ADDED", what);
    is_int(s.deleted, 1, "kube: %s: watch saw DELETED", what);
}

/* A test-only request to the emulator (/emulator/...); returns the status, 0 on failure. */
static long emulator(struct dk_kube *k, const char *method, const char *path, const char *body)
{
    struct dk_http_req req;
    struct dk_http_resp resp;
    struct dk_err err = DK_ERR_INIT;
    char *url = dk_xasprintf("%s%s", k->kc->server, path);
    char *auth = dk_xasprintf("Authorization: Bearer %s", k->kc->token ? k->kc->token : "");
    const char *hdrs[] = {auth, "Content-Type: application/json", NULL};
    long status = 0;

    memset(&req, 0, sizeof(req));
    req.method = method;
    req.url = url;
    req.headers = hdrs;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    if (k->kc->cert_data.len && k->kc->key_data.len) {
        req.cert_pem = k->kc->cert_data.buf;
        req.cert_len = k->kc->cert_data.len;
        req.key_pem = k->kc->key_data.buf;
        req.key_len = k->kc->key_data.len;
    }
    dk_http_resp_init(&resp);
    if (dk_http_do(&k->http, &req, &resp, &err) == 0)
        status = resp.status;
    else
        printf("# %s\n", err.msg);
    dk_http_resp_release(&resp);
    free(auth);
    free(url);
    return status;
}

/* The emulator forgets its watch history: resuming from an old version then gets 410. */
static void compact(struct dk_kube *k)
{
    long st = emulator(k, "POST", "/emulator/compact", NULL);

    ok(st == 200, "kube: emulator compacted its history (%ld)", st);
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static cJSON *make_cm(struct dk_kube *k, const char *name)
{
    char *t = dk_xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{"
                           "\"name\":\"%s\",\"namespace\":\"" NS "\"},\"data\":{\"k\":\"v\"}}",
                           name);
    cJSON *o = parse(t), *got = NULL;
    struct dk_err err = DK_ERR_INIT;

    if (dk_kube_create(k, o, NULL, &got, &err) < 0)
        printf("# create %s: %s\n", name, err.msg);
    cJSON_Delete(got);
    free(t);
    return o;
}

/* 429 and 5xx answers are retried, Retry-After honoured; the last answer's Status is the
 * error once the retries are spent. */
static void test_retries(struct dk_kube *k)
{
    struct dk_err err = DK_ERR_INIT;
    cJSON *o = make_cm(k, "retry"), *got = NULL;
    long t0, ms, saved_backoff = k->http.opts.backoff_ms;
    int saved_retries = k->http.opts.retries;

    ok(emulator(k, "POST", "/emulator/faults",
                "{\"path\":\"/configmaps/retry$\",\"method\":\"GET\",\"code\":429,\"count\":2,"
                "\"retryAfter\":1}") == 200,
       "kube: two 429 answers with Retry-After: 1 armed");
    t0 = now_ms();
    ok(dk_kube_get(k, "v1", "ConfigMap", NS, "retry", &got, &err) == 0,
       "kube: get succeeds after two 429 answers (%s)", err.msg);
    ms = now_ms() - t0;
    ok(ms >= 1900 && ms < 10000, "kube: the client waited Retry-After each time (%ld ms)", ms);
    cJSON_Delete(got);
    got = NULL;

    emulator(k, "POST", "/emulator/faults",
             "{\"path\":\"/configmaps/retry$\",\"method\":\"GET\",\"code\":503,\"count\":1}");
    ok(dk_kube_get(k, "v1", "ConfigMap", NS, "retry", &got, &err) == 0,
       "kube: get succeeds after a 503 (%s)", err.msg);
    cJSON_Delete(got);
    got = NULL;

    k->http.opts.retries = 2;
    k->http.opts.backoff_ms = 20;
    emulator(k, "POST", "/emulator/faults",
             "{\"path\":\"/configmaps/retry$\",\"method\":\"GET\",\"code\":500,\"count\":5,"
             "\"message\":\"etcdserver: request timed out\"}");
    ok(dk_kube_get(k, "v1", "ConfigMap", NS, "retry", &got, &err) < 0,
       "kube: get fails when every retry gets a 500");
    is_str(err.msg, "etcdserver: request timed out", "kube: the error is the server's message");
    is_int(err.code, DK_E_FAIL, "kube: a 500 is a failure");
    k->http.opts.retries = saved_retries;
    k->http.opts.backoff_ms = saved_backoff;
    emulator(k, "DELETE", "/emulator/faults", NULL);
    dk_kube_delete(k, "v1", "ConfigMap", NS, "retry", NULL, &err);
    cJSON_Delete(o);
}

/* How Status answers become messages. */
static void test_status_errors(struct dk_kube *k)
{
    struct dk_err err = DK_ERR_INIT;
    cJSON *dep = parse("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{"
                       "\"name\":\"imm\",\"namespace\":\"" NS "\"},\"spec\":{\"replicas\":1,"
                       "\"selector\":{\"matchLabels\":{\"app\":\"a\"}},\"template\":{\"metadata\":"
                       "{\"labels\":{\"app\":\"a\",\"b\":\"c\"}},\"spec\":{\"containers\":[{"
                       "\"name\":\"c\",\"image\":\"busybox\"}]}}}}");
    cJSON *got = NULL, *m;
    const char *p;

    ok(dk_kube_create(k, dep, NULL, &got, &err) == 0, "kube: create a Deployment (%s)", err.msg);
    m = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(got, "spec"), "selector"),
        "matchLabels");
    dk_json_set_str(m, "b", "c");
    /* no precondition: the controller changes the status meanwhile */
    cJSON_DeleteItemFromObject(cJSON_GetObjectItemCaseSensitive(got, "metadata"),
                               "resourceVersion");
    ok(dk_kube_update(k, got, NULL, NULL, &err) < 0, "kube: changing spec.selector fails");
    is_int(err.code, DK_E_INPUT, "kube: 422 Invalid is an input error");
    p = strstr(err.msg, "spec.selector");
    ok(strstr(err.msg, "Deployment.apps \"imm\" is invalid") &&
           strstr(err.msg, "field is immutable") && p && !strstr(p + 1, "spec.selector"),
       "kube: the server's message, the field named once (%s)", err.msg);
    cJSON_Delete(got);
    cJSON_Delete(dep);
    dk_kube_delete(k, "apps/v1", "Deployment", NS, "imm", NULL, &err);

    emulator(k, "POST", "/emulator/faults",
             "{\"path\":\"/configmaps/nomsg$\",\"method\":\"GET\",\"code\":409,\"message\":\"\"}");
    got = NULL;
    ok(dk_kube_get(k, "v1", "ConfigMap", NS, "nomsg", &got, &err) < 0,
       "kube: a Status without a message fails");
    ok(strstr(err.msg, "answered 409 Conflict") && strstr(err.msg, "/configmaps/nomsg"),
       "kube: the reason and the path are the message (%s)", err.msg);
    emulator(k, "DELETE", "/emulator/faults", NULL);
}

/* Watch-list: the current objects as ADDED, the end bookmark, then changes. */
struct wl {
    int old_before_end, old_after_end, ends, new_added, new_deleted, stray;
};

static int on_wl(const char *type, const cJSON *obj, void *ud)
{
    struct wl *s = ud;
    const char *name = dk_json_str(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "name");

    if (strcmp(type, "BOOKMARK") == 0) {
        s->ends += dk_kube_initial_events_end(obj);
        return 0;
    }
    if (!name)
        return 0;
    if (strcmp(name, "wl-old") == 0 && strcmp(type, "ADDED") == 0)
        *(s->ends ? &s->old_after_end : &s->old_before_end) += 1;
    else if (strcmp(name, "wl-new") == 0 && strcmp(type, "ADDED") == 0)
        s->new_added += s->ends ? 1 : 100; /* 100: seen before the end, wrongly */
    else if (strcmp(name, "wl-new") == 0 && strcmp(type, "DELETED") == 0)
        s->new_deleted++;
    return s->new_deleted > 0;
}

static void watch_list_once(struct dk_kube *k, struct dk_kubeconfig *kc, const char *what)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_kube_list_opts lo = {.send_initial_events = 1};
    struct wl s;
    pid_t pid;
    int status;

    memset(&s, 0, sizeof(s));
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct dk_kube k2;
        cJSON *o;
        int rc = 1;

        sleep(1);
        if (dk_kube_init(&k2, kc, &err) == 0) {
            o = make_cm(&k2, "wl-new");
            if (dk_kube_delete(&k2, "v1", "ConfigMap", NS, "wl-new", NULL, &err) == 0)
                rc = 0;
            cJSON_Delete(o);
        }
        dk_kube_release(&k2);
        _exit(rc);
    }
    alarm(30);
    ok(dk_kube_watch(k, "v1", "ConfigMap", NS, &lo, NULL, on_wl, &s, &err) == 0,
       "kube: %s: watch-list ends when the callback says (%s)", what, err.msg);
    alarm(0);
    waitpid(pid, &status, 0);
    is_int(s.old_before_end, 1, "kube: %s: the existing object came first as ADDED", what);
    is_int(s.ends, 1, "kube: %s: one BOOKMARK ended the initial events", what);
    is_int(s.old_after_end, 0, "kube: %s: not again after it", what);
    is_int(s.new_added, 1, "kube: %s: a new object came as ADDED after the bookmark", what);
    is_int(s.new_deleted, 1, "kube: %s: and its DELETED", what);
}

static void test_watch_list(struct dk_kube *k, struct dk_kubeconfig *kc)
{
    struct dk_err err = DK_ERR_INIT;
    cJSON *o = make_cm(k, "wl-old");

    watch_list_once(k, kc, "watch-list");
    emulator(k, "POST", "/emulator/faults",
             "{\"path\":\"sendInitialEvents=true\",\"method\":\"GET\",\"code\":400,"
             "\"message\":\"sendInitialEvents is forbidden for watch unless the WatchList "
             "feature gate is enabled\"}");
    watch_list_once(k, kc, "watch-list refused by the server, LIST instead");
    {
        struct dk_http_req req;
        struct dk_http_resp resp;
        char *url = dk_xasprintf("%s/emulator/faults", k->kc->server);
        char *auth = dk_xasprintf("Authorization: Bearer %s", k->kc->token ? k->kc->token : "");
        const char *hdrs[] = {auth, NULL};

        memset(&req, 0, sizeof(req));
        req.url = url;
        req.headers = hdrs;
        dk_http_resp_init(&resp);
        ok(dk_http_do(&k->http, &req, &resp, &err) == 0 && strstr(resp.body.buf, "\"count\": 0"),
           "kube: the server did refuse the watch-list");
        dk_http_resp_release(&resp);
        free(url);
        free(auth);
    }
    emulator(k, "DELETE", "/emulator/faults", NULL);
    dk_kube_delete(k, "v1", "ConfigMap", NS, "wl-old", NULL, &err);
    cJSON_Delete(o);
}

static void test_events(struct dk_kube *k)
{
    struct dk_err err = DK_ERR_INIT;
    static const char *const evs[] = {
        "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e2\",\"namespace\":"
        "\"" NS "\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"evp\",\"namespace\":\"" NS
        "\"},\"reason\":\"Started\",\"message\":\"second\",\"type\":\"Normal\","
        "\"lastTimestamp\":\"2026-01-01T00:00:05Z\"}",
        "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e1\",\"namespace\":"
        "\"" NS "\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"evp\",\"namespace\":\"" NS
        "\"},\"reason\":\"Pulled\",\"message\":\"first\",\"type\":\"Normal\","
        "\"lastTimestamp\":\"2026-01-01T00:00:01Z\"}",
        "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e3\",\"namespace\":"
        "\"" NS "\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"other\",\"namespace\":\"" NS
        "\"},\"reason\":\"Failed\",\"message\":\"not ours\",\"type\":\"Warning\","
        "\"lastTimestamp\":\"2026-01-01T00:00:00Z\"}",
    };
    cJSON *list = NULL, *items;
    size_t i;
    int okc = 1;

    for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
        cJSON *o = parse(evs[i]);

        okc &= dk_kube_create(k, o, NULL, NULL, &err) == 0;
        cJSON_Delete(o);
    }
    ok(okc, "kube: three Events created (%s)", err.msg);
    ok(dk_kube_events(k, NS, "Pod", "evp", &list, &err) == 0, "kube: events of a Pod (%s)",
       err.msg);
    items = cJSON_GetObjectItemCaseSensitive(list, "items");
    is_int(cJSON_GetArraySize(items), 2, "kube: only the Pod's events");
    is_str(dk_json_str(cJSON_GetArrayItem(items, 0), "message"), "first", "kube: oldest first");
    is_str(dk_json_str(cJSON_GetArrayItem(items, 1), "message"), "second", "kube: then newer");
    cJSON_Delete(list);
}

/* T_KUBE_RESTART: a shell command that restarts the emulator (same port, resourceVersions from
 * T_KUBE_RESTART_RV on). The watch must go on across it: reconnect, get 410, relist, and see
 * what changes afterwards. */
struct restart {
    long new_rv; /* the new emulator's first version; 0: it starts below the old one */
    long max_rv; /* the highest version seen */
    int fd;      /* write end of the pipe to the child */
    int told;    /* an event from the new emulator was seen */
    int added, deleted;
};

static int on_restart(const char *type, const cJSON *obj, void *ud)
{
    struct restart *r = ud;
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    const char *rv = dk_json_str(md, "resourceVersion"), *name = dk_json_str(md, "name");

    if (!r->told && rv && (r->new_rv ? atol(rv) >= r->new_rv : atol(rv) < r->max_rv)) {
        r->told = 1;
        if (write(r->fd, "x", 1) != 1)
            printf("# cannot tell the child\n");
    }
    if (rv && atol(rv) > r->max_rv)
        r->max_rv = atol(rv);
    if (name && strcmp(name, "after-restart") == 0) {
        r->added += strcmp(type, "ADDED") == 0;
        r->deleted += strcmp(type, "DELETED") == 0;
    }
    return r->deleted > 0;
}

static void test_watch_restart(struct dk_kube *k, struct dk_kubeconfig *kc, const char *cmd,
                               long new_rv)
{
    struct dk_err err = DK_ERR_INIT;
    struct restart r = {new_rv, 0, -1, 0, 0, 0};
    struct dk_kube_list_opts lo = {.limit = 1, .one_page = 1};
    cJSON *list = NULL;
    int fds[2], status;
    pid_t pid;

    /* the version now: a lower one later comes from the restarted emulator */
    if (dk_kube_list(k, "v1", "ConfigMap", NS, &lo, &list, &err) == 0)
        r.max_rv = atol(
            dk_json_str(cJSON_GetObjectItemCaseSensitive(list, "metadata"), "resourceVersion"));
    cJSON_Delete(list);

    if (pipe(fds) < 0)
        return;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct dk_kube k2;
        char c;
        cJSON *ns, *o;
        int rc = 1;

        close(fds[1]);
        sleep(1);
        if (system(cmd) != 0) {
            fprintf(stderr, "child: restart failed\n");
            _exit(2);
        }
        alarm(30);
        if (read(fds[0], &c, 1) != 1)
            _exit(3);
        ns = parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":"
                   "\"" NS "\"}}");
        if (dk_kube_init(&k2, kc, &err) == 0) {
            dk_kube_create(&k2, ns, NULL, NULL, &err);
            o = make_cm(&k2, "after-restart");
            if (dk_kube_delete(&k2, "v1", "ConfigMap", NS, "after-restart", NULL, &err) == 0)
                rc = 0;
            else
                fprintf(stderr, "child: %s\n", err.msg);
            cJSON_Delete(o);
        }
        cJSON_Delete(ns);
        dk_kube_release(&k2);
        _exit(rc);
    }
    close(fds[0]);
    r.fd = fds[1];
    alarm(60);
    ok(dk_kube_watch(k, "v1", "ConfigMap", NS, NULL, NULL, on_restart, &r, &err) == 0,
       "kube: watch across an emulator restart (%s)", err.msg);
    alarm(0);
    close(fds[1]);
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "kube: the emulator restarted and the child made its changes (%d)",
       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    is_int(r.told, 1, "kube: the watch reached the restarted emulator");
    is_int(r.added, 1, "kube: ADDED after the restart seen");
    is_int(r.deleted, 1, "kube: DELETED after the restart seen");
}

static int on_log(const char *p, size_t n, void *ud)
{
    dk_buf_addn(ud, p, n);
    return 0;
}

static void test_logs(struct dk_kube *k)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_buf got = DK_BUF_INIT;
    cJSON *pod = parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
                       "\"lp\",\"namespace\":\"" NS "\",\"annotations\":{\"emulator.dk/log\":"
                       "\"line 1\\nline 2\\n\"}},\"spec\":{\"containers\":[{\"name\":"
                       "\"c\",\"image\":\"busybox\"}]}}");

    ok(dk_kube_create(k, pod, NULL, NULL, &err) == 0, "kube: create a Pod (%s)", err.msg);
    ok(dk_kube_logs(k, NS, "lp", NULL, 1, on_log, &got, &err) == 0, "kube: pod log (%s)", err.msg);
    is_str(got.buf, "line 1\nline 2\n", "kube: pod log streamed to the callback");
    ok(dk_kube_logs(k, NS, "nope", "c", 0, on_log, &got, &err) < 0 && err.code == DK_E_NOTFOUND,
       "kube: log of a missing pod (%s)", err.msg);
    dk_buf_release(&got);
    cJSON_Delete(pod);
}

int main(void)
{
    struct dk_kubeconfig kc;
    struct dk_kubeconfig_opts o;
    struct dk_kube k;
    struct dk_err err = DK_ERR_INIT;
    const char *path = getenv("KUBECONFIG_TEST"), *fail, *only;
    cJSON *ns;

    if (!path || !*path) {
        printf("ok 1 - kube: client against the emulator # SKIP KUBECONFIG_TEST not set\n");
        printf("1..1\n");
        return 0;
    }
    /* T_KUBE_DEBUG: the debug log on stderr (tests check it holds no secret) */
    dk_log_init("t-kube", getenv("T_KUBE_DEBUG") ? DK_LOG_DEBUG : DK_LOG_QUIET);
    dk_http_global_init(&err);
    dk_kubeconfig_opts_init(&o);
    o.path = strcmp(path, "-") ? path : NULL; /* "-": KUBECONFIG and the like, as tools do */
    dk_kubeconfig_init(&kc);
    if (dk_kubeconfig_load(&kc, &o, &err) < 0 || dk_kube_init(&k, &kc, &err) < 0) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    fail = getenv("T_KUBE_EXPECT_FAIL");
    if (fail && *fail) {
        /* a kubeconfig that must not work: the first request fails with this text */
        const char *secret = getenv("T_KUBE_SECRET");

        ok(dk_kube_discover(&k, &err) < 0, "kube: requests fail");
        ok(strstr(err.msg, fail) != NULL, "kube: the error says '%s' (%s)", fail, err.msg);
        ok(!secret || !*secret || !strstr(err.msg, secret), "kube: the error holds no secret");
        goto out;
    }
    ns = parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" NS "\"}}");
    ok(dk_kube_create(&k, ns, NULL, NULL, &err) == 0 || strstr(err.msg, "already exists"),
       "kube: create a namespace (%s)", err.msg);
    cJSON_Delete(ns);
    test_discovery(&k);
    test_crud(&k);
    only = getenv("T_KUBE_ONLY");
    if (only && strcmp(only, "basic") == 0)
        goto out;
    if (only && strcmp(only, "restart") == 0) {
        const char *cmd = getenv("T_KUBE_RESTART"), *rv = getenv("T_KUBE_RESTART_RV");

        test_watch_restart(&k, &kc, cmd ? cmd : "false", rv ? atol(rv) : 0);
        goto out;
    }
    test_pages(&k);
    test_apply(&k);
    test_logs(&k);
    test_retries(&k);
    test_status_errors(&k);
    test_events(&k);
    test_watch(&k, &kc, NULL, "w1", "watch from now");
    test_watch_list(&k, &kc);
    compact(&k);
    test_watch(&k, &kc, "1", "w2", "watch from a compacted version relists");
out:
    dk_kube_release(&k);
    dk_kubeconfig_release(&kc);
    return tap_done();
}
