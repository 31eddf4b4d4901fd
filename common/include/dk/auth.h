/*
 * auth: registry credentials from Docker's config.json, podman's auth.json and credential
 * helpers, and `login`/`logout` that store them where `docker login` would.
 *
 * Sources, first match wins:
 *   1. DOCKER_AUTH_CONFIG — the text of a config.json in a variable, as GitLab runners take it;
 *   2. $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json;
 *   3. $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json (podman, skopeo).
 * A missing file is skipped; an unreadable or malformed one is an error. Within one source,
 * credHelpers[host] comes first, then credsStore, then the "auths" entry: a helper that has
 * nothing for the host lets the "auths" entry answer. Keys are matched by host, so
 * "reg.io:5000", "https://reg.io:5000" and "http://reg.io:5000/v1/" are one registry, and
 * "docker.io", "index.docker.io", "registry-1.docker.io" and "https://index.docker.io/v1/" all
 * name Docker Hub. An auths entry holds "auth" (base64 "user:password"), or "username" and
 * "password", and optionally "identitytoken", which then replaces the password.
 *
 * A credential helper is the program docker-credential-<name> found in PATH, run without a
 * shell with the verb get/store/erase and the server URL (or store's JSON) on stdin; for Docker
 * Hub the URL is "https://index.docker.io/v1/", for the rest the host[:port].
 *
 * Every secret found or stored is registered with dk_log_add_secret(), so no log line or error
 * message carries it; a helper's output quoted in an error is redacted the same way.
 */
#ifndef DK_AUTH_H
#define DK_AUTH_H

#include "dk/buf.h"
#include "dk/err.h"

/* A credential. Owns both strings; dk_cred_release() overwrites the secret before freeing. */
struct dk_cred {
    char *username;     /* may be "" (identity token without a user name) */
    char *secret;       /* password, or identity token */
    int identity_token; /* 1: secret is an identity token (OAuth2 refresh token) */
};

#define DK_CRED_INIT                                                                               \
    {                                                                                              \
        NULL, NULL, 0                                                                              \
    }

void dk_cred_init(struct dk_cred *c);
/* Zeroes the secret's memory, frees both strings, leaves c as after dk_cred_init(). Accepts a
 * zeroed or already released struct. */
void dk_cred_release(struct dk_cred *c);

/* Writes the Docker config path into out (emptied first): $DOCKER_CONFIG/config.json, else
 * $HOME/.docker/config.json. Returns out->buf, or NULL when neither variable is set. */
const char *dk_auth_config_path(struct dk_buf *out);

/* Looks up the credential for registry ("host[:port]"; a scheme or path is ignored). Fills
 * out (initialised by the call; release it) and returns 1 when found, returns 0 when there is
 * none (go anonymous), -1 on error: DK_E_INPUT for a malformed config naming the file (or
 * DOCKER_AUTH_CONFIG), DK_E_IO for an unreadable one, DK_E_AUTH when a credential helper is
 * missing or fails, naming the helper. */
int dk_auth_lookup(const char *registry, struct dk_cred *out, struct dk_err *err);

/* Stores user/password for registry where `docker login` would: with the credential helper
 * configured for the host (credHelpers[host], else credsStore) in the Docker config, else as
 * auths[host].auth = base64(user:password) in the Docker config file, keeping every other key.
 * The directory is created 0700 when missing; the file is replaced atomically, mode 0600.
 * Returns 0, or -1: DK_E_INPUT (user contains ':', malformed config), DK_E_IO, DK_E_AUTH
 * (helper failed). */
int dk_auth_login(const char *registry, const char *user, const char *password, struct dk_err *err);

/* Removes the stored credential for registry from the Docker config: the helper's erase when
 * one is configured, and every auths entry for the host. Returns 1 when something was removed,
 * 0 when nothing was stored, -1 on error (as dk_auth_login()). DOCKER_AUTH_CONFIG and podman's
 * auth file are not touched. */
int dk_auth_logout(const char *registry, struct dk_err *err);

#endif
