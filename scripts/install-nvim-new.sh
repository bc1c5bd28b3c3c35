#!/usr/bin/env bash
# Installs a second, newer Neovim for tests/lsp_nvim.rs (issue 9 point 6:
# the Neovim tests cover Debian bookworm's packaged 0.7.2 and a newer one).
# Debian's next release (trixie) packages Neovim 0.10; it needs trixie's C
# library, so the packages are unpacked (not installed) under DEST with
# their own libc, and `DEST/nvim` runs the editor with that loader. Nothing
# outside DEST changes, and the editor's children (`spec lsp`) run on the
# system's own libraries.
#
#   scripts/install-nvim-new.sh [DEST]   (default: ~/.cache/spec-test-tools/nvim-new)
set -euo pipefail
dest=${1:-${SPEC_NVIM_NEW_DIR:-$HOME/.cache/spec-test-tools/nvim-new}}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ -x "$dest/nvim" ] && "$dest/nvim" --version >/dev/null 2>&1; then
  exit 0
fi
command -v curl >/dev/null || { echo "error: curl is needed to fetch Neovim from $mirror" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "error: dpkg-deb is needed to unpack Neovim" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsS "$mirror/dists/trixie/main/binary-amd64/Packages.xz" -o "$work/Packages.xz"
xz -dc "$work/Packages.xz" > "$work/Packages"
# The current file of each package (versions change with security updates).
python3 - "$work/Packages" > "$work/files" <<'PY'
import re, sys
want = ["neovim", "neovim-runtime", "libc6", "libgcc-s1", "libluajit-5.1-2", "libmsgpack-c2",
        "libtree-sitter0.22", "libunibilium4", "libuv1t64", "libvterm0", "lua-lpeg", "lua-luv"]
found = {}
for block in open(sys.argv[1], encoding="utf-8").read().split("\n\n"):
    name = re.search(r"^Package: (\S+)$", block, re.M)
    path = re.search(r"^Filename: (\S+)$", block, re.M)
    if name and path and name.group(1) in want:
        found.setdefault(name.group(1), path.group(1))
missing = [w for w in want if w not in found]
if missing:
    sys.exit("error: not in trixie's index: " + ", ".join(missing))
print("\n".join(found[w] for w in want))
PY
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/root"
while read -r f; do
  curl -fsS "$mirror/$f" -o "$work/pkg.deb"
  dpkg-deb -x "$work/pkg.deb" "$dest.tmp/root"
done < "$work/files"
cat > "$dest.tmp/nvim" <<SH
#!/bin/sh
# Neovim from Debian trixie, on trixie's own loader and libraries.
R="$dest/root"
export VIMRUNTIME="\$R/usr/share/nvim/runtime"
exec "\$R/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "\$R/usr/lib/x86_64-linux-gnu" "\$R/usr/bin/nvim" "\$@"
SH
chmod +x "$dest.tmp/nvim"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
"$dest/nvim" --version | head -n1
