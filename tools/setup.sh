#!/usr/bin/env bash
# Installs what building, running and testing Allervers need, when it is missing:
# Debian packages, then the npm packages (the web font and the browser-test tools).
# Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # build
  cmake g++ make pkg-config git
  # libraries (see cmake/Dependencies.cmake)
  libsoci-dev libboost-dev libsqlite3-dev libpq-dev libcpp-httplib-dev libkainjow-mustache-dev
  libsodium-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libicu-dev
  libcairo2-dev libpango1.0-dev libxlsxwriter-dev libcurl4-openssl-dev libssl-dev libqrencode-dev libzxcvbn-dev
  fonts-dejavu-core
  # tests: GoogleTest, a PostgreSQL server, Chromium for the browser suite, tools to look at outputs
  # and clang with its libFuzzer runtime for the fuzz targets (fuzz/, tools/fuzz.sh)
  clang libclang-rt-14-dev
  libgtest-dev libgmock-dev postgresql chromium sqlite3 poppler-utils unzip nodejs curl
  # the Debian package: dpkg-shlibdeps computes its dependencies, systemd-analyze checks its unit
  dpkg-dev systemd
  # tests of the outbox: a real SMTP server on loopback (Debian's python3, not a pyenv one)
  python3-aiosmtpd
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installation des paquets Debian manquants : ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: droits root ou sudo nécessaires pour apt-get" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v npm >/dev/null; then
  echo "setup: npm est introuvable (paquet nodejs)" >&2
  exit 1
fi

# npm ci when node_modules is missing or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installation des paquets npm (police Atkinson Hyperlegible, Playwright, axe-core)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
