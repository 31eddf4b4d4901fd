/* chart: loading charts (directories, .tgz), .helmignore, Chart.yaml, values files. */
#include "dk/chart.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chart_int.h"
#include "dk/fs.h"
#include "dk/json.h"
#include "dk/tar.h"
#include "dk/yaml.h"

/* Helm's limits for one file and a whole archive (MaxDecompressedFileSize/ChartSize). */
#define MAX_FILE_SIZE  (5u << 20)
#define MAX_CHART_SIZE (100u << 20)

/* ---- the list of files a chart is made of ---- */

struct flist {
    struct dk_chart_file *v;
    size_t n, alloc;
};

static void flist_add(struct flist *l, const char *name, char *data, size_t len, size_t mapped)
{
    if (l->n == l->alloc) {
        l->alloc = l->alloc ? l->alloc * 2 : 32;
        l->v = dk_xrealloc(l->v, l->alloc * sizeof(*l->v));
    }
    l->v[l->n].name = dk_xstrdup(name);
    l->v[l->n].data = data;
    l->v[l->n].len = len;
    l->v[l->n].mapped = mapped;
    l->n++;
}

static void file_release(struct dk_chart_file *f)
{
    free(f->name);
    if (f->mapped)
        munmap(f->data, f->mapped);
    else
        free(f->data);
}

static void flist_release(struct flist *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        file_release(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Drops a UTF-8 byte order mark, as Helm's loader does. */
static void strip_bom(char *data, size_t *len)
{
    if (*len >= 3 && (unsigned char)data[0] == 0xef && (unsigned char)data[1] == 0xbb &&
        (unsigned char)data[2] == 0xbf) {
        memmove(data, data + 3, *len - 3 + 1);
        *len -= 3;
    }
}

/* ---- .helmignore (Helm's pkg/ignore rules) ---- */

struct ignore_rule {
    char *pat;
    int negate, must_dir, rooted, structural;
};

struct ignore {
    struct ignore_rule *v;
    size_t n;
};

static void ignore_release(struct ignore *ig)
{
    size_t i;

    for (i = 0; i < ig->n; i++)
        free(ig->v[i].pat);
    free(ig->v);
    memset(ig, 0, sizeof(*ig));
}

static int ignore_add(struct ignore *ig, const char *line, size_t len, struct dk_err *err)
{
    struct ignore_rule r = {0};
    char *s;

    while (len && (*line == ' ' || *line == '\t' || *line == '\r')) {
        line++;
        len--;
    }
    while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
        len--;
    if (!len || *line == '#')
        return 0;
    s = dk_xstrndup(line, len);
    if (strstr(s, "**")) {
        free(s);
        return dk_err_set(err, DK_E_INPUT, ".helmignore: double-star (**) syntax is not supported");
    }
    if (*s == '!') {
        r.negate = 1;
        memmove(s, s + 1, strlen(s));
    }
    if (*s && s[strlen(s) - 1] == '/') {
        r.must_dir = 1;
        s[strlen(s) - 1] = '\0';
    }
    if (*s == '/') {
        r.rooted = 1;
        memmove(s, s + 1, strlen(s));
    } else if (strchr(s, '/')) {
        r.structural = 1;
    }
    r.pat = s;
    ig->v = dk_xrealloc(ig->v, (ig->n + 1) * sizeof(*ig->v));
    ig->v[ig->n++] = r;
    return 0;
}

static int ignore_parse(struct ignore *ig, const char *text, size_t len, struct dk_err *err)
{
    const char *p = text, *end = text + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;

        if (ignore_add(ig, p, (size_t)(e - p), err) < 0)
            return -1;
        p = nl ? nl + 1 : end;
    }
    return 0;
}

static int rule_match(const struct ignore_rule *r, const char *path)
{
    const char *base = strrchr(path, '/');

    if (!r->rooted && !r->structural)
        return fnmatch(r->pat, base ? base + 1 : path, FNM_PATHNAME) == 0;
    return fnmatch(r->pat, path, FNM_PATHNAME) == 0;
}

/* Helm's Rules.Ignore: the first rule that decides wins; a negated rule ignores what it does
 * NOT match (that is how Helm's loop reads). */
static int ignored(const struct ignore *ig, const char *path, int is_dir)
{
    size_t i;

    if (!*path || !strcmp(path, ".") || !strcmp(path, "./"))
        return 0;
    for (i = 0; i < ig->n; i++) {
        const struct ignore_rule *r = &ig->v[i];

        if (r->negate) {
            if (r->must_dir && !is_dir)
                return 1;
            if (!rule_match(r, path))
                return 1;
            continue;
        }
        if (r->must_dir && !is_dir)
            continue;
        if (rule_match(r, path))
            return 1;
    }
    return 0;
}

/* ---- reading a directory ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Maps a file (private, writable, read in at once), or NULL to read it instead: when it is
 * empty, or ends exactly at a page boundary (then there is no zero byte after it). */
static char *map_file(const char *path, size_t size)
{
    static long page;
    int fd;
    void *p;

    if (!page)
        page = sysconf(_SC_PAGESIZE);
    if (size < 65536 || page <= 0 || size % (size_t)page == 0)
        return NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

/* Reads a file whose size is known into b, allocating that size once (a chart has many small
 * files: a growing buffer per file costs more than the reading). */
static int read_exact(struct dk_buf *b, const char *path, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return -1;
    rc = dk_buf_grow(b, size + 1); /* + 1: room to see the end of the file */
    if (rc == 0)
        rc = dk_buf_read_fd(b, fd);
    close(fd);
    return rc;
}

static int walk_dir(const char *root, const char *rel, const struct ignore *ig, struct flist *out,
                    size_t *total, struct dk_err *err)
{
    char *dirpath = *rel ? dk_xasprintf("%s/%s", root, rel) : dk_xstrdup(root);
    DIR *d = opendir(dirpath);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, i;
    int rc = 0;

    if (!d) {
        dk_err_set(err, DK_E_IO, "%s: %s", dirpath, strerror(errno));
        free(dirpath);
        return -1;
    }
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        names = dk_xrealloc(names, (n + 1) * sizeof(*names));
        names[n++] = dk_xstrdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    for (i = 0; i < n && rc == 0; i++) {
        char *r = *rel ? dk_xasprintf("%s/%s", rel, names[i]) : dk_xstrdup(names[i]);
        char *full = dk_xasprintf("%s/%s", root, r);
        struct stat st;

        if (stat(full, &st) < 0) {
            rc = dk_err_set(err, DK_E_IO, "%s: %s", full, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            if (!ignored(ig, r, 1))
                rc = walk_dir(root, r, ig, out, total, err);
        } else if (!ignored(ig, r, 0)) {
            struct dk_buf b = DK_BUF_INIT;
            size_t len;
            char *data;

            if (!S_ISREG(st.st_mode)) {
                rc = dk_err_set(err, DK_E_INPUT,
                                "cannot load irregular file %s as it has file mode type bits set",
                                full);
            } else if ((size_t)st.st_size > MAX_FILE_SIZE) {
                rc = dk_err_set(err, DK_E_INPUT,
                                "chart file \"%s\" is larger than the maximum file size %u", r,
                                MAX_FILE_SIZE);
            } else if ((data = map_file(full, (size_t)st.st_size))) {
                /* mapped: no copy, no fresh pages to fault in (and NUL-terminated) */
                len = (size_t)st.st_size;
                *total += len;
                strip_bom(data, &len);
                flist_add(out, r, data, len, (size_t)st.st_size);
            } else if (read_exact(&b, full, (size_t)st.st_size) < 0) {
                rc = dk_err_set(err, DK_E_IO, "%s: %s", full, strerror(errno));
            } else {
                *total += b.len;
                data = dk_buf_detach(&b, &len);
                if (!data) {
                    data = dk_xstrdup("");
                    len = 0;
                }
                strip_bom(data, &len);
                flist_add(out, r, data, len, 0);
            }
            dk_buf_release(&b);
        }
        free(full);
        free(r);
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(dirpath);
    return rc;
}

static int load_dir_files(const char *dir, struct flist *out, struct dk_err *err)
{
    struct ignore ig = {0};
    struct dk_buf b = DK_BUF_INIT;
    char *ipath = dk_xasprintf("%s/.helmignore", dir);
    size_t total = 0;
    int rc = 0;

    if (dk_buf_read_file(&b, ipath) == 0)
        rc = ignore_parse(&ig, b.buf ? b.buf : "", b.len, err);
    else if (errno != ENOENT)
        rc = dk_err_set(err, DK_E_IO, "%s: %s", ipath, strerror(errno));
    dk_buf_release(&b);
    free(ipath);
    /* Helm's defaults: hidden files under templates/ are never templates */
    if (rc == 0)
        rc = ignore_add(&ig, "templates/.?*", 13, err);
    if (rc == 0)
        rc = walk_dir(dir, "", &ig, out, &total, err);
    ignore_release(&ig);
    return rc;
}

/* ---- reading an archive ---- */

static int load_archive_fd(int fd, const char *label, struct flist *out, struct dk_err *err)
{
    struct dk_tar_reader r = {0};
    struct dk_tar_entry e;
    size_t total = 0;
    int rc;

    if (dk_tar_reader_open_fd(&r, fd, label, err) < 0)
        return -1;
    while ((rc = dk_tar_next(&r, &e, err)) > 0) {
        const char *slash;
        char *n, *clean;
        struct dk_buf data = DK_BUF_INIT;

        if (e.type != DK_TAR_FILE)
            continue;
        slash = strchr(e.name, '/');
        if (e.name[0] == '/' || (slash && slash[1] == '/')) {
            rc = dk_err_set(err, DK_E_INPUT, "%s: chart illegally contains absolute paths", label);
            break;
        }
        n = dk_xstrdup(slash ? slash + 1 : "");
        clean = dk_path_clean(n, strlen(n));
        free(n);
        if (!strcmp(clean, ".")) {
            if (!strcmp(e.name, "Chart.yaml"))
                rc = dk_err_set(err, DK_E_INPUT, "%s: chart yaml not in base directory", label);
            else
                rc = dk_err_set(err, DK_E_INPUT,
                                "%s: chart illegally contains content outside the base "
                                "directory: \"%s\"",
                                label, e.name);
            free(clean);
            break;
        }
        if (!strncmp(clean, "..", 2)) {
            free(clean);
            rc = dk_err_set(err, DK_E_INPUT, "%s: chart illegally references parent directory",
                            label);
            break;
        }
        if (e.size > MAX_FILE_SIZE || total + e.size > MAX_CHART_SIZE) {
            rc = dk_err_set(err, DK_E_INPUT,
                            "%s: decompressed chart is larger than the maximum size %u", label,
                            MAX_CHART_SIZE);
            free(clean);
            break;
        }
        for (;;) {
            char tmp[65536];
            ssize_t got = dk_tar_read(&r, tmp, sizeof(tmp), err);

            if (got < 0) {
                rc = -1;
                break;
            }
            if (got == 0)
                break;
            dk_buf_addn(&data, tmp, (size_t)got);
        }
        if (rc < 0) {
            dk_buf_release(&data);
            free(clean);
            break;
        }
        total += data.len;
        {
            size_t len;
            char *d = dk_buf_detach(&data, &len);

            if (!d) {
                d = dk_xstrdup("");
                len = 0;
            }
            strip_bom(d, &len);
            flist_add(out, clean, d, len, 0);
        }
        free(clean);
    }
    dk_tar_reader_release(&r);
    return rc < 0 ? -1 : 0;
}

/* ---- Chart.yaml and the rest ---- */

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int load_deps(struct dk_chart *c, const cJSON *list, const char *file, struct dk_err *err)
{
    const cJSON *d;
    size_t n = 0;

    if (!list || cJSON_IsNull(list))
        return 0;
    if (!cJSON_IsArray(list))
        return dk_err_set(err, DK_E_INPUT, "%s: dependencies must be a list", file);
    c->reqs = dk_xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*c->reqs));
    cJSON_ArrayForEach(d, list)
    {
        struct dk_chart_dep *r = &c->reqs[n];
        const cJSON *tags = cJSON_GetObjectItemCaseSensitive(d, "tags");
        const cJSON *iv = cJSON_GetObjectItemCaseSensitive(d, "import-values");
        const cJSON *t;

        if (cJSON_IsNull(d))
            continue;
        if (!cJSON_IsObject(d))
            return dk_err_set(err, DK_E_INPUT, "%s: dependencies must be a list of maps", file);
        if (!jstr(d, "name") || !*jstr(d, "name"))
            return dk_err_set(err, DK_E_INPUT, "validation: dependencies must have a name (in %s)",
                              file);
        r->name = dk_xstrdup(jstr(d, "name"));
        r->version = dk_xstrdup(jstr(d, "version") ? jstr(d, "version") : "");
        r->repository = dk_xstrdup(jstr(d, "repository") ? jstr(d, "repository") : "");
        r->condition = dk_xstrdup(jstr(d, "condition") ? jstr(d, "condition") : "");
        r->alias = dk_xstrdup(jstr(d, "alias") ? jstr(d, "alias") : "");
        if (cJSON_IsArray(tags))
            cJSON_ArrayForEach(t, tags) if (cJSON_IsString(t))
                dk_strvec_push(&r->tags, t->valuestring);
        if (cJSON_IsArray(iv))
            r->import_values = dk_val_from_json(iv);
        r->enabled = 1;
        n++;
    }
    c->nreqs = n;
    return 0;
}

static int valid_semver(const char *v)
{
    /* Helm requires a semantic version (Masterminds NewVersion: loose, optional v) */
    const char *p = v;
    int parts = 0;

    if (*p == 'v' || *p == 'V')
        p++;
    while (parts < 3) {
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
        parts++;
        if (*p != '.')
            break;
        p++;
    }
    return *p == '\0' || *p == '-' || *p == '+';
}

static int parse_meta(struct dk_chart *c, const char *label, struct dk_err *err)
{
    const char *name = jstr(c->meta, "name"), *version = jstr(c->meta, "version");
    const char *api = jstr(c->meta, "apiVersion"), *type = jstr(c->meta, "type");

    if (!cJSON_IsObject(c->meta))
        return dk_err_set(err, DK_E_INPUT, "%s: Chart.yaml: not a map", label);
    if (!api || !*api) {
        /* charts without apiVersion are v1 charts */
        cJSON_DeleteItemFromObjectCaseSensitive(c->meta, "apiVersion");
        cJSON_AddStringToObject(c->meta, "apiVersion", "v1");
        api = "v1";
    }
    if (!name || !*name)
        return dk_err_set(err, DK_E_INPUT, "%s: validation: chart.metadata.name is required",
                          label);
    if (strchr(name, '/') || strchr(name, '\\') || !strcmp(name, ".") || !strcmp(name, ".."))
        return dk_err_set(err, DK_E_INPUT, "%s: validation: chart.metadata.name \"%s\" is invalid",
                          label, name);
    if (!version || !*version)
        return dk_err_set(err, DK_E_INPUT, "%s: validation: chart.metadata.version is required",
                          label);
    if (!valid_semver(version))
        return dk_err_set(err, DK_E_INPUT,
                          "%s: validation: chart.metadata.version \"%s\" is invalid", label,
                          version);
    if (strcmp(api, "v1") && strcmp(api, "v2"))
        return dk_err_set(err, DK_E_INPUT,
                          "%s: validation: chart.metadata.apiVersion \"%s\" is "
                          "invalid",
                          label, api);
    if (type && *type && strcmp(type, "application") && strcmp(type, "library"))
        return dk_err_set(err, DK_E_INPUT,
                          "%s: validation: chart.metadata.type must be "
                          "application or library",
                          label);
    c->name = dk_xstrdup(name);
    c->version = dk_xstrdup(version);
    c->api_version = dk_xstrdup(api);
    c->library = type && !strcmp(type, "library");
    return 0;
}

static int yaml_map(const struct dk_chart_file *f, const char *label, cJSON **out,
                    struct dk_err *err)
{
    struct dk_err e = DK_ERR_INIT;

    if (dk_yaml_load_lenient(f->data, f->len, NULL, out, &e) < 0)
        return dk_err_set(err, DK_E_INPUT,
                          "%s: cannot load %s: cannot unmarshal yaml document: error converting "
                          "YAML to JSON: %s",
                          label, f->name, e.msg);
    if (cJSON_IsNull(*out)) {
        cJSON_Delete(*out);
        *out = cJSON_CreateObject();
    }
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return dk_err_set(err, DK_E_INPUT,
                          "%s: cannot load %s: error unmarshaling JSON: json: cannot unmarshal "
                          "%s into Go value of type map[string]interface {}",
                          label, f->name, "array");
    }
    return 0;
}

static int load_files(struct flist *files, const char *label, const struct dk_chart_load_opts *o,
                      int toplevel, struct dk_chart **out, struct dk_err *err);

/* Loads the subcharts collected under charts/ */
static int load_subcharts(struct dk_chart *c, struct flist *sub, const char *label,
                          struct dk_err *err)
{
    size_t i = 0;

    while (i < sub->n) {
        const char *slash = strchr(sub->v[i].name, '/');
        size_t plen = slash ? (size_t)(slash - sub->v[i].name) : strlen(sub->v[i].name);
        char *cname = dk_xstrndup(sub->v[i].name, plen);
        struct flist grp = {0};
        struct dk_chart *child = NULL;
        char *sublabel = dk_xasprintf("%s/charts/%s", label, cname);
        size_t j = i;
        int rc = 0;

        while (j < sub->n && !strncmp(sub->v[j].name, cname, plen) &&
               (sub->v[j].name[plen] == '/' || sub->v[j].name[plen] == '\0')) {
            const char *rest = sub->v[j].name + plen;

            flist_add(&grp, *rest ? rest + 1 : rest, sub->v[j].data, sub->v[j].len,
                      sub->v[j].mapped);
            sub->v[j].data = NULL;
            sub->v[j].mapped = 0;
            j++;
        }
        if (grp.n == 1 && !*grp.v[0].name &&
            (dk_str_endswith(cname, ".tgz") || dk_str_endswith(cname, ".tar.gz"))) {
            FILE *tf = tmpfile();
            struct flist af = {0};

            if (!tf || fwrite(grp.v[0].data, 1, grp.v[0].len, tf) != grp.v[0].len ||
                fflush(tf) != 0 || fseek(tf, 0, SEEK_SET) != 0) {
                rc = dk_err_set(err, DK_E_IO, "%s: cannot buffer the archive", sublabel);
            } else {
                rc = load_archive_fd(fileno(tf), sublabel, &af, err);
            }
            if (tf)
                fclose(tf);
            if (rc == 0)
                rc = load_files(&af, sublabel, NULL, 0, &child, err);
            flist_release(&af);
        } else if (grp.n == 1 && !*grp.v[0].name) {
            /* a plain file in charts/ is neither a chart nor a .File (Helm skips it) */
        } else {
            rc = load_files(&grp, sublabel, NULL, 0, &child, err);
        }
        if (rc < 0) {
            if (!strstr(err->msg, "error unpacking subchart"))
                dk_err_wrap(err, "error unpacking subchart %s in %s", cname, c->name);
        } else if (child) {
            child->parent = c;
            c->deps = dk_xrealloc(c->deps, (c->ndeps + 1) * sizeof(*c->deps));
            c->deps[c->ndeps++] = child;
        }
        flist_release(&grp);
        free(sublabel);
        free(cname);
        if (rc < 0)
            return -1;
        i = j;
    }
    return 0;
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct dk_chart_file *)a)->name, ((const struct dk_chart_file *)b)->name);
}

static int load_files(struct flist *files, const char *label, const struct dk_chart_load_opts *o,
                      int toplevel, struct dk_chart **out, struct dk_err *err)
{
    struct dk_chart *c = dk_xcalloc(1, sizeof(*c));
    struct flist tpl = {0}, other = {0}, sub = {0};
    const struct dk_chart_file *chart_yaml = NULL, *values = NULL, *schema = NULL, *reqs = NULL;
    size_t i;
    int rc = 0;

    *out = NULL;
    for (i = 0; i < files->n; i++) {
        struct dk_chart_file *f = &files->v[i];

        if (!strcmp(f->name, "Chart.yaml"))
            chart_yaml = f;
        else if (!strcmp(f->name, "values.yaml"))
            values = f;
        else if (!strcmp(f->name, "values.schema.json"))
            schema = f;
        else if (!strcmp(f->name, "requirements.yaml"))
            reqs = f;
    }
    if (!chart_yaml && o && o->werf_name && toplevel) {
        c->meta = cJSON_CreateObject();
        cJSON_AddStringToObject(c->meta, "apiVersion", "v2");
        cJSON_AddStringToObject(c->meta, "name", o->werf_name);
        cJSON_AddStringToObject(c->meta, "version", "1.0.0");
    } else if (!chart_yaml) {
        dk_chart_free(c);
        return dk_err_set(err, DK_E_INPUT, "%s: Chart.yaml file is missing", label);
    } else if (yaml_map(chart_yaml, label, &c->meta, err) < 0) {
        dk_chart_free(c);
        return -1;
    }
    if (parse_meta(c, label, err) < 0)
        goto fail;
    if (!strcmp(c->api_version, "v1") && reqs) {
        cJSON *rj = NULL;

        if (yaml_map(reqs, label, &rj, err) < 0)
            goto fail;
        rc = load_deps(c, cJSON_GetObjectItemCaseSensitive(rj, "dependencies"), "requirements.yaml",
                       err);
        /* Helm shows v1 requirements as the chart's dependencies */
        if (rc == 0 && cJSON_GetObjectItemCaseSensitive(rj, "dependencies")) {
            cJSON_DeleteItemFromObjectCaseSensitive(c->meta, "dependencies");
            cJSON_AddItemToObject(
                c->meta, "dependencies",
                cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rj, "dependencies"), 1));
        }
        cJSON_Delete(rj);
        if (rc < 0)
            goto fail;
    } else if (load_deps(c, cJSON_GetObjectItemCaseSensitive(c->meta, "dependencies"), "Chart.yaml",
                         err) < 0) {
        goto fail;
    }
    if (values) {
        cJSON *vj = NULL;

        if (yaml_map(values, label, &vj, err) < 0)
            goto fail;
        c->values = dk_val_from_json(vj);
        cJSON_Delete(vj);
    } else {
        c->values = dk_val_map();
    }
    if (schema) {
        struct dk_err e = DK_ERR_INIT;

        if (dk_json_parse(schema->data, schema->len, NULL, &c->schema, &e) < 0) {
            dk_err_set(err, DK_E_INPUT, "%s: values.schema.json: %s", label, e.msg);
            goto fail;
        }
    }
    for (i = 0; i < files->n; i++) {
        struct dk_chart_file *f = &files->v[i];

        if (f == chart_yaml || f == values || f == schema || !strcmp(f->name, "Chart.lock") ||
            (f == reqs && !strcmp(c->api_version, "v1")) ||
            (!strcmp(f->name, "requirements.lock") && !strcmp(c->api_version, "v1")))
            continue;
        if (dk_str_startswith(f->name, "templates/")) {
            flist_add(&tpl, f->name, f->data, f->len, f->mapped);
            f->data = NULL;
            f->mapped = 0;
        } else if (dk_str_startswith(f->name, "charts/")) {
            if (dk_str_endswith(f->name, ".prov")) {
                flist_add(&other, f->name, f->data, f->len, f->mapped);
            } else {
                flist_add(&sub, f->name + 7, f->data, f->len, f->mapped);
            }
            f->data = NULL;
            f->mapped = 0;
        } else {
            flist_add(&other, f->name, f->data, f->len, f->mapped);
            f->data = NULL;
            f->mapped = 0;
        }
    }
    c->templates = tpl.v;
    c->ntemplates = tpl.n;
    c->files = other.v;
    c->nfiles = other.n;
    memset(&tpl, 0, sizeof(tpl));
    memset(&other, 0, sizeof(other));
    if (sub.n)
        qsort(sub.v, sub.n, sizeof(*sub.v), cmp_file);
    if (load_subcharts(c, &sub, label, err) < 0)
        goto fail;
    flist_release(&sub);
    *out = c;
    return 0;
fail:
    flist_release(&sub);
    dk_chart_free(c);
    return -1;
}

int dk_chart_load(const char *path, const struct dk_chart_load_opts *o, struct dk_chart **out,
                  struct dk_err *err)
{
    struct flist files = {0};
    struct stat st;
    int rc;

    *out = NULL;
    if (stat(path, &st) < 0)
        return dk_err_set(err, errno == ENOENT ? DK_E_INPUT : DK_E_IO, "chart %s: %s", path,
                          errno == ENOENT ? "no such file or directory" : strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        rc = load_dir_files(path, &files, err);
    } else {
        FILE *f = fopen(path, "rb");

        if (!f)
            return dk_err_set(err, DK_E_IO, "chart %s: %s", path, strerror(errno));
        rc = load_archive_fd(fileno(f), path, &files, err);
        fclose(f);
        if (rc == 0 && files.n == 0)
            rc = dk_err_set(err, DK_E_INPUT, "%s: no files in chart archive", path);
    }
    if (rc == 0)
        rc = load_files(&files, path, o, 1, out, err);
    flist_release(&files);
    return rc;
}

static void dep_release(struct dk_chart_dep *r)
{
    free(r->name);
    free(r->version);
    free(r->repository);
    free(r->condition);
    free(r->alias);
    dk_strvec_release(&r->tags);
    dk_val_unref(r->import_values);
}

void dk_chart_free(struct dk_chart *c)
{
    size_t i;

    if (!c)
        return;
    cJSON_Delete(c->meta);
    cJSON_Delete(c->schema);
    free(c->name);
    free(c->version);
    free(c->api_version);
    dk_val_unref(c->values);
    for (i = 0; i < c->ntemplates; i++)
        file_release(&c->templates[i]);
    free(c->templates);
    for (i = 0; i < c->nfiles; i++)
        file_release(&c->files[i]);
    free(c->files);
    for (i = 0; i < c->nreqs; i++)
        dep_release(&c->reqs[i]);
    free(c->reqs);
    for (i = 0; i < c->ndeps; i++)
        dk_chart_free(c->deps[i]);
    free(c->deps);
    free(c);
}

static void copy_files(struct dk_chart_file **dst, size_t *ndst, const struct dk_chart_file *src,
                       size_t n)
{
    size_t i;

    *dst = n ? dk_xcalloc(n, sizeof(**dst)) : NULL;
    *ndst = n;
    for (i = 0; i < n; i++) {
        (*dst)[i].name = dk_xstrdup(src[i].name);
        (*dst)[i].data = dk_xmalloc(src[i].len + 1);
        memcpy((*dst)[i].data, src[i].data, src[i].len + 1);
        (*dst)[i].len = src[i].len;
    }
}

struct dk_chart *dk_chart_clone(const struct dk_chart *c)
{
    struct dk_chart *n = dk_xcalloc(1, sizeof(*n));
    size_t i, j;

    n->meta = cJSON_Duplicate(c->meta, 1);
    n->schema = c->schema ? cJSON_Duplicate(c->schema, 1) : NULL;
    n->name = dk_xstrdup(c->name);
    n->version = dk_xstrdup(c->version);
    n->api_version = dk_xstrdup(c->api_version);
    n->library = c->library;
    n->values = dk_chart_values_copy(c->values);
    copy_files(&n->templates, &n->ntemplates, c->templates, c->ntemplates);
    copy_files(&n->files, &n->nfiles, c->files, c->nfiles);
    n->reqs = dk_xcalloc(c->nreqs + 1, sizeof(*n->reqs));
    n->nreqs = c->nreqs;
    for (i = 0; i < c->nreqs; i++) {
        const struct dk_chart_dep *r = &c->reqs[i];
        struct dk_chart_dep *d = &n->reqs[i];

        d->name = dk_xstrdup(r->name);
        d->version = dk_xstrdup(r->version);
        d->repository = dk_xstrdup(r->repository);
        d->condition = dk_xstrdup(r->condition);
        d->alias = dk_xstrdup(r->alias);
        for (j = 0; j < r->tags.n; j++)
            dk_strvec_push(&d->tags, r->tags.v[j]);
        d->import_values = r->import_values ? dk_chart_values_copy(r->import_values) : NULL;
        d->enabled = r->enabled;
    }
    n->deps = c->ndeps ? dk_xcalloc(c->ndeps, sizeof(*n->deps)) : NULL;
    n->ndeps = c->ndeps;
    for (i = 0; i < c->ndeps; i++) {
        n->deps[i] = dk_chart_clone(c->deps[i]);
        n->deps[i]->parent = n;
    }
    return n;
}

/* ---- values files ---- */

int dk_chart_values_file(const char *path, struct dk_val **out, struct dk_err *err)
{
    struct dk_buf b = DK_BUF_INIT;
    struct dk_err e = DK_ERR_INIT;
    cJSON *j = NULL;
    int rc;

    *out = NULL;
    rc = strcmp(path, "-") ? dk_buf_read_file(&b, path) : dk_buf_read_fd(&b, 0);
    if (rc < 0) {
        dk_buf_release(&b);
        return dk_err_set(err, DK_E_INPUT, "open %s: %s", path,
                          errno == ENOENT ? "no such file or directory" : strerror(errno));
    }
    if (dk_yaml_load_lenient(b.buf ? b.buf : "", b.len, NULL, &j, &e) < 0) {
        dk_buf_release(&b);
        return dk_err_set(err, DK_E_INPUT,
                          "failed to parse %s: cannot unmarshal yaml document: error converting "
                          "YAML to JSON: %s",
                          path, e.msg);
    }
    dk_buf_release(&b);
    if (cJSON_IsNull(j)) {
        *out = dk_val_map();
    } else if (!cJSON_IsObject(j)) {
        const char *what = cJSON_IsArray(j) ? "array" : "scalar";

        cJSON_Delete(j);
        return dk_err_set(err, DK_E_INPUT,
                          "failed to parse %s: cannot unmarshal yaml document: error unmarshaling "
                          "JSON: while decoding JSON: json: cannot unmarshal %s into Go value of "
                          "type map[string]interface {}",
                          path, what);
    } else {
        *out = dk_val_from_json(j);
    }
    cJSON_Delete(j);
    return 0;
}
