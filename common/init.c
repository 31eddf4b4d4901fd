#include "dk/init.h"

#include <signal.h>

#include "dk/http.h"
#include "dk/log.h"

/* Weak: a tool that never talks HTTP (dk-deploy render) does not link http.o, so libcurl and
 * its dependencies are not even loaded; every tool that uses the HTTP client has the real one. */
extern int dk_http_global_init(struct dk_err *err) __attribute__((weak));

int dk_init(const char *prog, struct dk_err *err)
{
    dk_log_init(prog, DK_LOG_INFO);
    /* a closed pipe downstream is an error from write(), not a silent death */
    signal(SIGPIPE, SIG_IGN);
    return dk_http_global_init ? dk_http_global_init(err) : 0;
}
