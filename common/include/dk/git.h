/*
 * git: what dk reads from a git repository — commits, the files of a commit's tree with their
 * blob ids, file contents at a commit, and the same listing for the working tree (--dev).
 *
 * Content-based tags are computed from git object ids, not from file bytes on disk, so that
 * the same committed content gives the same tag in any clone at any path. A file is described
 * by its path relative to a directory of the tree, its blob id and its git mode; submodules
 * appear with the commit id they point at. The working-tree listing gives each file the blob
 * id `git hash-object` (and so `git add`) would compute for its current content, so a clean
 * working tree lists exactly what its HEAD commit lists.
 *
 * This module is the only place that calls libgit2 (STYLE.md §5): tools see dk structs and
 * hex strings, never git_* objects. Each opened struct dk_git holds one reference on
 * libgit2's global state (git_libgit2_init(), dropped again by dk_git_release()), so no set-up
 * is needed first; dk_git_global_init() lets a process keep the state for its whole life. A
 * struct dk_git may be used by one thread at a time.
 *
 * Paths given to the functions (subdir, path) are slash-separated and relative to the top of
 * the repository; "", "." and "/" name the top, and "./", "//" and "dir/.." are tidied away. A
 * path that climbs out of the repository is a DK_E_INPUT error. Commit ids are hex, full (40)
 * or abbreviated (at least 4 digits, unambiguous). Error messages name the repository (its
 * working directory, or its git directory when bare) or the commit (7 hex digits) and end
 * with libgit2's reason when there is one.
 *
 * Ownership: struct dk_git owns its repository handle and workdir string. Listings are arrays
 * the caller frees with dk_git_entries_free(). Functions taking a struct dk_buf append to it.
 */
#ifndef DK_GIT_H
#define DK_GIT_H

#include <stddef.h>
#include <stdint.h>

#include "dk/buf.h"
#include "dk/err.h"

/* Git modes of the entries in a listing. */
#define DK_GIT_MODE_FILE    0100644u
#define DK_GIT_MODE_EXEC    0100755u
#define DK_GIT_MODE_SYMLINK 0120000u
#define DK_GIT_MODE_GITLINK 0160000u

struct dk_git {
    void *repo;    /* git_repository *, private */
    char *workdir; /* absolute, without a trailing '/'; NULL for a bare repository */
};

#define DK_GIT_INIT                                                                                \
    {                                                                                              \
        NULL, NULL                                                                                 \
    }

/* One file of a listing. */
struct dk_git_entry {
    char *path;    /* slash-separated, relative to the listed directory */
    char oid[41];  /* blob id in hex (a symlink: the blob of its target text; a submodule: the
                    * commit id) */
    unsigned mode; /* DK_GIT_MODE_* */
};

/* Takes a reference on libgit2's global state for the rest of the process (dk_init() may
 * call it). Optional: dk_git_open() takes its own. Returns 0, or -1 with DK_E_FAIL. */
int dk_git_global_init(struct dk_err *err);

/* Opens the repository that contains path (a directory or file in its working tree, or a git
 * directory), searching upwards as git does. g is overwritten. Returns 0, or -1 with
 * DK_E_INPUT ("'PATH' is not in a git repository", or path does not exist) or DK_E_FAIL
 * (libgit2 refused it, e.g. a repository owned by another user); g is then released. */
int dk_git_open(struct dk_git *g, const char *path, struct dk_err *err);
/* Frees g. Safe on a zeroed or released struct. */
void dk_git_release(struct dk_git *g);
/* The working directory (borrowed, absolute, no trailing '/'), or NULL when bare. */
const char *dk_git_workdir(const struct dk_git *g);
/* Appends to out the path of path (absolute, or relative to the current directory; it need not
 * exist) relative to the working directory: "" for the top, else "dir/file" with no leading or
 * trailing '/'. Symbolic links in the directories above path are resolved (the working
 * directory may be reached through a link); a link as the last component is kept. Returns 0,
 * or -1 with DK_E_INPUT (path is outside the working tree, or the repository is bare) or
 * DK_E_IO (the current directory cannot be read); out is then as before. */
int dk_git_relpath(struct dk_git *g, const char *path, struct dk_buf *out, struct dk_err *err);

/* Resolves rev (any git revision: branch, tag, "HEAD~1", an abbreviated id; NULL means HEAD)
 * to a commit and writes its 40-digit hex id and a NUL to out_hex. An annotated tag resolves
 * to the commit it tags. Returns 0, or -1 with DK_E_INPUT (unknown or ambiguous revision, one
 * naming no commit, or HEAD in a repository with no commits) or DK_E_FAIL. */
int dk_git_resolve(struct dk_git *g, const char *rev, char out_hex[41], struct dk_err *err);
/* The committer time of commit_hex (seconds since the epoch, as `git log --format=%ct`) into
 * *time_unix, and the name of the branch HEAD is on ("main", not "refs/heads/main") appended to
 * branch (nothing when HEAD is detached). time_unix and branch may be NULL. Returns 0, or -1
 * with DK_E_INPUT (commit_hex is not hex), DK_E_NOTFOUND (no such commit) or DK_E_FAIL. */
int dk_git_commit_info(struct dk_git *g, const char *commit_hex, int64_t *time_unix,
                       struct dk_buf *branch, struct dk_err *err);

/* Lists the files under subdir ("" for all) in the tree of commit_hex, recursively, as
 * `git ls-tree -r COMMIT:subdir` does: files, symlinks and submodules, no directories, paths
 * relative to subdir, sorted bytewise by path. *out is a new array of *n entries (caller frees
 * with dk_git_entries_free(); NULL when *n is 0). Returns 0, or -1 with DK_E_INPUT ("no
 * directory 'x' in commit abc1234", or a bad commit id), DK_E_NOTFOUND (no such commit) or
 * DK_E_FAIL; *out is then NULL and *n 0. */
int dk_git_ls_tree(struct dk_git *g, const char *commit_hex, const char *subdir,
                   struct dk_git_entry **out, size_t *n, struct dk_err *err);
/* Frees an array from dk_git_ls_tree() or dk_git_ls_worktree(). NULL is fine. */
void dk_git_entries_free(struct dk_git_entry *e, size_t n);

/* Appends the content of the file path at commit_hex to out (a symlink gives its target text;
 * it is not followed). Returns 0, or -1 with DK_E_NOTFOUND (no such file, or no such commit),
 * DK_E_INPUT (path is a directory or submodule, it passes out's cap, or a bad commit id) or
 * DK_E_FAIL; out is then as before. */
int dk_git_read_blob(struct dk_git *g, const char *commit_hex, const char *path, struct dk_buf *out,
                     struct dk_err *err);

/* As dk_git_ls_tree(), for the working tree: the files `git add -A` would stage. Tracked files
 * (in the index) with their current content, untracked files that .gitignore and the other
 * exclude files do not ignore (untracked directories are walked), minus tracked files deleted
 * from the working tree. Unmodified files take their id from the index; modified and untracked
 * ones are hashed as `git hash-object` does (with the repository's crlf/ident filters, without
 * writing objects); symlinks hash their target text. With core.fileMode false a tracked file
 * keeps its index mode. A submodule takes the HEAD commit of the repository in its directory,
 * or the index's id when it is not checked out. Not listed: untracked nested repositories
 * (`git add` would add them as gitlinks). Returns 0, or -1 with DK_E_INPUT (no directory subdir
 * in the working tree, or a bare repository), DK_E_IO (a file cannot be read) or DK_E_FAIL;
 * *out is then NULL and *n 0. */
int dk_git_ls_worktree(struct dk_git *g, const char *subdir, struct dk_git_entry **out, size_t *n,
                       struct dk_err *err);

/* Sets *dirty to 1 when `git add -A` would give a tree other than HEAD's — dk_git_ls_worktree("")
 * differs from dk_git_ls_tree(HEAD, "") — else to 0. Staged, modified, deleted and untracked
 * (not ignored) files count, and so does a submodule on another commit; changes inside a
 * submodule that are not committed there do not. With no commit yet, any file makes it dirty.
 * Returns 0, or -1 as dk_git_ls_worktree() (DK_E_INPUT for a bare repository) or
 * dk_git_ls_tree(). */
int dk_git_is_dirty(struct dk_git *g, int *dirty, struct dk_err *err);

#endif
