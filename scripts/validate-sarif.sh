#!/usr/bin/env bash
# Validates `spec check --format sarif` against the SARIF 2.1.0 schema and the
# SARIF validation rules, with Microsoft's SARIF Multitool.
#
#   scripts/validate-sarif.sh [SPEC_BINARY]
#
# - Installs @microsoft/sarif-multitool (pinned) with npm into a local prefix
#   (target/sarif-tools, or $SARIF_TOOLS_DIR) when it is not there yet; needs
#   node and npm on PATH, nothing global.
# - Runs `spec check --format sarif` on every conformance case
#   (../shared/conformance/*.pspec), on examples/ when it exists, and on a
#   broken file made up here, and on examples/ as one workspace (so results, waivers and related locations are
#   exercised even when every case is clean).
# - Validates each log and fails (exit 1) on any error- or warning-level
#   finding; notes (style suggestions such as "provide a snippet") are
#   printed as a count. Exit 2 when the tools cannot be set up.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="5.7.0"
TOOLS="${SARIF_TOOLS_DIR:-$ROOT/target/sarif-tools}"
OUT="$ROOT/target/sarif-validate"
SPEC="${1:-}"

die() { echo "validate-sarif: $*" >&2; exit 2; }

command -v node >/dev/null || die "node is not on PATH"
command -v npm >/dev/null || die "npm is not on PATH"

# The multitool: the package resolves a per-platform package holding the
# native binary; call the binary directly (the package's bin.js goes through
# a shell, which splits `;`-separated option values).
multitool_path() {
    (cd "$TOOLS" 2>/dev/null && node -e 'process.stdout.write(require("@microsoft/sarif-multitool"))' 2>/dev/null)
}
MT="$(multitool_path || true)"
if [ -z "$MT" ] || [ ! -e "$MT" ]; then
    echo "validate-sarif: installing @microsoft/sarif-multitool@$VERSION into $TOOLS" >&2
    mkdir -p "$TOOLS"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS" "@microsoft/sarif-multitool@$VERSION" >&2 \
        || die "npm install @microsoft/sarif-multitool@$VERSION failed"
    MT="$(multitool_path || true)"
    [ -n "$MT" ] && [ -e "$MT" ] || die "the multitool is not available for this platform"
fi
# The package's postinstall (chmod u+x) may not have run (npm install-scripts policy).
chmod u+x "$MT" 2>/dev/null || true

if [ -z "$SPEC" ]; then
    (cd "$ROOT" && cargo build --quiet --bin spec) || die "cargo build failed"
    SPEC="$ROOT/target/debug/spec"
fi
[ -x "$SPEC" ] || die "no spec binary at $SPEC"

rm -rf "$OUT"
mkdir -p "$OUT/logs" "$OUT/reports" "$OUT/extra"

# A made-up broken workspace: duplicates, an unknown module, a variance.
cat > "$OUT/extra/broken.pspec" <<'EOF'
module 7001XX "Duplicated" {
  credits 15
  level 7
  outcomes { LO1 "Explain" }
  assessment AS1 "Essay" { kind coursework weight 100% covers LO1 }
}
module 7001XX "Again" { credits 20 level 9 }
programme MSCXX "MSc Broken" {
  award MSc
  framework ljmu-pgt-2022
  credits 180
  structure {
    core 7001XX, 7999XX semester 1
  }
  variance PG.A4.2/module-size {
    applies-to 7001XX
    criterion psrb "Nobody"
  }
}
EOF

inputs=()
shopt -s nullglob
for f in "$ROOT"/../shared/conformance/*.pspec; do inputs+=("$f"); done
if [ -d "$ROOT/examples" ]; then
    while IFS= read -r -d '' f; do inputs+=("$f"); done < <(find "$ROOT/examples" -name '*.pspec' -print0 | sort -z)
fi
inputs+=("$OUT/extra/broken.pspec")
# Whole workspaces too (directories: every file, cross-file references).
[ -d "$ROOT/examples" ] && inputs+=("$ROOT/examples")

failed=0
n=0
for f in "${inputs[@]}"; do
    n=$((n + 1))
    log="$OUT/logs/$n-$(basename "$f" .pspec).sarif"
    status=0
    if [ -d "$f" ]; then
        (cd "$f" && "$SPEC" check --format sarif .) > "$log" || status=$?
    else
        (cd "$(dirname "$f")" && "$SPEC" check --format sarif "$(basename "$f")") > "$log" || status=$?
    fi
    if [ "$status" -ge 2 ]; then
        echo "FAIL $f: spec check exited $status" >&2
        failed=1
        continue
    fi
    report="$OUT/reports/$n.sarif"
    "$MT" validate "$log" --output "$report" --log ForceOverwrite --level "Error;Warning;Note" --quiet >/dev/null 2>&1 \
        || { echo "FAIL $f: the multitool could not run" >&2; failed=1; continue; }
    # The multitool exits 0 whatever it finds: read its report.
    summary="$(node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const res = (r.runs || []).flatMap(run => run.results || []);
        const bad = res.filter(x => (x.level || "warning") !== "note");
        for (const x of bad) {
            const m = x.message || {};
            const text = m.text || (m.arguments || []).join(" | ");
            console.error(`  ${x.level || "warning"} ${x.ruleId}: ${text}`);
        }
        process.stdout.write(`${bad.length} ${res.length - bad.length}`);
    ' "$report")"
    read -r bad notes <<<"$summary"
    if [ "$bad" != "0" ]; then
        echo "FAIL $f: $bad error/warning finding(s) in $log" >&2
        failed=1
    else
        echo "ok   $f ($notes note(s))"
    fi
done

if [ "$failed" != 0 ]; then
    echo "validate-sarif: FAILED (logs in $OUT)" >&2
    exit 1
fi
echo "validate-sarif: $n SARIF log(s) valid"
