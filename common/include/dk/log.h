/*
 * log: messages to stderr, prefixed "dk-<tool>: ", with levels, colour on a TTY, CI log
 * sections, and redaction of secrets.
 *
 * The log state is the process's one mutable global, set by dk_log_init() in main. Every
 * message passes through dk_redact() before it is written: registered secrets (passwords,
 * tokens) become "***", and so do Authorization header values, "Bearer"/"Basic" credentials,
 * passwords in URLs and password=/token= parameters. dk_err_set() redacts too, so an error
 * message can go to the JSON document.
 */
#ifndef DK_LOG_H
#define DK_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include "dk/buf.h"

enum dk_log_level {
    DK_LOG_QUIET = 0, /* errors only */
    DK_LOG_WARN,
    DK_LOG_INFO, /* default */
    DK_LOG_DEBUG,
};

/* Sets the program name and level. The level is taken from DK_LOG (quiet, warn, info, debug)
 * when set; flags applied later with dk_log_set_level() override it. */
void dk_log_init(const char *prog, enum dk_log_level level);
void dk_log_set_level(enum dk_log_level level);
enum dk_log_level dk_log_level(void);
const char *dk_log_prog(void);
/* Whether stderr is a terminal (progress bars, colour). NO_COLOR disables colour only. */
int dk_log_tty(void);

void dk_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dk_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dk_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dk_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Collapsible sections: GitLab section_start/section_end when GITLAB_CI is set, GitHub
 * ::group::/::endgroup:: when GITHUB_ACTIONS is set, a plain info line otherwise. */
void dk_log_section_start(const char *id, const char *title);
void dk_log_section_end(const char *id);

/* Registers a secret to be redacted from every later message (copied). Strings shorter than
 * 4 bytes are ignored: redacting them would garble ordinary text. */
void dk_log_add_secret(const char *secret);
/* Appends in to out with every secret and credential pattern replaced by "***". */
void dk_redact(struct dk_buf *out, const char *in);
/* Redacts s in place; a result longer than size is cut to fit. */
void dk_redact_inplace(char *s, size_t size);

#endif
