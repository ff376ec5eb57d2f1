#!/usr/bin/env bash
# Intake benchmark: POST /v1/messages with keep-alive from wrk on the same machine, against a
# liaisond on a private redis-server (AOF, appendfsync FSYNC). Only voice has a provider, so the
# SMS messages stay queued: what is measured is intake (validate, write durably, answer 202).
#
# Usage: bench/intake.sh    (BUILD=build-rel FSYNC=eversec|always CONNECTIONS=64 SECONDS=15)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build-rel}
fsync=${FSYNC:-everysec}
port=${PORT:-18081}
connections=${CONNECTIONS:-64}
seconds=${SECONDS_RUN:-15}
key=bench-admin-key
tmp=$(mktemp -d /tmp/liaison-intake.XXXXXX)
cleanup() {
  [ -n "${daemon:-}" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  redis-cli -s "$tmp/redis.sock" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -x "$build/daemon/liaisond" ] || "$here/scripts/build" "$build" RelWithDebInfo liaisond

redis-server --port 0 --unixsocket "$tmp/redis.sock" --dir "$tmp" --appendonly yes \
  --appendfsync "$fsync" --save "" --daemonize yes --pidfile "$tmp/redis.pid" \
  --logfile "$tmp/redis.log"
for _ in $(seq 1 100); do redis-cli -s "$tmp/redis.sock" ping >/dev/null 2>&1 && break; sleep 0.05; done

cat >"$tmp/liaison.toml" <<TOML
[district]
catalog_directory = "$here/i18n/catalog"
[http]
port = $port
[redis]
unix_socket = "$tmp/redis.sock"
[logging]
level = "warn"
sink = "stderr"
[[auth.api_keys]]
name = "bench"
role = "admin"
sha256 = "$(printf %s "$key" | sha256sum | cut -d' ' -f1)"
[[providers]]
name = "outbox"
kind = "outbox"
channels = ["voice"]
directory = "$tmp/outbox"
TOML

"$build/daemon/liaisond" --config "$tmp/liaison.toml" 2>"$tmp/liaisond.log" &
daemon=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done

cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"to": {"phone": "+12025550143"}, "channel": "sms", "language": "es-MX", "body": "Su hijo estuvo ausente hoy. Llame a la escuela al 202-555-0100."}'
LUA
[ -n "${PERF:-}" ] && { perf record -F 999 -g -p "$daemon" -o "$PERF" -- sleep 5 2>/dev/null & }
wrk -t 1 -c "$connections" -d "${seconds}s" --latency -s "$tmp/post.lua" \
  "http://127.0.0.1:$port/v1/messages"
echo "queued: $(redis-cli -s "$tmp/redis.sock" XLEN 'liaison:{q}:stream:sms') (appendfsync $fsync)"
