#!/usr/bin/env bash
# Builds the Debian package with `cpack -G DEB`, checks its contents and control fields, installs
# it into this machine with dpkg -i, runs the installed liaisond as the packaged user against a
# private redis-server until /readyz answers 200 and a message reaches the outbox under
# /var/lib/liaison, then removes and purges the package (docs/operations.md, "The Debian
# package").
#
# Needs root; without it the test is skipped (exit 77). It also skips when a liaison package is
# already installed here: that one is not ours to remove. A lock file serializes runs from other
# build trees on the same machine; ctest's RESOURCE_LOCK does the same within one ctest.
#
# Usage: deb_install.sh SOURCE_DIR BUILD_DIR CPACK_COMMAND
set -euo pipefail
source_dir=$1
build_dir=$2
cpack=$3

skip() {
  echo "SKIP: $*"
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "--- $*"; }

[ "$(id -u)" = 0 ] || skip "dpkg -i into this machine needs root"
for tool in dpkg dpkg-deb dpkg-shlibdeps redis-server curl setpriv flock; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps installs it)"
done

mkdir -p /run/lock
exec 9>/run/lock/liaison-package-test.lock
flock -w 900 9 || fail "another package test holds /run/lock/liaison-package-test.lock"

installed_status() { dpkg-query -W -f='${Status}' liaison 2>/dev/null || true; }
if [ -n "$(installed_status)" ] && [ "$(installed_status)" != "unknown ok not-installed" ]; then
  skip "a liaison package is already installed here ($(installed_status)); not touching it"
fi
[ -e /usr/bin/liaisond ] && skip "/usr/bin/liaisond exists outside the package manager's records"

user_existed=0
getent passwd liaison >/dev/null && user_existed=1
group_existed=0
getent group liaison >/dev/null && group_existed=1

work=$(mktemp -d)
# The packaged daemon runs as "liaison": it must reach its config and the Redis socket here.
chmod 755 "$work"
daemon_pid=
redis_pid=
cleanup() {
  set +e
  [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  if [ -n "$(installed_status)" ] && [ "$(installed_status)" != "unknown ok not-installed" ]; then
    dpkg --purge liaison >/dev/null
  fi
  # The package leaves its system user behind on purge (Debian's practice); the test does not.
  [ "$user_existed" = 0 ] && getent passwd liaison >/dev/null && userdel liaison
  [ "$group_existed" = 0 ] && getent group liaison >/dev/null && groupdel liaison
  rm -rf "$work"
}
trap cleanup EXIT

step "cpack -G DEB"
"$cpack" -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack failed"; }
deb=
for candidate in "$work"/pkg/liaison_*.deb; do deb=$candidate; done
[ -f "$deb" ] || fail "cpack wrote no liaison_*.deb into $work/pkg"
echo "package: $(basename "$deb")"

step "contents"
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/contents"
expect=(
  /usr/bin/liaisond /usr/bin/liaisonctl
  /lib/systemd/system/liaisond.service
  /usr/lib/sysusers.d/liaison.conf /usr/lib/tmpfiles.d/liaison.conf
  /etc/liaison/liaison.toml /etc/liaison/redis-liaison.conf
  /usr/share/man/man8/liaisond.8.gz /usr/share/man/man1/liaisonctl.1.gz
  /usr/share/doc/liaison/README.md /usr/share/doc/liaison/operations.md
)
for catalog in "$source_dir"/i18n/catalog/*.json; do
  expect+=("/usr/share/liaison/catalog/$(basename "$catalog")")
done
for path in "${expect[@]}"; do
  grep -qxF "$path" "$work/contents" || fail "the package lacks $path"
done
# Nothing else: no headers (the unpacked libphonenumber-dev ones included), no test programs,
# nothing under /usr/local.
unexpected=$(grep -v -E '/$' "$work/contents" |
  grep -v -E '^/usr/bin/liaison(d|ctl)$|^/lib/systemd/system/liaisond\.service$|^/usr/lib/(sysusers|tmpfiles)\.d/liaison\.conf$|^/etc/liaison/[a-z-]+\.(toml|conf)$|^/usr/share/man/man[18]/liaison(d|ctl)\.[18]\.gz$|^/usr/share/doc/liaison/[A-Za-z0-9-]+\.md$|^/usr/share/liaison/catalog/[A-Za-z-]+\.json$' ||
  true)
[ -z "$unexpected" ] || fail "unexpected files in the package: $unexpected"

step "control fields"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
printf '%s\n' "$depends" | tr ',' '\n' | sed 's/^ *//' | grep -qE '^libphonenumber8( |$)' ||
  fail "Depends lacks libphonenumber8"
for lib in libboost-json1.81.0 libhiredis0.14 libicu72 libcurl4 libsystemd0 libssl3; do
  printf '%s' "$depends" | grep -q "$lib" || fail "Depends lacks $lib (dpkg-shlibdeps)"
done
[ "$(dpkg-deb -f "$deb" Recommends)" = redis-server ] || fail "Recommends is not redis-server"
[ "$(dpkg-deb -f "$deb" Package)" = liaison ] || fail "the package is not named liaison"
dpkg-deb -e "$deb" "$work/control"
grep -qxF /etc/liaison/liaison.toml "$work/control/conffiles" ||
  fail "/etc/liaison/liaison.toml is not a conffile"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "$script missing or not executable"
  sh -n "$work/control/$script" || fail "$script is not valid sh"
done

step "dpkg -i"
dpkg -i "$deb"
[ "$(installed_status)" = "install ok installed" ] || fail "status after dpkg -i: $(installed_status)"
getent passwd liaison | grep -q ':/var/lib/liaison:' || fail "no user liaison with home /var/lib/liaison"
id -nG liaison | tr ' ' '\n' | grep -qx redis || fail "liaison is not in group redis"
[ "$(stat -c '%a %U' /etc/liaison/credentials)" = "700 root" ] ||
  fail "/etc/liaison/credentials is not 0700 root"
[ "$(stat -c '%U' /var/lib/liaison/outbox)" = liaison ] || fail "/var/lib/liaison/outbox not owned by liaison"
if command -v deb-systemd-helper >/dev/null; then
  [ -L /etc/systemd/system/multi-user.target.wants/liaisond.service ] ||
    fail "liaisond.service is not enabled"
fi
/usr/bin/liaisond --version | grep -qx "liaisond [0-9.]*" || fail "liaisond --version"
/usr/bin/liaisonctl --version | grep -qx "liaisonctl [0-9.]*" || fail "liaisonctl --version"
zcat /usr/share/man/man8/liaisond.8.gz | grep -q '^\.TH LIAISOND 8' || fail "liaisond(8) unreadable"

step "the shipped example configuration validates once its secrets exist"
mkdir "$work/credentials"
for secret in redis-password twilio-auth-token smtp-password; do
  echo "not-a-real-secret" >"$work/credentials/liaison_$secret"
done
CREDENTIALS_DIRECTORY=$work/credentials /usr/bin/liaisonctl check-config /etc/liaison/liaison.toml

step "run the installed liaisond as user liaison against a private redis-server"
mkdir "$work/redis"
redis-server --port 0 --unixsocket "$work/redis/redis.sock" --unixsocketperm 777 --dir "$work/redis" \
  --save '' --appendonly no --logfile "$work/redis/redis.log" &
redis_pid=$!
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# No catalog_directory: the default is the installed /usr/share/liaison/catalog.
cat >"$work/liaison.toml" <<EOF
[http]
port = $port
[redis]
unix_socket = "$work/redis/redis.sock"
[[auth.api_keys]]
name = "package-test"
sha256 = "$(/usr/bin/liaisonctl hash-key package-test-key)"
role = "admin"
[[providers]]
name = "outbox"
kind = "outbox"
channels = ["sms", "email", "voice"]
directory = "/var/lib/liaison/outbox"
EOF
chmod 644 "$work/liaison.toml"
for _ in $(seq 100); do [ -S "$work/redis/redis.sock" ] && break; sleep 0.1; done
setpriv --reuid=liaison --regid=liaison --init-groups \
  /usr/bin/liaisond --config "$work/liaison.toml" >"$work/liaisond.log" 2>&1 &
daemon_pid=$!
ready=
for _ in $(seq 200); do
  ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)
  [ "$ready" = 200 ] && break
  kill -0 "$daemon_pid" 2>/dev/null || break
  sleep 0.1
done
[ "$ready" = 200 ] || { cat "$work/liaisond.log"; fail "/readyz answered '$ready', not 200"; }
[ "$(ps -o user= -p "$daemon_pid" | tr -d ' ')" = liaison ] || fail "liaisond is not running as liaison"
answer=$(curl -s -X POST "http://127.0.0.1:$port/v1/messages" \
  -H 'Authorization: Bearer package-test-key' -H 'Content-Type: application/json' \
  -d '{"to": {"phone": "+12025550143"}, "channel": "sms", "language": "es", "body": "Hola"}')
id=$(printf '%s' "$answer" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
[ -n "$id" ] || fail "POST /v1/messages answered $answer"
for _ in $(seq 100); do
  grep -qs "$id" /var/lib/liaison/outbox/outbox.ndjson && break
  sleep 0.1
done
grep -qs "$id" /var/lib/liaison/outbox/outbox.ndjson || fail "message $id never reached the outbox"
kill -TERM "$daemon_pid"
status=0
wait "$daemon_pid" || status=$?
daemon_pid=
[ "$status" = 0 ] || { cat "$work/liaisond.log"; fail "liaisond exited $status after SIGTERM"; }

step "reinstall keeps a local edit of the conffile"
echo "# local edit" >>/etc/liaison/liaison.toml
dpkg -i "$deb"
tail -n 1 /etc/liaison/liaison.toml | grep -qx "# local edit" || fail "reinstall lost the local edit"

step "dpkg -r keeps the configuration, dpkg --purge removes it"
dpkg -r liaison
[ ! -e /usr/bin/liaisond ] || fail "/usr/bin/liaisond left after dpkg -r"
[ -f /etc/liaison/liaison.toml ] || fail "dpkg -r removed the configuration"
dpkg --purge liaison
[ ! -e /etc/liaison ] || fail "/etc/liaison left after purge"
[ ! -e /var/lib/liaison ] || fail "/var/lib/liaison left after purge"
[ ! -e /etc/systemd/system/multi-user.target.wants/liaisond.service ] ||
  fail "the enablement symlink survived the purge"
echo "package: OK"
