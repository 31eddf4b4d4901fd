#include "dk/registry.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dk/base64.h"
#include "dk/log.h"
#include "tap.h"

#include "httpd.h"

static int port;

/* The repository a token is asked for ("scope=repository%3ANAME%3Apull"), "login" without a
 * scope, or NULL for any other scope. */
static int scope_repo(const char *query, char *out, size_t size)
{
    const char *p = strstr(query, "scope=repository%3A"), *e;

    if (!strstr(query, "scope=")) {
        snprintf(out, size, "login");
        return 1;
    }
    if (!p)
        return 0;
    p += strlen("scope=repository%3A");
    e = strstr(p, "%3Apull");
    if (!e)
        return 0;
    snprintf(out, size, "%.*s", (int)(e - p), p);
    return 1;
}

static void challenge(int fd, const struct sreq *r)
{
    char h[256];

    snprintf(h, sizeof(h),
             "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:%d/token\",service=\"svc\"\r\n"
             "Content-Type: application/json\r\n",
             port);
    respond_str(fd, r, 401, "Unauthorized", h,
                "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication "
                "required\"}]}");
}

/* Tokens: "T-NAME" anonymous, "A-NAME" with user:pa55word; a wrong password is refused. */
static void token(int fd, const struct sreq *r)
{
    char repo[256], auth[256], body[512];
    char *good = dk_base64_encode("user:pa55word", 13);
    char *want = dk_xasprintf("Basic %s", good);
    int has_auth = req_header(r, "Authorization", auth, sizeof(auth));

    if (!strstr(r->query, "service=svc") || !scope_repo(r->query, repo, sizeof(repo))) {
        respond_str(fd, r, 400, "Bad Request", NULL, "{}");
    } else if (has_auth && strcmp(auth, want)) {
        respond_str(fd, r, 401, "Unauthorized", NULL, "{}");
    } else {
        if (has_auth)
            hit("token-with-basic-auth");
        snprintf(body, sizeof(body), "{\"token\":\"%s-%s\",\"expires_in\":300}",
                 has_auth ? "A" : "T", repo);
        respond_str(fd, r, 200, "OK", "Content-Type: application/json\r\n", body);
    }
    free(good);
    free(want);
}

static int bearer_ok(const struct sreq *r, const char *repo)
{
    char auth[256], t[256], a[256];

    if (!req_header(r, "Authorization", auth, sizeof(auth)))
        return 0;
    snprintf(t, sizeof(t), "Bearer T-%s", repo);
    snprintf(a, sizeof(a), "Bearer A-%s", repo);
    return !strcmp(auth, t) || !strcmp(auth, a);
}

static void serve(int fd, const struct sreq *r)
{
    const char *json = "Content-Type: application/json\r\n";

    hit(r->path);
    if (!strcmp(r->path, "/hits")) {
        char out[32];

        snprintf(out, sizeof(out), "%d", hit_count(r->query + 2));
        respond_str(fd, r, 200, "OK", NULL, out);
    } else if (!strcmp(r->path, "/v2/")) {
        challenge(fd, r);
    } else if (!strcmp(r->path, "/token")) {
        token(fd, r);
    } else if (!strcmp(r->path, "/v2/x/tags/list")) {
        if (!bearer_ok(r, "x"))
            challenge(fd, r);
        else
            respond_str(fd, r, 200, "OK", json, "{\"name\":\"x\",\"tags\":[\"v1\",\"v2\"]}");
    } else if (!strcmp(r->path, "/v2/paged/tags/list")) {
        char link[256];

        snprintf(link, sizeof(link),
                 "Link: </v2/paged/tags/list?n=1000&last=b>; rel=\"next\"\r\n%s", json);
        if (!bearer_ok(r, "paged"))
            challenge(fd, r);
        else if (!strstr(r->query, "last=b"))
            respond_str(fd, r, 200, "OK", link, "{\"name\":\"paged\",\"tags\":[\"a\",\"b\"]}");
        else
            respond_str(fd, r, 200, "OK", json, "{\"name\":\"paged\",\"tags\":[\"c\"]}");
    } else if (!strcmp(r->path, "/v2/missing/tags/list")) {
        if (!bearer_ok(r, "missing"))
            challenge(fd, r);
        else
            respond_str(fd, r, 404, "Not Found", json,
                        "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name "
                        "not known to registry\"}]}");
    } else {
        respond_str(fd, r, 404, "Not Found", NULL, "{}");
    }
}

static pid_t server_pid;

static int start_server(void)
{
    int lfd = httpd_listen(&port);

    if (lfd < 0)
        return -1;
    server_pid = httpd_start(lfd, serve);
    return server_pid < 0 ? -1 : 0;
}

/* --- the tests ------------------------------------------------------------------------- */

static char host[64];

static int server_hits(const char *path)
{
    struct dk_http h;
    struct dk_http_req req = {0};
    struct dk_http_resp resp;
    struct dk_err err = DK_ERR_INIT;
    char *u = dk_xasprintf("http://127.0.0.1:%d/hits?p=%s", port, path);
    int n = -1;

    dk_http_init(&h, NULL, &err);
    dk_http_resp_init(&resp);
    req.url = u;
    if (dk_http_do(&h, &req, &resp, &err) == 0 && resp.status == 200)
        n = atoi(resp.body.buf);
    dk_http_resp_release(&resp);
    dk_http_release(&h);
    free(u);
    return n;
}

static void test_manifest(void)
{
    struct dk_manifest m;

    ok(dk_manifest_is_index(DK_MT_OCI_INDEX), "registry: an OCI index is an index");
    ok(dk_manifest_is_index(DK_MT_DOCKER_LIST), "registry: a Docker manifest list is an index");
    ok(!dk_manifest_is_index(DK_MT_OCI_MANIFEST), "registry: an OCI manifest is not an index");
    ok(!dk_manifest_is_index(DK_MT_DOCKER_MANIFEST), "registry: a Docker manifest is not an index");
    ok(!dk_manifest_is_index(NULL), "registry: no media type is not an index");
    ok(!dk_manifest_is_index(DK_MT_OCI_INDEX "; charset=utf-8") &&
           !dk_manifest_is_index("application/json"),
       "registry: only the exact index media types are indexes");

    dk_manifest_init(&m);
    ok(m.data.len == 0 && m.media_type == NULL && m.digest[0] == '\0',
       "registry: manifest_init gives an empty manifest");
    dk_buf_add(&m.data, "{}");
    m.media_type = dk_xstrdup(DK_MT_OCI_MANIFEST);
    snprintf(m.digest, sizeof(m.digest), "sha256:abc");
    dk_manifest_release(&m);
    ok(m.data.len == 0 && m.data.alloc == 0 && m.media_type == NULL && m.digest[0] == '\0',
       "registry: manifest_release frees and empties");
    dk_manifest_release(&m);
    ok(1, "registry: manifest_release twice is safe");
}

static void test_error(void)
{
    struct dk_regclient c;
    struct dk_registry *r, *r2;
    struct dk_http_resp resp;
    struct dk_err err = DK_ERR_INIT;

    ok(dk_regclient_init(&c, NULL, &err) == 0, "registry: a client starts with defaults");
    r = dk_regclient_get(&c, "reg.example.com");
    ok(r != NULL, "registry: get makes a registry for a host");
    ok(dk_regclient_get(&c, "reg.example.com") == r,
       "registry: get returns the same registry for the same host");
    r2 = dk_regclient_get(&c, "other.example.com:5000");
    ok(r2 && r2 != r, "registry: another host gets another registry");
    is_str(dk_registry_host(r), "reg.example.com", "registry: host is the host as given");
    is_str(dk_registry_host(r2), "other.example.com:5000", "registry: host keeps the port");
    ok(dk_registry_client(r) == &c, "registry: a registry knows its client");
    is_int(c.nregs, 2, "registry: the client owns two registries");

    dk_http_resp_init(&resp);
    resp.status = 404;
    dk_buf_add(&resp.body,
               "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\","
               "\"detail\":{}},{\"code\":\"OTHER\",\"message\":\"second\"}]}");
    is_int(dk_registry_error(r, &resp, "manifest 'reg.example.com/app:v1'", &err), -1,
           "registry: error returns -1");
    is_str(err.msg,
           "registry reg.example.com answered 404 Not Found for manifest "
           "'reg.example.com/app:v1': MANIFEST_UNKNOWN: manifest unknown",
           "registry: error names host, status, what, and the registry's first error");
    is_int(err.code, DK_E_NOTFOUND, "registry: 404 is not-found");

    resp.status = 401;
    dk_registry_error(r, &resp, "x", &err);
    ok(err.code == DK_E_AUTH && strstr(err.msg, " answered 401 Unauthorized for x"),
       "registry: 401 is an auth error");
    resp.status = 403;
    dk_registry_error(r, &resp, "x", &err);
    ok(err.code == DK_E_AUTH && strstr(err.msg, " answered 403 Forbidden for x"),
       "registry: 403 is an auth error");
    resp.status = 500;
    dk_registry_error(r, &resp, "x", &err);
    ok(err.code == DK_E_NET && strstr(err.msg, " answered 500 Internal Server Error for x"),
       "registry: 500 is a network error");
    resp.status = 429;
    dk_registry_error(r, &resp, "x", &err);
    ok(err.code == DK_E_NET && strstr(err.msg, " answered 429 Too Many Requests for x"),
       "registry: 429 is a network error");
    resp.status = 400;
    dk_registry_error(r, &resp, "x", &err);
    is_int(err.code, DK_E_FAIL, "registry: 400 is a plain failure");

    dk_buf_reset(&resp.body);
    dk_buf_add(&resp.body, "<html>gateway</html>");
    resp.status = 502;
    dk_registry_error(r2, &resp, "blob sha256:1", &err);
    is_str(err.msg, "registry other.example.com:5000 answered 502 Bad Gateway for blob sha256:1",
           "registry: a body that is not JSON adds nothing to the message");
    dk_buf_reset(&resp.body);
    dk_buf_add(&resp.body, "{\"errors\":[{\"message\":\"only a message\"}]}");
    resp.status = 404;
    dk_registry_error(r2, &resp, "y", &err);
    ok(dk_str_endswith(err.msg, "for y: only a message"),
       "registry: an error with only a message adds the message");
    dk_http_resp_release(&resp);
    dk_regclient_release(&c);
    ok(c.nregs == 0 && c.regs == NULL, "registry: release frees the registries");
}

static void test_bearer(void)
{
    struct dk_regclient c;
    struct dk_regclient_opts o;
    struct dk_registry *r;
    struct dk_strvec tags = DK_STRVEC_INIT;
    struct dk_buf b = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    char *want;

    ok(dk_regclient_init(&c, NULL, &err) == 0, "registry: a client for the test server starts");
    r = dk_regclient_get(&c, host);
    ok(dk_registry_list_tags(r, "x", &tags, &err) == 0,
       "registry: list_tags through a bearer token");
    if (err.msg[0])
        printf("# %s\n", err.msg);
    ok(tags.n == 2 && !strcmp(tags.v[0], "v1") && !strcmp(tags.v[1], "v2"),
       "registry: list_tags returns the tags");
    is_int(server_hits("/token"), 1, "registry: one token was fetched");
    is_int(server_hits("/v2/"), 1, "registry: /v2/ was pinged once over plain HTTP");
    dk_registry_url(r, &b, "%s/tags/list", "x");
    want = dk_xasprintf("http://127.0.0.1:%d/v2/x/tags/list", port);
    is_str(b.buf, want, "registry: a loopback registry falls back to plain HTTP");
    free(want);
    is_int(dk_registry_tls(r), DK_HTTP_TLS_NO_VERIFY,
           "registry: TLS is not verified for a loopback registry");

    dk_strvec_release(&tags);
    ok(dk_registry_list_tags(r, "x", &tags, &err) == 0 && tags.n == 2,
       "registry: list_tags a second time");
    is_int(server_hits("/token"), 1, "registry: the token is reused for the same scope");
    is_int(server_hits("/v2/"), 1, "registry: the ping is not repeated");
    ok(dk_registry_auth(r, "repository:x:pull", &b, &err) == 0, "registry: auth for a known scope");
    is_str(b.buf, "Authorization: Bearer T-x", "registry: auth writes the bearer header line");
    dk_strvec_release(&tags);

    ok(dk_registry_list_tags(r, "paged", &tags, &err) == 0, "registry: list_tags over two pages");
    ok(tags.n == 3 && !strcmp(tags.v[0], "a") && !strcmp(tags.v[2], "c"),
       "registry: list_tags follows the Link header to the next page");
    dk_strvec_release(&tags);

    dk_err_init(&err);
    ok(dk_registry_list_tags(r, "missing", &tags, &err) == -1,
       "registry: list_tags of a missing repository fails");
    is_int(err.code, DK_E_NOTFOUND, "registry: a missing repository is not-found");
    want = dk_xasprintf("registry %s answered 404 Not Found for tags of '%s/missing': "
                        "NAME_UNKNOWN: repository name not known to registry",
                        host, host);
    is_str(err.msg, want, "registry: the message names the registry, repository and error");
    free(want);
    ok(!strstr(err.msg, "T-missing"), "registry: the token is not in the message");
    dk_strvec_release(&tags);

    ok(dk_registry_check_login(r, &err) == 0, "registry: check_login anonymously gets a token");
    dk_regclient_release(&c);

    dk_regclient_opts_init(&o);
    o.username = "user";
    o.password = "pa55word";
    ok(dk_regclient_init(&c, &o, &err) == 0, "registry: a client with credentials starts");
    r = dk_regclient_get(&c, host);
    ok(dk_registry_list_tags(r, "x", &tags, &err) == 0 && tags.n == 2,
       "registry: list_tags with credentials");
    is_int(server_hits("token-with-basic-auth"), 1,
           "registry: the token request carried the credentials");
    ok(dk_registry_auth(r, "repository:x:pull", &b, &err) == 0 &&
           !strcmp(b.buf, "Authorization: Bearer A-x"),
       "registry: the token got with credentials is used");
    dk_strvec_release(&tags);
    dk_regclient_release(&c);

    o.password = "wrong-pass";
    dk_regclient_init(&c, &o, &err);
    r = dk_regclient_get(&c, host);
    dk_err_init(&err);
    ok(dk_registry_list_tags(r, "x", &tags, &err) == -1, "registry: a wrong password fails");
    is_int(err.code, DK_E_AUTH, "registry: a refused login is an auth error");
    want = dk_xasprintf("cannot log in to %s: token server answered 401 (wrong username or "
                        "password?)",
                        host);
    is_str(err.msg, want, "registry: the message says the token server refused the login");
    free(want);
    dk_err_init(&err);
    ok(dk_registry_check_login(r, &err) == -1 && err.code == DK_E_AUTH,
       "registry: check_login with a wrong password is an auth error");
    dk_err_set(&err, DK_E_AUTH, "password was wrong-pass");
    is_str(err.msg, "password was ***", "registry: the client's password is redacted from errors");
    dk_strvec_release(&tags);
    dk_regclient_release(&c);
    dk_buf_release(&b);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    char tmp[4096], *cmd;
    struct dk_err err = DK_ERR_INIT;
    int status = 0;

    snprintf(tmp, sizeof(tmp), "%s/dk-t-registry-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        printf("Bail out! cannot make a temp dir: %s\n", strerror(errno));
        return 1;
    }
    /* no machine credentials, proxies or CA settings */
    setenv("DOCKER_CONFIG", tmp, 1);
    unsetenv("DOCKER_AUTH_CONFIG");
    unsetenv("REGISTRY_AUTH_FILE");
    unsetenv("XDG_RUNTIME_DIR");
    unsetenv("SSL_CERT_FILE");
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    signal(SIGPIPE, SIG_IGN);
    if (start_server() < 0) {
        printf("Bail out! cannot start the test server: %s\n", strerror(errno));
        return 1;
    }
    alarm(60);
    snprintf(host, sizeof(host), "127.0.0.1:%d", port);
    if (dk_http_global_init(&err) < 0) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    test_manifest();
    test_error();
    test_bearer();
    kill(server_pid, SIGTERM);
    waitpid(server_pid, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
       "registry: the test server ran until the end");
    cmd = dk_xasprintf("rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        printf("# cannot remove %s\n", tmp);
    free(cmd);
    return tap_done();
}
