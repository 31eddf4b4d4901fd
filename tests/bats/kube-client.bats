#!/usr/bin/env bats
# dk's Kubernetes client (common/kube.c, common/kubeconfig.c) against the API emulator: runs the
# unit test binary t-kube, which skips itself unless KUBECONFIG_TEST names a kubeconfig.

load ../kube-emulator/emulator

setup() {
    : "${DK_TOP:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
    T_KUBE=$DK_TOP/${BUILD:-build}/tests/t-kube
    [ -x "$T_KUBE" ] || skip "$T_KUBE is not built (make unit)"
}

teardown() {
    kube_stop
}

# Runs t-kube against the running emulator and checks that every test passed.
run_t_kube() {
    run env KUBECONFIG_TEST="$KUBECONFIG" timeout 120 "$T_KUBE"
    printf '%s\n' "$output"
    [ "$status" -eq 0 ]
    [[ "$output" != *"not ok"* ]]
    [[ "$output" != *"# SKIP"* ]]
    [[ "$output" == *"watch saw DELETED"* ]]
}

@test "kube-client: CRUD, apply conflicts, lists and watch work against the emulator" {
    kube_start
    run_t_kube
}

@test "kube-client: discovery falls back to one document per group-version" {
    kube_start --no-aggregated-discovery
    run_t_kube
}

@test "kube-client: TLS with the kubeconfig's certificate-authority-data and a required token" {
    kube_start --tls --token emulator-token
    run_t_kube
}

@test "kube-client: exec plugin credentials, re-run after a 401, and a CA file relative to the kubeconfig" {
    kube_start --tls --token emulator-token
    local d=$BATS_TEST_TMPDIR/exec
    mkdir -p "$d/bin"
    cp "$KUBE_CA" "$d/ca.pem"
    # the first credential is stale: the client must run the plugin again after the 401
    cat >"$d/bin/plugin" <<SH
#!/bin/sh
if [ -e "$d/ran" ]; then tok=emulator-token; else tok=stale-token; fi
echo x >>"$d/ran"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\n' "\$tok"
SH
    chmod +x "$d/bin/plugin"
    cat >"$d/config" <<YAML
apiVersion: v1
kind: Config
current-context: emulator
clusters:
- name: emulator
  cluster: {server: '$KUBE_SERVER', certificate-authority: ca.pem}
contexts:
- name: emulator
  context: {cluster: emulator, user: plugin, namespace: default}
users:
- name: plugin
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/plugin, interactiveMode: Never}
YAML
    KUBECONFIG=$d/config run_t_kube
    [ "$(wc -l <"$d/ran")" -ge 2 ]
}

@test "kube-client: t-kube skips without KUBECONFIG_TEST" {
    run env -u KUBECONFIG_TEST "$T_KUBE"
    [ "$status" -eq 0 ]
    [[ "$output" == *"# SKIP KUBECONFIG_TEST not set"* ]]
}
