#include "dk/init.h"

#include <signal.h>

#include "dk/http.h"
#include "dk/log.h"

int dk_init(const char *prog, struct dk_err *err)
{
    dk_log_init(prog, DK_LOG_INFO);
    /* a closed pipe downstream is an error from write(), not a silent death */
    signal(SIGPIPE, SIG_IGN);
    return dk_http_global_init(err);
}
