#include "dk/push.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dk/auth.h"
#include "dk/copy.h"
#include "dk/digest.h"
#include "dk/json.h"
#include "dk/log.h"
#include "dk/ref.h"

void dk_push_opts_init(struct dk_push_opts *o)
{
    memset(o, 0, sizeof(*o));
    dk_registry_flags_init(&o->reg);
}

void dk_push_opts_release(struct dk_push_opts *o)
{
    dk_strlist_release(&o->operands);
    dk_registry_flags_release(&o->reg);
    dk_strlist_release(&o->tags);
    dk_strlist_release(&o->drop_labels);
}

static int need_operands(struct dk_push_opts *o, size_t min, size_t max, const char *usage,
                         struct dk_err *err)
{
    if (o->operands.n < min || o->operands.n > max)
        return dk_err_set(err, DK_E_USAGE, "usage: dk-push %s %s", o->command, usage);
    return 0;
}

static cJSON *push_obj(struct dk_doc *doc, const char *command)
{
    cJSON *p = cJSON_CreateObject();

    dk_json_set(doc->root, "push", p);
    dk_json_set_str(p, "command", command);
    return p;
}

static int cmd_copy(struct dk_push_opts *o, struct dk_regclient *c, struct dk_doc *doc,
                    struct dk_err *err)
{
    struct dk_endpoint src, dst;
    struct dk_copy_opts co = {0};
    struct dk_copy_result res;
    char *s = NULL, *d = NULL;
    cJSON *p, *blobs;
    int rc = -1;

    memset(&src, 0, sizeof(src));
    memset(&dst, 0, sizeof(dst));
    if (need_operands(o, 2, 2, "SRC DST", err) < 0)
        return -1;
    if (dk_endpoint_parse(&src, o->operands.v[0], err) < 0 ||
        dk_endpoint_parse(&dst, o->operands.v[1], err) < 0)
        goto out;
    co.platform = o->platform;
    co.progress = !o->no_progress;
    if (o->chunk_size < 0 || (o->chunk_size > 0 && o->chunk_size < 1024)) {
        dk_err_set(err, DK_E_USAGE, "invalid value %ld for --chunk-size: at least 1024 bytes",
                   o->chunk_size);
        goto out;
    }
    co.chunk_size = (size_t)o->chunk_size;
    s = dk_endpoint_string(&src);
    d = dk_endpoint_string(&dst);
    dk_log_info("copying %s to %s", s, d);
    if (dk_copy(c, &src, &dst, &co, &res, err) < 0) {
        dk_err_wrap(err, "cannot copy '%s' to '%s'", s, d);
        goto out;
    }
    p = push_obj(doc, "copy");
    dk_json_set_str(p, "source", s);
    dk_json_set_str(p, "destination", d);
    dk_json_set_str(p, "digest", res.digest);
    dk_json_set_str(p, "mediaType", res.media_type);
    blobs = cJSON_CreateObject();
    dk_json_set_int(blobs, "copied", res.blobs_copied);
    dk_json_set_int(blobs, "skipped", res.blobs_skipped);
    dk_json_set_int(blobs, "mounted", res.blobs_mounted);
    dk_json_set(p, "blobs", blobs);
    dk_json_set_int(p, "bytes", res.bytes);
    dk_log_info("copied %s: %d blobs copied, %d already there, %d mounted", res.digest,
                res.blobs_copied, res.blobs_skipped, res.blobs_mounted);
    rc = 0;
out:
    free(s);
    free(d);
    dk_endpoint_release(&src);
    dk_endpoint_release(&dst);
    return rc;
}

static int parse_ref(const char *s, struct dk_ref *r, struct dk_err *err)
{
    return dk_ref_parse(r, dk_str_startswith(s, "docker://") ? s + 9 : s, err);
}

static int cmd_tag(struct dk_push_opts *o, struct dk_regclient *c, struct dk_doc *doc,
                   struct dk_err *err)
{
    struct dk_ref ref = DK_REF_INIT;
    struct dk_manifest m;
    struct dk_registry *r;
    cJSON *p, *tags;
    size_t i;
    int rc = -1;

    dk_manifest_init(&m);
    if (need_operands(o, 2, 1000, "REF TAG...", err) < 0)
        return -1;
    if (parse_ref(o->operands.v[0], &ref, err) < 0)
        goto out;
    for (i = 1; i < o->operands.n; i++)
        if (!dk_ref_valid_tag(o->operands.v[i])) {
            dk_err_set(err, DK_E_INPUT,
                       "invalid tag '%s': up to 128 letters, digits, '_', '.' and '-', not "
                       "starting with '.' or '-'",
                       o->operands.v[i]);
            goto out;
        }
    r = dk_regclient_get(c, ref.registry);
    if (dk_registry_get_manifest(r, ref.repo, dk_ref_selector(&ref), &m, err) < 0)
        goto out;
    p = push_obj(doc, "tag");
    dk_json_set_str(p, "digest", m.digest);
    tags = cJSON_CreateArray();
    dk_json_set(p, "tags", tags);
    for (i = 1; i < o->operands.n; i++) {
        if (dk_registry_put_manifest(r, ref.repo, o->operands.v[i], m.data.buf, m.data.len,
                                     m.media_type, err) < 0)
            goto out;
        cJSON_AddItemToArray(tags, cJSON_CreateString(o->operands.v[i]));
        dk_log_info("tagged %s/%s:%s → %s", ref.registry, ref.repo, o->operands.v[i], m.digest);
    }
    rc = 0;
out:
    dk_manifest_release(&m);
    dk_ref_release(&ref);
    return rc;
}

static cJSON *strvec_json(const struct dk_strvec *sv)
{
    cJSON *a = cJSON_CreateArray();
    size_t i;

    for (i = 0; i < sv->n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(sv->v[i]));
    return a;
}

static int cmd_ls(struct dk_push_opts *o, struct dk_regclient *c, struct dk_doc *doc,
                  struct dk_err *err)
{
    struct dk_ref ref = DK_REF_INIT;
    struct dk_strvec tags = DK_STRVEC_INIT;
    cJSON *p;
    int rc = -1;

    if (need_operands(o, 1, 1, "REPO", err) < 0)
        return -1;
    if (dk_ref_parse_repo(&ref, o->operands.v[0], err) < 0)
        goto out;
    if (dk_registry_list_tags(dk_regclient_get(c, ref.registry), ref.repo, &tags, err) < 0)
        goto out;
    p = push_obj(doc, "ls");
    {
        char *name = dk_ref_name(&ref);

        dk_json_set_str(p, "repo", name);
        free(name);
    }
    dk_json_set(p, "tags", strvec_json(&tags));
    rc = 0;
out:
    dk_strvec_release(&tags);
    dk_ref_release(&ref);
    return rc;
}

static int cmd_catalog(struct dk_push_opts *o, struct dk_regclient *c, struct dk_doc *doc,
                       struct dk_err *err)
{
    struct dk_strvec repos = DK_STRVEC_INIT;
    const char *arg, *slash;
    char *host;
    cJSON *p;
    int rc = -1;

    if (need_operands(o, 1, 1, "REGISTRY[/PREFIX]", err) < 0)
        return -1;
    arg = o->operands.v[0];
    if (dk_str_startswith(arg, "docker://"))
        arg += 9;
    slash = strchr(arg, '/');
    host = slash ? dk_xstrndup(arg, (size_t)(slash - arg)) : dk_xstrdup(arg);
    if (!*host || strchr(host, '@')) {
        dk_err_set(err, DK_E_INPUT, "invalid registry '%s'", o->operands.v[0]);
        goto out;
    }
    if (dk_registry_catalog(dk_regclient_get(c, host), slash ? slash + 1 : "", &repos, err) < 0)
        goto out;
    p = push_obj(doc, "catalog");
    dk_json_set_str(p, "registry", host);
    dk_json_set(p, "repositories", strvec_json(&repos));
    rc = 0;
out:
    free(host);
    dk_strvec_release(&repos);
    return rc;
}

static int cmd_inspect(struct dk_push_opts *o, struct dk_regclient *c, struct dk_doc *doc,
                       int digest_only, struct dk_err *err)
{
    struct dk_endpoint e;
    struct dk_manifest m;
    struct dk_buf cfg = DK_BUF_INIT;
    cJSON *p, *mj = NULL;
    char *name = NULL;
    int rc = -1;

    memset(&e, 0, sizeof(e));
    dk_manifest_init(&m);
    if (need_operands(o, 1, 1, "REF", err) < 0)
        return -1;
    if (dk_endpoint_parse(&e, o->operands.v[0], err) < 0)
        goto out;
    name = dk_endpoint_string(&e);
    if (dk_endpoint_get_manifest(c, &e, o->platform, &m, err) < 0)
        goto out;
    p = push_obj(doc, digest_only ? "digest" : "inspect");
    dk_json_set_str(p, "ref", name);
    dk_json_set_str(p, "digest", m.digest);
    dk_json_set_str(p, "mediaType", m.media_type ? m.media_type : "");
    if (digest_only) {
        rc = 0;
        goto out;
    }
    mj = cJSON_ParseWithLength(m.data.buf, m.data.len);
    if (!mj) {
        dk_err_set(err, DK_E_INPUT, "manifest %s of '%s' is not valid JSON", m.digest, name);
        goto out;
    }
    if (!dk_manifest_is_index(m.media_type)) {
        const cJSON *cd = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(mj, "config"), "digest");

        if (cJSON_IsString(cd)) {
            cJSON *cj;

            if (dk_endpoint_get_blob(c, &e, cd->valuestring, &cfg, err) < 0)
                goto out;
            cj = cJSON_ParseWithLength(cfg.buf, cfg.len);
            if (cj)
                dk_json_set(p, "config", cj);
        }
    } else {
        const cJSON *it;
        cJSON *plats = cJSON_CreateArray();

        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(mj, "manifests"))
        {
            const cJSON *pl = cJSON_GetObjectItemCaseSensitive(it, "platform");
            const cJSON *os = cJSON_GetObjectItemCaseSensitive(pl, "os");
            const cJSON *ar = cJSON_GetObjectItemCaseSensitive(pl, "architecture");
            const cJSON *va = cJSON_GetObjectItemCaseSensitive(pl, "variant");

            if (cJSON_IsString(os) && cJSON_IsString(ar)) {
                char *s = dk_xasprintf("%s/%s%s%s", os->valuestring, ar->valuestring,
                                       cJSON_IsString(va) ? "/" : "",
                                       cJSON_IsString(va) ? va->valuestring : "");

                cJSON_AddItemToArray(plats, cJSON_CreateString(s));
                free(s);
            }
        }
        dk_json_set(p, "platforms", plats);
    }
    dk_json_set(p, "manifest", mj);
    mj = NULL;
    rc = 0;
out:
    cJSON_Delete(mj);
    free(name);
    dk_buf_release(&cfg);
    dk_manifest_release(&m);
    dk_endpoint_release(&e);
    return rc;
}

/*
 * Removes one tag. Distribution deletes manifests, not tags, and deleting a manifest removes
 * every tag on it; so the tag is first pointed at a throw-away manifest of its own (a unique
 * empty config, no layers), and that manifest is deleted.
 */
static int delete_tag(struct dk_registry *r, const struct dk_ref *ref, struct dk_err *err)
{
    char cfg_digest[DK_DIGEST_STR_MAX], man_digest[DK_DIGEST_STR_MAX];
    char *cfg, *man;
    struct timespec ts;
    int rc = -1;

    clock_gettime(CLOCK_REALTIME, &ts);
    cfg = dk_xasprintf("{\"dk.deleted\":\"%s:%lld.%09ld.%d\"}", ref->tag, (long long)ts.tv_sec,
                       ts.tv_nsec, (int)getpid());
    dk_sha256_oci(cfg, strlen(cfg), cfg_digest);
    man = dk_xasprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":"
                       "\"%s\",\"digest\":\"%s\",\"size\":%zu},\"layers\":[]}",
                       DK_MT_OCI_MANIFEST, DK_MT_OCI_CONFIG, cfg_digest, strlen(cfg));
    dk_sha256_oci(man, strlen(man), man_digest);
    if (dk_registry_put_blob(r, ref->repo, cfg_digest, cfg, strlen(cfg), err) < 0 ||
        dk_registry_put_manifest(r, ref->repo, ref->tag, man, strlen(man), DK_MT_OCI_MANIFEST,
                                 err) < 0 ||
        dk_registry_delete_manifest(r, ref->repo, man_digest, err) < 0)
        goto out;
    rc = 0;
out:
    free(cfg);
    free(man);
    return rc;
}

static int cmd_delete(struct dk_push_opts *o, struct dk_regclient *c, struct dk_doc *doc,
                      struct dk_err *err)
{
    struct dk_ref ref = DK_REF_INIT;
    struct dk_registry *r;
    char digest[DK_DIGEST_STR_MAX] = "";
    char *name = NULL;
    cJSON *p;
    int rc = -1;

    if (need_operands(o, 1, 1, "REF", err) < 0)
        return -1;
    if (parse_ref(o->operands.v[0], &ref, err) < 0)
        goto out;
    if (!ref.tag && !ref.digest) {
        dk_err_set(err, DK_E_INPUT, "invalid reference '%s': name the tag or digest to delete",
                   o->operands.v[0]);
        goto out;
    }
    r = dk_regclient_get(c, ref.registry);
    name = dk_ref_string(&ref);
    if (ref.digest) {
        /* a digest names the manifest itself: it goes with every tag on it */
        if (dk_registry_delete_manifest(r, ref.repo, ref.digest, err) < 0)
            goto out;
        snprintf(digest, sizeof(digest), "%s", ref.digest);
    } else {
        if (dk_registry_head_manifest(r, ref.repo, ref.tag, digest, sizeof(digest), err) < 0)
            goto out;
        if (delete_tag(r, &ref, err) < 0)
            goto out;
    }
    p = push_obj(doc, "delete");
    dk_json_set_str(p, "ref", name);
    dk_json_set_str(p, "digest", digest);
    dk_log_info("deleted %s (was %s)", name, digest);
    rc = 0;
out:
    if (rc < 0 && name)
        dk_err_wrap(err, "cannot delete '%s'", name);
    free(name);
    dk_ref_release(&ref);
    return rc;
}

static int cmd_publish(struct dk_push_opts *o, struct dk_regclient *c, struct dk_doc *doc,
                       struct dk_err *err)
{
    cJSON *images = cJSON_GetObjectItemCaseSensitive(doc->root, "images");
    cJSON *published, *img;
    struct dk_buf dst = DK_BUF_INIT;
    struct dk_strvec seen = DK_STRVEC_INIT;
    int rc = -1;
    size_t t;

    if (need_operands(o, 0, 0, "--tag TEMPLATE...", err) < 0)
        return -1;
    if (!o->tags.n)
        return dk_err_set(err, DK_E_USAGE,
                          "dk-push publish needs --tag (e.g. registry/app/%%image%%:latest)");
    if (!cJSON_IsObject(images) || !images->child)
        return dk_err_set(err, DK_E_INPUT,
                          "the pipeline document on standard input has no images to publish "
                          "(run dk-build first)");
    published = cJSON_CreateArray();
    dk_json_set(doc->root, "published", published);
    cJSON_ArrayForEach(img, images)
    {
        const char *ref = dk_json_str(img, "ref"), *ctag = dk_json_str(img, "tag");
        cJSON *mine = cJSON_CreateArray();

        if (!ref) {
            dk_err_set(err, DK_E_INPUT, "images.%s in the pipeline document has no ref",
                       img->string);
            cJSON_Delete(mine);
            goto out;
        }
        dk_json_set(img, "published", mine);
        for (t = 0; t < o->tags.n; t++) {
            struct dk_endpoint se, de;
            struct dk_copy_opts co = {0};
            struct dk_copy_result res;
            cJSON *entry;
            int r;

            dk_buf_reset(&dst);
            if (dk_ref_expand_template(o->tags.v[t], img->string, ctag, &dst, err) < 0)
                goto out;
            if (dk_strvec_has(&seen, dst.buf)) {
                dk_err_set(err, DK_E_INPUT, "--tag '%s' gives '%s' for two images", o->tags.v[t],
                           dst.buf);
                goto out;
            }
            dk_strvec_push(&seen, dst.buf);
            if (dk_endpoint_parse(&se, ref, err) < 0) {
                dk_err_wrap(err, "images.%s.ref", img->string);
                goto out;
            }
            if (dk_endpoint_parse(&de, dst.buf, err) < 0) {
                dk_endpoint_release(&se);
                dk_err_wrap(err, "--tag '%s'", o->tags.v[t]);
                goto out;
            }
            if (de.kind == DK_TR_REGISTRY && !de.ref.tag) {
                dk_err_set(err, DK_E_INPUT, "--tag '%s' gives '%s', which has no tag", o->tags.v[t],
                           dst.buf);
                dk_endpoint_release(&se);
                dk_endpoint_release(&de);
                goto out;
            }
            co.progress = !o->no_progress;
            co.drop_labels = o->drop_labels.n ? o->drop_labels.v : NULL;
            dk_log_section_start("dk_publish", dst.buf);
            dk_log_info("publishing %s as %s", img->string, dst.buf);
            r = dk_copy(c, &se, &de, &co, &res, err);
            dk_log_section_end("dk_publish");
            dk_endpoint_release(&se);
            dk_endpoint_release(&de);
            if (r < 0) {
                dk_err_wrap(err, "cannot publish image '%s' as '%s'", img->string, dst.buf);
                goto out;
            }
            entry = cJSON_CreateObject();
            dk_json_set_str(entry, "image", img->string);
            dk_json_set_str(entry, "ref", dst.buf);
            dk_json_set_str(entry, "digest", res.digest);
            cJSON_AddItemToArray(published, entry);
            cJSON_AddItemToArray(mine, cJSON_CreateString(dst.buf));
        }
    }
    rc = 0;
out:
    dk_strvec_release(&seen);
    dk_buf_release(&dst);
    return rc;
}

static int read_password_stdin(struct dk_buf *out, struct dk_err *err)
{
    dk_buf_init_max(out, 64 * 1024);
    if (dk_buf_read_fd(out, STDIN_FILENO) < 0)
        return dk_err_set(err, DK_E_INPUT, "cannot read the password from standard input");
    while (out->len && (out->buf[out->len - 1] == '\n' || out->buf[out->len - 1] == '\r'))
        dk_buf_setlen(out, out->len - 1);
    if (!out->len)
        return dk_err_set(err, DK_E_INPUT, "the password on standard input is empty");
    return 0;
}

static int cmd_login(struct dk_push_opts *o, struct dk_regclient *c, struct dk_doc *doc,
                     struct dk_err *err)
{
    struct dk_buf pw = DK_BUF_INIT;
    const char *password = o->reg.password;
    struct dk_registry *r;
    struct dk_regclient check;
    struct dk_push_opts co;
    cJSON *p;
    int rc = -1;

    (void)c;
    if (need_operands(o, 1, 1, "REGISTRY -u USER --password-stdin", err) < 0)
        return -1;
    if (!o->reg.username)
        return dk_err_set(err, DK_E_USAGE, "dk-push login needs --username (or DK_USERNAME)");
    if (o->password_stdin) {
        if (read_password_stdin(&pw, err) < 0)
            goto out;
        password = pw.buf;
        dk_log_add_secret(password);
    }
    if (!password || !*password) {
        dk_err_set(err, DK_E_USAGE, "dk-push login needs --password-stdin (or DK_PASSWORD)");
        goto out;
    }
    co = *o;
    co.reg.password = password;
    if (dk_regclient_init_flags(&check, &co.reg, 1, err) < 0)
        goto out;
    r = dk_regclient_get(&check, o->operands.v[0]);
    rc = dk_registry_check_login(r, err);
    dk_regclient_release(&check);
    if (rc < 0) {
        dk_err_wrap(err, "cannot log in to %s", o->operands.v[0]);
        goto out;
    }
    rc = -1;
    if (dk_auth_login(o->operands.v[0], o->reg.username, password, err) < 0)
        goto out;
    p = push_obj(doc, "login");
    dk_json_set_str(p, "registry", o->operands.v[0]);
    dk_json_set_str(p, "username", o->reg.username);
    dk_log_info("logged in to %s as %s", o->operands.v[0], o->reg.username);
    rc = 0;
out:
    if (pw.len)
        memset(pw.buf, 0, pw.len);
    dk_buf_release(&pw);
    return rc;
}

static int cmd_logout(struct dk_push_opts *o, struct dk_doc *doc, struct dk_err *err)
{
    cJSON *p;
    int r;

    if (need_operands(o, 1, 1, "REGISTRY", err) < 0)
        return -1;
    r = dk_auth_logout(o->operands.v[0], err);
    if (r < 0)
        return -1;
    p = push_obj(doc, "logout");
    dk_json_set_str(p, "registry", o->operands.v[0]);
    dk_json_set_bool(p, "removed", r > 0);
    if (!r)
        dk_log_info("not logged in to %s", o->operands.v[0]);
    return 0;
}

int dk_push_run(struct dk_push_opts *o, struct dk_doc *doc, struct dk_err *err)
{
    struct dk_regclient c;
    int rc;

    if (!strcmp(o->command, "logout"))
        return cmd_logout(o, doc, err);
    if (dk_regclient_init_flags(&c, &o->reg, strcmp(o->command, "login") != 0, err) < 0)
        return -1;
    if (!strcmp(o->command, "copy"))
        rc = cmd_copy(o, &c, doc, err);
    else if (!strcmp(o->command, "tag"))
        rc = cmd_tag(o, &c, doc, err);
    else if (!strcmp(o->command, "ls"))
        rc = cmd_ls(o, &c, doc, err);
    else if (!strcmp(o->command, "catalog"))
        rc = cmd_catalog(o, &c, doc, err);
    else if (!strcmp(o->command, "inspect"))
        rc = cmd_inspect(o, &c, doc, 0, err);
    else if (!strcmp(o->command, "digest"))
        rc = cmd_inspect(o, &c, doc, 1, err);
    else if (!strcmp(o->command, "delete"))
        rc = cmd_delete(o, &c, doc, err);
    else if (!strcmp(o->command, "publish"))
        rc = cmd_publish(o, &c, doc, err);
    else if (!strcmp(o->command, "login"))
        rc = cmd_login(o, &c, doc, err);
    else
        rc = dk_err_set(err, DK_E_USAGE, "unknown command '%s' (see dk-push --help)", o->command);
    if (getenv("DK_STATS"))
        dk_log_info("stats: %ld registry requests", c.requests);
    dk_regclient_release(&c);
    return rc;
}
