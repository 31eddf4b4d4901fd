#include "dk/oci.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_CONFIG   "application/vnd.oci.image.config.v1+json"
#define MT_LAYER    "application/vnd.oci.image.layer.v1.tar"

static char tmp[4096];

static char *path_in(const char *name)
{
    return dk_xasprintf("%s/%s", tmp, name);
}

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");

    if (f) {
        fputs(s, f);
        fclose(f);
    }
}

static char *slurp(const char *path)
{
    struct dk_buf b = DK_BUF_INIT;

    dk_buf_read_file(&b, path);
    return dk_buf_detach(&b, NULL);
}

/* Number of entries in dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    if (!d)
        return -1;
    while ((de = readdir(d)))
        if (!strncmp(de->d_name, prefix, strlen(prefix)))
            n++;
    closedir(d);
    return n;
}

static void test_open(void)
{
    struct dk_oci_layout l = DK_OCI_LAYOUT_INIT;
    struct dk_err err = DK_ERR_INIT;
    char *missing = path_in("missing"), *plain = path_in("plain"), *lay = path_in("a/b/layout");
    char *p, *s;
    struct stat st;

    ok(dk_oci_open(&l, missing, 0, &err) == -1 && err.code == DK_E_NOTFOUND &&
           strstr(err.msg, missing),
       "oci: opening a missing directory is not-found, naming it");
    ok(l.dir == NULL, "oci: a failed open leaves the layout released");
    mkdir(plain, 0755);
    dk_err_init(&err);
    ok(dk_oci_open(&l, plain, 0, &err) == -1 && err.code == DK_E_INPUT && strstr(err.msg, plain) &&
           strstr(err.msg, "not an OCI layout"),
       "oci: a directory that is not a layout is an input error naming it");

    dk_err_init(&err);
    ok(dk_oci_open(&l, lay, 1, &err) == 0, "oci: create makes a layout and its parents");
    dk_oci_release(&l);
    p = dk_xasprintf("%s/oci-layout", lay);
    s = slurp(p);
    is_str(s, "{\"imageLayoutVersion\":\"1.0.0\"}", "oci: oci-layout content");
    free(s);
    free(p);
    p = dk_xasprintf("%s/index.json", lay);
    s = slurp(p);
    is_str(s, "{\"schemaVersion\":2,\"manifests\":[]}", "oci: empty index.json");
    free(s);
    free(p);
    p = dk_xasprintf("%s/blobs", lay);
    ok(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "oci: blobs/ made");
    free(p);
    p = dk_xasprintf("%s/", lay);
    ok(dk_oci_open(&l, p, 0, &err) == 0 && !strcmp(l.dir, lay),
       "oci: an existing layout opens, trailing '/' dropped");
    dk_oci_release(&l);
    dk_oci_release(&l);
    free(p);

    p = dk_xasprintf("%s/oci-layout", plain);
    write_file(p, "{\"imageLayoutVersion\":\"2.0.0\"}");
    free(p);
    p = dk_xasprintf("%s/index.json", plain);
    write_file(p, "{}");
    free(p);
    dk_err_init(&err);
    ok(dk_oci_open(&l, plain, 0, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "version '2.0.0'"),
       "oci: an unknown layout version is refused");
    free(missing);
    free(plain);
    free(lay);
}

static void test_blobs_and_refs(void)
{
    struct dk_oci_layout l = DK_OCI_LAYOUT_INIT;
    struct dk_err err = DK_ERR_INIT;
    struct dk_oci_blob_writer w;
    struct dk_buf b = DK_BUF_INIT;
    char *dir = path_in("img"), *p, *got_digest = NULL, *got_mt = NULL, **refs = NULL;
    const char *config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
                         "\"layers\",\"diff_ids\":[]}}";
    const char *layer = "layer bytes";
    char cfg_d[DK_DIGEST_STR_MAX], lay_d[DK_DIGEST_STR_MAX], man_d[DK_DIGEST_STR_MAX];
    char man2_d[DK_DIGEST_STR_MAX], bad_d[DK_DIGEST_STR_MAX];
    char *man, *man2, *blobdir;
    int64_t size = 0;
    size_t n = 0, i;

    dk_oci_open(&l, dir, 1, &err);
    dk_sha256_oci(config, strlen(config), cfg_d);
    dk_sha256_oci(layer, strlen(layer), lay_d);
    ok(dk_oci_put_blob(&l, cfg_d, config, strlen(config), &err) == 0, "oci: put the config blob");
    ok(dk_oci_put_blob(&l, cfg_d, config, strlen(config), &err) == 0,
       "oci: putting the same blob again is fine");
    ok(dk_oci_has_blob(&l, cfg_d) == 1, "oci: has_blob finds it");
    ok(dk_oci_has_blob(&l, lay_d) == 0, "oci: has_blob misses a blob not put");
    p = dk_oci_blob_path(&l, cfg_d);
    ok(p && !strncmp(p, dir, strlen(dir)) && strstr(p, "/blobs/sha256/") &&
           !strcmp(strrchr(p, '/') + 1, cfg_d + 7),
       "oci: blob path is DIR/blobs/sha256/<hex>");
    free(p);
    ok(dk_oci_blob_path(&l, "sha256:../../../etc/passwd") == NULL &&
           dk_oci_has_blob(&l, "sha256:../../../etc/passwd") == 0,
       "oci: an invalid digest names no path");

    dk_err_init(&err);
    ok(dk_oci_put_blob(&l, lay_d, "other bytes", 11, &err) == -1 && err.code == DK_E_INTEGRITY &&
           strstr(err.msg, "does not match expected"),
       "oci: put_blob refuses content that does not match the digest");
    ok(!dk_oci_has_blob(&l, lay_d), "oci: no blob file after the refusal");

    /* Streamed in pieces. */
    ok(dk_oci_blob_begin(&l, &w, lay_d, &err) == 0, "oci: blob writer begins");
    dk_oci_blob_write(&w, layer, 5, &err);
    dk_oci_blob_write(&w, layer + 5, strlen(layer) - 5, &err);
    ok(!dk_oci_has_blob(&l, lay_d), "oci: blob not visible before commit");
    ok(dk_oci_blob_commit(&w, &err) == 0 && dk_oci_has_blob(&l, lay_d),
       "oci: streamed blob committed");
    ok(!strcmp(w.digest, lay_d) && w.size == strlen(layer), "oci: writer reports digest, size");
    dk_oci_blob_abort(&w);

    /* Wrong content, refused at commit. */
    dk_sha256_oci("expected", 8, bad_d);
    dk_oci_blob_begin(&l, &w, bad_d, &err);
    dk_oci_blob_write(&w, "something else", 14, &err);
    dk_err_init(&err);
    ok(dk_oci_blob_commit(&w, &err) == -1 && err.code == DK_E_INTEGRITY,
       "oci: commit refuses content with the wrong digest");
    ok(strstr(err.msg, bad_d) && strstr(err.msg, dir), "oci: the message names blob and layout");
    blobdir = dk_xasprintf("%s/blobs/sha256", dir);
    ok(!dk_oci_has_blob(&l, bad_d) && count_prefixed(blobdir, ".tmp-") == 0,
       "oci: a refused blob leaves no file, temp or final");
    dk_oci_blob_abort(&w);

    /* Unknown digest, taken at commit. */
    dk_oci_blob_begin(&l, &w, NULL, &err);
    dk_oci_blob_write(&w, "expected", 8, &err);
    ok(dk_oci_blob_commit(&w, &err) == 0 && !strcmp(w.digest, bad_d) && dk_oci_has_blob(&l, bad_d),
       "oci: a blob without an expected digest is named by its content");

    dk_oci_blob_begin(&l, &w, NULL, &err);
    dk_oci_blob_write(&w, "dropped", 7, &err);
    dk_oci_blob_abort(&w);
    dk_oci_blob_abort(&w);
    ok(count_prefixed(blobdir, ".tmp-") == 0, "oci: abort removes the temp file");

    dk_err_init(&err);
    ok(dk_oci_blob_begin(&l, &w, "sha256:nothex", &err) == -1 && err.code == DK_E_INPUT,
       "oci: blob writer refuses an invalid digest");
    dk_oci_blob_abort(&w);

    /* read_blob verifies. */
    ok(dk_oci_read_blob(&l, cfg_d, &b, &err) == 0 && !strcmp(b.buf, config),
       "oci: read_blob returns the content");
    p = dk_oci_blob_path(&l, bad_d);
    write_file(p, "tampered");
    free(p);
    dk_buf_reset(&b);
    dk_buf_add(&b, "keep");
    dk_err_init(&err);
    ok(dk_oci_read_blob(&l, bad_d, &b, &err) == -1 && err.code == DK_E_INTEGRITY,
       "oci: read_blob refuses a tampered blob");
    ok(strstr(err.msg, "content digest sha256:") && strstr(err.msg, bad_d),
       "oci: the message gives both digests");
    is_str(b.buf, "keep", "oci: the buffer is as before the failed read");
    dk_err_init(&err);
    dk_sha256_oci("never", 5, man_d);
    ok(dk_oci_read_blob(&l, man_d, &b, &err) == -1 && err.code == DK_E_NOTFOUND,
       "oci: read_blob of a missing blob is not-found");

    /* A manifest and refs. */
    man =
        dk_xasprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":"
                     "\"%s\",\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
                     "\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
                     MT_MANIFEST, MT_CONFIG, cfg_d, strlen(config), MT_LAYER, lay_d, strlen(layer));
    dk_sha256_oci(man, strlen(man), man_d);
    dk_oci_put_blob(&l, man_d, man, strlen(man), &err);
    dk_err_init(&err);
    ok(dk_oci_resolve(&l, NULL, &got_digest, NULL, NULL, &err) == -1 && err.code == DK_E_NOTFOUND,
       "oci: resolving in an empty layout is not-found");
    ok(dk_oci_put_ref(&l, "v1", man_d, MT_MANIFEST, (int64_t)strlen(man), &err) == 0,
       "oci: put_ref v1");
    ok(dk_oci_resolve(&l, "v1", &got_digest, &got_mt, &size, &err) == 0, "oci: resolve v1");
    ok(got_digest && !strcmp(got_digest, man_d) && got_mt && !strcmp(got_mt, MT_MANIFEST) &&
           size == (int64_t)strlen(man),
       "oci: resolve gives digest, media type and size");
    free(got_digest);
    free(got_mt);
    ok(dk_oci_resolve(&l, "", &got_digest, NULL, NULL, &err) == 0 && !strcmp(got_digest, man_d),
       "oci: an empty ref resolves the only image");
    free(got_digest);
    ok(dk_oci_resolve(&l, man_d, &got_digest, NULL, NULL, &err) == 0 && !strcmp(got_digest, man_d),
       "oci: a digest resolves its entry");
    free(got_digest);
    dk_err_init(&err);
    ok(dk_oci_resolve(&l, "nope", &got_digest, NULL, NULL, &err) == -1 &&
           err.code == DK_E_NOTFOUND && got_digest == NULL,
       "oci: an unknown ref is not-found");
    p = dk_xasprintf("no image 'nope' in OCI layout '%s'", dir);
    is_str(err.msg, p, "oci: the message names ref and layout");
    free(p);

    man2 = dk_xasprintf("%s ", man);
    dk_sha256_oci(man2, strlen(man2), man2_d);
    dk_oci_put_blob(&l, man2_d, man2, strlen(man2), &err);
    ok(dk_oci_put_ref(&l, "v2", man2_d, MT_MANIFEST, (int64_t)strlen(man2), &err) == 0,
       "oci: put_ref v2");
    dk_err_init(&err);
    ok(dk_oci_resolve(&l, NULL, &got_digest, NULL, NULL, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "holds 2 images"),
       "oci: no ref with two images is an input error");
    ok(dk_oci_put_ref(&l, "v1", man2_d, MT_MANIFEST, (int64_t)strlen(man2), &err) == 0,
       "oci: put_ref replaces v1");
    dk_oci_resolve(&l, "v1", &got_digest, NULL, &size, &err);
    ok(got_digest && !strcmp(got_digest, man2_d) && size == (int64_t)strlen(man2),
       "oci: v1 now resolves to the new manifest");
    free(got_digest);
    ok(dk_oci_list_refs(&l, &refs, &n, &err) == 0 && n == 2 && !strcmp(refs[0], "v1") &&
           !strcmp(refs[1], "v2"),
       "oci: list_refs gives v1 and v2, in index order");
    for (i = 0; i < n; i++)
        free(refs[i]);
    free(refs);

    ok(dk_oci_put_ref(&l, NULL, man_d, MT_MANIFEST, (int64_t)strlen(man), &err) == 0 &&
           dk_oci_put_ref(&l, NULL, man_d, MT_MANIFEST, (int64_t)strlen(man), &err) == 0,
       "oci: put_ref without a name, twice");
    p = dk_xasprintf("%s/index.json", dir);
    free(man);
    man = slurp(p);
    {
        const char *q = man;
        int entries = 0;

        while ((q = strstr(q, "\"digest\"")) != NULL) {
            entries++;
            q++;
        }
        is_int(entries, 3, "oci: the unnamed entry is there once, beside v1 and v2");
    }
    dk_oci_list_refs(&l, &refs, &n, &err);
    is_int(n, 2, "oci: list_refs skips the unnamed entry");
    for (i = 0; i < n; i++)
        free(refs[i]);
    free(refs);

    dk_err_init(&err);
    ok(dk_oci_put_ref(&l, "v3", "sha256:bad", MT_MANIFEST, 1, &err) == -1 && err.code == DK_E_INPUT,
       "oci: put_ref refuses an invalid digest");
    ok(dk_oci_put_ref(&l, "v3", man_d, "", 1, &err) == -1 && err.code == DK_E_INPUT,
       "oci: put_ref refuses an empty media type");
    ok(count_prefixed(dir, "index.json.tmp-") == 0, "oci: no index temp file left");

    /* Unknown fields survive. */
    write_file(p, "{\"schemaVersion\":2,\"x-top\":{\"keep\":true},\"manifests\":[{\"mediaType\":"
                  "\"" MT_MANIFEST "\",\"digest\":\"sha256:"
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
                  "\"size\":0,\"platform\":{\"os\":\"linux\"},\"annotations\":{\"" DK_OCI_REF_NAME
                  "\":\"other\",\"x-note\":\"n\"}}]}");
    ok(dk_oci_put_ref(&l, "v1", man_d, MT_MANIFEST, (int64_t)strlen(man), &err) == 0,
       "oci: put_ref into an index.json with unknown fields");
    free(man);
    man = slurp(p);
    ok(strstr(man, "\"x-top\":{\"keep\":true}") && strstr(man, "\"platform\":{\"os\":\"linux\"}") &&
           strstr(man, "\"x-note\":\"n\""),
       "oci: unknown fields of the index and other entries are kept");
    write_file(p, "{\"manifests\": [");
    dk_err_init(&err);
    ok(dk_oci_resolve(&l, "v1", NULL, NULL, NULL, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "invalid JSON"),
       "oci: a broken index.json is an input error");

    free(p);
    free(man);
    free(man2);
    free(blobdir);
    dk_buf_release(&b);
    dk_oci_release(&l);
    free(dir);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    char *cmd;

    snprintf(tmp, sizeof(tmp), "%s/dk-t-oci-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        printf("Bail out! cannot make a temp dir: %s\n", strerror(errno));
        return 1;
    }
    test_open();
    test_blobs_and_refs();
    cmd = dk_xasprintf("rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        printf("# cannot remove %s\n", tmp);
    free(cmd);
    return tap_done();
}
