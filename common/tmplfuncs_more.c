/* sprig's less used string, path, list, encoding and URL functions, and Helm's TOML ones. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk/base64.h"
#include "dk/fs.h"
#include "dk/json.h"
#include "dk/tmplfuncs.h"
#include "dk/yaml.h"

#include "tmplfuncs_int.h"

#define strval   dk_tmplfuncs_strval
#define buf_val  dk_tmplfuncs_buf_val
#define want_int dk_tmplfuncs_want_int
#define to_int64 dk_tmplfuncs_to_int64

FN(f_hello)
{
    ARITY();
    (void)args;
    (void)err;
    *out = dk_val_str("Hello!");
    return 0;
}

/* goutils.AbbreviateFull over bytes; -1 where goutils returns an error. */
static int abbreviate(const char *s, size_t len, int64_t off, int64_t w, struct dk_buf *b)
{
    if (len == 0)
        return 0;
    if (w < 4)
        return -1;
    if ((int64_t)len <= w)
        return dk_buf_addn(b, s, len);
    if (off > (int64_t)len)
        off = (int64_t)len;
    if ((int64_t)len - off < w - 3)
        off = (int64_t)len - (w - 3);
    if (off <= 4) {
        dk_buf_addn(b, s, (size_t)(w - 3));
        return dk_buf_add(b, "...");
    }
    if (w < 7)
        return -1;
    dk_buf_add(b, "...");
    if (off + w - 3 < (int64_t)len)
        return abbreviate(s + off, len - (size_t)off, 0, w - 3, b);
    return dk_buf_addn(b, s + len - (size_t)(w - 3), (size_t)(w - 3));
}

/* abbrev WIDTH S, abbrevboth LEFT RIGHT S */
FN(f_abbrev)
{
    struct dk_buf b = DK_BUF_INIT;
    int64_t left = 0, w;
    size_t si = n - 1;

    ARITY();
    if (want_int(args[0], n == 3 ? &left : &w, err) < 0 ||
        (n == 3 && want_int(args[1], &w, err) < 0))
        return -1;
    STRARGS(si);
    if (n == 2 ? w < 4 : (w < 4 || (left > 0 && w < 7))) {
        *out = dk_val_ref(args[si]);
        return 0;
    }
    if (abbreviate(S(si), L(si), left, w, &b) < 0)
        dk_buf_reset(&b);
    *out = buf_val(&b);
    return 0;
}

static int is_uspace(const unsigned char *p, size_t n, size_t *k)
{
    *k = 1;
    if (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r'))
        return 1;
    if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0)) {
        *k = 2;
        return 1;
    }
    if (n >= 3 && ((p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80) ||
                   (p[0] == 0xe2 && p[1] == 0x80 &&
                    (p[2] <= 0x8a || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf)) ||
                   (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f) ||
                   (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80))) {
        *k = 3;
        return 1;
    }
    return 0;
}

/* Bytes of the UTF-8 sequence at p (1 for a bad byte). */
static size_t rune_len(const unsigned char *p, size_t n)
{
    size_t k = p[0] < 0x80             ? 1
               : (p[0] & 0xe0) == 0xc0 ? 2
               : (p[0] & 0xf0) == 0xe0 ? 3
               : (p[0] & 0xf8) == 0xf0 ? 4
                                       : 1;
    size_t i;

    if (k > n)
        return 1;
    for (i = 1; i < k; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 1;
    return k;
}

/* initials S: the first letter of each space-separated word. */
FN(f_initials)
{
    struct dk_buf b = DK_BUF_INIT;
    const unsigned char *p;
    size_t i = 0, k;
    int word = 0;

    ARITY();
    STRARGS(0);
    p = (const unsigned char *)S(0);
    while (i < L(0)) {
        if (is_uspace(p + i, L(0) - i, &k)) {
            word = 0;
        } else {
            k = rune_len(p + i, L(0) - i);
            if (!word)
                dk_buf_addn(&b, p + i, k);
            word = 1;
        }
        i += k;
    }
    *out = buf_val(&b);
    return 0;
}

/* nospace S: every Unicode space removed. */
FN(f_nospace)
{
    struct dk_buf b = DK_BUF_INIT;
    const unsigned char *p;
    size_t i = 0, k;

    ARITY();
    STRARGS(0);
    p = (const unsigned char *)S(0);
    while (i < L(0)) {
        if (!is_uspace(p + i, L(0) - i, &k))
            dk_buf_addn(&b, p + i, k);
        i += k;
    }
    *out = buf_val(&b);
    return 0;
}

/* goutils.WrapCustom: breaks at the last space that keeps lines within width bytes. */
static void wrap_custom(const char *s, size_t len, int64_t w, const char *nl, size_t nll,
                        int long_words, struct dk_buf *b)
{
    size_t off = 0;

    if (len == 0)
        return;
    if (nll == 0)
        nl = "\n", nll = 1;
    if (w < 1)
        w = 1;
    while (len - off > (size_t)w) {
        size_t end = off + (size_t)w + 1, sp = (size_t)-1, i;

        if (s[off] == ' ') {
            off++;
            continue;
        }
        for (i = off; i < end && i < len; i++)
            if (s[i] == ' ')
                sp = i;
        if (sp != (size_t)-1) {
            dk_buf_addn(b, s + off, sp - off);
            dk_buf_addn(b, nl, nll);
            off = sp + 1;
        } else if (long_words) {
            dk_buf_addn(b, s + off, (size_t)w);
            dk_buf_addn(b, nl, nll);
            off += (size_t)w;
        } else {
            const char *q = memchr(s + off + w, ' ', len - off - (size_t)w);

            if (!q) {
                dk_buf_addn(b, s + off, len - off);
                off = len;
            } else {
                dk_buf_addn(b, s + off, (size_t)(q - s) - off);
                dk_buf_addn(b, nl, nll);
                off = (size_t)(q - s) + 1;
            }
        }
    }
    dk_buf_addn(b, s + off, len - off);
}

/* wrap WIDTH S, wrapWith WIDTH SEP S */
FN(f_wrap)
{
    struct dk_buf b = DK_BUF_INIT;
    int64_t w;

    ARITY();
    if (want_int(args[0], &w, err) < 0)
        return -1;
    if (n == 2) {
        STRARGS(1);
        wrap_custom(S(1), L(1), w, "", 0, 0, &b);
    } else {
        STRARGS(1, 2);
        wrap_custom(S(2), L(2), w, S(1), L(1), 1, &b);
    }
    *out = buf_val(&b);
    return 0;
}

/* plural ONE MANY COUNT */
FN(f_plural)
{
    int64_t k;

    ARITY();
    STRARGS(0, 1);
    if (want_int(args[2], &k, err) < 0)
        return -1;
    *out = dk_val_ref(args[k == 1 ? 0 : 1]);
    return 0;
}

/* adler32sum S: the checksum in decimal. */
FN(f_adler32sum)
{
    uint32_t a = 1, bb = 0;
    size_t i;
    char s[16];

    ARITY();
    STRARGS(0);
    for (i = 0; i < L(0); i++) {
        a = (a + (unsigned char)S(0)[i]) % 65521;
        bb = (bb + a) % 65521;
    }
    snprintf(s, sizeof(s), "%u", (unsigned)((bb << 16) | a));
    *out = dk_val_str(s);
    return 0;
}

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

FN(f_b32enc)
{
    struct dk_buf o = DK_BUF_INIT;
    const unsigned char *p;
    size_t i, k;

    ARITY();
    STRARGS(0);
    p = (const unsigned char *)S(0);
    for (i = 0; i < L(0); i += 5) {
        unsigned char q[5] = {0};
        size_t m = L(0) - i < 5 ? L(0) - i : 5, chars = (m * 8 + 4) / 5;
        char enc[8];

        memcpy(q, p + i, m);
        enc[0] = b32[q[0] >> 3];
        enc[1] = b32[((q[0] & 7) << 2) | (q[1] >> 6)];
        enc[2] = b32[(q[1] >> 1) & 31];
        enc[3] = b32[((q[1] & 1) << 4) | (q[2] >> 4)];
        enc[4] = b32[((q[2] & 15) << 1) | (q[3] >> 7)];
        enc[5] = b32[(q[3] >> 2) & 31];
        enc[6] = b32[((q[3] & 3) << 3) | (q[4] >> 5)];
        enc[7] = b32[q[4] & 31];
        for (k = chars; k < 8; k++)
            enc[k] = '=';
        dk_buf_addn(&o, enc, 8);
    }
    *out = buf_val(&o);
    return 0;
}

/* b32dec S: the decoded bytes, or Go's error text as the result (sprig returns it). */
FN(f_b32dec)
{
    struct dk_buf b = DK_BUF_INIT, in = DK_BUF_INIT;
    size_t i, k;
    char msg[64];

    ARITY();
    STRARGS(0);
    dk_buf_addn(&in, S(0), L(0));
    /* Go skips \r and \n */
    for (i = k = 0; i < in.len; i++)
        if (in.buf[i] != '\r' && in.buf[i] != '\n')
            in.buf[k++] = in.buf[i];
    in.len = k;
    if (in.len % 8 != 0) {
        snprintf(msg, sizeof(msg), "illegal base32 data at input byte %zu", in.len / 8 * 8);
        goto bad;
    }
    for (i = 0; i < in.len; i += 8) {
        unsigned v[8] = {0};
        size_t m = 8, j;

        for (j = 0; j < 8; j++) {
            const char *q = in.buf[i + j] ? strchr(b32, in.buf[i + j]) : NULL;

            if (in.buf[i + j] == '=' && i + 8 == in.len && j >= 2) {
                size_t t;

                for (t = j; t < 8; t++)
                    if (in.buf[i + t] != '=')
                        break;
                if (t != 8 || (j != 2 && j != 4 && j != 5 && j != 7)) {
                    snprintf(msg, sizeof(msg), "illegal base32 data at input byte %zu", i + j);
                    goto bad;
                }
                m = j;
                break;
            }
            if (!q) {
                snprintf(msg, sizeof(msg), "illegal base32 data at input byte %zu", i + j);
                goto bad;
            }
            v[j] = (unsigned)(q - b32);
        }
        {
            unsigned char o[5];
            size_t nb = m == 8 ? 5 : m == 7 ? 4 : m == 5 ? 3 : m == 4 ? 2 : 1;

            o[0] = (unsigned char)(v[0] << 3 | v[1] >> 2);
            o[1] = (unsigned char)(v[1] << 6 | v[2] << 1 | v[3] >> 4);
            o[2] = (unsigned char)(v[3] << 4 | v[4] >> 1);
            o[3] = (unsigned char)(v[4] << 7 | v[5] << 2 | v[6] >> 3);
            o[4] = (unsigned char)(v[6] << 5 | v[7]);
            dk_buf_addn(&b, o, nb);
        }
    }
    dk_buf_release(&in);
    *out = buf_val(&b);
    return 0;
bad:
    dk_buf_release(&in);
    dk_buf_release(&b);
    *out = dk_val_str(msg);
    return 0;
}

/* ---- paths (path and path/filepath are the same on Linux) ---- */

/* Go's path.Clean of s[0..len) into b. */
static void path_clean(const char *s, size_t len, struct dk_buf *b)
{
    char *c = dk_path_clean(s, len);

    dk_buf_reset(b);
    dk_buf_add(b, c);
    free(c);
}

/* dir, clean, ext, isAbs and their os* forms; c->ud's name picks the operation. */
FN(f_path)
{
    const char *name = ((const struct fdef *)c->ud)->name;
    struct dk_buf b = DK_BUF_INIT;
    size_t i;

    ARITY();
    STRARGS(0);
    if (!strncmp(name, "os", 2))
        name += 2;
    switch (tolower((unsigned char)name[0])) {
    case 'd': /* path.Dir: Clean of everything up to the last slash */
        i = L(0);
        while (i > 0 && S(0)[i - 1] != '/')
            i--;
        path_clean(S(0), i, &b);
        break;
    case 'c':
        path_clean(S(0), L(0), &b);
        break;
    case 'e':
        for (i = L(0); i > 0 && S(0)[i - 1] != '/'; i--)
            if (S(0)[i - 1] == '.') {
                dk_buf_addn(&b, S(0) + i - 1, L(0) - i + 1);
                break;
            }
        break;
    default:
        *out = dk_val_bool(L(0) > 0 && S(0)[0] == '/');
        return 0;
    }
    *out = buf_val(&b);
    return 0;
}

/* ---- lists and maps ---- */

/* pluck KEY MAP...: the KEY values of the maps that have it. */
FN(f_pluck)
{
    struct dk_val *l;
    size_t i;

    ARITY();
    STRARGS(0);
    l = dk_val_list();
    for (i = 1; i < n; i++) {
        struct dk_val *v;

        if (args[i]->kind != DK_VAL_MAP) {
            dk_val_unref(l);
            return dk_err_set(err, DK_E_FAIL,
                              "wrong type for value; expected map[string]interface {}; got %s",
                              dk_val_type_name(args[i]));
        }
        if ((v = dk_val_map_get(args[i], S(0))))
            dk_val_list_push(l, dk_val_ref(v));
    }
    *out = l;
    return 0;
}

/* chunk SIZE LIST: lists of SIZE elements (the last one shorter). */
FN(f_chunk)
{
    struct dk_val *l, *part = NULL;
    int64_t size;
    size_t i;

    ARITY();
    if (want_int(args[0], &size, err) < 0)
        return -1;
    if (args[1]->kind != DK_VAL_LIST)
        return dk_err_set(err, DK_E_FAIL, "Cannot chunk type %s",
                          args[1]->kind == DK_VAL_MAP ? "map" : dk_val_type_name(args[1]));
    if (size < 1)
        return dk_err_set(err, DK_E_FAIL, "runtime error: integer divide by zero");
    l = dk_val_list();
    for (i = 0; i < args[1]->u.list.n; i++) {
        if (i % (size_t)size == 0) {
            part = dk_val_list();
            dk_val_list_push(l, part);
        }
        dk_val_list_push(part, dk_val_ref(args[1]->u.list.v[i]));
    }
    *out = l;
    return 0;
}

/* slice LIST [START [END]]: sprig's slice, which replaces text/template's builtin. */
FN(f_slice)
{
    struct dk_val *l = args[0], *r;
    int64_t from = 0, to;
    size_t i;

    ARITY();
    if (l->kind != DK_VAL_LIST)
        return dk_err_set(err, DK_E_FAIL, "list should be type of slice or array but %s",
                          l->kind == DK_VAL_NIL   ? "invalid"
                          : l->kind == DK_VAL_MAP ? "map"
                          : l->kind == DK_VAL_PTR ? "ptr"
                                                  : dk_val_type_name(l));
    if (l->u.list.n == 0) {
        *out = dk_val_nil();
        return 0;
    }
    to = (int64_t)l->u.list.n;
    if (n > 1)
        from = to_int64(args[1]);
    if (n > 2)
        to = to_int64(args[2]);
    if (from < 0 || to < from || to > (int64_t)l->u.list.n)
        return dk_err_set(err, DK_E_FAIL, "reflect.Value.Slice: slice index out of bounds");
    r = dk_val_list();
    for (i = (size_t)from; i < (size_t)to; i++)
        dk_val_list_push(r, dk_val_ref(l->u.list.v[i]));
    *out = r;
    return 0;
}

/* ---- numbers, types, randomness ---- */

/* toDecimal V: V's %v form read as an octal number (0 when it is not one). */
FN(f_toDecimal)
{
    struct dk_buf b = DK_BUF_INIT;
    const char *p;
    int neg = 0;
    uint64_t r = 0;
    int ok = 1;

    ARITY();
    (void)err;
    strval(args[0], &b);
    p = b.buf ? b.buf : "";
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (!*p)
        ok = 0;
    for (; *p && ok; p++) {
        if (*p == '_' || *p < '0' || *p > '7' || r > (UINT64_MAX >> 3))
            ok = 0;
        else
            r = r * 8 + (uint64_t)(*p - '0');
    }
    if (ok && r > (uint64_t)INT64_MAX + (uint64_t)neg)
        ok = 0;
    dk_buf_release(&b);
    *out = dk_val_int(!ok ? 0 : neg ? (int64_t)(0 - r) : (int64_t)r);
    return 0;
}

/* typeIsLike TYPE V: V's type is TYPE or *TYPE. */
FN(f_typeIsLike)
{
    const char *t;

    ARITY();
    STRARGS(0);
    t = dk_val_type_name(args[1]);
    *out = dk_val_bool(!strcmp(t, S(0)) || (t[0] == '*' && !strcmp(t + 1, S(0))));
    return 0;
}

/* randInt MIN MAX: a random int in [MIN, MAX). */
FN(f_randInt)
{
    int64_t lo, hi;
    uint64_t span, r, lim;

    ARITY();
    if (want_int(args[0], &lo, err) < 0 || want_int(args[1], &hi, err) < 0)
        return -1;
    if (hi <= lo)
        return dk_err_set(err, DK_E_FAIL, "invalid argument to Intn");
    span = (uint64_t)hi - (uint64_t)lo;
    lim = UINT64_MAX - UINT64_MAX % span;
    do {
        if (dk_tmplfuncs_random((unsigned char *)&r, sizeof(r), err) < 0)
            return -1;
    } while (r >= lim);
    *out = dk_val_int((int64_t)((uint64_t)lo + r % span));
    return 0;
}

/* randBytes N: N random bytes, base64-encoded. */
FN(f_randBytes)
{
    unsigned char *p;
    int64_t k;
    char *s;

    ARITY();
    if (want_int(args[0], &k, err) < 0)
        return -1;
    if (k < 0 || k > (1 << 20))
        return dk_err_set(err, DK_E_FAIL, "randBytes: bad length %lld", (long long)k);
    p = dk_xmalloc((size_t)k + 1);
    if (dk_tmplfuncs_random(p, (size_t)k, err) < 0) {
        free(p);
        return -1;
    }
    s = dk_base64_encode(p, (size_t)k);
    free(p);
    *out = dk_val_str_owned(s, strlen(s));
    return 0;
}

/* shuffle S: the runes of S in random order. */
FN(f_shuffle)
{
    const unsigned char *p;
    size_t *st, nr = 0, i = 0, j;
    struct dk_buf b = DK_BUF_INIT;

    ARITY();
    STRARGS(0);
    p = (const unsigned char *)S(0);
    st = dk_xmalloc((L(0) + 1) * sizeof(*st));
    while (i < L(0)) {
        st[nr++] = i;
        i += rune_len(p + i, L(0) - i);
    }
    st[nr] = L(0);
    {
        size_t *ord = dk_xmalloc((nr + 1) * sizeof(*ord));

        for (i = 0; i < nr; i++)
            ord[i] = i;
        for (i = nr; i > 1; i--) {
            uint32_t r;
            size_t t;

            if (dk_tmplfuncs_random((unsigned char *)&r, sizeof(r), err) < 0) {
                free(ord);
                free(st);
                return -1;
            }
            j = r % i;
            t = ord[i - 1], ord[i - 1] = ord[j], ord[j] = t;
        }
        for (i = 0; i < nr; i++) {
            size_t a = st[ord[i]], z = a + rune_len(p + a, L(0) - a);

            dk_buf_addn(&b, p + a, z - a);
        }
        free(ord);
    }
    free(st);
    *out = buf_val(&b);
    return 0;
}

/* getHostByName NAME: Helm answers "" unless --enable-dns (which dk does not offer). */
FN(f_getHostByName)
{
    ARITY();
    STRARGS(0);
    *out = dk_val_str("");
    return 0;
}

/* mustFromJson S: any JSON value, failing on bad JSON. */
FN(f_mustFromJson)
{
    struct dk_err e = DK_ERR_INIT;
    cJSON *j = NULL;

    ARITY();
    STRARGS(0);
    if (dk_json_parse(S(0), L(0), NULL, &j, &e) < 0)
        return dk_err_set(err, DK_E_FAIL, "%s", e.msg);
    *out = dk_val_from_json(j);
    cJSON_Delete(j);
    return 0;
}

/* ---- URLs ---- */

static int unhex(int ch)
{
    return isdigit(ch) ? ch - '0' : isxdigit(ch) ? (tolower(ch) - 'a' + 10) : -1;
}

/* Go's url.PathUnescape; -1 on a bad escape. */
static int unescape(const char *s, size_t len, struct dk_buf *b)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '%') {
            int h, l;

            if (i + 2 >= len || (h = unhex((unsigned char)s[i + 1])) < 0 ||
                (l = unhex((unsigned char)s[i + 2])) < 0)
                return -1;
            dk_buf_addch(b, (char)(h * 16 + l));
            i += 2;
        } else {
            dk_buf_addch(b, s[i]);
        }
    }
    return 0;
}

static void set_part(struct dk_val *m, const char *k, const char *s, size_t len, int decode)
{
    struct dk_buf b = DK_BUF_INIT;

    if (decode && unescape(s, len, &b) == 0) {
        dk_val_map_set(m, k, buf_val(&b));
        return;
    }
    dk_buf_release(&b);
    dk_val_map_set(m, k, dk_val_strn(s, len));
}

/* urlParse S: the parts of url.Parse(S) as sprig's map. */
FN(f_urlParse)
{
    const char *s, *end, *p, *q;
    struct dk_val *m;
    size_t i;

    ARITY();
    STRARGS(0);
    s = S(0), end = s + L(0);
    m = dk_val_map();
    /* fragment */
    q = memchr(s, '#', L(0));
    set_part(m, "fragment", q ? q + 1 : "", q ? (size_t)(end - q - 1) : 0, 1);
    if (q)
        end = q;
    /* scheme */
    for (i = 0; s + i < end; i++) {
        char ch = s[i];

        if (isalpha((unsigned char)ch) ||
            (i > 0 && (isdigit((unsigned char)ch) || ch == '+' || ch == '-' || ch == '.')))
            continue;
        break;
    }
    p = s;
    if (i > 0 && s + i < end && s[i] == ':') {
        char *sch = dk_xstrndup(s, i);
        size_t k;

        for (k = 0; k < i; k++)
            sch[k] = (char)tolower((unsigned char)sch[k]);
        dk_val_map_set(m, "scheme", dk_val_str_owned(sch, i));
        p = s + i + 1;
    } else {
        dk_val_map_set(m, "scheme", dk_val_str(""));
    }
    /* query */
    q = memchr(p, '?', (size_t)(end - p));
    dk_val_map_set(m, "query", q ? dk_val_strn(q + 1, (size_t)(end - q - 1)) : dk_val_str(""));
    if (q)
        end = q;
    dk_val_map_set(m, "opaque", dk_val_str(""));
    dk_val_map_set(m, "host", dk_val_str(""));
    dk_val_map_set(m, "hostname", dk_val_str(""));
    dk_val_map_set(m, "userinfo", dk_val_str(""));
    if (p != s && p < end && *p != '/') {
        dk_val_map_set(m, "opaque", dk_val_strn(p, (size_t)(end - p)));
        dk_val_map_set(m, "path", dk_val_str(""));
        *out = m;
        return 0;
    }
    if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
        const char *a = p + 2, *ae = memchr(a, '/', (size_t)(end - a)), *at, *h, *hn, *he;

        if (!ae)
            ae = end;
        at = NULL;
        for (h = a; h < ae; h++)
            if (*h == '@')
                at = h;
        h = a;
        if (at) {
            dk_val_map_set(m, "userinfo", dk_val_strn(a, (size_t)(at - a)));
            h = at + 1;
        }
        dk_val_map_set(m, "host", dk_val_strn(h, (size_t)(ae - h)));
        hn = h, he = ae;
        if (hn < he && *hn == '[') {
            const char *rb = memchr(hn, ']', (size_t)(he - hn));

            if (rb)
                hn++, he = rb;
        } else {
            const char *colon = memchr(hn, ':', (size_t)(he - hn));

            if (colon)
                he = colon;
        }
        dk_val_map_set(m, "hostname", dk_val_strn(hn, (size_t)(he - hn)));
        p = ae;
    }
    set_part(m, "path", p, (size_t)(end - p), 1);
    *out = m;
    return 0;
}

static const char *map_str(struct dk_val *m, const char *k)
{
    struct dk_val *v = dk_val_map_get(m, k);

    return v && v->kind == DK_VAL_STR ? v->u.str.s : "";
}

/* urlJoin MAP: url.URL{...}.String() from urlParse's keys. */
FN(f_urlJoin)
{
    struct dk_buf b = DK_BUF_INIT;
    const char *scheme, *host, *path, *user, *opaque, *query, *frag;

    ARITY();
    if (args[0]->kind != DK_VAL_MAP)
        return dk_err_set(err, DK_E_FAIL,
                          "wrong type for value; expected map[string]interface {}; got %s",
                          dk_val_type_name(args[0]));
    scheme = map_str(args[0], "scheme"), host = map_str(args[0], "host");
    path = map_str(args[0], "path"), user = map_str(args[0], "userinfo");
    opaque = map_str(args[0], "opaque"), query = map_str(args[0], "query");
    frag = map_str(args[0], "fragment");
    if (*scheme)
        dk_buf_addf(&b, "%s:", scheme);
    if (*opaque) {
        dk_buf_add(&b, opaque);
    } else {
        if (*scheme || *host || *user) {
            if (*host || *path || *user)
                dk_buf_add(&b, "//");
            if (*user)
                dk_buf_addf(&b, "%s@", user);
            dk_buf_add(&b, host);
        }
        if (*path && path[0] != '/' && *host)
            dk_buf_addch(&b, '/');
        dk_buf_add(&b, path);
    }
    if (*query)
        dk_buf_addf(&b, "?%s", query);
    if (*frag)
        dk_buf_addf(&b, "#%s", frag);
    *out = buf_val(&b);
    return 0;
}

/* ---- toYamlPretty ---- */

/* Where a line's key starts: past its indent and any "- " item markers. */
static size_t key_col(const char *l, size_t len)
{
    size_t i = 0;

    while (i < len && l[i] == ' ')
        i++;
    while (i + 1 < len && l[i] == '-' && l[i + 1] == ' ')
        i += 2;
    return i;
}

/*
 * go-yaml v3 with indent 2 (Helm's toYamlPretty) writes what v2 writes, except that block
 * sequences under a mapping key are indented by two more spaces. Rewrites a v2 dump that way:
 * a run of "- " items at the indent of the key above it, with everything nested in it, moves
 * right by two for each such run it is inside. Block scalar contents are carried along.
 */
static void indent_sequences(const char *y, size_t len, struct dk_buf *out)
{
    size_t base[256], nb = 0, pos = 0, prev_key = (size_t)-1, block = (size_t)-1;
    int prev_colon = 0;

    while (pos < len) {
        const char *l = y + pos, *nl = memchr(l, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - l) : len - pos, ind = 0, k;
        int item, empty = ll == 0;

        while (ind < ll && l[ind] == ' ')
            ind++;
        item = ind + 1 < ll && l[ind] == '-' && (l[ind + 1] == ' ' || ind + 2 == ll);
        if (block != (size_t)-1 && (empty || ind > block)) {
            /* block scalar content: shifted with its parent, never a structure line */
        } else {
            block = (size_t)-1;
            while (nb > 0 && !(ind > base[nb - 1] || (ind == base[nb - 1] && item)))
                nb--;
            if (item && prev_colon && prev_key == ind && nb < 256)
                base[nb++] = ind;
            k = key_col(l, ll);
            prev_colon = ll > 0 && l[ll - 1] == ':';
            prev_key = k;
            if (ll > 0 && (l[ll - 1] == '|' || l[ll - 1] == '>' ||
                           (ll > 1 && (l[ll - 2] == '|' || l[ll - 2] == '>') &&
                            (l[ll - 1] == '-' || l[ll - 1] == '+'))))
                block = k;
        }
        if (!empty)
            for (k = 0; k < nb; k++)
                dk_buf_add(out, "  ");
        dk_buf_addn(out, l, ll);
        if (nl)
            dk_buf_addch(out, '\n');
        pos += ll + (nl ? 1 : 0);
    }
}

FN(f_toYamlPretty)
{
    struct dk_buf b = DK_BUF_INIT, o = DK_BUF_INIT;
    struct dk_err e = DK_ERR_INIT;
    cJSON *j;

    ARITY();
    (void)err;
    j = dk_val_to_json(args[0]);
    if (j && dk_yaml_dump(j, &b, &e) == 0) {
        indent_sequences(b.buf ? b.buf : "", b.len, &o);
        while (o.len && o.buf[o.len - 1] == '\n')
            o.len--;
        dk_buf_setlen(&o, o.len);
    }
    cJSON_Delete(j);
    dk_buf_release(&b);
    *out = buf_val(&o);
    return 0;
}

static const struct fdef defs[] = {
    {"toYamlPretty", f_toYamlPretty, 1, 1},
    {"hello", f_hello, 0, 0},
    {"abbrev", f_abbrev, 2, 2},
    {"abbrevboth", f_abbrev, 3, 3},
    {"initials", f_initials, 1, 1},
    {"nospace", f_nospace, 1, 1},
    {"wrap", f_wrap, 2, 2},
    {"wrapWith", f_wrap, 3, 3},
    {"plural", f_plural, 3, 3},
    {"adler32sum", f_adler32sum, 1, 1},
    {"b32enc", f_b32enc, 1, 1},
    {"b32dec", f_b32dec, 1, 1},
    {"dir", f_path, 1, 1},
    {"clean", f_path, 1, 1},
    {"ext", f_path, 1, 1},
    {"isAbs", f_path, 1, 1},
    {"osDir", f_path, 1, 1},
    {"osClean", f_path, 1, 1},
    {"osExt", f_path, 1, 1},
    {"osIsAbs", f_path, 1, 1},
    {"pluck", f_pluck, 1, -1},
    {"chunk", f_chunk, 2, 2},
    {"mustChunk", f_chunk, 2, 2},
    {"slice", f_slice, 1, -1},
    {"mustSlice", f_slice, 1, -1},
    {"toDecimal", f_toDecimal, 1, 1},
    {"typeIsLike", f_typeIsLike, 2, 2},
    {"randInt", f_randInt, 2, 2},
    {"randBytes", f_randBytes, 1, 1},
    {"shuffle", f_shuffle, 1, 1},
    {"getHostByName", f_getHostByName, 1, 1},
    {"mustFromJson", f_mustFromJson, 1, 1},
    {"urlParse", f_urlParse, 1, 1},
    {"urlJoin", f_urlJoin, 1, 1},
};

void dk_tmplfuncs_register_more(struct dk_tmpl *t)
{
    dk_tmplfuncs_add(t, defs, sizeof(defs) / sizeof(defs[0]));
}
