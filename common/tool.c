#include "dk/tool.h"

#include <stdio.h>
#include <unistd.h>

#include "dk/init.h"
#include "dk/log.h"

int dk_tool_start(const char *prog, const char *usage, const char *description,
                  const struct dk_opt *opts, int argc, char **argv, int first,
                  struct dk_strlist *operands, struct dk_err *err)
{
    struct dk_common_opts common;

    if (dk_init(prog, err) < 0) {
        dk_log_error("%s", err->msg);
        return 1;
    }
    if (dk_cli_parse(opts, &common, argc, argv, first, operands, err) < 0)
        return -1;
    if (common.version) {
        printf("%s %s\n", prog, dk_version);
        return 0;
    }
    if (common.help) {
        dk_cli_help(usage, description, opts);
        return 0;
    }
    return -1;
}

void dk_tool_read_doc(struct dk_doc *doc, int skip_stdin, struct dk_err *err)
{
    struct dk_err derr = DK_ERR_INIT;

    if (dk_doc_read(doc, skip_stdin ? -1 : STDIN_FILENO, &derr) < 0 && err->code == DK_E_OK)
        *err = derr;
    if (!doc->root) {
        struct dk_err ignore = DK_ERR_INIT;

        dk_doc_read(doc, -1, &ignore);
    }
}

int dk_tool_finish(struct dk_doc *doc, const char *prog, struct dk_err *err)
{
    struct dk_err werr = DK_ERR_INIT;
    int rc;

    if (err->code != DK_E_OK) {
        dk_log_error("%s", err->msg);
        dk_doc_set_error(doc, prog, err);
    }
    if (dk_doc_write(doc, STDOUT_FILENO, &werr) < 0) {
        dk_log_error("%s", werr.msg);
        if (err->code == DK_E_OK)
            *err = werr;
    }
    rc = dk_exit_code(err);
    dk_doc_release(doc);
    return rc;
}
