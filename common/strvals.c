#include "dk/strvals.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "dk/buf.h"

/*
 * The parser follows the shape of Helm's pkg/strvals/parser.go (and literal_parser.go), so
 * that its quirks come out the same: an error that wraps io.EOF ends the parse successfully,
 * a value is set before its error is returned, Go's type-assertion panics become
 * "unable to parse key: interface conversion: ..." messages.
 */

#define MAX_INDEX             65536
#define MAX_NESTED_NAME_LEVEL 30
#define JSON_MAX_DEPTH        10000 /* Go's encoding/json nesting limit */
#define END                   (-1L)

enum st {
    ST_OK,
    ST_EOF,     /* io.EOF, or an error wrapping it: ends the parse without error */
    ST_ERR,     /* an error; the message is in p->msg */
    ST_NOTLIST, /* valList: the value does not start with '{' */
};

struct parser {
    const unsigned char *s;
    size_t len, pos, last; /* last: size of the last rune read, for unread_rune() */
    enum dk_strvals_mode mode;
    struct dk_buf msg;
};

__attribute__((format(printf, 2, 3))) static enum st fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;

    dk_buf_reset(&p->msg);
    va_start(ap, fmt);
    dk_buf_vaddf(&p->msg, fmt, ap);
    va_end(ap);
    return ST_ERR;
}

/* Go's utf8.DecodeRune: the rune at s[0..n) and its size; invalid bytes are U+FFFD, size 1. */
static long decode_rune(const unsigned char *s, size_t n, size_t *size)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need, i;
    long r;

    *size = 1;
    if (c < 0x80)
        return c;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        r = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        r = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        r = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0xFFFD;
    }
    if (n < need + 1)
        return 0xFFFD;
    for (i = 1; i <= need; i++) {
        unsigned char b = s[i];

        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF))
            return 0xFFFD;
        r = r << 6 | (b & 0x3F);
    }
    *size = need + 1;
    return r;
}

static void put_rune(struct dk_buf *b, long r)
{
    char u[4];

    if (r < 0x80) {
        dk_buf_addch(b, (char)r);
    } else if (r < 0x800) {
        u[0] = (char)(0xC0 | r >> 6);
        u[1] = (char)(0x80 | (r & 0x3F));
        dk_buf_addn(b, u, 2);
    } else if (r < 0x10000) {
        u[0] = (char)(0xE0 | r >> 12);
        u[1] = (char)(0x80 | (r >> 6 & 0x3F));
        u[2] = (char)(0x80 | (r & 0x3F));
        dk_buf_addn(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | r >> 18);
        u[1] = (char)(0x80 | (r >> 12 & 0x3F));
        u[2] = (char)(0x80 | (r >> 6 & 0x3F));
        u[3] = (char)(0x80 | (r & 0x3F));
        dk_buf_addn(b, u, 4);
    }
}

static long read_rune(struct parser *p)
{
    long r;

    if (p->pos >= p->len) {
        p->last = 0;
        return END;
    }
    r = decode_rune(p->s + p->pos, p->len - p->pos, &p->last);
    p->pos += p->last;
    return r;
}

static void unread_rune(struct parser *p)
{
    p->pos -= p->last;
    p->last = 0;
}

/* Go's unicode.IsSpace. */
static int go_isspace(long r)
{
    return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0 || r == 0x1680 ||
           (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F ||
           r == 0x205F || r == 0x3000;
}

/* One rune as Go's strconv.Quote writes it inside quote q ('"' or '\''). */
static void quote_rune(struct dk_buf *b, long r, char q)
{
    static const char esc[] = "abtnvfr";

    if (r == q || r == '\\') {
        dk_buf_addch(b, '\\');
        dk_buf_addch(b, (char)r);
    } else if (r >= 0x20 && r < 0x7F) {
        dk_buf_addch(b, (char)r);
    } else if (r >= '\a' && r <= '\r') {
        dk_buf_addch(b, '\\');
        dk_buf_addch(b, esc[r - '\a']);
    } else if (r < 0x20 || r == 0x7F) {
        dk_buf_addf(b, "\\x%02x", (unsigned)r);
    } else if ((r >= 0x80 && r <= 0xA0) || r == 0xAD || r == 0x2028 || r == 0x2029 || r == 0xFEFF) {
        dk_buf_addf(b, "\\u%04lx", r);
    } else {
        put_rune(b, r);
    }
}

/* Go's %q of a string (strconv.Quote); s is UTF-8 (invalid bytes as \xNN). */
static void go_quote(struct dk_buf *b, const char *s, size_t n)
{
    size_t i = 0, size;

    dk_buf_addch(b, '"');
    while (i < n) {
        long r = decode_rune((const unsigned char *)s + i, n - i, &size);

        if (r == 0xFFFD && size == 1 && (unsigned char)s[i] >= 0x80)
            dk_buf_addf(b, "\\x%02x", (unsigned char)s[i]);
        else
            quote_rune(b, r, '"');
        i += size;
    }
    dk_buf_addch(b, '"');
}

/* Go's %q of a []rune: ['a' 'b']. */
static void go_quote_runes(struct dk_buf *b, const char *s, size_t n)
{
    size_t i = 0, size;

    dk_buf_addch(b, '[');
    while (i < n) {
        long r = decode_rune((const unsigned char *)s + i, n - i, &size);

        if (i)
            dk_buf_addch(b, ' ');
        dk_buf_addch(b, '\'');
        quote_rune(b, r, '\'');
        dk_buf_addch(b, '\'');
        i += size;
    }
    dk_buf_addch(b, ']');
}

/* "key %q has no value" and friends: before, the Go-quoted key, after. */
static enum st fail_q(struct parser *p, const char *before, const struct dk_buf *k,
                      const char *after)
{
    struct dk_buf q = DK_BUF_INIT;
    enum st st;

    go_quote(&q, k->buf, k->len);
    st = fail(p, "%s%s%s", before, q.buf, after);
    dk_buf_release(&q);
    return st;
}

/* Go's type name for an interface conversion panic. */
static const char *go_type(const struct dk_val *v)
{
    switch (v->kind) {
    case DK_VAL_NIL:
        return "nil";
    case DK_VAL_BOOL:
        return "bool";
    case DK_VAL_INT:
        return "int64";
    case DK_VAL_FLOAT:
        return "float64";
    case DK_VAL_STR:
        return "string";
    case DK_VAL_LIST:
        return "[]interface {}";
    case DK_VAL_MAP:
        return "map[string]interface {}";
    default:
        return dk_val_type_name(v);
    }
}

static enum st conv_panic(struct parser *p, const struct dk_val *v, const char *want)
{
    return fail(p, "unable to parse key: interface conversion: interface {} is %s, not %s",
                go_type(v), want);
}

/*
 * Go's runesUntil: reads runes into out up to one of the ASCII runes in stop (consumed, in
 * *last). A backslash takes the next rune literally unless in literal mode. ST_EOF at the end.
 */
static enum st runes_until(struct parser *p, const char *stop, struct dk_buf *out, long *last)
{
    long r;

    for (;;) {
        r = read_rune(p);
        if (r == END)
            return ST_EOF;
        if (r > 0 && r < 0x80 && strchr(stop, (int)r)) {
            *last = r;
            return ST_OK;
        }
        if (r == '\\' && p->mode != DK_STRVALS_LITERAL) {
            r = read_rune(p);
            if (r == END)
                return ST_EOF;
        }
        put_rune(out, r);
    }
}

/* set(): data[key] = v unless key is empty. Takes ownership of v. */
static void set(struct dk_val *data, const struct dk_buf *k, struct dk_val *v)
{
    if (k->len == 0) {
        dk_val_unref(v);
        return;
    }
    dk_val_map_set(data, k->buf, v);
}

/* setIndex(): list[index] = v, growing the list with nils. Takes ownership of v. */
static enum st set_index(struct parser *p, struct dk_val *list, int64_t index, struct dk_val *v)
{
    struct dk_val *old;

    if (index < 0) {
        dk_val_unref(v);
        return fail(p, "negative %lld index not allowed", (long long)index);
    }
    if (index > MAX_INDEX) {
        dk_val_unref(v);
        return fail(p, "index of %lld is greater than maximum supported index of %d",
                    (long long)index, MAX_INDEX);
    }
    while (list->u.list.n <= (size_t)index)
        dk_val_list_push(list, dk_val_nil());
    old = list->u.list.v[index];
    list->u.list.v[index] = v;
    dk_val_unref(old);
    return ST_OK;
}

/* strconv.Atoi / ParseInt(s, 10, 64): 0 ok, 1 invalid syntax, 2 out of range. */
static int parse_int(const char *s, size_t n, int64_t *out)
{
    const char *p = s, *e = s + n;
    uint64_t u = 0, cutoff = UINT64_MAX / 10 + 1, lim;
    int neg = 0;

    if (p < e && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    if (p == e)
        return 1;
    for (; p < e; p++) {
        uint64_t d;

        if (*p < '0' || *p > '9')
            return 1;
        d = (uint64_t)(*p - '0');
        if (u >= cutoff || u * 10 + d < u * 10)
            return 2;
        u = u * 10 + d;
    }
    lim = (uint64_t)1 << 63;
    if ((!neg && u >= lim) || (neg && u > lim))
        return 2;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

/* keyIndex(): the index up to ']'. "error parsing index: ..." is added by the caller. */
static enum st key_index(struct parser *p, int64_t *i)
{
    struct dk_buf v = DK_BUF_INIT, q = DK_BUF_INIT;
    long last;
    enum st st = runes_until(p, "]", &v, &last);
    int rc;

    if (st == ST_OK && (rc = parse_int(v.buf, v.len, i)) != 0) {
        go_quote(&q, v.buf, v.len);
        st = fail(p, "error parsing index: strconv.Atoi: parsing %s: %s", q.buf,
                  rc == 1 ? "invalid syntax" : "value out of range");
    }
    dk_buf_release(&v);
    dk_buf_release(&q);
    return st; /* ST_EOF: "error parsing index: EOF" still wraps io.EOF */
}

static int ascii_equal_fold(const char *a, size_t n, const char *b)
{
    size_t i;

    if (n != strlen(b))
        return 0;
    for (i = 0; i < n; i++) {
        char c = a[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != b[i])
            return 0;
    }
    return 1;
}

/* typedVal() of --set. */
static struct dk_val *typed_val(const struct dk_buf *v)
{
    int64_t i;

    if (ascii_equal_fold(v->buf, v->len, "true"))
        return dk_val_bool(1);
    if (ascii_equal_fold(v->buf, v->len, "false"))
        return dk_val_bool(0);
    if (ascii_equal_fold(v->buf, v->len, "null"))
        return dk_val_nil();
    if (v->len == 1 && v->buf[0] == '0')
        return dk_val_int(0);
    if (v->len && v->buf[0] != '0' && parse_int(v->buf, v->len, &i) == 0)
        return dk_val_int(i);
    return dk_val_strn(v->buf, v->len);
}

/* Go's os.PathError text: "OP PATH: reason" with the errno text in Go's lower case. */
static enum st path_error(struct parser *p, const char *op, const char *path, int e)
{
    char reason[256];

    snprintf(reason, sizeof reason, "%s", strerror(e));
    if (reason[0] >= 'A' && reason[0] <= 'Z' && !(reason[1] >= 'A' && reason[1] <= 'Z'))
        reason[0] = (char)(reason[0] - 'A' + 'a');
    return fail(p, "%s %s: %s", op, path, reason);
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * The part of Go's url.Parse that Helm's readFile can trip on, and its scheme: 0 with the
 * lower-cased scheme in scheme (empty for none), or ST_ERR with url.Parse's message.
 */
static enum st url_scheme(struct parser *p, const char *path, char *scheme, size_t size)
{
    struct dk_buf q = DK_BUF_INIT;
    const char *s;
    size_t i;
    enum st st = ST_OK;

    scheme[0] = '\0';
    go_quote(&q, path, strlen(path));
    for (s = path; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F) {
            st = fail(p, "parse %s: net/url: invalid control character in URL", q.buf);
            goto out;
        }
    for (i = 0; path[i]; i++) {
        char c = path[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0)
                break;
            continue;
        }
        if (c == ':') {
            if (i == 0) {
                st = fail(p, "parse %s: missing protocol scheme", q.buf);
                goto out;
            }
            if (i < size) {
                size_t j;

                for (j = 0; j < i; j++)
                    scheme[j] =
                        (char)(path[j] >= 'A' && path[j] <= 'Z' ? path[j] - 'A' + 'a' : path[j]);
                scheme[i] = '\0';
            }
        }
        break;
    }
    for (s = path; *s; s++) {
        if (*s == '?') { /* the query is not unescaped by url.Parse */
            while (s[1] && s[1] != '#')
                s++;
            continue;
        }
        if (*s == '%' && !(is_hex(s[1]) && is_hex(s[2]))) {
            struct dk_buf e = DK_BUF_INIT;

            go_quote(&e, s, strnlen(s, 3));
            st = fail(p, "parse %s: invalid URL escape %s", q.buf, e.buf);
            dk_buf_release(&e);
            goto out;
        }
    }
out:
    dk_buf_release(&q);
    return st;
}

/* Helm's readFile() for --set-file: "-" is standard input; remote URLs are refused. */
static enum st read_file(struct parser *p, const struct dk_buf *path, struct dk_val **out)
{
    struct dk_buf data = DK_BUF_INIT;
    const char *s = path->buf, *e = path->buf + path->len;
    char scheme[16];
    enum st st;
    int fd;

    while (s < e && (unsigned char)*s < 0x80 && go_isspace(*s))
        s++;
    while (e > s && (unsigned char)e[-1] < 0x80 && go_isspace(e[-1]))
        e--;
    if (e - s == 1 && *s == '-') {
        if (dk_buf_read_fd(&data, 0) < 0) {
            st = path_error(p, "read", "/dev/stdin", errno);
            goto out;
        }
    } else {
        if ((st = url_scheme(p, path->buf, scheme, sizeof scheme)) != ST_OK)
            goto out;
        if (!strcmp(scheme, "http") || !strcmp(scheme, "https") || !strcmp(scheme, "oci")) {
            st = fail(p, "cannot read '%s': remote files are not supported", path->buf);
            goto out;
        }
        if ((fd = open(path->buf, O_RDONLY | O_CLOEXEC)) < 0) {
            st = path_error(p, "open", path->buf, errno);
            goto out;
        }
        if (dk_buf_read_fd(&data, fd) < 0) {
            int err = errno;

            close(fd);
            st = path_error(p, "read", path->buf, err);
            goto out;
        }
        close(fd);
    }
    {
        size_t n;
        char *b = dk_buf_detach(&data, &n);

        *out = dk_val_str_owned(b, n);
    }
    return ST_OK;
out:
    dk_buf_release(&data);
    return st;
}

/* The parser's reader: the value of the runes in v. */
static enum st reader(struct parser *p, const struct dk_buf *v, struct dk_val **out)
{
    *out = NULL;
    switch (p->mode) {
    case DK_STRVALS_SET:
        *out = typed_val(v);
        return ST_OK;
    case DK_STRVALS_FILE:
        return read_file(p, v, out);
    default:
        *out = dk_val_strn(v->buf, v->len);
        return ST_OK;
    }
}

/* ---- JSON values (--set-json) ---- */

static int json_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The end of the one JSON value at s[*i..n) as Go's json.Decoder reads it: a number, or a
 * literal, ends at the first byte that cannot continue it. 0, or -1 when invalid.
 */
static int json_scan(const unsigned char *s, size_t n, size_t *i, int depth)
{
    size_t k;

    while (*i < n && json_ws(s[*i]))
        (*i)++;
    if (*i >= n || depth > JSON_MAX_DEPTH)
        return -1;
    switch (s[*i]) {
    case '{':
    case '[': {
        unsigned char close = s[*i] == '{' ? '}' : ']';
        int first = 1;

        (*i)++;
        for (;;) {
            while (*i < n && json_ws(s[*i]))
                (*i)++;
            if (*i >= n)
                return -1;
            if (s[*i] == close && first) {
                (*i)++;
                return 0;
            }
            if (close == '}') {
                while (*i < n && json_ws(s[*i]))
                    (*i)++;
                if (*i >= n || s[*i] != '"' || json_scan(s, n, i, depth + 1) < 0)
                    return -1;
                while (*i < n && json_ws(s[*i]))
                    (*i)++;
                if (*i >= n || s[*i] != ':')
                    return -1;
                (*i)++;
            }
            if (json_scan(s, n, i, depth + 1) < 0)
                return -1;
            while (*i < n && json_ws(s[*i]))
                (*i)++;
            if (*i >= n)
                return -1;
            if (s[*i] == close) {
                (*i)++;
                return 0;
            }
            if (s[*i] != ',')
                return -1;
            (*i)++;
            first = 0;
        }
    }
    case '"':
        for ((*i)++; *i < n; (*i)++) {
            if (s[*i] == '"') {
                (*i)++;
                return 0;
            }
            if (s[*i] < 0x20)
                return -1;
            if (s[*i] == '\\') {
                (*i)++;
                if (*i >= n)
                    return -1;
                if (s[*i] == 'u') {
                    for (k = 1; k <= 4; k++)
                        if (*i + k >= n || !is_hex((char)s[*i + k]))
                            return -1;
                    *i += 4;
                } else if (!strchr("\"\\/bfnrt", s[*i]) || !s[*i]) {
                    return -1;
                }
            }
        }
        return -1;
    case 't':
    case 'f':
    case 'n': {
        const char *lit = s[*i] == 't' ? "true" : s[*i] == 'f' ? "false" : "null";

        for (k = 0; lit[k]; k++, (*i)++)
            if (*i >= n || s[*i] != (unsigned char)lit[k])
                return -1;
        return 0;
    }
    default:
        if (s[*i] == '-')
            (*i)++;
        if (*i >= n || s[*i] < '0' || s[*i] > '9')
            return -1;
        if (s[*i] == '0')
            (*i)++;
        else
            while (*i < n && s[*i] >= '0' && s[*i] <= '9')
                (*i)++;
        if (*i < n && s[*i] == '.') {
            (*i)++;
            if (*i >= n || s[*i] < '0' || s[*i] > '9')
                return -1;
            while (*i < n && s[*i] >= '0' && s[*i] <= '9')
                (*i)++;
        }
        if (*i < n && (s[*i] == 'e' || s[*i] == 'E')) {
            (*i)++;
            if (*i < n && (s[*i] == '+' || s[*i] == '-'))
                (*i)++;
            if (*i >= n || s[*i] < '0' || s[*i] > '9')
                return -1;
            while (*i < n && s[*i] >= '0' && s[*i] <= '9')
                (*i)++;
        }
        return 0;
    }
}

static int json_finite(const cJSON *j)
{
    const cJSON *c;

    if (cJSON_IsNumber(j))
        return isfinite(j->valuedouble);
    cJSON_ArrayForEach(c, j) if (!json_finite(c)) return 0;
    return 1;
}

/* Decodes the JSON value at s[0..n) (its end in *end) into *out. 0, or -1 when invalid. */
static int json_decode(const unsigned char *s, size_t n, size_t *end, struct dk_val **out)
{
    cJSON *j;

    *end = 0;
    if (json_scan(s, n, end, 0) < 0)
        return -1;
    if (!(j = cJSON_ParseWithLength((const char *)s, *end)))
        return -1;
    if (!json_finite(j)) {
        cJSON_Delete(j);
        return -1;
    }
    *out = dk_val_from_json(j);
    cJSON_Delete(j);
    return 0;
}

/* emptyVal(): skips white space up to ',' or the end (1: empty value) or anything else (0). */
static int empty_val(struct parser *p)
{
    long r;

    for (;;) {
        r = read_rune(p);
        if (r == END || r == ',')
            return 1;
        if (!go_isspace(r)) {
            unread_rune(p);
            return 0;
        }
    }
}

/* The JSON value after '=' in --set-json: nil when empty. */
static enum st json_val(struct parser *p, struct dk_val **out)
{
    size_t end;

    *out = NULL;
    if (empty_val(p)) {
        *out = dk_val_nil();
        return ST_OK;
    }
    if (json_decode(p->s + p->pos, p->len - p->pos, &end, out) < 0)
        return fail(p, "invalid JSON value");
    p->pos += end;
    p->last = 0;
    empty_val(p); /* blanks and the comma after the value */
    return ST_OK;
}

/* ---- the parser ---- */

/* valList(): a {a,b} list literal; ST_NOTLIST when the value does not start with '{'. */
static enum st val_list(struct parser *p, struct dk_val **out)
{
    struct dk_buf rs = DK_BUF_INIT;
    struct dk_val *list, *v;
    long r, last;
    enum st st;

    *out = NULL;
    r = read_rune(p);
    if (r == END)
        return ST_EOF;
    if (r != '{') {
        unread_rune(p);
        return ST_NOTLIST;
    }
    list = dk_val_list();
    for (;;) {
        dk_buf_reset(&rs);
        if (runes_until(p, ",}", &rs, &last) != ST_OK) {
            st = fail(p, "list must terminate with '}'");
            break;
        }
        if (last == '}') {
            r = read_rune(p);
            if (r != END && r != ',')
                unread_rune(p);
        }
        if ((st = reader(p, &rs, &v)) != ST_OK)
            break;
        dk_val_list_push(list, v);
        if (last == '}') {
            *out = list;
            dk_buf_release(&rs);
            return ST_OK;
        }
    }
    dk_val_unref(list);
    dk_buf_release(&rs);
    return st;
}

/* val(): the runes up to ',' (consumed) or the end; literal mode takes all that is left. */
static void val(struct parser *p, struct dk_buf *out)
{
    long last;

    if (p->mode == DK_STRVALS_LITERAL) {
        long r;

        while ((r = read_rune(p)) != END)
            put_rune(out, r);
        return;
    }
    runes_until(p, ",", out, &last);
}

/*
 * The value after '=' as a new reference in *out (NULL on error): a JSON value, a {list},
 * "" at the end of the input, or the reader's value of the runes up to ','.
 */
static enum st value(struct parser *p, struct dk_val **out)
{
    struct dk_buf rs = DK_BUF_INIT;
    enum st st = ST_OK;

    *out = NULL;
    if (p->mode == DK_STRVALS_JSON)
        return json_val(p, out);
    if (p->mode != DK_STRVALS_LITERAL) {
        st = val_list(p, out);
        if (st == ST_OK || st == ST_ERR)
            return st;
        if (st == ST_EOF) {
            *out = dk_val_str("");
            return ST_EOF;
        }
    }
    val(p, &rs);
    if (p->mode == DK_STRVALS_LITERAL)
        *out = dk_val_strn(rs.buf, rs.len);
    else
        st = reader(p, &rs, out);
    dk_buf_release(&rs);
    return st;
}

static enum st key(struct parser *p, struct dk_val *data, int level);

/* listItem(): what follows a[i]: "=value", "[j]..." or ".key...", applied to list in place. */
static enum st list_item(struct parser *p, struct dk_val *list, int64_t i, int level)
{
    struct dk_buf k = DK_BUF_INIT;
    struct dk_val *v, *inner;
    int64_t next;
    long last;
    enum st st;

    if (i < 0)
        return fail(p, "negative %lld index not allowed", (long long)i);
    st = runes_until(p, "[.=", &k, &last);
    if (k.len > 0) {
        struct dk_buf q = DK_BUF_INIT;

        go_quote_runes(&q, k.buf, k.len);
        st = fail(p, "unexpected data at end of array index: %s", q.buf);
        dk_buf_release(&q);
        goto out;
    }
    if (st != ST_OK)
        goto out;
    switch (last) {
    case '=':
        st = value(p, &v);
        if (st == ST_EOF) /* "a[0]=" at the end: "" and no error */
            st = ST_OK;
        if (st == ST_OK)
            st = set_index(p, list, i, v);
        else
            dk_val_unref(v);
        break;
    case '[':
        if ((st = key_index(p, &next)) != ST_OK)
            break;
        inner = NULL;
        if (list->u.list.n > (size_t)i && list->u.list.v[i]->kind != DK_VAL_NIL) {
            inner = list->u.list.v[i];
            if (inner->kind != DK_VAL_LIST) {
                st = conv_panic(p, inner, "[]interface {}");
                break;
            }
            dk_val_ref(inner);
        }
        if (!inner)
            inner = dk_val_list();
        if ((st = list_item(p, inner, next, level)) != ST_OK) {
            dk_val_unref(inner);
            break;
        }
        st = set_index(p, list, i, inner);
        break;
    default: /* '.' */
        if (list->u.list.n > (size_t)i) {
            if (list->u.list.v[i]->kind != DK_VAL_MAP) {
                dk_val_unref(list->u.list.v[i]);
                list->u.list.v[i] = dk_val_map();
            }
            inner = dk_val_ref(list->u.list.v[i]);
        } else {
            inner = dk_val_map();
        }
        if ((st = key(p, inner, level)) != ST_OK) {
            dk_val_unref(inner);
            break;
        }
        st = set_index(p, list, i, inner);
        break;
    }
out:
    dk_buf_release(&k);
    return st;
}

/* key(): one "key=value", "key[i]..." or "key.rest" into the map data. */
static enum st key(struct parser *p, struct dk_val *data, int level)
{
    struct dk_buf k = DK_BUF_INIT;
    struct dk_val *v, *inner;
    int64_t i;
    long last;
    enum st st;

    st = runes_until(p, p->mode == DK_STRVALS_LITERAL ? "=[." : "=[,.", &k, &last);
    if (st != ST_OK) {
        st = k.len == 0 ? ST_EOF : fail_q(p, "key ", &k, " has no value");
        goto out;
    }
    switch (last) {
    case '[':
        if ((st = key_index(p, &i)) != ST_OK)
            goto out;
        v = dk_val_map_get(data, k.buf);
        if (v && v->kind != DK_VAL_LIST) {
            st = conv_panic(p, v, "[]interface {}");
            goto out;
        }
        v = v ? dk_val_ref(v) : dk_val_list();
        st = list_item(p, v, i, level);
        set(data, &k, v);
        break;
    case '=':
        st = value(p, &v);
        if (v)
            set(data, &k, v);
        break;
    case ',':
        set(data, &k, dk_val_str(""));
        st = fail_q(p, "key ", &k, " has no value (cannot end with ,)");
        break;
    default: /* '.' */
        if (++level > MAX_NESTED_NAME_LEVEL) {
            st = fail(p,
                      "value name nested level is greater than maximum supported nested "
                      "level of %d",
                      MAX_NESTED_NAME_LEVEL);
            break;
        }
        inner = dk_val_map_get(data, k.buf);
        if (inner && inner->kind != DK_VAL_MAP) {
            st = conv_panic(p, inner, "map[string]interface {}");
            break;
        }
        inner = inner ? dk_val_ref(inner) : dk_val_map();
        st = key(p, inner, level);
        if (st == ST_OK && inner->u.map.n == 0) {
            dk_val_unref(inner);
            st = fail_q(p, "key map ", &k, " has no value");
            break;
        }
        if (inner->u.map.n != 0)
            set(data, &k, inner);
        else
            dk_val_unref(inner);
        break;
    }
out:
    dk_buf_release(&k);
    return st;
}

/* Helm's MergeMaps, in place: maps merge key by key, anything else replaces. */
static void merge_maps(struct dk_val *dst, struct dk_val *src)
{
    size_t i;

    for (i = 0; i < src->u.map.n; i++) {
        struct dk_val *sv = src->u.map.v[i], *dv = dk_val_map_get(dst, src->u.map.k[i]);

        if (sv->kind == DK_VAL_MAP && dv && dv->kind == DK_VAL_MAP)
            merge_maps(dv, sv);
        else
            dk_val_map_set(dst, src->u.map.k[i], dk_val_ref(sv));
    }
}

/* --set-json with a JSON object: parsed whole and merged. */
static int json_object(struct dk_val *values, const char *expr, const char *trimmed, size_t n,
                       struct dk_err *err)
{
    struct dk_val *v = NULL;
    size_t end, i;

    if (json_decode((const unsigned char *)trimmed, n, &end, &v) < 0)
        return dk_err_set(err, DK_E_INPUT, "failed parsing --set-json data JSON: %s", expr);
    for (i = end; i < n; i++)
        if (!json_ws((unsigned char)trimmed[i])) {
            dk_val_unref(v);
            return dk_err_set(err, DK_E_INPUT, "failed parsing --set-json data JSON: %s", expr);
        }
    merge_maps(values, v);
    dk_val_unref(v);
    return 0;
}

int dk_strvals_parse(struct dk_val *values, const char *expr, enum dk_strvals_mode mode,
                     struct dk_err *err)
{
    static const char *const flags[] = {"--set", "--set-string", "--set-file", "--set-json",
                                        "--set-literal"};
    struct parser p = {0};
    enum st st;
    int rc = 0;

    if ((unsigned)mode > DK_STRVALS_LITERAL || !expr)
        return dk_err_set(err, DK_E_USAGE, "strvals: no expression or an unknown mode");
    if (!values || values->kind != DK_VAL_MAP)
        return dk_err_set(err, DK_E_INPUT, "values to merge %s data into are not a map",
                          flags[mode]);
    if (mode == DK_STRVALS_JSON) {
        const char *s = expr, *e = expr + strlen(expr);

        while (s < e && (*s == ' ' || (*s >= '\t' && *s <= '\r')))
            s++;
        while (e > s && (e[-1] == ' ' || (e[-1] >= '\t' && e[-1] <= '\r')))
            e--;
        if (s < e && *s == '{')
            return json_object(values, expr, s, (size_t)(e - s), err);
    }
    p.s = (const unsigned char *)expr;
    p.len = strlen(expr);
    p.mode = mode;
    dk_buf_init(&p.msg);
    for (;;) {
        st = key(&p, values, 0);
        if (st == ST_OK)
            continue;
        if (st == ST_EOF)
            break;
        if (mode == DK_STRVALS_JSON)
            rc = dk_err_set(err, DK_E_INPUT, "failed parsing --set-json data %s", expr);
        else
            rc = dk_err_set(err, DK_E_INPUT, "failed parsing %s data: %s", flags[mode], p.msg.buf);
        break;
    }
    dk_buf_release(&p.msg);
    return rc;
}
