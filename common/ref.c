#include "dk/ref.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DOCKER_HUB     "docker.io"
#define DOCKER_HUB_API "registry-1.docker.io"
#define TAG_MAX        128

void dk_ref_init(struct dk_ref *r)
{
    r->registry = NULL;
    r->repo = NULL;
    r->tag = NULL;
    r->digest = NULL;
}

void dk_ref_release(struct dk_ref *r)
{
    free(r->registry);
    free(r->repo);
    free(r->tag);
    free(r->digest);
    dk_ref_init(r);
}

static char *dup_or_null(const char *s)
{
    return s ? dk_xstrdup(s) : NULL;
}

int dk_ref_copy(struct dk_ref *dst, const struct dk_ref *src)
{
    dst->registry = dup_or_null(src->registry);
    dst->repo = dup_or_null(src->repo);
    dst->tag = dup_or_null(src->tag);
    dst->digest = dup_or_null(src->digest);
    return 0;
}

static int is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int is_word(char c)
{
    return is_alnum(c) || c == '_';
}

static int is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int dk_ref_valid_tag(const char *s)
{
    size_t i;

    if (!is_word(s[0]))
        return 0;
    for (i = 1; s[i]; i++)
        if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
            return 0;
    return i <= TAG_MAX;
}

int dk_ref_valid_digest(const char *s)
{
    size_t want, i;

    if (!strncmp(s, "sha256:", 7))
        want = 64;
    else if (!strncmp(s, "sha512:", 7))
        want = 128;
    else
        return 0;
    for (i = 0; s[7 + i]; i++)
        if (!is_lower_hex(s[7 + i]))
            return 0;
    return i == want;
}

/* One repository path component, [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*, n bytes at p. */
static int valid_component(const char *p, size_t n)
{
    size_t i = 0;

    for (;;) {
        if (i >= n || !is_lower_alnum(p[i]))
            return 0;
        while (i < n && is_lower_alnum(p[i]))
            i++;
        if (i == n)
            return 1;
        if (p[i] == '.') {
            i++;
        } else if (p[i] == '_') {
            i += i + 1 < n && p[i + 1] == '_' ? 2 : 1;
        } else if (p[i] == '-') {
            while (i < n && p[i] == '-')
                i++;
        } else {
            return 0;
        }
    }
}

/* Checks the path components of a repository; on failure writes the problem to why. */
static int check_repo(const char *repo, struct dk_buf *why)
{
    const char *p = repo;

    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        size_t i;

        if (!n) {
            dk_buf_add(why, "empty path component in repository name");
            return -1;
        }
        for (i = 0; i < n; i++) {
            if (p[i] >= 'A' && p[i] <= 'Z') {
                dk_buf_add(why, "repository name must be lowercase");
                return -1;
            }
        }
        if (!valid_component(p, n)) {
            dk_buf_addf(why, "invalid repository name component '%.*s'", (int)n, p);
            return -1;
        }
        if (!slash)
            return 0;
        p = slash + 1;
    }
}

/* A DNS label: [A-Za-z0-9] or [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]. */
static int valid_label(const char *p, size_t n)
{
    size_t i;

    if (!n || !is_alnum(p[0]) || !is_alnum(p[n - 1]))
        return 0;
    for (i = 1; i + 1 < n; i++)
        if (!is_alnum(p[i]) && p[i] != '-')
            return 0;
    return 1;
}

static int valid_port(const char *p)
{
    size_t i;
    long v = 0;

    for (i = 0; p[i]; i++) {
        if (p[i] < '0' || p[i] > '9' || i >= 5)
            return 0;
        v = v * 10 + (p[i] - '0');
    }
    return i > 0 && v <= 65535;
}

/* Checks "host[:port]", "[ipv6][:port]"; on failure writes the problem to why. */
static int check_registry(const char *reg, struct dk_buf *why)
{
    const char *port = NULL, *p, *end;

    if (reg[0] == '[') {
        char addr[64];
        struct in6_addr a6;
        const char *close = strchr(reg, ']');
        size_t n = close ? (size_t)(close - reg - 1) : 0;

        if (!close || !n || n >= sizeof(addr)) {
            dk_buf_addf(why, "invalid IPv6 registry host '%s'", reg);
            return -1;
        }
        memcpy(addr, reg + 1, n);
        addr[n] = '\0';
        if (inet_pton(AF_INET6, addr, &a6) != 1) {
            dk_buf_addf(why, "invalid IPv6 registry host '%s'", reg);
            return -1;
        }
        if (close[1] == ':') {
            port = close + 2;
        } else if (close[1]) {
            dk_buf_addf(why, "invalid registry host '%s'", reg);
            return -1;
        }
    } else {
        end = strchr(reg, ':');
        if (end)
            port = end + 1;
        else
            end = reg + strlen(reg);
        for (p = reg;;) {
            const char *dot = memchr(p, '.', (size_t)(end - p));
            size_t n = dot ? (size_t)(dot - p) : (size_t)(end - p);

            if (!valid_label(p, n)) {
                dk_buf_addf(why, "invalid registry host '%.*s'", (int)(end - reg), reg);
                return -1;
            }
            if (!dot)
                break;
            p = dot + 1;
        }
    }
    if (port && !valid_port(port)) {
        dk_buf_addf(why, "invalid port '%s' in registry '%s'", port, reg);
        return -1;
    }
    return 0;
}

static int is_docker_hub(const char *host)
{
    return !strcasecmp(host, DOCKER_HUB) || !strcasecmp(host, "index.docker.io") ||
           !strcasecmp(host, DOCKER_HUB_API);
}

/* The parser proper: fills r or writes the problem to why. */
static int parse(struct dk_ref *r, const char *s, struct dk_buf *why)
{
    const char *at, *name_end, *last_slash, *colon = NULL, *first_slash, *p;
    char *name = NULL;
    size_t i;

    if (!*s) {
        dk_buf_add(why, "empty");
        return -1;
    }
    for (i = 0; s[i]; i++) {
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) {
            dk_buf_add(why, "contains white space or a control character");
            return -1;
        }
    }

    at = strchr(s, '@');
    if (at) {
        if (!at[1]) {
            dk_buf_add(why, "empty digest");
            return -1;
        }
        if (!dk_ref_valid_digest(at + 1)) {
            dk_buf_addf(why, "invalid digest '%s' (want sha256:<64 lowercase hex>)", at + 1);
            return -1;
        }
        r->digest = dk_xstrdup(at + 1);
        name_end = at;
    } else {
        name_end = s + strlen(s);
    }

    /* A tag is the last ':' after the last '/', so "host:5000/app" has none. */
    last_slash = NULL;
    for (p = s; p < name_end; p++)
        if (*p == '/')
            last_slash = p;
    for (p = last_slash ? last_slash + 1 : s; p < name_end; p++)
        if (*p == ':')
            colon = p;
    if (colon) {
        r->tag = dk_xstrndup(colon + 1, (size_t)(name_end - colon - 1));
        if (!*r->tag) {
            dk_buf_add(why, "empty tag");
            return -1;
        }
        if (strlen(r->tag) > TAG_MAX) {
            dk_buf_addf(why, "tag longer than %d characters", TAG_MAX);
            return -1;
        }
        if (!dk_ref_valid_tag(r->tag)) {
            dk_buf_addf(why, "invalid tag '%s' (want [A-Za-z0-9_][A-Za-z0-9_.-]*)", r->tag);
            return -1;
        }
        name_end = colon;
    }
    if (name_end == s) {
        dk_buf_add(why, "empty repository name");
        return -1;
    }
    name = dk_xstrndup(s, (size_t)(name_end - s));

    first_slash = strchr(name, '/');
    if (first_slash) {
        size_t n = (size_t)(first_slash - name);

        if (memchr(name, '.', n) || memchr(name, ':', n) || name[0] == '[' ||
            (n == 9 && !memcmp(name, "localhost", 9))) {
            r->registry = dk_xstrndup(name, n);
            r->repo = dk_xstrdup(first_slash + 1);
        }
    }
    if (!r->registry) {
        if (!at && !colon && strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64) {
            dk_buf_add(why, "a 64-character hexadecimal string is an image ID, not a name");
            free(name);
            return -1;
        }
        r->registry = dk_xstrdup(DOCKER_HUB);
        r->repo = dk_xstrdup(name);
    }
    free(name);

    if (check_registry(r->registry, why) < 0)
        return -1;
    if (is_docker_hub(r->registry)) {
        free(r->registry);
        r->registry = dk_xstrdup(DOCKER_HUB);
        if (!strchr(r->repo, '/')) {
            char *lib = dk_xasprintf("library/%s", r->repo);

            free(r->repo);
            r->repo = lib;
        }
    }
    if (check_repo(r->repo, why) < 0)
        return -1;
    if (strlen(r->registry) + 1 + strlen(r->repo) > DK_REF_NAME_MAX) {
        dk_buf_addf(why, "name '%s/%s' is longer than %d characters", r->registry, r->repo,
                    DK_REF_NAME_MAX);
        return -1;
    }
    return 0;
}

int dk_ref_parse(struct dk_ref *r, const char *s, struct dk_err *err)
{
    struct dk_buf why = DK_BUF_INIT;

    dk_ref_init(r);
    if (parse(r, s, &why) < 0) {
        dk_err_set(err, DK_E_INPUT, "invalid reference '%s': %s", s, why.buf);
        dk_buf_release(&why);
        dk_ref_release(r);
        return -1;
    }
    return 0;
}

int dk_ref_parse_repo(struct dk_ref *r, const char *s, struct dk_err *err)
{
    struct dk_buf why = DK_BUF_INIT;
    int rc;

    dk_ref_init(r);
    rc = parse(r, s, &why);
    if (rc == 0 && (r->tag || r->digest)) {
        dk_buf_add(&why, "a repository takes no tag or digest");
        rc = -1;
    }
    if (rc < 0) {
        dk_err_set(err, DK_E_INPUT, "invalid repository '%s': %s", s, why.buf);
        dk_buf_release(&why);
        dk_ref_release(r);
        return -1;
    }
    return 0;
}

char *dk_ref_string(const struct dk_ref *r)
{
    struct dk_buf b = DK_BUF_INIT;

    dk_buf_addf(&b, "%s/%s", r->registry ? r->registry : DOCKER_HUB, r->repo ? r->repo : "");
    if (r->tag)
        dk_buf_addf(&b, ":%s", r->tag);
    if (r->digest)
        dk_buf_addf(&b, "@%s", r->digest);
    return dk_buf_detach(&b, NULL);
}

char *dk_ref_name(const struct dk_ref *r)
{
    return dk_xasprintf("%s/%s", r->registry ? r->registry : DOCKER_HUB, r->repo ? r->repo : "");
}

const char *dk_ref_api_host(const struct dk_ref *r)
{
    if (!r->registry || !strcmp(r->registry, DOCKER_HUB))
        return DOCKER_HUB_API;
    return r->registry;
}

const char *dk_ref_tag_or_latest(const struct dk_ref *r)
{
    return r->tag ? r->tag : "latest";
}

const char *dk_ref_selector(const struct dk_ref *r)
{
    return r->digest ? r->digest : dk_ref_tag_or_latest(r);
}

int dk_ref_is_loopback(const char *registry)
{
    char host[128];
    const char *end;
    size_t n;
    struct in_addr a4;
    struct in6_addr a6;

    if (!registry)
        return 0;
    if (registry[0] == '[') {
        end = strchr(registry, ']');
        if (!end || (end[1] && end[1] != ':'))
            return 0;
        registry++;
    } else if (strchr(registry, ':') != strrchr(registry, ':')) {
        end = registry + strlen(registry); /* a bare IPv6 address */
    } else {
        end = strchr(registry, ':');
        if (!end)
            end = registry + strlen(registry);
    }
    n = (size_t)(end - registry);
    if (!n || n >= sizeof(host))
        return 0;
    memcpy(host, registry, n);
    host[n] = '\0';
    if (!strcasecmp(host, "localhost"))
        return 1;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return 0;
}

/* werf's slug table for ASCII: letters lower-cased, digits kept, these separators to '-'. */
static char slug_char(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return (char)c;
    if (c >= 'A' && c <= 'Z')
        return (char)(c - 'A' + 'a');
    if (c && strchr(" /._-&()[]{},;:=+<>~", c))
        return '-';
    return 0;
}

char *dk_ref_slug(const char *name)
{
    struct dk_buf b = DK_BUF_INIT;
    int dash = 0;

    for (; *name; name++) {
        char c = slug_char((unsigned char)*name);

        if (!c)
            continue;
        if (c == '-') {
            dash = 1;
            continue;
        }
        if (dash && b.len)
            dk_buf_addch(&b, '-');
        dash = 0;
        dk_buf_addch(&b, c);
    }
    return dk_buf_detach(&b, NULL);
}

/* MurmurHash3 x86 32-bit, seed 0, the hash werf appends to slugs. */
static uint32_t murmur3_32(const unsigned char *p, size_t n)
{
    const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
    uint32_t h = 0, k;
    size_t i;

    for (i = 0; i + 4 <= n; i += 4) {
        k = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
            (uint32_t)p[i + 3] << 24;
        k *= c1;
        k = k << 15 | k >> 17;
        k *= c2;
        h ^= k;
        h = h << 13 | h >> 19;
        h = h * 5 + 0xe6546b64;
    }
    k = 0;
    switch (n & 3) {
    case 3:
        k ^= (uint32_t)p[i + 2] << 16;
        /* fall through */
    case 2:
        k ^= (uint32_t)p[i + 1] << 8;
        /* fall through */
    case 1:
        k ^= p[i];
        k *= c1;
        k = k << 15 | k >> 17;
        k *= c2;
        h ^= k;
    }
    h ^= (uint32_t)n;
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return h;
}

char *dk_ref_safe_slug(const char *name)
{
    char hash[9], *slug, *out;
    size_t keep;

    if (!*name || dk_ref_valid_tag(name))
        return dk_xstrdup(name);
    snprintf(hash, sizeof(hash), "%x",
             (unsigned)murmur3_32((const unsigned char *)name, strlen(name)));
    slug = dk_ref_slug(name);
    if (!*slug) {
        free(slug);
        return dk_xstrdup(hash);
    }
    keep = TAG_MAX - strlen(hash) - 1;
    if (strlen(slug) > keep)
        slug[keep] = '\0';
    out = dk_xasprintf("%s-%s", slug, hash);
    free(slug);
    return out;
}

int dk_ref_expand_template(const char *tmpl, const char *image, const char *content_tag,
                           struct dk_buf *out, struct dk_err *err)
{
    size_t start = out->len;
    const char *p = tmpl;

    while (*p) {
        const char *close, *a, *b;
        size_t n;
        char *val = NULL;

        if (*p != '%') {
            const char *next = strchr(p, '%');

            n = next ? (size_t)(next - p) : strlen(p);
            dk_buf_addn(out, p, n);
            p += n;
            continue;
        }
        close = strchr(p + 1, '%');
        if (!close) {
            dk_buf_setlen(out, start);
            return dk_err_set(err, DK_E_INPUT, "invalid template '%s': unterminated placeholder",
                              tmpl);
        }
        a = p + 1;
        b = close;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        n = (size_t)(b - a);
        if (n == 5 && !memcmp(a, "image", 5)) {
            dk_buf_add(out, image);
        } else if (n == 10 && !memcmp(a, "image_slug", 10)) {
            val = dk_ref_slug(image);
        } else if (n == 15 && !memcmp(a, "image_safe_slug", 15)) {
            val = dk_ref_safe_slug(image);
        } else if (n == 23 && !memcmp(a, "image_content_based_tag", 23)) {
            if (!content_tag) {
                dk_buf_setlen(out, start);
                return dk_err_set(err, DK_E_INPUT,
                                  "invalid template '%s': %%image_content_based_tag%% is not "
                                  "known here",
                                  tmpl);
            }
            dk_buf_add(out, content_tag);
        } else {
            dk_buf_setlen(out, start);
            return dk_err_set(err, DK_E_INPUT,
                              "invalid template '%s': unknown placeholder '%.*s' (want %%image%%, "
                              "%%image_slug%%, %%image_safe_slug%% or %%image_content_based_tag%%)",
                              tmpl, (int)(close - p + 1), p);
        }
        if (val) {
            dk_buf_add(out, val);
            free(val);
        }
        p = close + 1;
    }
    return 0;
}
