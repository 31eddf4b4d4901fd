#include "dk/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

static char tmp[4096];

static void test_add(void)
{
    struct dk_buf b = DK_BUF_INIT;

    ok(b.buf != NULL && b.buf[0] == '\0' && b.len == 0, "buf: a fresh buffer is an empty C string");
    ok(dk_buf_add(&b, "ab") == 0, "buf: add succeeds");
    ok(dk_buf_addch(&b, 'c') == 0, "buf: addch succeeds");
    ok(dk_buf_addn(&b, "de\0f", 4) == 0, "buf: addn succeeds with a NUL inside");
    is_int(b.len, 7, "buf: length counts every byte added, the inner NUL too");
    ok(memcmp(b.buf, "abcde\0f", 8) == 0, "buf: bytes are in order and NUL-terminated");
    dk_buf_setlen(&b, 3);
    is_str(b.buf, "abc", "buf: setlen shortens and terminates");
    dk_buf_setlen(&b, 100);
    is_int(b.len, 3, "buf: setlen never lengthens");
    ok(dk_buf_addf(&b, "-%d-%s", 42, "x") == 0, "buf: addf succeeds");
    is_str(b.buf, "abc-42-x", "buf: addf appends formatted text");
    ok(dk_buf_addf(&b, "%s", "") == 0 && b.len == 8, "buf: addf of nothing adds nothing");
    dk_buf_reset(&b);
    ok(b.len == 0 && b.buf[0] == '\0' && b.alloc > 0, "buf: reset empties and keeps memory");
    dk_buf_release(&b);
    ok(b.alloc == 0 && b.len == 0 && b.buf == dk_buf_empty,
       "buf: release returns to the initial state");
    dk_buf_release(&b);
    ok(1, "buf: release twice is safe");

    dk_buf_init(&b);
    ok(dk_buf_addf(&b, "%s", "") == 0 && b.buf[0] == '\0', "buf: addf of nothing on a new buffer");
    dk_buf_reset(&b);
    dk_buf_release(&b);
    ok(dk_buf_addn(&b, NULL, 0) == 0 && b.len == 0, "buf: addn of zero bytes from NULL is fine");
    dk_buf_release(&b);
}

static void test_grow(void)
{
    struct dk_buf b = DK_BUF_INIT;
    char *big = malloc(100000);
    size_t i;
    int good = 1;

    memset(big, 'x', 99999);
    big[99999] = '\0';
    for (i = 0; i < 1000; i++)
        dk_buf_addf(&b, "%05zu,", i);
    is_int(b.len, 6000, "buf: many small addf append every byte");
    ok(!strncmp(b.buf + 5994, "00999,", 6), "buf: the last addf is at the end");
    ok(dk_buf_addf(&b, "[%s]", big) == 0, "buf: addf grows past 64 KiB");
    is_int(b.len, 6000 + 100001, "buf: the big addf added all its bytes");
    ok(b.buf[b.len] == '\0' && b.buf[b.len - 1] == ']', "buf: the big addf is terminated");
    for (i = 0; i < 1000; i++) {
        char want[8];

        snprintf(want, sizeof(want), "%05zu,", i);
        if (strncmp(b.buf + i * 6, want, 6))
            good = 0;
    }
    ok(good, "buf: earlier content survives reallocation");
    dk_buf_release(&b);

    for (i = 0; i < 200000; i++)
        if (dk_buf_addch(&b, (char)('a' + i % 26)) < 0)
            good = 0;
    ok(good && b.len == 200000 && b.buf[199999] == (char)('a' + 199999 % 26) &&
           b.buf[200000] == '\0',
       "buf: addch one byte at a time grows to 200000 bytes");
    dk_buf_release(&b);
    free(big);
}

static void test_max(void)
{
    struct dk_buf b;
    char data[200];

    memset(data, 'y', sizeof(data));
    dk_buf_init_max(&b, 10);
    ok(dk_buf_add(&b, "0123456789") == 0, "buf: a write up to the cap succeeds");
    ok(dk_buf_addch(&b, 'x') == -1, "buf: the cap refuses one byte past it");
    ok(b.len == 10 && !strcmp(b.buf, "0123456789"), "buf: a refused addch leaves the buffer");
    dk_buf_setlen(&b, 5);
    ok(dk_buf_add(&b, "abcdef") == -1, "buf: the cap refuses an add that would pass it");
    is_str(b.buf, "01234", "buf: a refused add leaves the buffer unchanged");
    ok(dk_buf_addf(&b, "%s", "abcdef") == -1, "buf: the cap refuses an addf that would pass it");
    ok(b.len == 5 && !strcmp(b.buf, "01234"), "buf: a refused addf leaves the buffer unchanged");
    ok(dk_buf_addn(&b, data, sizeof(data)) == -1, "buf: the cap refuses a large addn");
    is_int(b.len, 5, "buf: a refused addn leaves the length");
    ok(dk_buf_grow(&b, 6) == -1 && dk_buf_grow(&b, 5) == 0,
       "buf: grow refuses past the cap and allows up to it");
    ok(b.alloc <= 11, "buf: capped memory never exceeds cap + NUL");
    dk_buf_release(&b);
    is_int(b.max, 10, "buf: release keeps the cap");
    ok(dk_buf_addn(&b, data, 11) == -1, "buf: the kept cap still refuses after release");
    dk_buf_init(&b);
    ok(dk_buf_grow(&b, (size_t)-1 - 2) == -1, "buf: grow without a cap refuses an overflow too");
    dk_buf_release(&b);
}

static void test_detach(void)
{
    struct dk_buf b = DK_BUF_INIT;
    size_t len = 99;
    char *p;

    dk_buf_add(&b, "hello");
    p = dk_buf_detach(&b, &len);
    ok(!strcmp(p, "hello") && len == 5, "buf: detach hands over the bytes and their length");
    ok(b.len == 0 && b.alloc == 0 && b.buf == dk_buf_empty, "buf: detach leaves an empty buffer");
    dk_buf_add(&b, "again");
    is_str(b.buf, "again", "buf: a detached buffer can be used again");
    ok(p[0] == 'h', "buf: the detached bytes are not touched by later writes");
    free(p);
    dk_buf_release(&b);

    p = dk_buf_detach(&b, &len);
    ok(p != NULL && p != dk_buf_empty && p[0] == '\0' && len == 0,
       "buf: detach of an empty buffer returns a fresh empty string");
    free(p);
    p = dk_buf_detach(&b, NULL);
    ok(p != NULL, "buf: detach works without a length pointer");
    free(p);
}

static void test_read(void)
{
    struct dk_buf b = DK_BUF_INIT;
    char *path = dk_xasprintf("%s/file", tmp), *missing = dk_xasprintf("%s/missing", tmp);
    size_t n = 150000, i;
    char *data = malloc(n);
    FILE *f;
    int fds[2], fd;

    for (i = 0; i < n; i++)
        data[i] = (char)(i * 31 + 7);
    f = fopen(path, "wb");
    fwrite(data, 1, n, f);
    fclose(f);

    ok(dk_buf_read_file(&b, path) == 0, "buf: read_file reads a 150000-byte file");
    ok(b.len == n && !memcmp(b.buf, data, n) && b.buf[n] == '\0',
       "buf: read_file gets every byte, terminated");
    dk_buf_reset(&b);
    dk_buf_add(&b, "head:");
    dk_buf_read_file(&b, path);
    ok(b.len == n + 5 && !memcmp(b.buf, "head:", 5) && !memcmp(b.buf + 5, data, n),
       "buf: read_file appends after what is there");
    dk_buf_release(&b);

    errno = 0;
    ok(dk_buf_read_file(&b, missing) == -1 && errno == ENOENT,
       "buf: read_file of a missing file is -1 with ENOENT");
    ok(b.len == 0, "buf: a failed read_file adds nothing");

    ok(pipe(fds) == 0, "buf: a pipe for read_fd");
    ok(write(fds[1], "through a pipe", 14) == 14, "buf: the pipe takes the bytes");
    close(fds[1]);
    ok(dk_buf_read_fd(&b, fds[0]) == 0 && !strcmp(b.buf, "through a pipe"),
       "buf: read_fd reads a pipe to EOF");
    close(fds[0]);
    dk_buf_release(&b);

    dk_buf_init_max(&b, 1000);
    errno = 0;
    ok(dk_buf_read_file(&b, path) == -1 && errno == E2BIG,
       "buf: read_file past the cap is -1 with E2BIG");
    ok(b.len <= 1000, "buf: a capped read never passes the cap");
    dk_buf_release(&b);

    f = fopen(path, "wb");
    fwrite(data, 1, 1000, f);
    fclose(f);
    dk_buf_init_max(&b, 1000);
    ok(dk_buf_read_file(&b, path) == 0 && b.len == 1000 && !memcmp(b.buf, data, 1000),
       "buf: a file exactly as large as the cap is read whole");
    dk_buf_release(&b);

    dk_buf_init_max(&b, 10);
    ok(pipe(fds) == 0 && write(fds[1], "0123456789abc", 13) == 13, "buf: a pipe with 13 bytes");
    close(fds[1]);
    errno = 0;
    ok(dk_buf_read_fd(&b, fds[0]) == -1 && errno == E2BIG,
       "buf: read_fd of 13 bytes with a cap of 10 is E2BIG");
    close(fds[0]);
    dk_buf_release(&b);

    fd = open(tmp, O_RDONLY);
    errno = 0;
    ok(dk_buf_read_fd(&b, fd) == -1 && errno == EISDIR, "buf: read_fd of a directory is EISDIR");
    close(fd);
    dk_buf_release(&b);

    unlink(path);
    free(path);
    free(missing);
    free(data);
}

static void test_strings(void)
{
    struct dk_strvec sv = DK_STRVEC_INIT;
    unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
    char hex[9], src[] = "abc";
    char *s;

    dk_strvec_push(&sv, src);
    src[0] = 'X';
    dk_strvec_push_owned(&sv, dk_xstrdup("two"));
    is_int(sv.n, 2, "strvec: push adds entries");
    ok(dk_strvec_has(&sv, "abc"), "strvec: has finds a pushed copy");
    ok(!dk_strvec_has(&sv, "Xbc"), "strvec: push copied the string (later changes not seen)");
    ok(dk_strvec_has(&sv, "two"), "strvec: has finds an owned entry");
    ok(!dk_strvec_has(&sv, "tw"), "strvec: has needs an exact match");
    dk_strvec_release(&sv);
    ok(sv.n == 0 && sv.v == NULL, "strvec: release empties");
    ok(!dk_strvec_has(&sv, "abc"), "strvec: has on an empty vector is 0");
    dk_strvec_release(&sv);

    dk_hex(bytes, sizeof(bytes), hex);
    is_str(hex, "000fa5ff", "hex: lower-case, two digits per byte");
    dk_hex(bytes, 0, hex);
    is_str(hex, "", "hex: zero bytes is the empty string");

    ok(dk_str_startswith("docker://x", "docker://"), "str: startswith a prefix");
    ok(dk_str_startswith("abc", ""), "str: everything starts with the empty string");
    ok(!dk_str_startswith("ab", "abc"), "str: a shorter string does not start with a longer one");
    ok(dk_str_endswith("file.tar.gz", ".gz"), "str: endswith a suffix");
    ok(!dk_str_endswith("gz", ".gz"), "str: a shorter string does not end with a longer one");
    ok(dk_str_endswith("x", ""), "str: everything ends with the empty string");

    s = dk_xasprintf("%s-%03d", "v", 7);
    is_str(s, "v-007", "xasprintf: formats into a new string");
    free(s);
    s = dk_xasprintf("%s", "");
    ok(s && !*s, "xasprintf: an empty result is an empty allocated string");
    free(s);
    s = dk_xstrndup("abcdef", 3);
    is_str(s, "abc", "xstrndup: copies at most n bytes");
    free(s);
    s = dk_xstrndup("ab", 10);
    is_str(s, "ab", "xstrndup: stops at the NUL");
    free(s);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    char *cmd;

    snprintf(tmp, sizeof(tmp), "%s/dk-t-buf-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        printf("Bail out! cannot make a temp dir: %s\n", strerror(errno));
        return 1;
    }
    test_add();
    test_grow();
    test_max();
    test_detach();
    test_read();
    test_strings();
    cmd = dk_xasprintf("rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        printf("# cannot remove %s\n", tmp);
    free(cmd);
    return tap_done();
}
