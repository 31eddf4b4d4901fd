#include "dk/auth.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dk/base64.h"
#include "dk/log.h"
#include "dk/proc.h"

#define DOCKER_HUB     "docker.io"
#define DOCKER_HUB_KEY "https://index.docker.io/v1/"
#define CONFIG_MAX     (4 << 20)
#define HELPER_OUT_MAX (1 << 20)
/* How much of a failing helper's output goes into an error message. */
#define HELPER_QUOTE_MAX 200

/* Overwrites n bytes at p; the volatile pointer keeps the compiler from dropping the stores
 * to memory that is about to be freed. */
static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;

    while (n--)
        *v++ = 0;
}

static void wipe_str(char *s)
{
    if (s)
        wipe(s, strlen(s));
}

static void wipe_buf(struct dk_buf *b)
{
    if (b->alloc)
        wipe(b->buf, b->alloc);
    dk_buf_release(b);
}

/* cJSON trees of config files hold secrets in their strings: wipe them, then free. */
static void wipe_json(cJSON *j)
{
    cJSON *c;

    if (!j)
        return;
    for (c = j; c; c = c->next) {
        wipe_str(c->valuestring);
        wipe_json(c->child);
    }
}

static void json_free(cJSON *j)
{
    wipe_json(j);
    cJSON_Delete(j);
}

void dk_cred_init(struct dk_cred *c)
{
    c->username = NULL;
    c->secret = NULL;
    c->identity_token = 0;
}

void dk_cred_release(struct dk_cred *c)
{
    wipe_str(c->secret);
    free(c->secret);
    free(c->username);
    dk_cred_init(c);
}

static void cred_set(struct dk_cred *c, const char *user, const char *secret, int identity)
{
    dk_cred_release(c);
    c->username = dk_xstrdup(user ? user : "");
    c->secret = dk_xstrdup(secret);
    c->identity_token = identity;
    dk_log_add_secret(secret);
}

const char *dk_auth_config_path(struct dk_buf *out)
{
    const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");

    dk_buf_reset(out);
    if (dir && *dir)
        dk_buf_addf(out, "%s/config.json", dir);
    else if (home && *home)
        dk_buf_addf(out, "%s/.docker/config.json", home);
    else
        return NULL;
    return out->buf;
}

/* The registry a config key or a caller's argument names: scheme and path dropped, Docker
 * Hub's aliases folded into "docker.io". */
static void host_of(const char *s, struct dk_buf *out)
{
    size_t n;

    dk_buf_reset(out);
    if (!strncasecmp(s, "https://", 8))
        s += 8;
    else if (!strncasecmp(s, "http://", 7))
        s += 7;
    n = strcspn(s, "/");
    dk_buf_addn(out, s, n);
    if (!strcasecmp(out->buf, "index.docker.io") || !strcasecmp(out->buf, "registry-1.docker.io") ||
        !strcasecmp(out->buf, DOCKER_HUB)) {
        dk_buf_reset(out);
        dk_buf_add(out, DOCKER_HUB);
    }
}

/* What a credential helper and the auths map are keyed by for host. */
static const char *server_url(const char *host)
{
    return strcmp(host, DOCKER_HUB) ? host : DOCKER_HUB_KEY;
}

/* The member of obj (an object) whose key names host: the key written exactly as `docker
 * login` writes it first, else the first key (in file order) naming the same host. */
static cJSON *find_host(const cJSON *obj, const char *host)
{
    struct dk_buf kh = DK_BUF_INIT;
    cJSON *c, *found = NULL;

    if (!cJSON_IsObject(obj))
        return NULL;
    found = cJSON_GetObjectItemCaseSensitive(obj, server_url(host));
    for (c = obj->child; c && !found; c = c->next) {
        host_of(c->string, &kh);
        if (!strcasecmp(kh.buf, host))
            found = c;
    }
    dk_buf_release(&kh);
    return found;
}

/* A loaded config: the JSON and how messages name it ("'/path'" or DOCKER_AUTH_CONFIG). */
struct source {
    cJSON *json;
    char *label;
};

static void source_release(struct source *src)
{
    json_free(src->json);
    free(src->label);
    src->json = NULL;
    src->label = NULL;
}

static int parse_source(struct source *src, const char *text, struct dk_err *err)
{
    const char *end = NULL;

    if (!text[strspn(text, " \t\r\n")]) {
        src->json = cJSON_CreateObject(); /* an empty file is an empty config */
        return 0;
    }
    src->json = cJSON_ParseWithOpts(text, &end, 1);
    if (!src->json)
        return dk_err_set(err, DK_E_INPUT, "cannot parse %s: invalid JSON at byte %zu", src->label,
                          end && end >= text ? (size_t)(end - text) : (size_t)0);
    if (!cJSON_IsObject(src->json))
        return dk_err_set(err, DK_E_INPUT, "cannot parse %s: not a JSON object", src->label);
    return 0;
}

/* Loads a config file. Returns 1 loaded, 0 when the file does not exist, -1 on error. */
static int load_file(struct source *src, const char *path, struct dk_err *err)
{
    struct dk_buf b;
    int r;

    src->json = NULL;
    src->label = dk_xasprintf("'%s'", path);
    dk_buf_init_max(&b, CONFIG_MAX);
    if (dk_buf_read_file(&b, path) < 0) {
        int e = errno;

        wipe_buf(&b);
        if (e == ENOENT || e == ENOTDIR)
            return 0;
        return dk_err_set(err, DK_E_IO, "cannot read %s: %s", src->label,
                          e == E2BIG ? "larger than 4 MiB" : strerror(e));
    }
    if (memchr(b.buf, '\0', b.len)) {
        wipe_buf(&b);
        return dk_err_set(err, DK_E_INPUT, "cannot parse %s: contains a NUL byte", src->label);
    }
    r = parse_source(src, b.buf, err);
    wipe_buf(&b);
    return r < 0 ? -1 : 1;
}

/* The config's string member key, or NULL; -1 when it is there but not a string. */
static int get_string(const cJSON *obj, const char *key, const char **out, const char *where,
                      const char *label, struct dk_err *err)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

    *out = NULL;
    if (!j || cJSON_IsNull(j))
        return 0;
    if (!cJSON_IsString(j))
        return dk_err_set(err, DK_E_INPUT, "invalid %s in %s: '%s' is not a string", where, label,
                          key);
    *out = j->valuestring;
    return 0;
}

/* The helper configured for host in a config: credHelpers[host], else credsStore, else NULL. */
static int find_helper(const struct source *src, const char *host, const char **helper,
                       struct dk_err *err)
{
    const cJSON *helpers = cJSON_GetObjectItemCaseSensitive(src->json, "credHelpers");
    const cJSON *h = find_host(helpers, host);

    *helper = NULL;
    if (helpers && !cJSON_IsObject(helpers))
        return dk_err_set(err, DK_E_INPUT, "invalid 'credHelpers' in %s: not an object",
                          src->label);
    if (h) {
        if (!cJSON_IsString(h))
            return dk_err_set(err, DK_E_INPUT, "invalid 'credHelpers' in %s: '%s' is not a string",
                              src->label, h->string);
        *helper = h->valuestring;
    } else if (get_string(src->json, "credsStore", helper, "config", src->label, err) < 0) {
        return -1;
    }
    if (*helper && !**helper)
        *helper = NULL;
    /* The name becomes part of a program name looked up in PATH: keep it a plain name. */
    if (*helper && strchr(*helper, '/'))
        return dk_err_set(err, DK_E_INPUT, "invalid credential helper '%s' in %s", *helper,
                          src->label);
    return 0;
}

/* Output of a helper run. */
struct helper_run {
    struct dk_buf out, errout;
    int status; /* as from waitpid() */
};

/* Runs docker-credential-<helper> <verb> with input on stdin and collects its output. Returns
 * 0 when it ran (whatever its exit status), -1 when it could not be started. */
static int run_helper(const char *helper, const char *verb, const char *input, const char *where,
                      struct helper_run *run, struct dk_err *err)
{
    char *prog = dk_xasprintf("docker-credential-%s", helper);
    char *file = dk_proc_find(prog);
    const char *argv[3];
    struct dk_proc_result res;
    int rc;

    dk_proc_result_init(&res, HELPER_OUT_MAX);
    run->status = 0;
    if (!file) {
        rc = dk_err_set(err, DK_E_AUTH,
                        "credential helper '%s' not found in PATH (configured in %s)", prog, where);
        goto out;
    }
    argv[0] = file;
    argv[1] = verb;
    argv[2] = NULL;
    rc = dk_proc_run(argv, input, strlen(input), &res, err);
    if (rc < 0) {
        err->code = DK_E_AUTH;
        dk_err_wrap(err, "credential helper '%s'", prog);
    }
out:
    run->out = res.out;
    run->errout = res.err;
    run->status = res.status;
    if (rc < 0) {
        wipe_buf(&run->out);
        wipe_buf(&run->errout);
    }
    free(file);
    free(prog);
    return rc;
}

static void run_release(struct helper_run *run)
{
    wipe_buf(&run->out);
    wipe_buf(&run->errout);
}

static int run_ok(const struct helper_run *run)
{
    return WIFEXITED(run->status) && WEXITSTATUS(run->status) == 0;
}

/* Helpers say "credentials not found in native keychain" when they have nothing. */
static int run_not_found(const struct helper_run *run)
{
    return strstr(run->out.buf, "credentials not found") ||
           strstr(run->errout.buf, "credentials not found");
}

/* If text is helper JSON with a Secret, registers the secret so that no message shows it. */
static void register_json_secret(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "Secret");

    if (cJSON_IsString(s))
        dk_log_add_secret(s->valuestring);
    json_free(j);
}

/* Sets err for a helper that failed: DK_E_AUTH naming the helper, what it was doing, its exit
 * status and the first line of its output. The output is redacted before it is cut to size,
 * so that no cut leaves part of a secret behind. */
static int helper_failed(const char *helper, const char *doing, const char *host,
                         const struct helper_run *run, struct dk_err *err)
{
    struct dk_buf red = DK_BUF_INIT;
    const char *text;
    char status[64];
    size_t n;

    register_json_secret(run->out.buf);
    dk_redact(&red, run->errout.len ? run->errout.buf : run->out.buf);
    text = red.buf + strspn(red.buf, " \t\r\n");
    n = strcspn(text, "\r\n");
    if (n > HELPER_QUOTE_MAX)
        n = HELPER_QUOTE_MAX;
    if (WIFEXITED(run->status))
        snprintf(status, sizeof(status), "exit status %d", WEXITSTATUS(run->status));
    else if (WIFSIGNALED(run->status))
        snprintf(status, sizeof(status), "killed by signal %d", WTERMSIG(run->status));
    else
        snprintf(status, sizeof(status), "status %d", run->status);
    dk_err_set(
        err, DK_E_AUTH,
        "credential helper 'docker-credential-%s' failed to %s credentials for '%s' (%s)%s%.*s",
        helper, doing, host, status, n ? ": " : "", (int)n, text);
    dk_buf_release(&red);
    return -1;
}

/* `<helper> get`. Returns 1 found, 0 none, -1 error. */
static int helper_get(const char *helper, const char *host, const char *where, struct dk_cred *out,
                      struct dk_err *err)
{
    struct helper_run run;
    char *input = dk_xasprintf("%s\n", server_url(host));
    cJSON *j = NULL;
    const cJSON *user, *secret;
    int rc;

    rc = run_helper(helper, "get", input, where, &run, err);
    free(input);
    if (rc < 0)
        return -1;
    if (!run_ok(&run)) {
        rc = run_not_found(&run) ? 0 : helper_failed(helper, "get", host, &run, err);
        goto out;
    }
    j = cJSON_Parse(run.out.buf);
    user = cJSON_GetObjectItemCaseSensitive(j, "Username");
    secret = cJSON_GetObjectItemCaseSensitive(j, "Secret");
    if (!cJSON_IsObject(j) || (user && !cJSON_IsString(user)) ||
        (secret && !cJSON_IsString(secret))) {
        rc = dk_err_set(err, DK_E_AUTH,
                        "credential helper 'docker-credential-%s' answered 'get' for '%s' with "
                        "invalid JSON",
                        helper, host);
        goto out;
    }
    if (!secret || !*secret->valuestring) {
        rc = 0;
        goto out;
    }
    /* Docker's convention: the user name "<token>" marks an identity token. */
    if (user && !strcmp(user->valuestring, "<token>"))
        cred_set(out, "", secret->valuestring, 1);
    else
        cred_set(out, user ? user->valuestring : "", secret->valuestring, 0);
    rc = 1;
out:
    json_free(j);
    run_release(&run);
    return rc;
}

/* The credential in an auths entry. Returns 1 found, 0 none (an empty entry), -1 error. */
static int entry_cred(const cJSON *entry, const struct source *src, struct dk_cred *out,
                      struct dk_err *err)
{
    const char *auth, *user, *pass, *token;
    char where[300];
    struct dk_buf dec = DK_BUF_INIT;
    char *colon;
    int rc = 0;

    snprintf(where, sizeof(where), "auths entry '%s'", entry->string);
    if (!cJSON_IsObject(entry))
        return dk_err_set(err, DK_E_INPUT, "invalid %s in %s: not an object", where, src->label);
    if (get_string(entry, "auth", &auth, where, src->label, err) < 0 ||
        get_string(entry, "username", &user, where, src->label, err) < 0 ||
        get_string(entry, "password", &pass, where, src->label, err) < 0 ||
        get_string(entry, "identitytoken", &token, where, src->label, err) < 0)
        return -1;

    if (auth && *auth) {
        dk_log_add_secret(auth);
        if (dk_base64_decode(auth, &dec) < 0 || memchr(dec.buf, '\0', dec.len) ||
            !(colon = strchr(dec.buf, ':'))) {
            wipe_buf(&dec);
            return dk_err_set(err, DK_E_INPUT,
                              "invalid %s in %s: 'auth' is not base64 of \"user:password\"", where,
                              src->label);
        }
        *colon = '\0';
        user = dec.buf;
        pass = colon + 1;
    }
    if (token && *token) {
        cred_set(out, user, token, 1);
        rc = 1;
    } else if (pass && *pass) {
        cred_set(out, user, pass, 0);
        rc = 1;
    }
    wipe_buf(&dec);
    return rc;
}

/* Looks host up in one config. Returns 1 found, 0 none, -1 error. */
static int lookup_in(const struct source *src, const char *host, struct dk_cred *out,
                     struct dk_err *err)
{
    const cJSON *auths = cJSON_GetObjectItemCaseSensitive(src->json, "auths");
    const cJSON *entry;
    const char *helper;
    int rc;

    if (find_helper(src, host, &helper, err) < 0)
        return -1;
    if (helper) {
        rc = helper_get(helper, host, src->label, out, err);
        if (rc)
            return rc;
    }
    if (!auths || cJSON_IsNull(auths))
        return 0;
    if (!cJSON_IsObject(auths))
        return dk_err_set(err, DK_E_INPUT, "invalid 'auths' in %s: not an object", src->label);
    entry = find_host(auths, host);
    return entry ? entry_cred(entry, src, out, err) : 0;
}

/* Loads source number i of the lookup order. Returns 1 loaded, 0 absent, -1 error. */
static int load_source(int i, struct source *src, struct dk_err *err)
{
    struct dk_buf path = DK_BUF_INIT;
    const char *env;
    int rc = 0;

    src->json = NULL;
    src->label = NULL;
    switch (i) {
    case 0:
        env = getenv("DOCKER_AUTH_CONFIG");
        if (!env || !*env)
            return 0;
        src->label = dk_xstrdup("DOCKER_AUTH_CONFIG");
        return parse_source(src, env, err) < 0 ? -1 : 1;
    case 1:
        if (dk_auth_config_path(&path))
            rc = load_file(src, path.buf, err);
        break;
    case 2:
        env = getenv("REGISTRY_AUTH_FILE");
        if (env && *env) {
            rc = load_file(src, env, err);
        } else {
            env = getenv("XDG_RUNTIME_DIR");
            if (env && *env) {
                dk_buf_addf(&path, "%s/containers/auth.json", env);
                rc = load_file(src, path.buf, err);
            }
        }
        break;
    }
    dk_buf_release(&path);
    return rc;
}

static int registry_host(const char *registry, struct dk_buf *host, struct dk_err *err)
{
    if (!registry || !*registry)
        return dk_err_set(err, DK_E_INPUT, "invalid registry '': empty");
    host_of(registry, host);
    if (!host->len)
        return dk_err_set(err, DK_E_INPUT, "invalid registry '%s': no host", registry);
    return 0;
}

int dk_auth_lookup(const char *registry, struct dk_cred *out, struct dk_err *err)
{
    struct dk_buf host = DK_BUF_INIT;
    int i, rc = 0;

    dk_cred_init(out);
    if (registry_host(registry, &host, err) < 0)
        return -1;
    for (i = 0; i < 3 && rc == 0; i++) {
        struct source src;

        rc = load_source(i, &src, err);
        if (rc > 0)
            rc = lookup_in(&src, host.buf, out, err);
        source_release(&src);
    }
    dk_buf_release(&host);
    if (rc <= 0)
        dk_cred_release(out);
    return rc;
}

/* mkdir -p with mode 0700 for the directories it creates. */
static int make_dirs(const char *dir, struct dk_err *err)
{
    char *p = dk_xstrdup(dir), *s;
    int rc = 0;

    for (s = p + 1;; s++) {
        if (*s != '/' && *s)
            continue;
        {
            char c = *s;

            *s = '\0';
            if (mkdir(p, 0700) < 0 && errno != EEXIST) {
                rc = dk_err_set(err, DK_E_IO, "cannot create directory '%s': %s", p,
                                strerror(errno));
                break;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    free(p);
    return rc;
}

/* Replaces path with json, atomically: a 0600 temporary file in the same directory, fsync,
 * rename. A symlinked config is written through to its target, as Docker does. */
static int write_config(const char *path, const cJSON *json, struct dk_err *err)
{
    char real[PATH_MAX], *target, *dir, *slash, *tmp = NULL, *text = NULL;
    size_t len, off = 0;
    int fd = -1, rc = -1;

    target = realpath(path, real) ? real : (char *)path;
    dir = dk_xstrdup(target);
    slash = strrchr(dir, '/');
    if (slash && slash != dir)
        *slash = '\0';
    else if (slash)
        slash[1] = '\0';
    else
        strcpy(dir, ".");
    if (make_dirs(dir, err) < 0)
        goto out;
    tmp = dk_xasprintf("%s/.config.json.XXXXXX", dir);
    fd = mkstemp(tmp);
    if (fd < 0) {
        dk_err_set(err, DK_E_IO, "cannot write '%s': %s", path, strerror(errno));
        free(tmp);
        tmp = NULL;
        goto out;
    }
    fchmod(fd, 0600);
    text = cJSON_Print(json);
    if (!text) {
        dk_err_set(err, DK_E_FAIL, "cannot write '%s': out of memory", path);
        goto out;
    }
    len = strlen(text);
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            dk_err_set(err, DK_E_IO, "cannot write '%s': %s", path, strerror(errno));
            goto out;
        }
        off += (size_t)n;
    }
    if (write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
        dk_err_set(err, DK_E_IO, "cannot write '%s': %s", path, strerror(errno));
        goto out;
    }
    if (close(fd) < 0) {
        fd = -1;
        dk_err_set(err, DK_E_IO, "cannot write '%s': %s", path, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, target) < 0) {
        dk_err_set(err, DK_E_IO, "cannot replace '%s': %s", target, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc < 0 && tmp)
        unlink(tmp);
    if (text) {
        wipe_str(text);
        cJSON_free(text);
    }
    free(tmp);
    free(dir);
    return rc;
}

/* Loads the Docker config for writing: an empty object when the file does not exist. */
static int load_docker_config(struct source *src, struct dk_buf *path, struct dk_err *err)
{
    int rc;

    src->json = NULL;
    src->label = NULL;
    if (!dk_auth_config_path(path))
        return dk_err_set(err, DK_E_IO,
                          "cannot find the docker config: neither DOCKER_CONFIG nor HOME is set");
    rc = load_file(src, path->buf, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        src->json = cJSON_CreateObject();
    return 0;
}

/* Deletes every auths entry naming host. Returns how many. */
static int remove_entries(cJSON *auths, const char *host)
{
    cJSON *c;
    int n = 0;

    while ((c = find_host(auths, host))) {
        cJSON_DetachItemViaPointer(auths, c);
        json_free(c);
        n++;
    }
    return n;
}

int dk_auth_login(const char *registry, const char *user, const char *password, struct dk_err *err)
{
    struct dk_buf host = DK_BUF_INIT, path = DK_BUF_INIT, pair = DK_BUF_INIT;
    struct source src = {NULL, NULL};
    struct helper_run run;
    const char *helper;
    cJSON *auths, *entry;
    char *b64 = NULL, *input = NULL;
    int rc = -1;

    if (password)
        dk_log_add_secret(password);
    if (registry_host(registry, &host, err) < 0)
        goto out;
    if (!user || !*user || !password || !*password) {
        dk_err_set(err, DK_E_INPUT, "cannot log in to '%s': empty user name or password", host.buf);
        goto out;
    }
    if (strchr(user, ':')) {
        dk_err_set(err, DK_E_INPUT, "cannot log in to '%s': user name '%s' contains ':'", host.buf,
                   user);
        goto out;
    }
    if (load_docker_config(&src, &path, err) < 0 || find_helper(&src, host.buf, &helper, err) < 0)
        goto out;

    if (helper) {
        cJSON *j = cJSON_CreateObject();

        cJSON_AddStringToObject(j, "ServerURL", server_url(host.buf));
        cJSON_AddStringToObject(j, "Username", user);
        cJSON_AddStringToObject(j, "Secret", password);
        input = cJSON_PrintUnformatted(j);
        json_free(j);
        if (!input || run_helper(helper, "store", input, src.label, &run, err) < 0)
            goto out;
        if (run_ok(&run))
            rc = 0;
        else
            helper_failed(helper, "store", host.buf, &run, err);
        run_release(&run);
        goto out;
    }

    auths = cJSON_GetObjectItemCaseSensitive(src.json, "auths");
    if (auths && !cJSON_IsObject(auths)) {
        dk_err_set(err, DK_E_INPUT, "invalid 'auths' in %s: not an object", src.label);
        goto out;
    }
    if (!auths)
        auths = cJSON_AddObjectToObject(src.json, "auths");
    remove_entries(auths, host.buf);
    dk_buf_addf(&pair, "%s:%s", user, password);
    b64 = dk_base64_encode(pair.buf, pair.len);
    dk_log_add_secret(b64);
    entry = cJSON_AddObjectToObject(auths, server_url(host.buf));
    cJSON_AddStringToObject(entry, "auth", b64);
    rc = write_config(path.buf, src.json, err);
out:
    if (input) {
        wipe_str(input);
        cJSON_free(input);
    }
    if (b64) {
        wipe_str(b64);
        free(b64);
    }
    wipe_buf(&pair);
    source_release(&src);
    dk_buf_release(&path);
    dk_buf_release(&host);
    return rc;
}

int dk_auth_logout(const char *registry, struct dk_err *err)
{
    struct dk_buf host = DK_BUF_INIT, path = DK_BUF_INIT;
    struct source src = {NULL, NULL};
    const char *helper;
    cJSON *auths;
    int rc = -1, removed = 0;

    if (registry_host(registry, &host, err) < 0 || load_docker_config(&src, &path, err) < 0 ||
        find_helper(&src, host.buf, &helper, err) < 0)
        goto out;
    if (helper) {
        struct helper_run run;
        char *input = dk_xasprintf("%s\n", server_url(host.buf));
        int r = run_helper(helper, "erase", input, src.label, &run, err);

        free(input);
        if (r < 0)
            goto out;
        if (run_ok(&run))
            removed = 1;
        else if (!run_not_found(&run))
            r = helper_failed(helper, "erase", host.buf, &run, err);
        run_release(&run);
        if (r < 0)
            goto out;
    }
    auths = cJSON_GetObjectItemCaseSensitive(src.json, "auths");
    if (auths && !cJSON_IsNull(auths) && !cJSON_IsObject(auths)) {
        dk_err_set(err, DK_E_INPUT, "invalid 'auths' in %s: not an object", src.label);
        goto out;
    }
    if (cJSON_IsObject(auths) && remove_entries(auths, host.buf)) {
        if (write_config(path.buf, src.json, err) < 0)
            goto out;
        removed = 1;
    }
    rc = removed;
out:
    source_release(&src);
    dk_buf_release(&path);
    dk_buf_release(&host);
    return rc;
}
