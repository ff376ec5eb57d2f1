#!/usr/bin/env bash
# Intake benchmark: POST /v1/messages with keep-alive from wrk on the same machine, against a
# liaisond on a private redis-server (AOF, appendfsync FSYNC). Only voice has a provider, so the
# SMS messages stay queued: what is measured is intake (validate, write durably, answer 202).
#
# Usage: bench/intake.sh    (BUILD=build-rel FSYNC=everysec|always CONNECTIONS=64 SECONDS_RUN=15)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build-rel}
fsync=${FSYNC:-everysec}
port=${PORT:-18081}
connections=${CONNECTIONS:-64}
seconds=${SECONDS_RUN:-15}
key=bench-admin-key
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
source "$here/bench/lib.sh"

write_sms_post_script "$tmp/post.lua"
[ -n "${PERF:-}" ] && { perf record -F 999 -g -p "$daemon" -o "$PERF" -- sleep 5 2>/dev/null & }
# CPU ticks (user + system) all liaisond instances have used so far.
liaisond_ticks() {
  local total=0 pid fields
  for pid in "${daemons[@]}"; do
    read -r -a fields < <(sed 's/.*) //' "/proc/$pid/stat")
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}
queued_before=$(redis-cli -s "$tmp/redis.sock" XLEN 'liaison:{q}:stream:sms')
ticks_before=$(liaisond_ticks)
wrk -t 1 -c "$connections" -d "${seconds}s" --latency -s "$tmp/post.lua" \
  "http://127.0.0.1:$port/v1/messages"
ticks=$(( $(liaisond_ticks) - ticks_before ))
queued=$(redis-cli -s "$tmp/redis.sock" XLEN 'liaison:{q}:stream:sms')
echo "queued: $queued (appendfsync $fsync)"
# liaisond's CPU per message accepted: what a change to the intake path changes (it moves with
# the machine's speed as the rate does, so compare interleaved runs).
accepted=$((queued - queued_before))
[ "$accepted" -gt 0 ] && echo "liaisond CPU per message: $(( ticks * 1000000 / $(getconf CLK_TCK) / accepted )) µs"
# Once the log passes auto-aof-rewrite-min-size (64 MiB, ~200,000 messages), Redis rewrites it in
# a child process that takes a core for seconds: say whether that happened during the run.
persistence=$(redis-cli -s "$tmp/redis.sock" INFO persistence)
echo "AOF rewrites during the run: $(awk -F: '/^aof_rewrites:/ {print $2+0}' <<<"$persistence")" \
  "$(grep -q '^aof_rewrite_in_progress:1' <<<"$persistence" && echo "(one still running)")"
