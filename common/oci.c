#include "dk/oci.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#define LAYOUT_FILE    "oci-layout"
#define LAYOUT_CONTENT "{\"imageLayoutVersion\":\"1.0.0\"}"
#define INDEX_FILE     "index.json"
#define EMPTY_INDEX    "{\"schemaVersion\":2,\"manifests\":[]}"
/* index.json lists manifests, not content: a bigger one is not a layout dk should trust. */
#define MAX_INDEX_BYTES (64u << 20)

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n) {
        ssize_t k = write(fd, c, n);

        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* mkdir -p: makes path and its missing parents. 0, or -1 with errno. */
static int mkdirs(const char *path)
{
    char *p = dk_xstrdup(path), *s;
    int rc = 0;

    for (s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        {
            char c = *s;

            *s = '\0';
            if (mkdir(p, 0755) < 0 && errno != EEXIST) {
                rc = -1;
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

/* Replaces path with data through a temp file and a rename, so readers see the old or the new
 * content, never a part. */
static int write_atomic(const char *path, const char *data, size_t n, struct dk_err *err)
{
    char *tmp = dk_xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp), e;

    if (fd < 0) {
        e = errno;
        free(tmp);
        return dk_err_set(err, DK_E_IO, "cannot write '%s': %s", path, strerror(e));
    }
    if (fchmod(fd, 0644) < 0 || write_all(fd, data, n) < 0 || fsync(fd) < 0) {
        e = errno;
        close(fd);
        goto fail;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        e = errno;
        goto fail;
    }
    free(tmp);
    return 0;
fail:
    unlink(tmp);
    free(tmp);
    return dk_err_set(err, DK_E_IO, "cannot write '%s': %s", path, strerror(e));
}

static int is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Checks that DIR/oci-layout names a layout version dk understands (1.x). */
static int check_layout_file(const char *dir, const char *path, struct dk_err *err)
{
    struct dk_buf b;
    cJSON *j;
    const cJSON *v;
    int rc = 0;

    dk_buf_init_max(&b, 65536);
    if (dk_buf_read_file(&b, path) < 0) {
        int e = errno;

        dk_buf_release(&b);
        if (e == ENOENT)
            return dk_err_set(err, DK_E_INPUT, "'%s' is not an OCI layout: it has no %s file", dir,
                              LAYOUT_FILE);
        return dk_err_set(err, e == E2BIG ? DK_E_INPUT : DK_E_IO, "cannot read '%s': %s", path,
                          strerror(e));
    }
    j = cJSON_ParseWithLength(b.buf, b.len);
    v = cJSON_GetObjectItemCaseSensitive(j, "imageLayoutVersion");
    if (!cJSON_IsString(v))
        rc = dk_err_set(err, DK_E_INPUT, "'%s' is not an OCI layout: %s has no imageLayoutVersion",
                        dir, LAYOUT_FILE);
    else if (strncmp(v->valuestring, "1.", 2) != 0)
        rc = dk_err_set(err, DK_E_INPUT, "OCI layout '%s' has version '%s', dk reads 1.x", dir,
                        v->valuestring);
    cJSON_Delete(j);
    dk_buf_release(&b);
    return rc;
}

int dk_oci_open(struct dk_oci_layout *l, const char *dir, int create, struct dk_err *err)
{
    char *layout = NULL, *index = NULL, *blobs = NULL;
    size_t len = strlen(dir);
    struct stat st;
    int rc = -1;

    l->dir = NULL;
    if (!len)
        return dk_err_set(err, DK_E_INPUT, "no OCI layout directory given");
    while (len > 1 && dir[len - 1] == '/')
        len--;
    l->dir = dk_xstrndup(dir, len);
    layout = dk_xasprintf("%s/%s", l->dir, LAYOUT_FILE);
    index = dk_xasprintf("%s/%s", l->dir, INDEX_FILE);
    blobs = dk_xasprintf("%s/blobs", l->dir);
    if (create && mkdirs(l->dir) < 0) {
        dk_err_set(err, DK_E_IO, "cannot create OCI layout '%s': %s", l->dir, strerror(errno));
        goto out;
    }
    if (stat(l->dir, &st) < 0) {
        dk_err_set(err, errno == ENOENT ? DK_E_NOTFOUND : DK_E_IO, "no OCI layout at '%s': %s",
                   l->dir, strerror(errno));
        goto out;
    }
    if (!S_ISDIR(st.st_mode)) {
        dk_err_set(err, DK_E_INPUT, "'%s' is not an OCI layout: not a directory", l->dir);
        goto out;
    }
    if (create) {
        if (!is_file(layout) &&
            write_atomic(layout, LAYOUT_CONTENT, strlen(LAYOUT_CONTENT), err) < 0)
            goto out;
        if (!is_file(index) && write_atomic(index, EMPTY_INDEX, strlen(EMPTY_INDEX), err) < 0)
            goto out;
        if (mkdir(blobs, 0755) < 0 && errno != EEXIST) {
            dk_err_set(err, DK_E_IO, "cannot create '%s': %s", blobs, strerror(errno));
            goto out;
        }
    }
    if (check_layout_file(l->dir, layout, err) < 0)
        goto out;
    if (!is_file(index)) {
        dk_err_set(err, DK_E_INPUT, "'%s' is not an OCI layout: it has no %s", l->dir, INDEX_FILE);
        goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        dk_oci_release(l);
    free(layout);
    free(index);
    free(blobs);
    return rc;
}

void dk_oci_release(struct dk_oci_layout *l)
{
    free(l->dir);
    l->dir = NULL;
}

char *dk_oci_blob_path(const struct dk_oci_layout *l, const char *digest)
{
    enum dk_digest_algo algo;

    if (dk_digest_parse(digest, &algo, NULL) < 0)
        return NULL;
    /* A valid digest is "<alg>:<hex>", with no '/' or '.' to climb with. */
    return dk_xasprintf("%s/blobs/%s/%s", l->dir, dk_digest_algo_name(algo),
                        strchr(digest, ':') + 1);
}

int dk_oci_has_blob(const struct dk_oci_layout *l, const char *digest)
{
    char *path = dk_oci_blob_path(l, digest);
    int r = path && is_file(path);

    free(path);
    return r;
}

int dk_oci_read_blob(const struct dk_oci_layout *l, const char *digest, struct dk_buf *out,
                     struct dk_err *err)
{
    struct dk_digest d = DK_DIGEST_INIT;
    size_t start = out->len;
    char *path;
    int fd, rc = -1;

    if (dk_digest_parse(digest, NULL, err) < 0)
        return dk_err_wrap(err, "cannot read blob from OCI layout '%s'", l->dir);
    path = dk_oci_blob_path(l, digest);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            dk_err_set(err, DK_E_NOTFOUND, "no blob '%s' in OCI layout '%s'", digest, l->dir);
        else
            dk_err_set(err, DK_E_IO, "cannot read '%s': %s", path, strerror(errno));
        goto out;
    }
    if (dk_buf_read_fd(out, fd) < 0) {
        if (errno == E2BIG)
            dk_err_set(err, DK_E_INPUT, "blob '%s' in OCI layout '%s' is larger than %zu bytes",
                       digest, l->dir, out->max);
        else
            dk_err_set(err, DK_E_IO, "cannot read '%s': %s", path, strerror(errno));
        close(fd);
        goto out;
    }
    close(fd);
    if (dk_digest_verifier_init(&d, digest, err) < 0)
        goto out;
    dk_digest_update(&d, out->buf + start, out->len - start);
    if (dk_digest_verify(&d, digest, err) < 0) {
        dk_err_wrap(err, "cannot read blob '%s' from OCI layout '%s'", digest, l->dir);
        goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        dk_buf_setlen(out, start);
    dk_digest_release(&d);
    free(path);
    return rc;
}

int dk_oci_blob_begin(const struct dk_oci_layout *l, struct dk_oci_blob_writer *w,
                      const char *expected_digest, struct dk_err *err)
{
    enum dk_digest_algo algo = DK_DIGEST_SHA256;
    char *blobs;

    memset(w, 0, sizeof(*w));
    w->fd = -1;
    if (expected_digest && dk_digest_parse(expected_digest, &algo, err) < 0)
        return dk_err_wrap(err, "cannot write blob to OCI layout '%s'", l->dir);
    blobs = dk_xasprintf("%s/blobs", l->dir);
    w->blobdir = dk_xasprintf("%s/%s", blobs, dk_digest_algo_name(algo));
    if ((mkdir(blobs, 0755) < 0 && errno != EEXIST) ||
        (mkdir(w->blobdir, 0755) < 0 && errno != EEXIST)) {
        dk_err_set(err, DK_E_IO, "cannot create '%s': %s", w->blobdir, strerror(errno));
        goto fail;
    }
    /* A dot name: tools that list blobs/<alg>/ do not take the temp file for a blob. */
    w->tmp = dk_xasprintf("%s/.tmp-XXXXXX", w->blobdir);
    w->fd = mkstemp(w->tmp);
    if (w->fd < 0) {
        dk_err_set(err, DK_E_IO, "cannot create a blob in '%s': %s", w->blobdir, strerror(errno));
        goto fail;
    }
    fchmod(w->fd, 0644);
    if (dk_digest_init(&w->d, algo, err) < 0)
        goto fail;
    w->dir = dk_xstrdup(l->dir);
    w->expected = expected_digest ? dk_xstrdup(expected_digest) : NULL;
    w->active = 1;
    free(blobs);
    return 0;
fail:
    free(blobs);
    w->active = 1;
    dk_oci_blob_abort(w);
    return -1;
}

int dk_oci_blob_write(struct dk_oci_blob_writer *w, const void *p, size_t n, struct dk_err *err)
{
    if (!w->active)
        return dk_err_set(err, DK_E_FAIL, "blob writer is not open");
    if (write_all(w->fd, p, n) < 0)
        return dk_err_set(err, DK_E_IO, "cannot write '%s': %s", w->tmp, strerror(errno));
    dk_digest_update(&w->d, p, n);
    w->size += n;
    return 0;
}

int dk_oci_blob_commit(struct dk_oci_blob_writer *w, struct dk_err *err)
{
    char got[DK_DIGEST_STR_MAX], *final = NULL;
    int fd = w->fd;

    if (!w->active)
        return dk_err_set(err, DK_E_FAIL, "blob writer is not open");
    dk_digest_final_oci(&w->d, got);
    if (w->expected && strcmp(got, w->expected) != 0) {
        dk_err_set(err, DK_E_INTEGRITY,
                   "cannot write blob '%s' to OCI layout '%s': content digest %s does not "
                   "match expected %s",
                   w->expected, w->dir, got, w->expected);
        goto fail;
    }
    w->fd = -1;
    if (fsync(fd) < 0) {
        dk_err_set(err, DK_E_IO, "cannot write '%s': %s", w->tmp, strerror(errno));
        close(fd);
        goto fail;
    }
    if (close(fd) < 0) {
        dk_err_set(err, DK_E_IO, "cannot write '%s': %s", w->tmp, strerror(errno));
        goto fail;
    }
    final = dk_xasprintf("%s/%s", w->blobdir, strchr(got, ':') + 1);
    if (rename(w->tmp, final) < 0) {
        dk_err_set(err, DK_E_IO, "cannot rename '%s' to '%s': %s", w->tmp, final, strerror(errno));
        goto fail;
    }
    free(final);
    free(w->tmp);
    w->tmp = NULL;
    snprintf(w->digest, sizeof(w->digest), "%s", got);
    dk_oci_blob_abort(w);
    return 0;
fail:
    free(final);
    dk_oci_blob_abort(w);
    return -1;
}

void dk_oci_blob_abort(struct dk_oci_blob_writer *w)
{
    if (!w->active)
        return;
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    if (w->tmp)
        unlink(w->tmp);
    free(w->tmp);
    free(w->dir);
    free(w->blobdir);
    free(w->expected);
    w->tmp = w->dir = w->blobdir = w->expected = NULL;
    dk_digest_release(&w->d);
    w->active = 0;
}

int dk_oci_put_blob(const struct dk_oci_layout *l, const char *digest, const void *data, size_t n,
                    struct dk_err *err)
{
    struct dk_oci_blob_writer w;
    struct dk_digest d = DK_DIGEST_INIT;
    int rc;

    if (dk_digest_verifier_init(&d, digest, err) < 0)
        return dk_err_wrap(err, "cannot write blob to OCI layout '%s'", l->dir);
    dk_digest_update(&d, data, n);
    rc = dk_digest_verify(&d, digest, err);
    dk_digest_release(&d);
    if (rc < 0)
        return dk_err_wrap(err, "cannot write blob '%s' to OCI layout '%s'", digest, l->dir);
    if (dk_oci_has_blob(l, digest))
        return 0;
    if (dk_oci_blob_begin(l, &w, digest, err) < 0)
        return -1;
    if (dk_oci_blob_write(&w, data, n, err) < 0) {
        dk_oci_blob_abort(&w);
        return -1;
    }
    return dk_oci_blob_commit(&w, err);
}

/* ---- index.json ---- */

/* Reads and parses DIR/index.json; *manifests is its "manifests" array (NULL when absent). */
static cJSON *load_index(const struct dk_oci_layout *l, cJSON **manifests, struct dk_err *err)
{
    char *path = dk_xasprintf("%s/%s", l->dir, INDEX_FILE);
    struct dk_buf b;
    cJSON *j = NULL, *m;

    *manifests = NULL;
    dk_buf_init_max(&b, MAX_INDEX_BYTES);
    if (dk_buf_read_file(&b, path) < 0) {
        if (errno == ENOENT)
            dk_err_set(err, DK_E_INPUT, "'%s' is not an OCI layout: it has no %s", l->dir,
                       INDEX_FILE);
        else if (errno == E2BIG)
            dk_err_set(err, DK_E_INPUT, "cannot read '%s': larger than %u bytes", path,
                       MAX_INDEX_BYTES);
        else
            dk_err_set(err, DK_E_IO, "cannot read '%s': %s", path, strerror(errno));
        goto out;
    }
    j = cJSON_ParseWithLength(b.buf, b.len);
    if (!j) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= b.buf && at <= b.buf + b.len ? (size_t)(at - b.buf) : 0;

        dk_err_set(err, DK_E_INPUT, "cannot parse '%s': invalid JSON near byte %zu", path, off);
        goto out;
    }
    if (!cJSON_IsObject(j)) {
        dk_err_set(err, DK_E_INPUT, "cannot parse '%s': not a JSON object", path);
        goto fail;
    }
    m = cJSON_GetObjectItemCaseSensitive(j, "manifests");
    if (m && !cJSON_IsArray(m)) {
        dk_err_set(err, DK_E_INPUT, "cannot parse '%s': \"manifests\" is not an array", path);
        goto fail;
    }
    *manifests = m;
    goto out;
fail:
    cJSON_Delete(j);
    j = NULL;
out:
    dk_buf_release(&b);
    free(path);
    return j;
}

static int save_index(const struct dk_oci_layout *l, const cJSON *j, struct dk_err *err)
{
    char *path = dk_xasprintf("%s/%s", l->dir, INDEX_FILE);
    char *text = cJSON_PrintUnformatted(j);
    int rc;

    if (!text) {
        free(path);
        return dk_err_set(err, DK_E_FAIL, "cannot write '%s': cannot print JSON", INDEX_FILE);
    }
    rc = write_atomic(path, text, strlen(text), err);
    cJSON_free(text);
    free(path);
    return rc;
}

/* The ref name annotation of a descriptor, or NULL. */
static const char *ref_name(const cJSON *desc)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(desc, "annotations");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, DK_OCI_REF_NAME);

    return cJSON_IsString(n) ? n->valuestring : NULL;
}

static const char *desc_digest(const cJSON *desc)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(desc, "digest");

    return cJSON_IsString(d) ? d->valuestring : NULL;
}

int dk_oci_resolve(const struct dk_oci_layout *l, const char *ref, char **digest, char **media_type,
                   int64_t *size, struct dk_err *err)
{
    const cJSON *found = NULL, *desc, *mt, *sz;
    cJSON *manifests, *j = load_index(l, &manifests, err);
    const char *dg;
    int count = manifests ? cJSON_GetArraySize(manifests) : 0, rc = -1;

    if (digest)
        *digest = NULL;
    if (media_type)
        *media_type = NULL;
    if (size)
        *size = -1;
    if (!j)
        return -1;
    if (!ref || !*ref) {
        if (count == 0) {
            dk_err_set(err, DK_E_NOTFOUND, "no image in OCI layout '%s'", l->dir);
            goto out;
        }
        if (count > 1) {
            dk_err_set(err, DK_E_INPUT, "OCI layout '%s' holds %d images: name one", l->dir, count);
            goto out;
        }
        found = cJSON_GetArrayItem(manifests, 0);
    } else {
        cJSON_ArrayForEach(desc, manifests)
        {
            const char *name = ref_name(desc);

            if (name && !strcmp(name, ref)) {
                found = desc;
                break;
            }
        }
        if (!found && dk_digest_parse(ref, NULL, NULL) == 0) {
            cJSON_ArrayForEach(desc, manifests)
            {
                dg = desc_digest(desc);
                if (dg && !strcmp(dg, ref)) {
                    found = desc;
                    break;
                }
            }
        }
        if (!found) {
            dk_err_set(err, DK_E_NOTFOUND, "no image '%s' in OCI layout '%s'", ref, l->dir);
            goto out;
        }
    }
    dg = desc_digest(found);
    if (dk_digest_parse(dg, NULL, err) < 0) {
        dk_err_wrap(err, "cannot read image '%s' in OCI layout '%s'", ref ? ref : "", l->dir);
        goto out;
    }
    mt = cJSON_GetObjectItemCaseSensitive(found, "mediaType");
    sz = cJSON_GetObjectItemCaseSensitive(found, "size");
    if (digest)
        *digest = dk_xstrdup(dg);
    if (media_type && cJSON_IsString(mt))
        *media_type = dk_xstrdup(mt->valuestring);
    if (size && cJSON_IsNumber(sz) && sz->valuedouble >= 0)
        *size = (int64_t)sz->valuedouble;
    rc = 0;
out:
    cJSON_Delete(j);
    return rc;
}

int dk_oci_put_ref(const struct dk_oci_layout *l, const char *ref, const char *digest,
                   const char *media_type, int64_t size, struct dk_err *err)
{
    cJSON *manifests, *j, *desc, *ann;
    int i, pos = -1, rc;

    if (dk_digest_parse(digest, NULL, err) < 0)
        return dk_err_wrap(err, "cannot add image to OCI layout '%s'", l->dir);
    if (!media_type || !*media_type)
        return dk_err_set(err, DK_E_INPUT,
                          "cannot add image '%s' to OCI layout '%s': no media type", digest,
                          l->dir);
    if (size < 0)
        return dk_err_set(err, DK_E_INPUT, "cannot add image '%s' to OCI layout '%s': size %lld",
                          digest, l->dir, (long long)size);
    j = load_index(l, &manifests, err);
    if (!j)
        return -1;
    if (!manifests)
        manifests = cJSON_AddArrayToObject(j, "manifests");
    if (ref && !*ref)
        ref = NULL;

    desc = cJSON_CreateObject();
    cJSON_AddStringToObject(desc, "mediaType", media_type);
    cJSON_AddStringToObject(desc, "digest", digest);
    cJSON_AddNumberToObject(desc, "size", (double)size);
    if (ref) {
        ann = cJSON_AddObjectToObject(desc, "annotations");
        cJSON_AddStringToObject(ann, DK_OCI_REF_NAME, ref);
    }
    for (i = 0; i < cJSON_GetArraySize(manifests);) {
        cJSON *it = cJSON_GetArrayItem(manifests, i);
        const char *name = ref_name(it), *dg = desc_digest(it);
        int match = ref ? name && !strcmp(name, ref) : !name && dg && !strcmp(dg, digest);

        if (!match) {
            i++;
        } else if (pos < 0) {
            /* The first match keeps its place in the list. */
            cJSON_ReplaceItemInArray(manifests, i, desc);
            pos = i++;
        } else {
            cJSON_DeleteItemFromArray(manifests, i);
        }
    }
    if (pos < 0)
        cJSON_AddItemToArray(manifests, desc);
    rc = save_index(l, j, err);
    cJSON_Delete(j);
    return rc;
}

int dk_oci_list_refs(const struct dk_oci_layout *l, char ***refs, size_t *n, struct dk_err *err)
{
    cJSON *manifests, *j = load_index(l, &manifests, err);
    const cJSON *desc;
    size_t count = 0;

    *refs = NULL;
    *n = 0;
    if (!j)
        return -1;
    cJSON_ArrayForEach(desc, manifests)
    {
        const char *name = ref_name(desc);

        if (!name)
            continue;
        *refs = dk_xrealloc(*refs, (count + 1) * sizeof(**refs));
        (*refs)[count++] = dk_xstrdup(name);
    }
    *n = count;
    cJSON_Delete(j);
    return 0;
}
