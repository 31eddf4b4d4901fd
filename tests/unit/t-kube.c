/* Tests of common/kube.c against the Kubernetes API emulator (tests/kube-emulator). They need
 * a running emulator: tests/bats/kube-client.bats starts one and runs this program with
 * KUBECONFIG_TEST set to its kubeconfig; without it every test is skipped. */
#include "dk/kube.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
    struct dk_kube_list_opts lo = {"app=t", NULL, 0, NULL, 0};
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
    struct dk_kube_list_opts lo = {"page=yes", NULL, 2, NULL, 0};
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

/* The emulator forgets its watch history: resuming from an old version then gets 410. */
static void compact(struct dk_kube *k)
{
    struct dk_http_req req;
    struct dk_http_resp resp;
    struct dk_err err = DK_ERR_INIT;
    char *url = dk_xasprintf("%s/emulator/compact", k->kc->server);
    char *auth = dk_xasprintf("Authorization: Bearer %s", k->kc->token ? k->kc->token : "");
    const char *hdrs[] = {auth, NULL};
    int rc;

    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.url = url;
    req.headers = hdrs;
    dk_http_resp_init(&resp);
    rc = dk_http_do(&k->http, &req, &resp, &err);
    ok(rc == 0 && resp.status < 300, "kube: emulator compacted its history (%ld)", resp.status);
    dk_http_resp_release(&resp);
    free(auth);
    free(url);
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
    const char *path = getenv("KUBECONFIG_TEST");
    cJSON *ns;

    if (!path || !*path) {
        printf("ok 1 - kube: client against the emulator # SKIP KUBECONFIG_TEST not set\n");
        printf("1..1\n");
        return 0;
    }
    dk_log_init("t-kube", DK_LOG_QUIET);
    dk_http_global_init(&err);
    dk_kubeconfig_opts_init(&o);
    o.path = path;
    dk_kubeconfig_init(&kc);
    if (dk_kubeconfig_load(&kc, &o, &err) < 0 || dk_kube_init(&k, &kc, &err) < 0) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    ns = parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" NS "\"}}");
    ok(dk_kube_create(&k, ns, NULL, NULL, &err) == 0, "kube: create a namespace (%s)", err.msg);
    cJSON_Delete(ns);
    test_discovery(&k);
    test_crud(&k);
    test_pages(&k);
    test_apply(&k);
    test_logs(&k);
    test_watch(&k, &kc, NULL, "w1", "watch from now");
    compact(&k);
    test_watch(&k, &kc, "1", "w2", "watch from a compacted version relists");
    dk_kube_release(&k);
    dk_kubeconfig_release(&kc);
    return tap_done();
}
