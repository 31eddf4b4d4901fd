/* Unit tests for common/ref.c: Docker's reference grammar and defaults as a table of inputs,
 * every error with its message, the canonical string, loopback hosts, werf's slugs and tag
 * templates. */
#include "dk/ref.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define D64  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D128 D64 D64

static const struct {
    const char *in;
    const char *registry, *repo, *tag, *digest; /* expected on success */
    const char *err;                            /* expected message substring on failure */
} cases[] = {
    /* Docker Hub short names and aliases. */
    {"nginx", "docker.io", "library/nginx", NULL, NULL, NULL},
    {"nginx:1.25", "docker.io", "library/nginx", "1.25", NULL, NULL},
    {"library/nginx:latest", "docker.io", "library/nginx", "latest", NULL, NULL},
    {"bitnami/redis", "docker.io", "bitnami/redis", NULL, NULL, NULL},
    {"docker.io/nginx", "docker.io", "library/nginx", NULL, NULL, NULL},
    {"index.docker.io/nginx", "docker.io", "library/nginx", NULL, NULL, NULL},
    {"registry-1.docker.io/bitnami/redis:7", "docker.io", "bitnami/redis", "7", NULL, NULL},
    {"localhost", "docker.io", "library/localhost", NULL, NULL, NULL},
    {"localhost:5000", "docker.io", "library/localhost", "5000", NULL, NULL},
    /* Registries: hosts, ports, localhost, IPs. */
    {"localhost/app", "localhost", "app", NULL, NULL, NULL},
    {"localhost:5000/app:v1", "localhost:5000", "app", "v1", NULL, NULL},
    {"127.0.0.1:5000/a/b/c:t", "127.0.0.1:5000", "a/b/c", "t", NULL, NULL},
    {"registry.example.com/group/sub/app", "registry.example.com", "group/sub/app", NULL, NULL,
     NULL},
    {"my-reg.example.com:443/app", "my-reg.example.com:443", "app", NULL, NULL, NULL},
    {"reg:5000/app", "reg:5000", "app", NULL, NULL, NULL},
    {"[::1]:5000/app:v1", "[::1]:5000", "app", "v1", NULL, NULL},
    {"[fe80::1]/app", "[fe80::1]", "app", NULL, NULL, NULL},
    /* Component grammar, tags, digests. */
    {"a/b__c/d-e--f/g.h_i", "docker.io", "a/b__c/d-e--f/g.h_i", NULL, NULL, NULL},
    {"ghcr.io/o/app:1.0@sha256:" D64, "ghcr.io", "o/app", "1.0", "sha256:" D64, NULL},
    {"ghcr.io/o/app@sha256:" D64, "ghcr.io", "o/app", NULL, "sha256:" D64, NULL},
    {"app@sha512:" D128, "docker.io", "library/app", NULL, "sha512:" D128, NULL},
    {"app:_Under.score-1", "docker.io", "library/app", "_Under.score-1", NULL, NULL},
    /* Errors. */
    {"", NULL, NULL, NULL, NULL, "invalid reference '': empty"},
    {"Foo/Bar:x", NULL, NULL, NULL, NULL,
     "invalid reference 'Foo/Bar:x': repository name must be lowercase"},
    {"reg.io/App", NULL, NULL, NULL, NULL, "repository name must be lowercase"},
    {"a:b:c", NULL, NULL, NULL, NULL,
     "invalid reference 'a:b:c': invalid repository name component 'a:b'"},
    {"app:", NULL, NULL, NULL, NULL, "invalid reference 'app:': empty tag"},
    {"app:-x", NULL, NULL, NULL, NULL, "invalid reference 'app:-x': invalid tag '-x'"},
    {"app:a/b", NULL, NULL, NULL, NULL, "invalid port 'a' in registry 'app:a'"},
    {"app@sha256:abc", NULL, NULL, NULL, NULL,
     "invalid reference 'app@sha256:abc': invalid digest 'sha256:abc'"},
    {"app@md5:" D64, NULL, NULL, NULL, NULL, "invalid digest 'md5:"},
    {"app@sha256:" D64 "@x", NULL, NULL, NULL, NULL, "invalid digest"},
    {"app@", NULL, NULL, NULL, NULL, "empty digest"},
    {"reg.io:99999/app", NULL, NULL, NULL, NULL, "invalid port '99999' in registry 'reg.io:99999'"},
    {"reg.io:5x/app", NULL, NULL, NULL, NULL, "invalid port '5x'"},
    {"reg.io:/app", NULL, NULL, NULL, NULL, "invalid port ''"},
    {"-reg.io/app", NULL, NULL, NULL, NULL, "invalid registry host '-reg.io'"},
    {"reg..io/app", NULL, NULL, NULL, NULL, "invalid registry host 'reg..io'"},
    {"[::g]/app", NULL, NULL, NULL, NULL, "invalid IPv6 registry host '[::g]'"},
    {"a//b", NULL, NULL, NULL, NULL, "invalid reference 'a//b': empty path component"},
    {"reg.io/", NULL, NULL, NULL, NULL, "empty path component"},
    {"/app", NULL, NULL, NULL, NULL, "empty path component"},
    {"a_-b", NULL, NULL, NULL, NULL, "invalid repository name component 'a_-b'"},
    {"a___b", NULL, NULL, NULL, NULL, "invalid repository name component 'a___b'"},
    {"app.", NULL, NULL, NULL, NULL, "invalid repository name component 'app.'"},
    {":tag", NULL, NULL, NULL, NULL, "empty repository name"},
    {"my app", NULL, NULL, NULL, NULL, "contains white space"},
    {D64, NULL, NULL, NULL, NULL, "is an image ID"},
};

static void test_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct dk_ref r;
        struct dk_err err = DK_ERR_INIT;
        int rc = dk_ref_parse(&r, cases[i].in, &err);

        if (!cases[i].err) {
            int good =
                rc == 0 && !strcmp(r.registry, cases[i].registry) &&
                !strcmp(r.repo, cases[i].repo) &&
                (cases[i].tag ? r.tag && !strcmp(r.tag, cases[i].tag) : !r.tag) &&
                (cases[i].digest ? r.digest && !strcmp(r.digest, cases[i].digest) : !r.digest);

            if (!ok(good, "ref: parse '%.60s'", cases[i].in))
                printf("#   got: rc=%d %s | %s | %s | %s %s\n", rc, r.registry, r.repo,
                       r.tag ? r.tag : "(null)", r.digest ? r.digest : "(null)", err.msg);
        } else {
            if (!ok(rc < 0 && err.code == DK_E_INPUT && strstr(err.msg, cases[i].err) &&
                        !r.registry && !r.repo && !r.tag && !r.digest,
                    "ref: '%.40s' is refused: %s", cases[i].in, cases[i].err))
                printf("#   got: rc=%d code=%d '%s'\n", rc, (int)err.code, err.msg);
        }
        dk_ref_release(&r);
    }
}

static void test_too_long(void)
{
    struct dk_ref r;
    struct dk_err err = DK_ERR_INIT;
    char name[300];

    /* docker.io/library/ (18) + 237 = 255: the limit counts the normalised name. */
    memset(name, 'a', 237);
    name[237] = '\0';
    ok(dk_ref_parse(&r, name, &err) == 0, "ref: a 255-character normalised name is accepted");
    dk_ref_release(&r);
    name[237] = 'a';
    name[238] = '\0';
    ok(dk_ref_parse(&r, name, &err) < 0 && strstr(err.msg, "longer than 255 characters"),
       "ref: a 256-character normalised name is refused");
}

static void test_tag_length(void)
{
    struct dk_ref r;
    struct dk_err err = DK_ERR_INIT;
    char in[200];

    memcpy(in, "app:", 4);
    memset(in + 4, 't', 128);
    in[4 + 128] = '\0';
    ok(dk_ref_parse(&r, in, &err) == 0 && strlen(r.tag) == 128, "ref: a 128-character tag");
    dk_ref_release(&r);
    in[4 + 128] = 't';
    in[4 + 129] = '\0';
    ok(dk_ref_parse(&r, in, &err) < 0 && strstr(err.msg, "tag longer than 128 characters"),
       "ref: a 129-character tag is refused");
}

static void test_repo(void)
{
    struct dk_ref r;
    struct dk_err err = DK_ERR_INIT;

    ok(dk_ref_parse_repo(&r, "127.0.0.1:5000/app", &err) == 0 &&
           !strcmp(r.registry, "127.0.0.1:5000") && !strcmp(r.repo, "app") && !r.tag,
       "ref: parse_repo takes a registry with a port");
    dk_ref_release(&r);
    ok(dk_ref_parse_repo(&r, "nginx", &err) == 0 && !strcmp(r.repo, "library/nginx"),
       "ref: parse_repo applies the docker hub defaults");
    dk_ref_release(&r);
    ok(dk_ref_parse_repo(&r, "nginx:1.25", &err) < 0 && err.code == DK_E_INPUT &&
           strstr(err.msg, "invalid repository 'nginx:1.25': a repository takes no tag") && !r.repo,
       "ref: parse_repo refuses a tag");
    ok(dk_ref_parse_repo(&r, "reg.io/app@sha256:" D64, &err) < 0 &&
           strstr(err.msg, "takes no tag or digest"),
       "ref: parse_repo refuses a digest");
    ok(dk_ref_parse_repo(&r, "Reg/App", &err) < 0 &&
           strstr(err.msg, "invalid repository 'Reg/App': repository name must be lowercase"),
       "ref: parse_repo passes grammar errors on");
}

static void test_string(void)
{
    static const char *const in[][2] = {
        {"nginx:1.25", "docker.io/library/nginx:1.25"},
        {"nginx", "docker.io/library/nginx"},
        {"index.docker.io/bitnami/redis:7", "docker.io/bitnami/redis:7"},
        {"127.0.0.1:5000/a/b:t@sha256:" D64, "127.0.0.1:5000/a/b:t@sha256:" D64},
        {"[::1]:5000/app@sha256:" D64, "[::1]:5000/app@sha256:" D64},
    };
    size_t i;

    for (i = 0; i < sizeof(in) / sizeof(*in); i++) {
        struct dk_ref r, again, copy;
        struct dk_err err = DK_ERR_INIT;
        char *s = NULL, *s2 = NULL, *s3 = NULL;

        if (dk_ref_parse(&r, in[i][0], &err) == 0) {
            s = dk_ref_string(&r);
            if (dk_ref_parse(&again, s, &err) == 0) {
                s2 = dk_ref_string(&again);
                dk_ref_release(&again);
            }
            dk_ref_copy(&copy, &r);
            s3 = dk_ref_string(&copy);
            dk_ref_release(&copy);
        }
        is_str(s, in[i][1], "ref: string of '%.40s'", in[i][0]);
        is_str(s2, in[i][1], "ref: string of '%.40s' parses back to itself", in[i][0]);
        is_str(s3, in[i][1], "ref: copy of '%.40s' has the same string", in[i][0]);
        free(s);
        free(s2);
        free(s3);
        dk_ref_release(&r);
    }
}

static void test_accessors(void)
{
    struct dk_ref r;
    struct dk_err err = DK_ERR_INIT;
    char *name;

    dk_ref_parse(&r, "nginx", &err);
    is_str(dk_ref_api_host(&r), "registry-1.docker.io", "ref: api host of docker.io");
    is_str(dk_ref_tag_or_latest(&r), "latest", "ref: no tag means latest");
    is_str(dk_ref_selector(&r), "latest", "ref: selector without tag or digest");
    name = dk_ref_name(&r);
    is_str(name, "docker.io/library/nginx", "ref: name without tag");
    free(name);
    dk_ref_release(&r);

    dk_ref_parse(&r, "localhost:5000/app:v2", &err);
    is_str(dk_ref_api_host(&r), "localhost:5000", "ref: api host of a private registry");
    is_str(dk_ref_selector(&r), "v2", "ref: selector is the tag");
    dk_ref_release(&r);

    dk_ref_parse(&r, "reg.io/app:v2@sha256:" D64, &err);
    is_str(dk_ref_selector(&r), "sha256:" D64, "ref: selector prefers the digest");
    is_str(dk_ref_tag_or_latest(&r), "v2", "ref: tag_or_latest keeps the tag");
    dk_ref_release(&r);
    dk_ref_release(&r);
    ok(!r.registry && !r.repo, "ref: release twice is harmless");
}

static void test_loopback(void)
{
    static const struct {
        const char *reg;
        int want;
    } cases_lb[] = {
        {"localhost", 1},
        {"localhost:5000", 1},
        {"LOCALHOST:5000", 1},
        {"127.0.0.1", 1},
        {"127.0.0.1:5000", 1},
        {"127.8.9.10:443", 1},
        {"[::1]", 1},
        {"[::1]:5000", 1},
        {"::1", 1},
        {"[0:0:0:0:0:0:0:1]", 1},
        {"128.0.0.1:5000", 0},
        {"10.0.0.1", 0},
        {"docker.io", 0},
        {"localhost.example", 0},
        {"[::2]:5000", 0},
        {"127.0.0.1.nip.io", 0},
        {"", 0},
    };
    size_t i;

    for (i = 0; i < sizeof(cases_lb) / sizeof(*cases_lb); i++)
        is_int(dk_ref_is_loopback(cases_lb[i].reg), cases_lb[i].want, "ref: loopback '%s' is %d",
               cases_lb[i].reg, cases_lb[i].want);
    is_int(dk_ref_is_loopback(NULL), 0, "ref: loopback NULL is 0");
}

static void test_slug(void)
{
    static const char *const slugs[][2] = {
        {"backend", "backend"},
        {"Front End", "front-end"},
        {"my_app/worker.v2", "my-app-worker-v2"},
        {"--a__b--", "a-b"},
        {"a-#-b", "a-b"},
        {"@#!", ""},
    };
    /* Expected values from werf's pkg/slug tests (DockerTag). */
    static const char *const safe[][2] = {
        {"backend", "backend"},
        {"-data", "data-a871d86e"},
        {"da/ta", "da-ta-afa96f8"},
    };
    char big[200], want[200];
    char *s;
    size_t i;

    for (i = 0; i < sizeof(slugs) / sizeof(*slugs); i++) {
        s = dk_ref_slug(slugs[i][0]);
        is_str(s, slugs[i][1], "ref: slug of '%s'", slugs[i][0]);
        free(s);
    }
    for (i = 0; i < sizeof(safe) / sizeof(*safe); i++) {
        s = dk_ref_safe_slug(safe[i][0]);
        is_str(s, safe[i][1], "ref: safe slug of '%s' (werf)", safe[i][0]);
        free(s);
    }
    memset(big, 'x', 129);
    big[129] = '\0';
    memset(want, 'x', 128 - 9);
    strcpy(want + 128 - 9, "-8cca70eb");
    s = dk_ref_safe_slug(big);
    is_str(s, want, "ref: safe slug of 129 x is cut to 128 with werf's hash");
    free(s);
}

static void test_template(void)
{
    struct dk_buf b = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;

    ok(dk_ref_expand_template("reg.io/app:%image%-latest", "backend", NULL, &b, &err) == 0,
       "ref: template with %%image%%");
    is_str(b.buf, "reg.io/app:backend-latest", "ref: %%image%% expands");
    dk_buf_reset(&b);
    dk_ref_expand_template("ghcr.io/co/%image_slug%:% image_safe_slug %", "My_App", NULL, &b, &err);
    is_str(b.buf, "ghcr.io/co/my-app:My_App", "ref: %%image_slug%% and spaced placeholder");
    dk_buf_reset(&b);
    ok(dk_ref_expand_template("reg.io/app:%image%-%image_content_based_tag%", "web", "abc-123", &b,
                              &err) == 0 &&
           !strcmp(b.buf, "reg.io/app:web-abc-123"),
       "ref: %%image_content_based_tag%% expands to the given tag");
    dk_buf_reset(&b);
    dk_buf_add(&b, "keep");
    ok(dk_ref_expand_template("reg.io/app:%image_content_based_tag%", "web", NULL, &b, &err) < 0 &&
           err.code == DK_E_INPUT &&
           strstr(err.msg, "invalid template 'reg.io/app:%image_content_based_tag%'") &&
           !strcmp(b.buf, "keep"),
       "ref: %%image_content_based_tag%% without a content tag is an error");
    ok(dk_ref_expand_template("reg.io/app:%image%-%branch%", "web", "t", &b, &err) < 0 &&
           err.code == DK_E_INPUT &&
           strstr(
               err.msg,
               "invalid template 'reg.io/app:%image%-%branch%': unknown placeholder '%branch%'") &&
           !strcmp(b.buf, "keep"),
       "ref: an unknown placeholder is an error naming the template");
    ok(dk_ref_expand_template("reg.io/app:v1%", "web", "t", &b, &err) < 0 &&
           strstr(err.msg, "unterminated placeholder"),
       "ref: a lone %% is an error");
    dk_buf_reset(&b);
    ok(dk_ref_expand_template("reg.io/app:fixed", "web", NULL, &b, &err) == 0 &&
           !strcmp(b.buf, "reg.io/app:fixed"),
       "ref: a template without placeholders is copied");
    dk_buf_release(&b);
}

int main(void)
{
    test_table();
    test_too_long();
    test_tag_length();
    test_repo();
    test_string();
    test_accessors();
    test_loopback();
    test_slug();
    test_template();
    return tap_done();
}
