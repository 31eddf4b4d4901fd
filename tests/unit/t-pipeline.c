/* Unit tests for common/pipeline.c. */
#include "dk/pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dk/json.h"
#include "dk/log.h"
#include "tap.h"

/* A pipe whose read end carries text (written and closed before reading: the texts here fit in
 * the pipe buffer). Returns the read end. */
static int pipe_with(const char *text, size_t len)
{
    int fds[2];

    if (pipe(fds) < 0)
        return -1;
    if (len && write(fds[1], text, len) != (ssize_t)len) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    close(fds[1]);
    return fds[0];
}

/* Reads doc from standard input, made a pipe holding text; returns dk_doc_read()'s result. */
static int read_text(struct dk_doc *doc, const char *text, struct dk_err *err)
{
    int fd = pipe_with(text, strlen(text)), saved = dup(STDIN_FILENO), r;

    dup2(fd, STDIN_FILENO);
    close(fd);
    r = dk_doc_read(doc, STDIN_FILENO, err);
    dup2(saved, STDIN_FILENO);
    close(saved);
    return r;
}

/* What dk_doc_write() writes, through a pipe; caller frees. */
static char *written(const struct dk_doc *doc)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_buf b = DK_BUF_INIT;
    int fds[2];

    if (pipe(fds) < 0)
        return NULL;
    if (dk_doc_write(doc, fds[1], &err) < 0)
        printf("# write failed: %s\n", err.msg);
    close(fds[1]);
    dk_buf_read_fd(&b, fds[0]);
    close(fds[0]);
    return dk_buf_detach(&b, NULL);
}

static char *compact(const struct dk_doc *doc)
{
    return dk_json_print(doc->root, 0);
}

static void test_read(void)
{
    struct dk_doc doc;
    struct dk_err err = DK_ERR_INIT;
    char *s;

    dk_doc_init(&doc);
    ok(read_text(&doc,
                 "{\"project\": \"app\", \"zeta\": {\"x\": [1, 2]}, \"schema\": \"dk/v1\", "
                 "\"alpha\": true}",
                 &err) == 0,
       "read: an object from a pipe");
    s = compact(&doc);
    is_str(s, "{\"project\":\"app\",\"zeta\":{\"x\":[1,2]},\"schema\":\"dk/v1\",\"alpha\":true}",
           "read: unknown keys kept, in their order");
    free(s);

    ok(read_text(&doc, "", &err) == 0, "read: empty input is accepted");
    s = compact(&doc);
    is_str(s, "{\"schema\":\"dk/v1\"}", "read: empty input starts a fresh document");
    free(s);

    ok(read_text(&doc, " \n\t\r\n", &err) == 0, "read: white space only is accepted");
    s = compact(&doc);
    is_str(s, "{\"schema\":\"dk/v1\"}", "read: white space starts a fresh document");
    free(s);

    ok(read_text(&doc, "{\"project\": \"p\", \"images\": {}}", &err) == 0,
       "read: a document without schema");
    s = compact(&doc);
    is_str(s, "{\"schema\":\"dk/v1\",\"project\":\"p\",\"images\":{}}",
           "read: a missing schema is added first");
    free(s);

    ok(read_text(&doc, "{}", &err) == 0, "read: {} is a document");
    s = compact(&doc);
    is_str(s, "{\"schema\":\"dk/v1\"}", "read: {} gets its schema");
    free(s);

    dk_doc_release(&doc);
    ok(doc.root == NULL, "release: root is NULL");
    dk_doc_release(&doc);
    ok(1, "release: twice is harmless");
}

static void test_read_errors(void)
{
    static const struct {
        const char *in, *msg;
    } cases[] = {
        {"{\"a\": 1,}",
         "invalid pipeline document on standard input: invalid JSON at line 1 column 9: "
         "invalid character '}' looking for beginning of object key string"},
        {"[{\"schema\": \"dk/v1\"}]",
         "invalid pipeline document on standard input: found a JSON array, expected a JSON object"},
        {"\"dk/v1\"", "invalid pipeline document on standard input: found a JSON string, expected "
                      "a JSON object"},
        {"null",
         "invalid pipeline document on standard input: found JSON null, expected a JSON object"},
        {"{\"schema\": \"dk/v2\", \"images\": {}}",
         "unsupported pipeline document schema 'dk/v2' on standard input: this dk reads 'dk/v1'"},
        {"{\"schema\": 1}",
         "invalid pipeline document on standard input: \"schema\" is a JSON number, expected "
         "\"dk/v1\""},
        {"{\"schema\": \"dk/v1\"} {}",
         "invalid pipeline document on standard input: invalid JSON at "
         "line 1 column 21: invalid character '{' after top-level "
         "value"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct dk_doc doc;
        struct dk_err err = DK_ERR_INIT;
        char *s;

        dk_doc_init(&doc);
        ok(read_text(&doc, cases[i].in, &err) < 0 && err.code == DK_E_INPUT,
           "read: bad input %zu is DK_E_INPUT", i);
        is_str(err.msg, cases[i].msg, "read: bad input %zu says why", i);
        is_int(dk_exit_code(&err), 2, "read: bad input %zu exits 2", i);
        s = compact(&doc);
        is_str(s, "{\"schema\":\"dk/v1\"}", "read: bad input %zu leaves a fresh document", i);
        free(s);
        dk_doc_release(&doc);
    }
}

static void test_read_limits(void)
{
    struct dk_doc doc;
    struct dk_err err = DK_ERR_INIT;
    char path[] = "/tmp/t-pipeline-XXXXXX";
    int fd = mkstemp(path);

    dk_doc_init(&doc);
    ok(fd >= 0 && ftruncate(fd, (off_t)DK_DOC_MAX_BYTES + 1) == 0, "limits: a 64 MiB + 1 file");
    ok(dk_doc_read(&doc, fd, &err) < 0 && err.code == DK_E_INPUT, "limits: past 64 MiB refused");
    ok(strstr(err.msg, "pipeline document on file descriptor ") == err.msg &&
           strstr(err.msg, " is larger than 64 MiB"),
       "limits: the message says so (%s)", err.msg);
    close(fd);
    unlink(path);

    dk_err_init(&err);
    ok(dk_doc_read(&doc, 1000, &err) == 0, "read: a closed descriptor reads as no input");
    ok(doc.root && cJSON_GetArraySize(doc.root) == 1, "read: and gives a fresh document");

    fd = open("/", O_RDONLY | O_DIRECTORY);
    ok(dk_doc_read(&doc, fd, &err) < 0 && err.code == DK_E_IO, "read: a read error is DK_E_IO");
    ok(strstr(err.msg, "cannot read the pipeline document from file descriptor ") == err.msg,
       "read: the message names the input (%s)", err.msg);
    close(fd);
    dk_doc_release(&doc);
}

static void test_write(void)
{
    struct dk_doc doc;
    struct dk_err err = DK_ERR_INIT;
    char *s;

    dk_doc_init(&doc);
    read_text(&doc,
              "{\"schema\":\"dk/v1\",\"x\":{\"u\":\"<&>\"},\"images\":{\"backend\":"
              "{\"tag\":\"t\"}},\"list\":[],\"n\":1.5}",
              &err);
    dk_json_set_bool(dk_doc_obj(&doc, "images.backend"), "built", 1);
    dk_json_set_str(dk_doc_obj(&doc, "images.frontend"), "digest", "d");
    s = written(&doc);
    is_str(s,
           "{\n  \"schema\": \"dk/v1\",\n  \"x\": {\n    \"u\": \"<&>\"\n  },\n  \"images\": {\n"
           "    \"backend\": {\n      \"tag\": \"t\",\n      \"built\": true\n    },\n"
           "    \"frontend\": {\n      \"digest\": \"d\"\n    }\n  },\n  \"list\": [],\n"
           "  \"n\": 1.5\n}\n",
           "write: two-space pretty print, final newline, keys in order");
    free(s);
    ok(dk_doc_obj(&doc, "") == NULL, "obj: empty path refused");

    ok(dk_doc_write(&doc, -1, &err) < 0 && err.code == DK_E_IO, "write: a bad descriptor fails");
    ok(strstr(err.msg, "cannot write the pipeline document: ") == err.msg,
       "write: the message says so (%s)", err.msg);
    dk_doc_release(&doc);

    s = written(&doc);
    is_str(s, "{\n  \"schema\": \"dk/v1\"\n}\n", "write: a released document writes a fresh one");
    free(s);
}

static void test_error_object(void)
{
    struct dk_doc doc;
    struct dk_err err = DK_ERR_INIT;
    char *s;

    dk_doc_init(&doc);
    read_text(&doc, "{\"schema\":\"dk/v1\",\"images\":{}}", &err);
    dk_err_set(&err, DK_E_AUTH, "cannot push 'reg/app:tag': registry answered 401 Unauthorized");
    dk_doc_set_error(&doc, "dk-push", &err);
    s = compact(&doc);
    is_str(s,
           "{\"schema\":\"dk/v1\",\"images\":{},\"error\":{\"tool\":\"dk-push\",\"code\":\"auth\","
           "\"message\":\"cannot push 'reg/app:tag': registry answered 401 Unauthorized\","
           "\"exit\":1}}",
           "error: tool, code, message and exit");
    free(s);

    dk_err_set(&err, DK_E_INPUT, "bad reference 'x'");
    dk_doc_set_error(&doc, "dk-tag", &err);
    s = compact(&doc);
    is_str(s,
           "{\"schema\":\"dk/v1\",\"images\":{},\"error\":{\"tool\":\"dk-tag\",\"code\":\"input\","
           "\"message\":\"bad reference 'x'\",\"exit\":2}}",
           "error: a second error replaces the first, exit 2 for input");
    free(s);

    dk_log_add_secret("s3cr3t-t0ken");
    dk_err_init(&err);
    err.code = DK_E_NET;
    snprintf(err.msg, sizeof(err.msg), "GET https://user:s3cr3t-t0ken@reg/v2/ failed");
    dk_doc_set_error(&doc, "dk-push", &err);
    ok(strstr(dk_json_str(dk_doc_obj(&doc, "error"), "message"), "s3cr3t") == NULL,
       "error: the message is redacted again (%s)",
       dk_json_str(dk_doc_obj(&doc, "error"), "message"));

    dk_doc_clear_error(&doc);
    s = compact(&doc);
    is_str(s, "{\"schema\":\"dk/v1\",\"images\":{}}", "error: clear removes it");
    free(s);
    dk_doc_clear_error(&doc);
    ok(1, "error: clearing twice is harmless");
    dk_doc_release(&doc);
}

int main(void)
{
    test_read();
    test_read_errors();
    test_read_limits();
    test_write();
    test_error_object();
    return tap_done();
}
