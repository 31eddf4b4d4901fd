/*
 * kubeconfig: finding and resolving the credentials dk uses to talk to a Kubernetes cluster, as
 * kubectl and client-go do (tools/clientcmd).
 *
 * Where the configuration comes from, first match wins:
 *   1. opts.path (--kubeconfig), else DK_KUBECONFIG: that one file;
 *   2. DK_KUBE_CONFIG_BASE64: a whole kubeconfig, base64-encoded, in the environment (CI);
 *   3. KUBECONFIG: files separated by ':', merged as kubectl merges them (the first file to
 *      define a cluster, user or context name wins; current-context comes from the first file
 *      that sets it; missing files are skipped);
 *   4. ~/.kube/config;
 *   5. in-cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT and the service account's
 *      token, ca.crt and namespace files.
 * opts.context (--kube-context), else DK_KUBE_CONTEXT, replaces current-context. The namespace is
 * opts.namespace, else the context's, else "default". Relative paths (certificate-authority,
 * client-certificate, client-key, tokenFile, exec command with a '/') resolve against the directory
 * of the file that defined the entry.
 *
 * A resolved struct dk_kubeconfig holds plain values: the server URL, tls-server-name,
 * proxy-url, TLS material as PEM bytes (files are read at load time, so an unreadable file is an
 * error then), and the credentials: a token (token, else tokenFile), basic credentials, a client
 * certificate and key (data or files; sent along with a token when both are set, as client-go
 * does), or an exec plugin whose output fills token or certificate. Every secret (tokens,
 * passwords, client keys, a proxy-url password) is registered with dk_log_add_secret() so it
 * never reaches a log, and no error message quotes one.
 *
 * Errors are DK_E_INPUT and name the file and the problem:
 *   kubeconfig '/home/me/.kube/config': context 'x' not found
 *   kubeconfig '/home/me/.kube/config': cannot read client key '/home/me/.kube/k.pem': No such ...
 *   cannot load kubeconfig: invalid YAML in '/home/me/.kube/config' at line 4 column 1: ...
 * Ownership: every string and buffer in struct dk_kubeconfig belongs to it and is freed by
 * dk_kubeconfig_release().
 */
#ifndef DK_KUBECONFIG_H
#define DK_KUBECONFIG_H

#include <stdint.h>
#include <time.h>

#include "dk/buf.h"
#include "dk/err.h"

/* Default directory of the in-cluster service account files. */
#define DK_KUBECONFIG_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

struct dk_kubeconfig_opts {
    const char *path;      /* --kubeconfig; NULL: DK_KUBECONFIG, else as above */
    const char *context;   /* --kube-context; NULL: DK_KUBE_CONTEXT, else current-context */
    const char *namespace; /* overrides the context's namespace; NULL: keep it */
    const char *sa_dir;    /* in-cluster files; NULL: DK_KUBECONFIG_SA_DIR (tests change it) */
    int no_in_cluster;     /* do not fall back to the in-cluster configuration */
};

enum dk_kubeconfig_auth {
    DK_KUBECONFIG_AUTH_NONE = 0,
    DK_KUBECONFIG_AUTH_TOKEN, /* bearer token (token, tokenFile, exec, in-cluster) */
    DK_KUBECONFIG_AUTH_BASIC, /* username + password */
    DK_KUBECONFIG_AUTH_CERT,  /* client certificate + key (files, data, or exec) */
};

struct dk_kubeconfig {
    char *source;    /* where it came from: a path, "KUBECONFIG", "DK_KUBE_CONFIG_BASE64",
                      * "in-cluster"; used in messages */
    char *context;   /* context name (NULL in-cluster) */
    char *cluster;   /* cluster name */
    char *user;      /* user name */
    char *namespace; /* never NULL after a successful load */
    int in_cluster;

    /* cluster */
    char *server; /* https://host:port, without a trailing '/' */
    char *tls_server_name;
    char *proxy_url;
    int insecure;          /* insecure-skip-tls-verify */
    char *ca_file;         /* certificate-authority, absolute; NULL when given as data */
    struct dk_buf ca_data; /* PEM of the CA (from the file or the -data field); may be empty */

    /* user */
    enum dk_kubeconfig_auth auth;
    char *token;
    char *token_file; /* re-read by dk_kubeconfig_refresh() (bound tokens rotate) */
    char *username, *password;
    struct dk_buf cert_data; /* client certificate PEM */
    struct dk_buf key_data;  /* client key PEM */

    /* exec credential plugin (NULL argv: none) */
    char **exec_argv;      /* command and args, NULL-terminated */
    char **exec_env;       /* "NAME=value" entries, NULL-terminated */
    char *exec_api;        /* client.authentication.k8s.io/v1 or v1beta1 */
    char *exec_hint;       /* installHint */
    int exec_cluster_info; /* provideClusterInfo */
    time_t expiry;         /* when the plugin's credential expires; 0: never */
};

void dk_kubeconfig_opts_init(struct dk_kubeconfig_opts *o);
void dk_kubeconfig_init(struct dk_kubeconfig *kc);
void dk_kubeconfig_release(struct dk_kubeconfig *kc);

/*
 * Finds the configuration as described above and resolves the chosen context into kc
 * (initialised by the caller). Runs the exec plugin when the user has one. Returns 0, or -1
 * with err: DK_E_INPUT for a bad or incomplete file (no current context, context/cluster/user
 * not found, unreadable or invalid file, bad base64), DK_E_NOTFOUND when no configuration was
 * found at all, DK_E_AUTH when an exec plugin failed. On failure kc holds nothing to use, but
 * must still be released.
 */
int dk_kubeconfig_load(struct dk_kubeconfig *kc, const struct dk_kubeconfig_opts *opts,
                       struct dk_err *err);

/*
 * As dk_kubeconfig_load() for kubeconfig text already in memory. dir resolves relative paths
 * (NULL: the current directory); name is used in messages.
 */
int dk_kubeconfig_load_text(struct dk_kubeconfig *kc, const char *text, size_t len,
                            const char *name, const char *dir,
                            const struct dk_kubeconfig_opts *opts, struct dk_err *err);

/*
 * Makes the credential fresh before a request: re-runs the exec plugin when its credential has
 * expired (or force is set, after a 401) and re-reads tokenFile. Returns 0, or -1 with err.
 */
int dk_kubeconfig_refresh(struct dk_kubeconfig *kc, int force, struct dk_err *err);

#endif
