#!/usr/bin/env bash
# Dispatch benchmark: how many provider calls a liaisond makes per second. COUNT SMS messages
# (default: what intake takes in 3 s, about 15,000) are queued first with no SMS provider
# configured; then liaisond restarts with a Twilio provider pointed at bench/loopback_provider,
# which answers like Twilio's Messages API after DELAY_MS, and every queued message is sent
# through the worker path (read from the stream, opt-out check, "sending" mark, HTTPS client,
# outcome recorded, acknowledged). The rate is the loopback provider's count of calls divided by
# the time from its first to its last call.
#
# Usage: bench/dispatch.sh    (BUILD=build-rel DELAY_MS=0 FSYNC=everysec IN_FLIGHT=512)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build-rel}
fsync=${FSYNC:-everysec}
port=${PORT:-18082}
provider_port=${PROVIDER_PORT:-18083}
delay_ms=${DELAY_MS:-0}
in_flight=${IN_FLIGHT:-512}
key=bench-admin-key
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -x "$build/bench/loopback_provider" ] ||
  "$here/scripts/build" "$build" RelWithDebInfo loopback_provider liaisond
source "$here/bench/lib.sh"

# 1. Queue the messages (SMS has no provider yet, so they wait in the stream).
write_sms_post_script "$tmp/post.lua"
wrk -t 1 -c 32 -d "${FILL_SECONDS:-3}s" -s "$tmp/post.lua" "http://127.0.0.1:$port/v1/messages" \
  >/dev/null
queued=$(redis-cli -s "$tmp/redis.sock" XLEN 'liaison:{q}:stream:sms')
stop_daemons

# 2. The same liaisond with a Twilio provider on loopback.
"$build/bench/loopback_provider" "$provider_port" "$delay_ms" >"$tmp/provider.out" &
provider=$!
trap 'kill $provider 2>/dev/null || true; cleanup' EXIT
use_loopback_provider "$provider_port" "$in_flight"
start_daemons
[ -n "${PERF:-}" ] && { perf record -F 999 -g -p "$daemon" -o "$PERF" -- sleep 3 2>/dev/null & }
stats() { curl -sf "http://127.0.0.1:$provider_port/stats" || echo '{"messages":0}'; }
for _ in $(seq 1 1200); do
  sent=$(stats | sed 's/.*"messages":\([0-9]*\).*/\1/')
  [ "$sent" -ge "$queued" ] && break
  sleep 0.25
done
result=$(stats)
echo "queued: $queued, provider delay: ${delay_ms} ms, in flight: $in_flight, appendfsync $fsync"
echo "provider: $result"
awk -v r="$result" 'BEGIN {
  match(r, /"messages":[0-9]+/); n = substr(r, RSTART + 11, RLENGTH - 11) - 1
  match(r, /"seconds_first_to_last":[0-9.]+/); s = substr(r, RSTART + 24, RLENGTH - 24)
  if (s > 0) printf "calls per second: %.0f\n", n / s }'
sleep 1
echo "left in the stream unacknowledged: $(redis-cli -s "$tmp/redis.sock" XPENDING 'liaison:{q}:stream:sms' workers | head -1)"
