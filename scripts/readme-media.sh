#!/usr/bin/env bash
# Refreshes the README's pictures from the end-to-end tests' screenshots (run `npm run test:e2e`
# first): copies the chosen PNGs to media/screenshots/ and assembles the trace frames into an
# animated GIF. Needs ImageMagick (Debian: apt-get install imagemagick).
set -euo pipefail
cd "$(dirname "$0")/.."
CONVERT=/usr/bin/convert; [ -x "$CONVERT" ] || CONVERT=convert
SRC=test-results
OUT=media/screenshots
mkdir -p "$OUT"
for f in problems hover topology-shop topology-policy trace-lens demo; do
  [ -f "$SRC/$f.png" ] || { echo "missing $SRC/$f.png (run the e2e tests first)"; exit 1; }
  # Half size keeps the README light; the pictures stay readable.
  "$CONVERT" "$SRC/$f.png" -resize 50% -strip "$OUT/${f/topology-shop/topology}.png"
done
# The map's pictures at full size (their text is small already); 256 colours keep them light.
for f in topology-map-shop:topology-map topology-map-focus topology-map-gateway topology-matrix topology-large-map:topology-map-large topology-large-nodes:topology-nodes-large; do
  [ -f "$SRC/${f%%:*}.png" ] || { echo "missing $SRC/${f%%:*}.png (run the e2e tests first)"; exit 1; }
  "$CONVERT" "$SRC/${f%%:*}.png" -strip -colors 256 "PNG8:$OUT/${f##*:}.png"
done
frames=("$SRC"/trace-frames/frame-*.png)
[ -f "${frames[0]}" ] || { echo "missing $SRC/trace-frames (run test/e2e/ui/trace-frames.test.mjs)"; exit 1; }
"$CONVERT" -delay 45 -loop 0 "${frames[@]}" -resize 50% -layers Optimize "$OUT/trace.gif"
ls -l "$OUT"
