/* Unit tests for common/kubeconfig.c: files, merging through KUBECONFIG, the base64 variable,
 * every way to authenticate (exec plugins are small shell scripts written here), in-cluster
 * configuration and the error messages. */
#include "dk/kubeconfig.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dk/base64.h"
#include "dk/buf.h"
#include "dk/fs.h"
#include "dk/log.h"

#include "tap.h"

static char *tmp;

static char *put(const char *name, const char *text, mode_t mode)
{
    char *path = dk_xasprintf("%s/%s", tmp, name);
    struct dk_err err = DK_ERR_INIT;

    if (dk_fs_write_file(path, text, strlen(text), mode, &err) < 0)
        printf("# %s\n", err.msg);
    return path;
}

static const char base_cfg[] = "apiVersion: v1\n"
                               "kind: Config\n"
                               "current-context: dev\n"
                               "clusters:\n"
                               "- name: c1\n"
                               "  cluster:\n"
                               "    server: https://k.example:6443/\n"
                               "    certificate-authority: certs/ca.pem\n"
                               "    tls-server-name: kube.internal\n"
                               "    proxy-url: http://proxy:3128\n"
                               "contexts:\n"
                               "- name: dev\n"
                               "  context: {cluster: c1, user: u1, namespace: team}\n"
                               "- name: nouser\n"
                               "  context: {cluster: c1, user: ghost}\n"
                               "- name: nons\n"
                               "  context: {cluster: c1, user: u1}\n"
                               "users:\n"
                               "- name: u1\n"
                               "  user: {token: tok-abcdef-123}\n";

static int load_file(struct dk_kubeconfig *kc, const char *path, const char *ctx,
                     struct dk_err *err)
{
    struct dk_kubeconfig_opts o;

    dk_kubeconfig_opts_init(&o);
    o.path = path;
    o.context = ctx;
    o.no_in_cluster = 1;
    dk_kubeconfig_init(kc);
    dk_err_init(err);
    return dk_kubeconfig_load(kc, &o, err);
}

static void test_file(void)
{
    struct dk_kubeconfig kc;
    struct dk_err err;
    struct dk_buf red = DK_BUF_INIT;
    char *ca = put("certs/ca.pem", "-----BEGIN CERTIFICATE-----\nCA\n", 0644);
    char *path = put("config", base_cfg, 0600);
    char *want;

    ok(load_file(&kc, path, NULL, &err) == 0, "kubeconfig: loads a file (%s)", err.msg);
    is_str(kc.context, "dev", "kubeconfig: current-context chosen");
    is_str(kc.server, "https://k.example:6443", "kubeconfig: server without trailing slash");
    is_str(kc.namespace, "team", "kubeconfig: the context's namespace");
    is_str(kc.ca_file, ca, "kubeconfig: certificate-authority relative to the file");
    is_str(kc.ca_data.buf, "-----BEGIN CERTIFICATE-----\nCA\n", "kubeconfig: CA file read");
    is_str(kc.tls_server_name, "kube.internal", "kubeconfig: tls-server-name");
    is_str(kc.proxy_url, "http://proxy:3128", "kubeconfig: proxy-url");
    is_int(kc.insecure, 0, "kubeconfig: verification on by default");
    is_int(kc.auth, DK_KUBECONFIG_AUTH_TOKEN, "kubeconfig: token auth");
    is_str(kc.token, "tok-abcdef-123", "kubeconfig: token");
    dk_redact(&red, "using tok-abcdef-123");
    is_str(red.buf, "using ***", "kubeconfig: the token is registered as a secret");
    dk_buf_release(&red);
    dk_kubeconfig_release(&kc);

    ok(load_file(&kc, path, "nons", &err) == 0, "kubeconfig: --kube-context override");
    is_str(kc.namespace, "default", "kubeconfig: namespace defaults to 'default'");
    dk_kubeconfig_release(&kc);

    ok(load_file(&kc, path, "x", &err) < 0, "kubeconfig: unknown context fails");
    want = dk_xasprintf("kubeconfig '%s': context 'x' not found", path);
    is_str(err.msg, want, "kubeconfig: names the file and the context");
    is_int(err.code, DK_E_INPUT, "kubeconfig: bad context is an input error");
    free(want);
    dk_kubeconfig_release(&kc);

    ok(load_file(&kc, path, "nouser", &err) < 0, "kubeconfig: unknown user fails");
    want = dk_xasprintf("kubeconfig '%s': user 'ghost' not found", path);
    is_str(err.msg, want, "kubeconfig: names the user");
    free(want);
    dk_kubeconfig_release(&kc);

    unlink(ca);
    ok(load_file(&kc, path, NULL, &err) < 0, "kubeconfig: missing CA file fails");
    ok(strstr(err.msg, "cannot read certificate authority") && strstr(err.msg, ca) &&
           strstr(err.msg, path),
       "kubeconfig: names the CA file and the kubeconfig (%s)", err.msg);
    dk_kubeconfig_release(&kc);
    free(ca);
    free(path);

    path = put("nocur", "clusters: []\ncontexts: []\n", 0600);
    ok(load_file(&kc, path, NULL, &err) < 0, "kubeconfig: no current context fails");
    ok(strstr(err.msg, "no current context") != NULL, "kubeconfig: says so (%s)", err.msg);
    dk_kubeconfig_release(&kc);
    free(path);

    path = dk_xasprintf("%s/none", tmp);
    ok(load_file(&kc, path, NULL, &err) < 0 && strstr(err.msg, "cannot read kubeconfig"),
       "kubeconfig: a missing --kubeconfig file fails (%s)", err.msg);
    dk_kubeconfig_release(&kc);
    free(path);

    path = put("bad", "clusters: [\n", 0600);
    ok(load_file(&kc, path, NULL, &err) < 0 && strstr(err.msg, "invalid YAML"),
       "kubeconfig: invalid YAML is reported (%s)", err.msg);
    dk_kubeconfig_release(&kc);
    free(path);
}

static void test_merge(void)
{
    struct dk_kubeconfig kc;
    struct dk_kubeconfig_opts o;
    struct dk_err err = DK_ERR_INIT;
    char *a = put("m/a",
                  "clusters:\n- name: c\n  cluster: {server: 'https://a:1', "
                  "insecure-skip-tls-verify: true}\n"
                  "users:\n- name: u\n  user: {username: admin, password: s3cr3t-pw}\n",
                  0600);
    char *b = put("m/b",
                  "current-context: ctx\n"
                  "clusters:\n- name: c\n  cluster: {server: 'https://b:2'}\n"
                  "contexts:\n- name: ctx\n  context: {cluster: c, user: u}\n",
                  0600);
    char *c = put("m/c", "current-context: other\n", 0600);
    char *env = dk_xasprintf("%s:%s/m/missing:%s:%s", a, tmp, b, c);

    setenv("KUBECONFIG", env, 1);
    dk_kubeconfig_opts_init(&o);
    o.no_in_cluster = 1;
    dk_kubeconfig_init(&kc);
    ok(dk_kubeconfig_load(&kc, &o, &err) == 0, "kubeconfig: KUBECONFIG list (%s)", err.msg);
    is_str(kc.context, "ctx", "kubeconfig: current-context from the first file that sets it");
    is_str(kc.server, "https://a:1", "kubeconfig: the first file to define a cluster wins");
    is_int(kc.insecure, 1, "kubeconfig: insecure-skip-tls-verify");
    is_int(kc.auth, DK_KUBECONFIG_AUTH_BASIC, "kubeconfig: basic auth");
    is_str(kc.username, "admin", "kubeconfig: username");
    is_str(kc.password, "s3cr3t-pw", "kubeconfig: password");
    is_str(kc.source, "KUBECONFIG", "kubeconfig: source names KUBECONFIG");
    dk_kubeconfig_release(&kc);
    unsetenv("KUBECONFIG");
    free(env);

    env = dk_xasprintf("%s/m/x:%s/m/y", tmp, tmp);
    setenv("KUBECONFIG", env, 1);
    dk_kubeconfig_init(&kc);
    ok(dk_kubeconfig_load(&kc, &o, &err) < 0 && err.code == DK_E_NOTFOUND,
       "kubeconfig: no file of KUBECONFIG exists (%s)", err.msg);
    dk_kubeconfig_release(&kc);
    unsetenv("KUBECONFIG");
    free(env);
    free(a);
    free(b);
    free(c);
}

static void test_base64_env(void)
{
    struct dk_kubeconfig kc;
    struct dk_kubeconfig_opts o;
    struct dk_err err = DK_ERR_INIT;
    const char *pem = "-----BEGIN CERTIFICATE-----\nX\n";
    char *ca = dk_base64_encode(pem, strlen(pem));
    char *crt = dk_base64_encode("CERT", 4);
    char *key = dk_base64_encode("KEY-PEM-DATA", 12);
    char *text = dk_xasprintf("current-context: ci\n"
                              "clusters:\n- name: c\n  cluster:\n    server: https://ci:443\n"
                              "    certificate-authority-data: %s\n"
                              "contexts:\n- name: ci\n  context: {cluster: c, user: u}\n"
                              "users:\n- name: u\n  user:\n    client-certificate-data: %s\n"
                              "    client-key-data: %s\n",
                              ca, crt, key);
    char *enc = dk_base64_encode(text, strlen(text));

    setenv("DK_KUBE_CONFIG_BASE64", enc, 1);
    setenv("KUBECONFIG", "/nonexistent", 1);
    dk_kubeconfig_opts_init(&o);
    dk_kubeconfig_init(&kc);
    ok(dk_kubeconfig_load(&kc, &o, &err) == 0, "kubeconfig: DK_KUBE_CONFIG_BASE64 (%s)", err.msg);
    is_str(kc.server, "https://ci:443", "kubeconfig: base64 config wins over KUBECONFIG");
    is_str(kc.ca_data.buf, pem, "kubeconfig: certificate-authority-data decoded");
    ok(kc.ca_file == NULL, "kubeconfig: no CA file for data");
    is_int(kc.auth, DK_KUBECONFIG_AUTH_CERT, "kubeconfig: client certificate auth");
    is_str(kc.cert_data.buf, "CERT", "kubeconfig: client-certificate-data");
    is_str(kc.key_data.buf, "KEY-PEM-DATA", "kubeconfig: client-key-data");
    dk_kubeconfig_release(&kc);

    setenv("DK_KUBE_CONFIG_BASE64", "%%%", 1);
    dk_kubeconfig_init(&kc);
    ok(dk_kubeconfig_load(&kc, &o, &err) < 0 && strstr(err.msg, "DK_KUBE_CONFIG_BASE64"),
       "kubeconfig: bad base64 in the variable (%s)", err.msg);
    dk_kubeconfig_release(&kc);
    unsetenv("DK_KUBE_CONFIG_BASE64");
    unsetenv("KUBECONFIG");
    free(ca);
    free(crt);
    free(key);
    free(text);
    free(enc);
}

static void test_token_file_and_certs(void)
{
    struct dk_kubeconfig kc;
    struct dk_err err;
    char *tok = put("tf/token", "file-token-1\n", 0600);
    char *path = put("tf/config",
                     "current-context: a\n"
                     "clusters:\n- name: c\n  cluster: {server: 'http://h'}\n"
                     "contexts:\n- name: a\n  context: {cluster: c, user: u}\n"
                     "- name: b\n  context: {cluster: c, user: v}\n"
                     "users:\n- name: u\n  user: {tokenFile: token}\n"
                     "- name: v\n  user: {client-certificate: c.pem}\n",
                     0600);
    char *cert = put("tf/c.pem", "C", 0600);

    ok(load_file(&kc, path, NULL, &err) == 0, "kubeconfig: tokenFile (%s)", err.msg);
    is_str(kc.token, "file-token-1", "kubeconfig: tokenFile relative, newline trimmed");
    free(put("tf/token", "file-token-2\n", 0600));
    ok(dk_kubeconfig_refresh(&kc, 0, &err) == 0, "kubeconfig: refresh re-reads tokenFile");
    is_str(kc.token, "file-token-2", "kubeconfig: rotated token seen");
    dk_kubeconfig_release(&kc);

    ok(load_file(&kc, path, "b", &err) < 0 && strstr(err.msg, "no client key"),
       "kubeconfig: certificate without key fails (%s)", err.msg);
    dk_kubeconfig_release(&kc);
    free(tok);
    free(path);
    free(cert);
}

static void test_exec(void)
{
    struct dk_kubeconfig kc;
    struct dk_err err;
    struct dk_buf red = DK_BUF_INIT;
    char *info = dk_xasprintf("%s/ex/info", tmp);
    char *script = dk_xasprintf(
        "#!/bin/sh\n"
        "printf '%%s' \"$KUBERNETES_EXEC_INFO\" > '%s'\n"
        "echo \"$1\" >> '%s.args'\n"
        "cat <<EOF\n"
        "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
        "\"status\":{\"token\":\"exec-$PLUGIN_TOKEN\","
        "\"expirationTimestamp\":\"2030-01-02T03:04:05Z\"}}\n"
        "EOF\n",
        info, info);
    char *plugin = put("ex/bin/plugin", script, 0755);
    char *certplug = put("ex/bin/certplug",
                         "#!/bin/sh\n"
                         "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\","
                         "\"kind\":\"ExecCredential\",\"status\":{\"clientCertificateData\":"
                         "\"PEMC\",\"clientKeyData\":\"PEMK-secret\"}}'\n",
                         0755);
    char *failplug = put("ex/bin/fail", "#!/bin/sh\necho 'no login' >&2\nexit 3\n", 0755);
    char *path = put("ex/config",
                     "current-context: a\n"
                     "clusters:\n- name: c\n  cluster: {server: 'https://h:1'}\n"
                     "contexts:\n- name: a\n  context: {cluster: c, user: u}\n"
                     "- name: b\n  context: {cluster: c, user: v}\n"
                     "- name: f\n  context: {cluster: c, user: w}\n"
                     "- name: old\n  context: {cluster: c, user: x}\n"
                     "users:\n- name: u\n  user:\n    exec:\n"
                     "      apiVersion: client.authentication.k8s.io/v1\n"
                     "      command: bin/plugin\n      args: [--flag]\n"
                     "      env: [{name: PLUGIN_TOKEN, value: abc123}]\n"
                     "      interactiveMode: Never\n      provideClusterInfo: true\n"
                     "- name: v\n  user:\n    exec:\n"
                     "      apiVersion: client.authentication.k8s.io/v1beta1\n"
                     "      command: ./bin/certplug\n"
                     "- name: w\n  user:\n    exec:\n"
                     "      apiVersion: client.authentication.k8s.io/v1\n"
                     "      command: bin/fail\n      installHint: install the login tool\n"
                     "- name: x\n  user:\n    exec:\n"
                     "      apiVersion: client.authentication.k8s.io/v1alpha1\n"
                     "      command: bin/fail\n",
                     0600);
    struct dk_buf got = DK_BUF_INIT;
    char *args = dk_xasprintf("%s.args", info);

    ok(load_file(&kc, path, NULL, &err) == 0, "kubeconfig: exec v1 plugin (%s)", err.msg);
    is_str(kc.token, "exec-abc123", "kubeconfig: exec token, plugin env applied");
    is_int(kc.expiry, 1893553445, "kubeconfig: expirationTimestamp parsed");
    dk_buf_read_file(&got, info);
    ok(strstr(got.buf, "\"kind\":\"ExecCredential\"") &&
           strstr(got.buf, "\"server\":\"https://h:1\""),
       "kubeconfig: KUBERNETES_EXEC_INFO with cluster info (%s)", got.buf);
    dk_buf_reset(&got);
    dk_buf_read_file(&got, args);
    is_str(got.buf, "--flag\n", "kubeconfig: exec args passed");
    ok(dk_kubeconfig_refresh(&kc, 0, &err) == 0, "kubeconfig: refresh before expiry");
    dk_buf_reset(&got);
    dk_buf_read_file(&got, args);
    is_str(got.buf, "--flag\n", "kubeconfig: plugin not re-run before expiry");
    ok(dk_kubeconfig_refresh(&kc, 1, &err) == 0, "kubeconfig: forced refresh (%s)", err.msg);
    dk_buf_reset(&got);
    dk_buf_read_file(&got, args);
    is_str(got.buf, "--flag\n--flag\n", "kubeconfig: plugin re-run after a 401");
    dk_redact(&red, "t=exec-abc123");
    is_str(red.buf, "t=***", "kubeconfig: exec token registered as a secret");
    dk_kubeconfig_release(&kc);

    ok(load_file(&kc, path, "b", &err) == 0, "kubeconfig: exec v1beta1 plugin (%s)", err.msg);
    is_int(kc.auth, DK_KUBECONFIG_AUTH_CERT, "kubeconfig: exec client certificate");
    is_str(kc.cert_data.buf, "PEMC", "kubeconfig: clientCertificateData");
    is_str(kc.key_data.buf, "PEMK-secret", "kubeconfig: clientKeyData");
    is_int(kc.expiry, 0, "kubeconfig: no expiry");
    dk_kubeconfig_release(&kc);

    ok(load_file(&kc, path, "f", &err) < 0, "kubeconfig: failing plugin fails");
    is_int(err.code, DK_E_AUTH, "kubeconfig: plugin failure is an auth error");
    ok(strstr(err.msg, "exited with status 3") && strstr(err.msg, "no login") &&
           strstr(err.msg, "install the login tool"),
       "kubeconfig: status, stderr and installHint (%s)", err.msg);
    dk_kubeconfig_release(&kc);

    ok(load_file(&kc, path, "old", &err) < 0 && strstr(err.msg, "v1alpha1"),
       "kubeconfig: unsupported exec apiVersion (%s)", err.msg);
    dk_kubeconfig_release(&kc);

    dk_buf_release(&got);
    dk_buf_release(&red);
    free(args);
    free(info);
    free(script);
    free(plugin);
    free(certplug);
    free(failplug);
    free(path);
}

static void test_in_cluster(void)
{
    struct dk_kubeconfig kc;
    struct dk_kubeconfig_opts o;
    struct dk_err err = DK_ERR_INIT;
    char *sa = dk_xasprintf("%s/sa", tmp);
    char *home = dk_xasprintf("%s/home", tmp);

    free(put("sa/token", "sa-token-xyz\n", 0600));
    free(put("sa/ca.crt", "PEMCA", 0600));
    free(put("sa/namespace", "apps\n", 0600));
    setenv("HOME", home, 1);
    setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
    dk_kubeconfig_opts_init(&o);
    o.sa_dir = sa;
    dk_kubeconfig_init(&kc);
    ok(dk_kubeconfig_load(&kc, &o, &err) == 0, "kubeconfig: in-cluster (%s)", err.msg);
    is_int(kc.in_cluster, 1, "kubeconfig: in-cluster flagged");
    is_str(kc.server, "https://[fd00::1]:6443", "kubeconfig: IPv6 host bracketed");
    is_str(kc.token, "sa-token-xyz", "kubeconfig: service account token");
    is_str(kc.ca_data.buf, "PEMCA", "kubeconfig: service account CA");
    is_str(kc.namespace, "apps", "kubeconfig: service account namespace");
    dk_kubeconfig_release(&kc);

    o.no_in_cluster = 1;
    dk_kubeconfig_init(&kc);
    ok(dk_kubeconfig_load(&kc, &o, &err) < 0 && err.code == DK_E_NOTFOUND,
       "kubeconfig: nothing found without in-cluster (%s)", err.msg);
    dk_kubeconfig_release(&kc);
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    free(sa);
    free(home);
}

/* pat with @F replaced by file and @T by the test directory. */
static char *subst(const char *pat, const char *file)
{
    struct dk_buf b = DK_BUF_INIT;

    for (; *pat; pat++) {
        if (pat[0] == '@' && pat[1] == 'F')
            dk_buf_add(&b, file), pat++;
        else if (pat[0] == '@' && pat[1] == 'T')
            dk_buf_add(&b, tmp), pat++;
        else
            dk_buf_addch(&b, *pat);
    }
    return dk_buf_detach(&b, NULL);
}

/* Bad files: DK_E_INPUT, a message naming the file and the problem, never the secrets. */
static void test_bad_files(void)
{
    static const struct {
        const char *name, *text, *want;
    } cases[] = {
        {"badk/yaml", "users:\n- name: u\n  user: {token: \"leak-tok-9876\n",
         "invalid YAML in '@F' at line 4"},
        {"badk/list", "- leak-tok-9876\n", "kubeconfig '@F': not a mapping"},
        {"badk/keydata",
         "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h'}\n"
         "contexts:\n- name: a\n  context: {cluster: c, user: u}\n"
         "users:\n- name: u\n  user: {client-certificate-data: Q0VSVA==, "
         "client-key-data: 'leak-tok-9876!!'}\n",
         "kubeconfig '@F': client-key-data is not valid base64"},
        {"badk/keyfile",
         "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h'}\n"
         "contexts:\n- name: a\n  context: {cluster: c, user: u}\n"
         "users:\n- name: u\n  user: {token: leak-tok-9876, client-certificate-data: "
         "Q0VSVA==, client-key: keys/missing.key}\n",
         "kubeconfig '@F': cannot read client key '@T/badk/keys/missing.key': No such file"},
        {"badk/noserver",
         "current-context: a\nclusters:\n- name: c\n  cluster: {insecure-skip-tls-verify: true}\n"
         "contexts:\n- name: a\n  context: {cluster: c, user: u}\n"
         "users:\n- name: u\n  user: {token: leak-tok-9876}\n",
         "kubeconfig '@F': cluster 'c' has no server"},
        {"badk/tokenfile",
         "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h'}\n"
         "contexts:\n- name: a\n  context: {cluster: c, user: u}\n"
         "users:\n- name: u\n  user: {tokenFile: /nonexistent/leak-tok}\n",
         "kubeconfig '@F': cannot read token file '/nonexistent/leak-tok'"},
        {"badk/nocluster",
         "current-context: a\nclusters: []\n"
         "contexts:\n- name: a\n  context: {cluster: gone, user: u}\n"
         "users:\n- name: u\n  user: {token: leak-tok-9876}\n",
         "kubeconfig '@F': cluster 'gone' not found"},
        {"badk/authprovider",
         "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h'}\n"
         "contexts:\n- name: a\n  context: {cluster: c, user: u}\n"
         "users:\n- name: u\n  user:\n    auth-provider: {name: gcp, config: {access-token: "
         "leak-tok-9876}}\n",
         "kubeconfig '@F': user 'u': auth-provider is not supported"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dk_kubeconfig kc;
        struct dk_err err;
        char *path = put(cases[i].name, cases[i].text, 0600);
        char *want = subst(cases[i].want, path);

        ok(load_file(&kc, path, NULL, &err) < 0, "kubeconfig: %s fails", cases[i].name);
        is_int(err.code, DK_E_INPUT, "kubeconfig: %s is an input error", cases[i].name);
        ok(strstr(err.msg, want) != NULL, "kubeconfig: %s: the file and the problem (%s)",
           cases[i].name, err.msg);
        ok(!strstr(err.msg, "leak-tok-9876"), "kubeconfig: %s: no secret in the message",
           cases[i].name);
        dk_kubeconfig_release(&kc);
        free(want);
        free(path);
    }
}

/* Client certificate files, with a token, and proxy-url credentials. */
static void test_cert_files_and_proxy(void)
{
    struct dk_kubeconfig kc;
    struct dk_err err;
    struct dk_buf red = DK_BUF_INIT;
    char *crt = put("cf/pki/client.crt", "-----BEGIN CERTIFICATE-----\nCLIENT\n", 0644);
    char *key = put("cf/pki/client.key", "-----BEGIN PRIVATE KEY-----\nKEYKEY\n", 0600);
    char *path = put("cf/config",
                     "current-context: a\n"
                     "clusters:\n- name: c\n  cluster:\n    server: 'https://h:6443'\n"
                     "    proxy-url: 'http://proxyuser:pr0xy-s3cret@proxy.example:3128'\n"
                     "contexts:\n- name: a\n  context: {cluster: c, user: u}\n"
                     "users:\n- name: u\n  user:\n    client-certificate: pki/client.crt\n"
                     "    client-key: pki/client.key\n    token: with-a-token-1\n",
                     0600);

    ok(load_file(&kc, path, NULL, &err) == 0, "kubeconfig: client certificate files (%s)", err.msg);
    is_str(kc.cert_data.buf, "-----BEGIN CERTIFICATE-----\nCLIENT\n",
           "kubeconfig: client-certificate read, relative to the file");
    is_str(kc.key_data.buf, "-----BEGIN PRIVATE KEY-----\nKEYKEY\n", "kubeconfig: client-key read");
    is_str(kc.token, "with-a-token-1", "kubeconfig: the token is kept beside the certificate");
    is_str(kc.proxy_url, "http://proxyuser:pr0xy-s3cret@proxy.example:3128",
           "kubeconfig: proxy-url with credentials");
    dk_redact(&red, "proxy pr0xy-s3cret key -----BEGIN PRIVATE KEY-----\nKEYKEY\n");
    ok(!strstr(red.buf, "pr0xy-s3cret") && !strstr(red.buf, "KEYKEY"),
       "kubeconfig: proxy password and client key are registered as secrets (%s)", red.buf);
    dk_buf_release(&red);
    dk_kubeconfig_release(&kc);
    free(crt);
    free(key);
    free(path);
}

/* An exec plugin whose output is broken does not put its token in the message. */
static void test_exec_bad_output(void)
{
    struct dk_kubeconfig kc;
    struct dk_err err;
    char *plug = put("eb/plugin",
                     "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                     "\"status\":{\"token\":\"leak-tok-9876\"'\n",
                     0755);
    char *path = put("eb/config",
                     "current-context: a\n"
                     "clusters:\n- name: c\n  cluster: {server: 'https://h'}\n"
                     "contexts:\n- name: a\n  context: {cluster: c, user: u}\n"
                     "users:\n- name: u\n  user:\n    exec:\n"
                     "      apiVersion: client.authentication.k8s.io/v1\n"
                     "      command: ./plugin\n",
                     0600);

    ok(load_file(&kc, path, NULL, &err) < 0, "kubeconfig: broken exec plugin output fails");
    is_int(err.code, DK_E_AUTH, "kubeconfig: as an auth error");
    ok(strstr(err.msg, path) && strstr(err.msg, "exec plugin output"),
       "kubeconfig: names the file and the plugin output (%s)", err.msg);
    ok(!strstr(err.msg, "leak-tok-9876"), "kubeconfig: the token is not in the message");
    dk_kubeconfig_release(&kc);
    free(plug);
    free(path);
}

/* DK_KUBECONFIG and DK_KUBE_CONTEXT stand in for --kubeconfig and --kube-context. */
static void test_env_flags(void)
{
    struct dk_kubeconfig kc;
    struct dk_kubeconfig_opts o;
    struct dk_err err = DK_ERR_INIT;
    char *ca = put("envf/certs/ca.pem", "-----BEGIN CERTIFICATE-----\nCA\n", 0644);
    char *path = put("envf/config", base_cfg, 0600);
    char *other = put("envf/other", "current-context: nope\n", 0600);

    setenv("DK_KUBECONFIG", path, 1);
    setenv("DK_KUBE_CONTEXT", "nons", 1);
    setenv("KUBECONFIG", other, 1);
    dk_kubeconfig_opts_init(&o);
    o.no_in_cluster = 1;
    dk_kubeconfig_init(&kc);
    ok(dk_kubeconfig_load(&kc, &o, &err) == 0, "kubeconfig: DK_KUBECONFIG (%s)", err.msg);
    is_str(kc.source, path, "kubeconfig: DK_KUBECONFIG wins over KUBECONFIG");
    is_str(kc.context, "nons", "kubeconfig: DK_KUBE_CONTEXT replaces current-context");
    dk_kubeconfig_release(&kc);
    o.context = "dev";
    dk_kubeconfig_init(&kc);
    ok(dk_kubeconfig_load(&kc, &o, &err) == 0 && kc.context && !strcmp(kc.context, "dev"),
       "kubeconfig: --kube-context wins over DK_KUBE_CONTEXT");
    dk_kubeconfig_release(&kc);
    unsetenv("DK_KUBECONFIG");
    unsetenv("DK_KUBE_CONTEXT");
    unsetenv("KUBECONFIG");
    free(ca);
    free(path);
    free(other);
}

int main(void)
{
    struct dk_err err = DK_ERR_INIT;

    dk_log_init("t-kubeconfig", DK_LOG_QUIET);
    unsetenv("KUBECONFIG");
    unsetenv("DK_KUBECONFIG");
    unsetenv("DK_KUBE_CONTEXT");
    unsetenv("DK_KUBE_CONFIG_BASE64");
    unsetenv("KUBERNETES_SERVICE_HOST");
    tmp = dk_fs_mkdtemp("t-kubeconfig", &err);
    if (!tmp) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    test_file();
    test_merge();
    test_base64_env();
    test_token_file_and_certs();
    test_exec();
    test_in_cluster();
    test_bad_files();
    test_cert_files_and_proxy();
    test_exec_bad_output();
    test_env_flags();
    dk_fs_rmtree(tmp);
    free(tmp);
    return tap_done();
}
