/*
 * sprig's date functions with Go's time package semantics: reference-time layouts
 * ("2006-01-02 15:04:05"), the Local zone from TZ (or /etc/localtime), IANA zone names read
 * through the C library, durations as time.Duration.String() writes them.
 *
 * A time.Time is a map value typed "time.Time" holding the instant (keys sec and nsec) and,
 * unless it is in Local, its fixed zone (keys off and zone: UTC or an offset a parsed text
 * gave), with Go's String() and the methods charts call (Unix, UnixNano, Year, YearDay, Day,
 * Hour, Minute, Second, Nanosecond, Format, IsZero), which use the time's own zone.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dk/tmplfuncs.h"

#include "tmplfuncs_int.h"

#define NS_PER_SEC 1000000000LL
/* Seconds from Go's zero time (January 1, year 1, UTC) to the Unix epoch. */
#define ZERO_UNIX (-62135596800LL)

/* ---- time values ---- */

static void time_string(const struct dk_val *v, struct dk_buf *out);
static const struct dk_val_methods time_methods;

/* A time's location: Local, or a fixed zone (UTC, or an offset a parsed text gave). */
struct tzone {
    int fixed;
    long off;
    char name[16];
};

static struct dk_val *time_val_z(int64_t sec, long nsec, const struct tzone *z)
{
    struct dk_val *m = dk_val_map();

    dk_val_map_set(m, "nsec", dk_val_int(nsec));
    dk_val_map_set(m, "sec", dk_val_int(sec));
    if (z && z->fixed) {
        dk_val_map_set(m, "off", dk_val_int(z->off));
        dk_val_map_set(m, "zone", dk_val_str(z->name));
    }
    m->methods = &time_methods;
    return m;
}

static struct dk_val *time_val(int64_t sec, long nsec)
{
    return time_val_z(sec, nsec, NULL);
}

/* The location of time value v. */
static void time_zone(const struct dk_val *v, struct tzone *z)
{
    struct dk_val *off = dk_val_map_get(v, "off"), *name = dk_val_map_get(v, "zone");

    memset(z, 0, sizeof(*z));
    if (off && name && off->kind == DK_VAL_INT && name->kind == DK_VAL_STR) {
        z->fixed = 1;
        z->off = (long)off->u.i;
        snprintf(z->name, sizeof(z->name), "%s", name->u.str.s);
    }
}

/* 1 when v is a time value, with its instant. */
static int time_get(const struct dk_val *v, int64_t *sec, long *nsec)
{
    struct dk_val *s, *ns;

    if (v->kind != DK_VAL_MAP || v->methods != &time_methods)
        return 0;
    s = dk_val_map_get(v, "sec");
    ns = dk_val_map_get(v, "nsec");
    if (!s || !ns || s->kind != DK_VAL_INT || ns->kind != DK_VAL_INT)
        return 0;
    *sec = s->u.i;
    *nsec = (long)ns->u.i;
    return 1;
}

static void time_now(int64_t *sec, long *nsec)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    *sec = ts.tv_sec;
    *nsec = ts.tv_nsec;
}

/* ---- zones ---- */

/* A civil time in a zone. */
struct civil {
    int64_t year;
    int mon, mday, hour, min, sec, wday, yday; /* mon 1-12, yday 0-365 */
    long nsec;
    long off;      /* seconds east of UTC */
    char zone[16]; /* abbreviation */
};

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Fills the calendar fields of c from sec (already shifted by the zone offset). */
static void civil_from_unix(int64_t sec, struct civil *c)
{
    int64_t days = sec / 86400, rem = sec % 86400, era, doe, yoe, y, doy, mp;

    if (rem < 0)
        rem += 86400, days--;
    c->hour = (int)(rem / 3600);
    c->min = (int)(rem / 60 % 60);
    c->sec = (int)(rem % 60);
    c->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    days += 719468;
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    c->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    c->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    c->year = y + (c->mon <= 2);
    c->yday = (int)(days_from_civil(c->year, c->mon, c->mday) - days_from_civil(c->year, 1, 1));
}

/* Go's LoadLocation accepts names of files in the zone database, not paths out of it. */
static int zone_known(const char *name)
{
    char path[512];
    struct stat st;

    if (!*name || name[0] == '/' || strstr(name, "..") || strlen(name) > 255)
        return 0;
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Offset and abbreviation of zone at instant sec: "UTC" (or "") is UTC, "Local" the
 * process's local zone, other names are looked up in the zone database (TZ is switched for
 * the call). Returns -1 for an unknown zone name.
 */
static int zone_at(const char *zone, int64_t sec, long *off, char *abbr, size_t abbrlen)
{
    time_t t = (time_t)sec;
    struct tm tm;
    char *saved = NULL;
    int other = 0;

    if (!*zone || !strcmp(zone, "UTC")) {
        *off = 0;
        snprintf(abbr, abbrlen, "UTC");
        return 0;
    }
    if (strcmp(zone, "Local") != 0) {
        const char *old = getenv("TZ");

        if (!zone_known(zone))
            return -1;
        saved = old ? dk_xstrdup(old) : NULL;
        other = 1;
        setenv("TZ", zone, 1);
        tzset();
    }
    if (!localtime_r(&t, &tm)) {
        memset(&tm, 0, sizeof(tm));
        tm.tm_zone = "UTC";
    }
    *off = tm.tm_gmtoff;
    snprintf(abbr, abbrlen, "%s", tm.tm_zone ? tm.tm_zone : "");
    if (other) {
        if (saved)
            setenv("TZ", saved, 1);
        else
            unsetenv("TZ");
        tzset();
        free(saved);
    }
    return 0;
}

/* The civil time of an instant in zone (an unknown zone is UTC, as sprig falls back). */
static void civil_in(int64_t sec, long nsec, const char *zone, struct civil *c)
{
    memset(c, 0, sizeof(*c));
    if (zone_at(zone, sec, &c->off, c->zone, sizeof(c->zone)) < 0)
        zone_at("UTC", sec, &c->off, c->zone, sizeof(c->zone));
    civil_from_unix(sec + c->off, c);
    c->nsec = nsec;
}

/* The civil time of an instant in its own location z. */
static void civil_own(int64_t sec, long nsec, const struct tzone *z, struct civil *c)
{
    if (!z->fixed) {
        civil_in(sec, nsec, "Local", c);
        return;
    }
    memset(c, 0, sizeof(*c));
    c->off = z->off;
    snprintf(c->zone, sizeof(c->zone), "%s", z->name);
    civil_from_unix(sec + c->off, c);
    c->nsec = nsec;
}

/* ---- layouts ---- */

enum std {
    STD_NONE,
    STD_LONG_MONTH,
    STD_MONTH,
    STD_NUM_MONTH,
    STD_ZERO_MONTH,
    STD_LONG_WEEKDAY,
    STD_WEEKDAY,
    STD_DAY,
    STD_UNDER_DAY,
    STD_ZERO_DAY,
    STD_UNDER_YEARDAY,
    STD_ZERO_YEARDAY,
    STD_HOUR,
    STD_HOUR12,
    STD_ZERO_HOUR12,
    STD_MINUTE,
    STD_ZERO_MINUTE,
    STD_SECOND,
    STD_ZERO_SECOND,
    STD_LONG_YEAR,
    STD_YEAR,
    STD_PM,
    STD_pm,
    STD_TZ,
    STD_ISO_TZ,       /* Z0700 */
    STD_ISO_SECS_TZ,  /* Z070000 */
    STD_ISO_SHORT_TZ, /* Z07 */
    STD_ISO_COLON_TZ, /* Z07:00 */
    STD_ISO_COLON_SECS_TZ,
    STD_NUM_TZ, /* -0700 */
    STD_NUM_SECS_TZ,
    STD_NUM_SHORT_TZ,
    STD_NUM_COLON_TZ,
    STD_NUM_COLON_SECS_TZ,
    STD_FRAC0, /* .000: fixed digits */
    STD_FRAC9, /* .999: trailing zeros dropped */
};

static const char *const long_months[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const long_days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};

static int lower_next(const char *s)
{
    return *s >= 'a' && *s <= 'z';
}

/*
 * Go's nextStdChunk: finds the next layout element at or after l. Sets *pre to the literal
 * bytes before it, *std and *len to the element (and *digits for fractions). Returns 0 at the end.
 */
static int next_std(const char *l, size_t *pre, enum std *std, size_t *len, int *digits)
{
    size_t i;

    for (i = 0; l[i]; i++) {
        const char *p = l + i;
        enum std s = STD_NONE;
        size_t k = 0;

        switch (p[0]) {
        case 'J':
            if (!strncmp(p, "January", 7))
                s = STD_LONG_MONTH, k = 7;
            else if (!strncmp(p, "Jan", 3) && !lower_next(p + 3))
                s = STD_MONTH, k = 3;
            break;
        case 'M':
            if (!strncmp(p, "Monday", 6))
                s = STD_LONG_WEEKDAY, k = 6;
            else if (!strncmp(p, "Mon", 3) && !lower_next(p + 3))
                s = STD_WEEKDAY, k = 3;
            else if (!strncmp(p, "MST", 3))
                s = STD_TZ, k = 3;
            break;
        case '0':
            if (p[1] >= '1' && p[1] <= '6') {
                static const enum std z[] = {STD_ZERO_MONTH,  STD_ZERO_DAY,    STD_ZERO_HOUR12,
                                             STD_ZERO_MINUTE, STD_ZERO_SECOND, STD_YEAR};
                s = z[p[1] - '1'], k = 2;
            } else if (p[1] == '0' && p[2] == '2') {
                s = STD_ZERO_YEARDAY, k = 3;
            }
            break;
        case '1':
            if (p[1] == '5')
                s = STD_HOUR, k = 2;
            else
                s = STD_NUM_MONTH, k = 1;
            break;
        case '2':
            if (!strncmp(p, "2006", 4))
                s = STD_LONG_YEAR, k = 4;
            else
                s = STD_DAY, k = 1;
            break;
        case '_':
            if (p[1] == '2') {
                if (!strncmp(p + 1, "2006", 4)) {
                    /* _2006 is an underscore and a long year */
                    *pre = i + 1;
                    *std = STD_LONG_YEAR;
                    *len = 4;
                    return 1;
                }
                s = STD_UNDER_DAY, k = 2;
            } else if (p[1] == '_' && p[2] == '2') {
                s = STD_UNDER_YEARDAY, k = 3;
            }
            break;
        case '3':
            s = STD_HOUR12, k = 1;
            break;
        case '4':
            s = STD_MINUTE, k = 1;
            break;
        case '5':
            s = STD_SECOND, k = 1;
            break;
        case 'P':
            if (p[1] == 'M')
                s = STD_PM, k = 2;
            break;
        case 'p':
            if (p[1] == 'm')
                s = STD_pm, k = 2;
            break;
        case '-':
            if (!strncmp(p, "-070000", 7))
                s = STD_NUM_SECS_TZ, k = 7;
            else if (!strncmp(p, "-07:00:00", 9))
                s = STD_NUM_COLON_SECS_TZ, k = 9;
            else if (!strncmp(p, "-0700", 5))
                s = STD_NUM_TZ, k = 5;
            else if (!strncmp(p, "-07:00", 6))
                s = STD_NUM_COLON_TZ, k = 6;
            else if (!strncmp(p, "-07", 3))
                s = STD_NUM_SHORT_TZ, k = 3;
            break;
        case 'Z':
            if (!strncmp(p, "Z070000", 7))
                s = STD_ISO_SECS_TZ, k = 7;
            else if (!strncmp(p, "Z07:00:00", 9))
                s = STD_ISO_COLON_SECS_TZ, k = 9;
            else if (!strncmp(p, "Z0700", 5))
                s = STD_ISO_TZ, k = 5;
            else if (!strncmp(p, "Z07:00", 6))
                s = STD_ISO_COLON_TZ, k = 6;
            else if (!strncmp(p, "Z07", 3))
                s = STD_ISO_SHORT_TZ, k = 3;
            break;
        case '.':
        case ',':
            if (p[1] == '0' || p[1] == '9') {
                char ch = p[1];
                size_t j = 1;

                while (p[j] == ch)
                    j++;
                if (!isdigit((unsigned char)p[j])) {
                    s = ch == '0' ? STD_FRAC0 : STD_FRAC9, k = j;
                    *digits = (int)(j - 1);
                }
            }
            break;
        }
        if (s != STD_NONE) {
            *pre = i;
            *std = s;
            *len = k;
            return 1;
        }
    }
    *pre = i;
    return 0;
}

static void add_num(struct dk_buf *b, int64_t v, int width, char pad)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)(v < 0 ? -v : v));

    if (v < 0)
        dk_buf_addch(b, '-');
    while (n < width--)
        dk_buf_addch(b, pad);
    dk_buf_add(b, tmp);
}

static void add_offset(struct dk_buf *b, long off, int colon, int mins, int secs)
{
    long a = off < 0 ? -off : off;

    dk_buf_addch(b, off < 0 ? '-' : '+');
    add_num(b, a / 3600, 2, '0');
    if (mins) {
        if (colon)
            dk_buf_addch(b, ':');
        add_num(b, a / 60 % 60, 2, '0');
    }
    if (secs) {
        if (colon)
            dk_buf_addch(b, ':');
        add_num(b, a % 60, 2, '0');
    }
}

/* Go's Time.Format of c with layout. */
static void format_civil(const struct civil *c, const char *layout, struct dk_buf *b)
{
    const char *l = layout;
    size_t pre, len;
    enum std s;
    int digits = 0;

    while (*l) {
        int more = next_std(l, &pre, &s, &len, &digits);
        int h12 = c->hour % 12 == 0 ? 12 : c->hour % 12;

        dk_buf_addn(b, l, pre);
        if (!more)
            break;
        l += pre + len;
        switch (s) {
        case STD_LONG_YEAR:
            add_num(b, c->year, 4, '0');
            break;
        case STD_YEAR:
            add_num(b, ((c->year % 100) + 100) % 100, 2, '0');
            break;
        case STD_LONG_MONTH:
            dk_buf_add(b, long_months[c->mon - 1]);
            break;
        case STD_MONTH:
            dk_buf_addn(b, long_months[c->mon - 1], 3);
            break;
        case STD_NUM_MONTH:
            add_num(b, c->mon, 0, '0');
            break;
        case STD_ZERO_MONTH:
            add_num(b, c->mon, 2, '0');
            break;
        case STD_LONG_WEEKDAY:
            dk_buf_add(b, long_days[c->wday]);
            break;
        case STD_WEEKDAY:
            dk_buf_addn(b, long_days[c->wday], 3);
            break;
        case STD_DAY:
            add_num(b, c->mday, 0, '0');
            break;
        case STD_UNDER_DAY:
            add_num(b, c->mday, 2, ' ');
            break;
        case STD_ZERO_DAY:
            add_num(b, c->mday, 2, '0');
            break;
        case STD_UNDER_YEARDAY:
            add_num(b, c->yday + 1, 3, ' ');
            break;
        case STD_ZERO_YEARDAY:
            add_num(b, c->yday + 1, 3, '0');
            break;
        case STD_HOUR:
            add_num(b, c->hour, 2, '0');
            break;
        case STD_HOUR12:
            add_num(b, h12, 0, '0');
            break;
        case STD_ZERO_HOUR12:
            add_num(b, h12, 2, '0');
            break;
        case STD_MINUTE:
            add_num(b, c->min, 0, '0');
            break;
        case STD_ZERO_MINUTE:
            add_num(b, c->min, 2, '0');
            break;
        case STD_SECOND:
            add_num(b, c->sec, 0, '0');
            break;
        case STD_ZERO_SECOND:
            add_num(b, c->sec, 2, '0');
            break;
        case STD_PM:
            dk_buf_add(b, c->hour >= 12 ? "PM" : "AM");
            break;
        case STD_pm:
            dk_buf_add(b, c->hour >= 12 ? "pm" : "am");
            break;
        case STD_ISO_TZ:
        case STD_ISO_SECS_TZ:
        case STD_ISO_SHORT_TZ:
        case STD_ISO_COLON_TZ:
        case STD_ISO_COLON_SECS_TZ:
            if (c->off == 0) {
                dk_buf_addch(b, 'Z');
                break;
            }
            add_offset(b, c->off, s == STD_ISO_COLON_TZ || s == STD_ISO_COLON_SECS_TZ,
                       s != STD_ISO_SHORT_TZ, s == STD_ISO_SECS_TZ || s == STD_ISO_COLON_SECS_TZ);
            break;
        case STD_NUM_TZ:
        case STD_NUM_SECS_TZ:
        case STD_NUM_SHORT_TZ:
        case STD_NUM_COLON_TZ:
        case STD_NUM_COLON_SECS_TZ:
            add_offset(b, c->off, s == STD_NUM_COLON_TZ || s == STD_NUM_COLON_SECS_TZ,
                       s != STD_NUM_SHORT_TZ, s == STD_NUM_SECS_TZ || s == STD_NUM_COLON_SECS_TZ);
            break;
        case STD_TZ:
            if (c->zone[0]) {
                dk_buf_add(b, c->zone);
            } else {
                /* Go prints -0700 for zones without a name */
                add_offset(b, c->off, 0, 1, 0);
            }
            break;
        case STD_FRAC0:
        case STD_FRAC9: {
            char fr[16];
            int nd = digits > 9 ? 9 : digits;

            snprintf(fr, sizeof(fr), "%09ld", c->nsec);
            if (s == STD_FRAC9) {
                int end = 9;

                while (end > 0 && fr[end - 1] == '0')
                    end--;
                if (end < nd)
                    nd = end;
                if (nd == 0)
                    break;
            }
            dk_buf_addch(b, l[-(long)len]);
            dk_buf_addn(b, fr, (size_t)nd);
            break;
        }
        default:
            break;
        }
    }
}

static void format_time(int64_t sec, long nsec, const char *zone, const char *layout,
                        struct dk_buf *b)
{
    struct civil c;

    civil_in(sec, nsec, zone, &c);
    format_civil(&c, layout, b);
}

static void time_string(const struct dk_val *v, struct dk_buf *out)
{
    struct tzone z;
    struct civil c;
    int64_t sec;
    long nsec;

    if (!time_get(v, &sec, &nsec))
        return;
    time_zone(v, &z);
    civil_own(sec, nsec, &z, &c);
    format_civil(&c, "2006-01-02 15:04:05.999999999 -0700 MST", out);
}

/* ---- parsing (time.ParseInLocation with Local) ---- */

static int lookup_name(const char **v, const char *const *names, int n, int len3, int *idx)
{
    int i;

    for (i = 0; i < n; i++) {
        size_t k = len3 ? 3 : strlen(names[i]);

        if (strncasecmp(*v, names[i], k) == 0) {
            *v += k;
            *idx = i;
            return 0;
        }
    }
    return -1;
}

/* Go's getnum: one or two digits (exactly two when fixed). */
static int getnum(const char **v, int fixed, int *out)
{
    const char *p = *v;

    if (!isdigit((unsigned char)p[0]))
        return -1;
    if (!isdigit((unsigned char)p[1])) {
        if (fixed)
            return -1;
        *out = p[0] - '0';
        *v = p + 1;
        return 0;
    }
    *out = (p[0] - '0') * 10 + (p[1] - '0');
    *v = p + 2;
    return 0;
}

static int getnum3(const char **v, int fixed, int *out)
{
    int n = 0, i;
    const char *p = *v;

    for (i = 0; i < 3 && isdigit((unsigned char)p[i]); i++)
        n = n * 10 + (p[i] - '0');
    if (i == 0 || (fixed && i != 3))
        return -1;
    *out = n;
    *v = p + i;
    return 0;
}

static const char *std_text(const char *layout_at, size_t len, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "%.*s", (int)len, layout_at);
    return buf;
}

/* Parses value with layout into *sec and *nsec (Local unless the value names an offset). On
 * failure err gets Go's message. */
static int parse_time(const char *layout, const char *value, int64_t *sec, long *nsec,
                      struct tzone *zout, struct dk_err *err)
{
    char zname[16] = "";
    const char *l = layout, *v = value;
    int64_t year = 1;
    int mon = -1, day = -1, yday = -1, hour = 0, min = 0, s = 0, pm_set = 0, pm = 0;
    long ns = 0, off = 0;
    int have_off = 0, utc = 0, digits = 0;
    size_t pre, len;
    enum std st;
    char elem[16];

    for (;;) {
        int more = next_std(l, &pre, &st, &len, &digits);
        const char *elem_at = l + pre, *before = v;
        int bad = 0, range = 0, x = 0;

        if (strncmp(v, l, pre) != 0) {
            /* Go reports the literal it could not match */
            return dk_err_set(err, DK_E_FAIL,
                              "parsing time \"%s\" as \"%s\": cannot parse \"%s\" as \"%.*s\"",
                              value, layout, v, (int)pre, l);
        }
        v += pre;
        if (!more) {
            if (*v)
                return dk_err_set(err, DK_E_FAIL, "parsing time \"%s\": extra text: \"%s\"", value,
                                  v);
            break;
        }
        l += pre + len;
        switch (st) {
        case STD_LONG_YEAR: {
            int i;

            for (i = 0; i < 4; i++)
                if (!isdigit((unsigned char)v[i]))
                    bad = 1;
            if (!bad) {
                year = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
                v += 4;
            }
            break;
        }
        case STD_YEAR:
            if (getnum(&v, 1, &x) < 0)
                bad = 1;
            else
                year = x >= 69 ? 1900 + x : 2000 + x;
            break;
        case STD_LONG_MONTH:
            bad = lookup_name(&v, long_months, 12, 0, &mon) < 0;
            mon++;
            break;
        case STD_MONTH:
            bad = lookup_name(&v, long_months, 12, 1, &mon) < 0;
            mon++;
            break;
        case STD_NUM_MONTH:
        case STD_ZERO_MONTH:
            bad = getnum(&v, st == STD_ZERO_MONTH, &mon) < 0;
            range = !bad && (mon < 1 || mon > 12);
            break;
        case STD_LONG_WEEKDAY:
            bad = lookup_name(&v, long_days, 7, 0, &x) < 0;
            break;
        case STD_WEEKDAY:
            bad = lookup_name(&v, long_days, 7, 1, &x) < 0;
            break;
        case STD_DAY:
        case STD_UNDER_DAY:
        case STD_ZERO_DAY:
            if (st == STD_UNDER_DAY && *v == ' ')
                v++;
            bad = getnum(&v, st == STD_ZERO_DAY, &day) < 0;
            break;
        case STD_UNDER_YEARDAY:
        case STD_ZERO_YEARDAY:
            while (st == STD_UNDER_YEARDAY && *v == ' ')
                v++;
            bad = getnum3(&v, st == STD_ZERO_YEARDAY, &yday) < 0;
            range = !bad && (yday < 1 || yday > 366);
            break;
        case STD_HOUR:
            bad = getnum(&v, 0, &hour) < 0;
            range = !bad && hour > 23;
            break;
        case STD_HOUR12:
        case STD_ZERO_HOUR12:
            bad = getnum(&v, st == STD_ZERO_HOUR12, &hour) < 0;
            range = !bad && hour > 12;
            break;
        case STD_MINUTE:
        case STD_ZERO_MINUTE:
            bad = getnum(&v, st == STD_ZERO_MINUTE, &min) < 0;
            range = !bad && min > 59;
            break;
        case STD_SECOND:
        case STD_ZERO_SECOND:
            bad = getnum(&v, st == STD_ZERO_SECOND, &s) < 0;
            range = !bad && s > 59;
            /* a fraction after the seconds is accepted even when the layout has none */
            if (!bad && (v[0] == '.' || v[0] == ',') && isdigit((unsigned char)v[1])) {
                size_t dummy_pre, dummy_len;
                enum std nst;
                int nd;

                if (!(next_std(l, &dummy_pre, &nst, &dummy_len, &nd) && dummy_pre == 0 &&
                      (nst == STD_FRAC0 || nst == STD_FRAC9))) {
                    long scale = 100000000;

                    v++;
                    while (isdigit((unsigned char)*v)) {
                        ns += (*v - '0') * scale;
                        scale /= 10;
                        v++;
                    }
                }
            }
            break;
        case STD_PM:
        case STD_pm:
            if (!strncmp(v, st == STD_PM ? "PM" : "pm", 2))
                pm = 1;
            else if (strncmp(v, st == STD_PM ? "AM" : "am", 2) != 0)
                bad = 1;
            if (!bad)
                v += 2, pm_set = 1;
            break;
        case STD_ISO_TZ:
        case STD_ISO_SECS_TZ:
        case STD_ISO_SHORT_TZ:
        case STD_ISO_COLON_TZ:
        case STD_ISO_COLON_SECS_TZ:
            if (*v == 'Z') {
                v++;
                utc = 1;
                snprintf(zname, sizeof(zname), "UTC");
                break;
            }
            /* fall through */
        case STD_NUM_TZ:
        case STD_NUM_SECS_TZ:
        case STD_NUM_SHORT_TZ:
        case STD_NUM_COLON_TZ:
        case STD_NUM_COLON_SECS_TZ: {
            int colon = st == STD_ISO_COLON_TZ || st == STD_ISO_COLON_SECS_TZ ||
                        st == STD_NUM_COLON_TZ || st == STD_NUM_COLON_SECS_TZ;
            int mins = st != STD_ISO_SHORT_TZ && st != STD_NUM_SHORT_TZ;
            int secs = st == STD_ISO_SECS_TZ || st == STD_ISO_COLON_SECS_TZ ||
                       st == STD_NUM_SECS_TZ || st == STD_NUM_COLON_SECS_TZ;
            int hh = 0, mm = 0, ss = 0, sign;

            if (*v != '+' && *v != '-') {
                bad = 1;
                break;
            }
            sign = *v++ == '-' ? -1 : 1;
            if (getnum(&v, 1, &hh) < 0)
                bad = 1;
            if (!bad && mins) {
                if (colon && *v++ != ':')
                    bad = 1;
                else if (getnum(&v, 1, &mm) < 0)
                    bad = 1;
            }
            if (!bad && secs) {
                if (colon && *v++ != ':')
                    bad = 1;
                else if (getnum(&v, 1, &ss) < 0)
                    bad = 1;
            }
            if (!bad) {
                off = sign * (hh * 3600L + mm * 60L + ss);
                have_off = 1;
            }
            break;
        }
        case STD_TZ: {
            size_t k = 0;

            if (!strncmp(v, "UTC", 3)) {
                v += 3;
                utc = 1;
                snprintf(zname, sizeof(zname), "UTC");
                break;
            }
            while (isupper((unsigned char)v[k]))
                k++;
            if (k < 3) {
                bad = 1;
                break;
            }
            /* an abbreviation other than UTC: Go uses Local's offset when Local has that
             * name at that time, else a zero offset under that name */
            {
                char name[16];

                snprintf(name, sizeof(name), "%.*s", (int)(k < 15 ? k : 15), v);
                snprintf(zname, sizeof(zname), "%s", name);
                v += k;
                if (!strcmp(name, "GMT")) {
                    utc = 1;
                } else {
                    time_t guess =
                        (time_t)(days_from_civil(year, mon > 0 ? mon : 1, day > 0 ? day : 1) *
                                 86400);
                    struct tm tm;

                    if (localtime_r(&guess, &tm) && tm.tm_zone && !strcmp(tm.tm_zone, name)) {
                        off = tm.tm_gmtoff;
                        have_off = 1;
                    } else {
                        utc = 1;
                    }
                }
            }
            break;
        }
        case STD_FRAC0:
        case STD_FRAC9: {
            long scale = 100000000;
            int nd = 0;

            if (st == STD_FRAC9 && *v != '.' && *v != ',')
                break; /* .999 allows no fraction */
            if (*v != '.' && *v != ',') {
                bad = 1;
                break;
            }
            v++;
            while (isdigit((unsigned char)*v)) {
                if (scale)
                    ns += (*v - '0') * scale;
                scale /= 10;
                v++;
                nd++;
            }
            if (st == STD_FRAC0 && nd != digits)
                bad = 1;
            break;
        }
        default:
            break;
        }
        if (range)
            return dk_err_set(err, DK_E_FAIL, "parsing time \"%s\": %s out of range", value,
                              st == STD_ZERO_MONTH || st == STD_NUM_MONTH ? "month"
                              : st == STD_HOUR || st == STD_HOUR12 || st == STD_ZERO_HOUR12 ? "hour"
                              : st == STD_MINUTE || st == STD_ZERO_MINUTE ? "minute"
                              : st == STD_SECOND || st == STD_ZERO_SECOND ? "second"
                                                                          : "day-of-year");
        if (bad)
            return dk_err_set(err, DK_E_FAIL,
                              "parsing time \"%s\" as \"%s\": cannot parse \"%s\" as \"%s\"", value,
                              layout, before, std_text(elem_at, len, elem, sizeof(elem)));
    }
    if (pm_set && pm && hour < 12)
        hour += 12;
    else if (pm_set && !pm && hour == 12)
        hour = 0;
    if (yday >= 0) {
        int m = 1, d;

        if (yday > 365 + is_leap(year))
            return dk_err_set(err, DK_E_FAIL, "parsing time \"%s\": day-of-year out of range",
                              value);
        d = yday;
        while (m < 12) {
            int dim = (int)(days_from_civil(year + (m == 12), m % 12 + 1, 1) -
                            days_from_civil(year, m, 1));

            if (d <= dim)
                break;
            d -= dim;
            m++;
        }
        if ((mon >= 0 && mon != m) || (day >= 0 && day != d))
            return dk_err_set(err, DK_E_FAIL, "parsing time \"%s\": day-of-year does not match %s",
                              value, mon >= 0 && mon != m ? "month" : "day");
        mon = m, day = d;
    }
    if (mon < 0)
        mon = 1;
    if (day < 0)
        day = 1;
    {
        int dim = (int)(days_from_civil(year + (mon == 12), mon % 12 + 1, 1) -
                        days_from_civil(year, mon, 1));

        if (day < 1 || day > dim)
            return dk_err_set(err, DK_E_FAIL, "parsing time \"%s\": day out of range", value);
    }
    {
        int64_t local = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + s;

        memset(zout, 0, sizeof(*zout));
        if (utc) {
            /* UTC, or a zone abbreviation Local does not use: a fixed zone of that name */
            *sec = local;
            zout->fixed = 1;
            snprintf(zout->name, sizeof(zout->name), "%s", zname[0] ? zname : "UTC");
        } else if (have_off) {
            long lo;
            char ab[16];

            *sec = local - off;
            /* Local when Local has that offset then, else a zone with no name */
            zone_at("Local", *sec, &lo, ab, sizeof(ab));
            if (lo != off || (zname[0] && strcmp(ab, zname) != 0)) {
                zout->fixed = 1;
                zout->off = off;
                snprintf(zout->name, sizeof(zout->name), "%s", zname);
            }
        } else {
            /* Local: the offset in force at that civil time */
            long o1, o2;
            char ab[16];

            zone_at("Local", local, &o1, ab, sizeof(ab));
            zone_at("Local", local - o1, &o2, ab, sizeof(ab));
            *sec = local - o2;
        }
    }
    *nsec = ns;
    return 0;
}

/* ---- durations ---- */

/* Go's Duration.String(). */
static void duration_string(int64_t d, struct dk_buf *b)
{
    char buf[40];
    int w = (int)sizeof(buf);
    uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    int neg = d < 0;

#define FRAC(prec)                                                                                 \
    do {                                                                                           \
        int print_ = 0, i_;                                                                        \
        for (i_ = 0; i_ < (prec); i_++) {                                                          \
            int digit_ = (int)(u % 10);                                                            \
            print_ = print_ || digit_ != 0;                                                        \
            if (print_)                                                                            \
                buf[--w] = (char)('0' + digit_);                                                   \
            u /= 10;                                                                               \
        }                                                                                          \
        if (print_)                                                                                \
            buf[--w] = '.';                                                                        \
    } while (0)
#define INT(v)                                                                                     \
    do {                                                                                           \
        uint64_t v_ = (v);                                                                         \
        if (v_ == 0)                                                                               \
            buf[--w] = '0';                                                                        \
        while (v_ > 0) {                                                                           \
            buf[--w] = (char)('0' + v_ % 10);                                                      \
            v_ /= 10;                                                                              \
        }                                                                                          \
    } while (0)

    if (u == 0) {
        dk_buf_add(b, "0s");
        return;
    }
    if (u < (uint64_t)NS_PER_SEC) {
        int prec;

        buf[--w] = 's';
        if (u < 1000) {
            prec = 0;
            buf[--w] = 'n';
        } else if (u < 1000000) {
            prec = 3;
            buf[--w] = (char)0xb5;
            buf[--w] = (char)0xc2; /* µ */
        } else {
            prec = 6;
            buf[--w] = 'm';
        }
        FRAC(prec);
        INT(u);
    } else {
        buf[--w] = 's';
        FRAC(9);
        INT(u % 60);
        u /= 60;
        if (u > 0) {
            buf[--w] = 'm';
            INT(u % 60);
            u /= 60;
            if (u > 0) {
                buf[--w] = 'h';
                INT(u);
            }
        }
    }
    if (neg)
        buf[--w] = '-';
    dk_buf_addn(b, buf + w, sizeof(buf) - (size_t)w);
#undef FRAC
#undef INT
}

/* Go's time.ParseDuration: 0, or -1 (invalid), -2 (missing unit), -3 (unknown unit). */
static int parse_duration_rc(const char *s, int64_t *out)
{
    const char *p = s;
    int neg = 0;
    uint64_t total = 0;

    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (!strcmp(p, "0")) {
        *out = 0;
        return 0;
    }
    if (!*p)
        return -1;
    while (*p) {
        uint64_t v = 0, unit = 0, fv = 0;
        double scale = 1;
        int pre = 0, post = 0;
        size_t ul = 0;

        if (!(*p == '.' || isdigit((unsigned char)*p)))
            return -1;
        while (isdigit((unsigned char)*p)) {
            if (v > (UINT64_MAX - 9) / 10)
                return -1;
            v = v * 10 + (uint64_t)(*p++ - '0');
            pre = 1;
        }
        if (*p == '.') {
            p++;
            while (isdigit((unsigned char)*p)) {
                if (fv < UINT64_MAX / 100) {
                    fv = fv * 10 + (uint64_t)(*p - '0');
                    scale *= 10;
                }
                p++;
                post = 1;
            }
        }
        if (!pre && !post)
            return -1;
        while (p[ul] && p[ul] != '.' && !isdigit((unsigned char)p[ul]))
            ul++;
        if (ul == 0)
            return -2;
        if (ul == 2 && !strncmp(p, "ns", 2))
            unit = 1;
        else if ((ul == 2 && !strncmp(p, "us", 2)) || (ul == 3 && !strncmp(p, "\xc2\xb5s", 3)) ||
                 (ul == 3 && !strncmp(p, "\xce\xbcs", 3)))
            unit = 1000;
        else if (ul == 2 && !strncmp(p, "ms", 2))
            unit = 1000000;
        else if (ul == 1 && *p == 's')
            unit = (uint64_t)NS_PER_SEC;
        else if (ul == 1 && *p == 'm')
            unit = 60 * (uint64_t)NS_PER_SEC;
        else if (ul == 1 && *p == 'h')
            unit = 3600 * (uint64_t)NS_PER_SEC;
        else
            return -3;
        p += ul;
        if (v > (uint64_t)INT64_MAX / unit)
            return -1;
        v *= unit;
        if (fv > 0)
            v += (uint64_t)((double)fv * ((double)unit / scale));
        total += v;
        if (total > (uint64_t)INT64_MAX + (uint64_t)neg)
            return -1;
    }
    *out = neg ? (int64_t)(0 - total) : (int64_t)total;
    return 0;
}

/* Go's time.ParseDuration: 0, or -1 with Go's message in err. */
static int parse_duration(const char *s, int64_t *out, struct dk_err *err)
{
    int rc = parse_duration_rc(s, out);
    const char *p;
    size_t ul;

    if (rc == -2)
        return dk_err_set(err, DK_E_FAIL, "time: missing unit in duration \"%s\"", s);
    if (rc == -3) {
        /* the unit is the first run of non-digits after a number that is no known unit */
        for (p = s; *p; p++) {
            if (isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+')
                continue;
            for (ul = 0; p[ul] && p[ul] != '.' && !isdigit((unsigned char)p[ul]); ul++)
                ;
            if (!((ul == 2 &&
                   (!strncmp(p, "ns", 2) || !strncmp(p, "us", 2) || !strncmp(p, "ms", 2))) ||
                  (ul == 3 && (!strncmp(p, "\xc2\xb5s", 3) || !strncmp(p, "\xce\xbcs", 3))) ||
                  (ul == 1 && strchr("smh", *p))))
                return dk_err_set(err, DK_E_FAIL, "time: unknown unit \"%.*s\" in duration \"%s\"",
                                  (int)ul, p, s);
            p += ul - 1;
        }
    }
    if (rc < 0)
        return dk_err_set(err, DK_E_FAIL, "time: invalid duration \"%s\"", s);
    return 0;
}

/* ---- the functions ---- */

/* The time sprig's date functions take: a time, or an int as Unix seconds; else now. */
static void date_arg(const struct dk_val *v, int64_t *sec, long *nsec)
{
    if (time_get(v, sec, nsec))
        return;
    if (v->kind == DK_VAL_INT) {
        *sec = v->u.i;
        *nsec = 0;
        return;
    }
    time_now(sec, nsec);
}

/* A parameter Go types as time.Time. */
static int want_time(const struct dk_val *v, int64_t *sec, long *nsec, struct dk_err *err)
{
    if (time_get(v, sec, nsec))
        return 0;
    if (v->kind == DK_VAL_NIL)
        return dk_err_set(err, DK_E_FAIL, "invalid value; expected time.Time");
    return dk_err_set(err, DK_E_FAIL, "wrong type for value; expected time.Time; got %s",
                      dk_val_type_name(v));
}

FN(f_now)
{
    int64_t sec;
    long nsec;

    ARITY();
    (void)args;
    (void)err;
    time_now(&sec, &nsec);
    *out = time_val(sec, nsec);
    return 0;
}

/* date FMT T, dateInZone FMT T ZONE, htmlDate T, htmlDateInZone T ZONE */
FN(f_date)
{
    const char *name = ((const struct fdef *)c->ud)->name;
    struct dk_buf b = DK_BUF_INIT;
    const char *layout = "2006-01-02", *zone = "Local";
    struct dk_val *t;
    int64_t sec;
    long nsec;

    ARITY();
    if (!strncmp(name, "html", 4)) {
        t = args[0];
        if (n == 2) {
            STRARGS(1);
            zone = S(1);
        }
    } else {
        STRARGS(0);
        layout = S(0);
        t = args[1];
        if (n == 3) {
            STRARGS(2);
            zone = S(2);
        }
    }
    date_arg(t, &sec, &nsec);
    format_time(sec, nsec, zone, layout, &b);
    *out = dk_tmplfuncs_buf_val(&b);
    return 0;
}

/* toDate FMT S, mustToDate FMT S */
FN(f_toDate)
{
    int must = ((const struct fdef *)c->ud)->name[0] == 'm';
    struct dk_err e = DK_ERR_INIT;
    int64_t sec = ZERO_UNIX;
    long nsec = 0;
    struct tzone z;

    ARITY();
    STRARGS(0, 1);
    if (parse_time(S(0), S(1), &sec, &nsec, &z, &e) < 0) {
        if (must)
            return dk_err_set(err, DK_E_FAIL, "%s", e.msg);
        /* Go's zero time, in UTC */
        sec = ZERO_UNIX, nsec = 0;
        memset(&z, 0, sizeof(z));
        z.fixed = 1;
        snprintf(z.name, sizeof(z.name), "UTC");
    }
    *out = time_val_z(sec, nsec, &z);
    return 0;
}

/* dateModify DURATION T (mustDateModify fails on a bad duration, dateModify returns T) */
FN(f_dateModify)
{
    int must = ((const struct fdef *)c->ud)->name[0] == 'm';
    struct dk_err e = DK_ERR_INIT;
    int64_t sec, d;
    long nsec;

    ARITY();
    STRARGS(0);
    if (want_time(args[1], &sec, &nsec, err) < 0)
        return -1;
    if (parse_duration(S(0), &d, &e) < 0) {
        if (must)
            return dk_err_set(err, DK_E_FAIL, "%s", e.msg);
        *out = dk_val_ref(args[1]);
        return 0;
    }
    sec += d / NS_PER_SEC;
    nsec += (long)(d % NS_PER_SEC);
    if (nsec < 0)
        nsec += NS_PER_SEC, sec--;
    else if (nsec >= NS_PER_SEC)
        nsec -= NS_PER_SEC, sec++;
    {
        struct tzone z;

        time_zone(args[1], &z);
        *out = time_val_z(sec, nsec, &z);
    }
    return 0;
}

FN(f_unixEpoch)
{
    int64_t sec;
    long nsec;
    char s[32];

    ARITY();
    if (want_time(args[0], &sec, &nsec, err) < 0)
        return -1;
    snprintf(s, sizeof(s), "%lld", (long long)sec);
    *out = dk_val_str(s);
    return 0;
}

/* Nanoseconds from t to now. */
static int64_t since(int64_t sec, long nsec)
{
    int64_t ns, nn;
    long nnsec;

    time_now(&ns, &nnsec);
    nn = (ns - sec) * NS_PER_SEC + (nnsec - nsec);
    return nn;
}

/* ago T: time since T, rounded to the second. */
FN(f_ago)
{
    struct dk_buf b = DK_BUF_INIT;
    int64_t sec, d, r;
    long nsec;

    ARITY();
    (void)err;
    date_arg(args[0], &sec, &nsec);
    d = since(sec, nsec);
    /* Duration.Round(time.Second): halves away from zero */
    r = d % NS_PER_SEC;
    d -= r;
    if (r >= NS_PER_SEC / 2)
        d += NS_PER_SEC;
    else if (r <= -NS_PER_SEC / 2)
        d -= NS_PER_SEC;
    duration_string(d, &b);
    *out = dk_tmplfuncs_buf_val(&b);
    return 0;
}

/* duration SECONDS: a string or an int of seconds as a Go duration string. */
FN(f_duration)
{
    struct dk_buf b = DK_BUF_INIT;
    int64_t s = 0;

    ARITY();
    (void)err;
    if (args[0]->kind == DK_VAL_STR) {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(S(0), &end, 10);
        if (!errno && end != S(0) && !*end && !isspace((unsigned char)S(0)[0]))
            s = v;
    } else if (args[0]->kind == DK_VAL_INT) {
        s = args[0]->u.i;
    }
    duration_string((int64_t)((uint64_t)s * (uint64_t)NS_PER_SEC), &b);
    *out = dk_tmplfuncs_buf_val(&b);
    return 0;
}

/* durationRound D: the largest whole unit of D (a duration string, nanoseconds, or the time
 * since a time): "2h", "4d", "1y". */
FN(f_durationRound)
{
    int64_t d = 0, sec;
    long nsec;
    uint64_t u;
    char s[32];
    static const struct {
        uint64_t n;
        char unit;
    } units[] = {
        {3600ULL * 24 * 365 * NS_PER_SEC, 'y'},
        {3600ULL * 24 * 30 * NS_PER_SEC, 'm'},
        {3600ULL * 24 * NS_PER_SEC, 'd'},
        {3600ULL * NS_PER_SEC, 'h'},
        {60ULL * NS_PER_SEC, 'm'},
        {(uint64_t)NS_PER_SEC, 's'},
    };
    size_t i;

    ARITY();
    (void)err;
    if (args[0]->kind == DK_VAL_STR) {
        if (parse_duration_rc(S(0), &d) < 0)
            d = 0;
    } else if (args[0]->kind == DK_VAL_INT) {
        d = args[0]->u.i;
    } else if (time_get(args[0], &sec, &nsec)) {
        d = since(sec, nsec);
    }
    u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (u > units[i].n) {
            snprintf(s, sizeof(s), "%llu%c", (unsigned long long)(u / units[i].n), units[i].unit);
            *out = dk_val_str(s);
            return 0;
        }
    *out = dk_val_str("0s");
    return 0;
}

/* ---- methods of time.Time ---- */

static int method_time(struct dk_tmpl_call *c, int64_t *sec, long *nsec, struct civil *cv)
{
    struct tzone z;

    if (!time_get(c->ud, sec, nsec))
        return -1;
    time_zone(c->ud, &z);
    civil_own(*sec, *nsec, &z, cv);
    return 0;
}

static int m_field(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                   struct dk_err *err)
{
    struct civil cv;
    int64_t sec, v = 0;
    long nsec;

    (void)args;
    if (n != 0)
        return dk_err_set(err, DK_E_FAIL, "wrong number of args for %s: want 0 got %zu", c->name,
                          n);
    if (method_time(c, &sec, &nsec, &cv) < 0)
        return dk_err_set(err, DK_E_FAIL, "not a time.Time");
    if (!strcmp(c->name, "Unix"))
        v = sec;
    else if (!strcmp(c->name, "UnixNano"))
        v = sec * NS_PER_SEC + nsec;
    else if (!strcmp(c->name, "Year"))
        v = cv.year;
    else if (!strcmp(c->name, "YearDay"))
        v = cv.yday + 1;
    else if (!strcmp(c->name, "Day"))
        v = cv.mday;
    else if (!strcmp(c->name, "Hour"))
        v = cv.hour;
    else if (!strcmp(c->name, "Minute"))
        v = cv.min;
    else if (!strcmp(c->name, "Second"))
        v = cv.sec;
    else if (!strcmp(c->name, "Nanosecond"))
        v = nsec;
    else if (!strcmp(c->name, "IsZero")) {
        *out = dk_val_bool(sec == ZERO_UNIX && nsec == 0);
        return 0;
    }
    *out = dk_val_int(v);
    return 0;
}

static int m_format(struct dk_tmpl_call *c, struct dk_val **args, size_t n, struct dk_val **out,
                    struct dk_err *err)
{
    struct dk_buf b = DK_BUF_INIT;
    struct civil cv;
    int64_t sec;
    long nsec;

    if (n != 1)
        return dk_err_set(err, DK_E_FAIL, "wrong number of args for Format: want 1 got %zu", n);
    if (dk_tmplfuncs_want_str(args[0], err) < 0)
        return -1;
    if (method_time(c, &sec, &nsec, &cv) < 0)
        return dk_err_set(err, DK_E_FAIL, "not a time.Time");
    format_civil(&cv, args[0]->u.str.s, &b);
    *out = dk_tmplfuncs_buf_val(&b);
    return 0;
}

static const struct dk_val_method time_method_list[] = {
    {"Day", m_field},      {"Format", m_format},    {"Hour", m_field},    {"IsZero", m_field},
    {"Minute", m_field},   {"Nanosecond", m_field}, {"Second", m_field},  {"Unix", m_field},
    {"UnixNano", m_field}, {"Year", m_field},       {"YearDay", m_field},
};

static const struct dk_val_methods time_methods = {
    "time.Time",
    time_method_list,
    sizeof(time_method_list) / sizeof(time_method_list[0]),
    time_string,
};

static const struct fdef defs[] = {
    {"now", f_now, 0, 0},
    {"date", f_date, 2, 2},
    {"dateInZone", f_date, 3, 3},
    {"date_in_zone", f_date, 3, 3},
    {"htmlDate", f_date, 1, 1},
    {"htmlDateInZone", f_date, 2, 2},
    {"toDate", f_toDate, 2, 2},
    {"mustToDate", f_toDate, 2, 2},
    {"dateModify", f_dateModify, 2, 2},
    {"date_modify", f_dateModify, 2, 2},
    {"mustDateModify", f_dateModify, 2, 2},
    {"must_date_modify", f_dateModify, 2, 2},
    {"unixEpoch", f_unixEpoch, 1, 1},
    {"ago", f_ago, 1, 1},
    {"duration", f_duration, 1, 1},
    {"durationRound", f_durationRound, 1, 1},
};

void dk_tmplfuncs_register_time(struct dk_tmpl *t)
{
    dk_tmplfuncs_add(t, defs, sizeof(defs) / sizeof(defs[0]));
}
