#include "dk/copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dk/digest.h"
#include "dk/oci.h"
#include "tap.h"

#define MT_LAYER "application/vnd.oci.image.layer.v1.tar"

static char tmp[4096];

struct image {
    char config[DK_DIGEST_STR_MAX], layer[DK_DIGEST_STR_MAX], manifest[DK_DIGEST_STR_MAX];
    size_t config_size, layer_size;
};

static char *path_in(const char *name)
{
    return dk_xasprintf("%s/%s", tmp, name);
}

/* Makes an OCI layout in dir holding one image (config, one 300000-byte layer) named ref. */
static int make_layout(const char *dir, const char *ref, struct image *img)
{
    struct dk_oci_layout l = DK_OCI_LAYOUT_INIT;
    struct dk_err err = DK_ERR_INIT;
    const char *config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
                         "\"layers\",\"diff_ids\":[]}}";
    size_t n = 300000, i;
    unsigned char *layer = malloc(n);
    char *manifest;
    int rc = -1;

    for (i = 0; i < n; i++)
        layer[i] = (unsigned char)(i * 13 + i / 777);
    img->config_size = strlen(config);
    img->layer_size = n;
    dk_sha256_oci(config, img->config_size, img->config);
    dk_sha256_oci(layer, n, img->layer);
    manifest = dk_xasprintf(
        "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\",\"digest\":"
        "\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
        DK_MT_OCI_MANIFEST, DK_MT_OCI_CONFIG, img->config, img->config_size, MT_LAYER, img->layer,
        n);
    dk_sha256_oci(manifest, strlen(manifest), img->manifest);
    if (dk_oci_open(&l, dir, 1, &err) == 0 &&
        dk_oci_put_blob(&l, img->config, config, img->config_size, &err) == 0 &&
        dk_oci_put_blob(&l, img->layer, layer, n, &err) == 0 &&
        dk_oci_put_blob(&l, img->manifest, manifest, strlen(manifest), &err) == 0 &&
        dk_oci_put_ref(&l, ref, img->manifest, DK_MT_OCI_MANIFEST, (int64_t)strlen(manifest),
                       &err) == 0)
        rc = 0;
    if (rc < 0)
        printf("# cannot make the layout %s: %s\n", dir, err.msg);
    dk_oci_release(&l);
    free(manifest);
    free(layer);
    return rc;
}

/* The digest ref resolves to in the layout dir (caller frees), or NULL. */
static char *resolve(const char *dir, const char *ref)
{
    struct dk_oci_layout l = DK_OCI_LAYOUT_INIT;
    struct dk_err err = DK_ERR_INIT;
    char *digest = NULL;

    if (dk_oci_open(&l, dir, 0, &err) == 0)
        dk_oci_resolve(&l, ref, &digest, NULL, NULL, &err);
    dk_oci_release(&l);
    return digest;
}

static int has_blob(const char *dir, const char *digest)
{
    struct dk_oci_layout l = DK_OCI_LAYOUT_INIT;
    struct dk_err err = DK_ERR_INIT;
    int r = 0;

    if (dk_oci_open(&l, dir, 0, &err) == 0)
        r = dk_oci_has_blob(&l, digest);
    dk_oci_release(&l);
    return r;
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

static void test_parse(void)
{
    struct dk_endpoint e;
    struct dk_err err = DK_ERR_INIT;
    static const char *const round[] = {
        "reg:5000/app:v1",
        "reg.example.com/a/b@sha256:"
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "oci:/tmp/dir",
        "oci:/tmp/dir:name",
        "oci-archive:/x.tar.gz:n",
        "oci-archive:rel/x.tar",
    };
    size_t i;
    char *s;

    ok(dk_endpoint_parse(&e, "reg:5000/app:v1", &err) == 0, "copy: parse a registry reference");
    ok(e.kind == DK_TR_REGISTRY && !strcmp(e.ref.registry, "reg:5000") &&
           !strcmp(e.ref.repo, "app") && !strcmp(e.ref.tag, "v1") && !e.path,
       "copy: 'reg:5000/app:v1' is registry reg:5000, repo app, tag v1");
    dk_endpoint_release(&e);

    ok(dk_endpoint_parse(&e, "docker://reg.example.com/app:v1", &err) == 0 &&
           e.kind == DK_TR_REGISTRY && !strcmp(e.ref.registry, "reg.example.com") &&
           !strcmp(e.ref.repo, "app") && !strcmp(e.ref.tag, "v1"),
       "copy: 'docker://' is a registry reference");
    dk_endpoint_release(&e);
    ok(dk_endpoint_parse(&e, "docker://reg/app:v1", &err) == 0 &&
           !strcmp(e.ref.registry, "docker.io") && !strcmp(e.ref.repo, "reg/app"),
       "copy: 'docker://reg/app:v1' follows Docker's rule ('reg' is no host: docker.io)");
    dk_endpoint_release(&e);

    ok(dk_endpoint_parse(&e, "oci:/tmp/dir", &err) == 0 && e.kind == DK_TR_OCI &&
           !strcmp(e.path, "/tmp/dir") && e.name == NULL,
       "copy: 'oci:/tmp/dir' is a layout without a name");
    dk_endpoint_release(&e);
    ok(dk_endpoint_parse(&e, "oci:/tmp/dir:name", &err) == 0 && e.kind == DK_TR_OCI &&
           !strcmp(e.path, "/tmp/dir") && !strcmp(e.name, "name"),
       "copy: 'oci:/tmp/dir:name' names an image in the layout");
    dk_endpoint_release(&e);
    ok(dk_endpoint_parse(&e, "oci:/tmp/dir:", &err) == 0 && e.name == NULL,
       "copy: an empty name after the colon is no name");
    dk_endpoint_release(&e);
    ok(dk_endpoint_parse(&e, "oci-archive:/x.tar.gz:n", &err) == 0 && e.kind == DK_TR_OCI_ARCHIVE &&
           !strcmp(e.path, "/x.tar.gz") && !strcmp(e.name, "n"),
       "copy: 'oci-archive:/x.tar.gz:n' is an archive with a name");
    dk_endpoint_release(&e);

    dk_err_init(&err);
    ok(dk_endpoint_parse(&e, "oci:", &err) == -1 && err.code == DK_E_INPUT,
       "copy: 'oci:' without a path is an input error");
    is_str(err.msg, "invalid location 'oci:': no path", "copy: the message names the input");
    ok(e.path == NULL && e.name == NULL, "copy: a refused endpoint holds nothing");
    ok(dk_endpoint_parse(&e, "oci-archive::n", &err) == -1 && err.code == DK_E_INPUT,
       "copy: 'oci-archive::n' without a path is an input error");
    dk_err_init(&err);
    ok(dk_endpoint_parse(&e, "ftp://x", &err) == -1 && err.code == DK_E_INPUT,
       "copy: 'ftp://x' is an input error");
    ok(strstr(err.msg, "'ftp://x'") && strstr(err.msg, "docker://, oci: and oci-archive:"),
       "copy: the message names the input and the transports");
    dk_err_init(&err);
    ok(dk_endpoint_parse(&e, "Reg.example.com/App:v1", &err) == -1 && err.code == DK_E_INPUT,
       "copy: a bad reference is an input error");
    ok(strstr(err.msg, "Reg.example.com/App:v1") != NULL, "copy: the message names the reference");
    dk_err_init(&err);
    ok(dk_endpoint_parse(&e, "app:bad tag", &err) == -1 && err.code == DK_E_INPUT,
       "copy: a bad tag is an input error");
    dk_endpoint_release(&e);

    for (i = 0; i < sizeof(round) / sizeof(*round); i++) {
        struct dk_endpoint e2;
        char *s2 = NULL;

        dk_endpoint_parse(&e, round[i], &err);
        s = dk_endpoint_string(&e);
        if (dk_endpoint_parse(&e2, s, &err) == 0)
            s2 = dk_endpoint_string(&e2);
        is_str(s, round[i], "copy: '%s' prints as itself", round[i]);
        is_str(s2, s, "copy: '%s' parses back to the same endpoint", round[i]);
        free(s);
        free(s2);
        dk_endpoint_release(&e);
        dk_endpoint_release(&e2);
    }
    dk_endpoint_parse(&e, "docker://nginx", &err);
    s = dk_endpoint_string(&e);
    is_str(s, "docker.io/library/nginx", "copy: a registry endpoint prints in full");
    free(s);
    dk_endpoint_release(&e);
}

/* Copies src to dst; returns dk_copy's result code, with res and err filled. */
static int copy(struct dk_regclient *c, const char *src, const char *dst,
                struct dk_copy_result *res, struct dk_err *err)
{
    struct dk_endpoint s, d;
    struct dk_copy_opts o;
    int rc = -1;

    memset(&o, 0, sizeof(o));
    dk_err_init(err);
    if (dk_endpoint_parse(&s, src, err) < 0)
        return -1;
    if (dk_endpoint_parse(&d, dst, err) == 0) {
        rc = dk_copy(c, &s, &d, &o, res, err);
        dk_endpoint_release(&d);
    }
    dk_endpoint_release(&s);
    return rc;
}

static void test_copy(void)
{
    struct dk_regclient c;
    struct dk_copy_result res;
    struct dk_err err = DK_ERR_INIT;
    struct image img, bad;
    char *a = path_in("A"), *b = path_in("B"), *cdir = path_in("C"), *d = path_in("D");
    char *e = path_in("E"), *tar = path_in("img.tar"), *tgz = path_in("img.tar.gz");
    char *spec, *spec2, *got;

    ok(dk_regclient_init(&c, NULL, &err) == 0, "copy: a client with defaults starts");
    ok(make_layout(a, "v1", &img) == 0, "copy: a source layout with one image");

    spec = dk_xasprintf("oci:%s:v1", a);
    spec2 = dk_xasprintf("oci:%s:v2", b);
    ok(copy(&c, spec, spec2, &res, &err) == 0, "copy: oci:A:v1 to oci:B:v2");
    if (err.msg[0])
        printf("# %s\n", err.msg);
    is_str(res.digest, img.manifest, "copy: the result names the manifest digest");
    is_str(res.media_type, DK_MT_OCI_MANIFEST, "copy: the result names the media type");
    is_int(res.blobs_copied, 2, "copy: two blobs were copied");
    is_int(res.bytes, (long long)(img.config_size + img.layer_size),
           "copy: the bytes copied are the blobs' sizes");
    got = resolve(b, "v2");
    is_str(got, img.manifest, "copy: B resolves v2 to the source's digest");
    free(got);
    got = resolve(b, "v1");
    ok(got == NULL, "copy: B has no v1, only the name asked for");
    free(got);
    ok(has_blob(b, img.config) && has_blob(b, img.layer) && has_blob(b, img.manifest),
       "copy: B has the config, the layer and the manifest");

    ok(copy(&c, spec, spec2, &res, &err) == 0, "copy: the same copy again");
    ok(res.blobs_copied == 0 && res.blobs_skipped == 2,
       "copy: blobs the destination has are skipped");
    free(spec2);

    spec2 = dk_xasprintf("oci-archive:%s", tar);
    ok(copy(&c, spec, spec2, &res, &err) == 0, "copy: oci:A:v1 to an oci-archive");
    if (err.msg[0])
        printf("# %s\n", err.msg);
    ok(access(tar, F_OK) == 0, "copy: the archive file exists");
    is_int(count_prefixed(tmp, "dk-archive-"), 0, "copy: no staging directory is left behind");
    free(spec);
    spec = dk_xasprintf("oci:%s", cdir);
    ok(copy(&c, spec2, spec, &res, &err) == 0, "copy: the oci-archive back to oci:C");
    if (err.msg[0])
        printf("# %s\n", err.msg);
    is_str(res.digest, img.manifest, "copy: reading the archive gives the same digest");
    got = resolve(cdir, NULL);
    is_str(got, img.manifest, "copy: C's only image has the source's digest");
    free(got);
    ok(has_blob(cdir, img.config) && has_blob(cdir, img.layer),
       "copy: C has every blob from the archive");
    free(spec);
    free(spec2);
    spec = dk_xasprintf("oci-archive:%s:v1", tar);
    spec2 = dk_xasprintf("oci:%s:named", cdir);
    ok(copy(&c, spec, spec2, &res, &err) == 0 && !strcmp(res.digest, img.manifest),
       "copy: the archive holds the image under the source's name (v1)");
    is_int(count_prefixed(tmp, "dk-archive-"), 0, "copy: reading an archive leaves no staging");
    free(spec);
    free(spec2);

    spec = dk_xasprintf("oci:%s:v1", a);
    spec2 = dk_xasprintf("oci-archive:%s:gz", tgz);
    ok(copy(&c, spec, spec2, &res, &err) == 0, "copy: oci:A:v1 to a .tar.gz archive");
    {
        unsigned char magic[2] = {0, 0};
        FILE *f = fopen(tgz, "rb");

        if (f) {
            if (fread(magic, 1, 2, f) != 2)
                magic[0] = 0;
            fclose(f);
        }
        ok(magic[0] == 0x1f && magic[1] == 0x8b, "copy: a .tar.gz archive is gzip-compressed");
    }
    free(spec);
    spec = dk_xasprintf("oci:%s:back", cdir);
    ok(copy(&c, spec2, spec, &res, &err) == 0 && !strcmp(res.digest, img.manifest),
       "copy: a .tar.gz archive reads back to the same digest");
    got = resolve(cdir, "back");
    is_str(got, img.manifest, "copy: the destination name wins over the source's");
    free(got);
    free(spec);
    free(spec2);

    /* a missing source image */
    spec = dk_xasprintf("oci:%s:nope", a);
    spec2 = dk_xasprintf("oci:%s:x", d);
    ok(copy(&c, spec, spec2, &res, &err) == -1 && err.code == DK_E_NOTFOUND,
       "copy: a name missing from the source layout is not-found");
    free(spec);
    free(spec2);

    /* a corrupted layer */
    ok(make_layout(e, "v1", &bad) == 0, "copy: a second layout to corrupt");
    {
        char *p = dk_xasprintf("%s/blobs/sha256/%s", e, bad.layer + 7);
        int fd = open(p, O_WRONLY);

        ok(fd >= 0 && pwrite(fd, "XXXX", 4, 1000) == 4, "copy: overwrite bytes of the layer blob");
        if (fd >= 0)
            close(fd);
        free(p);
    }
    spec = dk_xasprintf("oci:%s:v1", e);
    spec2 = dk_xasprintf("oci:%s:v1", d);
    ok(copy(&c, spec, spec2, &res, &err) == -1, "copy: a corrupted layer fails the copy");
    is_int(err.code, DK_E_INTEGRITY, "copy: a corrupted layer is an integrity error");
    ok(strstr(err.msg, bad.layer) != NULL, "copy: the message names the layer's digest");
    got = resolve(d, "v1");
    ok(got == NULL, "copy: a failed copy leaves no ref in the destination");
    free(got);
    ok(!has_blob(d, bad.layer), "copy: the corrupted layer is not stored");
    ok(!has_blob(d, bad.manifest), "copy: the manifest is not stored either");
    free(spec2);
    {
        char *p = path_in("bad.tar");

        spec2 = dk_xasprintf("oci-archive:%s", p);
        ok(copy(&c, spec, spec2, &res, &err) == -1 && err.code == DK_E_INTEGRITY,
           "copy: a corrupted layer fails a copy to an archive");
        ok(access(p, F_OK) != 0, "copy: a failed copy writes no archive");
        free(p);
    }
    is_int(count_prefixed(tmp, "dk-archive-"), 0, "copy: a failed copy leaves no staging");
    free(spec);
    free(spec2);

    dk_regclient_release(&c);
    free(a);
    free(b);
    free(cdir);
    free(d);
    free(e);
    free(tar);
    free(tgz);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    char *cmd;

    snprintf(tmp, sizeof(tmp), "%s/dk-t-copy-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        printf("Bail out! cannot make a temp dir: %s\n", strerror(errno));
        return 1;
    }
    /* archives are staged in TMPDIR: ours, so what is left behind can be counted */
    setenv("TMPDIR", tmp, 1);
    setenv("DOCKER_CONFIG", tmp, 1);
    test_parse();
    test_copy();
    cmd = dk_xasprintf("rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        printf("# cannot remove %s\n", tmp);
    free(cmd);
    return tap_done();
}
