#!/usr/bin/env bash
# Installs what `scripts/test.sh` needs and is not there yet. Fails loudly
# when something cannot be installed: the tests never skip silently.
#
#   - rustfmt and clippy (rustup components)
#   - neovim (the LSP end-to-end tests drive a headless editor)
#   - chromium (the HTML documents are rendered and checked in headless Chromium)
#   - node and npm must already be on the machine (the VS Code extension
#     build); they are checked, not installed.
set -euo pipefail

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || die "cargo is not installed (install the Rust toolchain with rustup)"

for comp in rustfmt clippy; do
  tool=$([ "$comp" = rustfmt ] && echo "cargo-fmt" || echo "cargo-clippy")
  if ! command -v "$tool" >/dev/null; then
    command -v rustup >/dev/null || die "$tool is missing and rustup is not available to install it"
    say "installing rustup component $comp"
    rustup component add "$comp"
  fi
done
cargo fmt --version >/dev/null || die "cargo fmt does not run"
cargo clippy --version >/dev/null || die "cargo clippy does not run"

if ! command -v nvim >/dev/null; then
  say "installing neovim"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "neovim is missing and neither root nor sudo is available to install it"
    SUDO="sudo"
  fi
  command -v apt-get >/dev/null || die "neovim is missing and apt-get is not available; install neovim by hand"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq neovim >/dev/null
fi
nvim --version >/dev/null || die "nvim does not run"
# A second, newer Neovim (0.10, unpacked from Debian trixie under
# ~/.cache/spec-test-tools): tests/lsp_nvim.rs runs in both.
command -v dpkg-deb >/dev/null && command -v curl >/dev/null && command -v xz >/dev/null \
  || die "curl, xz and dpkg-deb are needed to unpack the newer Neovim"
"$(dirname "$0")/install-nvim-new.sh" >/dev/null || die "the newer Neovim could not be installed (scripts/install-nvim-new.sh)"
nvim_new=${SPEC_NVIM_NEW:-$HOME/.cache/spec-test-tools/nvim-new/nvim}
"$nvim_new" --version >/dev/null || die "the newer Neovim ($nvim_new) does not run"

if ! command -v chromium >/dev/null; then
  say "installing chromium"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "chromium is missing and neither root nor sudo is available to install it"
    SUDO="sudo"
  fi
  command -v apt-get >/dev/null || die "chromium is missing and apt-get is not available; install chromium by hand"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
chromium --version >/dev/null || die "chromium does not run"

# `script` (util-linux, essential on Debian) gives the progress-bar test a terminal.
command -v script >/dev/null || die "\`script\` is missing (Debian package bsdutils / util-linux)"

command -v node >/dev/null || die "node is not installed (node 20 is required for the VS Code extension build)"
command -v npm >/dev/null || die "npm is not installed (required for the VS Code extension build)"

say "tools: $(cargo --version), $(cargo fmt --version), $(cargo clippy --version), $(nvim --version | head -n1), $("$nvim_new" --version | head -n1), $(chromium --version), node $(node --version), npm $(npm --version)"
