#!/usr/bin/env bash
# Liaison beside Kannel, on this machine, in one run: single SMS submitted over HTTP with
# keep-alive (wrk, CONNECTIONS connections, SECONDS_RUN seconds) and handed to one HTTP SMSC
# sink (bench/loopback_provider, which answers at once and counts what it is given).
#   - Liaison: POST /v1/messages (JSON), durable in Redis with AOF (appendfsync FSYNC) before the
#     202, sent through a Twilio provider pointed at the sink.
#   - Kannel (Debian's kannel package): smsbox's GET /cgi-bin/sendsms, bearerbox with a file
#     store (`store-type = file`) and an HTTP SMSC (`system-type = generic`) pointed at the sink.
# For each: accepted/s (wrk's 2xx answers per second), delivered-to-sink/s (the sink's count over
# the time from its first to its last call), and whether every accepted message reached the
# sink. Then the ratios, Liaison over Kannel.
#
# Usage: bench/kannel_compare.sh   (BUILD=build-rel CONNECTIONS=32 SECONDS_RUN=10 FSYNC=everysec
#                                   PERF=file: a perf profile of liaisond while it takes SMS;
#                                   INSTANCES=2 SENDERS=2: two API-only instances and two
#                                   senders at a lower CPU priority, bench/lib.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build-rel}
fsync=${FSYNC:-everysec}
port=${PORT:-18091}
connections=${CONNECTIONS:-32}
seconds=${SECONDS_RUN:-10}
key=bench-admin-key
for tool in wrk bearerbox smsbox; do
  command -v "$tool" >/dev/null ||
    { echo "$tool is needed: apt-get install wrk kannel" >&2; exit 1; }
done
[ -x "$build/bench/loopback_provider" ] && [ -x "$build/daemon/liaisond" ] ||
  "$here/scripts/build" "$build" RelWithDebInfo loopback_provider liaisond

# --- Liaison (lib.sh starts redis-server with AOF and a liaisond without an SMS provider) ---
sink_port=$((port + 1))
"$build/bench/loopback_provider" "$sink_port" 0 >/dev/null &
sink=$!
source "$here/bench/lib.sh"
kannel_pids=()
trap 'kill $sink "${kannel_pids[@]}" 2>/dev/null || true; cleanup' EXIT
stop_daemons
use_loopback_provider "$sink_port" 512
start_daemons

# wrk's summary: requests/s counting only 2xx answers.
accepted_rate() {
  awk '/requests in/ {n = $1} /Non-2xx/ {bad = $NF} /Requests\/sec/ {r = $2}
       END {printf "%.0f %d\n", (n - bad) / (n / r), n - bad}' "$1"
}
sink_stats() { curl -sf "http://127.0.0.1:$1/stats" || echo '{"messages":0,"seconds_first_to_last":0}'; }
sink_count() { sink_stats "$1" | sed 's/.*"messages":\([0-9]*\).*/\1/'; }
# Waits (up to 120 s) until the sink has `2` messages, then prints "delivered/s count".
delivered_rate() {
  for _ in $(seq 1 480); do
    [ "$(sink_count "$1")" -ge "$2" ] && break
    sleep 0.25
  done
  sink_stats "$1" | awk '{
    match($0, /"messages":[0-9]+/); n = substr($0, RSTART + 11, RLENGTH - 11)
    match($0, /"seconds_first_to_last":[0-9.]+/); s = substr($0, RSTART + 24, RLENGTH - 24)
    printf "%.0f %d\n", (s > 0 ? (n - 1) / s : 0), n }'
}

write_sms_post_script "$tmp/post.lua"
[ -n "${PERF:-}" ] && { perf record -F 499 --call-graph dwarf,16384 -p "$daemon" -o "$PERF" -- sleep 3 2>/dev/null & }
wrk -t 1 -c "$connections" -d "${seconds}s" -s "$tmp/post.lua" \
  "http://127.0.0.1:$port/v1/messages" >"$tmp/liaison.wrk"
read -r liaison_accept liaison_accepted < <(accepted_rate "$tmp/liaison.wrk")
read -r liaison_deliver liaison_delivered < <(delivered_rate "$sink_port" "$liaison_accepted")
stop_daemons

# --- Kannel ---
kannel_sink_port=$((port + 2))
box_port=$((port + 3))
sendsms_port=$((port + 4))
admin_port=$((port + 5))
"$build/bench/loopback_provider" "$kannel_sink_port" 0 >/dev/null &
kannel_pids+=($!)
mkdir -p "$tmp/kannel"
cat >"$tmp/kannel/kannel.conf" <<CONF
group = core
admin-port = $admin_port
admin-interface = 127.0.0.1
admin-password = bench
admin-allow-ip = "127.0.0.1"
smsbox-port = $box_port
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "$tmp/kannel/bearerbox.log"
log-level = 3
store-type = file
store-location = "$tmp/kannel/store"
dlr-storage = internal
sms-incoming-queue-limit = -1

group = smsc
smsc = http
smsc-id = sink
system-type = generic
port = $((port + 6))
connect-allow-ip = "127.0.0.1"
send-url = "http://127.0.0.1:$kannel_sink_port/send?to=%p&from=%P&text=%b"
status-success-regex = "sid"
max-pending-submits = 512

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $box_port
sendsms-port = $sendsms_port
sendsms-interface = 127.0.0.1
log-file = "$tmp/kannel/smsbox.log"
log-level = 3

group = sendsms-user
username = bench
password = bench
max-messages = 1
CONF
bearerbox "$tmp/kannel/kannel.conf" >/dev/null 2>&1 &
kannel_pids+=($!)
sleep 1
smsbox "$tmp/kannel/kannel.conf" >/dev/null 2>&1 &
kannel_pids+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$sendsms_port/cgi-bin/sendsms?username=bench&password=bench&to=%2B12025550143&text=warm" >/dev/null && break
  sleep 0.1
done
sleep 1
warmed=$(sink_count "$kannel_sink_port")
text="Su+hijo+estuvo+ausente+hoy.+Llame+a+la+escuela+al+202-555-0100."
wrk -t 1 -c "$connections" -d "${seconds}s" \
  "http://127.0.0.1:$sendsms_port/cgi-bin/sendsms?username=bench&password=bench&from=12345&to=%2B12025550143&text=$text" \
  >"$tmp/kannel.wrk"
read -r kannel_accept kannel_accepted < <(accepted_rate "$tmp/kannel.wrk")
read -r kannel_deliver kannel_delivered < <(delivered_rate "$kannel_sink_port" $((kannel_accepted + warmed)))
kannel_delivered=$((kannel_delivered - warmed))

echo "same machine, $(nproc) cores; wrk: $connections connections, ${seconds} s; Redis appendfsync $fsync"
printf '%-8s %12s %20s %12s %12s\n' system "accepted/s" "delivered-to-sink/s" accepted delivered
printf '%-8s %12s %20s %12s %12s\n' liaison "$liaison_accept" "$liaison_deliver" "$liaison_accepted" "$liaison_delivered"
printf '%-8s %12s %20s %12s %12s\n' kannel "$kannel_accept" "$kannel_deliver" "$kannel_accepted" "$kannel_delivered"
awk -v la="$liaison_accept" -v ka="$kannel_accept" -v ld="$liaison_deliver" -v kd="$kannel_deliver" \
  'BEGIN { printf "ratios (Liaison / Kannel): accepted %.2f, delivered %.2f\n", la / ka, ld / kd }'
