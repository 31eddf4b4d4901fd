#include "dk/pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dk/buf.h"
#include "dk/json.h"
#include "dk/log.h"

static cJSON *fresh(void)
{
    cJSON *root = cJSON_CreateObject();

    if (!root) {
        fprintf(stderr, "%s: fatal: out of memory\n", dk_log_prog());
        exit(1);
    }
    dk_json_set_str(root, "schema", DK_DOC_SCHEMA);
    return root;
}

void dk_doc_init(struct dk_doc *doc)
{
    doc->root = fresh();
}

void dk_doc_release(struct dk_doc *doc)
{
    cJSON_Delete(doc->root);
    doc->root = NULL;
}

static void replace_root(struct dk_doc *doc, cJSON *root)
{
    cJSON_Delete(doc->root);
    doc->root = root ? root : fresh();
}

/* How messages name the input: "standard input" or "file descriptor N". */
static const char *input_name(int fd, char *buf, size_t size)
{
    if (fd == STDIN_FILENO)
        return "standard input";
    snprintf(buf, size, "file descriptor %d", fd);
    return buf;
}

static const char *json_kind(const cJSON *j)
{
    if (cJSON_IsArray(j))
        return "a JSON array";
    if (cJSON_IsString(j))
        return "a JSON string";
    if (cJSON_IsNumber(j))
        return "a JSON number";
    if (cJSON_IsBool(j))
        return "a JSON boolean";
    if (cJSON_IsNull(j))
        return "JSON null";
    return "a JSON value";
}

static int blank(const struct dk_buf *b)
{
    size_t i;

    for (i = 0; i < b->len; i++)
        if (!strchr(" \t\r\n", b->buf[i]) || b->buf[i] == '\0')
            return 0;
    return 1;
}

int dk_doc_read(struct dk_doc *doc, int fd, struct dk_err *err)
{
    struct dk_buf in;
    struct dk_err perr = DK_ERR_INIT;
    char fdname[32];
    const char *where = input_name(fd, fdname, sizeof(fdname));
    const cJSON *schema;
    cJSON *root = NULL, *result = NULL;
    int r = -1;

    dk_buf_init_max(&in, DK_DOC_MAX_BYTES);
    if (isatty(fd)) {
        r = 0;
        goto out;
    }
    if (dk_buf_read_fd(&in, fd) < 0) {
        if (errno == EBADF)
            r = 0; /* no standard input at all: nothing came before this tool */
        else if (errno == E2BIG)
            dk_err_set(err, DK_E_INPUT, "pipeline document on %s is larger than %u MiB", where,
                       DK_DOC_MAX_BYTES >> 20);
        else
            dk_err_set(err, DK_E_IO, "cannot read the pipeline document from %s: %s", where,
                       strerror(errno));
        goto out;
    }
    if (blank(&in)) {
        r = 0;
        goto out;
    }
    if (dk_json_parse(in.buf, in.len, NULL, &root, &perr) < 0) {
        dk_err_set(err, DK_E_INPUT, "invalid pipeline document on %s: %s", where, perr.msg);
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        dk_err_set(err, DK_E_INPUT,
                   "invalid pipeline document on %s: found %s, expected a JSON object", where,
                   json_kind(root));
        goto out;
    }
    schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
    if (!schema) {
        cJSON *s = cJSON_CreateString(DK_DOC_SCHEMA);

        if (!s || !cJSON_AddItemToObject(root, "schema", s)) {
            fprintf(stderr, "%s: fatal: out of memory\n", dk_log_prog());
            exit(1);
        }
        /* First, where every dk tool writes it. */
        cJSON_DetachItemViaPointer(root, s);
        cJSON_InsertItemInArray(root, 0, s);
    } else if (!cJSON_IsString(schema)) {
        dk_err_set(err, DK_E_INPUT,
                   "invalid pipeline document on %s: \"schema\" is %s, expected \"%s\"", where,
                   json_kind(schema), DK_DOC_SCHEMA);
        goto out;
    } else if (strcmp(schema->valuestring, DK_DOC_SCHEMA) != 0) {
        dk_err_set(err, DK_E_INPUT,
                   "unsupported pipeline document schema '%.64s' on %s: this dk reads '%s'",
                   schema->valuestring, where, DK_DOC_SCHEMA);
        goto out;
    }
    result = root;
    root = NULL;
    r = 0;
out:
    replace_root(doc, result); /* NULL: a fresh document */
    cJSON_Delete(root);
    dk_buf_release(&in);
    return r;
}

int dk_doc_write(const struct dk_doc *doc, int fd, struct dk_err *err)
{
    struct dk_buf out = DK_BUF_INIT;
    size_t off = 0;
    int r = 0;

    if (doc->root) {
        if (dk_json_write(doc->root, 1, &out) < 0) {
            dk_buf_release(&out);
            return dk_err_set(err, DK_E_FAIL, "cannot print the pipeline document");
        }
    } else {
        dk_buf_addf(&out, "{\n  \"schema\": \"%s\"\n}", DK_DOC_SCHEMA);
    }
    dk_buf_addch(&out, '\n');
    while (off < out.len) {
        ssize_t n = write(fd, out.buf + off, out.len - off);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = dk_err_set(err, DK_E_IO, "cannot write the pipeline document: %s", strerror(errno));
            break;
        }
        off += (size_t)n;
    }
    dk_buf_release(&out);
    return r;
}

void dk_doc_set_error(struct dk_doc *doc, const char *tool, const struct dk_err *err)
{
    struct dk_buf msg = DK_BUF_INIT;
    cJSON *e;

    if (!doc->root)
        doc->root = fresh();
    e = cJSON_CreateObject();
    if (!e) {
        fprintf(stderr, "%s: fatal: out of memory\n", dk_log_prog());
        exit(1);
    }
    dk_redact(&msg, err->msg);
    dk_json_set_str(e, "tool", tool ? tool : dk_log_prog());
    dk_json_set_str(e, "code", dk_err_name(err->code));
    dk_json_set_str(e, "message", msg.buf);
    dk_json_set_int(e, "exit", dk_exit_code(err));
    dk_json_set(doc->root, "error", e);
    dk_buf_release(&msg);
}

void dk_doc_clear_error(struct dk_doc *doc)
{
    dk_json_remove(doc->root, "error");
}

cJSON *dk_doc_obj(struct dk_doc *doc, const char *dotted_path)
{
    if (!doc->root)
        doc->root = fresh();
    return dk_json_obj(doc->root, dotted_path);
}
