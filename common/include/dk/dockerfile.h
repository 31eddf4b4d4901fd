/*
 * dockerfile: Dockerfiles parsed the way Docker's BuildKit frontend parses them, and Docker's
 * variable expansion for the words in them.
 *
 * dk_dockerfile_parse() splits the text into stages of instructions and evaluates nothing:
 * FROM images, ARG/ENV/LABEL values, COPY sources and flags stay as written, so the caller can
 * expand each word with dk_df_expand() once it knows the build args. The rules followed:
 *
 *   - parser directives (`# escape=` with \ or `, `# syntax=`, `# check=`) only at the top,
 *     before any instruction, comment or blank line; each at most once;
 *   - a line ending with the escape character (trailing blanks allowed) continues on the next;
 *     comment lines and blank lines inside a continued instruction are skipped;
 *   - '#' at the start of a line (after blanks) makes a comment; elsewhere it is text;
 *   - instruction names are case-insensitive; flags are the leading "--name[=value]" words;
 *   - RUN, CMD, ENTRYPOINT, SHELL, ADD, COPY, VOLUME and HEALTHCHECK CMD take an exec form, a
 *     JSON array of strings; text that is not valid JSON is shell form, as Docker does, while
 *     a valid array holding something other than strings is an error;
 *   - RUN, COPY and ADD in shell form (also under ONBUILD) take heredocs: `<<EOF`, `<<-EOF`
 *     (leading tabs stripped from the body and the terminator), `<<"EOF"` or `<<'EOF'`
 *     (quoted: no expansion in the body), several per instruction; the bodies follow the
 *     instruction line in order;
 *   - only ARG may come before the first FROM.
 *
 * Errors are DK_E_INPUT with the file and line: "Dockerfile:12: unknown instruction 'FORM'".
 *
 * Ownership: a struct dk_dockerfile owns every string and array reachable from it; all of it
 * is freed by dk_dockerfile_release(). Pointers marked "borrowed" point into other fields of
 * the same struct and are never freed on their own. dk_dockerfile_parse() initialises the
 * struct it fills without freeing what it held, and leaves it empty when it fails.
 */
#ifndef DK_DOCKERFILE_H
#define DK_DOCKERFILE_H

#include <stddef.h>

#include "dk/buf.h"
#include "dk/err.h"

/* A heredoc: the lines that follow an instruction up to the line holding only the name. */
struct dk_df_heredoc {
    char *name; /* the delimiter without quotes: "EOF" for <<EOF, <<-EOF, <<"EOF" */
    char *body; /* the lines between, each with its own line ending; for <<- without leading
                   tabs. Not expanded. */
    int expand; /* 1 when variables in the body are to be expanded (unquoted delimiter) */
    int chomp;  /* 1 for <<- */
    int fd;     /* the digits before <<, as in 3<<EOF; 0 when there are none */
};

struct dk_df_instr {
    char *cmd;      /* upper-case: "FROM", "RUN", "COPY", ... */
    char *original; /* the instruction as written, from its first non-blank character, with
                       continuation lines joined (escape + newline removed, comments and blank
                       lines inside it dropped); heredoc bodies are not included */
    char **flags;   /* "--from=build", "--chown=1:1", "--link", "--mount=type=cache,target=/x",
                       quotes removed */
    size_t nflags;
    char **args; /* the words after the flags; see "Arguments" below */
    size_t nargs;
    int json; /* 1 when args came from an exec-form JSON array */
    struct dk_df_heredoc *heredocs;
    size_t nheredocs;
    char *heredoc_name;          /* borrowed: heredocs[0].name, or NULL */
    char *heredoc_body;          /* borrowed: heredocs[0].body, or NULL */
    int line;                    /* first line (1-based) */
    int end_line;                /* last line, heredoc bodies included */
    struct dk_df_instr *onbuild; /* ONBUILD: the instruction it wraps (owned); else NULL. The
                                    heredocs of `ONBUILD RUN <<EOF` belong to this one. */
};

/*
 * Arguments, per instruction (nothing is expanded; quotes and escapes are kept unless said):
 *   FROM, EXPOSE             the text split at blanks: {"golang:1.22", "AS", "build"}
 *   COPY, ADD, VOLUME        the JSON array's strings (quotes removed), else the text split at
 *                            blanks (as Docker does: a quoted path with a blank in it needs
 *                            the JSON form); the last one of COPY/ADD is the destination, and
 *                            a source "<<EOF" names a heredoc
 *   RUN, CMD, ENTRYPOINT,    the JSON array's strings, else one argument, the command text
 *   SHELL                    (SHELL must be JSON)
 *   ARG                      dk_df_split_words() of the text: {"A", "B=1", "C=\"x y\""}
 *   ENV, LABEL               name and value in turn, nargs even: `ENV A=1 B="x y"` gives
 *                            {"A", "1", "B", "\"x y\""}; the old form `ENV A x y` gives
 *                            {"A", "x y"}
 *   MAINTAINER, USER,        one argument, the text
 *   WORKDIR, STOPSIGNAL
 *   HEALTHCHECK              the type ("CMD" or "NONE", as written), then as for CMD
 *   ONBUILD                  one argument, the text of the wrapped instruction (see onbuild)
 */

struct dk_df_stage {
    char *base;                 /* the FROM image as written (before expansion): "golang:${GO}" */
    char *name;                 /* the AS name, lower-cased, or NULL */
    char *platform;             /* the --platform value as written, or NULL */
    struct dk_df_instr from;    /* the FROM instruction itself */
    struct dk_df_instr *instrs; /* the instructions after FROM, in order */
    size_t n;
    int line; /* the line of FROM */
};

struct dk_dockerfile {
    char *path;                    /* the name used in messages */
    char escape;                   /* '\\' or '`' */
    char *syntax;                  /* the `# syntax=` value, or NULL */
    struct dk_df_instr *meta_args; /* the ARGs before the first FROM */
    size_t nmeta;
    struct dk_df_stage *stages; /* at least one after a successful parse */
    size_t nstages;
};

void dk_dockerfile_init(struct dk_dockerfile *df);
/* Frees everything df holds and leaves it as after dk_dockerfile_init(). Accepts a zeroed or
 * already released struct. */
void dk_dockerfile_release(struct dk_dockerfile *df);

/* Parses len bytes of text (need not be NUL-terminated) into df, which the call initialises.
 * path_for_messages names the file in errors ("Dockerfile:3: ..."). Returns 0, or -1 with
 * DK_E_INPUT for: an unknown instruction, an instruction other than ARG before the first FROM,
 * no FROM at all (empty file), an unterminated heredoc, a bad or repeated parser directive,
 * an exec form holding a non-string, FROM not "image [AS name]", a bad or repeated stage name,
 * COPY/ADD without a destination, malformed ENV/LABEL pairs, an instruction missing its
 * argument, ONBUILD ONBUILD/FROM/MAINTAINER, a NUL byte. df is then empty. */
int dk_dockerfile_parse(struct dk_dockerfile *df, const char *path_for_messages, const char *text,
                        size_t len, struct dk_err *err);

/* The stage to build: the one named target (case-insensitive), or the last stage when target
 * is NULL or "". Sets *index and returns 0, or -1 with DK_E_INPUT ("Dockerfile: target stage
 * 'x' not found"). */
int dk_dockerfile_target(const struct dk_dockerfile *df, const char *target, size_t *index,
                         struct dk_err *err);

/* The stage that `COPY --from=<s>`, `RUN --mount=from=<s>` or `FROM <s>` refers to, s being
 * already expanded: a stage name (case-insensitive) or a decimal index. Returns the index, -1
 * when s is no stage (an external image), or -2 when s is a number that is no stage index
 * (Docker refuses that rather than pulling an image). */
int dk_df_stage_index(const struct dk_dockerfile *df, const char *name_or_index);

/* The value of flag "--name=value" on in (the first one when repeated): borrowed from in,
 * "" for a bare "--name", NULL when absent. name is given without the dashes: "from". */
const char *dk_df_instr_flag(const struct dk_df_instr *in, const char *name);

/* An ordered list of variables (build args, ENV), for dk_df_expand(). Owns its strings. */
struct dk_df_var {
    char *name;
    char *value;
};
struct dk_df_vars {
    struct dk_df_var *v;
    size_t n;
};
#define DK_DF_VARS_INIT                                                                            \
    {                                                                                              \
        NULL, 0                                                                                    \
    }

void dk_df_vars_init(struct dk_df_vars *vars);
/* Sets name to a copy of value: a new variable goes last, an existing one keeps its place. */
void dk_df_vars_set(struct dk_df_vars *vars, const char *name, const char *value);
/* The value of name (case-sensitive, as on Linux), borrowed; NULL when unset. */
const char *dk_df_vars_get(const struct dk_df_vars *vars, const char *name);
void dk_df_vars_release(struct dk_df_vars *vars);

/*
 * Expands one word with Docker's rules and appends the result to out:
 *   $v ${v}           the value, "" when unset ($ before anything else stays "$")
 *   ${v:-w} ${v-w}    w when v is unset or empty / unset, else the value
 *   ${v:+w} ${v+w}    w when v is set and not empty / set, else ""
 *   ${v:?w} ${v?w}    the value, or an error with w when unset or empty / unset
 *   ${v#p} ${v##p}    the value without its shortest / longest prefix matching p (* and ?)
 *   ${v%p} ${v%%p}    the value without its shortest / longest suffix matching p
 *   ${v/p/r} ${v//p/r} the first / every match of p replaced by r
 *   'text'            literal, quotes removed: no expansion inside
 *   "text"            quotes removed, expansion inside; escape protects only " $ and itself
 *   <escape>c         c taken literally, the escape removed (escape is '\\' or '`'; 0 means
 *                     '\\')
 * vars may be NULL (nothing set). The word is not split at blanks. Returns 0, or -1 with
 * DK_E_INPUT ("cannot expand '<word>': missing '}'" and similar: bad substitution, an
 * unsupported modifier, an unterminated quote, a ?-error); out is then unchanged. */
int dk_df_expand(const char *word, const struct dk_df_vars *vars, char escape, struct dk_buf *out,
                 struct dk_err *err);

/* Splits shell-form text into words at blanks that are outside quotes, as Docker does for ARG,
 * ENV and LABEL: quotes and escapes are kept in the words (dk_df_expand() removes them later),
 * an escape protects the character after it, nothing is expanded. `a "b c" d\ e` gives
 * {"a", "\"b c\"", "d\\ e"}. Appends to out. */
void dk_df_split_words(const char *text, char escape, struct dk_strvec *out);

#endif
