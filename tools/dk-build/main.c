/* dk-build: build what is not in the registry yet, reuse what any runner pushed. */
#include "dk/build.h"
#include "dk/tool.h"

static const char usage[] = "dk-build --repo REPO [OPTIONS] [IMAGE...]";
static const char description[] =
    "Builds the images of dk.yaml / werf.yaml that are not in the registry under their\n"
    "content tag (<digest>-<unix ms>), dependencies first and independent images side by\n"
    "side, and pushes them; reuses the oldest tag any runner already pushed. No lock: any\n"
    "number of runners converge on one tag. Records images.<name>.{digest, tag, ref,\n"
    "manifest, built} in the pipeline document.";

int main(int argc, char **argv)
{
    struct dk_build_opts o;
    struct dk_err err = DK_ERR_INIT;
    struct dk_doc doc = {NULL};
    int rc;
    const struct dk_opt opts[] = {
        {"repo", 'r', DK_OPT_STR, &o.repo, "REPO",
         "where images are stored (or the document's repo)", NULL},
        {"secondary-repo", 0, DK_OPT_STRLIST, &o.secondary_repos, "REPO",
         "read-only repos to reuse images from", NULL},
        {"cache-repo", 0, DK_OPT_STRLIST, &o.cache_repos, "REPO",
         "repos read first and filled after builds; layer cache", NULL},
        {"add-tag", 0, DK_OPT_STRLIST, &o.add_tags, "TEMPLATE",
         "alias tags: %image%, %image_slug%, %image_content_based_tag%", NULL},
        {"parallel", 'j', DK_OPT_INT, &o.parallel, "N", "images built at once (4)", NULL},
        {"backend", 0, DK_OPT_STR, &o.backend, "auto|buildah|docker", "the build backend", NULL},
        {"buildah-root", 0, DK_OPT_STR, &o.buildah_root, "DIR", "buildah --root", NULL},
        {"buildah-runroot", 0, DK_OPT_STR, &o.buildah_runroot, "DIR", "buildah --runroot", NULL},
        {"storage-driver", 0, DK_OPT_STR, &o.storage_driver, "DRIVER",
         "buildah --storage-driver (vfs, overlay)", NULL},
        {"isolation", 0, DK_OPT_STR, &o.isolation, "MODE",
         "buildah --isolation (chroot, oci, rootless)", NULL},
        {"dir", 'C', DK_OPT_STR, &o.tag.dir, "DIR", "the project directory (.)", NULL},
        {"config", 0, DK_OPT_STR, &o.tag.config, "FILE", "the configuration file", NULL},
        {"commit", 0, DK_OPT_STR, &o.tag.commit, "REV", "the commit to build (HEAD)", NULL},
        {"dev", 0, DK_OPT_BOOL, &o.tag.dev, NULL, "build the working tree", NULL},
        {"insecure-registry", 0, DK_OPT_STRLIST, &o.reg.insecure_registries, "HOST",
         "allow plain HTTP and unverified TLS for HOST", NULL},
        {"tls-verify", 0, DK_OPT_STR, &o.reg.tls_verify, "auto|true|false", "verify TLS", NULL},
        {"ca-cert", 0, DK_OPT_STR, &o.reg.ca_cert, "FILE", "extra CA certificates (PEM)", NULL},
        {"username", 'u', DK_OPT_STR, &o.reg.username, "USER", "registry user", NULL},
        {"password", 0, DK_OPT_STR, &o.reg.password, "PASS",
         "registry password (prefer the variable)", NULL},
        {"no-progress", 0, DK_OPT_BOOL, &o.no_progress, NULL, "no progress output", NULL},
        DK_OPT_END,
    };

    dk_build_opts_init(&o);
    rc = dk_tool_start("dk-build", usage, description, opts, argc, argv, 1, &o.tag.images, &err);
    if (rc >= 0) {
        dk_build_opts_release(&o);
        return rc;
    }
    dk_tool_read_doc(&doc, 0, &err);
    if (err.code == DK_E_OK)
        dk_build_run(&o, &doc, &err);
    rc = dk_tool_finish(&doc, "dk-build", &err);
    dk_build_opts_release(&o);
    return rc;
}
