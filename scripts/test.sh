#!/usr/bin/env bash
# The one test command: formatting, lints, every test of the workspace (unit,
# snapshot, property, end-to-end, conformance, LSP), SARIF validation and the
# VS Code extension build. Installs missing tools first; never skips.
#
#   scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }

say "checking tools"
scripts/install-test-deps.sh

say "cargo fmt --all --check"
cargo fmt --all --check

say "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

say "cargo test --workspace --no-fail-fast"
# Keep the full log, then print cargo's summary lines (one per test binary).
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
say "test summary"
grep -E '^(test result:|     Running|   Doc-tests)' "$log" || true
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "total: %d passed, %d failed\n", p, f }' "$log"
if [ "$status" -ne 0 ]; then
  echo "cargo test failed (exit $status)" >&2
  exit "$status"
fi

say "SARIF validation"
bash scripts/validate-sarif.sh

say "VS Code extension packaging"
bash lsp/vscode/build.sh

say "all checks passed"
