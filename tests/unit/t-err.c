#include "dk/err.h"

#include <stdlib.h>
#include <string.h>

#include "dk/log.h"
#include "tap.h"

static void test_set_and_wrap(void)
{
    struct dk_err err = DK_ERR_INIT;

    ok(err.code == DK_E_OK && err.msg[0] == '\0', "err: DK_ERR_INIT is ok with no message");
    is_int(dk_err_set(&err, DK_E_IO, "cannot open '%s': %s", "f.txt", "denied"), -1,
           "err: set returns -1");
    is_int(err.code, DK_E_IO, "err: set stores the code");
    is_str(err.msg, "cannot open 'f.txt': denied", "err: set formats the message");
    is_int(dk_err_wrap(&err, "cannot read %s", "config"), -1, "err: wrap returns -1");
    is_str(err.msg, "cannot read config: cannot open 'f.txt': denied",
           "err: wrap prefixes context with ': '");
    is_int(err.code, DK_E_IO, "err: wrap keeps the code");
    dk_err_wrap(&err, "a");
    ok(!strncmp(err.msg, "a: cannot read config: ", 23), "err: wrap nests");

    dk_err_init(&err);
    ok(err.code == DK_E_OK && err.msg[0] == '\0', "err: init clears code and message");
    dk_err_wrap(&err, "a");
    is_str(err.msg, "a", "err: wrap of an empty message is the context alone");
    is_int(err.code, DK_E_FAIL, "err: wrap of an ok error makes it a failure");

    dk_err_set(&err, DK_E_NET, "b");
    dk_err_wrap(&err, "a");
    is_str(err.msg, "a: b", "err: wrap gives 'a: b'");

    is_int(dk_err_set(NULL, DK_E_IO, "x"), -1, "err: set with a NULL err still returns -1");
    is_int(dk_err_wrap(NULL, "x"), -1, "err: wrap with a NULL err still returns -1");
}

static void test_exit_codes(void)
{
    static const struct {
        enum dk_errc code;
        int exit;
        const char *name;
    } cases[] = {
        {DK_E_OK, 0, "ok"},
        {DK_E_FAIL, 1, "failed"},
        {DK_E_IO, 1, "io"},
        {DK_E_NET, 1, "network"},
        {DK_E_AUTH, 1, "auth"},
        {DK_E_NOTFOUND, 1, "not-found"},
        {DK_E_INTEGRITY, 1, "integrity"},
        {DK_E_USAGE, 2, "usage"},
        {DK_E_INPUT, 2, "input"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct dk_err err = DK_ERR_INIT;

        err.code = cases[i].code;
        is_int(dk_exit_code(&err), cases[i].exit, "err: %s exits %d", cases[i].name, cases[i].exit);
        is_str(dk_err_name(cases[i].code), cases[i].name, "err: the name of code %d is '%s'",
               (int)cases[i].code, cases[i].name);
    }
    is_str(dk_err_name((enum dk_errc)99), "failed", "err: an unknown code is named 'failed'");
}

static void test_redaction(void)
{
    struct dk_err err = DK_ERR_INIT;

    dk_log_add_secret("hunter2-secret");
    dk_err_set(&err, DK_E_AUTH, "login with %s refused", "hunter2-secret");
    is_str(err.msg, "login with *** refused", "err: set redacts a registered secret");
    ok(!strstr(err.msg, "hunter2"), "err: no part of the secret is left");

    dk_err_set(&err, DK_E_NET, "sent Authorization: Bearer xyz to the server");
    ok(!strstr(err.msg, "xyz"), "err: set redacts an Authorization header value");
    ok(strstr(err.msg, "Authorization: ***") != NULL, "err: the header name stays visible");

    dk_err_set(&err, DK_E_NET, "plain");
    dk_err_wrap(&err, "token %s rejected", "hunter2-secret");
    is_str(err.msg, "token *** rejected: plain", "err: wrap redacts a secret in the context");
    dk_err_set(&err, DK_E_NET, "x");
    dk_err_wrap(&err, "header Authorization: Bearer xyz");
    ok(!strstr(err.msg, "xyz"), "err: wrap redacts an Authorization header in the context");
}

static void test_truncation(void)
{
    struct dk_err err = DK_ERR_INIT;
    char *big = malloc(5000);
    size_t i;

    memset(big, 'a', 4999);
    big[4999] = '\0';
    dk_err_set(&err, DK_E_IO, "%s", big);
    is_int(strlen(err.msg), sizeof(err.msg) - 1, "err: a long message is cut to fit the buffer");
    ok(err.msg[0] == 'a' && err.msg[sizeof(err.msg) - 2] == 'a',
       "err: the cut message keeps its start");

    dk_err_wrap(&err, "%s", big);
    is_int(strlen(err.msg), sizeof(err.msg) - 1, "err: a long wrap is cut to fit the buffer");
    for (i = 0; i < 600; i++)
        big[i] = 'p';
    big[600] = '\0';
    dk_err_set(&err, DK_E_IO, "inner");
    dk_err_wrap(&err, "%s", big);
    ok(strlen(err.msg) < sizeof(err.msg) && !strncmp(err.msg, "ppp", 3),
       "err: a context longer than 512 bytes is cut, not overflowed");
    ok(strstr(err.msg, "p: inner") != NULL, "err: a cut context leaves room for the message");

    /* a secret straddling the cut: the part before the cut must not leak */
    memset(big, 'a', sizeof(err.msg) - 9);
    strcpy(big + sizeof(err.msg) - 9, "hunter2-secret");
    dk_err_set(&err, DK_E_AUTH, "%s", big);
    ok(!strstr(err.msg, "hunter2"), "err: set redacts a secret that the cut would split");
    ok(strlen(err.msg) < sizeof(err.msg), "err: the redacted long message fits");
    dk_err_set(&err, DK_E_AUTH, "inner");
    memset(big, 'a', 505);
    strcpy(big + 505, "hunter2-secret");
    dk_err_wrap(&err, "%s", big);
    ok(!strstr(err.msg, "hunter2") && strstr(err.msg, "***: inner"),
       "err: wrap redacts a secret in a long context before cutting it");
    free(big);
}

int main(void)
{
    test_set_and_wrap();
    test_exit_codes();
    test_redaction();
    test_truncation();
    return tap_done();
}
