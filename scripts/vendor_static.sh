#!/usr/bin/env bash
# Places the terminal's third-party browser assets under static/vendor/xterm/.
#
# xterm.js and its addons come from npm at the exact versions in package-lock.json
# (`npm ci` never resolves anything new), so every checkout serves the same files and
# the console needs no CDN. static/vendor/ is gitignored: run this after cloning and
# after changing package.json. Run from the repository root.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# --ignore-scripts: these packages need no install scripts, so none may run.
npm ci --no-audit --no-fund --ignore-scripts

src=node_modules/@xterm
dest=static/vendor/xterm
rm -rf "$dest"
mkdir -p "$dest"

# The UMD builds (plain <script> tags, no bundler) with their source maps: Django's
# ManifestStaticFilesStorage rewrites sourceMappingURL comments and fails when a map is
# missing, so the maps travel with the scripts.
cp "$src/xterm/lib/xterm.js" "$src/xterm/lib/xterm.js.map" "$src/xterm/css/xterm.css" "$dest/"
cp "$src/xterm/LICENSE" "$dest/LICENSE.xterm.txt"
for addon in fit web-links; do
    cp "$src/addon-$addon/lib/addon-$addon.js" "$src/addon-$addon/lib/addon-$addon.js.map" "$dest/"
    cp "$src/addon-$addon/LICENSE" "$dest/LICENSE.addon-$addon.txt"
done

echo "vendored into $dest:"
ls -1 "$dest"
