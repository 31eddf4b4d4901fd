#include "dk/tag.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dk/digest.h"
#include "dk/dockerfile.h"
#include "dk/dockerignore.h"
#include "dk/json.h"
#include "dk/log.h"

#define DIGEST_VERSION "dk-digest v1"

void dk_tag_opts_init(struct dk_tag_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->dir = ".";
}

void dk_tag_opts_release(struct dk_tag_opts *o)
{
    dk_strlist_release(&o->images);
}

static void image_release(struct dk_tag_image *t)
{
    size_t i;

    dk_strvec_release(&t->inputs);
    dk_strvec_release(&t->build_args);
    free(t->context);
    free(t->dockerfile);
    free(t->dockerfile_text);
    for (i = 0; i < t->nimports; i++) {
        free(t->imports[i].arg);
        free(t->imports[i].dep);
    }
    free(t->imports);
    dk_git_entries_free(t->files, t->nfiles);
}

void dk_tag_result_release(struct dk_tag_result *res)
{
    size_t i;

    for (i = 0; i < res->n; i++)
        image_release(&res->images[i]);
    free(res->images);
    dk_config_release(&res->config);
    if (res->git.repo)
        dk_git_release(&res->git);
    free(res->project_dir);
    free(res->branch);
    memset(res, 0, sizeof(*res));
}

struct dk_tag_image *dk_tag_find(struct dk_tag_result *res, const char *name)
{
    size_t i;

    for (i = 0; i < res->n; i++)
        if (!strcmp(res->images[i].conf->name, name))
            return &res->images[i];
    return NULL;
}

/* "a/b" + "c" → "a/b/c"; "" + "c" → "c"; normalises "./" and trailing slashes away. */
static char *join(const char *a, const char *b)
{
    struct dk_buf out = DK_BUF_INIT;

    while (b && (!strncmp(b, "./", 2)))
        b += 2;
    if (b && !strcmp(b, "."))
        b = "";
    dk_buf_add(&out, a);
    if (out.len && b && *b)
        dk_buf_addch(&out, '/');
    if (b)
        dk_buf_add(&out, b);
    while (out.len && out.buf[out.len - 1] == '/')
        dk_buf_setlen(&out, out.len - 1);
    return dk_buf_detach(&out, NULL);
}

/* Reads a file of the project: from the commit, or from the working tree in dev mode.
 * Returns 1 read, 0 absent, -1 error. */
static int read_file(struct dk_tag_result *res, const char *path, struct dk_buf *out,
                     struct dk_err *err)
{
    if (res->dev) {
        char *full = dk_xasprintf("%s/%s", dk_git_workdir(&res->git), path);
        int r = dk_buf_read_file(out, full);

        if (r < 0 && errno != ENOENT && errno != ENOTDIR) {
            dk_err_set(err, DK_E_IO, "cannot read '%s': %s", full, strerror(errno));
            free(full);
            return -1;
        }
        free(full);
        return r == 0;
    }
    if (dk_git_read_blob(&res->git, res->commit, path, out, err) < 0) {
        if (err->code == DK_E_NOTFOUND) {
            dk_err_init(err);
            return 0;
        }
        return -1;
    }
    return 1;
}

static int load_config(const struct dk_tag_opts *o, struct dk_tag_result *res, struct dk_err *err)
{
    static const char *const names[] = {"dk.yaml", "dk.yml", "werf.yaml", "werf.yml"};
    struct dk_buf text = DK_BUF_INIT;
    size_t i;
    int rc = -1;

    if (o->config) {
        if (dk_buf_read_file(&text, o->config) < 0) {
            dk_err_set(err, DK_E_INPUT, "cannot read '%s': %s", o->config, strerror(errno));
            goto out;
        }
        rc = dk_config_parse(&res->config, o->config, text.buf, text.len, err);
        goto out;
    }
    for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
        char *path = join(res->project_dir, names[i]);
        int r;

        dk_buf_reset(&text);
        r = read_file(res, path, &text, err);
        free(path);
        if (r < 0)
            goto out;
        if (r) {
            rc = dk_config_parse(&res->config, names[i], text.buf, text.len, err);
            goto out;
        }
    }
    dk_err_set(err, DK_E_INPUT, "no dk.yaml or werf.yaml in '%s'%s%s", o->dir,
               res->dev ? "" : " at commit ", res->dev ? "" : res->commit);
out:
    dk_buf_release(&text);
    return rc;
}

/* --- the inputs of one image ------------------------------------------------------------------ */

struct walk {
    struct dk_tag_result *res;
    struct dk_tag_image *t;
    struct dk_dockerfile df;
    struct dk_ignore ig;
    struct dk_df_vars meta; /* meta ARGs, resolved */
    unsigned char *needed;  /* per stage */
    int explain;            /* keep the lines of each file, indented: not hashed */
};

/* The value the configuration gives a build arg: an import (a stand-in naming the dependency's
 * digest; dk-build passes the real reference) or the args map. NULL when neither. */
static const char *arg_value(struct walk *w, const char *name, char *buf, size_t size)
{
    const struct dk_config_image *c = w->t->conf;
    size_t i;

    for (i = 0; i < w->t->nimports; i++) {
        if (!strcmp(w->t->imports[i].arg, name)) {
            struct dk_tag_image *dep = dk_tag_find(w->res, w->t->imports[i].dep);

            snprintf(buf, size, "dk-import:%d:%s", w->t->imports[i].type, dep ? dep->digest : "?");
            return buf;
        }
    }
    for (i = 0; i < c->nargs; i++)
        if (!strcmp(c->arg_names[i], name))
            return c->arg_values[i];
    return NULL;
}

/* ARG declarations (meta or in a stage): name[=default] words. */
static int declare_args(struct walk *w, const struct dk_df_instr *in, struct dk_df_vars *vars,
                        int record, struct dk_err *err)
{
    size_t i;

    for (i = 0; i < in->nargs; i++) {
        char *word = dk_xstrdup(in->args[i]), *eq = strchr(word, '='), buf[200];
        const char *given;
        struct dk_buf v = DK_BUF_INIT;

        if (eq)
            *eq = '\0';
        given = arg_value(w, word, buf, sizeof(buf));
        if (given) {
            dk_buf_add(&v, given);
        } else if (eq) {
            if (dk_df_expand(eq + 1, vars, w->df.escape, &v, err) < 0) {
                free(word);
                dk_buf_release(&v);
                return dk_err_wrap(err, "%s:%d", w->df.path, in->line);
            }
        } else if (dk_df_vars_get(&w->meta, word)) {
            dk_buf_add(&v, dk_df_vars_get(&w->meta, word));
        }
        dk_df_vars_set(vars, word, v.buf);
        if (record)
            dk_strvec_pushf(&w->t->inputs, "ARG %s=%s", word, v.buf);
        free(word);
        dk_buf_release(&v);
    }
    return 0;
}

/* ENV: the parser gives name and value in turn (for both ENV k=v and the older ENV k v). */
static int declare_env(struct walk *w, const struct dk_df_instr *in, struct dk_df_vars *vars,
                       struct dk_err *err)
{
    size_t i;

    for (i = 0; i + 1 < in->nargs; i += 2) {
        struct dk_buf v = DK_BUF_INIT;

        if (dk_df_expand(in->args[i + 1], vars, w->df.escape, &v, err) < 0) {
            dk_buf_release(&v);
            return dk_err_wrap(err, "%s:%d", w->df.path, in->line);
        }
        dk_df_vars_set(vars, in->args[i], v.buf);
        dk_strvec_pushf(&w->t->inputs, "ENV %s=%s", in->args[i], v.buf);
        dk_buf_release(&v);
    }
    return 0;
}

/* "<path> <mode> <blob id>\n" into out, without printf: a context can have many files. */
static void file_line(struct dk_buf *out, const struct dk_git_entry *e)
{
    char mode[7];
    unsigned m = e->mode;
    int i;

    for (i = 5; i >= 0; i--, m >>= 3)
        mode[i] = (char)('0' + (m & 7));
    mode[6] = ' ';
    dk_buf_add(out, e->path);
    dk_buf_addch(out, ' ');
    dk_buf_addn(out, mode, 7);
    dk_buf_addn(out, e->oid, 40);
    dk_buf_addch(out, '\n');
}

/* The context files a COPY/ADD source names; an error when it names none. */
static int source_files(struct walk *w, const struct dk_df_instr *in, const char *src,
                        struct dk_err *err)
{
    struct dk_buf lines = DK_BUF_INIT;
    char sum[DK_DIGEST_STR_MAX];
    size_t i, matched = 0, start;

    if (!strncmp(src, "http://", 7) || !strncmp(src, "https://", 8) || !strncmp(src, "git@", 4)) {
        dk_strvec_pushf(&w->t->inputs, "remote %s", src);
        return 0;
    }
    for (i = 0; i < w->t->nfiles; i++) {
        const struct dk_git_entry *e = &w->t->files[i];
        int m = dk_df_source_match(src, e->path);

        if (m < 0) {
            dk_buf_release(&lines);
            return dk_err_set(err, DK_E_INPUT, "%s:%d: invalid %s source '%s'", w->df.path,
                              in->line, in->cmd, src);
        }
        if (m) {
            file_line(&lines, e);
            matched++;
        }
    }
    for (i = 0; !matched && i < w->t->conf->ncontext_add_files; i++)
        if (dk_df_source_match(src, w->t->conf->context_add_files[i]) > 0) {
            /* a contextAddFile: its content counts in its own context-add-file line */
            dk_buf_release(&lines);
            dk_strvec_pushf(&w->t->inputs, "files %s context-add-files", src);
            return 0;
        }
    if (!matched) {
        dk_buf_release(&lines);
        return dk_err_set(err, DK_E_INPUT,
                          "%s:%d: %s source '%s' matches no file in the build context '%s'",
                          w->df.path, in->line, in->cmd, src, *w->t->context ? w->t->context : ".");
    }
    /* one line for the digest; the files themselves only when explaining */
    dk_sha256_oci(lines.buf, lines.len, sum);
    dk_strvec_pushf(&w->t->inputs, "files %s %zu %s", src, matched, sum);
    for (start = 0, i = 0; w->explain && i < lines.len; i++) {
        if (lines.buf[i] == '\n') {
            dk_strvec_pushf(&w->t->inputs, "  %.*s", (int)(i - start), lines.buf + start);
            start = i + 1;
        }
    }
    dk_buf_release(&lines);
    return 0;
}

/* An instruction's words after expansion, flags included, for the digest. */
static int expanded_text(struct walk *w, const struct dk_df_instr *in,
                         const struct dk_df_vars *vars, struct dk_buf *out, struct dk_err *err)
{
    size_t i;
    int expand = strcmp(in->cmd, "RUN") && strcmp(in->cmd, "CMD") &&
                 strcmp(in->cmd, "ENTRYPOINT") && strcmp(in->cmd, "HEALTHCHECK") &&
                 strcmp(in->cmd, "SHELL");

    dk_buf_add(out, in->cmd);
    for (i = 0; i < in->nflags; i++) {
        dk_buf_addch(out, ' ');
        if (dk_df_expand(in->flags[i], vars, w->df.escape, out, err) < 0)
            return dk_err_wrap(err, "%s:%d", w->df.path, in->line);
    }
    if (in->json)
        dk_buf_add(out, " [json]");
    for (i = 0; i < in->nargs; i++) {
        dk_buf_addch(out, ' ');
        if (!expand || in->json)
            dk_buf_add(out, in->args[i]);
        else if (dk_df_expand(in->args[i], vars, w->df.escape, out, err) < 0)
            return dk_err_wrap(err, "%s:%d", w->df.path, in->line);
    }
    for (i = 0; i < in->nheredocs; i++)
        dk_buf_addf(out, "\n<<%s\n%s", in->heredocs[i].name, in->heredocs[i].body);
    return 0;
}

static int stage_of_flag(struct walk *w, const struct dk_df_instr *in, const char *flag,
                         const struct dk_df_vars *vars, struct dk_err *err)
{
    const char *v = dk_df_instr_flag(in, flag);
    struct dk_buf e = DK_BUF_INIT;
    int idx;

    if (!v)
        return -1;
    if (dk_df_expand(v, vars, w->df.escape, &e, err) < 0) {
        dk_buf_release(&e);
        return -3;
    }
    idx = dk_df_stage_index(&w->df, e.buf);
    dk_buf_release(&e);
    return idx;
}

/* RUN --mount=...,from=<stage> */
static int mount_stage(struct walk *w, const struct dk_df_instr *in)
{
    size_t i;

    for (i = 0; i < in->nflags; i++) {
        const char *f = in->flags[i], *p;

        if (strncmp(f, "--mount=", 8))
            continue;
        if ((p = strstr(f, "from=")) && (p == f + 8 || p[-1] == ',')) {
            char *name = dk_xstrndup(p + 5, strcspn(p + 5, ","));
            int idx = dk_df_stage_index(&w->df, name);

            free(name);
            if (idx >= 0)
                return idx;
        }
    }
    return -1;
}

/* Marks the stages the target needs: its base stage, COPY --from and RUN --mount from. */
static int mark_needed(struct walk *w, size_t s, struct dk_err *err)
{
    const struct dk_df_stage *st = &w->df.stages[s];
    struct dk_buf base = DK_BUF_INIT;
    size_t i;
    int idx;

    if (w->needed[s])
        return 0;
    w->needed[s] = 1;
    if (dk_df_expand(st->base, &w->meta, w->df.escape, &base, err) < 0) {
        dk_buf_release(&base);
        return dk_err_wrap(err, "%s:%d", w->df.path, st->line);
    }
    idx = dk_df_stage_index(&w->df, base.buf);
    dk_buf_release(&base);
    if (idx >= 0 && (size_t)idx < s && mark_needed(w, (size_t)idx, err) < 0)
        return -1;
    for (i = 0; i < st->n; i++) {
        const struct dk_df_instr *in = &st->instrs[i];

        idx = -1;
        if (!strcmp(in->cmd, "COPY") || !strcmp(in->cmd, "ADD"))
            idx = stage_of_flag(w, in, "from", &w->meta, err);
        else if (!strcmp(in->cmd, "RUN"))
            idx = mount_stage(w, in);
        if (idx == -3)
            return -1;
        if (idx >= 0 && (size_t)idx != s && mark_needed(w, (size_t)idx, err) < 0)
            return -1;
    }
    return 0;
}

static int walk_stage(struct walk *w, size_t s, struct dk_err *err)
{
    const struct dk_df_stage *st = &w->df.stages[s];
    struct dk_df_vars vars;
    struct dk_buf b = DK_BUF_INIT;
    size_t i, k;
    int rc = -1;

    dk_df_vars_init(&vars);
    if (dk_df_expand(st->base, &w->meta, w->df.escape, &b, err) < 0) {
        dk_err_wrap(err, "%s:%d", w->df.path, st->line);
        goto out;
    }
    dk_strvec_pushf(&w->t->inputs, "stage %zu from %s%s%s", s, b.buf,
                    st->platform ? " platform " : "", st->platform ? st->platform : "");
    for (i = 0; i < st->n; i++) {
        const struct dk_df_instr *in = &st->instrs[i];

        if (!strcmp(in->cmd, "ARG")) {
            if (declare_args(w, in, &vars, 1, err) < 0)
                goto out;
            continue;
        }
        if (!strcmp(in->cmd, "ENV")) {
            if (declare_env(w, in, &vars, err) < 0)
                goto out;
            continue;
        }
        dk_buf_reset(&b);
        if (expanded_text(w, in, &vars, &b, err) < 0)
            goto out;
        dk_strvec_push(&w->t->inputs, b.buf);
        if ((!strcmp(in->cmd, "COPY") || !strcmp(in->cmd, "ADD")) &&
            !dk_df_instr_flag(in, "from")) {
            /* every word but the last is a source; heredocs are in the text already */
            for (k = 0; k + 1 < in->nargs; k++) {
                struct dk_buf src = DK_BUF_INIT;
                int heredoc = 0;
                size_t h;

                if (dk_df_expand(in->args[k], &vars, w->df.escape, &src, err) < 0) {
                    dk_buf_release(&src);
                    goto out;
                }
                for (h = 0; h < in->nheredocs; h++)
                    if (!strncmp(src.buf, "<<", 2))
                        heredoc = 1;
                if (!heredoc && source_files(w, in, src.buf, err) < 0) {
                    dk_buf_release(&src);
                    goto out;
                }
                dk_buf_release(&src);
            }
        }
    }
    rc = 0;
out:
    dk_df_vars_release(&vars);
    dk_buf_release(&b);
    return rc;
}

/* Reads the context files, after .dockerignore. */
static int list_context(struct walk *w, struct dk_err *err)
{
    struct dk_tag_image *t = w->t;
    struct dk_git_entry *all = NULL;
    struct dk_buf text = DK_BUF_INIT;
    size_t n = 0, i, kept = 0;
    char *ign;
    int r;

    /* <dockerfile>.dockerignore first, then the context's .dockerignore */
    ign = dk_xasprintf("%s.dockerignore", t->dockerfile);
    r = read_file(w->res, ign, &text, err);
    free(ign);
    if (r == 0) {
        ign = join(t->context, ".dockerignore");
        r = read_file(w->res, ign, &text, err);
        free(ign);
    }
    if (r < 0)
        goto fail;
    if (r > 0 && dk_ignore_parse(&w->ig, text.buf, text.len, err) < 0) {
        dk_err_wrap(err, ".dockerignore of image '%s'", t->conf->name);
        goto fail;
    }
    r = w->res->dev ? dk_git_ls_worktree(&w->res->git, t->context, &all, &n, err)
                    : dk_git_ls_tree(&w->res->git, w->res->commit, t->context, &all, &n, err);
    if (r < 0) {
        dk_err_wrap(err, "the build context of image '%s'", t->conf->name);
        goto fail;
    }
    for (i = 0; i < n; i++) {
        if (dk_ignore_match(&w->ig, all[i].path)) {
            free(all[i].path);
            continue;
        }
        all[kept++] = all[i];
    }
    t->files = all;
    t->nfiles = kept;
    dk_buf_release(&text);
    return 0;
fail:
    dk_buf_release(&text);
    return -1;
}

static int context_add_files(struct dk_tag_result *res, struct dk_tag_image *t, struct dk_err *err)
{
    size_t i;

    for (i = 0; i < t->conf->ncontext_add_files; i++) {
        char *rel = join(t->context, t->conf->context_add_files[i]);
        char *full = dk_xasprintf("%s/%s", dk_git_workdir(&res->git), rel);
        struct dk_buf data = DK_BUF_INIT;
        char hex[DK_DIGEST_STR_MAX];

        if (dk_buf_read_file(&data, full) < 0) {
            dk_err_set(err, DK_E_INPUT, "contextAddFiles of image '%s': cannot read '%s': %s",
                       t->conf->name, t->conf->context_add_files[i], strerror(errno));
            free(rel);
            free(full);
            dk_buf_release(&data);
            return -1;
        }
        dk_sha256_oci(data.buf, data.len, hex);
        dk_strvec_pushf(&t->inputs, "context-add-file %s %s", t->conf->context_add_files[i], hex);
        free(rel);
        free(full);
        dk_buf_release(&data);
    }
    return 0;
}

static int compute_image(struct dk_tag_result *res, struct dk_tag_image *t, int explain,
                         struct dk_err *err)
{
    const struct dk_config_image *c = t->conf;
    struct walk w;
    struct dk_buf text = DK_BUF_INIT;
    size_t i, target;
    int rc = -1, r;

    memset(&w, 0, sizeof(w));
    w.res = res;
    w.t = t;
    w.explain = explain;
    dk_dockerfile_init(&w.df);
    dk_ignore_init(&w.ig);
    dk_df_vars_init(&w.meta);
    t->context = join(res->project_dir, c->context);
    t->dockerfile = join(t->context, c->dockerfile);
    t->target = c->target;
    for (i = 0; i < c->nargs; i++)
        dk_strvec_push_owned(&t->build_args,
                             dk_xasprintf("%s=%s", c->arg_names[i], c->arg_values[i]));
    for (i = 0; i < c->ndeps; i++) {
        size_t k;

        for (k = 0; k < c->deps[i].nimports; k++) {
            t->imports = dk_xrealloc(t->imports, (t->nimports + 1) * sizeof(*t->imports));
            t->imports[t->nimports].arg = dk_xstrdup(c->deps[i].imports[k].target_build_arg);
            t->imports[t->nimports].dep = dk_xstrdup(c->deps[i].image);
            t->imports[t->nimports].type = (int)c->deps[i].imports[k].type;
            t->nimports++;
        }
    }
    r = read_file(res, t->dockerfile, &text, err);
    if (r <= 0) {
        if (!r)
            dk_err_set(err, DK_E_INPUT, "image '%s': no Dockerfile '%s'%s%.12s", c->name,
                       t->dockerfile, res->dev ? "" : " at commit ", res->dev ? "" : res->commit);
        goto out;
    }
    t->dockerfile_text = dk_xstrdup(text.buf);
    if (dk_dockerfile_parse(&w.df, t->dockerfile, text.buf, text.len, err) < 0 ||
        dk_dockerfile_target(&w.df, c->target, &target, err) < 0 || list_context(&w, err) < 0)
        goto out;

    dk_strvec_pushf(&t->inputs, DIGEST_VERSION);
    if (res->config.cache_version)
        dk_strvec_pushf(&t->inputs, "cache-version build %s", res->config.cache_version);
    if (c->cache_version)
        dk_strvec_pushf(&t->inputs, "cache-version image %s", c->cache_version);
    if (c->nplatforms)
        dk_strvec_pushf(&t->inputs, "platform %s", c->platforms[0]);
    else if (res->config.nplatforms)
        dk_strvec_pushf(&t->inputs, "platform %s", res->config.platforms[0]);
    dk_strvec_pushf(&t->inputs, "target %zu%s%s", target, w.df.stages[target].name ? " " : "",
                    w.df.stages[target].name ? w.df.stages[target].name : "");
    for (i = 0; i < w.df.nmeta; i++)
        if (declare_args(&w, &w.df.meta_args[i], &w.meta, 1, err) < 0)
            goto out;
    w.needed = dk_xcalloc(w.df.nstages, 1);
    if (mark_needed(&w, target, err) < 0)
        goto out;
    for (i = 0; i < w.df.nstages; i++)
        if (w.needed[i] && walk_stage(&w, i, err) < 0)
            goto out;
    if (context_add_files(res, t, err) < 0)
        goto out;
    for (i = 0; i < c->ndeps; i++) {
        struct dk_tag_image *dep = dk_tag_find(res, c->deps[i].image);

        dk_strvec_pushf(&t->inputs, "dependency %s %s", c->deps[i].image, dep ? dep->digest : "?");
    }
    {
        struct dk_digest d = DK_DIGEST_INIT;

        if (dk_digest_init(&d, DK_DIGEST_SHA3_224, err) < 0)
            goto out;
        for (i = 0; i < t->inputs.n; i++) {
            if (!strncmp(t->inputs.v[i], "  ", 2))
                continue; /* detail for --explain */
            dk_digest_update(&d, t->inputs.v[i], strlen(t->inputs.v[i]));
            dk_digest_update(&d, "\n", 1);
        }
        dk_digest_final_hex(&d, t->digest);
        dk_digest_release(&d);
    }
    rc = 0;
out:
    if (rc < 0 && err->code != DK_E_OK && !strstr(err->msg, c->name))
        dk_err_wrap(err, "image '%s'", c->name);
    free(w.needed);
    dk_dockerfile_release(&w.df);
    dk_ignore_release(&w.ig);
    dk_df_vars_release(&w.meta);
    dk_buf_release(&text);
    return rc;
}

/* --- the whole project ------------------------------------------------------------------ */

/* Marks the asked-for images and everything they depend on. */
static int select_images(const struct dk_tag_opts *o, const struct dk_config *c,
                         unsigned char *want, struct dk_err *err)
{
    size_t i, k, changed = 1;

    if (!o->images.n) {
        memset(want, 1, c->nimages);
        return 0;
    }
    for (i = 0; i < o->images.n; i++) {
        const struct dk_config_image *im = dk_config_image(c, o->images.v[i]);

        if (!im)
            return dk_err_set(err, DK_E_INPUT, "no image '%s' in %s", o->images.v[i], c->path);
        want[im - c->images] = 1;
    }
    while (changed) {
        changed = 0;
        for (i = 0; i < c->nimages; i++) {
            if (!want[i])
                continue;
            for (k = 0; k < c->images[i].ndeps; k++) {
                const struct dk_config_image *d = dk_config_image(c, c->images[i].deps[k].image);

                if (d && !want[d - c->images]) {
                    want[d - c->images] = 1;
                    changed = 1;
                }
            }
        }
    }
    return 0;
}

int dk_tag_compute(const struct dk_tag_opts *o, struct dk_tag_result *res, struct dk_err *err)
{
    struct dk_buf rel = DK_BUF_INIT, branch = DK_BUF_INIT;
    size_t *order = NULL, i;
    unsigned char *want = NULL;
    int rc = -1;

    memset(res, 0, sizeof(*res));
    dk_config_init(&res->config);
    res->dev = o->dev;
    if (dk_git_open(&res->git, o->dir ? o->dir : ".", err) < 0)
        goto out;
    if (dk_git_relpath(&res->git, o->dir ? o->dir : ".", &rel, err) < 0)
        goto out;
    res->project_dir = dk_xstrdup(!strcmp(rel.buf, ".") ? "" : rel.buf);
    if (dk_git_resolve(&res->git, o->commit, res->commit, err) < 0) {
        if (!o->dev || o->commit)
            goto out;
        dk_err_init(err);
        res->commit[0] = '\0';
    }
    if (res->commit[0] &&
        dk_git_commit_info(&res->git, res->commit, &res->commit_time, &branch, err) < 0)
        goto out;
    if (branch.len)
        res->branch = dk_xstrdup(branch.buf);
    if (load_config(o, res, err) < 0)
        goto out;
    order = dk_xcalloc(res->config.nimages + 1, sizeof(*order));
    want = dk_xcalloc(res->config.nimages + 1, 1);
    if (dk_config_order(&res->config, order, err) < 0 ||
        select_images(o, &res->config, want, err) < 0)
        goto out;
    res->images = dk_xcalloc(res->config.nimages + 1, sizeof(*res->images));
    for (i = 0; i < res->config.nimages; i++) {
        struct dk_tag_image *t;

        if (!want[order[i]])
            continue;
        t = &res->images[res->n++];
        t->conf = &res->config.images[order[i]];
        if (compute_image(res, t, o->explain && !strcmp(o->explain, t->conf->name), err) < 0)
            goto out;
    }
    rc = 0;
out:
    free(order);
    free(want);
    dk_buf_release(&rel);
    dk_buf_release(&branch);
    return rc;
}

void dk_tag_record(const struct dk_tag_result *res, struct dk_doc *doc)
{
    cJSON *git, *images;
    size_t i;

    if (res->config.project)
        dk_json_set_str(doc->root, "project", res->config.project);
    git = dk_doc_obj(doc, "git");
    images = dk_doc_obj(doc, "images");
    if (res->commit[0])
        dk_json_set_str(git, "commit", res->commit);
    if (res->branch)
        dk_json_set_str(git, "branch", res->branch);
    if (res->dev)
        dk_json_set_bool(git, "dev", 1);
    for (i = 0; i < res->n; i++) {
        const struct dk_tag_image *t = &res->images[i];
        cJSON *o = dk_json_child(images, t->conf->name);

        if (!cJSON_IsObject(o)) {
            o = cJSON_CreateObject();
            dk_json_set(images, t->conf->name, o);
        } else if (dk_json_str(o, "digest") && strcmp(dk_json_str(o, "digest"), t->digest)) {
            /* a new digest: what an earlier run recorded for the old one is stale */
            dk_json_remove(o, "tag");
            dk_json_remove(o, "ref");
            dk_json_remove(o, "manifest");
            dk_json_remove(o, "built");
        }
        dk_json_set_str(o, "digest", t->digest);
    }
}

int dk_tag_run(const struct dk_tag_opts *o, struct dk_doc *doc, struct dk_buf *out_explain,
               struct dk_err *err)
{
    struct dk_tag_result res;
    int rc = -1;

    if (dk_tag_compute(o, &res, err) < 0)
        goto out;
    if (o->explain) {
        struct dk_tag_image *t = dk_tag_find(&res, o->explain);
        size_t i;

        if (!t) {
            dk_err_set(err, DK_E_INPUT, "--explain: no image '%s' in %s", o->explain,
                       res.config.path);
            goto out;
        }
        dk_buf_addf(out_explain,
                    "# image %s: digest %s = SHA3-224 of these lines (indented ones are details, "
                    "not hashed)\n",
                    t->conf->name, t->digest);
        for (i = 0; i < t->inputs.n; i++)
            dk_buf_addf(out_explain, "%s\n", t->inputs.v[i]);
    }
    dk_tag_record(&res, doc);
    rc = 0;
out:
    dk_tag_result_release(&res);
    return rc;
}
