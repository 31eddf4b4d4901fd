/*
 * config: the project configuration, read from dk.yaml or werf.yaml.
 *
 * The file is a YAML stream in werf's format: one meta document (project, configVersion: 1,
 * build, deploy, cleanup, gitWorktree) and one document per Dockerfile image (image,
 * dockerfile, context, contextAddFiles, args, target, platform, dependencies, ...). dk.yaml
 * takes precedence over werf.yaml in the same directory; ".yml" is accepted for both.
 *
 * Reading is strict, as werf's is: an unknown key, a value of the wrong type, an image defined
 * twice, a dependency on an image that is not defined, a dependency cycle and a key given
 * twice in one mapping are errors. werf keys that dk does not implement (Stapel images:
 * from, git, shell, ansible, artifact, ...; imageSpec, secrets, ssh) are refused by name rather
 * than reported as unknown. Keys that belong to other tools and change nothing in a build
 * (deploy.helmRelease, deploy.namespace, deploy.helmChartConfig, gitWorktree, ...) are accepted
 * and ignored. A Go template ("{{" anywhere in the text) is refused until dk renders them.
 *
 * Scalars follow YAML 1.1 as werf's go-yaml v2 reads them: string fields take any scalar's
 * text (cacheVersion: 1 is "1"), booleans are true/false/yes/no/on/off/y/n in any of their
 * usual cases, integers may be written in hex (0x), octal (0o or a leading 0) or binary (0b).
 * Anchors, aliases and merge keys ("<<") work.
 *
 * Every error is DK_E_INPUT (DK_E_IO when a file cannot be read) and names the file, the line
 * (counted from 1) and the key:
 *   werf.yaml:7: unknown key 'dockerfil' in image 'backend'
 *   werf.yaml:3: 'configVersion' must be an integer
 *   werf.yaml:9: image 'a' is defined twice
 *
 * Ownership: a struct dk_config owns every string and array it points to, recursively;
 * dk_config_release() frees them all. Pointers returned by dk_config_image() are borrowed.
 */
#ifndef DK_CONFIG_H
#define DK_CONFIG_H

#include <stddef.h>

#include "dk/err.h"

/* The largest configuration file read, in bytes. */
#define DK_CONFIG_MAX_SIZE (16 * 1024 * 1024)

/* What a dependency import passes to the Dockerfile (werf's imports[].type). */
enum dk_import_type {
    DK_IMPORT_NAME,   /* ImageName: the full reference, repo:tag */
    DK_IMPORT_TAG,    /* ImageTag */
    DK_IMPORT_REPO,   /* ImageRepo */
    DK_IMPORT_ID,     /* ImageID: the config digest */
    DK_IMPORT_DIGEST, /* ImageDigest: the manifest digest */
};

struct dk_config_import {
    enum dk_import_type type;
    char *target_build_arg; /* the ARG that receives the value; never NULL */
};

struct dk_config_dep {
    char *image; /* the image depended on (`from:`, or the older `image:`) */
    struct dk_config_import *imports;
    size_t nimports;
    int line; /* where the dependency's image is named */
};

struct dk_config_image {
    char *name;       /* may hold '/' ("modules/controller") */
    int final;        /* 0: intermediate (final: false); default 1 */
    char *dockerfile; /* relative to context; default "Dockerfile" */
    char *context;    /* relative to the project; default "" (the project root) */
    char **context_add_files;
    size_t ncontext_add_files;
    char *target; /* Dockerfile stage; NULL: the last one */
    /* build args in file order; numbers keep their YAML text, booleans become "true"/"false",
     * a null value is "" */
    char **arg_names;
    char **arg_values;
    size_t nargs;
    char **platforms; /* empty: build.platform (struct dk_config) applies */
    size_t nplatforms;
    char *cache_version; /* NULL when not set; build.cacheVersion is kept apart */
    struct dk_config_dep *deps;
    size_t ndeps;
    char **add_hosts; /* "host:ip" */
    size_t nadd_hosts;
    char *network; /* "default", "none", "host", or NULL when not set */
    int staged;    /* default build.staged */
    int line;      /* where the image is named */
};

/* One entry of cleanup.keepPolicies. Branch and tag patterns are kept as written: "/re/" is a
 * regular expression (Go syntax), anything else a literal name; both match the whole name. */
struct dk_keep_policy {
    char *references_branch; /* exactly one of branch and tag is set */
    char *references_tag;
    int limit_last;               /* references.limit.last; -1 (default): no limit */
    char *limit_in;               /* references.limit.in, a Go duration ("168h"); NULL: not set */
    long long limit_in_sec;       /* limit_in in seconds (fractions dropped); -1 when not set */
    char *limit_operator;         /* "And" (default) or "Or" */
    int image_per_reference_last; /* imagesPerReference.last; default 1, -1: all */
    char *image_per_reference_in; /* NULL: not set */
    long long image_per_reference_in_sec; /* -1 when not set */
    char *image_per_reference_operator;   /* "And" (default) or "Or" */
    int line;                             /* where the policy starts */
};

struct dk_config_cleanup {
    struct dk_keep_policy *policies; /* keepPolicies, in file order; none: werf's defaults */
    size_t n;
    int disable;                                  /* cleanup.disable */
    int disable_kubernetes_based_policy;          /* disableKubernetesBasedPolicy */
    int disable_git_history_based_policy;         /* disableGitHistoryBasedPolicy */
    int disable_built_within_last_n_hours_policy; /* disableBuiltWithinLastNHoursPolicy */
    int keep_images_built_within_last_n_hours;    /* default 2 */
};

struct dk_config {
    char *path; /* the file read (the name given to dk_config_parse()) */
    char *project;
    int config_version;
    char *cache_version; /* build.cacheVersion; NULL when not set */
    char **platforms;    /* build.platform */
    size_t nplatforms;
    int staged;                     /* build.staged, the images' default */
    struct dk_config_image *images; /* in file order, `image: [a, b]` expanded */
    size_t nimages;
    struct dk_config_cleanup cleanup;
    char *helm_chart_dir; /* deploy.helmChartDir; default ".helm" */
};

void dk_config_init(struct dk_config *c);
/* Frees everything c owns and leaves it as after dk_config_init(). Accepts a zeroed or
 * already released struct. */
void dk_config_release(struct dk_config *c);

/*
 * Reads the configuration of the project in project_dir (NULL: "."): dk.yaml, dk.yml,
 * werf.yaml or werf.yml, the first that exists. c is initialised by the call; c->path is the
 * path of the file read, and messages name the file as "werf.yaml:LINE: ...". Returns 0, or -1
 * with err set (c then empty): DK_E_INPUT "no dk.yaml or werf.yaml in 'DIR'" when there is
 * none, DK_E_IO when the file cannot be read, DK_E_INPUT for a file past
 * DK_CONFIG_MAX_SIZE and for every error dk_config_parse() reports.
 */
int dk_config_load(struct dk_config *c, const char *project_dir, struct dk_err *err);

/*
 * Parses len bytes of text (need not be NUL-terminated) into c, which the call initialises.
 * name_for_messages starts every message ("werf.yaml") and becomes c->path. Returns 0, or -1
 * with DK_E_INPUT "NAME:LINE: problem" (c then empty).
 */
int dk_config_parse(struct dk_config *c, const char *name_for_messages, const char *text,
                    size_t len, struct dk_err *err);

/* The image called name, or NULL. Borrowed from c. */
const struct dk_config_image *dk_config_image(const struct dk_config *c, const char *name);

/*
 * Fills order (c->nimages entries) with the indexes of c->images in a build order: every image
 * after the images it depends on, and otherwise in file order (at each step the first image in
 * the file whose dependencies are all placed). Returns 0, or -1 with DK_E_INPUT when a
 * dependency is not defined or the dependencies form a cycle ("a -> b -> a"); a configuration
 * from dk_config_parse() has neither.
 */
int dk_config_order(const struct dk_config *c, size_t *order, struct dk_err *err);

#endif
