/*
 * tmpl: the core of Go's text/template (the engine Helm renders charts with), without Helm's
 * or sprig's functions; those are added through dk_tmpl_register().
 *
 * Values. struct dk_val is a reference-counted tagged value: nil, bool, int (Go's int, what
 * template literals give), float (float64, what every JSON/YAML values number becomes), string
 * (bytes with a length, NUL-terminated), list, map (string keys kept sorted), an opaque pointer
 * and a function ("method") value. Ownership rule, once: every function that returns a
 * struct dk_val * returns a new reference the caller must drop with dk_val_unref(); every
 * function that takes a struct dk_val * only borrows it, except those documented as "takes
 * ownership" (dk_val_list_push, dk_val_map_set, dk_val_str_owned). NULL is not a value: nil is
 * dk_val_nil() (a static; ref/unref are no-ops on it). Lists and maps are shared by reference,
 * as Go's slices and maps are: a function that changes one in place (sprig's set, merge) is
 * seen through every reference; copying is the caller's job. Not thread-safe.
 *
 * Templates. struct dk_tmpl is a set of named templates (Go's *template.Template with its
 * associated templates). dk_tmpl_parse() adds the text as template NAME and every {{define}}
 * / {{block}} in it; a later parse of the same name replaces the earlier one (an empty body does
 * not replace a non-empty one, as in Go; two non-empty defines of one name in one parse are an
 * error). dk_tmpl_exec() runs a template against data and appends the output to a dk_buf.
 *
 * Language: text/template of Go 1.23+: {{- -}} trimming, comments, custom delimiters,
 * pipelines, parenthesised pipelines, $x := / $x = with block scoping, fields on maps and
 * chains ((index .m "k").f, $x.a), all literal forms (Go escapes, raw strings, chars, hex/octal/
 * binary ints with _, floats, hex floats, true/false/nil), if/else if/else, range over lists,
 * maps (sorted keys), ints and nil, with break/continue and else, with/else with/else,
 * define/template/block. Builtins: and or not eq ne lt le gt ge len index slice print printf
 * println html js urlquery call.
 *
 * Semantics follow Go: a missing map key gives nil, which an action prints as "<no value>"
 * (Helm's engine removes that text afterwards: the chart code must, this module does not);
 * printf/print/println print nil as "<nil>"; a field of a nil value found inside a map fails
 * with "nil pointer evaluating interface {}.X", while fields of nil data, of a nil variable or
 * of a nil sub-pipeline give nil, as in Go; int and float64 do not compare ("incompatible types
 * for comparison: float64 and int"); and/or short-circuit and return the deciding operand.
 * Range elements are interface values, as Go's are: a nil element's fields fail ("nil
 * pointer evaluating interface {}.X"), a non-map element's fields fail naming type
 * interface {}. printf follows fmt: %#v prints Go's syntax (map[string]interface {}{"a":1},
 * []interface {}{"x", interface {}(nil)}), explicit argument indexes (%[2]v) work, a nil
 * inside a list or map prints <nil> for any verb.
 * Known differences: a list does not know its element type, so the elements of lists that
 * Go types more narrowly (until's []int, splitList's []string) are interface {} in error
 * messages too; %x of a subnormal float uses C's hex-float digits; a map or list cannot
 * contain itself (sprig's set fails with "a map cannot contain itself" where Helm accepts
 * it, and later overflows its stack printing it): values are reference counted, and
 * dk_val_reaches() guards the functions that change a map in place.
 *
 * Errors use Go's wording: parse errors "template: NAME:LINE: MSG" (DK_E_INPUT), execution
 * errors "template: NAME:LINE:COL: executing \"TNAME\" at <NODE>: MSG" (DK_E_FAIL), where
 * NODE is the source text of the failing node (Go prints its normalised form).
 */
#ifndef DK_TMPL_H
#define DK_TMPL_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "dk/buf.h"
#include "dk/err.h"

enum dk_val_kind {
    DK_VAL_NIL,
    DK_VAL_BOOL,
    DK_VAL_INT,
    DK_VAL_FLOAT,
    DK_VAL_STR,
    DK_VAL_LIST,
    DK_VAL_MAP,
    DK_VAL_PTR,  /* opaque pointer for registered functions (chart objects and the like) */
    DK_VAL_FUNC, /* a method: see dk_val_func() */
};

struct dk_tmpl_call;
struct dk_val;
/*
 * A function: registered by name, or held in a DK_VAL_FUNC value. args[0..n) are borrowed; on
 * success *out gets a new reference. On failure fill err (the executor wraps the message as
 * "error calling NAME: MSG") and return -1.
 */
typedef int (*dk_tmpl_fn)(struct dk_tmpl_call *c, struct dk_val **args, size_t n,
                          struct dk_val **out, struct dk_err *err);

/*
 * Methods of a Go named type, for values that stand for Helm's objects (.Files, the
 * APIVersions list, KubeVersion): a list or map value may point at a static table. A field
 * NAME of such a value that names a method calls it (the receiver is given as c->ud), before
 * any map key is looked up; ranging and indexing see the plain list or map. type is what %T
 * prints; string, when set, is Go's String() method, used wherever the value is printed.
 */
struct dk_val_method {
    const char *name;
    dk_tmpl_fn fn;
};
struct dk_val_methods {
    const char *type;
    const struct dk_val_method *list;
    size_t n;
    void (*string)(const struct dk_val *v, struct dk_buf *out);
};

struct dk_val {
    enum dk_val_kind kind;
    unsigned refs;
    const struct dk_val_methods *methods; /* NULL for plain values */
    union {
        int b;
        int64_t i;
        double f;
        struct {
            char *s; /* NUL-terminated, may contain NULs */
            size_t len;
        } str;
        struct {
            struct dk_val **v;
            size_t n, alloc;
        } list;
        struct {
            char **k; /* sorted by strcmp */
            struct dk_val **v;
            size_t n, alloc;
        } map;
        struct {
            void *p;
            const char *type; /* printed by %T, borrowed (static) */
        } ptr;
        struct {
            dk_tmpl_fn fn;
            void *ud;
        } fn;
    } u;
};

/* Constructors: each returns a new reference (dk_val_nil() returns the static nil). */
struct dk_val *dk_val_nil(void);
struct dk_val *dk_val_bool(int b);
struct dk_val *dk_val_int(int64_t i);
struct dk_val *dk_val_float(double f);
struct dk_val *dk_val_str(const char *s);
struct dk_val *dk_val_strn(const char *s, size_t n);
/* Takes ownership of s (a malloc'd, NUL-terminated string of n bytes). */
struct dk_val *dk_val_str_owned(char *s, size_t n);
struct dk_val *dk_val_list(void);
struct dk_val *dk_val_map(void);
struct dk_val *dk_val_ptr(void *p, const char *type);
/* A method value. Unlike Go's func fields, a DK_VAL_FUNC reached as the last field of a
 * command (`.Files.Get "x"`, `.Capabilities.APIVersions.Has "v1"`) is called with the
 * command's arguments, which is how Helm's methods on its objects are modelled; `call`
 * calls it too. The function is told its ud through c->ud. */
struct dk_val *dk_val_func(dk_tmpl_fn fn, void *ud);
/* Another reference to v (v itself). */
struct dk_val *dk_val_ref(struct dk_val *v);
/* Drops a reference; frees at zero. NULL is ignored. */
void dk_val_unref(struct dk_val *v);

/* Appends item to list (takes ownership of item). */
void dk_val_list_push(struct dk_val *list, struct dk_val *item);
/* map[key] = item (takes ownership of item, replaces and unrefs an old value). */
void dk_val_map_set(struct dk_val *map, const char *key, struct dk_val *item);
/* map[key], borrowed; NULL when missing or map is not a map. */
struct dk_val *dk_val_map_get(const struct dk_val *map, const char *key);

/* 1 when to is from or is found inside from (through any depth of lists and maps), else 0.
 * Functions that store a value inside a map or list in place (sprig's set) check it first:
 * values are reference counted, so a container holding itself would never be freed. */
int dk_val_reaches(const struct dk_val *from, const struct dk_val *to);

/* Go's truth: false, 0, nil, empty string/list/map are false. */
int dk_val_truth(const struct dk_val *v);
/* Go's type name as %T prints it: "<nil>", "bool", "int", "float64", "string",
 * "[]interface {}", "map[string]interface {}". */
const char *dk_val_type_name(const struct dk_val *v);
/* Appends v as Go's fmt %v prints it (maps "map[a:1 b:2]", lists "[1 2]", nil "<nil>",
 * floats shortest 'g': 1e+06, 3.14, 100). Returns 0, or -1 when out's cap is passed or the
 * text passes DK_VAL_FORMAT_MAX bytes (it stops there: lists and maps that share values
 * can print exponentially long). */
#define DK_VAL_FORMAT_MAX ((size_t)64 << 20)
int dk_val_format(const struct dk_val *v, struct dk_buf *out);

/* How many values v holds, itself included, counting a shared list or map each time it is
 * reached (as a copy or a JSON document of v would hold it); stops counting at max, and
 * gives max for a value nested deeper than DK_VAL_DEPTH_MAX. A function that expands a
 * value or walks it recursively (deepCopy, toJson) checks it against DK_VAL_EXPAND_MAX
 * first: a list holding the same list twice, 40 levels deep, is small in memory but has
 * 2^40 values when expanded, and a template can nest a list a million deep. */
#define DK_VAL_EXPAND_MAX ((size_t)1 << 21)
#define DK_VAL_DEPTH_MAX  10000
size_t dk_val_count(const struct dk_val *v, size_t max);

/* JSON conversions. Numbers become floats; objects keep their last duplicate key.
 * dk_val_to_json returns a new cJSON tree (caller frees with cJSON_Delete()); NULL for a
 * value JSON cannot hold (pointer, non-finite float) or one that expands to
 * DK_VAL_EXPAND_MAX values or more (see dk_val_count()). */
struct dk_val *dk_val_from_json(const cJSON *j);
cJSON *dk_val_to_json(const struct dk_val *v);

struct dk_tmpl;

/* Deepest nesting of parentheses and if/range/with accepted by the parser (the parser and
 * executor recurse; this keeps hostile templates from exhausting the stack). Across template
 * calls the executor also watches the stack itself: past three quarters of RLIMIT_STACK
 * (of 8 MiB when unlimited) used since dk_tmpl_exec() began, it fails with "exceeded
 * maximum template depth: actions and template calls nest too deep for the stack". Run it
 * on the main thread or on one with the default stack size. */
#define DK_TMPL_MAX_NESTING 500

/* What a registered function is told about its call (valid during the call only). */
struct dk_tmpl_call {
    struct dk_tmpl *tmpl; /* the set being executed */
    const char *name;     /* function name */
    void *ud;             /* the pointer given to dk_tmpl_register() */
    void *state;          /* executor state, for dk_tmpl_call_exec() (opaque) */
};

struct dk_tmpl_def; /* one named template (internal) */
struct dk_tmpl_fnent;

struct dk_tmpl {
    struct dk_tmpl_def **defs;
    size_t ndefs;
    struct dk_tmpl_fnent *fns;
    size_t nfns;
    struct dk_tmpl_def **old; /* replaced while running: freed when their runs end */
    size_t nold;
    char ldelim[16], rdelim[16];
    unsigned max_depth;    /* nested template calls; default 1000 */
    size_t max_output;     /* bytes appended by one dk_tmpl_exec(); default 64 MiB */
    uint64_t max_range;    /* range iterations in one dk_tmpl_exec(); default 10 million */
    const char *root_name; /* Go's name of the set's first template, for "no template"
                              messages (Helm's "gotpl"); NULL: "template set" */
    int missing_error;     /* Go's missingkey=error (Helm's --strict): a missing map key fails
                              with "map has no entry for key \"K\""; default 0 (nil) */
};

/* An empty set with the default limits and "{{" "}}"; limits may be changed in the struct. */
void dk_tmpl_init(struct dk_tmpl *t);
/* Frees every template, text and registration. Safe on a zeroed or released set. */
void dk_tmpl_release(struct dk_tmpl *t);
/* Delimiters for later parses; NULL or "" restores "{{" / "}}". At most 15 bytes each. */
void dk_tmpl_set_delims(struct dk_tmpl *t, const char *left, const char *right);
/* Adds (or replaces) function NAME; registered functions win over builtins. Register before
 * parsing: unknown function names are parse errors. */
void dk_tmpl_register(struct dk_tmpl *t, const char *name, dk_tmpl_fn fn, void *ud);
/* Parses len bytes of text as template NAME (plus its defines; the text is copied). On
 * failure (DK_E_INPUT, Go's message) nothing is added. */
int dk_tmpl_parse(struct dk_tmpl *t, const char *name, const char *text, size_t len,
                  struct dk_err *err);
/* 1 when template NAME is defined. */
int dk_tmpl_has(const struct dk_tmpl *t, const char *name);
/* Executes template NAME with data (borrowed; NULL means nil), appending to out. On error out
 * keeps what was written before the error, as Go's writer does. */
int dk_tmpl_exec(struct dk_tmpl *t, const char *name, struct dk_val *data, struct dk_buf *out,
                 struct dk_err *err);

/*
 * For registered functions (Helm's include and tpl), with the struct dk_tmpl_call they were
 * given: dk_tmpl_call_exec() executes template NAME with data (borrowed) inside the running
 * execution (the depth limit counts across the call; output and range counters are shared),
 * appending to out; on failure err holds the inner template's error, which the executor then
 * wraps as "error calling include: ...". A runaway recursion fails with
 * "exceeded maximum template depth (N)", passed up unwrapped.
 * dk_tmpl_call_parse_exec() parses text as template NAME (replacing NAME even when the
 * text is empty) plus its defines, executes NAME, and takes them out again: as Helm's tpl
 * parses into a clone of the set, its defines are seen inside that execution (by include
 * and template calls at any depth, nested tpl calls stacking theirs) and never after it,
 * and a loop over tpl runs in constant memory. A template replaced by dk_tmpl_parse()
 * while it runs is freed when its last execution ends.
 */
int dk_tmpl_call_exec(struct dk_tmpl_call *c, const char *name, struct dk_val *data,
                      struct dk_buf *out, struct dk_err *err);
/* The name of the template running the call (borrowed, valid during the call). */
const char *dk_tmpl_call_template(const struct dk_tmpl_call *c);
int dk_tmpl_call_parse_exec(struct dk_tmpl_call *c, const char *name, const char *text, size_t len,
                            struct dk_val *data, struct dk_buf *out, struct dk_err *err);

/* Appends s as Go's strconv.Quote writes it (%q of a string): escapes for quotes,
 * backslashes, control and non-printable characters, \x for invalid UTF-8. */
void dk_tmpl_quote(struct dk_buf *b, const char *s, size_t len);

#endif
