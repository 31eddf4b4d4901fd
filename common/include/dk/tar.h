/*
 * tar: POSIX ustar/pax archives, plain or gzip-compressed, written reproducibly, read
 * tolerantly, extracted safely.
 *
 * Writer. dk_tar_writer_open() writes into a temp file next to the target path ("<path>.tmp-
 * XXXXXX"); dk_tar_writer_commit() ends the archive, fsyncs it and renames it into place, so
 * an archive at path is always complete. dk_tar_writer_release() after a failure or without
 * commit removes the temp file. Entries are reproducible: uid/gid 0, empty uname/gname,
 * mtime w->mtime (0 unless set), and the gzip stream has no name and no timestamp, so the
 * same entries give the same bytes. Names over 100 bytes go into the ustar prefix field when
 * they split at a '/', else into a pax extended header ("path="), as do link targets over 100
 * bytes ("linkpath=") and sizes of 8 GiB and more ("size="). The writer writes names as given:
 * it does not check them (dk_tar_extract() does, on the reading side).
 *
 * Reader. dk_tar_reader_open() detects gzip by its magic bytes (1f 8b). dk_tar_next() gives
 * one entry at a time, with pax path/linkpath/size, the ustar prefix and GNU 'L'/'K' long
 * names applied; the entry's strings are borrowed from the reader and valid until the next
 * dk_tar_next() or dk_tar_reader_release(). dk_tar_read() reads the current entry's data;
 * what is left unread is skipped by the next dk_tar_next(). A truncated or corrupt archive is
 * a DK_E_INPUT error naming the archive.
 *
 * Extraction. dk_tar_extract() refuses, with DK_E_INPUT naming the archive and the entry:
 * absolute paths, '..' path components, symlinks whose target is absolute or may leave the
 * directory, hard links whose target is not a regular file extracted inside it, anything that
 * would be written through a symlink, devices, fifos and other special entries, and archives
 * past the size or entry-count limits. On a refusal or an error it stops: the entries
 * extracted before stay on disk (there is no roll back), so extract into a new directory and
 * remove it on failure.
 *
 * Each struct has an init-free life: zero it (or let open fill it), then release it; release
 * accepts a zeroed or already released struct.
 */
#ifndef DK_TAR_H
#define DK_TAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "dk/buf.h"
#include "dk/err.h"

enum dk_tar_type {
    DK_TAR_FILE,     /* '0', '\0', '7' */
    DK_TAR_DIR,      /* '5' */
    DK_TAR_SYMLINK,  /* '2' */
    DK_TAR_HARDLINK, /* '1' */
    DK_TAR_OTHER,    /* devices, fifos, anything else: see typeflag */
};

struct dk_tar_entry {
    const char *name;     /* full path as stored (directories may end in '/') */
    const char *linkname; /* symlink or hard link target; "" for other types */
    enum dk_tar_type type;
    char typeflag; /* the raw ustar typeflag ('0', '5', '6', ...) */
    unsigned mode; /* permission bits as stored (07777) */
    uint64_t size; /* data bytes (0 for directories and links) */
    int64_t mtime; /* seconds since the epoch */
};

/* Default gzip level of a writer. */
#define DK_TAR_GZIP_LEVEL 6

struct dk_tar_writer {
    /* Public, set after open: mtime of the entries written from then on (default 0); gzip
     * level 0-9 (default DK_TAR_GZIP_LEVEL), read when the first byte is compressed. */
    time_t mtime;
    int level;
    /* Private. */
    int active, fd, own_fd, gzip, zinit, failed, committed;
    char *path, *tmp, *label; /* target, temp file (NULL once renamed), name in messages */
    void *z;                  /* z_stream */
    unsigned char *out;       /* output buffer */
    size_t outlen;
    uint64_t data_left; /* bytes still owed to the current entry */
    uint64_t data_pad;  /* padding after them */
    char *entry;        /* name of the current entry, for messages */
};

/* Opens a writer to path, through a temp file next to it; gzip non-zero compresses. w is
 * overwritten. Returns 0, or -1 with DK_E_IO (w is then released). */
int dk_tar_writer_open(struct dk_tar_writer *w, const char *path, int gzip, struct dk_err *err);
/* Opens a writer onto fd, already open for writing (a pipe, stdout); fd is borrowed and not
 * closed. label names the stream in messages ("-"). Commit then only ends the archive. */
int dk_tar_writer_open_fd(struct dk_tar_writer *w, int fd, const char *label, int gzip,
                          struct dk_err *err);
/* Ends the archive (two zero blocks, the gzip trailer), fsyncs, closes and renames the temp
 * file to path (and fsyncs its directory). Returns 0, or -1 with DK_E_IO or DK_E_FAIL (an
 * entry still owed data); then the temp file is removed by dk_tar_writer_release(). */
int dk_tar_writer_commit(struct dk_tar_writer *w, struct dk_err *err);
/* Frees the writer; without a successful commit removes the temp file, so nothing is left at
 * path. Safe on a zeroed, committed or released writer. */
void dk_tar_writer_release(struct dk_tar_writer *w);

/* Adds a regular file name holding n bytes of data, with permission bits mode. */
int dk_tar_add_data(struct dk_tar_writer *w, const char *name, const void *data, size_t n,
                    unsigned mode, struct dk_err *err);
/* Adds a directory (a '/' is appended to name when missing). */
int dk_tar_add_dir(struct dk_tar_writer *w, const char *name, unsigned mode, struct dk_err *err);
/* Adds the regular file at src_path as name, streaming its content, with its permission bits.
 * src_path is followed if it is a symlink; anything but a regular file is DK_E_INPUT, a file
 * that shrinks while read DK_E_IO. */
int dk_tar_add_file(struct dk_tar_writer *w, const char *name, const char *src_path,
                    struct dk_err *err);
/* Adds a symlink name -> target (mode 0777). */
int dk_tar_add_symlink(struct dk_tar_writer *w, const char *name, const char *target,
                       struct dk_err *err);
/* Adds a hard link name -> target, an earlier entry's name. */
int dk_tar_add_hardlink(struct dk_tar_writer *w, const char *name, const char *target,
                        struct dk_err *err);
/* Adds an entry from its description (type, typeflag for DK_TAR_OTHER, name, linkname, mode,
 * size); mtime is taken from e. For a file, exactly e->size bytes of data must follow through
 * dk_tar_write_data() before the next entry or the commit. */
int dk_tar_add_entry(struct dk_tar_writer *w, const struct dk_tar_entry *e, struct dk_err *err);
/* Writes data of the current file entry. Writing more than its size is DK_E_FAIL. */
int dk_tar_write_data(struct dk_tar_writer *w, const void *data, size_t n, struct dk_err *err);

struct dk_tar_reader {
    /* Private. */
    int active, fd, own_fd, gzip, zend, in_eof, done;
    char *path;
    void *z;           /* z_stream */
    unsigned char *in; /* raw input buffer */
    size_t in_pos, in_len;
    uint64_t offset;    /* uncompressed bytes consumed */
    uint64_t data_left; /* data bytes of the current entry not yet read */
    uint64_t data_pad;  /* padding after them */
    struct dk_buf name, link;
};

/* Opens the archive at path, plain or gzip. r is overwritten. Returns 0, or -1 with
 * DK_E_NOTFOUND (no such file) or DK_E_IO (r is then released). */
int dk_tar_reader_open(struct dk_tar_reader *r, const char *path, struct dk_err *err);
/* Reads an archive from fd (borrowed, not closed); label names it in messages. */
int dk_tar_reader_open_fd(struct dk_tar_reader *r, int fd, const char *label, struct dk_err *err);
/* Moves to the next entry and describes it in *e. Returns 1 with an entry, 0 at the end of
 * the archive, -1 with DK_E_INPUT (truncated, corrupt) or DK_E_IO. */
int dk_tar_next(struct dk_tar_reader *r, struct dk_tar_entry *e, struct dk_err *err);
/* Reads up to n bytes of the current entry's data into buf. Returns the count, 0 at the end of
 * the entry's data, -1 with DK_E_INPUT when the archive ends early. */
ssize_t dk_tar_read(struct dk_tar_reader *r, void *buf, size_t n, struct dk_err *err);
/* Closes the archive and frees the reader. Safe on a zeroed or released reader. */
void dk_tar_reader_release(struct dk_tar_reader *r);

/* Limits for dk_tar_extract(); a zero field means its default. */
struct dk_tar_limits {
    uint64_t max_total;   /* bytes of file data, default DK_TAR_MAX_TOTAL */
    uint64_t max_entries; /* entries, default DK_TAR_MAX_ENTRIES */
};

#define DK_TAR_MAX_TOTAL   (8ULL << 30)
#define DK_TAR_MAX_ENTRIES 1000000ULL

/* Extracts archive into dir (created when missing; its parent must exist). lim may be NULL
 * for the defaults. Files and directories get their mode masked with 0777 (no setuid, setgid
 * or sticky bits; directories also get u+rwx so that their entries can be written); owners and
 * times are not restored. An existing file or symlink at an entry's path is replaced, never
 * written through. Symlink targets must be relative, with '..' components only at their start
 * and not climbing above dir: a '..' after a name could climb out through another symlink.
 * Returns 0, or -1 with DK_E_INPUT (refused entry, bad archive), DK_E_NOTFOUND or DK_E_IO;
 * what was extracted before stays. Symlinks that were in dir before are not checked: extract
 * into a new or empty directory. */
int dk_tar_extract(const char *archive, const char *dir, const struct dk_tar_limits *lim,
                   struct dk_err *err);

#endif
