/*
 * httpd.h: a tiny HTTP/1.1 server for unit tests, run in a child process.
 *
 * One request per connection ("Connection: close"), served in order; a connection that does
 * not start with HTTP (a client's TLS hello) is closed. Every path counts its hits. A test
 * includes this after tap.h and writes its own accept loop and routes with read_request()
 * and respond().
 */
#ifndef DK_TEST_HTTPD_H
#define DK_TEST_HTTPD_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dk/buf.h"

struct sreq {
    char method[16];
    char path[1024];
    char query[1024];
    struct dk_buf head; /* request line and headers */
    struct dk_buf body;
};

static struct {
    char path[1024];
    int n;
} hits[64];
static int nhits;

static inline int hit(const char *path)
{
    int i;

    for (i = 0; i < nhits; i++)
        if (!strcmp(hits[i].path, path))
            return ++hits[i].n;
    if (nhits == 64)
        return 0;
    snprintf(hits[nhits].path, sizeof(hits[nhits].path), "%s", path);
    hits[nhits].n = 1;
    return hits[nhits++].n;
}

static inline int hit_count(const char *path)
{
    int i;

    for (i = 0; i < nhits; i++)
        if (!strcmp(hits[i].path, path))
            return hits[i].n;
    return 0;
}

static inline long find(const struct dk_buf *b, size_t from, const char *s)
{
    size_t n = strlen(s), i;

    for (i = from; i + n <= b->len; i++)
        if (!memcmp(b->buf + i, s, n))
            return (long)i;
    return -1;
}

/* Reads more bytes into in; 0 at EOF or error. */
static inline int fill(int fd, struct dk_buf *in)
{
    char buf[16384];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n <= 0)
        return 0;
    dk_buf_addn(in, buf, (size_t)n);
    return 1;
}

/* The value of a request header (case-insensitive name) into out; 1 found. */
static inline int req_header(const struct sreq *r, const char *name, char *out, size_t size)
{
    const char *p = r->head.buf;
    size_t nl = strlen(name);

    while ((p = strstr(p, "\r\n"))) {
        p += 2;
        if (!strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1, *e = strstr(v, "\r\n");

            while (*v == ' ')
                v++;
            snprintf(out, size, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
            return 1;
        }
    }
    return 0;
}

/* Reads one request; -1 when the connection is not HTTP (a TLS hello) or breaks off. */
static inline int read_request(int fd, struct sreq *r)
{
    struct dk_buf in = DK_BUF_INIT;
    char val[64], target[1024];
    long end, pos;
    int rc = -1;

    memset(r, 0, sizeof(*r));
    dk_buf_init(&r->head);
    dk_buf_init(&r->body);
    while ((end = find(&in, 0, "\r\n\r\n")) < 0) {
        if (in.len && (in.buf[0] < 'A' || in.buf[0] > 'Z'))
            goto out;
        if (!fill(fd, &in))
            goto out;
    }
    dk_buf_addn(&r->head, in.buf, (size_t)end + 2);
    if (sscanf(in.buf, "%15s %1023s", r->method, target) != 2)
        goto out;
    {
        char *q = strchr(target, '?');

        if (q) {
            snprintf(r->query, sizeof(r->query), "%s", q + 1);
            *q = '\0';
        }
        snprintf(r->path, sizeof(r->path), "%s", target);
    }
    pos = end + 4;
    if (req_header(r, "Content-Length", val, sizeof(val))) {
        size_t want = (size_t)atol(val);

        while (in.len - (size_t)pos < want)
            if (!fill(fd, &in))
                goto out;
        dk_buf_addn(&r->body, in.buf + pos, want);
    } else if (req_header(r, "Transfer-Encoding", val, sizeof(val)) &&
               !strcasecmp(val, "chunked")) {
        for (;;) {
            long eol;
            size_t size;

            while ((eol = find(&in, (size_t)pos, "\r\n")) < 0)
                if (!fill(fd, &in))
                    goto out;
            size = strtoul(in.buf + pos, NULL, 16);
            pos = eol + 2;
            if (size == 0) {
                while (find(&in, (size_t)pos, "\r\n") < 0)
                    if (!fill(fd, &in))
                        goto out;
                break;
            }
            while (in.len - (size_t)pos < size + 2)
                if (!fill(fd, &in))
                    goto out;
            dk_buf_addn(&r->body, in.buf + pos, size);
            pos += (long)size + 2;
        }
    }
    rc = 0;
out:
    dk_buf_release(&in);
    return rc;
}

static inline void respond(int fd, const struct sreq *r, int status, const char *reason,
                           const char *headers, const void *body, size_t len)
{
    struct dk_buf out = DK_BUF_INIT;
    size_t off = 0;

    dk_buf_addf(&out, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
                status, reason, len, headers ? headers : "");
    if (strcmp(r->method, "HEAD"))
        dk_buf_addn(&out, body, len);
    while (off < out.len) {
        ssize_t n = write(fd, out.buf + off, out.len - off);

        if (n <= 0)
            break;
        off += (size_t)n;
    }
    dk_buf_release(&out);
}

static inline void respond_str(int fd, const struct sreq *r, int status, const char *reason,
                               const char *headers, const char *body)
{
    respond(fd, r, status, reason, headers, body, strlen(body));
}

/* A listening socket on 127.0.0.1 and a free port; -1 on failure. */
static inline int httpd_listen(int *port)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) < 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

/* Serves lfd in a child process, one request per connection, with serve(); the child dies
 * after 60 s at the latest. Returns the child's pid, or -1. */
static inline pid_t httpd_start(int lfd, void (*serve)(int fd, const struct sreq *r))
{
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        signal(SIGPIPE, SIG_IGN);
        alarm(60);
        for (;;) {
            struct sreq r;
            int fd = accept(lfd, NULL, NULL);

            if (fd < 0)
                continue;
            if (read_request(fd, &r) == 0)
                serve(fd, &r);
            dk_buf_release(&r.head);
            dk_buf_release(&r.body);
            close(fd);
        }
    }
    close(lfd);
    return pid;
}

#endif
