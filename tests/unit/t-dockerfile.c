/* Unit tests for common/dockerfile.c: BuildKit's line rules (continuations, comments, parser
 * directives, heredocs), exec and shell forms, flags, ENV/LABEL/ARG words, stages and targets,
 * ONBUILD, every parse error with its file:line, and Docker's variable expansion as a table. */
#include "dk/dockerfile.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* Parses a C string; the caller releases df. */
static int parse(struct dk_dockerfile *df, const char *text, struct dk_err *err)
{
    return dk_dockerfile_parse(df, "Dockerfile", text, strlen(text), err);
}

/* Instruction i of stage s, or NULL. */
static const struct dk_df_instr *instr(const struct dk_dockerfile *df, size_t s, size_t i)
{
    if (s >= df->nstages || i >= df->stages[s].n)
        return NULL;
    return &df->stages[s].instrs[i];
}

static const char *arg(const struct dk_df_instr *in, size_t i)
{
    return in && i < in->nargs ? in->args[i] : NULL;
}

static const char *flag(const struct dk_df_instr *in, size_t i)
{
    return in && i < in->nflags ? in->flags[i] : NULL;
}

static void test_continuations(void)
{
    struct dk_dockerfile df;
    struct dk_err err = DK_ERR_INIT;
    const struct dk_df_instr *in;

    ok(parse(&df,
             "FROM alpine\n"
             "RUN apk add \\\n"
             "    curl \\\n"
             "    git\n",
             &err) == 0,
       "dockerfile: a continued RUN parses");
    in = instr(&df, 0, 0);
    is_str(in ? in->original : NULL, "RUN apk add     curl     git",
           "dockerfile: continuation lines are joined with the escape and newline removed");
    is_str(arg(in, 0), "apk add     curl     git", "dockerfile: shell-form RUN is one argument");
    ok(in && in->line == 2 && in->end_line == 4, "dockerfile: a continued RUN spans lines 2-4");
    dk_dockerfile_release(&df);

    ok(parse(&df,
             "FROM alpine\n"
             "RUN a \\\n"
             "# a comment inside\n"
             "\n"
             "   # an indented comment\n"
             "  b \\  \t\n"
             "  c\n"
             "RUN d\n",
             &err) == 0,
       "dockerfile: comments and blank lines inside a continuation parse");
    in = instr(&df, 0, 0);
    is_str(in ? in->original : NULL, "RUN a   b   c",
           "dockerfile: comments and blank lines inside a continuation are skipped");
    in = instr(&df, 0, 1);
    ok(in && in->line == 8 && !strcmp(in->original, "RUN d"),
       "dockerfile: the next instruction keeps its line number");
    dk_dockerfile_release(&df);

    ok(parse(&df, "FROM a\nRUN echo \\\\\nRUN b\n", &err) == 0 && df.stages[0].n == 2,
       "dockerfile: an escaped escape at the end of a line does not continue it");
    is_str(arg(instr(&df, 0, 0), 0), "echo \\\\", "dockerfile: the escaped escape stays");
    dk_dockerfile_release(&df);

    ok(parse(&df, "FROM a\r\nRUN b \\\r\n c\r\n", &err) == 0, "dockerfile: CRLF line endings");
    is_str(instr(&df, 0, 0) ? instr(&df, 0, 0)->original : NULL, "RUN b  c",
           "dockerfile: CRLF continuation joins like LF");
    dk_dockerfile_release(&df);

    ok(parse(&df, "from alpine\n  run  x  \nCopy a b\n", &err) == 0, "dockerfile: lower case");
    ok(!strcmp(df.stages[0].from.cmd, "FROM") && instr(&df, 0, 0) &&
           !strcmp(instr(&df, 0, 0)->cmd, "RUN") && !strcmp(instr(&df, 0, 1)->cmd, "COPY"),
       "dockerfile: instruction names are case-insensitive and stored upper-case");
    is_str(arg(instr(&df, 0, 0), 0), "x", "dockerfile: leading and trailing blanks are trimmed");
    dk_dockerfile_release(&df);

    ok(parse(&df, "FROM a\nRUN echo hi # not a comment\n", &err) == 0 &&
           !strcmp(arg(instr(&df, 0, 0), 0), "echo hi # not a comment"),
       "dockerfile: '#' after the start of a line is text");
    dk_dockerfile_release(&df);
}

static void test_directives(void)
{
    struct dk_dockerfile df;
    struct dk_err err = DK_ERR_INIT;

    ok(parse(&df, "# escape=`\nFROM x\nRUN a `\n  b\nCOPY c:\\ d:\\\n", &err) == 0,
       "dockerfile: escape=` parses");
    ok(df.escape == '`', "dockerfile: the escape directive sets the escape character");
    is_str(instr(&df, 0, 0) ? instr(&df, 0, 0)->original : NULL, "RUN a   b",
           "dockerfile: a backtick continues lines after escape=`");
    ok(instr(&df, 0, 1) && !strcmp(arg(instr(&df, 0, 1), 0), "c:\\") &&
           !strcmp(arg(instr(&df, 0, 1), 1), "d:\\"),
       "dockerfile: with escape=` a trailing backslash is text");
    dk_dockerfile_release(&df);

    ok(parse(&df, "#  ESCAPE =  `  \nFROM x\n", &err) == 0 && df.escape == '`',
       "dockerfile: directive names are case-insensitive and blanks are allowed");
    dk_dockerfile_release(&df);

    ok(parse(&df, "\xef\xbb\xbf# syntax=docker/dockerfile:1.7\n# escape=\\\nFROM a\n", &err) == 0,
       "dockerfile: a BOM, syntax and escape directives");
    is_str(df.syntax, "docker/dockerfile:1.7", "dockerfile: the syntax directive is kept");
    dk_dockerfile_release(&df);

    ok(parse(&df, "FROM x\n# escape=`\nRUN a `\n", &err) == 0 && df.escape == '\\' &&
           !strcmp(arg(instr(&df, 0, 0), 0), "a `"),
       "dockerfile: a directive after an instruction is a comment");
    dk_dockerfile_release(&df);

    ok(parse(&df, "# hello\n# escape=`\nFROM x\n", &err) == 0 && df.escape == '\\',
       "dockerfile: a directive after a comment is a comment");
    dk_dockerfile_release(&df);

    ok(parse(&df, "# unknown=1\n# escape=`\nFROM x\n", &err) == 0 && df.escape == '\\',
       "dockerfile: an unknown directive ends the directives");
    dk_dockerfile_release(&df);

    ok(parse(&df, "\n# syntax=x\nFROM x\n", &err) == 0 && !df.syntax,
       "dockerfile: a blank line ends the directives");
    dk_dockerfile_release(&df);

    ok(parse(&df, "# check=skip=all\n# syntax=y\nFROM x\n", &err) == 0 && df.syntax &&
           !strcmp(df.syntax, "y"),
       "dockerfile: the check directive is a directive");
    dk_dockerfile_release(&df);
}

static void test_heredocs(void)
{
    struct dk_dockerfile df;
    struct dk_err err = DK_ERR_INIT;
    const struct dk_df_instr *in;

    ok(parse(&df,
             "FROM a\n"
             "RUN <<EOF\n"
             "echo \"$HOME\"\n"
             "  EOF \n"
             "EOF\n"
             "RUN b\n",
             &err) == 0,
       "dockerfile: RUN <<EOF parses");
    in = instr(&df, 0, 0);
    ok(in && in->nheredocs == 1 && in->heredoc_name && !strcmp(in->heredoc_name, "EOF") &&
           in->heredocs[0].expand && !in->heredocs[0].chomp,
       "dockerfile: <<EOF names an expanding heredoc");
    is_str(in ? in->heredoc_body : NULL, "echo \"$HOME\"\n  EOF \n",
           "dockerfile: the body keeps its lines; only an exact 'EOF' line ends it");
    is_str(arg(in, 0), "<<EOF", "dockerfile: the RUN argument is the command line");
    ok(in && in->line == 2 && in->end_line == 5, "dockerfile: the heredoc counts in end_line");
    in = instr(&df, 0, 1);
    ok(in && in->line == 6 && !strcmp(arg(in, 0), "b"), "dockerfile: parsing goes on after it");
    dk_dockerfile_release(&df);

    ok(parse(&df, "FROM a\nRUN <<-\"EOT\" sh\n\techo a\n\t\techo b\n\tEOT\n", &err) == 0,
       "dockerfile: RUN <<-\"EOT\" parses");
    in = instr(&df, 0, 0);
    ok(in && in->nheredocs == 1 && in->heredocs[0].chomp && !in->heredocs[0].expand &&
           !strcmp(in->heredoc_name, "EOT"),
       "dockerfile: <<- chomps and a quoted name turns expansion off");
    is_str(in ? in->heredoc_body : NULL, "echo a\necho b\n",
           "dockerfile: <<- strips leading tabs from the body and the terminator");
    dk_dockerfile_release(&df);

    ok(parse(&df,
             "FROM a\nCOPY <<one.conf <<'two.conf' /etc/\nx=$A\none.conf\ny=$B\ntwo.conf\n"
             "COPY 3<<X /x\nX\n",
             &err) == 0,
       "dockerfile: COPY with two heredocs parses");
    in = instr(&df, 0, 0);
    ok(in && in->nheredocs == 2 && !strcmp(in->heredocs[0].name, "one.conf") &&
           !strcmp(in->heredocs[0].body, "x=$A\n") && in->heredocs[0].expand &&
           !strcmp(in->heredocs[1].name, "two.conf") && !strcmp(in->heredocs[1].body, "y=$B\n") &&
           !in->heredocs[1].expand,
       "dockerfile: several heredocs are read in order");
    ok(in && in->nargs == 3 && !strcmp(arg(in, 0), "<<one.conf") &&
           !strcmp(arg(in, 1), "<<'two.conf'") && !strcmp(arg(in, 2), "/etc/"),
       "dockerfile: COPY keeps the heredoc sources as arguments");
    in = instr(&df, 0, 1);
    ok(in && in->nheredocs == 1 && in->heredocs[0].fd == 3 && !strcmp(in->heredoc_name, "X") &&
           !strcmp(in->heredoc_body, ""),
       "dockerfile: a descriptor before << and an empty body");
    dk_dockerfile_release(&df);

    ok(parse(&df, "FROM a\nRUN echo \"<<EOF\" '<<X'\nRUN [\"sh\", \"<<EOF\"]\nRUN b\n", &err) ==
               0 &&
           df.stages[0].n == 3 && !instr(&df, 0, 0)->nheredocs && !instr(&df, 0, 1)->nheredocs &&
           !instr(&df, 0, 0)->heredoc_name,
       "dockerfile: quoted << and the exec form take no heredoc");
    dk_dockerfile_release(&df);

    ok(parse(&df, "FROM a\nCMD <<EOF\nRUN b\n", &err) == 0 && df.stages[0].n == 2,
       "dockerfile: only RUN, COPY and ADD take heredocs");
    dk_dockerfile_release(&df);

    ok(parse(&df, "FROM a\nONBUILD RUN <<EOF\nmake\nEOF\n", &err) == 0 && instr(&df, 0, 0) &&
           instr(&df, 0, 0)->onbuild && instr(&df, 0, 0)->onbuild->heredoc_body &&
           !strcmp(instr(&df, 0, 0)->onbuild->heredoc_body, "make\n"),
       "dockerfile: ONBUILD RUN <<EOF gives the heredoc to the wrapped RUN");
    dk_dockerfile_release(&df);
}

static void test_forms(void)
{
    struct dk_dockerfile df;
    struct dk_err err = DK_ERR_INIT;
    const struct dk_df_instr *in;

    ok(parse(&df,
             "FROM a\n"
             "RUN [\"echo\", \"a b\"]\n"
             "RUN [a b]\n"
             "CMD [ \"x\\u00e9\\n\\\"q\\\"\\/\" ]  trailing\n"
             "ENTRYPOINT ['single']\n"
             "COPY [\"my file\", \"/dst dir/\"]\n"
             "COPY a b c\n"
             "VOLUME /a /b\n"
             "SHELL [\"/bin/bash\", \"-c\"]\n"
             "CMD []\n"
             "HEALTHCHECK --interval=5s CMD curl -f http://x/\n"
             "HEALTHCHECK CMD [\"a\", \"b\"]\n"
             "HEALTHCHECK none\n"
             "EXPOSE 80/tcp  443\n"
             "USER app:app\n"
             "WORKDIR /my dir\n"
             "STOPSIGNAL SIGTERM\n"
             "MAINTAINER me <me@x>\n",
             &err) == 0,
       "dockerfile: exec and shell forms parse");
    in = instr(&df, 0, 0);
    ok(in && in->json && in->nargs == 2 && !strcmp(arg(in, 1), "a b"),
       "dockerfile: exec form RUN gives the array's strings");
    in = instr(&df, 0, 1);
    ok(in && !in->json && in->nargs == 1 && !strcmp(arg(in, 0), "[a b]"),
       "dockerfile: invalid JSON falls back to shell form");
    in = instr(&df, 0, 2);
    ok(in && in->json && in->nargs == 1 && !strcmp(arg(in, 0), "x\xc3\xa9\n\"q\"/"),
       "dockerfile: JSON escapes are decoded and text after the array is ignored");
    in = instr(&df, 0, 3);
    ok(in && !in->json && !strcmp(arg(in, 0), "['single']"),
       "dockerfile: single quotes are not JSON");
    in = instr(&df, 0, 4);
    ok(in && in->json && in->nargs == 2 && !strcmp(arg(in, 0), "my file"),
       "dockerfile: exec form COPY keeps blanks in paths");
    in = instr(&df, 0, 5);
    ok(in && !in->json && in->nargs == 3 && !strcmp(arg(in, 2), "c"),
       "dockerfile: shell form COPY splits at blanks");
    in = instr(&df, 0, 6);
    ok(in && in->nargs == 2 && !strcmp(arg(in, 1), "/b"), "dockerfile: VOLUME splits");
    in = instr(&df, 0, 7);
    ok(in && in->json && in->nargs == 2, "dockerfile: SHELL in exec form");
    in = instr(&df, 0, 8);
    ok(in && in->json && in->nargs == 0, "dockerfile: an empty exec form");
    in = instr(&df, 0, 9);
    ok(in && !in->json && in->nargs == 2 && !strcmp(arg(in, 0), "CMD") &&
           !strcmp(arg(in, 1), "curl -f http://x/") && !strcmp(flag(in, 0), "--interval=5s"),
       "dockerfile: HEALTHCHECK flags, type and shell command");
    in = instr(&df, 0, 10);
    ok(in && in->json && in->nargs == 3 && !strcmp(arg(in, 2), "b"),
       "dockerfile: HEALTHCHECK CMD in exec form");
    in = instr(&df, 0, 11);
    ok(in && in->nargs == 1 && !strcmp(arg(in, 0), "none"), "dockerfile: HEALTHCHECK NONE");
    in = instr(&df, 0, 12);
    ok(in && in->nargs == 2 && !strcmp(arg(in, 0), "80/tcp") && !strcmp(arg(in, 1), "443"),
       "dockerfile: EXPOSE splits at blanks");
    ok(!strcmp(arg(instr(&df, 0, 13), 0), "app:app") &&
           !strcmp(arg(instr(&df, 0, 14), 0), "/my dir") &&
           !strcmp(arg(instr(&df, 0, 15), 0), "SIGTERM") &&
           !strcmp(arg(instr(&df, 0, 16), 0), "me <me@x>"),
       "dockerfile: USER, WORKDIR, STOPSIGNAL, MAINTAINER take the text");
    dk_dockerfile_release(&df);
}

static void test_flags(void)
{
    struct dk_dockerfile df;
    struct dk_err err = DK_ERR_INIT;
    const struct dk_df_instr *in;

    ok(parse(&df,
             "FROM a\n"
             "COPY --from=build --chown=1:1 --chmod=755 --link src dst\n"
             "RUN --mount=type=cache,target=/x --network=none make\n"
             "RUN --mount=\"type=secret,id=a b\" cat\n"
             "RUN -- --x\n",
             &err) == 0,
       "dockerfile: instructions with flags parse");
    in = instr(&df, 0, 0);
    ok(in && in->nflags == 4 && !strcmp(flag(in, 0), "--from=build") &&
           !strcmp(flag(in, 1), "--chown=1:1") && !strcmp(flag(in, 2), "--chmod=755") &&
           !strcmp(flag(in, 3), "--link") && in->nargs == 2 && !strcmp(arg(in, 0), "src"),
       "dockerfile: COPY flags are split from the arguments");
    is_str(in ? dk_df_instr_flag(in, "from") : NULL, "build", "dockerfile: instr_flag value");
    is_str(in ? dk_df_instr_flag(in, "link") : NULL, "", "dockerfile: instr_flag bare flag");
    ok(in && !dk_df_instr_flag(in, "platform") && !dk_df_instr_flag(in, "fro"),
       "dockerfile: instr_flag absent flag");
    in = instr(&df, 0, 1);
    ok(in && in->nflags == 2 && !strcmp(flag(in, 0), "--mount=type=cache,target=/x") &&
           !strcmp(flag(in, 1), "--network=none") && !strcmp(arg(in, 0), "make"),
       "dockerfile: RUN --mount and --network");
    in = instr(&df, 0, 2);
    is_str(flag(in, 0), "--mount=type=secret,id=a b", "dockerfile: quotes in flags are removed");
    in = instr(&df, 0, 3);
    ok(in && in->nflags == 0 && !strcmp(arg(in, 0), "--x"), "dockerfile: '--' ends the flags");
    dk_dockerfile_release(&df);
}

static void test_words(void)
{
    struct dk_dockerfile df;
    struct dk_err err = DK_ERR_INIT;
    const struct dk_df_instr *in;

    ok(parse(&df,
             "FROM a\n"
             "ENV A=1 B=\"x y\" C=\\$D E=\n"
             "ENV OLD value  with spaces\n"
             "LABEL org.opencontainers.image.title=\"My app\" version=1\n"
             "ARG X Y=2 Z=\"p q\"\n",
             &err) == 0,
       "dockerfile: ENV, LABEL and ARG parse");
    in = instr(&df, 0, 0);
    ok(in && in->nargs == 8 && !strcmp(arg(in, 0), "A") && !strcmp(arg(in, 1), "1") &&
           !strcmp(arg(in, 2), "B") && !strcmp(arg(in, 3), "\"x y\"") &&
           !strcmp(arg(in, 5), "\\$D") && !strcmp(arg(in, 6), "E") && !strcmp(arg(in, 7), ""),
       "dockerfile: ENV name=value pairs, quotes and escapes kept");
    in = instr(&df, 0, 1);
    ok(in && in->nargs == 2 && !strcmp(arg(in, 0), "OLD") &&
           !strcmp(arg(in, 1), "value  with spaces"),
       "dockerfile: the old 'ENV name value' form");
    in = instr(&df, 0, 2);
    ok(in && in->nargs == 4 && !strcmp(arg(in, 0), "org.opencontainers.image.title") &&
           !strcmp(arg(in, 1), "\"My app\""),
       "dockerfile: LABEL pairs");
    in = instr(&df, 0, 3);
    ok(in && in->nargs == 3 && !strcmp(arg(in, 0), "X") && !strcmp(arg(in, 1), "Y=2") &&
           !strcmp(arg(in, 2), "Z=\"p q\""),
       "dockerfile: ARG words");
    dk_dockerfile_release(&df);
}

static void test_stages(void)
{
    struct dk_dockerfile df;
    struct dk_err err = DK_ERR_INIT;
    size_t idx = 99;

    ok(parse(&df,
             "ARG BASE=alpine\n"
             "ARG V\n"
             "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n"
             "RUN go build\n"
             "FROM ${BASE} as runtime\n"
             "COPY --from=build /out /app\n"
             "FROM runtime\n",
             &err) == 0,
       "dockerfile: a multi-stage Dockerfile parses");
    ok(df.nmeta == 2 && !strcmp(df.meta_args[0].cmd, "ARG") &&
           !strcmp(df.meta_args[0].args[0], "BASE=alpine") && !strcmp(df.meta_args[1].args[0], "V"),
       "dockerfile: ARGs before FROM are meta args");
    ok(df.nstages == 3, "dockerfile: three stages");
    ok(df.nstages == 3 && !strcmp(df.stages[0].base, "golang:1.22") &&
           !strcmp(df.stages[0].name, "build") &&
           !strcmp(df.stages[0].platform, "$BUILDPLATFORM") && df.stages[0].line == 3 &&
           df.stages[0].n == 1,
       "dockerfile: stage 0 has base, lower-cased name, platform and line");
    ok(df.nstages == 3 && !strcmp(df.stages[1].base, "${BASE}") &&
           !strcmp(df.stages[1].name, "runtime") && !df.stages[1].platform,
       "dockerfile: the base is kept as written and 'as' is case-insensitive");
    ok(df.nstages == 3 && !df.stages[2].name && !strcmp(df.stages[2].base, "runtime") &&
           df.stages[2].n == 0 && !strcmp(df.stages[2].from.original, "FROM runtime"),
       "dockerfile: an unnamed stage keeps its FROM instruction");

    ok(dk_dockerfile_target(&df, NULL, &idx, &err) == 0 && idx == 2,
       "dockerfile: no target means the last stage");
    ok(dk_dockerfile_target(&df, "", &idx, &err) == 0 && idx == 2,
       "dockerfile: an empty target means the last stage");
    ok(dk_dockerfile_target(&df, "BUILD", &idx, &err) == 0 && idx == 0,
       "dockerfile: the target is found case-insensitively");
    ok(dk_dockerfile_target(&df, "prod", &idx, &err) < 0 && err.code == DK_E_INPUT &&
           strstr(err.msg, "Dockerfile: target stage 'prod' not found"),
       "dockerfile: an unknown target is an input error naming it");

    is_int(dk_df_stage_index(&df, "build"), 0, "dockerfile: stage_index by name");
    is_int(dk_df_stage_index(&df, "Runtime"), 1, "dockerfile: stage_index is case-insensitive");
    is_int(dk_df_stage_index(&df, "0"), 0, "dockerfile: stage_index by number");
    is_int(dk_df_stage_index(&df, "2"), 2, "dockerfile: stage_index by the last number");
    is_int(dk_df_stage_index(&df, "3"), -2, "dockerfile: stage_index of a number past the end");
    is_int(dk_df_stage_index(&df, "99999999999999999999999"), -2,
           "dockerfile: stage_index of a huge number");
    is_int(dk_df_stage_index(&df, "alpine:3.19"), -1, "dockerfile: stage_index of an image");
    is_int(dk_df_stage_index(&df, "3x"), -1, "dockerfile: stage_index of a digit-led image");
    is_int(dk_df_stage_index(&df, ""), -1, "dockerfile: stage_index of nothing");
    dk_dockerfile_release(&df);
    dk_dockerfile_release(&df);
    ok(df.nstages == 0 && !df.path, "dockerfile: release twice is harmless");
}

static void test_onbuild(void)
{
    struct dk_dockerfile df;
    struct dk_err err = DK_ERR_INIT;
    const struct dk_df_instr *in;

    ok(parse(&df,
             "FROM a\nONBUILD RUN --mount=type=cache,target=/c make all\nonbuild COPY . /app\n",
             &err) == 0,
       "dockerfile: ONBUILD parses");
    in = instr(&df, 0, 0);
    ok(in && !strcmp(in->cmd, "ONBUILD") && in->nargs == 1 &&
           !strcmp(arg(in, 0), "RUN --mount=type=cache,target=/c make all") && in->onbuild &&
           !strcmp(in->onbuild->cmd, "RUN") && in->onbuild->nflags == 1 &&
           !strcmp(arg(in->onbuild, 0), "make all"),
       "dockerfile: ONBUILD holds the parsed instruction with its flags");
    in = instr(&df, 0, 1);
    ok(in && in->onbuild && !strcmp(in->onbuild->cmd, "COPY") && in->onbuild->nargs == 2,
       "dockerfile: onbuild is case-insensitive");
    dk_dockerfile_release(&df);
}

static const struct {
    const char *text;
    const char *msg;
} errors[] = {
    {"FROM alpine\nFORM x\n", "Dockerfile:2: unknown instruction 'FORM'"},
    {"FROM a\nRUN a \\\n b\nFORM", "Dockerfile:4: unknown instruction 'FORM'"},
    {"RUN x\nFROM a\n", "Dockerfile:1: RUN comes before the first FROM (only ARG may)"},
    {"ARG A\nENV B=1\nFROM a\n", "Dockerfile:2: ENV comes before the first FROM"},
    {"", "Dockerfile: no FROM instruction"},
    {"# only a comment\n\n   \n", "Dockerfile: no FROM instruction"},
    {"ARG A=1\n", "Dockerfile: no FROM instruction"},
    {"FROM a\nRUN <<EOF\nhello\n", "Dockerfile:2: unterminated heredoc 'EOF'"},
    {"FROM a\nRUN <<A <<B\na\nA\nb\n", "Dockerfile:2: unterminated heredoc 'B'"},
    {"# escape=x\nFROM a\n", "Dockerfile:1: invalid escape directive 'x': use \\ or `"},
    {"# escape=`\n# escape=\\\nFROM a\n", "Dockerfile:2: only one 'escape' parser directive"},
    {"FROM\n", "Dockerfile:1: FROM requires either one or three arguments"},
    {"FROM a b\n", "Dockerfile:1: FROM requires either one or three arguments"},
    {"FROM a AS\n", "FROM requires either one or three arguments"},
    {"FROM a AS 1x\n", "Dockerfile:1: invalid stage name '1x'"},
    {"FROM a AS b$c\n", "invalid stage name 'b$c'"},
    {"FROM a AS b\nFROM c AS B\n", "Dockerfile:2: duplicate stage name 'b'"},
    {"FROM a\nCOPY x\n", "Dockerfile:2: COPY requires at least two arguments"},
    {"FROM a\nADD\n", "Dockerfile:2: ADD requires at least two arguments"},
    {"FROM a\nCOPY x <<EOF\nhi\nEOF\n", "Dockerfile:2: COPY cannot take a heredoc as its"},
    {"FROM a\nCMD [\"a\", 1]\n", "Dockerfile:2: CMD: a JSON array (exec form) must hold strings"},
    {"FROM a\nCOPY [\"a\", null]\n", "COPY: a JSON array (exec form) must hold strings"},
    {"FROM a\nWORKDIR\n", "Dockerfile:2: WORKDIR requires an argument"},
    {"FROM a\nEXPOSE\n", "Dockerfile:2: EXPOSE requires an argument"},
    {"FROM a\nARG\n", "Dockerfile:2: ARG requires an argument"},
    {"FROM a\nSHELL sh -c\n", "Dockerfile:2: SHELL requires the exec form"},
    {"FROM a\nHEALTHCHECK BOGUS x\n", "Dockerfile:2: unknown HEALTHCHECK type 'BOGUS'"},
    {"FROM a\nHEALTHCHECK NONE x\n", "HEALTHCHECK NONE takes no arguments"},
    {"FROM a\nHEALTHCHECK CMD\n", "HEALTHCHECK CMD requires a command"},
    {"FROM a\nENV\n", "Dockerfile:2: ENV requires at least one argument"},
    {"FROM a\nENV A\n", "Dockerfile:2: ENV 'A' has no value"},
    {"FROM a\nLABEL a=1 b\n", "Dockerfile:2: LABEL: no '=' in 'b'"},
    {"FROM a\nENV =x\n", "Dockerfile:2: ENV: blank name in '=x'"},
    {"FROM a\nONBUILD ONBUILD RUN x\n", "Dockerfile:2: chaining ONBUILD via ONBUILD ONBUILD"},
    {"FROM a\nONBUILD from b\n", "Dockerfile:2: FROM is not allowed as an ONBUILD trigger"},
    {"FROM a\nONBUILD MAINTAINER me\n", "MAINTAINER is not allowed as an ONBUILD trigger"},
    {"FROM a\nONBUILD\n", "Dockerfile:2: ONBUILD requires an instruction"},
    {"FROM a\nONBUILD FORM x\n", "Dockerfile:2: unknown instruction 'FORM'"},
};

static void test_errors(void)
{
    struct dk_dockerfile df;
    size_t i;

    for (i = 0; i < sizeof(errors) / sizeof(*errors); i++) {
        struct dk_err err = DK_ERR_INIT;
        int rc = parse(&df, errors[i].text, &err);

        if (!ok(rc < 0 && err.code == DK_E_INPUT && strstr(err.msg, errors[i].msg) && !df.nstages &&
                    !df.nmeta && !df.path,
                "dockerfile: error '%s'", errors[i].msg))
            printf("#   got: rc=%d code=%d '%s'\n", rc, (int)err.code, err.msg);
        dk_dockerfile_release(&df);
    }
}

static void test_error_details(void)
{
    static const char nul[] = "FROM a\nRUN a\0b\n";
    struct dk_dockerfile df;
    struct dk_err err = DK_ERR_INIT;

    ok(dk_dockerfile_parse(&df, "Dockerfile", nul, sizeof(nul) - 1, &err) < 0 &&
           strstr(err.msg, "Dockerfile:2: contains a NUL byte"),
       "dockerfile: a NUL byte is refused with its line");
    ok(dk_dockerfile_parse(&df, "build/Dockerfile.prod", "FROM a\nFORM x\n", 14, &err) < 0 &&
           !strcmp(err.msg, "build/Dockerfile.prod:2: unknown instruction 'FORM'"),
       "dockerfile: messages name the file given");
    ok(dk_dockerfile_parse(&df, "Dockerfile", "FROM a\nRUN xyz", 12, &err) == 0 &&
           df.stages[0].n == 1 && !strcmp(arg(instr(&df, 0, 0), 0), "x"),
       "dockerfile: the length bounds the text");
    dk_dockerfile_release(&df);
}

/* ---- expansion ---- */

static const struct {
    const char *in, *want; /* want NULL: an error whose message holds err */
    const char *err;
} expansions[] = {
    {"$A", "apple", NULL},
    {"${A}", "apple", NULL},
    {"x${A}y", "xappley", NULL},
    {"$A/x", "apple/x", NULL},
    {"$A$A", "appleapple", NULL},
    {"$UNSET", "", NULL},
    {"a$", "a$", NULL},
    {"$/x", "$/x", NULL},
    {"${UNSET:-def}", "def", NULL},
    {"${E:-def}", "def", NULL},
    {"${E-def}", "", NULL},
    {"${UNSET-def}", "def", NULL},
    {"${A:-def}", "apple", NULL},
    {"${A:+alt}", "alt", NULL},
    {"${E:+alt}", "", NULL},
    {"${E+alt}", "alt", NULL},
    {"${UNSET+alt}", "", NULL},
    {"${UNSET:-${A}-x}", "apple-x", NULL},
    {"${UNSET:-'q r'}", "q r", NULL},
    {"${A:?}", "apple", NULL},
    {"\\$A", "$A", NULL},
    {"\\${A}", "${A}", NULL},
    {"'$A'", "$A", NULL},
    {"\"$A\"", "apple", NULL},
    {"\"'$A'\"", "'apple'", NULL},
    {"'\"$A\"'", "\"$A\"", NULL},
    {"\"a\\\"b\\$c\\\\d\\ne\"", "a\"b$c\\d\\ne", NULL},
    {"a\\ b", "a b", NULL},
    {"a\\", "a", NULL},
    {"${SP}", "a b", NULL},
    {"${F#*/}", "a/b/c.tar.gz", NULL},
    {"${F##*/}", "c.tar.gz", NULL},
    {"${F%.*}", "/a/b/c.tar", NULL},
    {"${F%%.*}", "/a/b/c", NULL},
    {"${A#x}", "apple", NULL},
    {"${A/p/P}", "aPple", NULL},
    {"${A//p/P}", "aPPle", NULL},
    {"${A/p*/}", "a", NULL},
    {"${UNSET/a/b}", "", NULL},
    {"$1$$", "", NULL},
    {"${A", NULL, "cannot expand '${A': missing '}'"},
    {"${A:-x", NULL, "missing '}'"},
    {"${}", NULL, "bad substitution"},
    {"${:-x}", NULL, "bad substitution"},
    {"'abc", NULL, "unterminated single quote"},
    {"\"abc", NULL, "unterminated double quote"},
    {"${A:x}", NULL, "unsupported modifier ':x'"},
    {"${A.b}", NULL, "unsupported modifier '.'"},
    {"${UNSET?must be set}", NULL, "UNSET: must be set"},
    {"${UNSET:?}", NULL, "UNSET: is not allowed to be unset"},
    {"${E:?}", NULL, "E: is not allowed to be empty"},
    {"${A#\\x}", NULL, "invalid escape in pattern"},
};

static void test_expand(void)
{
    struct dk_df_vars vars = DK_DF_VARS_INIT;
    struct dk_buf out = DK_BUF_INIT;
    size_t i;

    dk_df_vars_set(&vars, "A", "apple");
    dk_df_vars_set(&vars, "E", "");
    dk_df_vars_set(&vars, "SP", "a b");
    dk_df_vars_set(&vars, "F", "/a/b/c.tar.gz");
    for (i = 0; i < sizeof(expansions) / sizeof(*expansions); i++) {
        struct dk_err err = DK_ERR_INIT;
        int rc;

        dk_buf_reset(&out);
        dk_buf_add(&out, "<");
        rc = dk_df_expand(expansions[i].in, &vars, '\\', &out, &err);
        if (expansions[i].want) {
            if (!ok(rc == 0 && !strcmp(out.buf + 1, expansions[i].want) && out.buf[0] == '<',
                    "dockerfile: expand '%s' is '%s'", expansions[i].in, expansions[i].want))
                printf("#   got: rc=%d '%s' %s\n", rc, out.buf, err.msg);
        } else {
            if (!ok(rc < 0 && err.code == DK_E_INPUT && strstr(err.msg, expansions[i].err) &&
                        !strcmp(out.buf, "<"),
                    "dockerfile: expand '%s' fails: %s", expansions[i].in, expansions[i].err))
                printf("#   got: rc=%d '%s' '%s'\n", rc, out.buf, err.msg);
        }
    }

    dk_buf_reset(&out);
    ok(dk_df_expand("`$A `` \\$A", &vars, '`', &out, NULL) == 0 && !strcmp(out.buf, "$A ` \\apple"),
       "dockerfile: expand with escape=` uses the backtick");
    dk_buf_reset(&out);
    ok(dk_df_expand("$A ${UNSET:-x}", NULL, 0, &out, NULL) == 0 && !strcmp(out.buf, " x"),
       "dockerfile: expand with no variables");
    dk_buf_release(&out);
    dk_df_vars_release(&vars);
}

static void test_vars(void)
{
    struct dk_df_vars vars;

    dk_df_vars_init(&vars);
    dk_df_vars_set(&vars, "A", "1");
    dk_df_vars_set(&vars, "B", "2");
    dk_df_vars_set(&vars, "A", "3");
    ok(vars.n == 2 && !strcmp(vars.v[0].name, "A") && !strcmp(vars.v[0].value, "3") &&
           !strcmp(vars.v[1].name, "B"),
       "dockerfile: vars_set replaces in place and appends new names");
    dk_df_vars_set(&vars, "A", dk_df_vars_get(&vars, "A"));
    is_str(dk_df_vars_get(&vars, "A"), "3", "dockerfile: vars_set with its own value");
    ok(!dk_df_vars_get(&vars, "a") && !dk_df_vars_get(&vars, "C") && !dk_df_vars_get(NULL, "A"),
       "dockerfile: vars_get is case-sensitive and NULL when unset");
    dk_df_vars_release(&vars);
    dk_df_vars_release(&vars);
    ok(vars.n == 0 && !vars.v, "dockerfile: vars_release empties and may repeat");
}

static void test_split_words(void)
{
    struct dk_strvec w = DK_STRVEC_INIT;

    dk_df_split_words("  a \"b c\" d\\ e 'f \\ g' \"\"  ", '\\', &w);
    ok(w.n == 5 && !strcmp(w.v[0], "a") && !strcmp(w.v[1], "\"b c\"") && !strcmp(w.v[2], "d\\ e") &&
           !strcmp(w.v[3], "'f \\ g'") && !strcmp(w.v[4], "\"\""),
       "dockerfile: split_words honours quotes and escapes and keeps them");
    dk_strvec_release(&w);
    dk_df_split_words("'a \\' b'", '\\', &w);
    ok(w.n == 2 && !strcmp(w.v[0], "'a \\'") && !strcmp(w.v[1], "b'"),
       "dockerfile: split_words: the escape is not special inside single quotes");
    dk_strvec_release(&w);
    dk_df_split_words("a` b c\\ d", '`', &w);
    ok(w.n == 3 && !strcmp(w.v[0], "a` b") && !strcmp(w.v[2], "d"),
       "dockerfile: split_words with the backtick escape");
    dk_strvec_release(&w);
    dk_df_split_words("   ", '\\', &w);
    ok(w.n == 0, "dockerfile: split_words of blanks is nothing");
    dk_strvec_release(&w);
}

/* ---- fixtures ---- */

static int parse_fixture(struct dk_dockerfile *df, const char *name, struct dk_err *err)
{
    const char *top = getenv("DK_TOP");
    struct dk_buf path = DK_BUF_INIT, text = DK_BUF_INIT;
    int rc = -1;

    dk_buf_addf(&path, "%s/tests/fixtures/dockerfile/%s", top ? top : ".", name);
    if (dk_buf_read_file(&text, path.buf) == 0)
        rc = dk_dockerfile_parse(df, name, text.buf, text.len, err);
    else
        dk_dockerfile_init(df);
    dk_buf_release(&path);
    dk_buf_release(&text);
    return rc;
}

static void test_fixtures(void)
{
    struct dk_dockerfile df;
    struct dk_err err = DK_ERR_INIT;
    const struct dk_df_instr *in;
    size_t idx;

    ok(parse_fixture(&df, "multistage.Dockerfile", &err) == 0,
       "dockerfile: fixture multistage.Dockerfile parses");
    ok(df.nstages == 2 && df.nmeta == 2 && df.syntax &&
           !strcmp(df.syntax, "docker/dockerfile:1.7") && df.stages[0].n == 5 &&
           df.stages[1].n == 5,
       "dockerfile: multistage fixture has 2 meta args and two stages of 5");
    in = instr(&df, 0, 2);
    ok(in &&
           !strcmp(in->original, "RUN --mount=type=cache,target=/root/.cache/go-build     go "
                                 "mod download") &&
           in->line == 11 && in->end_line == 13,
       "dockerfile: multistage RUN with a comment inside its continuation");
    in = instr(&df, 1, 0);
    ok(in && dk_df_instr_flag(in, "from") &&
           dk_df_stage_index(&df, dk_df_instr_flag(in, "from")) == 0,
       "dockerfile: COPY --from=build refers to stage 0");
    ok(dk_dockerfile_target(&df, "Build", &idx, &err) == 0 && idx == 0,
       "dockerfile: fixture target 'Build'");
    dk_dockerfile_release(&df);

    ok(parse_fixture(&df, "escape.Dockerfile", &err) == 0 && df.escape == '`' && df.nstages == 1 &&
           df.stages[0].n == 2 && !strcmp(arg(instr(&df, 0, 0), 1), "c:\\") &&
           !strcmp(arg(instr(&df, 0, 1), 0), "dir c:\\     && echo done"),
       "dockerfile: fixture escape.Dockerfile (Windows paths, backtick continuation)");
    dk_dockerfile_release(&df);

    ok(parse_fixture(&df, "heredoc.Dockerfile", &err) == 0 && df.nstages == 1 &&
           df.stages[0].n == 4,
       "dockerfile: fixture heredoc.Dockerfile parses");
    in = instr(&df, 0, 1);
    ok(in && !strcmp(in->heredoc_body, "echo tabbed\necho twice\n") && !in->heredocs[0].expand,
       "dockerfile: heredoc fixture <<-\"SCRIPT\"");
    in = instr(&df, 0, 2);
    ok(in && in->nheredocs == 2 && in->line == 10 && in->end_line == 14,
       "dockerfile: heredoc fixture COPY with two bodies");
    in = instr(&df, 0, 3);
    ok(in && in->json && in->line == 15, "dockerfile: heredoc fixture CMD after the bodies");
    dk_dockerfile_release(&df);
}

int main(void)
{
    test_continuations();
    test_directives();
    test_heredocs();
    test_forms();
    test_flags();
    test_words();
    test_stages();
    test_onbuild();
    test_errors();
    test_error_details();
    test_expand();
    test_vars();
    test_split_words();
    test_fixtures();
    return tap_done();
}
