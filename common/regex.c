/* Go-compatible regular expressions: a parser after Go's regexp/syntax and a Pike VM. */
#include "dk/regex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RUNE    0x10FFFF
#define MAX_REPEAT  1000
#define MAX_NESTING 1000

/* ---- UTF-8 ---- */

/* Decodes one rune as Go's utf8.DecodeRune does: an invalid or short sequence is U+FFFD of
 * width 1. n must be > 0. */
static int32_t utf8_dec(const unsigned char *s, size_t n, size_t *w)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t need, i;
    int32_t r;

    *w = 1;
    if (c < 0x80)
        return (int32_t)c;
    if (c < 0xC2 || c > 0xF4)
        return 0xFFFD;
    if (c < 0xE0) {
        need = 2, r = (int32_t)(c & 0x1F);
    } else if (c < 0xF0) {
        need = 3, r = (int32_t)(c & 0x0F);
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else {
        need = 4, r = (int32_t)(c & 0x07);
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    }
    if (n < need || s[1] < lo || s[1] > hi)
        return 0xFFFD;
    for (i = 1; i < need; i++) {
        if (i > 1 && (s[i] & 0xC0) != 0x80)
            return 0xFFFD;
        r = (r << 6) | (int32_t)(s[i] & 0x3F);
    }
    *w = need;
    return r;
}

/* ---- character classes: sorted, merged [lo, hi] rune ranges ---- */

struct cls {
    int32_t (*r)[2];
    size_t n, alloc;
};

static void cls_add(struct cls *c, int32_t lo, int32_t hi)
{
    if (c->n == c->alloc) {
        c->alloc = c->alloc ? 2 * c->alloc : 8;
        c->r = dk_xrealloc(c->r, c->alloc * sizeof(*c->r));
    }
    c->r[c->n][0] = lo;
    c->r[c->n][1] = hi;
    c->n++;
}

static int range_cmp(const void *a, const void *b)
{
    const int32_t *x = a, *y = b;

    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (x[1] > y[1]) - (x[1] < y[1]);
}

static void cls_clean(struct cls *c)
{
    size_t i, j = 0;

    if (c->n < 2)
        return;
    qsort(c->r, c->n, sizeof(*c->r), range_cmp);
    for (i = 1; i < c->n; i++) {
        if (c->r[i][0] <= c->r[j][1] + 1) {
            if (c->r[i][1] > c->r[j][1])
                c->r[j][1] = c->r[i][1];
        } else {
            j++;
            c->r[j][0] = c->r[i][0];
            c->r[j][1] = c->r[i][1];
        }
    }
    c->n = j + 1;
}

/* Adds the complement of src (clean) to dst. */
static void cls_add_neg(struct cls *dst, const struct cls *src)
{
    int32_t next = 0;
    size_t i;

    for (i = 0; i < src->n; i++) {
        if (src->r[i][0] > next)
            cls_add(dst, next, src->r[i][0] - 1);
        next = src->r[i][1] + 1;
    }
    if (next <= MAX_RUNE)
        cls_add(dst, next, MAX_RUNE);
}

static void cls_add_cls(struct cls *dst, const struct cls *src)
{
    size_t i;

    for (i = 0; i < src->n; i++)
        cls_add(dst, src->r[i][0], src->r[i][1]);
}

static int cls_has(const struct cls *c, int32_t r)
{
    size_t lo = 0, hi = c->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (r < c->r[mid][0])
            hi = mid;
        else if (r > c->r[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static void cls_release(struct cls *c)
{
    free(c->r);
    c->r = NULL;
    c->n = c->alloc = 0;
}

/* ---- Unicode tables ----
 * Generated data: the general categories of Unicode 14.0 (from Python's unicodedata), a few
 * scripts of Unicode 14.0 (from Perl's, scripts/gen-unicode-scripts.pl), and the simple case
 * folding orbits (the runes
 * equal under Unicode 14.0's one-rune upper/lower mappings; U+0130 and U+0131 stay alone, as in
 * Go). Kept as compact text, decoded when a pattern needs them. */

struct utab {
    const char *name;
    const char *data; /* ranges: hex "gap[+len]" items, gap from the previous range's end + 1 */
};

static const struct utab utabs[] = {
    {"Cc", "0+1f,5f+20"},
    {"Cf", "ad,552+5,16,c0,31,180+1,50,f2b,7fc+4,1a+4,31+4,1+9,de8f,f9+2,10c1,f,2362+8,8867+3,"
           "14cf+7,c2e86,1e+5f"},
    {"Co", "e000+18ff,e0700+fffd,2+fffd"},
    {"Cs", "d800+7ff"},
    {"Ll",
     "61+19,3a,29+17,1+7,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1+1,1,1,1,1,1,"
     "1,1,1+1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,1,1+2,2,1,2,3+1,4,2,3+2,2,2,1,1,"
     "2,1+1,1,2,3,1,2+1,2+2,6,2,2,1,1,1,1,1,1,1,1+1,1,1,1,1,1,1,1,1,1+1,2,1,3,1,1,1,1,1,1,1,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1+6,2,2+1,1,4,1,1,1,1+44,1+1a,c1,1,3,3+2,12,"
     "1b+22,1+1,3+2,1,1,1,1,1,1,1,1,1,1,1,1+4,1,2,2+1,33+2f,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "9,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,1,1,1,1,1,1+1,1,1,1,1,1,1,1,1,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,30+28,"
     "b47+2a,2+2,2f8+5,882+8,77+2b,3f+c,1+21,66,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "1,1,1,1,1,1,1+8,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1+8,8+5,a+7,8+7,8+5,a+7,8+7,8+d,2+7,8+7,8+7,8+4,1+1,6,3+2,1+1,"
     "8+3,2+1,8+7,a+2,1+1,112,3+1,3,1b,4,4,2+1,8+3,4,35,aab+2f,1,3+1,1,1,1,4,1+1,1+5,5,1,1,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "1,1+1,7,1,4,c+25,1,5,7913,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,13,1,1,1,1,1,1,1,"
     "1,1,1,1,1,1,87,1,1,1,1,1,1+2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "1,1,1+7,1,1,2,1,1,1,1,4,1,2,1+2,1,1,1,1,1,1,1,1,1,1,5,5,1,1,1,1,1,1,1,4,1,6,1,1,1,1,1c,"
     "3,335+2a,5+8,7+4f,4f40+6,c+4,429+19,4cd+27,88+23,9b+a,1+e,1+6,1+1,703+32,bcd+1f,5580+1f,"
     "659a+19,1a+6,1+11,1a+19,1a+3,1,1+6,1+a,1a+19,1a+19,1a+19,1a+19,1a+19,1a+19,1a+19,1a+19,"
     "1a+1b,1c+18,1+5,1a+18,1+5,1a+18,1+5,1a+18,1+5,1a+18,1+5,1,734+9,1+13,a03+21"},
    {"Lm", "2b0+11,4+b,e+4,7,1,85,5,1de,e6,a4+1,10d+1,4,1f,9,3,a0,a7,4d4,7f,235,6da,6b,263,1d0+5,"
           "ae+3e,d,22+24,2b1,d,10+c,bdf+1,f1,bf,1d5,2b+4,5,61+1,5d+2,6f16,4e2+5,10e,72,1c+1,79+8,"
           "50,17,69+2,3+1,1d5,16,89,6c,15+1,67+3,9,5406,2d+1,7e0+5,1+29,1+8,6385+3,44f+c,40+1,1,"
           "400c+3,1+6,1+1,3138+6,80d"},
    {"Lo",
     "aa,f,100,4+3,d0,33b+1a,4+3,2d+1f,1+9,23+1,1+62,1,18+1,a+2,2,10,1+1d,1d+58,b,18+20,15+15,"
     "2a+18,7+a,5+17,1+5,11+28,3b+35,3,12,7+9,10+e,4+7,2+1,2+15,1+6,1,3+3,3,10,d+1,1+2,e+1,a,"
     "8+5,4+1,2+15,1+6,1+1,1+1,1+1,1f+3,1,13+2,10+8,1+2,1+15,1+6,1+1,1+4,3,12,f+1,17,b+7,2+1,"
     "2+15,1+6,1+1,1+4,3,1e+1,1+2,f,11,1+5,3+2,1+3,3+1,1,1+1,3+1,3+2,3+b,16,34+7,1+2,1+16,1+f,"
     "3,1a+2,2,2+1,1e,4+7,1+2,1+16,1+9,1+4,3,1f+1,1+1,f+1,11+8,1+2,1+28,2,10,5+2,8+2,18+5,"
     "5+11,3+17,1+8,1,2+6,3a+2f,1+1,c+5,3b+1,1,1+4,1+17,1,1+9,1+1,9,2+4,17+3,20,3f+7,1+23,"
     "1b+4,73+2a,14,10+5,4+3,3,3+1,7+2,4+c,c,71+148,1+3,2+6,1,1+3,2+28,1+3,2+20,1+3,2+6,1,1+3,"
     "2+e,1+38,1+3,2+42,25+f,71+26b,2+10,1+19,5+4a,6+7,7+11,d+12,e+11,e+c,1+2,f+33,28,43+22,"
     "1+34,7+4,2+21,1,5+45,a+1e,31+1d,2+4,b+2b,4+19,36+16,9+34,b0+2e,11+7,36+1d,d+1,a+2b,"
     "1a+23,29+2,a+1d,71+3,1+5,1+1,3,43a+3,bf7+37,18+16,9+6,1+6,1+6,1+6,1+6,1+6,1+6,1+6,227,"
     "35,4+55,8,1+59,4,5+2a,1+5d,11+1f,30+f,200+19bf,40+5214,1+476,43+27,8+10b,4+f,a+1,42,"
     "31+45,a9,67,3+6,1+2,1+3,1+16,1d+33,e+31,3e+5,3,1+1,b+1b,a+16,19+1c,7+2e,2d+4,2+8,a+4,"
     "1+28,17+2,1+7,14+f,1+5,3,3+31,1,3+1,2+4,2,1,18+1,3+a,7,e+5,2+5,2+5,9+6,1+6,91+22,"
     "1d+2ba3,c+16,4+30,2104+16d,2+69,43,1+9,1+c,1+4,1,1+1,1+1,1+6b,21+16a,12+3f,2+35,28+b,"
     "74+4,1+86,69+9,1+2c,2+1e,3+5,2+5,2+5,2+2,23+b,1+19,1+12,1+1,1+e,2+d,22+7a,185+1c,3+30,"
     "2f+1f,d+13,1+7,6+25,a+1d,2+23,4+7,80+4d,62+27,8+33,9c+136,9+15,a+7,98+5,2,1+2b,1+1,3,"
     "2+16,a+16,9+1e,41+12,1+1,a+15,a+19,46+37,6+1,40,f+3,1+2,1+1c,2a+1c,3+1c,23+7,1+1b,1b+35,"
     "a+15,a+12,d+11,6e+48,b7+23,15c+29,6+1,4e+1c,a,8+15,2a+11,2e+14,1b+16,c+34,39+1,2,d+2c,"
     "20+18,1a+23,1d,2,8+22,3,c+2f,e+3,15,1,23+11,1+18,54+6,1,1+3,1+e,1+9,7+2e,26+7,2+1,2+15,"
     "1+6,1+1,1+4,3,12,c+4,9e+34,12+3,14+2,1e+2f,14+1,1,b8+2e,29+3,24+2f,14,3b+2a,d,47+1a,"
     "25+6,b9+2b,d3+7,2,2+7,1+1,1+17,f,1,5e+7,2+26,10,1,1c,a+27,7,15,b+2d,13,12+48,107+8,1+24,"
     "11,31+1d,70+6,1+1,1+25,15,19+5,1+1,1+1f,e,147+12,bd,4f+399,e6+c3,a4c+60,f+42e,fd1+246,"
     "21b9+238,7+1e,11+4e,11+1d,12+2f,33+14,5+12,370+4a,5,af+17f7,8+4d5,2a+8,22f7+122,2d+2,"
     "11+3,8+18b,904+6a,5+c,3+8,7+9,2270,1f5+2c,21,141+1d,12+2b,4f4+6,1+3,1+1,1+e,1+c4,53b+3,"
     "1+1a,1+1,1,2,1+9,1+3,1,1,6,4,1,1,1+2,1+1,1,2,1,1,1,1,1+1,1,2+3,1+6,1+3,1+3,1,1+9,1+10,"
     "5+2,1+4,1+10,1144+a6df,20+1038,7+dd,2+1681,e+1d30,c1f+21d,5e2+134a"},
    {"Lt", "1c5,2,2,26,1d95+7,8+7,8+7,c,f,2f"},
    {"Lu",
     "41+19,65+16,1+6,21,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,1,1,1,1,1,1,"
     "1,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1+1,1,1,3+1,1,1+1,1+2,2+3,1+1,1+2,3+1,"
     "1+1,1,1,1+1,1,2,1+1,1+2,1,1+1,3,7,2,2,2,1,1,1,1,1,1,1,2,1,1,1,1,1,1,1,1,2,2,1+2,1,1,1,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,7+1,1+1,2,1+3,1,1,1,1,121,1,3,8,6,1+2,"
     "1,1+1,1+10,1+8,23,2+2,3,1,1,1,1,1,1,1,1,1,1,1,5,2,1+1,2+32,30,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "1,1,1,9,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1+1,1,1,1,1,1,1,2,1,1,1,1,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "2+25,b49+25,1,5,2d2+55,89a+2a,2+2,140,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "1,1,1,1,1,9,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "1,1,1,1,1,1,1,1,1,1,9+7,8+5,a+7,8+7,8+5,b,1,1,1,8+7,48+3,c+3,c+3,c+4,b+3,106,4,3+2,2+2,"
     "2,3+4,6,1,1,1+3,2+3,a+1,5,3d,a7c+2f,30,1+2,2,1,1,1+3,1,2,8+2,1,1,1,1,1,1,1,1,1,1,1,1,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,8,1,4,794d,1,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,13,1,1,1,1,1,1,1,1,1,1,1,1,1,87,1,1,1,1,1,1,3,1,"
     "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,a,1,1+1,1,1,1,1,4,1,2,1,3,1,1,"
     "1,1,1,1,1,1,1,1+4,1+4,1,1,1,1,1,1,1,1+3,1,6,5,1,1c,572b+19,4c5+27,88+23,9c+a,1+e,1+6,"
     "1+1,6ea+32,bed+1f,5580+1f,65a0+19,1a+19,1a+19,1a,1+1,2,2+1,2+3,1+7,1a+19,1a+1,1+3,2+7,"
     "1+6,1b+1,1+3,1+4,1,3+6,1b+19,1a+19,1a+19,1a+19,1a+19,1a+19,1e+18,21+18,21+18,21+18,"
     "21+18,21,1135+21"},
    {"Mc",
     "903,37,2+2,8+3,1+1,32+1,3a+2,6+1,2+1,a,2b,3a+2,42,3a+2,8,1+1,35+1,3a,1,6+1,2+1,a,66+1,"
     "1+1,3+2,1+2,a,29+2,3d+3,3d+1,3a,1+4,2+1,1+1,9+1,2b+1,3a+2,5+2,1+2,a,2a+1,4b+2,6+7,12+1,"
     "14a+1,3f,ab+1,4,6,2+1,19+1,a+2,2+6,15+1,2+5,2,a+2,678,1e,81,7+7,1+1,15a+3,2+2,4+1,1+5,"
     "e0+1,3a,1,9,1+1,8+5,91,30,5,1+4,1+1,3d,1e,4+1,2,3c,2+2,1,3+1,30+7,8+1,ab,15,1336+1,"
     "77f3+1,2,58+1,32+f,8e+1,2f,30+1,4+1,2+2,6e+1,2+1,18,2d,1,6d,2+1,5,ed+1,1+1,1+1,1,6413,1,"
     "7f,2d+2,4+1,73,18+1,3b,30+2,9+1,d,5d+2,3+1,1,aa+2,1f+1,3a+1,1+3,2+1,2+2,9,a+1,d1+2,8+1,"
     "3,6a+2,6,1+3,2,ed+2,6+3,2,71+2,8+1,1,6d,1+1,6,69+1,4,105+2,9,f7+5,1+1,4,2,1,8e+2,8+3,4,"
     "54,1d+1,3e,197,e,6a,7,2,d5+4,4+1,1,15e+1,505a+36,68+1,6173+1,6+5"},
    {"Me", "488+1,1634,61e+3,1+2,858b+2"},
    {"Mn",
     "300+6f,113+4,109+2c,1,1+1,1+1,1,48+a,30+14,10,65+6,2+5,2+1,1+3,23,1e+1a,5b+a,3a+8,9,"
     "18+3,1+8,1+2,1+4,2b+2,3c+7,2a+17,1+1f,37,1,4+7,4,3+6,a+1,1d,3a,4+3,8,14+1,1a,2+1,39,4+1,"
     "4+1,2+2,3,1e+1,3,b+1,39,4+4,1+1,4,14+1,16+5,1,3a,2,1+3,8,7+1,b+1,1e,3d,c,32,3,37,1+2,"
     "5+2,1+3,7+1,b+1,1d,3a,2,6,5+1,14+1,1c+1,39+1,4+3,8,14+1,1d,48,7+2,1,5a,2+6,c+7,62,2+8,"
     "b+5,4a+1,1b,1,1,37+d,1+4,1+1,5+a,1+23,9,66+3,1+5,1+1,2+1,19+1,4+2,10+3,d,2+1,6,f,2bf+2,"
     "3b2+2,1d+1,1e+1,1e+1,40+1,1+6,8,2+a,9,2d+2,1,75+1,22,76+2,4+1,9,6+2,db+1,2,3a,1+6,1,1,"
     "2+7,6+9,2,30+d,1+f,31+3,30,1+4,1,5,28+8,c+1,20+3,2+1,1+2,38,1+1,3,1+2,3a+7,2+1,98+2,1+c,"
     "1+6,4,6,3+1,c6+3f,2d0+c,4,3+b,bfe+2,8d,60+1f,22a+3,6b+1,75d4,4+9,20+1,50+1,110,3,4,19+1,"
     "5,97+1,1a+11,d,26+7,19+a,2e+2,30,2+3,2+1,27,43+5,2+1,2+1,c,8,2f,33,1+2,2+1,5+1,1,2a+1,8,"
     "ee,2,4,4f30,2e1+f,10+f,3cd,e2,95+4,686+2,1+1,5+3,28+2,4,a5+1,23d+3,183+1,99+a,31+3,7b,"
     "36+e,29,2+1,a+2,31+3,2+1,7,3d+2,24+4,1+7,3e,c+1,34+8,a+3,2,5f+2,2,1+1,6,a0,3+7,15+1,"
     "39+1,3,25+6,3+4,c3+7,2+2,1,17,54+5,1,4+1,1+1,ee+3,6+1,1+1,1b+1,55+7,2,1+1,6a,1,2+5,1,"
     "65+2,2+3,1+4,103+8,1+1,100+1,1,4,90+3,2+1,4,20+9,28+5,2+3,8,9+5,2+2,2e+c,1+1,196+6,1+5,"
     "1,52+15,2+6,1+1,1+1,7a+5,3,1+1,1+6,1,48+1,3,1,15b+1,4bfb+4,3b+6,418,3f+3,51,4cb8+1,"
     "1261+2d,2+16,220+2,11+7,2+6,1e+3,94+2,7bb+36,4+31,8,e,16+4,1+e,550+6,1+10,2+6,1+1,1+4,"
     "105+6,177,3d+3,5e0+6,6d+6,c17b5+ef"},
    {"Nd", "30+9,626+9,86+9,c6+9,19c+9,76+9,76+9,76+9,76+9,76+9,76+9,76+9,76+9,76+9,60+9,76+9,46+9,"
           "116+9,46+9,746+9,26+9,12c+9,80+9,a6+9,6+9,b6+9,56+9,86+9,6+9,89c6+9,2a6+9,26+9,c6+9,"
           "16+9,56+9,196+9,5316+9,586+9,886+9,32c+9,80+9,3c+9,90+9,116+9,156+9,76+9,176+9,66+9,"
           "66+9,1a6+9,66+9,2f6+9,f6+9,46+9,4cb6+9,56+9,86+9,6c74+31,940+9,1a6+9,656+9,1296+9"},
    {"Nl", "16ee+2,a6f+22,2+3,e7e,19+8,e+2,76ab+9,5a50+34,1cc,8,86+4,202a+6e"},
    {"No", "b2+1,5,2+2,935+5,178+5,78+2,85+6,d9+6,11+8,1b1+9,435+13,473+9,1e0,695,3+5,6+9,c6+f,29,"
           "2d6+3b,4e+15,276+1d,569,494+3,8a+9,1e+7,1+e,20+9,27+e,7570+5,58d1+2c,41+3,11+1,155+1a,"
           "24+3,534+7,19+6,27+8,4b+4,16+5,a0+1,2+f,2+2d,40+8,34+1,1e+2,4b+4,68+7,18+7,29+6,14a+5,"
           "160+1e,9e+9,2a+3,70+6,86+13,17b+13,545+1,1ae+8,367+12,353+14,4b86+6,31e+16,6449+13,"
           "6c+18,154e+8,3a1+3a,1+2,1+3,4c+2c,1+e,3c2+c"},
    {"Pc", "5f,1fdf+1,13,ddde+1,18+2,ef"},
    {"Pd", "2d,55c,33,e41,405,809+5,e01,2,1f+1,4,1c,1be,13,6f,cd90+1,25,a,a9,f9f"},
    {"Pe", "29,33,1f,ebd,1,75e,9a9,37,f,27a,1,1e,43e,1,1,1,1,1,1,50,20,1,1,1,1,194,1,1,1,1,1,1,1,1,"
           "1,1,40,1,21,425,1,1,1,2c,1,1,1,1ac,1,1,1,1,3,1,1,1,2+1,cd1e,d9,1d,1,1,1,1,1,1,1,3,11,1,"
           "1,aa,33,1f,2,2"},
    {"Pf", "bb,1f5d,3,1c,dc8,1,4,2,f,3"},
    {"Pi", "ab,1f6c,2+1,2,19,dc8,1,4,2,f,3"},
    {"Po",
     "21+2,1+2,2,1,1+1,a+1,3+1,1b,44,5,e+1,7,2be,8,1d2+5,29,36,2,2,2c+1,14+1,1+1,d,1+2,4a+3,"
     "66,2b+d,e9+2,36+e,1f,105+1,a,8c,78,79,186,c,16f,5a,a+1,a8+e,1,70,4a+4,4+1,6f+5,ab,264+8,"
     "305,7c+2,47+1,9d+2,1+2,25+5,1+3,139+1,d8+1,80+6,1+5,ac+6,1c+1,7d+3,3b+4,3e+1,40+7,b,"
     "342+1,8+7,8+8,2+3,2+2,3+a,1,1+9,c9a+3,1+1,70,8f+1,4+2,2,2+8,1+1,1,2+1,a+4,1+9,2+3,1,1+c,"
     "2+2,1ac+2,39,bd,7402+1,10d+2,63,a,73+5,17c+3,56+1,28+2,1,31+1,2f,61+c,10+1,7c+3,7e+1,"
     "10+1,f9,5224+6,2,16,14+1,2+3,3+2,1+3,7+2,6,1+1,95+2,1+2,2,1,1+1,a+1,3+1,1b,24,2+1,19a+2,"
     "29c,30,19e,2e7,c7,1f,110+8,26,70+6,42+6,59+3,3b8+4,2c+3,bd+6,6d+1,1+3,7e+3,30+1,4f+3,4,"
     "d,1+2,58+5,6b,1a1+4,a+1,1,68,fa+16,69+2,1c+c,4c,82+2,fc,108+2,9b,5c+7,53+2,1+4,19e+4,"
     "2a+1,285+1,106,470+4,b7c+1,3a7b+1,85,41+4,8,352+3,147,4cbc,1de7+4,ed2+1"},
    {"Ps",
     "28,32,1f,ebe,1,75e,97e,3,26,37,f,27a,1,1e,43e,1,1,1,1,1,1,50,20,1,1,1,1,194,1,1,1,1,1,1,"
     "1,1,1,1,40,1,21,425,1,1,1,19,12,1,1,1,1ac,1,1,1,1,3,1,1,1,2,cd21,d7,1d,1,1,1,1,1,1,1,3,"
     "11,1,1,aa,32,1f,3,2"},
    {"Sc",
     "24,7d+3,4e9,7b,1f2+1,1f2+1,7,f5,107,245,99b,8c4+20,8777,55c3,6c,9a,db+1,3+1,1ff6+3,c31e,"
     "9b0"},
    {"Sk", "5e,1,47,6,4,3,209+3,c+d,5+6,1,1+10,75,e+1,502,1734,1+2,b+2,d+2,d+2,d+1,109c+1,7663+16,"
           "9+1,67+1,3d0,e+1,5046+10,37b,1,a2,f417+4"},
    {"Sm", "2b,10+2,3d,1,2d,4,25,1f,2fe,20f+2,1a3b,d,27+2,d+2,8b,27+4,6,44+4,5+1,4,2,2,7,1f+1,2,1,"
           "1f+10b,20+1,5a,1e+18,28+5,1d5,9,36+7,6f,150+4,2+1e,a+f,100+82,16+3e,4+1f,2+101,30+14,"
           "2+5,cfdc,338,1+2,a4,10+2,3d,1,83,6+3,d6d4,19,1f,19,1f,19,1f,19,1f,19,172c+1"},
    {"So",
     "a6,2,4,1,3d1,10a+1,7f+1,ce,a,13+1,f7,203,175,82+5,1,84,cf,29,187+2,f,1+2,2+5,14,1,1,"
     "85+7,1+5,1+1,5+3,c5+1,2f0+9,2d3,2d2,9d+21,161+9,9+8,583+1,1+3,1+1,a,1+1,6+5,1,1,1,4,b+1,"
     "e,1+1,1,3a+1,9+4,2+3,1+1,1+1,1+6,1+1e,2+1,1,1+1e,10c+7,4+13,2+6,2+50,1+1d,19+27,6+44,"
     "19+a,51+4d,16+b6,1+8,1+35,8+6e,1+f7,2c+2b,40+ff,200+2f,15+1,6+26,2+1f,1+68,e5+5,165+1,"
     "2e+19,1+58,c+d5,1a+b,8,d+1,c,15+1,6+1,150+1,4+9,20+23,1c+1e,b+1d,8,f+1f,a+26,f+13f,"
     "19c0+3f,5690+36,361+3,a+1,1,23d+2,52c6+f,7f,2d+2,1e4,3,4+1,d+1,139+8,39+10,2+2,1+c,3,"
     "2f+2c,67a+1,24f,c76,895+7,4+10,4b4a+3,5,5156,12b3+73,3c+f5,a+26,2+3b,5+2,16+1,7+1d,4+3c,"
     "15+41,3,ba+56,4a9+1ff,37+3,32+7,1+d,1+1,6c8,b5c,81,2d1+2b,4+63,c+e,2+e,1+e,1+24,17+a0,"
     "38+1c,d+2b,4+8,7+1,e+5,9a+fa,5+2d7,5+f,3+c,3+73,c+58,7+b,4,f+b,4+37,8+9,6+27,8+1d,2+1,"
     "4e+153,c+d,2+4,3+4,3+6,9+1c,3+a,5+5,a+9,6+7,8+6,9+92,1+36"},
    {"Zl", "2028"},
    {"Zp", "2029"},
    {"Zs", "20,7f,15df,97f+a,24,2f,fa0"},
    {"Arabic",
     "600+4,1+5,1+d,1+2,1+1f,1+9,b+19,1+6b,1+21,50+2f,f0+1e,1+1,6+49,1+1c,f250+72,10+16a,"
     "2+4f,2+35,7,20+f,70+4,1+86,f63+1e,df81+3,1+1a,1+1,1,2,1+9,1+3,1,1,6,4,1,1,1+2,1+1,1,2,"
     "1,1,1,1,1+1,1,2+3,1+6,1+3,1+3,1,1+9,1+10,5+2,1+4,1+10,34+1"},
    {"Armenian", "531+25,2+31,2+2,f583+4"},
    {"Cyrillic", "400+84,2+a8,1750+8,a2,4c,1067+1f,7840+5f,578e+1"},
    {"Devanagari", "900+50,4+e,2+19,9f60+1f"},
    {"Georgian", "10a0+25,1,5,2+2a,1+3,b90+2a,2+2,1040+25,1,5"},
    {"Greek",
     "370+3,1+2,2+3,1,4,1,1+2,1,1+13,1+3e,e+f,1926+4,32+4,4+4,54,140+15,2+5,2+25,2+5,2+7,1,1,"
     "1,1+1e,2+34,1+e,1+d,2+5,1+12,2+2,1+8,127,8a3e,55da+4e,11,d05f+45"},
    {"Han", "2e80+19,1+58,c+d5,2f,1,19+8,e+3,3c4+19bf,40+51ff,5900+16d,2+69,7508+1,c+1,900e+a6df,"
            "20+1038,7+dd,2+1681,e+1d30,c1f+21d,5e2+134a"},
    {"Hangul",
     "1100+ff,1e2e+1,101+5d,71+1e,41+1e,76e1+1c,283+2ba3,c+16,4+30,27a4+1e,3+5,2+5,2+5,2+2"},
    {"Hebrew", "591+36,8+1a,4+5,f528+19,1+4,1,1+1,1+1,1+9"},
    {"Hiragana", "3041+55,6+2,17f61+11e,30+2,40ad"},
    {"Katakana", "30a1+59,2+2,f0+f,d0+2e,1+57,cc0e+9,1+2c,b052+3,1+6,1+1,1,11f+2,41+3"},
    {"Latin",
     "41+19,6+19,2f,f,5+16,1+1e,1+1c0,27+4,1a1b+25,6+30,5+3,5+c,1+45,41+ff,171,d,10+c,8d+1,6,"
     "1b,11+28,ad7+1f,7aa2+65,3+3f,5+1,1,1+4,18+d,330+2a,1+8,1+3,4f96+6,41a+19,6+19,825+5,"
     "1+29,1+8,d745+1e"},
    {"Thai", "e01+39,5+1b"},
};

/* Orbits: hex "first[:offset]*" items, first relative to the previous orbit's first. */
static const char fold_data[] =
    "41:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20:20df,1:20,1:20,1:20,1:20,1:20,"
    "1:20,1:20,1:20:12c,1:20,1:20,1:20,1:20,1:20,1:20,1:20,5b:2e7:307,b:20,1:20,1:20,1:20,"
    "1:20,1:20:2066,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,"
    "1:20,1:20,1:20,2:20,1:20,1:20,1:20,1:20,1:20,1:20,1:1dbf,20:79,1:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,4:1,2:1,2:1,3:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,3:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,3:1,2:1,2:1,3:c3,1:d2,1:1,2:1,2:ce,1:1,2:cd,1:cd,1:1,"
    "3:4f,1:ca,1:cb,1:1,2:cd,1:cf,1:61,1:d3,1:d1,1:1,2:a3,2:d3,1:d5,1:82,1:d6,1:1,2:1,2:1,"
    "2:da,1:1,2:da,3:1,2:da,1:1,2:d9,1:d9,1:1,2:1,2:db,1:1,4:1,3:38,5:1:2,3:1:2,3:1:2,3:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,3:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,3:1:2,3:1,4:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,4:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,8:2a2b,1:1,3:2a28,1:2a3f,1:2a3f,1:1,3:45,1:47,1:1,2:1,2:1,2:1,2:1,"
    "2:2a1f,1:2a1c,1:2a1e,a:a54f,5:a54b,4:a528,1:a544,4:a544,1:29f7,1:a541,5:29fd,c:29e7,"
    "5:a543,5:a52a,16:a515,1:a512,a7:54:74:1c79,2b:1,2:1,4:1,5:82,1:82,1:82,2:74,7:26,2:25,"
    "1:25,1:25,2:40,2:3f,1:3f,2:20,1:20:3e,1:20,1:20,1:20:60,1:20,1:20,1:20:39:5c,2:20:56,"
    "1:20,2:20,1:20,1:20,1:20:36,1:20:50,2:1f:20,1:20,1:20,1:20:2f,1:20,1:20,1:20:1d7d,1:20,"
    "1:20,24:8,9:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,4:7,5:1,3:1,6:50,1:50,1:50,"
    "1:50,1:50,1:50,1:50,1:50,1:50,1:50,1:50,1:50,1:50,1:50,1:50,1:50,1:20,1:20,1:20:186e,"
    "1:20,1:20:186d,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20:1864,1:20,1:20,"
    "1:20:1862,1:20:1862:1863,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20:185c,1:20,1:20,1:20,"
    "1:20,1:20,31:1,2:1:1825,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,a:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:f,1:1,2:1,2:1,2:1,2:1,2:1,2:1,3:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,3:30,1:30,1:30,1:30,"
    "1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,"
    "1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,"
    "b4a:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,"
    "1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,"
    "1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,1:1c60,"
    "1:1c60,1:1c60,2:1c60,6:1c60,3:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,"
    "1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,"
    "1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,"
    "1:bc0,1:bc0,1:bc0,1:bc0,1:bc0,3:bc0,1:bc0,1:bc0,2a1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,"
    "1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,"
    "1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,"
    "1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,"
    "1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,"
    "1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,"
    "1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,1:97d0,"
    "1:97d0,1:97d0,1:97d0,1:8,1:8,1:8,1:8,1:8,1:8,893:89c2:89c3,f1:8a04,4:ee6,11:8a38,72:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1:3b,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,c:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:8,1:8,1:8,1:8,1:8,1:8,1:8,1:8,9:8,"
    "1:8,1:8,1:8,1:8,1:8,b:8,1:8,1:8,1:8,1:8,1:8,1:8,1:8,9:8,1:8,1:8,1:8,1:8,1:8,1:8,1:8,9:8,"
    "1:8,1:8,1:8,1:8,1:8,c:8,2:8,2:8,2:8,9:8,1:8,1:8,1:8,1:8,1:8,1:8,1:8,9:4a,1:4a,1:56,1:56,"
    "1:56,1:56,1:64,1:64,1:80,1:80,1:70,1:70,1:7e,1:7e,3:8,1:8,1:8,1:8,1:8,1:8,1:8,1:8,9:8,"
    "1:8,1:8,1:8,1:8,1:8,1:8,1:8,9:8,1:8,1:8,1:8,1:8,1:8,1:8,1:8,9:8,1:8,2:9,10:9,d:8,1:8,"
    "f:8,1:8,4:7,e:9,13f:1c,2e:10,1:10,1:10,1:10,1:10,1:10,1:10,1:10,1:10,1:10,1:10,1:10,"
    "1:10,1:10,1:10,1:10,14:1,333:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,"
    "1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,1:1a,731:30,1:30,1:30,"
    "1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,"
    "1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,"
    "1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,1:30,31:1,7:1,2:1,2:1,7:1,3:1,b:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,9:1,2:1,5:1,794e:1,2:1,2:1,2:1,2:1,4:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,14:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,88:1,2:1,2:1,2:1,2:1,2:1,2:1,4:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,b:1,2:1,3:1,2:1,"
    "2:1,2:1,2:1,5:1,5:1,2:1,2:30,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,2:1,b:3a0,1:1,2:1,2:1,"
    "2:1,2:1,2:1,2:1,2:1,5:1,2:1,7:1,6:1,2:1,1d:1,572c:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,"
    "1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,"
    "1:20,4c6:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,"
    "1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,"
    "1:28,1:28,1:28,1:28,1:28,1:28,1:28,89:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,"
    "1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,"
    "1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,1:28,9d:27,1:27,1:27,1:27,1:27,1:27,1:27,1:27,"
    "1:27,1:27,1:27,2:27,1:27,1:27,1:27,1:27,1:27,1:27,1:27,1:27,1:27,1:27,1:27,1:27,1:27,"
    "1:27,2:27,1:27,1:27,1:27,1:27,1:27,1:27,2:27,1:27,6eb:40,1:40,1:40,1:40,1:40,1:40,1:40,"
    "1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,"
    "1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,"
    "1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,1:40,bee:20,1:20,1:20,1:20,1:20,1:20,1:20,"
    "1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,"
    "1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,5581:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,"
    "1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,1:20,"
    "1:20,1:20,1:20,1:20,1:20,1:20,7aa1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,"
    "1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,1:22,"
    "1:22,1:22,1:22,1:22,1:22,1:22";

#define n_utabs (sizeof(utabs) / sizeof(utabs[0]))

static void utab_decode(const char *d, struct cls *c)
{
    int32_t prev = -1;

    while (*d) {
        char *e;
        long gap = strtol(d, &e, 16), len = 0;

        if (*e == '+')
            len = strtol(e + 1, &e, 16);
        cls_add(c, prev + 1 + (int32_t)gap, prev + 1 + (int32_t)(gap + len));
        prev = prev + 1 + (int32_t)(gap + len);
        d = *e == ',' ? e + 1 : e;
    }
}

/* Go's canonicalName: '_', '-' and ' ' dropped, the first letter upper case, the rest lower
 * case. Returns 0 when the name does not fit out (64 bytes). */
static int canon_name(const char *name, size_t len, char *out)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        char ch = name[i];

        if (ch == '_' || ch == '-' || ch == ' ')
            continue;
        if (n == 0 && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        else if (n > 0 && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (n + 1 >= 64)
            return 0;
        out[n++] = ch;
    }
    out[n] = '\0';
    return 1;
}

/* The long names of the general categories (Unicode's PropertyValueAliases), as Go's
 * unicode.CategoryAliases has them. */
static const char *const cat_alias[][2] = {
    {"Other", "C"},
    {"Control", "Cc"},
    {"cntrl", "Cc"},
    {"Format", "Cf"},
    {"Unassigned", "Cn"},
    {"Private_Use", "Co"},
    {"Surrogate", "Cs"},
    {"Letter", "L"},
    {"Cased_Letter", "LC"},
    {"Lowercase_Letter", "Ll"},
    {"Modifier_Letter", "Lm"},
    {"Other_Letter", "Lo"},
    {"Titlecase_Letter", "Lt"},
    {"Uppercase_Letter", "Lu"},
    {"Mark", "M"},
    {"Combining_Mark", "M"},
    {"Spacing_Mark", "Mc"},
    {"Enclosing_Mark", "Me"},
    {"Nonspacing_Mark", "Mn"},
    {"Number", "N"},
    {"Decimal_Number", "Nd"},
    {"digit", "Nd"},
    {"Letter_Number", "Nl"},
    {"Other_Number", "No"},
    {"Punctuation", "P"},
    {"punct", "P"},
    {"Connector_Punctuation", "Pc"},
    {"Dash_Punctuation", "Pd"},
    {"Close_Punctuation", "Pe"},
    {"Final_Punctuation", "Pf"},
    {"Initial_Punctuation", "Pi"},
    {"Other_Punctuation", "Po"},
    {"Open_Punctuation", "Ps"},
    {"Symbol", "S"},
    {"Currency_Symbol", "Sc"},
    {"Modifier_Symbol", "Sk"},
    {"Math_Symbol", "Sm"},
    {"Other_Symbol", "So"},
    {"Separator", "Z"},
    {"Line_Separator", "Zl"},
    {"Paragraph_Separator", "Zp"},
    {"Space_Separator", "Zs"},
};

/* Adds the tables whose name is canonical name cn, or whose name starts with the one letter
 * cn (a category group); 0 when there is none. */
static int utab_add_canon(const char *cn, struct cls *c)
{
    size_t i;
    int found = 0;

    for (i = 0; i < n_utabs; i++) {
        char tn[64];

        canon_name(utabs[i].name, strlen(utabs[i].name), tn);
        if (!strcmp(tn, cn) || (cn[1] == '\0' && strlen(tn) == 2 && tn[0] == cn[0])) {
            utab_decode(utabs[i].data, c);
            found = 1;
        }
    }
    return found;
}

/* Adds \p{NAME} to c, NAME looked up as Go does (canonicalName, then Any, Assigned, ASCII,
 * LC, categories and their groups, scripts, then the long category names). Returns -1 for an
 * unknown name. */
static int utab_add(const char *name, size_t len, struct cls *c)
{
    char cn[64];
    size_t i;

    if (!canon_name(name, len, cn) || !cn[0])
        return -1;
    if (!strcmp(cn, "Any")) {
        cls_add(c, 0, MAX_RUNE);
        return 0;
    }
    if (!strcmp(cn, "Ascii")) {
        cls_add(c, 0, 0x7F);
        return 0;
    }
    for (i = 0; i < sizeof(cat_alias) / sizeof(cat_alias[0]); i++) {
        char an[64];

        canon_name(cat_alias[i][0], strlen(cat_alias[i][0]), an);
        if (!strcmp(an, cn)) {
            canon_name(cat_alias[i][1], strlen(cat_alias[i][1]), cn);
            break;
        }
    }
    if (!strcmp(cn, "Assigned") || !strcmp(cn, "Cn")) {
        /* the unassigned code points: what no category holds */
        struct cls all = {0};

        for (i = 0; i < n_utabs; i++)
            if (strlen(utabs[i].name) == 2)
                utab_decode(utabs[i].data, &all);
        cls_clean(&all);
        if (!strcmp(cn, "Cn"))
            cls_add_neg(c, &all);
        else
            cls_add_cls(c, &all);
        cls_release(&all);
        cls_clean(c);
        return 0;
    }
    if (!strcmp(cn, "Lc"))
        utab_add_canon("Lu", c), utab_add_canon("Ll", c), utab_add_canon("Lt", c);
    else if (!utab_add_canon(cn, c))
        return -1;
    cls_clean(c);
    return 0;
}

/* Simple case folding orbits (sets of runes equal under folding), decoded on first need. */
struct fold {
    int32_t *rune; /* members, orbit after orbit */
    size_t *start; /* orbit k is rune[start[k] .. start[k+1]) */
    size_t norb;
};

static void fold_load(struct fold *f)
{
    const char *d = fold_data;
    size_t nr = 0, ar = 64, ao = 64;
    int32_t first = 0;

    if (f->rune)
        return;
    f->rune = dk_xmalloc(ar * sizeof(*f->rune));
    f->start = dk_xmalloc(ao * sizeof(*f->start));
    while (*d) {
        char *e;

        first += (int32_t)strtol(d, &e, 16);
        if (f->norb + 2 >= ao)
            f->start = dk_xrealloc(f->start, (ao *= 2) * sizeof(*f->start));
        f->start[f->norb++] = nr;
        if (nr + 1 >= ar)
            f->rune = dk_xrealloc(f->rune, (ar *= 2) * sizeof(*f->rune));
        f->rune[nr++] = first;
        while (*e == ':') {
            if (nr + 1 >= ar)
                f->rune = dk_xrealloc(f->rune, (ar *= 2) * sizeof(*f->rune));
            f->rune[nr++] = first + (int32_t)strtol(e + 1, &e, 16);
        }
        d = *e == ',' ? e + 1 : e;
    }
    f->start[f->norb] = nr;
}

static void fold_release(struct fold *f)
{
    free(f->rune);
    free(f->start);
    memset(f, 0, sizeof(*f));
}

/* Makes c (clean) closed under case folding, and cleans it. */
static void cls_fold(struct fold *f, struct cls *c)
{
    size_t k, j, n0 = c->n;
    struct cls tmp = {0};

    fold_load(f);
    for (k = 0; k < f->norb; k++) {
        int in = 0;

        for (j = f->start[k]; j < f->start[k + 1] && !in; j++) {
            struct cls view = {c->r, n0, n0};

            in = cls_has(&view, f->rune[j]);
        }
        if (in)
            for (j = f->start[k]; j < f->start[k + 1]; j++)
                cls_add(&tmp, f->rune[j], f->rune[j]);
    }
    cls_add_cls(c, &tmp);
    cls_release(&tmp);
    cls_clean(c);
}

/* ---- parse tree ---- */

enum nop {
    N_EMPTY,
    N_CLASS,  /* a: class index */
    N_ANY,    /* any rune */
    N_ANYNL,  /* any rune but \n */
    N_ASSERT, /* a: enum assert */
    N_CAT,
    N_ALT,
    N_REP,    /* a: min, b: max (-1: none), greedy, braces: from {n,m} */
    N_CAP,    /* a: group */
    N_LPAREN, /* pseudo: a: group (0: none), b: flags before the paren */
    N_VBAR,   /* pseudo */
};

enum assert { A_BOL, A_EOL, A_BOT, A_EOT, A_WB, A_NWB };

struct node {
    enum nop op;
    int a, b;
    int greedy, braces;
    int h;      /* height of the tree, as Go counts it (a run of literals is one node) */
    int single; /* matches exactly one rune: 1, or 2 for a literal */
    struct node **kid;
    size_t nkid;
};

enum { F_I = 1, F_M = 2, F_S = 4, F_U = 8 };

struct parser {
    const char *whole;
    size_t wlen;
    const char *p, *end;
    int flags;
    struct node **stack;
    size_t nstack, astack;
    struct node **all; /* every node, for freeing */
    size_t nall, aall;
    struct cls *cls;
    size_t ncls, acls;
    char **names; /* names[g] for group g >= 1 (NULL: unnamed) */
    size_t ncap, anames;
    int too_deep;
    struct fold fold;
    struct dk_err *err;
};

static int perr(struct parser *P, const char *code, const char *expr, size_t len)
{
    return dk_err_set(P->err, DK_E_INPUT, "error parsing regexp: %s: `%.*s`", code, (int)len, expr);
}

static int perr_whole(struct parser *P, const char *code)
{
    return perr(P, code, P->whole, P->wlen);
}

static struct node *new_node(struct parser *P, enum nop op)
{
    struct node *n = dk_xcalloc(1, sizeof(*n));

    n->op = op;
    n->h = 1;
    if (P->nall == P->aall) {
        P->aall = P->aall ? 2 * P->aall : 32;
        P->all = dk_xrealloc(P->all, P->aall * sizeof(*P->all));
    }
    P->all[P->nall++] = n;
    return n;
}

static void node_kid(struct parser *P, struct node *n, struct node *k)
{
    n->kid = dk_xrealloc(n->kid, (n->nkid + 1) * sizeof(*n->kid));
    n->kid[n->nkid++] = k;
    if (n->h < k->h + 1)
        n->h = k->h + 1;
    if (n->h > MAX_NESTING)
        P->too_deep = 1;
}

static void push(struct parser *P, struct node *n)
{
    if (P->nstack == P->astack) {
        P->astack = P->astack ? 2 * P->astack : 16;
        P->stack = dk_xrealloc(P->stack, P->astack * sizeof(*P->stack));
    }
    P->stack[P->nstack++] = n;
}

static int is_pseudo(const struct node *n)
{
    return n->op == N_LPAREN || n->op == N_VBAR;
}

/* A new empty class owned by the parser; returns its index. */
static int new_cls(struct parser *P)
{
    if (P->ncls == P->acls) {
        P->acls = P->acls ? 2 * P->acls : 8;
        P->cls = dk_xrealloc(P->cls, P->acls * sizeof(*P->cls));
    }
    memset(&P->cls[P->ncls], 0, sizeof(P->cls[0]));
    return (int)P->ncls++;
}

static void push_cls(struct parser *P, int idx)
{
    struct node *n = new_node(P, N_CLASS);

    n->a = idx;
    n->single = 1;
    push(P, n);
}

static void literal(struct parser *P, int32_t r)
{
    int k = new_cls(P);

    cls_add(&P->cls[k], r, r);
    if (P->flags & F_I)
        cls_fold(&P->fold, &P->cls[k]);
    push_cls(P, k);
    P->stack[P->nstack - 1]->single = 2;
}

/* Next rune of the pattern as Go's nextRune: at the end U+FFFD without advancing; invalid
 * UTF-8 is an error naming the rest of the pattern. */
static int next_rune(struct parser *P, const char **s, int32_t *r)
{
    size_t w;

    if (*s >= P->end) {
        *r = 0xFFFD;
        return 0;
    }
    *r = utf8_dec((const unsigned char *)*s, (size_t)(P->end - *s), &w);
    if (*r == 0xFFFD && w == 1)
        return perr(P, "invalid UTF-8", *s, (size_t)(P->end - *s));
    *s += w;
    return 0;
}

static int unhex(int32_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_alnum(int32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Go's parseEscape: *s at a backslash. */
static int parse_escape(struct parser *P, const char **s, int32_t *out)
{
    const char *start = *s, *t = *s + 1;
    int32_t c, r;
    int i;

    if (t >= P->end)
        return perr(P, "trailing backslash at end of expression", "", 0);
    if (next_rune(P, &t, &c) < 0)
        return -1;
    switch (c) {
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
        if (t >= P->end || *t < '0' || *t > '7')
            break;
        /* fallthrough */
    case '0':
        r = c - '0';
        for (i = 1; i < 3 && t < P->end && *t >= '0' && *t <= '7'; i++)
            r = r * 8 + (*t++ - '0');
        *out = r, *s = t;
        return 0;
    case 'x': {
        int x, y;

        if (t >= P->end)
            break;
        if (next_rune(P, &t, &c) < 0)
            return -1;
        if (c == '{') {
            int nhex = 0;

            r = 0;
            for (;;) {
                if (t >= P->end)
                    goto bad;
                if (next_rune(P, &t, &c) < 0)
                    return -1;
                if (c == '}')
                    break;
                if (unhex(c) < 0)
                    goto bad;
                r = r * 16 + unhex(c);
                if (r > MAX_RUNE)
                    goto bad;
                nhex++;
            }
            if (nhex == 0)
                goto bad;
            *out = r, *s = t;
            return 0;
        }
        x = unhex(c);
        if (next_rune(P, &t, &c) < 0)
            return -1;
        y = unhex(c);
        if (x < 0 || y < 0)
            break;
        *out = x * 16 + y, *s = t;
        return 0;
    }
    case 'a':
        *out = 7, *s = t;
        return 0;
    case 'f':
        *out = '\f', *s = t;
        return 0;
    case 'n':
        *out = '\n', *s = t;
        return 0;
    case 'r':
        *out = '\r', *s = t;
        return 0;
    case 't':
        *out = '\t', *s = t;
        return 0;
    case 'v':
        *out = '\v', *s = t;
        return 0;
    default:
        if (c < 0x80 && !is_alnum(c)) {
            *out = c, *s = t;
            return 0;
        }
    }
bad:
    return perr(P, "invalid escape sequence", start, (size_t)(t - start));
}

/* Adds group g (clean) to c: folded first under (?i), negated when neg, as Go's appendGroup. */
static void add_group(struct parser *P, struct cls *c, struct cls *g, int neg)
{
    if (P->flags & F_I)
        cls_fold(&P->fold, g);
    if (neg)
        cls_add_neg(c, g);
    else
        cls_add_cls(c, g);
}

static void ascii_ranges(struct cls *g, const char *spec)
{
    for (; spec[0] && spec[1]; spec += 2)
        cls_add(g, (unsigned char)spec[0], (unsigned char)spec[1]);
    cls_clean(g);
}

/* \d \s \w and their negations: 1 when *s starts one (added to c, *s moved). */
static int perl_class(struct parser *P, const char **s, struct cls *c)
{
    const char *t = *s, *spec;
    struct cls g = {0};

    if (P->end - t < 2 || t[0] != '\\')
        return 0;
    switch (t[1] | 0x20) {
    case 'd':
        spec = "09";
        break;
    case 's':
        spec = "\t\n\f\r  ";
        break;
    case 'w':
        spec = "09AZaz__";
        break;
    default:
        return 0;
    }
    ascii_ranges(&g, spec);
    add_group(P, c, &g, t[1] >= 'A' && t[1] <= 'Z');
    cls_release(&g);
    *s = t + 2;
    return 1;
}

/* [:alpha:] and [:^alpha:] in a bracket: 1 when found, 0 when *s is not one, -1 on error. */
static int named_class(struct parser *P, const char **s, struct cls *c)
{
    static const struct {
        const char *name, *spec;
    } posix[] = {
        {"alnum", "09AZaz"},
        {"alpha", "AZaz"},
        {"ascii", "\x01\x7f"},
        {"blank", "\t\t  "},
        {"cntrl", "\x01\x1f\x7f\x7f"},
        {"digit", "09"},
        {"graph", "!~"},
        {"lower", "az"},
        {"print", " ~"},
        {"punct", "!/:@[`{~"},
        {"space", "\t\r  "},
        {"upper", "AZ"},
        {"word", "09AZaz__"},
        {"xdigit", "09AFaf"},
    };
    const char *t = *s, *close = NULL, *name;
    size_t i, nl;
    int neg = 0;

    if (P->end - t < 3 || t[0] != '[' || t[1] != ':')
        return 0;
    for (name = t + 2; name + 1 < P->end; name++)
        if (name[0] == ':' && name[1] == ']') {
            close = name;
            break;
        }
    if (!close)
        return 0;
    name = t + 2;
    if (name < close && *name == '^')
        neg = 1, name++;
    nl = (size_t)(close - name);
    for (i = 0; i < sizeof(posix) / sizeof(posix[0]); i++)
        if (strlen(posix[i].name) == nl && !memcmp(posix[i].name, name, nl)) {
            struct cls g = {0};

            ascii_ranges(&g, posix[i].spec);
            if (!strcmp(posix[i].name, "ascii") || !strcmp(posix[i].name, "cntrl"))
                cls_add(&g, 0, 0), cls_clean(&g); /* NUL, which the spec string cannot hold */
            add_group(P, c, &g, neg);
            cls_release(&g);
            *s = close + 2;
            return 1;
        }
    return perr(P, "invalid character class range", t, (size_t)(close + 2 - t));
}

/* \pL \p{Greek} \PL \p{^L}: 1 when found, 0 when *s is not one, -1 on error. */
static int unicode_class(struct parser *P, const char **s, struct cls *c)
{
    const char *t = *s, *name, *seq_end;
    size_t nl;
    int neg;
    int32_t r;
    struct cls g = {0};

    if (P->end - t < 2 || t[0] != '\\' || (t[1] != 'p' && t[1] != 'P'))
        return 0;
    neg = t[1] == 'P';
    name = t + 2;
    seq_end = name;
    if (next_rune(P, &seq_end, &r) < 0)
        return -1;
    if (r != '{') {
        nl = (size_t)(seq_end - name);
    } else {
        const char *q = memchr(t, '}', (size_t)(P->end - t));

        if (!q)
            return perr(P, "invalid character class range", t, (size_t)(P->end - t));
        name = t + 3;
        nl = (size_t)(q - name);
        seq_end = q + 1;
        for (q = name; q < name + nl;) { /* the name must be valid UTF-8 */
            size_t w;

            if (utf8_dec((const unsigned char *)q, (size_t)(name + nl - q), &w) == 0xFFFD && w == 1)
                return perr(P, "invalid UTF-8", q, (size_t)(name + nl - q));
            q += w;
        }
    }
    if (nl > 0 && *name == '^')
        neg = !neg, name++, nl--;
    if (utab_add(name, nl, &g) < 0) {
        cls_release(&g);
        return perr(P, "invalid character class range", t, (size_t)(seq_end - t));
    }
    add_group(P, c, &g, neg);
    cls_release(&g);
    *s = seq_end;
    return 1;
}

/* One rune in a bracket, or an escape. */
static int class_char(struct parser *P, const char **s, const char *whole, int32_t *r)
{
    if (*s >= P->end)
        return perr(P, "missing closing ]", whole, (size_t)(P->end - whole));
    if (**s == '\\')
        return parse_escape(P, s, r);
    return next_rune(P, s, r);
}

/* Go's parseClass: P->p at '['. */
static int parse_class(struct parser *P)
{
    const char *whole = P->p, *t = P->p + 1;
    int neg = 0, first = 1, k, rc;
    struct cls c = {0};

    if (t < P->end && *t == '^')
        neg = 1, t++;
    while (t >= P->end || *t != ']' || first) {
        const char *rng = t;
        int32_t lo, hi;

        first = 0;
        if ((rc = named_class(P, &t, &c)) != 0 || (rc = unicode_class(P, &t, &c)) != 0) {
            if (rc < 0)
                goto fail;
            continue;
        }
        if (perl_class(P, &t, &c))
            continue;
        if (class_char(P, &t, whole, &lo) < 0)
            goto fail;
        hi = lo;
        if (P->end - t >= 2 && t[0] == '-' && t[1] != ']') {
            t++;
            if (class_char(P, &t, whole, &hi) < 0)
                goto fail;
            if (hi < lo) {
                perr(P, "invalid character class range", rng, (size_t)(t - rng));
                goto fail;
            }
        }
        if (P->flags & F_I) {
            struct cls g = {0};

            cls_add(&g, lo, hi);
            cls_fold(&P->fold, &g);
            cls_add_cls(&c, &g);
            cls_release(&g);
        } else {
            cls_add(&c, lo, hi);
        }
    }
    t++;
    cls_clean(&c);
    k = new_cls(P);
    if (neg) {
        cls_add_neg(&P->cls[k], &c);
        cls_release(&c);
    } else {
        P->cls[k] = c;
    }
    push_cls(P, k);
    P->p = t;
    return 0;
fail:
    cls_release(&c);
    return -1;
}

/* Collapses the items above the last pseudo node into one concatenation. */
static void concat(struct parser *P)
{
    size_t i = P->nstack, j;
    struct node *n;
    int lits;

    while (i > 0 && !is_pseudo(P->stack[i - 1]))
        i--;
    if (P->nstack - i == 1)
        return;
    n = new_node(P, P->nstack == i ? N_EMPTY : N_CAT);
    lits = 1;
    for (j = i; j < P->nstack; j++) {
        node_kid(P, n, P->stack[j]);
        lits = lits && P->stack[j]->single == 2;
    }
    if (lits) /* Go keeps a run of literals as one string node */
        n->h = 1;
    P->nstack = i;
    push(P, n);
}

/* Collapses "e1 | e2 | ... en" above the last left paren into one alternation. */
static void alternate(struct parser *P)
{
    size_t i, j;
    struct node *n;
    int singles;

    concat(P);
    i = P->nstack;
    while (i > 0 && P->stack[i - 1]->op != N_LPAREN)
        i--;
    if (P->nstack - i == 1)
        return;
    n = new_node(P, N_ALT);
    singles = 1;
    for (j = i; j < P->nstack; j += 2) {
        node_kid(P, n, P->stack[j]);
        singles = singles && P->stack[j]->single;
    }
    if (singles) /* Go merges single-rune alternatives into one class */
        n->h = 1, n->single = 1;
    P->nstack = i;
    push(P, n);
}

static int right_paren(struct parser *P)
{
    struct node *e, *lp;

    alternate(P);
    if (P->nstack < 2 || P->stack[P->nstack - 2]->op != N_LPAREN)
        return perr_whole(P, "unexpected )");
    e = P->stack[P->nstack - 1];
    lp = P->stack[P->nstack - 2];
    P->nstack -= 2;
    P->flags = lp->b;
    if (lp->a == 0) {
        push(P, e);
    } else {
        lp->op = N_CAP;
        node_kid(P, lp, e);
        push(P, lp);
    }
    return 0;
}

static int left_paren(struct parser *P, int group)
{
    struct node *n = new_node(P, N_LPAREN);

    n->a = group;
    n->b = P->flags;
    push(P, n);
    return 0;
}

static int capture_name_ok(const char *s, size_t n)
{
    size_t i;

    if (n == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (!is_alnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

static void set_name(struct parser *P, size_t g, const char *name, size_t n)
{
    if (g >= P->anames) {
        size_t a = P->anames ? P->anames : 8;

        while (a <= g)
            a *= 2;
        P->names = dk_xrealloc(P->names, a * sizeof(*P->names));
        memset(P->names + P->anames, 0, (a - P->anames) * sizeof(*P->names));
        P->anames = a;
    }
    P->names[g] = name ? dk_xstrndup(name, n) : NULL;
}

/* Go's parsePerlFlags: P->p at "(?". */
static int perl_flags(struct parser *P)
{
    const char *s = P->p, *t = P->p + 2;
    int flags = P->flags, neg = 0, saw = 0;
    int32_t c;

    if (P->end - s > 3 && (s[2] == '<' || (s[2] == 'P' && P->end - s > 4 && s[3] == '<'))) {
        const char *begin = s[2] == 'P' ? s + 4 : s + 3, *gt, *q;

        gt = memchr(begin, '>', (size_t)(P->end - begin));
        if (!gt) {
            for (q = s; q < P->end;) {
                if (next_rune(P, &q, &c) < 0)
                    return -1;
            }
            return perr(P, "invalid named capture", s, (size_t)(P->end - s));
        }
        for (q = begin; q < gt;) {
            size_t w;

            if (utf8_dec((const unsigned char *)q, (size_t)(gt - q), &w) == 0xFFFD && w == 1)
                return perr(P, "invalid UTF-8", q, (size_t)(P->end - q));
            q += w;
        }
        if (!capture_name_ok(begin, (size_t)(gt - begin)))
            return perr(P, "invalid named capture", s, (size_t)(gt + 1 - s));
        P->ncap++;
        set_name(P, P->ncap, begin, (size_t)(gt - begin));
        if (left_paren(P, (int)P->ncap) < 0)
            return -1;
        P->p = gt + 1;
        return 0;
    }
    while (t < P->end) {
        if (next_rune(P, &t, &c) < 0)
            return -1;
        switch (c) {
        case 'i':
        case 'm':
        case 's':
        case 'U': {
            int f = c == 'i' ? F_I : c == 'm' ? F_M : c == 's' ? F_S : F_U;

            flags = neg ? flags & ~f : flags | f;
            saw = 1;
            continue;
        }
        case '-':
            if (neg)
                goto bad;
            neg = 1, saw = 0;
            continue;
        case ':':
        case ')':
            if (neg && !saw)
                goto bad;
            if (c == ':' && left_paren(P, 0) < 0)
                return -1;
            P->flags = flags;
            P->p = t;
            return 0;
        default:
            goto bad;
        }
    }
bad:
    return perr(P, "invalid or unsupported Perl syntax", s, (size_t)(t - s));
}

/* Go's repeatIsValid: nested counted repetitions may not multiply past n. */
static int repeat_ok(const struct node *re, int n)
{
    size_t i;

    if (re->op == N_REP && re->braces) {
        int m = re->b;

        if (m == 0)
            return 1;
        if (m < 0)
            m = re->a;
        if (m > n)
            return 0;
        if (m > 0)
            n /= m;
    }
    for (i = 0; i < re->nkid; i++)
        if (!repeat_ok(re->kid[i], n))
            return 0;
    return 1;
}

/* Applies a repetition to the top of the stack; *after is the text after the operator. */
static int repetition(struct parser *P, int min, int max, int braces, const char *before,
                      const char **after, const char *last_repeat)
{
    int flags = P->flags;
    struct node *sub, *n;

    if (*after < P->end && **after == '?')
        (*after)++, flags ^= F_U;
    if (last_repeat)
        return perr(P, "invalid nested repetition operator", last_repeat,
                    (size_t)(*after - last_repeat));
    if (P->nstack == 0 || is_pseudo(P->stack[P->nstack - 1]))
        return perr(P, "missing argument to repetition operator", before,
                    (size_t)(*after - before));
    sub = P->stack[P->nstack - 1];
    n = new_node(P, N_REP);
    n->a = min, n->b = max, n->braces = braces;
    n->greedy = !(flags & F_U);
    node_kid(P, n, sub);
    P->stack[P->nstack - 1] = n;
    if (braces && (min >= 2 || max >= 2) && !repeat_ok(n, MAX_REPEAT))
        return perr(P, "invalid repeat count", before, (size_t)(*after - before));
    return 0;
}

static int parse_int(const char **s, const char *end, int *n)
{
    const char *t = *s;

    if (t >= end || *t < '0' || *t > '9')
        return 0;
    if (end - t >= 2 && t[0] == '0' && t[1] >= '0' && t[1] <= '9')
        return 0;
    *n = 0;
    for (; t < end && *t >= '0' && *t <= '9'; t++)
        if (*n >= 0) {
            if (*n >= 100000000)
                *n = -1;
            else
                *n = *n * 10 + (*t - '0');
        }
    *s = t;
    return 1;
}

/* Go's parseRepeat: {n} {n,} {n,m}; 0 when the text is not one (a literal '{'). */
static int parse_repeat(const char **s, const char *end, int *min, int *max)
{
    const char *t = *s + 1;

    if (!parse_int(&t, end, min) || t >= end)
        return 0;
    if (*t != ',') {
        *max = *min;
    } else {
        t++;
        if (t >= end)
            return 0;
        if (*t == '}') {
            *max = -1;
        } else {
            if (!parse_int(&t, end, max))
                return 0;
            if (*max < 0)
                *min = -1;
        }
    }
    if (t >= end || *t != '}')
        return 0;
    *s = t + 1;
    return 1;
}

static void push_assert(struct parser *P, enum assert a)
{
    struct node *n = new_node(P, N_ASSERT);

    n->a = a;
    push(P, n);
}

static int parse(struct parser *P, struct node **out)
{
    const char *last_repeat = NULL;

    while (P->p < P->end) {
        const char *repeat = NULL, *t = P->p;
        int32_t r;

        switch (*t) {
        case '(':
            if (P->end - t >= 2 && t[1] == '?') {
                if (perl_flags(P) < 0)
                    return -1;
                break;
            }
            P->ncap++;
            set_name(P, P->ncap, NULL, 0);
            if (left_paren(P, (int)P->ncap) < 0)
                return -1;
            P->p++;
            break;
        case '|':
            concat(P);
            push(P, new_node(P, N_VBAR));
            P->p++;
            break;
        case ')':
            if (right_paren(P) < 0)
                return -1;
            P->p++;
            break;
        case '^':
            push_assert(P, P->flags & F_M ? A_BOL : A_BOT);
            P->p++;
            break;
        case '$':
            push_assert(P, P->flags & F_M ? A_EOL : A_EOT);
            P->p++;
            break;
        case '.':
            push(P, new_node(P, P->flags & F_S ? N_ANY : N_ANYNL));
            P->stack[P->nstack - 1]->single = 1;
            P->p++;
            break;
        case '[':
            if (parse_class(P) < 0)
                return -1;
            break;
        case '*':
        case '+':
        case '?': {
            const char *after = t + 1;
            int min = *t == '+' ? 1 : 0, max = *t == '?' ? 1 : -1;

            if (repetition(P, min, max, 0, t, &after, last_repeat) < 0)
                return -1;
            repeat = t;
            P->p = after;
            break;
        }
        case '{': {
            const char *after = t;
            int min, max;

            if (!parse_repeat(&after, P->end, &min, &max)) {
                literal(P, '{');
                P->p++;
                break;
            }
            if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max))
                return perr(P, "invalid repeat count", t, (size_t)(after - t));
            if (repetition(P, min, max, 1, t, &after, last_repeat) < 0)
                return -1;
            repeat = t;
            P->p = after;
            break;
        }
        case '\\': {
            int k, rc;

            if (P->end - t >= 2) {
                switch (t[1]) {
                case 'A':
                    push_assert(P, A_BOT);
                    P->p += 2;
                    goto next;
                case 'b':
                    push_assert(P, A_WB);
                    P->p += 2;
                    goto next;
                case 'B':
                    push_assert(P, A_NWB);
                    P->p += 2;
                    goto next;
                case 'z':
                    push_assert(P, A_EOT);
                    P->p += 2;
                    goto next;
                case 'C':
                    return perr(P, "invalid escape sequence", t, 2);
                case 'Q': {
                    const char *q = t + 2, *stop = P->end;

                    for (; q + 1 < P->end; q++)
                        if (q[0] == '\\' && q[1] == 'E') {
                            stop = q;
                            break;
                        }
                    q = t + 2;
                    while (q < stop) {
                        if (next_rune(P, &q, &r) < 0)
                            return -1;
                        literal(P, r);
                    }
                    P->p = stop < P->end ? stop + 2 : stop;
                    goto next;
                }
                default:
                    break;
                }
            }
            k = new_cls(P);
            rc = unicode_class(P, &P->p, &P->cls[k]);
            if (rc < 0)
                return -1;
            if (rc == 0)
                rc = perl_class(P, &P->p, &P->cls[k]);
            if (rc > 0) {
                cls_clean(&P->cls[k]);
                push_cls(P, k);
                break;
            }
            P->ncls--; /* not a class: give the slot back */
            if (parse_escape(P, &P->p, &r) < 0)
                return -1;
            literal(P, r);
            break;
        }
        default:
            if (next_rune(P, &P->p, &r) < 0)
                return -1;
            literal(P, r);
            break;
        }
    next:
        last_repeat = repeat;
        if (P->too_deep)
            return perr_whole(P, "expression nests too deeply");
    }
    alternate(P);
    if (P->too_deep)
        return perr_whole(P, "expression nests too deeply");
    if (P->nstack != 1 || P->stack[0]->op == N_LPAREN)
        return perr_whole(P, "missing closing )");
    *out = P->stack[0];
    return 0;
}

/* ---- compiler ---- */

enum iop { I_MATCH, I_RUNE, I_CLASS, I_ANY, I_ANYNL, I_SPLIT, I_JMP, I_SAVE, I_ASSERT };

struct inst {
    unsigned char op;
    int32_t x, y; /* RUNE: rune; CLASS: class; SPLIT: preferred, other; JMP: target; SAVE:
                     slot; ASSERT: kind */
};

struct dk_regex {
    char *pattern;
    size_t plen;
    struct inst *prog;
    size_t nprog, aprog;
    struct cls *cls;
    size_t ncls;
    char **names; /* names[0..ngroups], "" for unnamed */
    size_t ngroups;
    int anchored; /* starts with \A (or ^ without (?m)): only position 0 can match */
};

static int nullable(const struct node *n)
{
    size_t i;

    switch (n->op) {
    case N_EMPTY:
    case N_ASSERT:
        return 1;
    case N_CAT:
        for (i = 0; i < n->nkid; i++)
            if (!nullable(n->kid[i]))
                return 0;
        return 1;
    case N_ALT:
        for (i = 0; i < n->nkid; i++)
            if (nullable(n->kid[i]))
                return 1;
        return 0;
    case N_REP:
        return n->a == 0 || nullable(n->kid[0]);
    case N_CAP:
        return nullable(n->kid[0]);
    default:
        return 0;
    }
}

static long emit(struct dk_regex *re, int op, int32_t x, int32_t y)
{
    if (re->nprog >= DK_REGEX_MAX_INSTS)
        return -1;
    if (re->nprog == re->aprog) {
        re->aprog = re->aprog ? 2 * re->aprog : 32;
        re->prog = dk_xrealloc(re->prog, re->aprog * sizeof(*re->prog));
    }
    re->prog[re->nprog].op = (unsigned char)op;
    re->prog[re->nprog].x = x;
    re->prog[re->nprog].y = y;
    return (long)re->nprog++;
}

#define EMIT(op, x, y)                                                                             \
    do {                                                                                           \
        if ((pc = emit(re, op, x, y)) < 0)                                                         \
            return -1;                                                                             \
    } while (0)

static int comp(struct dk_regex *re, const struct node *n);

/* x+ (greedy or not): body, then a split back to it. */
static int comp_plus(struct dk_regex *re, const struct node *sub, int greedy)
{
    long start = (long)re->nprog, pc;

    if (comp(re, sub) < 0)
        return -1;
    EMIT(I_SPLIT, 0, 0);
    re->prog[pc].x = greedy ? (int32_t)start : (int32_t)pc + 1;
    re->prog[pc].y = greedy ? (int32_t)pc + 1 : (int32_t)start;
    return 0;
}

/* x? around whatever comp_body emits. */
static int comp_quest(struct dk_regex *re, const struct node *sub, int greedy, int as_plus)
{
    long split, pc;

    EMIT(I_SPLIT, 0, 0);
    split = pc;
    if ((as_plus ? comp_plus(re, sub, greedy) : comp(re, sub)) < 0)
        return -1;
    re->prog[split].x = greedy ? (int32_t)split + 1 : (int32_t)re->nprog;
    re->prog[split].y = greedy ? (int32_t)re->nprog : (int32_t)split + 1;
    return 0;
}

static int comp_rep(struct dk_regex *re, const struct node *n)
{
    const struct node *sub = n->kid[0];
    int min = n->a, max = n->b, i;
    long pc;

    if (max == -1) {
        if (min == 0) {
            long split;

            if (nullable(sub)) /* Go compiles x* as (x+)? when x can be empty */
                return comp_quest(re, sub, n->greedy, 1);
            EMIT(I_SPLIT, 0, 0);
            split = pc;
            if (comp(re, sub) < 0)
                return -1;
            EMIT(I_JMP, (int32_t)split, 0);
            re->prog[split].x = n->greedy ? (int32_t)split + 1 : (int32_t)re->nprog;
            re->prog[split].y = n->greedy ? (int32_t)re->nprog : (int32_t)split + 1;
            return 0;
        }
        for (i = 0; i < min - 1; i++)
            if (comp(re, sub) < 0)
                return -1;
        return comp_plus(re, sub, n->greedy);
    }
    for (i = 0; i < min; i++)
        if (comp(re, sub) < 0)
            return -1;
    if (max > min) {
        /* (x(x(x)?)?)?: every skip goes to the end */
        long *splits = dk_xmalloc((size_t)(max - min) * sizeof(*splits));
        int k;

        for (k = 0; k < max - min; k++) {
            if ((splits[k] = emit(re, I_SPLIT, 0, 0)) < 0 || comp(re, sub) < 0) {
                free(splits);
                return -1;
            }
        }
        for (k = 0; k < max - min; k++) {
            re->prog[splits[k]].x = n->greedy ? (int32_t)splits[k] + 1 : (int32_t)re->nprog;
            re->prog[splits[k]].y = n->greedy ? (int32_t)re->nprog : (int32_t)splits[k] + 1;
        }
        free(splits);
    }
    return 0;
}

static int comp(struct dk_regex *re, const struct node *n)
{
    size_t i;
    long pc;

    switch (n->op) {
    case N_EMPTY:
        return 0;
    case N_CLASS: {
        const struct cls *c = &re->cls[n->a];

        if (c->n == 1 && c->r[0][0] == c->r[0][1])
            EMIT(I_RUNE, c->r[0][0], 0);
        else
            EMIT(I_CLASS, n->a, 0);
        return 0;
    }
    case N_ANY:
        EMIT(I_ANY, 0, 0);
        return 0;
    case N_ANYNL:
        EMIT(I_ANYNL, 0, 0);
        return 0;
    case N_ASSERT:
        EMIT(I_ASSERT, n->a, 0);
        return 0;
    case N_CAT:
        for (i = 0; i < n->nkid; i++)
            if (comp(re, n->kid[i]) < 0)
                return -1;
        return 0;
    case N_ALT: {
        long *jmps = dk_xmalloc(n->nkid * sizeof(*jmps));
        int rc = -1;

        for (i = 0; i < n->nkid; i++) {
            long split = -1;

            if (i + 1 < n->nkid && (split = emit(re, I_SPLIT, 0, 0)) < 0)
                goto alt_out;
            if (comp(re, n->kid[i]) < 0)
                goto alt_out;
            if (i + 1 < n->nkid) {
                if ((jmps[i] = emit(re, I_JMP, 0, 0)) < 0)
                    goto alt_out;
                re->prog[split].x = (int32_t)split + 1;
                re->prog[split].y = (int32_t)re->nprog;
            }
        }
        for (i = 0; i + 1 < n->nkid; i++)
            re->prog[jmps[i]].x = (int32_t)re->nprog;
        rc = 0;
    alt_out:
        free(jmps);
        return rc;
    }
    case N_REP:
        return comp_rep(re, n);
    case N_CAP:
        EMIT(I_SAVE, 2 * n->a, 0);
        if (comp(re, n->kid[0]) < 0)
            return -1;
        EMIT(I_SAVE, 2 * n->a + 1, 0);
        return 0;
    default:
        return 0;
    }
}

static int starts_anchored(const struct node *n)
{
    while (n->op == N_CAT && n->nkid > 0)
        n = n->kid[0];
    return n->op == N_ASSERT && n->a == A_BOT;
}

static void parser_release(struct parser *P)
{
    size_t i;

    for (i = 0; i < P->nall; i++) {
        free(P->all[i]->kid);
        free(P->all[i]);
    }
    free(P->all);
    free(P->stack);
    for (i = 0; i < P->ncls; i++)
        cls_release(&P->cls[i]);
    free(P->cls);
    for (i = 0; i < P->anames; i++)
        free(P->names[i]);
    free(P->names);
    fold_release(&P->fold);
}

int dk_regex_compile(const char *pat, size_t len, struct dk_regex **out, struct dk_err *err)
{
    struct parser P;
    struct dk_regex *re;
    struct node *root = NULL;
    size_t i;
    long pc;

    *out = NULL;
    memset(&P, 0, sizeof(P));
    P.whole = pat, P.wlen = len;
    P.p = pat, P.end = pat + len;
    P.err = err;
    if (parse(&P, &root) < 0) {
        parser_release(&P);
        return -1;
    }
    re = dk_xcalloc(1, sizeof(*re));
    re->pattern = dk_xmalloc(len + 1);
    memcpy(re->pattern, pat, len);
    re->pattern[len] = '\0';
    re->plen = len;
    re->cls = P.cls, re->ncls = P.ncls;
    P.cls = NULL, P.ncls = 0;
    re->ngroups = P.ncap;
    re->names = dk_xcalloc(P.ncap + 1, sizeof(*re->names));
    for (i = 0; i <= P.ncap; i++)
        re->names[i] = dk_xstrdup(i < P.anames && P.names[i] ? P.names[i] : "");
    re->anchored = starts_anchored(root);
    if ((pc = emit(re, I_SAVE, 0, 0)) < 0 || comp(re, root) < 0 ||
        (pc = emit(re, I_SAVE, 1, 0)) < 0 || (pc = emit(re, I_MATCH, 0, 0)) < 0) {
        perr_whole(&P, "expression too large");
        parser_release(&P);
        dk_regex_free(re);
        return -1;
    }
    parser_release(&P);
    *out = re;
    return 0;
}

void dk_regex_free(struct dk_regex *re)
{
    size_t i;

    if (!re)
        return;
    free(re->pattern);
    free(re->prog);
    for (i = 0; i < re->ncls; i++)
        cls_release(&re->cls[i]);
    free(re->cls);
    if (re->names)
        for (i = 0; i <= re->ngroups; i++)
            free(re->names[i]);
    free(re->names);
    free(re);
}

const char *dk_regex_pattern(const struct dk_regex *re)
{
    return re->pattern;
}

size_t dk_regex_ngroups(const struct dk_regex *re)
{
    return re->ngroups;
}

const char *dk_regex_group_name(const struct dk_regex *re, size_t i)
{
    return i <= re->ngroups ? re->names[i] : "";
}

/* ---- Pike VM ---- */

struct tlist {
    uint32_t *pc;
    ssize_t *cap; /* ncap per thread */
    size_t n, alloc;
};

struct vm {
    const struct dk_regex *re;
    const unsigned char *s;
    size_t len, ncap;
    struct tlist l[2];
    uint32_t *seen, gen;
    struct {
        int32_t pc; /* -1: restore cap[slot] to val */
        int32_t slot;
        ssize_t val;
    } * stack;
    ssize_t *work, *best;
};

static void vm_init(struct vm *v, const struct dk_regex *re, const char *s, size_t len)
{
    memset(v, 0, sizeof(*v));
    v->re = re;
    v->s = (const unsigned char *)s;
    v->len = len;
    v->ncap = 2 * (re->ngroups + 1);
    v->seen = dk_xcalloc(re->nprog, sizeof(*v->seen));
    v->stack = dk_xmalloc((2 * re->nprog + 2) * sizeof(*v->stack));
    v->work = dk_xmalloc(v->ncap * sizeof(*v->work));
    v->best = dk_xmalloc(v->ncap * sizeof(*v->best));
}

static void vm_release(struct vm *v)
{
    int i;

    for (i = 0; i < 2; i++) {
        free(v->l[i].pc);
        free(v->l[i].cap);
    }
    free(v->seen);
    free(v->stack);
    free(v->work);
    free(v->best);
}

static int is_word_at(const struct vm *v, size_t i)
{
    unsigned char c;

    if (i >= v->len)
        return 0;
    c = v->s[i];
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int assert_ok(const struct vm *v, int kind, size_t i)
{
    switch (kind) {
    case A_BOL:
        return i == 0 || v->s[i - 1] == '\n';
    case A_EOL:
        return i == v->len || v->s[i] == '\n';
    case A_BOT:
        return i == 0;
    case A_EOT:
        return i == v->len;
    case A_WB:
        return (i > 0 && is_word_at(v, i - 1)) != is_word_at(v, i);
    default:
        return (i > 0 && is_word_at(v, i - 1)) == is_word_at(v, i);
    }
}

/* Follows the empty transitions from pc at position i with captures cap, adding the threads
 * that consume a rune (or match) to l in priority order. */
static void add(struct vm *v, struct tlist *l, uint32_t pc0, size_t i, const ssize_t *cap)
{
    const struct inst *prog = v->re->prog;
    size_t sp = 0;

    memcpy(v->work, cap, v->ncap * sizeof(*cap));
    v->stack[sp].pc = (int32_t)pc0, sp++;
    while (sp > 0) {
        int32_t pc;
        const struct inst *in;

        sp--;
        pc = v->stack[sp].pc;
        if (pc < 0) {
            v->work[v->stack[sp].slot] = v->stack[sp].val;
            continue;
        }
        if (v->seen[pc] == v->gen)
            continue;
        v->seen[pc] = v->gen;
        in = &prog[pc];
        switch (in->op) {
        case I_JMP:
            v->stack[sp++].pc = in->x;
            break;
        case I_SPLIT:
            v->stack[sp++].pc = in->y;
            v->stack[sp++].pc = in->x;
            break;
        case I_SAVE:
            if ((size_t)in->x < v->ncap) {
                v->stack[sp].pc = -1;
                v->stack[sp].slot = in->x;
                v->stack[sp].val = v->work[in->x];
                sp++;
                v->work[in->x] = (ssize_t)i;
            }
            v->stack[sp++].pc = pc + 1;
            break;
        case I_ASSERT:
            if (assert_ok(v, in->x, i))
                v->stack[sp++].pc = pc + 1;
            break;
        default:
            if (l->n == l->alloc) {
                l->alloc = l->alloc ? 2 * l->alloc : 16;
                l->pc = dk_xrealloc(l->pc, l->alloc * sizeof(*l->pc));
                l->cap = dk_xrealloc(l->cap, l->alloc * v->ncap * sizeof(*l->cap));
            }
            l->pc[l->n] = (uint32_t)pc;
            memcpy(l->cap + l->n * v->ncap, v->work, v->ncap * sizeof(*v->work));
            l->n++;
            break;
        }
    }
}

static void next_gen(struct vm *v)
{
    if (++v->gen == 0) {
        memset(v->seen, 0, v->re->nprog * sizeof(*v->seen));
        v->gen = 1;
    }
}

/* Leftmost-first search from pos; fills v->best. any: stop at the first match of any kind. */
static int vm_run(struct vm *v, size_t pos, int any)
{
    struct tlist *cl = &v->l[0], *nl = &v->l[1], *tmp;
    const struct inst *prog = v->re->prog;
    int matched = 0;
    size_t i = pos, k;

    if (pos > v->len)
        return 0;
    cl->n = nl->n = 0;
    next_gen(v);
    for (;;) {
        int32_t r = -1;
        size_t w = 0;

        if (cl->n == 0 && (matched || (v->re->anchored && i > 0)))
            break;
        if (!matched && (!v->re->anchored || i == 0)) {
            for (k = 0; k < v->ncap; k++)
                v->work[k] = -1;
            memcpy(v->best, v->work, v->ncap * sizeof(*v->work)); /* a clean start vector */
            add(v, cl, 0, i, v->best);
        }
        if (i < v->len)
            r = utf8_dec(v->s + i, v->len - i, &w);
        next_gen(v);
        nl->n = 0;
        for (k = 0; k < cl->n; k++) {
            const struct inst *in = &prog[cl->pc[k]];
            const ssize_t *cap = cl->cap + k * v->ncap;
            int ok = 0;

            switch (in->op) {
            case I_MATCH:
                memcpy(v->best, cap, v->ncap * sizeof(*cap));
                matched = 1;
                if (any)
                    return 1;
                k = cl->n; /* lower-priority threads are cut off */
                continue;
            case I_RUNE:
                ok = r == in->x;
                break;
            case I_CLASS:
                ok = r >= 0 && cls_has(&v->re->cls[in->x], r);
                break;
            case I_ANY:
                ok = r >= 0;
                break;
            case I_ANYNL:
                ok = r >= 0 && r != '\n';
                break;
            default:
                break;
            }
            if (ok)
                add(v, nl, cl->pc[k] + 1, i + w, cap);
        }
        if (i >= v->len)
            break;
        i += w;
        tmp = cl, cl = nl, nl = tmp;
    }
    return matched;
}

int dk_regex_match(const struct dk_regex *re, const char *s, size_t len)
{
    struct vm v;
    int rc;

    vm_init(&v, re, s, len);
    rc = vm_run(&v, 0, 1);
    vm_release(&v);
    return rc;
}

static int find_with(struct vm *v, size_t pos, ssize_t *m, size_t nm)
{
    if (!vm_run(v, pos, 0))
        return 0;
    if (m)
        memcpy(m, v->best, (nm < v->ncap ? nm : v->ncap) * sizeof(*m));
    if (m && nm > v->ncap) {
        size_t k;

        for (k = v->ncap; k < nm; k++)
            m[k] = -1;
    }
    return 1;
}

int dk_regex_find(const struct dk_regex *re, const char *s, size_t len, size_t pos, ssize_t *m,
                  size_t nm)
{
    struct vm v;
    int rc;

    vm_init(&v, re, s, len);
    rc = find_with(&v, pos, m, nm);
    vm_release(&v);
    return rc;
}

/* Width of the rune at i (0 at the end), as the iteration in Go's allMatches uses. */
static size_t width_at(const char *s, size_t len, size_t i)
{
    size_t w = 0;

    if (i < len)
        utf8_dec((const unsigned char *)s + i, len - i, &w);
    return w;
}

size_t dk_regex_find_all(const struct dk_regex *re, const char *s, size_t len, long long n,
                         ssize_t **out)
{
    struct vm v;
    size_t count = 0, alloc = 0, pos = 0, ncap = 2 * (re->ngroups + 1);
    ssize_t prev_end = -1, *res = NULL;

    if (n < 0)
        n = (long long)len + 1;
    vm_init(&v, re, s, len);
    while ((long long)count < n && pos <= len) {
        int accept = 1;

        if (!vm_run(&v, pos, 0))
            break;
        if ((size_t)v.best[1] == pos) {
            if (v.best[0] == prev_end)
                accept = 0; /* no empty match right after a match */
            pos += pos < len ? width_at(s, len, pos) : 1;
        } else {
            pos = (size_t)v.best[1];
        }
        prev_end = v.best[1];
        if (accept) {
            if (count == alloc) {
                alloc = alloc ? 2 * alloc : 8;
                res = dk_xrealloc(res, alloc * ncap * sizeof(*res));
            }
            memcpy(res + count * ncap, v.best, ncap * sizeof(*res));
            count++;
        }
    }
    vm_release(&v);
    *out = res;
    return count;
}

static int is_letter_or_digit(int32_t r)
{
    struct cls c = {0};
    int yes;

    if (r < 0x80)
        return is_alnum(r);
    utab_add("L", 1, &c);
    utab_add("Nd", 2, &c);
    cls_clean(&c);
    yes = cls_has(&c, r);
    cls_release(&c);
    return yes;
}

/* Go's extract: a group reference after '$'. Returns the bytes used (0: not a reference), the
 * name in *name and *nl, and the number in *num (-1 for a name). */
static size_t extract(const char *t, size_t len, const char **name, size_t *nl, long *num)
{
    size_t i = 0, k;
    int brace = 0;

    if (len == 0)
        return 0;
    if (t[0] == '{')
        brace = 1, i = 1;
    *name = t + i;
    while (i < len) {
        size_t w;
        int32_t r = utf8_dec((const unsigned char *)t + i, len - i, &w);

        if (!is_letter_or_digit(r) && r != '_')
            break;
        i += w;
    }
    *nl = (size_t)(t + i - *name);
    if (*nl == 0)
        return 0;
    if (brace) {
        if (i >= len || t[i] != '}')
            return 0;
        i++;
    }
    *num = 0;
    for (k = 0; k < *nl; k++) {
        if ((*name)[k] < '0' || (*name)[k] > '9' || *num >= 100000000) {
            *num = -1;
            break;
        }
        *num = *num * 10 + ((*name)[k] - '0');
    }
    if ((*name)[0] == '0' && *nl > 1)
        *num = -1;
    return i;
}

void dk_regex_expand(const struct dk_regex *re, struct dk_buf *b, const char *tmpl, size_t tmpl_len,
                     const char *s, const ssize_t *m)
{
    const char *t = tmpl, *end = tmpl + tmpl_len;

    while (t < end) {
        const char *dollar = memchr(t, '$', (size_t)(end - t)), *name;
        size_t used, nl;
        long num, g = -1;

        if (!dollar)
            break;
        dk_buf_addn(b, t, (size_t)(dollar - t));
        t = dollar + 1;
        if (t < end && *t == '$') {
            dk_buf_addch(b, '$');
            t++;
            continue;
        }
        used = extract(t, (size_t)(end - t), &name, &nl, &num);
        if (used == 0) {
            dk_buf_addch(b, '$');
            continue;
        }
        t += used;
        if (num >= 0) {
            g = num;
        } else {
            size_t i;

            for (i = 0; i <= re->ngroups; i++)
                if (strlen(re->names[i]) == nl && nl > 0 && !memcmp(re->names[i], name, nl)) {
                    g = (long)i;
                    break;
                }
        }
        if (g >= 0 && (size_t)g <= re->ngroups && m[2 * g] >= 0)
            dk_buf_addn(b, s + m[2 * g], (size_t)(m[2 * g + 1] - m[2 * g]));
    }
    dk_buf_addn(b, t, (size_t)(end - t));
}

void dk_regex_replace_all(const struct dk_regex *re, struct dk_buf *b, const char *s, size_t len,
                          const char *repl, size_t repl_len, int literal)
{
    struct vm v;
    size_t last_end = 0, pos = 0;

    vm_init(&v, re, s, len);
    while (pos <= len) {
        size_t ms, me, w;

        if (!vm_run(&v, pos, 0))
            break;
        ms = (size_t)v.best[0], me = (size_t)v.best[1];
        dk_buf_addn(b, s + last_end, ms - last_end);
        /* no replacement for an empty match right after another match */
        if (me > last_end || ms == 0) {
            if (literal)
                dk_buf_addn(b, repl, repl_len);
            else
                dk_regex_expand(re, b, repl, repl_len, s, v.best);
        }
        last_end = me;
        w = width_at(s, len, pos);
        if (pos + w > me)
            pos += w;
        else if (pos + 1 > me)
            pos++;
        else
            pos = me;
    }
    dk_buf_addn(b, s + last_end, len - last_end);
    vm_release(&v);
}

size_t dk_regex_split(const struct dk_regex *re, const char *s, size_t len, long long n,
                      size_t **pieces)
{
    ssize_t *m = NULL;
    size_t nm, i, count = 0, beg = 0, end = 0, ncap = 2 * (re->ngroups + 1);
    size_t *out;

    *pieces = NULL;
    if (n == 0)
        return 0;
    if (re->plen > 0 && len == 0) {
        out = dk_xmalloc(2 * sizeof(*out));
        out[0] = out[1] = 0;
        *pieces = out;
        return 1;
    }
    nm = dk_regex_find_all(re, s, len, n, &m);
    out = dk_xmalloc((nm + 1) * 2 * sizeof(*out));
    for (i = 0; i < nm; i++) {
        if (n > 0 && (long long)count == n - 1)
            break;
        end = (size_t)m[i * ncap];
        if (m[i * ncap + 1] != 0) {
            out[2 * count] = beg, out[2 * count + 1] = end;
            count++;
        }
        beg = (size_t)m[i * ncap + 1];
    }
    if (end != len) {
        out[2 * count] = beg, out[2 * count + 1] = len;
        count++;
    }
    free(m);
    if (count == 0) {
        free(out);
        out = NULL;
    }
    *pieces = out;
    return count;
}

void dk_regex_quote_meta(struct dk_buf *b, const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (strchr("\\.+*?()|[]{}^$", s[i]) && s[i])
            dk_buf_addch(b, '\\');
        dk_buf_addch(b, s[i]);
    }
}
