#!/usr/bin/env bash
# The long form of tests/lsp_storm.rs: a seeded storm of edits, requests at
# random and out-of-range positions and malformed frames against `spec lsp`
# over real stdio, printing the server's RSS every 5,000 steps.
#
#   scripts/lsp-storm.sh [STEPS] [SEED]     (default 100000 steps, seed 8)
set -euo pipefail
cd "$(dirname "$0")/.."
SPEC_STORM_STEPS=${1:-100000} SPEC_STORM_SEED=${2:-8} \
  nice -n 10 cargo test --release --test lsp_storm -- --nocapture
