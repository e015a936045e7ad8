#!/usr/bin/env bash
# Rebuild Hearth's compiled front-end assets from scratch.
#
# CI and developers need no npm: the output is committed. Run this only to upgrade
# GOV.UK Frontend or after editing frontend/hearth.scss, then commit the results:
#   src/hearth/static/govuk/hearth.css              (compressed)
#   src/hearth/static/govuk/govuk-frontend.min.js   (ES module build)
#   src/hearth/static/govuk/assets/                 (Hearth favicon, icons, manifest only)
#
# Needs node and npm. Usage: scripts/build-frontend.sh [govuk-frontend version|latest]
set -euo pipefail

# Pinned so a rebuild reproduces the committed files; pass "latest" to upgrade.
GOVUK_FRONTEND_VERSION="${1:-${GOVUK_FRONTEND_VERSION:-6.6.0}}"
SASS_VERSION="${SASS_VERSION:-1.108.2}"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/src/hearth/static/govuk"
work="$(mktemp -d "${TMPDIR:-/tmp}/hearth-frontend.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "Installing govuk-frontend@$GOVUK_FRONTEND_VERSION and sass@$SASS_VERSION in $work"
(
  cd "$work"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --ignore-scripts \
    "govuk-frontend@$GOVUK_FRONTEND_VERSION" "sass@$SASS_VERSION" >/dev/null
)
gf="$work/node_modules/govuk-frontend/dist/govuk"
version="$(node -p "require('$work/node_modules/govuk-frontend/package.json').version")"
echo "govuk-frontend $version"

rm -rf "$out"
mkdir -p "$out"

# Compile from inside the temp dir so the pkg: importer finds its node_modules.
cp "$repo/frontend/hearth.scss" "$repo/frontend/_hearth-assets.scss" "$work/"
(
  cd "$work"
  npx --no-install sass --pkg-importer=node --style=compressed --no-source-map \
    --quiet-deps hearth.scss "$out/hearth.css"
)

# The ES module build of all components (imported by hearth/init.js).
# The source map is not shipped, so drop its comment: Django's manifest storage
# (production) would otherwise fail collectstatic looking for the .map file.
sed -e 's|//# sourceMappingURL=[^ ]*$||' "$gf/govuk-frontend.min.js" > "$out/govuk-frontend.min.js"
if grep -q "sourceMappingURL" "$out/govuk-frontend.min.js"; then
  echo "error: govuk-frontend.min.js still names a source map" >&2
  exit 1
fi

# Icons and manifest: Hearth's own (a white "H" on blue), never GOV.UK's crown
# favicons, crest or opengraph image, and no GDS Transport fonts.
node "$repo/frontend/make-icons.mjs" "$out/assets"
printf '%s\n' "$version" > "$out/VERSION"

# Guard: Hearth is not GOV.UK and must not ship its typeface or reference missing files.
if grep -q "GDS Transport" "$out/hearth.css" || grep -q "@font-face" "$out/hearth.css"; then
  echo "error: hearth.css mentions GDS Transport or @font-face" >&2
  exit 1
fi
missing=0
while IFS= read -r url; do
  path="${url#/static/govuk/}"
  if [ ! -e "$out/$path" ]; then
    echo "error: hearth.css references $url, which was not copied" >&2
    missing=1
  fi
done < <(grep -o 'url([^)]*)' "$out/hearth.css" | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' \
         | grep '^/static/govuk/' | sort -u || true)
[ "$missing" -eq 0 ] || exit 1

echo "Built into $out:"
(cd "$out" && find . -type f | sort)
