/*
 * tmplfuncs_int: what the common/tmplfuncs*.c files share (internal, not installed).
 *
 * Each file keeps a table of struct fdef and hands it to dk_tmplfuncs_add() from its
 * dk_tmplfuncs_register_* function; a function reads its own entry through c->ud (name and
 * arity). FN declares one, ARITY checks the argument count as Go's text/template does,
 * STRARGS checks the parameters Go types as string, S(i)/L(i) are the bytes and length of
 * string argument i. The helpers are sprig's coercions, defined in tmplfuncs.c.
 */
#ifndef DK_TMPLFUNCS_INT_H
#define DK_TMPLFUNCS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dk/buf.h"
#include "dk/err.h"
#include "dk/tmpl.h"

/* What the registration table tells each function about itself (c->ud). */
struct fdef {
    const char *name;
    dk_tmpl_fn fn;
    int min, max; /* arity; max -1 for variadic */
};

#define FN(name)                                                                                   \
    static int name(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,   \
                    struct dk_err *err)

#define ARITY()                                                                                    \
    do {                                                                                           \
        if (dk_tmplfuncs_arity(c, n, err) < 0)                                                     \
            return -1;                                                                             \
    } while (0)

#define STRARGS(...)                                                                               \
    do {                                                                                           \
        size_t idx_[] = {__VA_ARGS__}, k_;                                                         \
        for (k_ = 0; k_ < sizeof(idx_) / sizeof(idx_[0]); k_++)                                    \
            if (dk_tmplfuncs_want_str(args[idx_[k_]], err) < 0)                                    \
                return -1;                                                                         \
    } while (0)

#define S(i) (args[i]->u.str.s)
#define L(i) (args[i]->u.str.len)

/* Go's arity check against c->ud's struct fdef ("wrong number of args for NAME: ..."). */
int dk_tmplfuncs_arity(struct dk_tmpl_call *c, size_t n, struct dk_err *err);
/* A parameter Go types as string / int: 0, or -1 with text/template's error. */
int dk_tmplfuncs_want_str(struct dk_val *v, struct dk_err *err);
int dk_tmplfuncs_want_int(struct dk_val *v, int64_t *i, struct dk_err *err);
/* sprig's strval (strings as they are, the rest as %v), appended to b. */
void dk_tmplfuncs_strval(const struct dk_val *v, struct dk_buf *b);
/* b's bytes as a new string value (b is left empty). */
struct dk_val *dk_tmplfuncs_buf_val(struct dk_buf *b);
/* cast.ToInt64 and cast.ToFloat64 as sprig uses them (0 when not convertible). */
int64_t dk_tmplfuncs_to_int64(const struct dk_val *v);
double dk_tmplfuncs_to_float64(const struct dk_val *v);
/* n bytes from the system's random source. */
int dk_tmplfuncs_random(unsigned char *p, size_t n, struct dk_err *err);

/* bcrypt of pw[0..len) with salt and cost, "$2a$CC$" + 53 characters, into out (tmplfuncs_crypto.c;
 * exposed for tests with known salts). */
int dk_tmplfuncs_bcrypt(const char *pw, size_t len, const unsigned char salt[16], int cost,
                        char out[61], struct dk_err *err);

/* Registers the n functions of defs on t. */
void dk_tmplfuncs_add(struct dk_tmpl *t, const struct fdef *defs, size_t n);

/* The function groups of the other files, called by dk_tmplfuncs_register(). */
void dk_tmplfuncs_register_crypto(struct dk_tmpl *t); /* tmplfuncs_crypto.c */
void dk_tmplfuncs_register_time(struct dk_tmpl *t);   /* tmplfuncs_time.c */
void dk_tmplfuncs_register_more(struct dk_tmpl *t);   /* tmplfuncs_more.c */
void dk_tmplfuncs_register_toml(struct dk_tmpl *t);   /* tmplfuncs_toml.c */
void dk_tmplfuncs_register_regex(struct dk_tmpl *t);  /* tmplfuncs_regex.c */

#endif
