#!/usr/bin/env bash
# Builds the VS Code extension: installs its npm dependencies, type-checks
# the TypeScript client, bundles it with esbuild and packages `spec-pspec-VERSION.vsix` here (not
# committed). Needs node >= 18 and npm.
set -euo pipefail
cd "$(dirname "$0")"
command -v npm >/dev/null || { echo "error: npm is not installed" >&2; exit 1; }
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run compile
# JSON files must parse (grammars, language configuration).
node -e 'for (const f of process.argv.slice(1)) JSON.parse(require("fs").readFileSync(f, "utf8"))' \
  package.json language-configuration.json syntaxes/*.json
# The client is bundled into one file (esbuild; `node_modules` is not
# packaged): vsce must not warn about unbundled files.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
npx @vscode/vsce package --out . 2>&1 | tee "$log"
if grep -q WARNING "$log"; then
  echo "error: vsce warned (see above)" >&2
  exit 1
fi
ls -l ./*.vsix
