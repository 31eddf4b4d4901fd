#!/usr/bin/env bats
# docs/pipeline.schema.json and tests/helpers/validate-pipeline: the validator accepts the
# sample documents in tests/fixtures/pipeline/ and the examples of docs/pipeline.md, and refuses
# the broken ones, naming the path of the failing value.

TOP="$BATS_TEST_DIRNAME/../.."
VALIDATE="$TOP/tests/helpers/validate-pipeline"
FIX="$TOP/tests/fixtures/pipeline"

# refused FIXTURE WANT — the validator exits 1 on FIXTURE and its stderr contains WANT.
refused() {
    run "$VALIDATE" "$FIX/$1"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"$2"* ]]
}

@test "pipeline schema: the schema itself is valid JSON" {
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$TOP/docs/pipeline.schema.json"
}

@test "pipeline schema: a document with every known key is valid" {
    run "$VALIDATE" "$FIX/full.json"
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "pipeline schema: the fresh document {\"schema\": \"dk/v1\"} is valid" {
    run "$VALIDATE" "$FIX/minimal.json"
    [ "$status" -eq 0 ]
}

@test "pipeline schema: unknown keys pass, at the top and inside images" {
    run "$VALIDATE" "$FIX/unknown-keys.json"
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "pipeline schema: a document with an error object is valid" {
    run "$VALIDATE" "$FIX/error.json"
    [ "$status" -eq 0 ]
}

@test "pipeline schema: the document is read from stdin too" {
    run bash -c '"$1" < "$2"' _ "$VALIDATE" "$FIX/full.json"
    [ "$status" -eq 0 ]
    run bash -c 'printf %s "{\"schema\": \"dk/v2\"}" | "$1" -' _ "$VALIDATE"
    [ "$status" -eq 1 ]
    [[ "$output" == *'/schema: "dk/v2" is not "dk/v1"'* ]]
}

@test "pipeline schema: another schema version is refused" {
    refused bad-schema.json '/schema: "dk/v2" is not "dk/v1"'
}

@test "pipeline schema: a document without schema is refused" {
    refused no-schema.json "(document): required key 'schema' is missing"
}

@test "pipeline schema: an image digest must be 56 hex digits" {
    refused bad-digest.json '/images/backend/digest: '
    [[ "$output" == *"does not match '^[0-9a-f]{56}\$'"* ]]
}

@test "pipeline schema: a manifest digest must be sha256 and 64 hex digits" {
    refused bad-manifest.json '/images/backend/manifest: "sha256:ABC" does not match'
}

@test "pipeline schema: images.<name>.built must be a boolean" {
    refused bad-built.json '/images/backend/built: "yes" is string, expected boolean'
}

@test "pipeline schema: the error object needs tool, code, message and exit" {
    refused bad-error.json "/error: required key 'exit' is missing"
    [[ "$output" == *'/error/code: "oops" is not one of'* ]]
}

@test "pipeline schema: the error object has no other members" {
    refused bad-error-extra.json "/error/stack: unknown key 'stack' is not allowed here"
}

@test "pipeline schema: error.exit is 1 or 2, and true is not 1" {
    refused bad-exit.json '/error/exit: true is not one of [1, 2]'
}

@test "pipeline schema: published entries need image, ref with a tag, and digest" {
    refused bad-published.json "/published/0: required key 'digest' is missing"
    [[ "$output" == *'/published/0/ref: "registry.example.com/release/backend" does not match'* ]]
}

@test "pipeline schema: release.revision starts at 1" {
    refused bad-revision.json '/release/revision: 0 is less than the minimum 1'
}

@test "pipeline schema: repo is a repository, not a URL or a tagged reference" {
    refused bad-repo.json '/repo: "https://registry.example.com/myapp:latest" does not match'
}

@test "pipeline schema: a key written twice is refused" {
    refused duplicate-key.json "key 'images' appears twice in one object"
}

@test "pipeline schema: a JSON array is not a document" {
    refused array.json '(document): [{"schema": "dk/v1"}] is array, expected object'
}

@test "pipeline schema: text that is not JSON is refused" {
    refused truncated.json "not a JSON document"
}

@test "pipeline schema: bad usage exits 2" {
    run "$VALIDATE" a b
    [ "$status" -eq 2 ]
    [[ "$output" == *"usage: validate-pipeline"* ]]
    run "$VALIDATE" "$FIX/no-such-file.json"
    [ "$status" -eq 2 ]
}

@test "pipeline schema: a schema keyword the validator does not know is an error" {
    printf '{"type": "object", "maxProperties": 3}' >"$BATS_TEST_TMPDIR/s.json"
    run "$VALIDATE" --schema "$BATS_TEST_TMPDIR/s.json" "$FIX/minimal.json"
    [ "$status" -eq 2 ]
    [[ "$output" == *"unsupported schema keyword 'maxProperties'"* ]]
}

@test "pipeline schema: every json example in docs/pipeline.md is valid" {
    python3 - "$TOP/docs/pipeline.md" "$BATS_TEST_TMPDIR" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"^```json\n(.*?)^```", text, re.S | re.M)
assert len(blocks) >= 4, "expected the examples of docs/pipeline.md, found %d" % len(blocks)
for i, b in enumerate(blocks):
    open("%s/example-%d.json" % (sys.argv[2], i), "w", encoding="utf-8").write(b)
EOF
    for f in "$BATS_TEST_TMPDIR"/example-*.json; do
        run "$VALIDATE" "$f"
        echo "$f: $output"
        [ "$status" -eq 0 ]
    done
}
