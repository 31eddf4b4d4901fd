/* Unit tests for common/config.c: werf.yaml / dk.yaml reading, its errors and the build order.
 * Fixtures are in tests/fixtures/config/ (found from DK_TOP, else the current directory). */
#include "dk/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dk/buf.h"
#include "tap.h"

static char msg[1200];

/* Parses yaml as "werf.yaml": "OK", or the error message (with " [code]" when the code is not
 * DK_E_INPUT). Valid until the next call. */
static const char *perr(const char *yaml)
{
    struct dk_config c;
    struct dk_err err = DK_ERR_INIT;

    if (dk_config_parse(&c, "werf.yaml", yaml, strlen(yaml), &err) == 0) {
        dk_config_release(&c);
        return "OK";
    }
    if (err.code != DK_E_INPUT)
        snprintf(msg, sizeof(msg), "%s [%s]", err.msg, dk_err_name(err.code));
    else
        snprintf(msg, sizeof(msg), "%s", err.msg);
    if (c.path || c.images || c.project)
        snprintf(msg, sizeof(msg), "config not released after a failure");
    return msg;
}

static int parse_str(struct dk_config *c, const char *yaml)
{
    struct dk_err err = DK_ERR_INIT;
    int rc = dk_config_parse(c, "werf.yaml", yaml, strlen(yaml), &err);

    if (rc < 0)
        printf("# parse failed: %s\n", err.msg);
    return rc;
}

static int parse_fixture(struct dk_config *c, const char *name)
{
    struct dk_buf b = DK_BUF_INIT;
    struct dk_err err = DK_ERR_INIT;
    const char *top = getenv("DK_TOP");
    char path[4096];
    int rc;

    snprintf(path, sizeof(path), "%s/tests/fixtures/config/%s", top ? top : ".", name);
    if (dk_buf_read_file(&b, path) < 0) {
        printf("# cannot read %s: %s\n", path, strerror(errno));
        dk_config_init(c);
        return -1;
    }
    rc = dk_config_parse(c, name, b.buf, b.len, &err);
    if (rc < 0)
        printf("# %s: %s\n", name, err.msg);
    dk_buf_release(&b);
    return rc;
}

static const char *arg(const struct dk_config_image *im, const char *name)
{
    size_t i;

    for (i = 0; im && i < im->nargs; i++)
        if (!strcmp(im->arg_names[i], name))
            return im->arg_values[i];
    return NULL;
}

static void test_seed(void)
{
    struct dk_config c;
    const struct dk_config_image *im;

    ok(parse_fixture(&c, "distribution-overview.werf.yaml") == 0,
       "seed: the werf.yaml of distribution-overview parses");
    is_str(c.project, "myproject", "seed: project");
    is_int(c.config_version, 1, "seed: configVersion");
    is_int(c.nimages, 1, "seed: one image");
    im = dk_config_image(&c, "myapp");
    ok(im != NULL, "seed: image 'myapp' is found by name");
    is_str(im ? im->dockerfile : NULL, "Dockerfile", "seed: dockerfile");
    is_str(im ? im->context : NULL, "", "seed: context defaults to the project root");
    is_int(im ? im->final : -1, 1, "seed: final by default");
    ok(im && !im->target && !im->network && !im->cache_version && !im->nargs && !im->ndeps,
       "seed: unset keys stay empty");
    is_int(im ? im->line : 0, 4, "seed: the image is named on line 4");
    is_str(c.helm_chart_dir, ".helm", "seed: helmChartDir defaults to .helm");
    is_str(c.path, "distribution-overview.werf.yaml", "seed: path is the name given");
    ok(!c.cache_version && !c.nplatforms && !c.staged, "seed: no build settings");
    is_int(c.cleanup.n, 0, "seed: no keep policies");
    is_int(c.cleanup.keep_images_built_within_last_n_hours, 2,
           "seed: keepImagesBuiltWithinLastNHours defaults to 2");
    ok(!dk_config_image(&c, "other"), "seed: an unknown image name gives NULL");
    dk_config_release(&c);
    ok(!c.project && !c.images && !c.path, "release: leaves the struct empty");
    dk_config_release(&c);
    ok(1, "release: twice is harmless");
}

static void test_full(void)
{
    struct dk_config c;
    const struct dk_config_image *base, *be;
    const struct dk_keep_policy *kp;

    ok(parse_fixture(&c, "full.werf.yaml") == 0, "full: every supported key parses");
    is_str(c.project, "shop", "full: project");
    is_str(c.cache_version, "2024-01", "full: build.cacheVersion");
    ok(c.nplatforms == 2 && !strcmp(c.platforms[0], "linux/amd64") &&
           !strcmp(c.platforms[1], "linux/arm64"),
       "full: build.platform");
    is_int(c.staged, 1, "full: build.staged");
    is_str(c.helm_chart_dir, "deploy/chart", "full: deploy.helmChartDir");
    is_int(c.nimages, 2, "full: two images");

    base = dk_config_image(&c, "base");
    be = dk_config_image(&c, "backend");
    ok(base && be, "full: both images found");
    if (!base || !be) {
        dk_config_release(&c);
        return;
    }
    is_int(base->final, 0, "full: final: false");
    is_int(base->staged, 0, "full: an image's staged: false beats build.staged");
    is_str(base->dockerfile, "docker/base.Dockerfile", "full: dockerfile");
    is_str(base->context, ".", "full: context");
    is_int(be->final, 1, "full: final: true");
    is_int(be->staged, 1, "full: staged defaults to build.staged");
    is_str(be->context, "backend", "full: backend context");
    ok(be->ncontext_add_files == 2 && !strcmp(be->context_add_files[0], "generated.env") &&
           !strcmp(be->context_add_files[1], "assets/"),
       "full: contextAddFiles");
    is_str(be->target, "app", "full: target");
    is_int(be->nargs, 3, "full: three args");
    ok(be->nargs == 3 && !strcmp(be->arg_names[0], "GO_VERSION") &&
           !strcmp(be->arg_names[1], "CGO_ENABLED") && !strcmp(be->arg_names[2], "DEBUG"),
       "full: args keep file order");
    is_str(arg(be, "GO_VERSION"), "1.22", "full: a quoted arg");
    is_str(arg(be, "CGO_ENABLED"), "0", "full: a number arg becomes its text");
    is_str(arg(be, "DEBUG"), "false", "full: a boolean arg becomes false");
    ok(be->nadd_hosts == 2 && !strcmp(be->add_hosts[0], "db:10.0.0.5") &&
           !strcmp(be->add_hosts[1], "cache:10.0.0.6"),
       "full: addHost");
    is_str(be->network, "host", "full: network");
    ok(be->nplatforms == 1 && !strcmp(be->platforms[0], "linux/amd64"), "full: platform");
    is_str(be->cache_version, "7", "full: a numeric cacheVersion is its text");
    is_int(be->ndeps, 1, "full: one dependency");
    is_str(be->ndeps ? be->deps[0].image : NULL, "base", "full: dependency from:");
    is_int(be->ndeps ? be->deps[0].line : 0, 63, "full: dependency line");
    ok(be->ndeps && be->deps[0].nimports == 2 && be->deps[0].imports[0].type == DK_IMPORT_NAME &&
           !strcmp(be->deps[0].imports[0].target_build_arg, "BASE_IMAGE") &&
           be->deps[0].imports[1].type == DK_IMPORT_DIGEST &&
           !strcmp(be->deps[0].imports[1].target_build_arg, "BASE_DIGEST"),
       "full: imports");

    is_int(c.cleanup.disable, 0, "full: cleanup.disable");
    is_int(c.cleanup.disable_kubernetes_based_policy, 1, "full: disableKubernetesBasedPolicy");
    is_int(c.cleanup.disable_git_history_based_policy, 0, "full: disableGitHistoryBasedPolicy");
    is_int(c.cleanup.disable_built_within_last_n_hours_policy, 1,
           "full: disableBuiltWithinLastNHoursPolicy");
    is_int(c.cleanup.keep_images_built_within_last_n_hours, 6,
           "full: keepImagesBuiltWithinLastNHours");
    is_int(c.cleanup.n, 3, "full: three keep policies");
    if (c.cleanup.n == 3) {
        kp = &c.cleanup.policies[0];
        ok(kp->references_tag && !strcmp(kp->references_tag, "/.*/") && !kp->references_branch,
           "keepPolicies: a tag policy keeps the regex as written");
        is_int(kp->limit_last, 10, "keepPolicies: limit.last");
        ok(!kp->limit_in && kp->limit_in_sec == -1, "keepPolicies: limit.in unset");
        is_str(kp->limit_operator, "And", "keepPolicies: operator defaults to And");
        is_int(kp->image_per_reference_last, 1, "keepPolicies: imagesPerReference.last is 1");
        is_int(kp->line, 26, "keepPolicies: line of the first policy");

        kp = &c.cleanup.policies[1];
        is_str(kp->references_branch, "/.*/", "keepPolicies: branch regex");
        is_int(kp->limit_last, 20, "keepPolicies: flow limit.last");
        is_str(kp->limit_in, "168h", "keepPolicies: limit.in as written");
        is_int(kp->limit_in_sec, 168 * 3600, "keepPolicies: limit.in in seconds");
        is_str(kp->limit_operator, "And", "keepPolicies: limit.operator");
        is_int(kp->image_per_reference_last, 2, "keepPolicies: imagesPerReference.last");
        is_str(kp->image_per_reference_in, "1h30m", "keepPolicies: imagesPerReference.in");
        is_int(kp->image_per_reference_in_sec, 5400, "keepPolicies: 1h30m is 5400 s");
        is_str(kp->image_per_reference_operator, "Or", "keepPolicies: operator Or");

        kp = &c.cleanup.policies[2];
        is_str(kp->references_branch, "main", "keepPolicies: a literal branch");
        is_int(kp->limit_last, -1, "keepPolicies: no limit means last -1");
        is_int(kp->image_per_reference_last, -1, "keepPolicies: imagesPerReference.last: -1");
    }
    dk_config_release(&c);
}

static void test_multi(void)
{
    struct dk_config c;
    const struct dk_config_image *fe, *ad, *ctl, *tools;

    ok(parse_fixture(&c, "multi.werf.yaml") == 0, "multi: parses");
    is_int(c.nimages, 4, "multi: image: [a, b] gives two images, an empty document none");
    fe = dk_config_image(&c, "frontend");
    ad = dk_config_image(&c, "admin");
    ctl = dk_config_image(&c, "modules/controller");
    tools = dk_config_image(&c, "tools");
    ok(fe && ad && ctl && tools, "multi: every image found, a hierarchical name too");
    if (!fe || !ad || !ctl || !tools) {
        dk_config_release(&c);
        return;
    }
    ok(fe == &c.images[0] && ad == &c.images[1] && ctl == &c.images[2],
       "multi: images in file order");
    ok(!strcmp(fe->dockerfile, "web.Dockerfile") && !strcmp(ad->dockerfile, "web.Dockerfile") &&
           !strcmp(ad->context, "web"),
       "multi: both names get the document's settings");
    ok(fe->dockerfile != ad->dockerfile, "multi: each image owns its strings");
    is_str(arg(ad, "PORT"), "8080", "multi: args copied to each name");
    is_int(fe->line, 4, "multi: line of the first name");
    is_int(ad->line, 4, "multi: line of the second name");
    ok(tools->ncontext_add_files == 1 && !strcmp(tools->context_add_files[0], "scripts/"),
       "multi: contextAddFile (older spelling) as a single string");
    ok(tools->nadd_hosts == 1 && !strcmp(tools->add_hosts[0], "registry:10.1.1.1"),
       "multi: addHost as a single string");
    dk_config_release(&c);
}

static void test_args(void)
{
    struct dk_config c;
    const char *y = "project: p\n"
                    "configVersion: 1\n"
                    "---\n"
                    "image: a\n"
                    "args:\n"
                    "  INT: 1\n"
                    "  FLOAT: 1.50\n"
                    "  HEX: 0x10\n"
                    "  YES: yes\n"
                    "  TRUE: True\n"
                    "  OFF: off\n"
                    "  QUOTED: \"true\"\n"
                    "  NULL: ~\n"
                    "  EMPTY:\n"
                    "  STR: some text\n"
                    "  1: one\n";
    const struct dk_config_image *im;

    ok(parse_str(&c, y) == 0, "args: numbers, booleans and nulls parse");
    im = dk_config_image(&c, "a");
    is_int(im ? im->nargs : 0, 11, "args: all eleven kept");
    is_str(arg(im, "INT"), "1", "args: an integer is its text");
    is_str(arg(im, "FLOAT"), "1.50", "args: a float is its text as written");
    is_str(arg(im, "HEX"), "0x10", "args: a hex integer is its text as written");
    is_str(arg(im, "YES"), "true", "args: yes is a boolean, passed as true");
    is_str(arg(im, "TRUE"), "true", "args: True is passed as true");
    is_str(arg(im, "OFF"), "false", "args: off is passed as false");
    is_str(arg(im, "QUOTED"), "true", "args: a quoted string stays itself");
    is_str(arg(im, "NULL"), "", "args: ~ is empty");
    is_str(arg(im, "EMPTY"), "", "args: no value is empty");
    is_str(arg(im, "STR"), "some text", "args: a plain string");
    is_str(arg(im, "1"), "one", "args: a numeric key is its text");
    dk_config_release(&c);
}

static void test_deps(void)
{
    struct dk_config c;
    struct dk_err err = DK_ERR_INIT;
    const struct dk_config_image *app;
    size_t order[4] = {9, 9, 9, 9};
    static const enum dk_import_type want[] = {DK_IMPORT_NAME, DK_IMPORT_TAG, DK_IMPORT_REPO,
                                               DK_IMPORT_ID, DK_IMPORT_DIGEST};
    size_t i;
    int types_ok = 1;

    ok(parse_fixture(&c, "deps.werf.yaml") == 0, "deps: parses");
    app = dk_config_image(&c, "app");
    ok(app && app->ndeps == 2, "deps: two dependencies");
    if (!app || app->ndeps != 2) {
        dk_config_release(&c);
        return;
    }
    is_str(app->deps[0].image, "runtime", "deps: from: names the image");
    is_str(app->deps[1].image, "builder", "deps: image: (werf v2 spelling) names it too");
    is_int(app->deps[0].nimports, 5, "deps: five imports");
    for (i = 0; i < 5 && app->deps[0].nimports == 5; i++)
        types_ok &= app->deps[0].imports[i].type == want[i];
    ok(types_ok, "deps: ImageName, ImageTag, ImageRepo, ImageID, ImageDigest");
    is_str(app->deps[0].imports[4].target_build_arg, "RUNTIME_DIGEST", "deps: targetBuildArg");
    is_int(app->deps[0].line, 6, "deps: line of from:");
    is_int(app->deps[1].line, 18, "deps: line of image:");
    is_int(dk_config_image(&c, "runtime")->deps[0].nimports, 0, "deps: imports are optional");

    ok(dk_config_order(&c, order, &err) == 0, "order: succeeds");
    ok(order[0] == 2 && order[1] == 1 && order[2] == 0 && order[3] == 3,
       "order: builder, runtime, app, docs (got %zu %zu %zu %zu)", order[0], order[1], order[2],
       order[3]);
    dk_config_release(&c);

    ok(parse_str(&c, "project: p\nconfigVersion: 1\n---\nimage: a\n---\nimage: b\n---\n"
                     "image: c\n") == 0,
       "order: images without dependencies");
    ok(dk_config_order(&c, order, &err) == 0 && order[0] == 0 && order[1] == 1 && order[2] == 2,
       "order: file order when nothing depends on anything");
    dk_config_release(&c);

    ok(parse_str(&c, "project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- from: c\n"
                     "---\nimage: b\n---\nimage: c\n") == 0,
       "order: a depends on a later image");
    ok(dk_config_order(&c, order, &err) == 0 && order[0] == 1 && order[1] == 2 && order[2] == 0,
       "order: b, c, a - the first ready image in file order goes first");
    dk_config_release(&c);
}

static void test_order_by_hand(void)
{
    struct dk_config c;
    struct dk_config_image im[3];
    struct dk_config_dep d[3];
    struct dk_err err = DK_ERR_INIT;
    size_t order[3];
    char a[] = "a", b[] = "b", cc[] = "c", path[] = "dk.yaml";

    memset(im, 0, sizeof(im));
    memset(d, 0, sizeof(d));
    dk_config_init(&c);
    c.path = path;
    c.images = im;
    c.nimages = 3;
    im[0].name = a;
    im[1].name = b;
    im[2].name = cc;
    /* a -> b -> c -> b */
    d[0].image = b;
    d[0].line = 5;
    d[1].image = cc;
    d[1].line = 8;
    d[2].image = b;
    d[2].line = 11;
    im[0].deps = &d[0];
    im[0].ndeps = 1;
    im[1].deps = &d[1];
    im[1].ndeps = 1;
    im[2].deps = &d[2];
    im[2].ndeps = 1;
    ok(dk_config_order(&c, order, &err) < 0, "order: a cycle in a hand-made config fails");
    is_str(err.msg, "dk.yaml:11: dependency cycle: b -> c -> b", "order: the cycle is named");
    is_int(err.code, DK_E_INPUT, "order: a cycle is bad input");

    d[2].image = NULL;
    im[2].ndeps = 0;
    d[1].image = cc;
    d[0].image = path; /* an image that does not exist */
    dk_err_init(&err);
    ok(dk_config_order(&c, order, &err) < 0, "order: an undefined dependency fails");
    is_str(err.msg, "dk.yaml:5: dependency 'dk.yaml' of image 'a' is not defined",
           "order: the undefined dependency is named");
}

struct err_case {
    const char *yaml;
    const char *want;
    const char *what;
};

static const struct err_case errors[] = {
    {"project: p\nconfigVersion: 1\n---\nimage: backend\ndockerfile: x\ncontext: .\n"
     "dockerfil: y\n",
     "werf.yaml:7: unknown key 'dockerfil' in image 'backend'", "an unknown image key"},
    {"# comment\nproject: p\nconfigVersion: \"1\"\n",
     "werf.yaml:3: 'configVersion' must be an integer", "a quoted configVersion"},
    {"project: p\nconfigVersion: one\n", "werf.yaml:2: 'configVersion' must be an integer",
     "a word for configVersion"},
    {"project: p\nconfigVersion: 2\n", "werf.yaml:2: 'configVersion' must be 1", "configVersion 2"},
    {"project: p\n", "werf.yaml:1: 'configVersion: 1' is required", "no configVersion"},
    {"configVersion: 1\n", "werf.yaml:1: 'project' is required", "no project"},
    {"", "werf.yaml: 'project' is required (a document with project and configVersion: 1)",
     "an empty file"},
    {"---\nimage: a\n",
     "werf.yaml: 'project' is required (a document with project and configVersion: 1)",
     "images without a meta document"},
    {"project: My_Project\nconfigVersion: 1\n",
     "werf.yaml:1: project name 'My_Project' must be 1 to 50 characters of a-z, 0-9 and '-', "
     "not starting or ending with '-'",
     "a bad project name"},
    {"project: p\nconfigVersion: 1\nprojekt: q\n",
     "werf.yaml:3: unknown key 'projekt' in the meta document (project, configVersion, build, "
     "deploy, cleanup, gitWorktree)",
     "an unknown meta key"},
    {"project: p\nconfigVersion: 1\n---\nproject: q\nconfigVersion: 1\n",
     "werf.yaml:4: a second meta document (with 'project'); the first is at line 1",
     "two meta documents"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\n---\nimage: b\n---\n# again\nimage: a\n",
     "werf.yaml:9: image 'a' is defined twice", "an image defined twice"},
    {"project: p\nconfigVersion: 1\n---\nimage: [x, y, x]\n",
     "werf.yaml:4: image 'x' is defined twice", "a name twice in one list"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- from: x\n",
     "werf.yaml:6: dependency 'x' of image 'a' is not defined", "an undefined dependency"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- from: b\n---\nimage: b\n"
     "dependencies:\n- from: a\n",
     "werf.yaml:10: dependency cycle: a -> b -> a", "a dependency cycle"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- image: a\n",
     "werf.yaml:6: dependency cycle: a -> a", "an image depending on itself"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\nshell:\n  install: [make]\n",
     "werf.yaml:5: 'shell' (stapel images) is not supported by dk", "a stapel shell image"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\n",
     "werf.yaml:5: 'from' (stapel images) is not supported by dk", "a stapel from"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ngit:\n- add: /\n",
     "werf.yaml:5: 'git' (stapel images) is not supported by dk", "stapel git"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\nansible: {}\n",
     "werf.yaml:5: 'ansible' (stapel images) is not supported by dk", "stapel ansible"},
    {"project: p\nconfigVersion: 1\n---\nartifact: x\nfrom: alpine\n",
     "werf.yaml:4: 'artifact' (stapel images) is not supported by dk", "a stapel artifact"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\nimageSpec:\n  config: {}\n",
     "werf.yaml:5: 'imageSpec' is not supported by dk", "imageSpec"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\nsecrets:\n- id: x\n  env: X\n",
     "werf.yaml:5: 'secrets' is not supported by dk", "secrets"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\nssh: default\n",
     "werf.yaml:5: 'ssh' is not supported by dk", "ssh"},
    {"project: p\nconfigVersion: 1\nbuild:\n  imageSpec: {}\n",
     "werf.yaml:4: 'build.imageSpec' is not supported by dk", "build.imageSpec"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- from: b\n  before: install\n"
     "---\nimage: b\n",
     "werf.yaml:7: 'before' (stapel images) is not supported by dk", "a stapel dependency stage"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- from: b\n  imports:\n"
     "  - type: ImageName\n    targetEnv: B\n---\nimage: b\n",
     "werf.yaml:9: 'targetEnv' (stapel images) is not supported by dk", "a stapel targetEnv"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- from: b\n  imports:\n"
     "  - type: ImageFoo\n    targetBuildArg: B\n---\nimage: b\n",
     "werf.yaml:8: 'imports.type' of image 'a' must be ImageName, ImageTag, ImageRepo, ImageID "
     "or ImageDigest, not 'ImageFoo'",
     "a bad import type"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- from: b\n  imports:\n"
     "  - type: ImageName\n---\nimage: b\n",
     "werf.yaml:8: an import of image 'a' needs 'targetBuildArg'", "an import without an arg"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- from: b\n  imports:\n"
     "  - {type: ImageName, targetBuildArg: X}\n- from: c\n  imports:\n"
     "  - {type: ImageTag, targetBuildArg: X}\n---\nimage: [b, c]\n",
     "werf.yaml:9: build arg 'X' of image 'a' is imported twice", "a build arg imported twice"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- imports: []\n",
     "werf.yaml:6: a dependency of image 'a' needs 'from' (or 'image'), the image it depends on",
     "a dependency without an image"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- {from: b, image: b}\n"
     "---\nimage: b\n",
     "werf.yaml:6: a dependency of image 'a' has both 'from' and 'image'",
     "a dependency with from and image"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndependencies:\n- from: b\n  to: c\n",
     "werf.yaml:7: unknown key 'to' in a dependency of image 'a'", "an unknown dependency key"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\nfinal: maybe\n",
     "werf.yaml:5: 'final' of image 'a' must be true or false", "a bad boolean"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndockerfile: [a, b]\n",
     "werf.yaml:5: 'dockerfile' of image 'a' must be a string", "a list for a string"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndockerfile: \"\"\n",
     "werf.yaml:5: 'dockerfile' of image 'a' must not be empty", "an empty dockerfile"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\nplatform: linux/amd64\n",
     "werf.yaml:5: 'platform' of image 'a' must be a list of strings", "platform not a list"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\nnetwork: bridge\n",
     "werf.yaml:5: 'network' of image 'a' must be default, none or host", "a bad network"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\nargs:\n  X: [1]\n",
     "werf.yaml:6: arg 'X' of image 'a' must be a string, a number or a boolean",
     "a list as an arg"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\nargs: [X]\n",
     "werf.yaml:5: 'args' must be a mapping", "args as a list"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ncontextAddFiles: [x]\ncontextAddFile: [y]\n",
     "werf.yaml:6: use one of 'contextAddFiles' and 'contextAddFile' of image 'a', not both",
     "both context file keys"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndockerfile: x\ndockerfile: y\n",
     "werf.yaml:6: key 'dockerfile' is given twice", "a key twice"},
    {"project: p\nconfigVersion: 1\n---\nimage: ~\n",
     "werf.yaml:4: 'image' must be a name or a list of names", "a nameless image"},
    {"project: p\nconfigVersion: 1\n---\nimage: []\n",
     "werf.yaml:4: 'image' must name at least one image", "an empty list of names"},
    {"project: p\nconfigVersion: 1\n---\nimage: a//b\n",
     "werf.yaml:4: invalid image name 'a//b': no blanks, and '/' only between parts",
     "a bad image name"},
    {"project: p\nconfigVersion: 1\n---\ndockerfile: x\n",
     "werf.yaml:4: a document must have 'image' (or be the meta document, with 'project')",
     "a document without image"},
    {"project: p\nconfigVersion: 1\n---\n- image: a\n", "werf.yaml:4: a document must be a mapping",
     "a list as a document"},
    {"project: p\nconfigVersion: 1\nbuild:\n  platfrom: [linux/amd64]\n",
     "werf.yaml:4: unknown key 'platfrom' in 'build'", "an unknown build key"},
    {"project: p\nconfigVersion: 1\ndeploy:\n  helmChartDir: \"\"\n",
     "werf.yaml:4: 'deploy.helmChartDir' must not be empty", "an empty helmChartDir"},
    {"project: p\nconfigVersion: 1\ndeploy:\n  chart: x\n",
     "werf.yaml:4: unknown key 'chart' in 'deploy'", "an unknown deploy key"},
    {"project: p\nconfigVersion: 1\ncleanup:\n  policies: []\n",
     "werf.yaml:4: unknown key 'policies' in 'cleanup'", "werf 1.1 cleanup policies"},
    {"project: p\nconfigVersion: 1\ncleanup:\n  keepImagesBuiltWithinLastNHours: -1\n",
     "werf.yaml:4: 'cleanup.keepImagesBuiltWithinLastNHours' must be an integer from 0 to "
     "2147483647",
     "a negative number of hours"},
    {"project: p\nconfigVersion: 1\ncleanup:\n  keepPolicies:\n  - references:\n"
     "      branch: main\n      tag: v1\n",
     "werf.yaml:6: 'references' must have exactly one of 'branch' and 'tag'",
     "a policy with branch and tag"},
    {"project: p\nconfigVersion: 1\ncleanup:\n  keepPolicies:\n  - imagesPerReference:\n"
     "      last: 1\n",
     "werf.yaml:5: a keep policy needs 'references'", "a policy without references"},
    {"project: p\nconfigVersion: 1\ncleanup:\n  keepPolicies:\n  - references:\n"
     "      branch: main\n      limit:\n        in: 7d\n",
     "werf.yaml:8: 'limit.in' must be a duration such as 168h or 30m", "a bad duration"},
    {"project: p\nconfigVersion: 1\ncleanup:\n  keepPolicies:\n  - references:\n"
     "      branch: main\n    imagesPerReference:\n      operator: Xor\n",
     "werf.yaml:8: 'imagesPerReference.operator' must be And or Or", "a bad operator"},
    {"project: p\nconfigVersion: 1\ncleanup:\n  keepPolicies:\n  - references:\n"
     "      branch: main\n    imagesPerReference:\n      last: many\n",
     "werf.yaml:8: 'imagesPerReference.last' must be an integer", "a bad last"},
    {"project: p\nconfigVersion: 1\ncleanup:\n  keepPolicies:\n  - references:\n"
     "      branch: main\n    images: 1\n",
     "werf.yaml:7: unknown key 'images' in 'cleanup.keepPolicies'", "an unknown policy key"},
    {"project: p\nconfigVersion: 1\ncleanup:\n  keepPolicies:\n  - references:\n"
     "      branch: main\n      limit: {last: 1, when: 2}\n",
     "werf.yaml:7: unknown key 'when' in 'cleanup.keepPolicies[].limit'", "an unknown limit key"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\n  dockerfile: x\n",
     "werf.yaml:5: invalid YAML at column 13: mapping values are not allowed in this context",
     "invalid YAML"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\ndockerfile: *nope\n",
     "werf.yaml:5: invalid YAML at column 13: found undefined alias", "an undefined alias"},
    {"project: p\nconfigVersion: 1\n---\nimage: a\n[x]: y\n",
     "werf.yaml:5: a key must be a non-empty string", "a list as a key"},
    {"project: {{ .Env }}\nconfigVersion: 1\n",
     "werf.yaml: Go templates in the configuration are not supported yet (line 1)",
     "a Go template"},
    {"project: p\nconfigVersion: 1\n---\n# comment\n{{ range $i := until 3 }}\nimage: a{{ $i }}\n"
     "{{ end }}\n",
     "werf.yaml: Go templates in the configuration are not supported yet (line 5)",
     "a Go template further down"},
};

static void test_errors(void)
{
    size_t i;

    for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
        is_str(perr(errors[i].yaml), errors[i].want, "error: %s", errors[i].what);
}

static void test_yaml_features(void)
{
    struct dk_config c;
    const struct dk_config_image *a, *b;
    struct dk_buf y = DK_BUF_INIT;
    int i;

    ok(parse_str(&c, "project: p\nconfigVersion: 0x1\n---\n"
                     "image: b\n"
                     "cacheVersion: &v v1\n"
                     "target: *v\n"
                     "args:\n  <<: {A: 1, B: 2}\n  B: 3\n  C: 4\n"
                     "final: off\n") == 0,
       "yaml: hex configVersion, an alias and a merge key parse");
    b = dk_config_image(&c, "b");
    is_str(b ? b->target : NULL, "v1", "yaml: an alias gives the anchored value");
    ok(b && b->nargs == 3, "yaml: merged keys count once");
    is_str(arg(b, "A"), "1", "yaml: a merged key");
    is_str(arg(b, "B"), "3", "yaml: the mapping's own key beats the merged one");
    is_int(b ? b->final : -1, 0, "yaml: final: off is false");
    dk_config_release(&c);

    ok(parse_str(&c, "project: p\nconfigVersion: 1\n---\n"
                     "image: a\n"
                     "<<: {dockerfile: a.Dockerfile, context: sub}\n"
                     "dockerfile: own.Dockerfile\n") == 0,
       "yaml: a merge at the top of an image document");
    a = dk_config_image(&c, "a");
    is_str(a ? a->dockerfile : NULL, "own.Dockerfile", "yaml: own key wins at the top");
    is_str(a ? a->context : NULL, "sub", "yaml: merged key fills in");
    dk_config_release(&c);

    ok(parse_str(&c, "project: p\nconfigVersion: 1\n...\n---\n---\n~\n") == 0,
       "yaml: empty and null documents are skipped");
    is_int(c.nimages, 0, "yaml: no images is fine");
    dk_config_release(&c);

    /* 2^26 merges through 26 levels of aliases: refused, not expanded */
    dk_buf_add(&y, "project: p\nconfigVersion: 1\ndeploy:\n  helmChartConfig:\n    l:\n");
    dk_buf_add(&y, "    - &m0 {k: 1}\n");
    for (i = 1; i <= 26; i++)
        dk_buf_addf(&y, "    - &m%d {<<: [*m%d, *m%d]}\n", i, i - 1, i - 1);
    dk_buf_add(&y, "  <<: *m26\n");
    ok(strstr(perr(y.buf), "the configuration is too large") != NULL,
       "yaml: an alias bomb through merge keys is refused (%s)", msg);
    dk_buf_release(&y);

    ok(strncmp(perr("project: p\nconfigVersion: 1\ndeploy: &d\n  <<: *d\n"), "werf.yaml:", 10) == 0,
       "yaml: a mapping merging itself fails cleanly (%s)", msg);
}

static char tmp[64];

static void write_file(const char *name, const char *content)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmp, name);
    f = fopen(path, "w");
    if (!f) {
        printf("Bail out! cannot write %s\n", path);
        exit(1);
    }
    fputs(content, f);
    fclose(f);
}

static void remove_file(const char *name)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", tmp, name);
    unlink(path);
}

static void test_load(void)
{
    struct dk_config c;
    struct dk_err err = DK_ERR_INIT;
    char want[256];

    snprintf(tmp, sizeof(tmp), "/tmp/dk-t-config.XXXXXX");
    if (!mkdtemp(tmp)) {
        printf("Bail out! cannot create a temporary directory\n");
        exit(1);
    }

    ok(dk_config_load(&c, tmp, &err) < 0, "load: a directory with no configuration fails");
    snprintf(want, sizeof(want), "no dk.yaml or werf.yaml in '%s'", tmp);
    is_str(err.msg, want, "load: the message names the directory");
    is_int(err.code, DK_E_INPUT, "load: no configuration is bad input");

    write_file("werf.yml", "project: yml\nconfigVersion: 1\n");
    dk_err_init(&err);
    ok(dk_config_load(&c, tmp, &err) == 0, "load: werf.yml is read");
    is_str(c.project, "yml", "load: the .yml project");
    dk_config_release(&c);

    write_file("werf.yaml", "project: werf\nconfigVersion: 1\n---\nimage: w\n");
    ok(dk_config_load(&c, tmp, &err) == 0, "load: werf.yaml is read");
    is_str(c.project, "werf", "load: werf.yaml beats werf.yml");
    snprintf(want, sizeof(want), "%s/werf.yaml", tmp);
    is_str(c.path, want, "load: path is the file read");
    dk_config_release(&c);

    write_file("dk.yaml", "project: dk\nconfigVersion: 1\n");
    ok(dk_config_load(&c, tmp, &err) == 0, "load: dk.yaml is read");
    is_str(c.project, "dk", "load: dk.yaml is preferred over werf.yaml");
    snprintf(want, sizeof(want), "%s/dk.yaml", tmp);
    is_str(c.path, want, "load: path is dk.yaml");
    is_int(c.nimages, 0, "load: nothing taken from werf.yaml");
    dk_config_release(&c);

    write_file("dk.yaml", "project: dk\nconfigVersion: 1\n---\nimage: a\ndockerfil: x\n");
    ok(dk_config_load(&c, tmp, &err) < 0, "load: an error in dk.yaml fails");
    is_str(err.msg, "dk.yaml:5: unknown key 'dockerfil' in image 'a'",
           "load: the message names the file by its name and the line");
    ok(!c.path && !c.project, "load: the config is empty after a failure");

    remove_file("dk.yaml");
    write_file("dk.yml", "project: dkyml\nconfigVersion: 1\n");
    ok(dk_config_load(&c, tmp, &err) == 0, "load: dk.yml is read");
    is_str(c.project, "dkyml", "load: dk.yml beats werf.yaml");
    dk_config_release(&c);

    remove_file("dk.yml");
    snprintf(want, sizeof(want), "%s/dk.yaml", tmp);
    mkdir(want, 0755);
    dk_err_init(&err);
    ok(dk_config_load(&c, tmp, &err) < 0, "load: a dk.yaml that cannot be read fails");
    is_int(err.code, DK_E_IO, "load: an unreadable file is an I/O error");
    ok(strstr(err.msg, "cannot read '") && strstr(err.msg, "/dk.yaml'"),
       "load: the message names the file (%s)", err.msg);
    rmdir(want);

    remove_file("werf.yml");
    remove_file("werf.yaml");
    rmdir(tmp);
}

int main(void)
{
    test_seed();
    test_full();
    test_multi();
    test_args();
    test_deps();
    test_order_by_hand();
    test_errors();
    test_yaml_features();
    test_load();
    return tap_done();
}
