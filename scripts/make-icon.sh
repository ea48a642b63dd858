#!/usr/bin/env bash
# Draws media/icon.png (128x128): three pods on a network, one packet on its way, on Kubernetes blue.
# Needs ImageMagick (Debian: apt-get install imagemagick). The PNG is committed; run this only to change it.
set -euo pipefail
cd "$(dirname "$0")/.."
CONVERT=/usr/bin/convert; [ -x "$CONVERT" ] || CONVERT=convert
"$CONVERT" -size 128x128 xc:none \
  -fill '#326ce5' -draw 'roundrectangle 4,4 123,123 22,22' \
  -stroke white -strokewidth 5 -draw 'line 36,88 64,40' -draw 'line 64,40 92,88' -draw 'line 36,88 92,88' \
  -stroke '#326ce5' -strokewidth 4 -fill white \
  -draw 'circle 64,40 64,22' -draw 'circle 36,88 36,71' -draw 'circle 92,88 92,71' \
  -stroke none -fill '#ffb020' -draw 'circle 78,64 78,56' \
  -fill '#326ce5' -draw 'polygon 58,33 70,40 58,47' -draw 'rectangle 29,84 43,92' -draw 'rectangle 85,84 99,92' \
  -strip PNG32:media/icon.png
echo "wrote media/icon.png"
