#!/usr/bin/env bash
# Copies the screenshots used by the French user guide (docs/guide-utilisateur.md) from
# build/screenshots/, where the browser tests write them, into docs/guide/, where the guide
# links them as guide/NAME.png. Run the browser tests of the Release build first so that the
# screenshots exist (`make build && ctest --test-dir build -L browser -j2`: `make test` takes
# none); keep the
# list below in step with the images the guide references. The copies are quantised with
# pngquant (Debian package pngquant) to keep the repository and the Debian package small.
set -euo pipefail
cd "$(dirname "$0")/.."

source_dir=build/screenshots
target_dir=docs/guide

names=(
  # Premiers pas
  sign-in
  two-factor-enrol
  two-factor-code
  # Prescripteur
  home-prescripteur
  referral-form
  referral-sent
  journey-referrer-fiche-closed
  invitation-show
  # Coordination
  home-coordinateur
  inbox
  referral-duplicates
  indicators-year
  steering-form
  case-access-log
  # Intervenant·e
  home-intervenant
  appointment-form-suggestions
  agenda-week-next
  case-file
  assessment-step-e
  intervention-form
  partners-search-for-case
  journey-feedback-form
  person-data
  # Pilote
  home-pilote
  indicators-pilote
  quarterly-list
  # Administrateur
  home-admin
  admin-users
  settings
  retention-report
)

missing=()
for name in "${names[@]}"; do
  if [[ ! -f "$source_dir/$name.png" ]]; then
    missing+=("$source_dir/$name.png")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "error: missing screenshot(s), run \`make build && ctest --test-dir build -L browser -j2\` first (the browser tests write them):" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi

command -v pngquant >/dev/null || {
  echo "error: pngquant is needed (apt install pngquant)" >&2
  exit 1
}
mkdir -p "$target_dir"
for name in "${names[@]}"; do
  pngquant --force --quality=70-95 --speed 3 --strip --output "$target_dir/$name.png" \
    "$source_dir/$name.png"
done
echo "copied ${#names[@]} screenshots into $target_dir/"
