/* Unit tests for common/auth.c: config.json lookups in a temporary DOCKER_CONFIG, credential
 * helpers through a fake docker-credential-fake put first in PATH, source precedence, login and
 * logout, and errors that name the file or helper without showing a secret. */
#include "dk/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dk/base64.h"
#include "dk/log.h"
#include "tap.h"

/* A credential helper that keeps "url<TAB>user<TAB>secret" lines in $FAKE_STORE and appends
 * each verb and its stdin to $FAKE_STORE.log. FAKE_FAIL=echo makes it fail quoting its stdin;
 * FAKE_FAIL=json makes it fail after printing a credential. */
static const char fake_helper[] =
    "#!/bin/sh\n"
    "store=${FAKE_STORE:?}\n"
    "touch \"$store\"\n"
    "input=$(cat)\n"
    "printf '%s %s\\n' \"$1\" \"$input\" >>\"$store.log\"\n"
    "case \"${FAKE_FAIL:-}\" in\n"
    "echo) echo \"fake helper broke on: $input\" >&2; exit 1 ;;\n"
    "json) echo '{\"ServerURL\":\"x\",\"Username\":\"u\",\"Secret\":\"leaky-secret-value\"}';"
    " exit 3 ;;\n"
    "esac\n"
    "field() { printf '%s' \"$input\" | sed -n \"s/.*\\\"$1\\\":\\\"\\([^\\\"]*\\)\\\".*/\\1/p\"; "
    "}\n"
    "notfound() { echo 'credentials not found in native keychain'; exit 1; }\n"
    "case \"$1\" in\n"
    "get)\n"
    "    line=$(awk -F '\\t' -v u=\"$input\" '$1 == u' \"$store\" | tail -n 1)\n"
    "    [ -n \"$line\" ] || notfound\n"
    "    user=$(printf '%s' \"$line\" | cut -f 2)\n"
    "    secret=$(printf '%s' \"$line\" | cut -f 3)\n"
    "    printf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}\\n' \"$input\" "
    "\"$user\" \"$secret\"\n"
    "    ;;\n"
    "store)\n"
    "    url=$(field ServerURL); user=$(field Username); secret=$(field Secret)\n"
    "    awk -F '\\t' -v u=\"$url\" '$1 != u' \"$store\" >\"$store.new\"\n"
    "    printf '%s\\t%s\\t%s\\n' \"$url\" \"$user\" \"$secret\" >>\"$store.new\"\n"
    "    mv \"$store.new\" \"$store\"\n"
    "    ;;\n"
    "erase)\n"
    "    awk -F '\\t' -v u=\"$input\" '$1 == u {f = 1} END {exit !f}' \"$store\" || notfound\n"
    "    awk -F '\\t' -v u=\"$input\" '$1 != u' \"$store\" >\"$store.new\"\n"
    "    mv \"$store.new\" \"$store\"\n"
    "    ;;\n"
    "list)\n"
    "    awk -F '\\t' 'BEGIN {printf \"{\"} {printf \"%s\\\"%s\\\":\\\"%s\\\"\", NR > 1 ? \",\" : "
    "\"\", $1, $2} END {print \"}\"}' \"$store\"\n"
    "    ;;\n"
    "*) echo \"unknown verb $1\" >&2; exit 1 ;;\n"
    "esac\n";

static char tmp[64];
static char cfgdir[128], cfg[160], store[160], podman[160];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        printf("# cannot write %s\n", path);
        return;
    }
    fputs(text, f);
    fclose(f);
}

static char *read_text(const char *path)
{
    struct dk_buf b = DK_BUF_INIT;

    if (dk_buf_read_file(&b, path) < 0) {
        dk_buf_release(&b);
        return NULL;
    }
    return dk_buf_detach(&b, NULL);
}

static int file_mode(const char *path)
{
    struct stat st;

    return stat(path, &st) < 0 ? -1 : (int)(st.st_mode & 07777);
}

static char *b64(const char *s)
{
    return dk_base64_encode(s, strlen(s));
}

/* Writes the Docker config: the JSON text with AUTH(x) meaning base64 of "x". */
static void config(const char *text)
{
    write_file(cfg, text);
}

static void clear_store(void)
{
    char log[200];

    snprintf(log, sizeof(log), "%s.log", store);
    unlink(store);
    unlink(log);
}

/* Looks registry up; returns rc and fills user/secret copies (or "-"). */
static int look(const char *registry, char *user, char *secret, int *identity, struct dk_err *err)
{
    struct dk_cred c;
    int rc = dk_auth_lookup(registry, &c, err);

    snprintf(user, 64, "%s", rc == 1 ? c.username : "-");
    snprintf(secret, 64, "%s", rc == 1 ? c.secret : "-");
    if (identity)
        *identity = rc == 1 ? c.identity_token : -1;
    dk_cred_release(&c);
    return rc;
}

static void setup(void)
{
    char bin[128], helper[160], path[4096];
    const char *old = getenv("PATH");

    snprintf(tmp, sizeof(tmp), "/tmp/dk-t-auth.XXXXXX");
    if (!mkdtemp(tmp)) {
        printf("Bail out! cannot create a temporary directory\n");
        exit(1);
    }
    snprintf(bin, sizeof(bin), "%s/bin", tmp);
    mkdir(bin, 0755);
    snprintf(helper, sizeof(helper), "%s/docker-credential-fake", bin);
    write_file(helper, fake_helper);
    chmod(helper, 0755);
    snprintf(path, sizeof(path), "%s:%s", bin, old ? old : "/usr/bin:/bin");
    setenv("PATH", path, 1);

    snprintf(cfgdir, sizeof(cfgdir), "%s/docker", tmp);
    mkdir(cfgdir, 0700);
    snprintf(cfg, sizeof(cfg), "%s/config.json", cfgdir);
    snprintf(store, sizeof(store), "%s/store", tmp);
    snprintf(podman, sizeof(podman), "%s/auth.json", tmp);
    setenv("DOCKER_CONFIG", cfgdir, 1);
    setenv("FAKE_STORE", store, 1);
    setenv("HOME", tmp, 1);
    unsetenv("DOCKER_AUTH_CONFIG");
    unsetenv("REGISTRY_AUTH_FILE");
    unsetenv("XDG_RUNTIME_DIR");
    unsetenv("FAKE_FAIL");
}

static void teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmp);
}

static void test_paths(void)
{
    struct dk_buf b = DK_BUF_INIT;
    char want[200];

    snprintf(want, sizeof(want), "%s/config.json", cfgdir);
    is_str(dk_auth_config_path(&b), want, "auth: config path from DOCKER_CONFIG");
    unsetenv("DOCKER_CONFIG");
    snprintf(want, sizeof(want), "%s/.docker/config.json", tmp);
    is_str(dk_auth_config_path(&b), want, "auth: config path from HOME");
    unsetenv("HOME");
    ok(dk_auth_config_path(&b) == NULL, "auth: no config path without DOCKER_CONFIG and HOME");
    setenv("HOME", tmp, 1);
    setenv("DOCKER_CONFIG", cfgdir, 1);
    dk_buf_release(&b);
}

static void test_auths(void)
{
    struct dk_err err = DK_ERR_INIT;
    char user[64], secret[64], text[2048];
    char *a1 = b64("alice:pw-one"), *a2 = b64("bob:pw-two"), *a3 = b64("hub:pw-hub");
    char *a4 = b64("carol:ignored-pw");
    int id;

    unlink(cfg);
    is_int(look("reg.example.com", user, secret, &id, &err), 0, "auth: no config is anonymous");

    snprintf(text, sizeof(text),
             "{\"auths\": {\"reg.example.com:5000\": {\"auth\": \"%s\"},"
             " \"https://reg2.example.com/v1/\": {\"auth\": \"%s\"},"
             " \"https://index.docker.io/v1/\": {\"auth\": \"%s\"},"
             " \"plain.example.com\": {\"username\": \"dave\", \"password\": \"pw-plain\"},"
             " \"tok.example.com\": {\"auth\": \"%s\", \"identitytoken\": \"refresh-tok-1\"},"
             " \"empty.example.com\": {}},"
             " \"currentContext\": \"default\"}",
             a1, a2, a3, a4);
    config(text);

    ok(look("reg.example.com:5000", user, secret, &id, &err) == 1 && !strcmp(user, "alice") &&
           !strcmp(secret, "pw-one") && id == 0,
       "auth: auths entry by host:port");
    ok(look("https://reg.example.com:5000/v2/", user, secret, NULL, &err) == 1 &&
           !strcmp(user, "alice"),
       "auth: the registry argument may carry a scheme and path");
    is_int(look("reg.example.com", user, secret, NULL, &err), 0,
           "auth: a different port is a different registry");
    ok(look("reg2.example.com", user, secret, NULL, &err) == 1 && !strcmp(user, "bob") &&
           !strcmp(secret, "pw-two"),
       "auth: auths key in https://host/v1/ form");
    ok(look("docker.io", user, secret, NULL, &err) == 1 && !strcmp(user, "hub"),
       "auth: docker.io finds https://index.docker.io/v1/");
    ok(look("index.docker.io", user, secret, NULL, &err) == 1 && !strcmp(user, "hub"),
       "auth: index.docker.io is docker.io");
    ok(look("registry-1.docker.io", user, secret, NULL, &err) == 1 && !strcmp(user, "hub"),
       "auth: registry-1.docker.io is docker.io");
    ok(look("plain.example.com", user, secret, &id, &err) == 1 && !strcmp(user, "dave") &&
           !strcmp(secret, "pw-plain") && id == 0,
       "auth: username and password fields");
    ok(look("tok.example.com", user, secret, &id, &err) == 1 && !strcmp(user, "carol") &&
           !strcmp(secret, "refresh-tok-1") && id == 1,
       "auth: identitytoken replaces the password");
    is_int(look("empty.example.com", user, secret, NULL, &err), 0,
           "auth: an empty entry is anonymous");
    is_int(look("other.example.com", user, secret, NULL, &err), 0,
           "auth: an unknown host is anonymous");

    {
        struct dk_buf red = DK_BUF_INIT;

        dk_redact(&red, "sent pw-one and refresh-tok-1 and a1");
        is_str(red.buf, "sent *** and *** and a1",
               "auth: secrets found are registered for "
               "redaction");
        dk_buf_release(&red);
    }

    config("{\"auths\": {\"docker.io\": {\"auth\": \"aHViMjpwdzI=\"}}}");
    ok(look("registry-1.docker.io", user, secret, NULL, &err) == 1 && !strcmp(user, "hub2") &&
           !strcmp(secret, "pw2"),
       "auth: a plain docker.io key serves Docker Hub too");
    free(a1);
    free(a2);
    free(a3);
    free(a4);
}

static void test_bad_config(void)
{
    struct dk_err err = DK_ERR_INIT;
    char user[64], secret[64], want[256];

    config("{\"auths\": {\"reg.io\": {\"auth\": \"x\"}");
    snprintf(want, sizeof(want), "cannot parse '%s': invalid JSON", cfg);
    ok(look("reg.io", user, secret, NULL, &err) < 0 && err.code == DK_E_INPUT &&
           strstr(err.msg, want),
       "auth: malformed config.json is an input error naming the file");
    if (!strstr(err.msg, want))
        printf("#   got: %s\n", err.msg);

    config("[1, 2]");
    ok(look("reg.io", user, secret, NULL, &err) < 0 && err.code == DK_E_INPUT &&
           strstr(err.msg, "not a JSON object"),
       "auth: a config that is not an object is refused");

    config("{\"auths\": {\"reg.io\": {\"auth\": \"bm8tY29sb24=\"}}}");
    ok(look("reg.io", user, secret, NULL, &err) < 0 && err.code == DK_E_INPUT &&
           strstr(err.msg, "auths entry 'reg.io'") && strstr(err.msg, cfg),
       "auth: an auth without ':' is an input error naming entry and file");

    config("{\"auths\": {\"reg.io\": {\"auth\": \"!!!\"}, \"ok.io\": {\"auth\": \"YTpi\"}}}");
    ok(look("reg.io", user, secret, NULL, &err) < 0 && err.code == DK_E_INPUT,
       "auth: an auth that is not base64 is an input error");
    ok(look("ok.io", user, secret, NULL, &err) == 1,
       "auth: a broken entry does not spoil the others");

    config("{\"auths\": [\"reg.io\"]}");
    ok(look("reg.io", user, secret, NULL, &err) < 0 && strstr(err.msg, "invalid 'auths'"),
       "auth: auths that is not an object is refused");

    config("");
    is_int(look("reg.io", user, secret, NULL, &err), 0, "auth: an empty file is an empty config");

    chmod(cfg, 0);
    if (access(cfg, R_OK) == 0) {
        ok(1, "auth: unreadable config # skip running as root");
    } else {
        ok(look("reg.io", user, secret, NULL, &err) < 0 && err.code == DK_E_IO &&
               strstr(err.msg, "cannot read"),
           "auth: an unreadable config is an I/O error");
    }
    chmod(cfg, 0600);

    config("{}");
    setenv("REGISTRY_AUTH_FILE", tmp, 1);
    ok(look("reg.io", user, secret, NULL, &err) < 0 && err.code == DK_E_IO &&
           strstr(err.msg, "cannot read '") && strstr(err.msg, tmp),
       "auth: an auth file that cannot be read is an I/O error naming it");
    unsetenv("REGISTRY_AUTH_FILE");
}

static void test_helpers(void)
{
    struct dk_err err = DK_ERR_INIT;
    char user[64], secret[64], text[1024], *log;
    char logpath[200];
    char *a = b64("file-user:file-pw");
    int id;

    snprintf(logpath, sizeof(logpath), "%s.log", store);
    clear_store();
    write_file(store, "reg.io\thelper-user\thelper-pw\n"
                      "https://index.docker.io/v1/\thub-helper\thub-helper-pw\n"
                      "tok.io\t<token>\thelper-refresh-tok\n");
    snprintf(text, sizeof(text),
             "{\"credsStore\": \"fake\", \"auths\": {\"reg.io\": {\"auth\": \"%s\"},"
             " \"fallback.io\": {\"auth\": \"%s\"}}}",
             a, a);
    config(text);

    ok(look("reg.io", user, secret, &id, &err) == 1 && !strcmp(user, "helper-user") &&
           !strcmp(secret, "helper-pw") && id == 0,
       "auth: credsStore comes before auths");
    ok(look("docker.io", user, secret, NULL, &err) == 1 && !strcmp(user, "hub-helper"),
       "auth: helper is asked for docker.io as https://index.docker.io/v1/");
    log = read_text(logpath);
    ok(log && strstr(log, "get https://index.docker.io/v1/") && strstr(log, "get reg.io"),
       "auth: helper got the server URL on stdin");
    free(log);
    ok(look("tok.io", user, secret, &id, &err) == 1 && !strcmp(user, "") &&
           !strcmp(secret, "helper-refresh-tok") && id == 1,
       "auth: helper user '<token>' marks an identity token");
    ok(look("fallback.io", user, secret, NULL, &err) == 1 && !strcmp(user, "file-user"),
       "auth: helper 'credentials not found' falls back to auths");
    is_int(look("none.io", user, secret, NULL, &err), 0,
           "auth: helper 'credentials not found' and no entry is anonymous");

    snprintf(text, sizeof(text),
             "{\"credsStore\": \"missing\", \"credHelpers\": {\"reg.io\": \"fake\"},"
             " \"auths\": {\"reg.io\": {\"auth\": \"%s\"}}}",
             a);
    config(text);
    ok(look("reg.io", user, secret, NULL, &err) == 1 && !strcmp(user, "helper-user"),
       "auth: credHelpers[host] comes before credsStore and auths");
    ok(look("other.io", user, secret, NULL, &err) < 0 && err.code == DK_E_AUTH &&
           strstr(err.msg, "credential helper 'docker-credential-missing' not found in PATH "
                           "(configured in '"),
       "auth: a missing helper is an auth error naming it");

    config("{\"credHelpers\": {\"https://index.docker.io/v1/\": \"fake\"}}");
    ok(look("docker.io", user, secret, NULL, &err) == 1 && !strcmp(user, "hub-helper"),
       "auth: credHelpers keys are matched by host too");

    config("{\"credsStore\": \"../fake\"}");
    ok(look("reg.io", user, secret, NULL, &err) < 0 && err.code == DK_E_INPUT &&
           strstr(err.msg, "invalid credential helper '../fake'"),
       "auth: a helper name with '/' is refused");

    config("{\"credsStore\": \"fake\"}");
    setenv("FAKE_FAIL", "json", 1);
    ok(look("reg.io", user, secret, NULL, &err) < 0 && err.code == DK_E_AUTH &&
           strstr(err.msg, "credential helper 'docker-credential-fake' failed to get "
                           "credentials for 'reg.io' (exit status 3)") &&
           !strstr(err.msg, "leaky-secret-value"),
       "auth: a failing helper is an auth error without the secret it printed");
    if (strstr(err.msg, "leaky-secret-value") || !strstr(err.msg, "exit status 3"))
        printf("#   got: %s\n", err.msg);
    setenv("FAKE_FAIL", "echo", 1);
    ok(look("reg.io", user, secret, NULL, &err) < 0 && err.code == DK_E_AUTH &&
           strstr(err.msg, "fake helper broke on: reg.io"),
       "auth: a failing helper's stderr is quoted");
    unsetenv("FAKE_FAIL");
    free(a);
}

static void test_sources(void)
{
    struct dk_err err = DK_ERR_INIT;
    char user[64], secret[64], xdg[128], xdgfile[200];

    config("{\"auths\": {\"both.io\": {\"username\": \"docker-u\", \"password\": \"docker-pw\"},"
           " \"docker.only\": {\"username\": \"d2\", \"password\": \"d2-pw\"}}}");
    setenv("DOCKER_AUTH_CONFIG",
           "{\"auths\": {\"both.io\": {\"username\": \"env-u\", \"password\": \"env-pw\"}}}", 1);
    ok(look("both.io", user, secret, NULL, &err) == 1 && !strcmp(user, "env-u"),
       "auth: DOCKER_AUTH_CONFIG comes before the docker config");
    ok(look("docker.only", user, secret, NULL, &err) == 1 && !strcmp(user, "d2"),
       "auth: the docker config answers what DOCKER_AUTH_CONFIG lacks");
    setenv("DOCKER_AUTH_CONFIG", "{not json", 1);
    ok(look("both.io", user, secret, NULL, &err) < 0 && err.code == DK_E_INPUT &&
           strstr(err.msg, "cannot parse DOCKER_AUTH_CONFIG"),
       "auth: malformed DOCKER_AUTH_CONFIG is an input error naming it");
    unsetenv("DOCKER_AUTH_CONFIG");

    write_file(podman, "{\"auths\": {\"both.io\": {\"auth\": \"cG9kOnBvZC1wdw==\"},"
                       " \"podman.only\": {\"auth\": \"cG9kOnBvZC1wdw==\"}}}");
    setenv("REGISTRY_AUTH_FILE", podman, 1);
    ok(look("both.io", user, secret, NULL, &err) == 1 && !strcmp(user, "docker-u"),
       "auth: the docker config comes before REGISTRY_AUTH_FILE");
    ok(look("podman.only", user, secret, NULL, &err) == 1 && !strcmp(user, "pod") &&
           !strcmp(secret, "pod-pw"),
       "auth: REGISTRY_AUTH_FILE answers what the docker config lacks");
    unsetenv("REGISTRY_AUTH_FILE");
    is_int(look("podman.only", user, secret, NULL, &err), 0,
           "auth: without REGISTRY_AUTH_FILE the podman file is not read");

    snprintf(xdg, sizeof(xdg), "%s/xdg", tmp);
    snprintf(xdgfile, sizeof(xdgfile), "%s/containers", xdg);
    mkdir(xdg, 0700);
    mkdir(xdgfile, 0700);
    snprintf(xdgfile, sizeof(xdgfile), "%s/containers/auth.json", xdg);
    write_file(xdgfile, "{\"auths\": {\"xdg.io\": {\"auth\": \"eDp4ZGctcHc=\"}}}");
    setenv("XDG_RUNTIME_DIR", xdg, 1);
    ok(look("xdg.io", user, secret, NULL, &err) == 1 && !strcmp(user, "x"),
       "auth: $XDG_RUNTIME_DIR/containers/auth.json is read");
    unsetenv("XDG_RUNTIME_DIR");
}

static void test_login_logout(void)
{
    struct dk_err err = DK_ERR_INIT;
    char user[64], secret[64], nested[160], *text, *want;
    char logpath[200];

    /* A DOCKER_CONFIG that does not exist yet is created 0700. */
    snprintf(nested, sizeof(nested), "%s/new/docker", tmp);
    setenv("DOCKER_CONFIG", nested, 1);
    ok(dk_auth_login("reg.io:5000", "u1", "login-pw-1", &err) == 0,
       "auth: login into a missing config directory");
    is_int(file_mode(nested), 0700, "auth: login creates the directory 0700");
    setenv("DOCKER_CONFIG", cfgdir, 1);

    config("{\n\t\"auths\": {\n\t\t\"other.io\": {\"auth\": \"bzpvLXB3\"},\n"
           "\t\t\"https://reg.io/v1/\": {\"auth\": \"b2xkOm9sZC1wdw==\"}\n\t},\n"
           "\t\"currentContext\": \"desktop\",\n\t\"proxies\": {\"default\": {}}\n}\n");
    chmod(cfg, 0644);
    ok(dk_auth_login("reg.io", "new-user", "login-pw-2", &err) == 0, "auth: login writes auths");
    is_int(file_mode(cfg), 0600, "auth: login leaves the file 0600");
    text = read_text(cfg);
    want = b64("new-user:login-pw-2");
    ok(text && strstr(text, "\"currentContext\":\t\"desktop\"") && strstr(text, "\"proxies\"") &&
           strstr(text, "\"other.io\"") && strstr(text, want) && !strstr(text, "https://reg.io"),
       "auth: login keeps other keys and replaces the old entry for the host");
    free(want);
    free(text);
    ok(look("reg.io", user, secret, NULL, &err) == 1 && !strcmp(user, "new-user") &&
           !strcmp(secret, "login-pw-2"),
       "auth: lookup finds what login stored");

    ok(dk_auth_login("docker.io", "hubby", "hub-login-pw", &err) == 0, "auth: login to docker.io");
    text = read_text(cfg);
    ok(text && strstr(text, "\"https://index.docker.io/v1/\""),
       "auth: docker.io is stored under https://index.docker.io/v1/");
    free(text);

    ok(dk_auth_login("reg.io", "a:b", "pw-xxxx", &err) < 0 && err.code == DK_E_INPUT &&
           strstr(err.msg, "contains ':'"),
       "auth: a user name with ':' is refused");

    is_int(dk_auth_logout("reg.io", &err), 1, "auth: logout removes the entry");
    is_int(look("reg.io", user, secret, NULL, &err), 0, "auth: after logout lookup is anonymous");
    is_int(dk_auth_logout("reg.io", &err), 0, "auth: logout again finds nothing");
    text = read_text(cfg);
    ok(text && strstr(text, "\"other.io\"") && strstr(text, "currentContext"),
       "auth: logout keeps the rest");
    free(text);

    /* With a helper configured, login and logout go through it. */
    clear_store();
    snprintf(logpath, sizeof(logpath), "%s.log", store);
    config("{\"credsStore\": \"fake\", \"auths\": {}}");
    ok(dk_auth_login("helper.io", "hu", "helper-login-pw", &err) == 0,
       "auth: login through the helper");
    text = read_text(cfg);
    ok(text && !strstr(text, "helper.io"), "auth: login through a helper leaves the file alone");
    free(text);
    text = read_text(logpath);
    ok(text && strstr(text, "store {\"ServerURL\":\"helper.io\",\"Username\":\"hu\","
                            "\"Secret\":\"helper-login-pw\"}"),
       "auth: the helper got the store JSON on stdin");
    free(text);
    ok(look("helper.io", user, secret, NULL, &err) == 1 && !strcmp(secret, "helper-login-pw"),
       "auth: lookup finds what the helper stored");
    is_int(dk_auth_logout("helper.io", &err), 1, "auth: logout erases through the helper");
    is_int(look("helper.io", user, secret, NULL, &err), 0, "auth: erased from the helper");
    is_int(dk_auth_logout("helper.io", &err), 0,
           "auth: helper 'credentials not found' on erase is nothing to remove");

    setenv("FAKE_FAIL", "echo", 1);
    ok(dk_auth_login("helper.io", "hu", "never-shown-pw", &err) < 0 && err.code == DK_E_AUTH &&
           strstr(err.msg, "docker-credential-fake") && strstr(err.msg, "failed to store") &&
           !strstr(err.msg, "never-shown-pw"),
       "auth: a failing store names the helper, not the password");
    if (strstr(err.msg, "never-shown-pw"))
        printf("#   got: %s\n", err.msg);
    unsetenv("FAKE_FAIL");

    config("{\"auths\": ");
    ok(dk_auth_login("reg.io", "u", "pw-zzzz", &err) < 0 && err.code == DK_E_INPUT &&
           strstr(err.msg, cfg),
       "auth: login refuses to overwrite a malformed config");
}

static void test_symlink(void)
{
    struct dk_err err = DK_ERR_INIT;
    char target[200];
    struct stat st;

    snprintf(target, sizeof(target), "%s/real-config.json", tmp);
    write_file(target, "{\"auths\": {}}");
    unlink(cfg);
    if (symlink(target, cfg) < 0) {
        ok(1, "auth: symlinked config # skip cannot symlink");
        return;
    }
    ok(dk_auth_login("sym.io", "s", "sym-pw-1", &err) == 0 && lstat(cfg, &st) == 0 &&
           S_ISLNK(st.st_mode),
       "auth: login writes through a symlinked config");
    unlink(cfg);
}

static void test_release(void)
{
    struct dk_cred c = DK_CRED_INIT;

    dk_cred_release(&c);
    dk_cred_release(&c);
    ok(!c.username && !c.secret && !c.identity_token, "auth: release of an empty cred is fine");
}

int main(void)
{
    setup();
    test_paths();
    test_auths();
    test_bad_config();
    test_helpers();
    test_sources();
    test_login_logout();
    test_symlink();
    test_release();
    teardown();
    return tap_done();
}
