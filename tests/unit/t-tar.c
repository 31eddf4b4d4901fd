#include "dk/tar.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

static char tmp[4096];

static char *path_in(const char *name)
{
    return dk_xasprintf("%s/%s", tmp, name);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");

    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

static int read_whole(const char *path, struct dk_buf *b)
{
    dk_buf_reset(b);
    return dk_buf_read_file(b, path);
}

static int exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

/* Whether any file in tmp has ".tmp-" in its name (a writer's leftover). */
static int leftover_tmp(void)
{
    DIR *d = opendir(tmp);
    struct dirent *de;
    int found = 0;

    if (!d)
        return 0;
    while ((de = readdir(d)))
        if (strstr(de->d_name, ".tmp-"))
            found = 1;
    closedir(d);
    return found;
}

/* Names of the round-trip archive. */
static char long_prefixed[200], long_pax[400], long_target[200];
static unsigned char *big;
#define BIG_LEN 200000

static void make_names(void)
{
    size_t i;

    /* 130 bytes that split at a '/' into the ustar prefix and name fields. */
    snprintf(long_prefixed, sizeof(long_prefixed), "d/%s/%s",
             "ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp",
             "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn.txt");
    /* Over 255 bytes in three 99-byte components: too long for the ustar prefix, so a pax
     * header carries it. */
    memcpy(long_pax, "d/", 2);
    for (i = 2; i < 301; i++)
        long_pax[i] = (i - 1) % 100 == 0 ? '/' : (char)('a' + i % 26);
    long_pax[301] = '\0';
    memcpy(long_target, long_pax + 2, 150);
    long_target[150] = '\0';
    big = malloc(BIG_LEN);
    for (i = 0; i < BIG_LEN; i++)
        big[i] = (unsigned char)(i * 31 + i / 977);
}

static int write_sample(const char *path, int gzip, struct dk_err *err)
{
    struct dk_tar_writer w;
    char *src = path_in("src.bin");
    int rc = -1;

    write_file(src, big, BIG_LEN);
    chmod(src, 0750);
    if (dk_tar_writer_open(&w, path, gzip, err) < 0)
        goto out;
    if (dk_tar_add_dir(&w, "d", 0755, err) < 0 ||
        dk_tar_add_data(&w, "d/a.txt", "hello\n", 6, 0644, err) < 0 ||
        dk_tar_add_data(&w, "d/run.sh", "#!/bin/sh\n", 10, 0755, err) < 0 ||
        dk_tar_add_data(&w, "empty", "", 0, 0600, err) < 0 ||
        dk_tar_add_data(&w, long_prefixed, "prefixed", 8, 0644, err) < 0 ||
        dk_tar_add_data(&w, long_pax, "pax", 3, 0644, err) < 0 ||
        dk_tar_add_symlink(&w, "d/link", "a.txt", err) < 0 ||
        dk_tar_add_symlink(&w, "d/longlink", long_target, err) < 0 ||
        dk_tar_add_hardlink(&w, "d/hard", "d/a.txt", err) < 0 ||
        dk_tar_add_file(&w, "d/big.bin", src, err) < 0 ||
        dk_tar_add_data(&w, "d/after", "x", 1, 0644, err) < 0)
        goto out;
    rc = dk_tar_writer_commit(&w, err);
out:
    dk_tar_writer_release(&w);
    free(src);
    return rc;
}

static void check_sample(const char *path, const char *what)
{
    struct dk_tar_reader r;
    struct dk_tar_entry e;
    struct dk_err err = DK_ERR_INIT;
    struct dk_buf data = DK_BUF_INIT;
    char chunk[1000];
    ssize_t k;
    int n = 0, rc, good = 1;

    if (!ok(dk_tar_reader_open(&r, path, &err) == 0, "tar: %s: reader opens", what)) {
        printf("#   %s\n", err.msg);
        return;
    }
    while ((rc = dk_tar_next(&r, &e, &err)) == 1) {
        n++;
        dk_buf_reset(&data);
        /* Leave d/run.sh unread: dk_tar_next must skip it. */
        if (strcmp(e.name, "d/run.sh") != 0)
            while ((k = dk_tar_read(&r, chunk, 1 + (size_t)n * 97 % sizeof(chunk), &err)) > 0)
                dk_buf_addn(&data, chunk, (size_t)k);
        switch (n) {
        case 1:
            is_str(e.name, "d/", "tar: %s: directory name gets a '/'", what);
            ok(e.type == DK_TAR_DIR && e.mode == 0755, "tar: %s: directory type and mode", what);
            break;
        case 2:
            is_str(e.name, "d/a.txt", "tar: %s: file name", what);
            ok(e.type == DK_TAR_FILE && e.mode == 0644 && e.size == 6 &&
                   !strcmp(data.buf, "hello\n"),
               "tar: %s: file type, mode, size, content", what);
            is_int(e.mtime, 0, "tar: %s: mtime defaults to 0", what);
            break;
        case 3:
            ok(!strcmp(e.name, "d/run.sh") && e.mode == 0755, "tar: %s: executable mode", what);
            break;
        case 4:
            ok(!strcmp(e.name, "empty") && e.size == 0 && e.mode == 0600 && data.len == 0,
               "tar: %s: empty file", what);
            break;
        case 5:
            is_str(e.name, long_prefixed, "tar: %s: 130-byte name through the ustar prefix", what);
            is_str(data.buf, "prefixed", "tar: %s: its content", what);
            break;
        case 6:
            is_str(e.name, long_pax, "tar: %s: 300-byte name through a pax header", what);
            is_str(data.buf, "pax", "tar: %s: its content", what);
            break;
        case 7:
            ok(e.type == DK_TAR_SYMLINK && !strcmp(e.name, "d/link") &&
                   !strcmp(e.linkname, "a.txt"),
               "tar: %s: symlink", what);
            break;
        case 8:
            ok(e.type == DK_TAR_SYMLINK && !strcmp(e.linkname, long_target),
               "tar: %s: 150-byte symlink target through pax linkpath", what);
            break;
        case 9:
            ok(e.type == DK_TAR_HARDLINK && !strcmp(e.linkname, "d/a.txt") && e.size == 0,
               "tar: %s: hard link", what);
            break;
        case 10:
            ok(e.size == BIG_LEN && data.len == BIG_LEN && !memcmp(data.buf, big, BIG_LEN) &&
                   e.mode == 0750,
               "tar: %s: add_file streams %d bytes and keeps the mode", what, BIG_LEN);
            break;
        case 11:
            ok(!strcmp(e.name, "d/after") && !strcmp(data.buf, "x"),
               "tar: %s: entry after the big file", what);
            break;
        default:
            good = 0;
        }
    }
    is_int(rc, 0, "tar: %s: end of archive", what);
    ok(n == 11 && good, "tar: %s: 11 entries", what);
    ok(dk_tar_next(&r, &e, &err) == 0, "tar: %s: next after the end stays at the end", what);
    dk_tar_reader_release(&r);
    dk_tar_reader_release(&r);
    dk_buf_release(&data);
}

static void test_roundtrip(void)
{
    struct dk_err err = DK_ERR_INIT;
    char *plain = path_in("plain.tar"), *gz = path_in("sample.tar.gz");
    struct dk_buf a = DK_BUF_INIT, b = DK_BUF_INIT;
    char *cmd;

    ok(write_sample(plain, 0, &err) == 0, "tar: write a plain archive");
    ok(write_sample(gz, 1, &err) == 0, "tar: write a gzip archive");
    ok(!leftover_tmp(), "tar: commit leaves no temp file");
    read_whole(plain, &a);
    read_whole(gz, &b);
    ok(a.len % 512 == 0 && a.len > 1024, "tar: plain archive is whole blocks");
    ok(b.len > 2 && (unsigned char)b.buf[0] == 0x1f && (unsigned char)b.buf[1] == 0x8b,
       "tar: gzip archive starts with the gzip magic");
    check_sample(plain, "plain");
    check_sample(gz, "gzip");

    /* GNU tar reads what dk writes. */
    cmd = dk_xasprintf("tar -tzf '%s' >'%s/list' 2>&1", gz, tmp);
    if (system("tar --version >/dev/null 2>&1") == 0) {
        char *list = path_in("list");

        ok(system(cmd) == 0, "tar: GNU tar lists the gzip archive");
        read_whole(list, &a);
        ok(strstr(a.buf, long_pax) && strstr(a.buf, long_prefixed),
           "tar: GNU tar sees both long names");
        free(list);
    } else {
        ok(1, "tar: GNU tar lists the gzip archive # SKIP no tar");
        ok(1, "tar: GNU tar sees both long names # SKIP no tar");
    }
    free(cmd);
    dk_buf_release(&a);
    dk_buf_release(&b);
    free(plain);
    free(gz);
}

static void test_gnu_longname(void)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_tar_reader r;
    struct dk_tar_entry e;
    char *dir = path_in("gnu"), *arch = path_in("gnu.tar"), *f, *cmd;
    char name[201];
    int found = 0;

    if (system("tar --version >/dev/null 2>&1") != 0) {
        ok(1, "tar: reads GNU 'L' long names # SKIP no tar");
        goto out;
    }
    memset(name, 'g', 200);
    name[200] = '\0';
    mkdir(dir, 0755);
    f = dk_xasprintf("%s/%s", dir, name);
    write_file(f, "gnu", 3);
    free(f);
    cmd = dk_xasprintf("cd '%s' && tar --format=gnu -cf '%s' .", dir, arch);
    if (system(cmd) == 0 && dk_tar_reader_open(&r, arch, &err) == 0) {
        while (dk_tar_next(&r, &e, &err) == 1) {
            char data[8] = {0};

            if (!strncmp(e.name, "./", 2) && !strcmp(e.name + 2, name))
                found = dk_tar_read(&r, data, sizeof(data), &err) == 3 && !strcmp(data, "gnu");
        }
        dk_tar_reader_release(&r);
    }
    ok(found, "tar: reads GNU 'L' long names (200 bytes)");
    free(cmd);
out:
    free(dir);
    free(arch);
}

static void test_determinism(void)
{
    struct dk_err err = DK_ERR_INIT;
    char *p1 = path_in("det1.tar.gz"), *p2 = path_in("det2.tar.gz"), *p3 = path_in("det3.tar");
    struct dk_buf a = DK_BUF_INIT, b = DK_BUF_INIT;
    struct dk_tar_writer w;
    struct dk_tar_reader r;
    struct dk_tar_entry e;

    write_sample(p1, 1, &err);
    sleep(1);
    write_sample(p2, 1, &err);
    read_whole(p1, &a);
    read_whole(p2, &b);
    ok(a.len == b.len && !memcmp(a.buf, b.buf, a.len),
       "tar: two writes of the same entries are byte-identical");

    dk_tar_writer_open(&w, p3, 0, &err);
    w.mtime = 1700000000;
    dk_tar_add_data(&w, "f", "1", 1, 0644, &err);
    dk_tar_writer_commit(&w, &err);
    dk_tar_writer_release(&w);
    dk_tar_reader_open(&r, p3, &err);
    ok(dk_tar_next(&r, &e, &err) == 1 && e.mtime == 1700000000, "tar: mtime set on the writer");
    dk_tar_reader_release(&r);
    dk_buf_release(&a);
    dk_buf_release(&b);
    free(p1);
    free(p2);
    free(p3);
}

static void test_writer_abort(void)
{
    struct dk_err err = DK_ERR_INIT;
    char *p = path_in("aborted.tar.gz");
    struct dk_tar_writer w;
    struct dk_tar_entry e;

    ok(dk_tar_writer_open(&w, p, 1, &err) == 0, "tar: abort: writer opens");
    dk_tar_add_data(&w, "a", big, 100000, 0644, &err);
    ok(leftover_tmp() && !exists(p), "tar: abort: data goes to a temp file, not the path");
    dk_tar_writer_release(&w);
    ok(!exists(p) && !leftover_tmp(), "tar: abort: release without commit leaves no file");
    dk_tar_writer_release(&w);

    dk_tar_writer_open(&w, p, 0, &err);
    memset(&e, 0, sizeof(e));
    e.name = "short";
    e.type = DK_TAR_FILE;
    e.size = 10;
    e.mode = 0644;
    dk_tar_add_entry(&w, &e, &err);
    dk_tar_write_data(&w, "12345", 5, &err);
    ok(dk_tar_write_data(&w, "1234567", 7, &err) == -1 && err.code == DK_E_FAIL,
       "tar: writing past an entry's size fails");
    ok(dk_tar_writer_commit(&w, &err) == -1 && strstr(err.msg, "missing 5 bytes"),
       "tar: commit with an entry short of data fails");
    dk_tar_writer_release(&w);
    ok(!exists(p) && !leftover_tmp(), "tar: a failed commit leaves no file");

    {
        char *missing = path_in("no/such/dir/x.tar");

        ok(dk_tar_writer_open(&w, missing, 0, &err) == -1 && err.code == DK_E_IO,
           "tar: writer in a missing directory is an io error");
        dk_tar_writer_release(&w);
        free(missing);
    }
    free(p);
}

static void test_truncated(void)
{
    struct dk_err err = DK_ERR_INIT;
    char *plain = path_in("plain.tar"), *gz = path_in("sample.tar.gz");
    char *cut = path_in("cut.tar"), *cutgz = path_in("cut.tar.gz"), *bad = path_in("bad.tar");
    char *out = path_in("cut-out"), *missing = path_in("missing.tar");
    struct dk_buf a = DK_BUF_INIT;
    struct dk_tar_reader r;
    struct dk_tar_entry e;
    char chunk[4096];
    ssize_t k = 0;
    int rc;

    read_whole(plain, &a);
    /* Header of d/, header of d/a.txt, 3 of its 6 bytes. */
    write_file(cut, a.buf, 1024 + 3);
    dk_tar_reader_open(&r, cut, &err);
    dk_tar_next(&r, &e, &err);
    dk_tar_next(&r, &e, &err);
    k = dk_tar_read(&r, chunk, sizeof(chunk), &err);
    ok(k == -1 && err.code == DK_E_INPUT, "tar: reading data past a cut fails");
    ok(strstr(err.msg, cut) && strstr(err.msg, "truncated"),
       "tar: the message names the archive and says truncated");
    dk_tar_reader_release(&r);

    write_file(cut, a.buf, 1024 + 300);
    dk_err_init(&err);
    dk_tar_reader_open(&r, cut, &err);
    dk_tar_next(&r, &e, &err);
    dk_tar_next(&r, &e, &err);
    rc = dk_tar_next(&r, &e, &err);
    ok(rc == -1 && err.code == DK_E_INPUT && strstr(err.msg, "truncated"),
       "tar: a header cut short is truncated");
    dk_tar_reader_release(&r);

    read_whole(gz, &a);
    write_file(cutgz, a.buf, a.len / 2);
    dk_err_init(&err);
    ok(dk_tar_extract(cutgz, out, NULL, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "truncated") && strstr(err.msg, cutgz),
       "tar: extracting a cut gzip archive fails as truncated");

    read_whole(plain, &a);
    a.buf[512 + 10] ^= 1; /* a byte of the second header's name */
    write_file(bad, a.buf, a.len);
    dk_err_init(&err);
    dk_tar_reader_open(&r, bad, &err);
    dk_tar_next(&r, &e, &err);
    ok(dk_tar_next(&r, &e, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "corrupt: bad header checksum at byte 512"),
       "tar: a changed header byte is a checksum error");
    dk_tar_reader_release(&r);

    read_whole(gz, &a);
    memset(a.buf + a.len / 3, 0x5a, 64);
    write_file(cutgz, a.buf, a.len);
    dk_err_init(&err);
    ok(dk_tar_extract(cutgz, out, NULL, &err) == -1 && err.code == DK_E_INPUT,
       "tar: corrupt gzip data is an input error");

    dk_err_init(&err);
    ok(dk_tar_reader_open(&r, missing, &err) == -1 && err.code == DK_E_NOTFOUND,
       "tar: a missing archive is not-found");
    dk_tar_reader_release(&r);

    dk_buf_release(&a);
    free(plain);
    free(gz);
    free(cut);
    free(cutgz);
    free(bad);
    free(out);
    free(missing);
}

static void test_extract_good(void)
{
    struct dk_err err = DK_ERR_INIT;
    char *gz = path_in("sample.tar.gz"), *out = path_in("x-good"), *p;
    struct dk_buf b = DK_BUF_INIT;
    struct stat st1, st2;
    char link[256];
    ssize_t n;

    ok(dk_tar_extract(gz, out, NULL, &err) == 0, "tar: extract the sample archive");
    if (err.msg[0])
        printf("#   %s\n", err.msg);
    p = dk_xasprintf("%s/d/a.txt", out);
    ok(read_whole(p, &b) == 0 && !strcmp(b.buf, "hello\n"), "tar: extracted file content");
    stat(p, &st1);
    ok((st1.st_mode & 07777) == 0644, "tar: extracted file mode");
    free(p);
    p = dk_xasprintf("%s/d/run.sh", out);
    stat(p, &st2);
    ok((st2.st_mode & 07777) == 0755, "tar: extracted executable mode");
    free(p);
    p = dk_xasprintf("%s/d/hard", out);
    ok(stat(p, &st2) == 0 && st1.st_ino == st2.st_ino, "tar: hard link shares the inode");
    free(p);
    p = dk_xasprintf("%s/d/link", out);
    n = readlink(p, link, sizeof(link) - 1);
    ok(n == 5 && !memcmp(link, "a.txt", 5), "tar: symlink target kept");
    free(p);
    p = dk_xasprintf("%s/%s", out, long_pax);
    ok(read_whole(p, &b) == 0 && !strcmp(b.buf, "pax"), "tar: 300-byte name extracted");
    free(p);
    p = dk_xasprintf("%s/d/big.bin", out);
    ok(read_whole(p, &b) == 0 && b.len == BIG_LEN && !memcmp(b.buf, big, BIG_LEN),
       "tar: big file extracted whole");
    free(p);

    dk_err_init(&err);
    ok(dk_tar_extract(gz, out, NULL, &err) == 0, "tar: extracting again over the files works");

    dk_buf_release(&b);
    free(gz);
    free(out);
}

/* Writes an archive from a list of entries; data for files is their name. */
struct spec {
    enum dk_tar_type type;
    const char *name, *link;
    char typeflag;
};

static char *build(const char *file, const struct spec *s, size_t n)
{
    struct dk_err err = DK_ERR_INIT;
    char *p = path_in(file);
    struct dk_tar_writer w;
    size_t i;

    dk_tar_writer_open(&w, p, 0, &err);
    for (i = 0; i < n; i++) {
        struct dk_tar_entry e;

        memset(&e, 0, sizeof(e));
        e.name = s[i].name;
        e.linkname = s[i].link;
        e.type = s[i].type;
        e.typeflag = s[i].typeflag;
        e.mode = s[i].type == DK_TAR_DIR ? 0755 : 0644;
        e.size = s[i].type == DK_TAR_FILE ? strlen(s[i].name) : 0;
        dk_tar_add_entry(&w, &e, &err);
        if (s[i].type == DK_TAR_FILE)
            dk_tar_write_data(&w, s[i].name, strlen(s[i].name), &err);
    }
    if (dk_tar_writer_commit(&w, &err) < 0)
        printf("# build %s: %s\n", file, err.msg);
    dk_tar_writer_release(&w);
    return p;
}

/* Extracts the archive built from s into a new directory; expects a refusal naming entry. */
static char last_out[64];

static void refused(const char *what, const struct spec *s, size_t n, const char *entry,
                    const char *reason)
{
    static int seq;
    struct dk_err err = DK_ERR_INIT;
    char file[64], dir[64], *arch, *out;
    int rc;

    snprintf(file, sizeof(file), "evil%d.tar", ++seq);
    snprintf(dir, sizeof(dir), "x-evil%d", seq);
    arch = build(file, s, n);
    out = path_in(dir);
    snprintf(last_out, sizeof(last_out), "%s", dir);
    rc = dk_tar_extract(arch, out, NULL, &err);
    ok(rc == -1 && err.code == DK_E_INPUT && strstr(err.msg, arch) && strstr(err.msg, entry) &&
           strstr(err.msg, reason),
       "tar: extract refuses %s", what);
    if (rc != -1 || !strstr(err.msg, reason))
        printf("#   got: %s\n", err.msg);
    free(arch);
    free(out);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_extract_refusals(void)
{
    static const struct spec abs[] = {{DK_TAR_FILE, "ok", NULL, 0},
                                      {DK_TAR_FILE, "/tmp/dk-evil", NULL, 0}};
    static const struct spec dotdot[] = {{DK_TAR_FILE, "../dk-evil", NULL, 0}};
    static const struct spec dotdot2[] = {{DK_TAR_FILE, "a/b/../../../dk-evil", NULL, 0}};
    static const struct spec sl_abs[] = {{DK_TAR_SYMLINK, "l", "/etc", 0}};
    static const struct spec sl_up[] = {{DK_TAR_SYMLINK, "l", "../outside", 0}};
    static const struct spec sl_up2[] = {{DK_TAR_DIR, "d", NULL, 0},
                                         {DK_TAR_SYMLINK, "d/l", "../../x", 0}};
    static const struct spec sl_mid[] = {{DK_TAR_SYMLINK, "l", ".", 0},
                                         {DK_TAR_SYMLINK, "l2", "l/..", 0}};
    static const struct spec hl_up[] = {{DK_TAR_HARDLINK, "h", "../etc/passwd", 0}};
    static const struct spec hl_abs[] = {{DK_TAR_HARDLINK, "h", "/etc/passwd", 0}};
    static const struct spec hl_none[] = {{DK_TAR_HARDLINK, "h", "nothing", 0}};
    static const struct spec hl_sym[] = {{DK_TAR_DIR, "d", NULL, 0},
                                         {DK_TAR_SYMLINK, "d/l", "../f", 0},
                                         {DK_TAR_HARDLINK, "h", "d/l", 0}};
    static const struct spec through[] = {{DK_TAR_DIR, "sub", NULL, 0},
                                          {DK_TAR_SYMLINK, "l", "sub", 0},
                                          {DK_TAR_FILE, "l/x", NULL, 0}};
    static const struct spec fifo[] = {{DK_TAR_OTHER, "fifo", NULL, '6'}};
    static const struct spec chr[] = {{DK_TAR_OTHER, "null", NULL, '3'}};
    static const struct spec blk[] = {{DK_TAR_OTHER, "sda", NULL, '4'}};
    static const struct spec fine[] = {{DK_TAR_DIR, "d", NULL, 0},
                                       {DK_TAR_FILE, "d/f", NULL, 0},
                                       {DK_TAR_SYMLINK, "d/up", "../d/f", 0},
                                       {DK_TAR_SYMLINK, "d/dot", "./f", 0},
                                       {DK_TAR_SYMLINK, "top", "d", 0},
                                       {DK_TAR_SYMLINK, "top", "d/f", 0},
                                       {DK_TAR_FILE, "top", NULL, 0}};
    struct dk_err err = DK_ERR_INIT;
    char *arch, *out, *p;
    struct stat st;

    refused("an absolute path", abs, N(abs), "'/tmp/dk-evil'", "absolute path");
    ok(!exists("/tmp/dk-evil"), "tar: nothing written at the absolute path");
    refused("a leading '..'", dotdot, N(dotdot), "'../dk-evil'", "'..' path component");
    refused("a '..' inside the path", dotdot2, N(dotdot2), "a/b/../../../dk-evil", "'..'");
    refused("a symlink to an absolute path", sl_abs, N(sl_abs), "'l'", "is absolute");
    refused("a symlink out of the directory", sl_up, N(sl_up), "'l'",
            "points outside the directory");
    refused("a nested symlink climbing out", sl_up2, N(sl_up2), "'d/l'", "points outside");
    refused("a symlink with '..' after a name", sl_mid, N(sl_mid), "'l2'", "'..' after a name");
    refused("a hard link out of the directory", hl_up, N(hl_up), "'h'", "outside the directory");
    refused("a hard link to an absolute path", hl_abs, N(hl_abs), "'h'", "outside");
    refused("a hard link to nothing extracted", hl_none, N(hl_none), "'h'", "not extracted");
    refused("a hard link to a symlink", hl_sym, N(hl_sym), "'h'", "not a regular file");
    refused("a write through an extracted symlink", through, N(through), "'l/x'",
            "written through symlink 'l'");
    p = dk_xasprintf("%s/%s/sub/x", tmp, last_out);
    ok(!exists(p), "tar: nothing written through the symlink");
    free(p);
    refused("a fifo", fifo, N(fifo), "'fifo'", "is a fifo");
    refused("a character device", chr, N(chr), "'null'", "is a device");
    refused("a block device", blk, N(blk), "'sda'", "is a device");

    /* A symlink put in the directory by someone else is not followed either. */
    out = path_in("x-pre");
    mkdir(out, 0755);
    p = dk_xasprintf("%s/pre", out);
    symlink(tmp, p);
    free(p);
    {
        static const struct spec pre[] = {{DK_TAR_FILE, "pre/pwned", NULL, 0}};

        arch = build("pre.tar", pre, N(pre));
    }
    ok(dk_tar_extract(arch, out, NULL, &err) == -1 && strstr(err.msg, "through symlink 'pre'"),
       "tar: a symlink already in the directory is not written through");
    p = path_in("pwned");
    ok(!exists(p), "tar: nothing written through the existing symlink");
    free(p);
    free(arch);
    free(out);

    arch = build("fine.tar", fine, N(fine));
    out = path_in("x-fine");
    dk_err_init(&err);
    ok(dk_tar_extract(arch, out, NULL, &err) == 0, "tar: symlinks inside the directory pass");
    if (err.msg[0])
        printf("#   %s\n", err.msg);
    p = dk_xasprintf("%s/top", out);
    ok(lstat(p, &st) == 0 && S_ISREG(st.st_mode), "tar: a file replaces an extracted symlink");
    free(p);
    free(arch);
    free(out);
}

static void test_limits(void)
{
    struct dk_err err = DK_ERR_INIT;
    struct dk_tar_limits lim = {0, 0};
    char *gz = path_in("sample.tar.gz"), *out = path_in("x-limit"), *p;

    lim.max_total = 1000;
    ok(dk_tar_extract(gz, out, &lim, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "'d/big.bin' passes the size limit of 1000 bytes"),
       "tar: extract refuses an archive past the size limit");
    p = dk_xasprintf("%s/d/big.bin", out);
    ok(!exists(p), "tar: the entry past the limit is not written");
    free(p);

    lim.max_total = 0;
    lim.max_entries = 3;
    dk_err_init(&err);
    ok(dk_tar_extract(gz, out, &lim, &err) == -1 && err.code == DK_E_INPUT &&
           strstr(err.msg, "passes the limit of 3 entries") && strstr(err.msg, gz),
       "tar: extract refuses an archive past the entry limit");

    lim.max_entries = 11;
    lim.max_total = BIG_LEN + 100;
    dk_err_init(&err);
    ok(dk_tar_extract(gz, out, &lim, &err) == 0, "tar: an archive just inside the limits passes");
    free(gz);
    free(out);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    char *cmd;

    snprintf(tmp, sizeof(tmp), "%s/dk-t-tar-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        printf("Bail out! cannot make a temp dir: %s\n", strerror(errno));
        return 1;
    }
    make_names();
    test_roundtrip();
    test_gnu_longname();
    test_determinism();
    test_writer_abort();
    test_truncated();
    test_extract_good();
    test_extract_refusals();
    test_limits();

    cmd = dk_xasprintf("rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        printf("# cannot remove %s\n", tmp);
    free(cmd);
    free(big);
    return tap_done();
}
