#!/usr/bin/env bash
# Builds the Debian package from a build directory (`make package`: the Release build; `make
# test`: the sanitized build it tests with) and checks it as an administrator
# would rely on it: control data and dependencies, contents, conffiles and maintainer scripts,
# the systemd unit (systemd-analyze verify), then the packaged binary, unpacked, run against a
# fresh SQLite database with the packaged configuration file: migrate, serve, answer.
# Usage: tests/package/check_deb.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "check_deb: $*" >&2
  exit 1
}

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || {
  cat "$work/cpack.log"
  fail "cpack failed"
}
debs=("$work"/out/allervers_*.deb)
[[ ${#debs[@]} -eq 1 && -f "${debs[0]}" ]] || fail "expected one allervers_*.deb, found: ${debs[*]}"
deb=${debs[0]}

# Control data.
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == allervers ]] || fail "Package: $(field Package)"
[[ $(field Architecture) == "$(dpkg --print-architecture)" ]] || fail "Architecture: $(field Architecture)"
depends=$(field Depends)
for dep in adduser libsqlite3 libpq5 libsodium libcurl libpango libxlsxwriter libicu; do
  [[ $depends == *"$dep"* ]] || fail "Depends lacks $dep: $depends"
done

# Contents.
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/bin/allervers ./etc/allervers/allervers.toml ./lib/systemd/system/allervers.service \
  ./usr/share/allervers/templates/layouts/base.mustache ./usr/share/allervers/static/css/app.css \
  ./usr/share/allervers/migrations/sqlite/ ./usr/share/allervers/migrations/postgresql/ \
  ./usr/share/allervers/data/ ./usr/share/allervers/fonts/atkinson-hyperlegible-latin-400-normal.woff2 \
  ./usr/share/doc/allervers/admin.md ./usr/share/doc/allervers/configuration.md \
  ./usr/share/doc/allervers/guide-utilisateur.md ./usr/share/doc/allervers/guide/sign-in.png; do
  grep -qxF "$path" <<<"$contents" || fail "missing from the package: $path"
done
if grep -qE '^\./(home|root|work|tmp)/|node_modules|\.git/' <<<"$contents"; then
  fail "the package holds files from the build machine: $(grep -E '^\./(home|root|work|tmp)/|node_modules|\.git/' <<<"$contents" | head -3)"
fi

# Maintainer scripts and conffiles.
dpkg-deb -e "$deb" "$work/control"
[[ $(cat "$work/control/conffiles") == /etc/allervers/allervers.toml ]] || fail "conffiles: $(cat "$work/control/conffiles")"
for script in postinst prerm postrm; do
  [[ -x "$work/control/$script" ]] || fail "$script missing or not executable"
  sh -n "$work/control/$script" || fail "$script: syntax error"
done
grep -q "adduser --system" "$work/control/postinst" || fail "postinst does not create the service account"
grep -q "/var/lib/allervers/secret.key" "$work/control/postinst" || fail "postinst does not create the secret key"

dpkg-deb -x "$deb" "$work/root"
grep -q '^secret_key_file = "/var/lib/allervers/secret.key"' "$work/root/etc/allervers/allervers.toml" ||
  fail "the packaged configuration does not name the secret key file"

# The unit: valid for systemd, run as the dedicated user, hardened.
unit=$work/root/lib/systemd/system/allervers.service
for line in User=allervers NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes StateDirectory=allervers; do
  grep -qx "$line" "$unit" || fail "the unit lacks $line"
done
if command -v systemd-analyze >/dev/null; then
  # The unit verified against this machine's systemd, its commands pointing at the unpacked
  # binary (systemd checks that they exist and are executable).
  mkdir "$work/unit"
  sed "s#/usr/bin/allervers#$work/root/usr/bin/allervers#g" "$unit" >"$work/unit/allervers.service"
  systemd-analyze verify --man=no "$work/unit/allervers.service" >"$work/verify.log" 2>&1 ||
    { cat "$work/verify.log"; fail "systemd-analyze verify failed"; }
  if grep -q "allervers.service" "$work/verify.log"; then
    cat "$work/verify.log"
    fail "systemd-analyze verify reports problems in the unit"
  fi
else
  fail "systemd-analyze not found (Debian package systemd)"
fi

# The packaged binary, unpacked: it finds its files next to itself (../share/allervers), reads
# the packaged configuration file, migrates a fresh database and serves.
bin=$work/root/usr/bin/allervers
db="sqlite:$work/allervers.db"
config=(--config "$work/root/etc/allervers/allervers.toml" --share-dir "$work/root/usr/share/allervers")
# The key file goes in the work directory, not in this machine's /var/lib/allervers.
export ALLERVERS_SECRET_KEY_FILE=$work/secret.key
ALLERVERS_FAST_PASSWORD_HASHING=1 "$bin" "${config[@]}" --database "$db" migrate >"$work/migrate.log" 2>&1 ||
  { cat "$work/migrate.log"; fail "the packaged binary could not migrate a fresh database"; }
[[ $(stat -c %a "$work/secret.key") == 600 ]] || fail "the secret key file was not created with mode 0600"
ALLERVERS_FAST_PASSWORD_HASHING=1 "$bin" --database "$db" --listen 127.0.0.1:0 --log-level warn serve \
  >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
url=
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$work/serve.out" || true)
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.err"; fail "the packaged server exited"; }
  sleep 0.1
done
[[ -n "$url" ]] || fail "the packaged server did not start"
status() { curl -s -o /dev/null -w '%{http_code}' "$url$1"; }
[[ $(status readyz) == 200 ]] || fail "/readyz: $(status readyz)"
[[ $(status connexion) == 200 ]] || fail "/connexion: $(status connexion)"
[[ $(status static/css/app.css) == 200 ]] || fail "/static/css/app.css: $(status static/css/app.css)"
[[ $(status static/fonts/atkinson-hyperlegible-latin-400-normal.woff2) == 200 ]] || fail "web font not served"
curl -s "${url}connexion" | grep -q 'lang="fr"' || fail "/connexion is not the sign-in page"
echo "check_deb: ok ($(basename "$deb"), $(du -k "$deb" | cut -f1) KiB)"
