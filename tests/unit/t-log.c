#include "dk/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static char tmp[4096];
static int saved_fd = -1;
static char *cap_path;

/* Sends stderr to a fresh temp file until capture_end(). */
static void capture_start(void)
{
    int fd;

    fflush(stderr);
    cap_path = dk_xasprintf("%s/stderr", tmp);
    fd = open(cap_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    saved_fd = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

/* Restores stderr; returns what was written to it (caller frees). */
static char *capture_end(void)
{
    struct dk_buf b = DK_BUF_INIT;

    fflush(stderr);
    dup2(saved_fd, STDERR_FILENO);
    close(saved_fd);
    saved_fd = -1;
    dk_buf_read_file(&b, cap_path);
    unlink(cap_path);
    free(cap_path);
    cap_path = NULL;
    return dk_buf_detach(&b, NULL);
}

static char *redact(const char *in)
{
    struct dk_buf b = DK_BUF_INIT;

    dk_redact(&b, in);
    return dk_buf_detach(&b, NULL);
}

#define is_redacted(in, want, ...)                                                                 \
    do {                                                                                           \
        char *r_ = redact(in);                                                                     \
        is_str(r_, want, __VA_ARGS__);                                                             \
        free(r_);                                                                                  \
    } while (0)

static void test_redact(void)
{
    char small[32];

    dk_log_add_secret("s3cr3t-value");
    dk_log_add_secret("abc");
    dk_log_add_secret(NULL);
    is_redacted("password is s3cr3t-value here", "password is *** here",
                "log: redact replaces a registered secret");
    is_redacted("s3cr3t-values3cr3t-value", "******", "log: redact replaces every occurrence");
    is_redacted("abc def abc", "abc def abc", "log: secrets shorter than 4 bytes are ignored");
    dk_log_add_secret("s3cr3t-value");
    is_redacted("s3cr3t-value", "***", "log: registering a secret twice is harmless");

    is_redacted("Authorization: Basic dXNlcjpwYXNz", "Authorization: ***",
                "log: redact hides an Authorization: Basic value");
    is_redacted("authorization:Bearer abc.def\nnext line", "authorization:***\nnext line",
                "log: the Authorization header is matched case-insensitively, to the line end");
    is_redacted("got Bearer tok1234, retrying", "got Bearer ***, retrying",
                "log: redact hides a Bearer token");
    is_redacted("send basic dXNlcjpw", "send basic ***", "log: redact hides a basic credential");
    is_redacted("the bearer of bad news", "the bearer of bad news",
                "log: 'bearer' followed by a short word is left alone");

    is_redacted("GET https://user:pa55word@reg.example.com/v2/",
                "GET https://user:***@reg.example.com/v2/",
                "log: redact hides the password of a URL");
    is_redacted("https://reg.example.com:5000/v2/", "https://reg.example.com:5000/v2/",
                "log: a URL with a port but no user info is unchanged");
    is_redacted("https://user@reg.example.com/v2/", "https://user@reg.example.com/v2/",
                "log: a URL with a user but no password is unchanged");
    is_redacted("/token?password=hunter22&x=1", "/token?password=***&x=1",
                "log: redact hides a password= parameter up to the next '&'");
    is_redacted("?service=r&token=abcd efg", "?service=r&token=*** efg",
                "log: redact hides a token= parameter up to white space");
    is_redacted("access_token=zz&refresh_token=yy", "access_token=***&refresh_token=***",
                "log: redact hides access_token= and refresh_token=");
    is_redacted("mytoken=visible", "mytoken=visible",
                "log: a parameter name inside a longer word is not a parameter");
    is_redacted("pushed reg.example.com/app:v1 (sha256:0a1b) in 3 s, user@example.com",
                "pushed reg.example.com/app:v1 (sha256:0a1b) in 3 s, user@example.com",
                "log: text without secrets is unchanged");
    is_redacted("", "", "log: the empty string stays empty");

    snprintf(small, sizeof(small), "key s3cr3t-value end");
    dk_redact_inplace(small, sizeof(small));
    is_str(small, "key *** end", "log: redact_inplace rewrites the string");
    snprintf(small, sizeof(small), "token=a Bearer abcdefghij");
    dk_redact_inplace(small, 12);
    ok(strlen(small) < 12, "log: redact_inplace never writes past its size");
}

static void test_output(void)
{
    char *out;

    unsetenv("DK_LOG");
    unsetenv("NO_COLOR");
    dk_log_init("dk-x", DK_LOG_INFO);
    is_str(dk_log_prog(), "dk-x", "log: init sets the program name");
    is_int(dk_log_level(), DK_LOG_INFO, "log: init sets the level");

    capture_start();
    dk_log_error("cannot push %s", "app");
    dk_log_warn("slow %d", 3);
    dk_log_info("pushed %s", "app");
    dk_log_debug("hidden at info");
    out = capture_end();
    is_str(out, "dk-x: error: cannot push app\ndk-x: warning: slow 3\ndk-x: pushed app\n",
           "log: error, warning and info lines are 'prog: [level: ]msg', debug hidden at info");
    ok(!strchr(out, '\033'), "log: no colour codes when stderr is not a terminal");
    ok(!dk_log_tty(), "log: a file is not a terminal");
    free(out);

    dk_log_set_level(DK_LOG_QUIET);
    capture_start();
    dk_log_info("info");
    dk_log_warn("warn");
    dk_log_error("only this");
    out = capture_end();
    is_str(out, "dk-x: error: only this\n", "log: quiet hides info and warnings, keeps errors");
    free(out);

    dk_log_set_level(DK_LOG_WARN);
    capture_start();
    dk_log_info("info");
    dk_log_warn("warn");
    out = capture_end();
    is_str(out, "dk-x: warning: warn\n", "log: warn level hides info");
    free(out);

    dk_log_set_level(DK_LOG_DEBUG);
    capture_start();
    dk_log_debug("shown %s", "now");
    out = capture_end();
    /* (debug lines may carry a time stamp between the program name and "debug:") */
    ok(dk_str_startswith(out, "dk-x: ") && dk_str_endswith(out, "debug: shown now\n") &&
           strchr(out, '\n') == out + strlen(out) - 1,
       "log: debug level shows debug messages as one 'prog: ... debug: msg' line");
    free(out);

    capture_start();
    dk_log_info("login with s3cr3t-value and Authorization: Bearer abcdefg");
    out = capture_end();
    is_str(out, "dk-x: login with *** and Authorization: ***\n",
           "log: messages are redacted before they are written");
    free(out);

    setenv("DK_LOG", "debug", 1);
    dk_log_init("dk-y", DK_LOG_INFO);
    is_int(dk_log_level(), DK_LOG_DEBUG, "log: DK_LOG=debug raises the level");
    setenv("DK_LOG", "quiet", 1);
    dk_log_init("dk-y", DK_LOG_INFO);
    is_int(dk_log_level(), DK_LOG_QUIET, "log: DK_LOG=quiet lowers the level");
    setenv("DK_LOG", "warn", 1);
    dk_log_init("dk-y", DK_LOG_DEBUG);
    is_int(dk_log_level(), DK_LOG_WARN, "log: DK_LOG=warn sets warn");
    setenv("DK_LOG", "info", 1);
    dk_log_init("dk-y", DK_LOG_QUIET);
    is_int(dk_log_level(), DK_LOG_INFO, "log: DK_LOG=info sets info");
    setenv("DK_LOG", "loud", 1);
    dk_log_init("dk-y", DK_LOG_WARN);
    is_int(dk_log_level(), DK_LOG_WARN, "log: an unknown DK_LOG keeps the given level");
    setenv("DK_LOG", "quiet", 1);
    dk_log_init("dk-y", DK_LOG_INFO);
    dk_log_set_level(DK_LOG_DEBUG);
    is_int(dk_log_level(), DK_LOG_DEBUG, "log: set_level after init overrides DK_LOG");
    unsetenv("DK_LOG");

    dk_log_init("a-program-name-much-longer-than-sixty-four-bytes-is-cut-not-overflowing-x",
                DK_LOG_INFO);
    ok(strlen(dk_log_prog()) < 64, "log: a long program name is cut to fit");
    dk_log_init("dk-x", DK_LOG_INFO);
}

static void test_sections(void)
{
    char *out;

    unsetenv("GITLAB_CI");
    unsetenv("GITHUB_ACTIONS");
    dk_log_init("dk-x", DK_LOG_INFO);

    setenv("GITLAB_CI", "true", 1);
    capture_start();
    dk_log_section_start("push_app", "Pushing app");
    dk_log_section_end("push_app");
    out = capture_end();
    ok(strstr(out, "section_start:") && strstr(out, ":push_app[collapsed=true]"),
       "log: on GitLab a section starts with section_start and its id");
    ok(strstr(out, "Pushing app\n") != NULL, "log: on GitLab the section title is shown");
    ok(strstr(out, "section_end:") && strstr(out, ":push_app\r"),
       "log: on GitLab a section ends with section_end and its id");
    free(out);
    unsetenv("GITLAB_CI");

    setenv("GITHUB_ACTIONS", "true", 1);
    capture_start();
    dk_log_section_start("push_app", "Pushing app");
    dk_log_section_end("push_app");
    out = capture_end();
    is_str(out, "::group::Pushing app\n::endgroup::\n",
           "log: on GitHub a section is ::group::title ... ::endgroup::");
    free(out);
    unsetenv("GITHUB_ACTIONS");

    capture_start();
    dk_log_section_start("push_app", "Pushing app");
    dk_log_section_end("push_app");
    out = capture_end();
    is_str(out, "dk-x: Pushing app\n", "log: outside CI a section is a plain line");
    free(out);

    setenv("GITHUB_ACTIONS", "true", 1);
    dk_log_set_level(DK_LOG_QUIET);
    capture_start();
    dk_log_section_start("push_app", "Pushing app");
    dk_log_section_end("push_app");
    out = capture_end();
    is_str(out, "", "log: quiet prints no sections");
    free(out);
    unsetenv("GITHUB_ACTIONS");
    dk_log_set_level(DK_LOG_INFO);
}

int main(void)
{
    const char *t = getenv("TMPDIR");

    snprintf(tmp, sizeof(tmp), "%s/dk-t-log-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        printf("Bail out! cannot make a temp dir: %s\n", strerror(errno));
        return 1;
    }
    test_redact();
    test_output();
    test_sections();
    rmdir(tmp);
    return tap_done();
}
