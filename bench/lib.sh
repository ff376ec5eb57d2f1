# Shared by the benchmark scripts (sourced): a private redis-server with AOF and liaisond on it
# (INSTANCES of them, default 1, sharing the port with [http] reuse_port: one per core), in a
# temporary folder removed at exit. Only voice has a provider, so SMS and email deliveries stay
# queued: the benchmarks measure intake and fan-out, not dispatch.
# Inputs: here, build, fsync, port, key, INSTANCES, PAGE_FAMILIES (fan-out's page size),
# REDIS_OPTS (more redis-server options, e.g. "--auto-aof-rewrite-percentage 0"),
# SENDERS (default 0: every instance serves the API and sends; N: the INSTANCES serve the API
# only, `--workers off`, and N more send, each on a port of its own at niceness SENDER_NICE,
# default 10: docs/operations.md, "API and worker instances").
# Sets: tmp, daemons (pids), daemon (the first), auth.

tmp=$(mktemp -d /tmp/liaison-bench.XXXXXX)
instances=${INSTANCES:-1}
senders=${SENDERS:-0}
sender_nice=${SENDER_NICE:-10}
daemons=()
daemon=
cleanup() {
  stop_daemons
  redis-cli -s "$tmp/redis.sock" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

[ -x "$build/daemon/liaisond" ] || "$here/scripts/build" "$build" RelWithDebInfo liaisond

redis-server --port 0 --unixsocket "$tmp/redis.sock" --dir "$tmp" --appendonly yes \
  --appendfsync "$fsync" --save "" --daemonize yes --pidfile "$tmp/redis.pid" \
  --logfile "$tmp/redis.log" ${REDIS_OPTS:-}
for _ in $(seq 1 100); do redis-cli -s "$tmp/redis.sock" ping >/dev/null 2>&1 && break; sleep 0.05; done

cat >"$tmp/liaison.toml" <<TOML
[district]
catalog_directory = "$here/i18n/catalog"
quiet_hours_start = "00:00"
quiet_hours_end = "00:00"
[http]
port = $port
reuse_port = true
[redis]
unix_socket = "$tmp/redis.sock"
[logging]
level = "info"
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
# Fan-out's page size, when asked for ([workers]; the loopback provider below adds that table
# itself, and the benchmarks that use it do not fan out).
[ -n "${PAGE_FAMILIES:-}" ] && printf '[workers]\nfanout_page_families = %s\n' "$PAGE_FAMILIES" >>"$tmp/liaison.toml"

wait_ready() {
  for _ in $(seq 1 200); do grep -q "ready:" "$1" && break; sleep 0.05; done
}
start_daemons() {
  daemons=()
  local role=()
  [ "$senders" -gt 0 ] && role=(--workers off)
  for i in $(seq 1 "$instances"); do
    "$build/daemon/liaisond" --config "$tmp/liaison.toml" --consumer-name "bench-$i" "${role[@]}" \
      2>"$tmp/liaisond-$i.log" &
    daemons+=($!)
    wait_ready "$tmp/liaisond-$i.log"
  done
  daemon=${daemons[0]}
  for i in $(seq 1 "$senders"); do
    nice -n "$sender_nice" "$build/daemon/liaisond" --config "$tmp/liaison.toml" \
      --consumer-name "bench-send-$i" --port $((port + 20 + i)) 2>"$tmp/sender-$i.log" &
    daemons+=($!)
    wait_ready "$tmp/sender-$i.log"
  done
}
stop_daemons() {
  for pid in "${daemons[@]}"; do
    kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  daemons=()
  daemon=
}
start_daemons
auth=(-H "Authorization: Bearer $key")

# wrk's script for POST /v1/messages: one SMS to a phone number, as a school's attendance notice.
write_sms_post_script() {
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"to": {"phone": "+12025550143"}, "channel": "sms", "language": "es-MX", "body": "Su hijo estuvo ausente hoy. Llame a la escuela al 202-555-0100."}'
LUA
}

# Appends a Twilio provider for SMS whose base_url is bench/loopback_provider on port $1, with up to
# $2 sends in flight, to liaison.toml (the daemon must be restarted to use it).
use_loopback_provider() {
  printf 'bench-token' >"$tmp/twilio_token"
  cat >>"$tmp/liaison.toml" <<TOML
[[providers]]
name = "twilio"
kind = "twilio"
channels = ["sms"]
base_url = "http://127.0.0.1:$1"
account_sid = "AC00000000000000000000000000000000"
auth_token_file = "$tmp/twilio_token"
from = "+12025550100"
rate_per_second = 1000000
max_concurrent_requests = $2
[workers]
max_in_flight = $2
batch_size = 256
TOML
}
