#include "dk/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dk/buf.h"
#include "dk/log.h"
#include "tap.h"

static const char *repo, *token;
static long jobs;
static int dry, local;
static struct dk_strlist tags, operands;
static struct dk_common_opts common;
static struct dk_err err;

static const struct dk_opt opts[] = {
    {"repo", 'r', DK_OPT_STR, &repo, "REPO", "the repository", NULL},
    {"jobs", 'j', DK_OPT_INT, &jobs, "N", "transfers at once", NULL},
    {"dry-run", 'n', DK_OPT_BOOL, &dry, NULL, "change nothing", NULL},
    {"tag", 't', DK_OPT_STRLIST, &tags, "TAG", "a tag to push", NULL},
    {"token", 0, DK_OPT_STR, &token, "TOKEN", "the job token", "CI_JOB_TOKEN"},
    {"local", 0, DK_OPT_BOOL, &local, NULL, "stay local", ""},
    DK_OPT_END,
};

static char *args[32];
static int nargs;

/* Parses "dk-x" followed by the NULL-terminated arguments, from fresh option values. */
static int parse(const char *a, ...)
{
    va_list ap;
    const char *s;
    int i;

    for (i = 0; i < nargs; i++)
        free(args[i]);
    nargs = 0;
    args[nargs++] = dk_xstrdup("dk-x");
    va_start(ap, a);
    for (s = a; s && nargs < 31; s = va_arg(ap, const char *))
        args[nargs++] = dk_xstrdup(s);
    va_end(ap);
    args[nargs] = NULL;
    repo = token = NULL;
    jobs = -1;
    dry = local = -1;
    dk_strlist_release(&tags);
    dk_strlist_release(&operands);
    dk_err_init(&err);
    dk_log_set_level(DK_LOG_INFO);
    return dk_cli_parse(opts, &common, nargs, args, 1, &operands, &err);
}

static void clear_env(void)
{
    unsetenv("DK_REPO");
    unsetenv("DK_JOBS");
    unsetenv("DK_DRY_RUN");
    unsetenv("DK_TAG");
    unsetenv("DK_TOKEN");
    unsetenv("CI_JOB_TOKEN");
    unsetenv("DK_LOCAL");
}

static void test_flags(void)
{
    ok(parse(NULL) == 0, "cli: no arguments parse");
    ok(repo == NULL && jobs == -1 && dry == -1 && tags.n == 0 && operands.n == 0,
       "cli: no arguments change no value");
    ok(!common.help && !common.version && !common.quiet && !common.verbose,
       "cli: common options start cleared");

    ok(parse("--repo", "a/b", "--jobs", "4", NULL) == 0, "cli: long options with values parse");
    is_str(repo, "a/b", "cli: --name value sets a string");
    is_int(jobs, 4, "cli: --jobs 4 sets a number");
    ok(parse("--repo=c/d", "--jobs=12", NULL) == 0 && !strcmp(repo, "c/d") && jobs == 12,
       "cli: --name=value sets strings and numbers");
    ok(parse("--repo=", NULL) == 0 && repo && !*repo, "cli: --name= sets an empty string");
    ok(parse("-j", "4", "-r", "x", NULL) == 0 && jobs == 4 && !strcmp(repo, "x"),
       "cli: short options take the next argument");
    ok(parse("-j4", "-rx", NULL) == 0 && jobs == 4 && !strcmp(repo, "x"),
       "cli: short options take an attached value");
    ok(parse("-j", "-5", NULL) == 0 && jobs == -5, "cli: a negative number is a value");

    ok(parse("--dry-run", "--local", NULL) == 0 && dry == 1 && local == 1, "cli: bool flags set 1");
    ok(parse("-n", NULL) == 0 && dry == 1, "cli: a short bool flag sets 1");
    ok(parse("--dry-run=false", NULL) == 0 && dry == 0, "cli: --flag=false sets 0");
    ok(parse("--dry-run=yes", NULL) == 0 && dry == 1, "cli: --flag=yes sets 1");
    ok(parse("--dry-run=maybe", NULL) == -1 && err.code == DK_E_USAGE,
       "cli: --flag=maybe is a usage error");
    is_str(err.msg, "invalid value 'maybe' for --dry-run: expected true or false",
           "cli: a bad bool names the value and the option");

    ok(parse("-t", "a", "--tag", "b", "--tag=c", NULL) == 0, "cli: a list option repeats");
    ok(tags.n == 3 && !strcmp(tags.v[0], "a") && !strcmp(tags.v[1], "b") &&
           !strcmp(tags.v[2], "c") && tags.v[3] == NULL,
       "cli: list values are kept in order, NULL-terminated");

    ok(parse("one", "--repo", "r", "two", "-j2", "-", "three", NULL) == 0,
       "cli: operands mix with options");
    ok(operands.n == 4 && !strcmp(operands.v[0], "one") && !strcmp(operands.v[1], "two") &&
           !strcmp(operands.v[2], "-") && !strcmp(operands.v[3], "three"),
       "cli: operands are collected in order, '-' among them");
    ok(!strcmp(repo, "r") && jobs == 2, "cli: options between operands are applied");
    ok(parse("a", "--", "--repo", "-j", NULL) == 0 && operands.n == 3 &&
           !strcmp(operands.v[1], "--repo") && !strcmp(operands.v[2], "-j") && repo == NULL,
       "cli: '--' ends options, what follows is operands");

    ok(parse("-h", NULL) == 0 && common.help, "cli: -h sets help");
    ok(parse("--help", NULL) == 0 && common.help, "cli: --help sets help");
    ok(parse("--version", NULL) == 0 && common.version && !common.help,
       "cli: --version sets version");
}

static void test_errors(void)
{
    ok(parse("--nope", NULL) == -1, "cli: an unknown long option fails");
    is_int(err.code, DK_E_USAGE, "cli: an unknown option is a usage error");
    is_str(err.msg, "unknown option '--nope' (see --help)", "cli: the error names the option");
    ok(parse("--nope=3", NULL) == -1 && !strcmp(err.msg, "unknown option '--nope' (see --help)"),
       "cli: an unknown --name=value names the option without the value");
    ok(parse("-z", NULL) == -1 && err.code == DK_E_USAGE &&
           !strcmp(err.msg, "unknown option '-z' (see --help)"),
       "cli: an unknown short option is a usage error naming it");
    ok(parse("--rep", "x", NULL) == -1, "cli: a prefix of a long option is not accepted");

    ok(parse("--repo", NULL) == -1 && err.code == DK_E_USAGE, "cli: a missing value fails");
    is_str(err.msg, "option '--repo' needs a value", "cli: the error names the option");
    ok(parse("a", "-j", NULL) == -1 && !strcmp(err.msg, "option '--jobs' needs a value"),
       "cli: a short option without a value names its long form");

    ok(parse("--jobs", "four", NULL) == -1 && err.code == DK_E_USAGE, "cli: a bad number fails");
    is_str(err.msg, "invalid number 'four' for --jobs", "cli: the error names value and option");
    ok(parse("-j4x", NULL) == -1 && err.code == DK_E_USAGE,
       "cli: a number with trailing text fails");
    ok(parse("--jobs=", NULL) == -1 && err.code == DK_E_USAGE, "cli: an empty number fails");
    ok(parse("--jobs", "99999999999999999999999", NULL) == -1 && err.code == DK_E_USAGE,
       "cli: a number out of range fails");
}

static void test_env(void)
{
    char buf[128];
    const struct dk_opt *o;

    clear_env();
    setenv("DK_REPO", "env/repo", 1);
    setenv("DK_JOBS", "7", 1);
    setenv("DK_DRY_RUN", "yes", 1);
    ok(parse(NULL) == 0, "cli: options from the environment parse");
    is_str(repo, "env/repo", "cli: DK_REPO gives --repo");
    is_int(jobs, 7, "cli: DK_JOBS gives --jobs");
    is_int(dry, 1, "cli: DK_DRY_RUN=yes gives --dry-run");
    ok(parse("--repo", "flag/repo", "-j", "2", "--dry-run=false", NULL) == 0,
       "cli: flags and environment parse together");
    is_str(repo, "flag/repo", "cli: a string flag overrides its variable");
    is_int(jobs, 2, "cli: a number flag overrides its variable");
    is_int(dry, 0, "cli: a bool flag overrides its variable");

    setenv("DK_DRY_RUN", "maybe", 1);
    ok(parse(NULL) == -1 && err.code == DK_E_USAGE,
       "cli: an invalid bool in the environment fails");
    is_str(err.msg, "invalid value 'maybe' for DK_DRY_RUN: expected true or false",
           "cli: the error names the variable");
    setenv("DK_DRY_RUN", "0", 1);
    ok(parse(NULL) == 0 && dry == 0, "cli: DK_DRY_RUN=0 gives false");
    setenv("DK_DRY_RUN", "", 1);
    ok(parse(NULL) == 0 && dry == -1, "cli: an empty variable is ignored");
    setenv("DK_JOBS", "lots", 1);
    ok(parse(NULL) == -1 && !strcmp(err.msg, "invalid number 'lots' for DK_JOBS"),
       "cli: a bad number in the environment names the variable");
    clear_env();

    setenv("CI_JOB_TOKEN", "tok-from-ci", 1);
    setenv("DK_TOKEN", "derived", 1);
    ok(parse(NULL) == 0 && token && !strcmp(token, "tok-from-ci"),
       "cli: an option with an explicit variable reads that variable");
    setenv("DK_LOCAL", "true", 1);
    ok(parse(NULL) == 0 && local == -1, "cli: an option whose variable is \"\" reads none");
    clear_env();

    setenv("DK_TAG", "a, b,,c", 1);
    ok(parse(NULL) == 0 && tags.n == 3 && !strcmp(tags.v[0], "a") && !strcmp(tags.v[1], "b") &&
           !strcmp(tags.v[2], "c"),
       "cli: a list variable is split at commas, blanks and empty items dropped");
    ok(parse("--tag", "x", "-t", "y", NULL) == 0, "cli: list flags with a list variable parse");
    ok(tags.n == 2 && !strcmp(tags.v[0], "x") && !strcmp(tags.v[1], "y"),
       "cli: list flags replace the variable's list");
    clear_env();

    ok(parse("--quiet", NULL) == 0 && common.quiet && dk_log_level() == DK_LOG_QUIET,
       "cli: --quiet sets the log level to quiet");
    ok(parse("-v", NULL) == 0 && common.verbose && dk_log_level() == DK_LOG_DEBUG,
       "cli: -v sets the log level to debug");
    ok(parse("-v", "-q", NULL) == 0 && dk_log_level() == DK_LOG_QUIET,
       "cli: --quiet wins over --verbose");
    ok(parse(NULL) == 0 && dk_log_level() == DK_LOG_INFO,
       "cli: without either the log level is left alone");
    ok(parse("-qv", NULL) == 0 && common.quiet && common.verbose,
       "cli: bundled short flags -qv set both");
    ok(parse("-qz", NULL) == -1 && err.code == DK_E_USAGE && strstr(err.msg, "'-z'"),
       "cli: an unknown flag in a bundle is a usage error naming it");

    is_str(dk_cli_env_name(&opts[2], buf, sizeof(buf)), "DK_DRY_RUN",
           "cli: env name is DK_ + upper case, '-' as '_'");
    is_str(dk_cli_env_name(&opts[4], buf, sizeof(buf)), "CI_JOB_TOKEN",
           "cli: an explicit env name is used as is");
    is_str(dk_cli_env_name(&opts[5], buf, sizeof(buf)), "", "cli: \"\" means no variable");
    is_str(dk_cli_env_name(&opts[2], buf, 6), "DK_DR", "cli: a derived name is cut to the buffer");
    for (o = opts; o->name; o++)
        ;
    ok(o == &opts[6], "cli: DK_OPT_END ends the table");
}

static void test_help(void)
{
    struct dk_buf out = DK_BUF_INIT;
    char *path;
    const char *t = getenv("TMPDIR");
    int fd, saved;

    path = dk_xasprintf("%s/dk-t-cli-help-%d", t && *t ? t : "/tmp", (int)getpid());
    fflush(stdout);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    saved = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    dk_cli_help("dk-x [OPTIONS] REF", "Does x.", opts);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    dk_buf_read_file(&out, path);
    unlink(path);
    free(path);

    ok(dk_str_startswith(out.buf, "usage: dk-x [OPTIONS] REF\n\nDoes x.\n"),
       "cli: help starts with the usage line and the description");
    ok(strstr(out.buf, "-r, --repo REPO") && strstr(out.buf, "the repository [DK_REPO]"),
       "cli: help lists --repo with its short form, placeholder and variable");
    ok(strstr(out.buf, "-j, --jobs N") && strstr(out.buf, "[DK_JOBS]"),
       "cli: help lists --jobs and DK_JOBS");
    ok(strstr(out.buf, "-n, --dry-run") && strstr(out.buf, "[DK_DRY_RUN]"),
       "cli: help lists --dry-run and DK_DRY_RUN");
    ok(strstr(out.buf, "-t, --tag TAG") && strstr(out.buf, "[DK_TAG]"),
       "cli: help lists --tag and DK_TAG");
    ok(strstr(out.buf, "    --token TOKEN") && strstr(out.buf, "[CI_JOB_TOKEN]"),
       "cli: help lists an option without a short form and its explicit variable");
    ok(strstr(out.buf, "--local") && !strstr(out.buf, "DK_LOCAL"),
       "cli: help shows no variable for an option without one");
    ok(strstr(out.buf, "-h, --help") && strstr(out.buf, "-q, --quiet") &&
           strstr(out.buf, "-v, --verbose") && strstr(out.buf, "--version"),
       "cli: help lists the common options");
    ok(strstr(out.buf, "exit codes: 0 done, 1 the operation failed, 2 bad usage") != NULL,
       "cli: help ends with the exit codes");
    dk_buf_release(&out);
}

int main(void)
{
    int i;

    clear_env();
    unsetenv("DK_LOG");
    test_flags();
    test_errors();
    test_env();
    test_help();
    for (i = 0; i < nargs; i++)
        free(args[i]);
    dk_strlist_release(&tags);
    dk_strlist_release(&operands);
    return tap_done();
}
