/*
 * regex: regular expressions with Go's regexp syntax and results (RE2: leftmost-first matching
 * like Perl, UTF-8 text), for the template functions that charts call (regexMatch, regexFind,
 * regexReplaceAll, regexSplit...).
 *
 * Syntax (Go's regexp/syntax with the Perl flags regexp.Compile uses): literals, '.', classes
 * [a-z] [^...] with [[:alpha:]] POSIX names, \d \D \w \W \s \S (ASCII, as in Go), \pL \PL
 * \p{Greek} \p{^Lu}; escapes \a \f \t \n \r \v \x7f \x{10FFFF} \123 \Q...\E and escaped
 * punctuation; anchors ^ $ \A \z \b \B; groups (...) (?:...) (?P<name>...) (?<name>...); flags (?i)
 * (?m) (?s) (?U), their negations and (?flags:...); alternation; * + ? {n} {n,} {n,m} and their
 * lazy forms (count at most 1000). Bad patterns fail with Go's messages, such as
 * "error parsing regexp: missing closing ): `(ab`".
 *
 * Matching is a Pike VM (an NFA simulation with submatches): time grows with pattern size times
 * text size, never exponentially. Text is bytes; '.' and classes decode UTF-8, an invalid byte
 * reads as U+FFFD (width 1), as Go does. Offsets are byte offsets.
 *
 * \p names are looked up as Go 1.25 does (case, '_', '-' and ' ' ignored): the general categories
 * and their groups (L, Lu, Ll, Lt, Lm, Lo, LC, M, Mn, Mc, Me, N, Nd, Nl, No, P, Pc, Pd, Ps, Pe,
 * Pi, Pf, Po, S, Sm, Sc, Sk, So, Z, Zs, Zl, Zp, C, Cc, Cf, Co, Cs, Cn) and their long names
 * (Letter, Lowercase_Letter, ...), Any, Assigned, ASCII, and the scripts.
 *
 * Known differences from Go: the only scripts are Arabic, Armenian, Cyrillic, Devanagari,
 * Georgian, Greek, Han, Hangul, Hebrew, Hiragana, Katakana, Latin and Thai (other script names
 * are "invalid character class range" errors); the category and script tables are Unicode 14.0 (Go
 * has 15.0, so letters added in 15.0 are not letters here); case folding uses the simple
 * upper/lower mappings of Unicode 14.0; a program larger than DK_REGEX_MAX_INSTS instructions
 * fails with "expression too large" (Go's limit is higher); the nesting limit (1000, "expression
 * nests too deeply") counts the parse tree as Go does for usual patterns, not after Go's
 * factoring of alternations.
 *
 * Ownership: dk_regex_compile() returns a struct the caller frees with dk_regex_free(); the
 * other functions only read it (a compiled expression may be shared by threads). Texts and
 * templates are borrowed.
 */
#ifndef DK_REGEX_H
#define DK_REGEX_H

#include <stddef.h>
#include <sys/types.h>

#include "dk/buf.h"
#include "dk/err.h"

/* Largest compiled program accepted. */
#define DK_REGEX_MAX_INSTS 200000

struct dk_regex;

/* Compiles len bytes of pat. On success *out gets a new expression (caller frees with
 * dk_regex_free()); on a bad pattern fails with DK_E_INPUT and Go's error text:
 * "error parsing regexp: CODE: `EXPR`". */
int dk_regex_compile(const char *pat, size_t len, struct dk_regex **out, struct dk_err *err);
/* Frees re; NULL is fine. */
void dk_regex_free(struct dk_regex *re);

/* The pattern as given (NUL-terminated, borrowed). */
const char *dk_regex_pattern(const struct dk_regex *re);
/* Number of capture groups (group 0, the whole match, not counted). */
size_t dk_regex_ngroups(const struct dk_regex *re);
/* Name of group i (1..ngroups), "" when it has none (borrowed). */
const char *dk_regex_group_name(const struct dk_regex *re, size_t i);

/* 1 when re matches somewhere in s[0..len), else 0. */
int dk_regex_match(const struct dk_regex *re, const char *s, size_t len);

/*
 * Finds the leftmost-first match starting at byte pos or later (the text before pos still counts
 * for ^, \b and the like). Returns 1 and fills m[0..2*(ngroups+1)) with start/end offsets of
 * the match and of each group (-1 for a group that did not take part), or 0 when there is no
 * match (m untouched). m may be NULL; nm is its number of elements (fewer slots are fine).
 */
int dk_regex_find(const struct dk_regex *re, const char *s, size_t len, size_t pos, ssize_t *m,
                  size_t nm);

/*
 * Go's FindAll...Index: the successive non-overlapping matches, at most n (n < 0: all), an
 * empty match right after a previous match skipped. *out gets a malloc'd array (caller frees)
 * of count * 2*(ngroups+1) offsets, laid out like dk_regex_find()'s m; NULL when count is 0.
 * Returns the number of matches.
 */
size_t dk_regex_find_all(const struct dk_regex *re, const char *s, size_t len, long long n,
                         ssize_t **out);

/* Appends to b Go's Regexp.Expand of tmpl for match m (all 2*(ngroups+1) slots, from
 * dk_regex_find() on s): $1 ${1}
 * $name ${name} for groups (nothing for a group that did not take part or does not exist), $$
 * for '$'; a '$' that starts no reference is kept. */
void dk_regex_expand(const struct dk_regex *re, struct dk_buf *b, const char *tmpl, size_t tmpl_len,
                     const char *s, const ssize_t *m);

/* Go's ReplaceAllString (literal 0: repl expanded as dk_regex_expand) and
 * ReplaceAllLiteralString (literal 1), appended to b. */
void dk_regex_replace_all(const struct dk_regex *re, struct dk_buf *b, const char *s, size_t len,
                          const char *repl, size_t repl_len, int literal);

/*
 * Go's Split: the pieces of s between matches, at most n (n < 0: all; n == 0: none, and
 * *pieces NULL). *pieces gets a malloc'd array (caller frees) of count start/end offset pairs
 * into s. Returns count.
 */
size_t dk_regex_split(const struct dk_regex *re, const char *s, size_t len, long long n,
                      size_t **pieces);

/* Appends Go's QuoteMeta of s: a backslash before each of \.+*?()|[]{}^$ . */
void dk_regex_quote_meta(struct dk_buf *b, const char *s, size_t len);

#endif
