#!/usr/bin/env bash
# Runs one libFuzzer target for a given time from a seed corpus made of the
# repository's fixtures, examples, policy packs and conformance cases.
#
#   scripts/fuzz.sh TARGET SECONDS [LIBFUZZER-ARGS...]
#   TARGET: parse_spec | policy | fmt | analysis | lsp_frames
#
# Stable toolchain, no cargo-fuzz needed: the sanitizer-coverage passes are
# set by RUSTFLAGS and `--target` keeps them off build scripts. Crashes land
# in fuzz/artifacts/TARGET/; reproduce one with
#   fuzz/target/x86_64-unknown-linux-gnu/release/TARGET fuzz/artifacts/TARGET/crash-...
# Long runs belong here, never in `cargo test` (docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
shift 2

# FUZZ_NO_BUILD=1 reuses the binary already built (while sources change).
[ -n "${FUZZ_NO_BUILD:-}" ] || RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing" \
  nice -n 10 cargo build --release --target x86_64-unknown-linux-gnu --bin "$target"

corpus=corpus/$target
mkdir -p "$corpus" "artifacts/$target"
seed() { for f in "$@"; do [ -f "$f" ] && cp "$f" "$corpus/seed-$(cksum <"$f" | cut -d' ' -f1)"; done; true; }
shopt -s globstar nullglob
case $target in
  policy)
    seed ../policies/*.policy ../../shared/conformance/**/*.policy ../tests/fixtures/**/*.policy
    # One small seed per rule (the pack's header, constants and that rule):
    # libFuzzer mutates small inputs far faster than a 60 KB pack, and each
    # still compiles as a whole (docs/reliability.md).
    python3 - "$corpus" ../policies/*.policy <<'PY'
import re, sys, zlib
out = sys.argv[1]
for f in sys.argv[2:]:
    parts = re.split(r"(?m)^(?=rule )", open(f).read())
    head = "".join(l for l in parts[0].splitlines(True) if not l.startswith("#"))
    for rule in parts[1:]:
        text = (head + rule).encode()
        open(f"{out}/seed-rule-{zlib.crc32(text)}", "wb").write(text)
PY
    ;;
  lsp_frames)
    i=0
    for f in ../tests/fixtures/spec/*.pspec; do
      body=$(python3 -c 'import json,sys; print(json.dumps({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.pspec","languageId":"pspec","version":1,"text":open(sys.argv[1]).read()}}}))' "$f")
      { printf '\x40'; printf 'Content-Length: %d\r\n\r\n%s' "${#body}" "$body"; } >"$corpus/seed-frame-$i"
      i=$((i + 1))
    done
    init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"general":{"positionEncodings":["utf-8"]}}}}'
    { printf '\x07'; printf 'Content-Length: %d\r\n\r\n%s' "${#init}" "$init"; printf 'Content-Length: 3\r\n\r\n{"a'; } >"$corpus/seed-init"
    ;;
  *) seed ../examples/**/*.pspec ../tests/fixtures/**/*.pspec ../../shared/conformance/**/*.pspec ;;
esac

exec nice -n 10 "target/x86_64-unknown-linux-gnu/release/$target" "$corpus" \
  -artifact_prefix="artifacts/$target/" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 -print_final_stats=1 "$@"
