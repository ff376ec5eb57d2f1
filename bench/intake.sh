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
# Redis's CPU seconds so far, its rewrite children's included.
redis_cpu_seconds() {
  redis-cli -s "$tmp/redis.sock" INFO cpu | tr -d '\r' |
    awk -F: '/^used_cpu_(sys|user)(_children)?:/ {t += $2} END {printf "%.3f", t}'
}
# The machine's busy and idle ticks (all CPUs) so far.
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; }

queued_before=$(redis-cli -s "$tmp/redis.sock" XLEN 'liaison:{q}:stream:sms')
ticks_before=$(liaisond_ticks)
redis_before=$(redis_cpu_seconds)
read -r busy_before idle_before < <(machine_ticks)
TIMEFORMAT='%U %S' # bash's `time` below: wrk's own CPU seconds
{ time wrk -t 1 -c "$connections" -d "${seconds}s" --latency -s "$tmp/post.lua" \
  "http://127.0.0.1:$port/v1/messages" 2>&1; } 2>"$tmp/wrk.time"
ticks=$(( $(liaisond_ticks) - ticks_before ))
redis_after=$(redis_cpu_seconds)
read -r busy_after idle_after < <(machine_ticks)
queued=$(redis-cli -s "$tmp/redis.sock" XLEN 'liaison:{q}:stream:sms')
echo "queued: $queued (appendfsync $fsync)"
# CPU per message accepted, by whom: what a change to the intake path moves is liaisond's. All
# of them move with the machine's speed, as the rate does, so compare interleaved runs. In this
# machine's slow spells liaisond's figure rises most and the machine idles more (bench/README.md).
accepted=$((queued - queued_before))
if [ "$accepted" -gt 0 ]; then
  awk -v n="$accepted" -v hz="$(getconf CLK_TCK)" -v liaisond="$ticks" \
    -v redis_before="$redis_before" -v redis_after="$redis_after" \
    -v wrk="$(awk '{print $1 + $2}' "$tmp/wrk.time")" \
    -v busy=$((busy_after - busy_before)) -v idle=$((idle_after - idle_before)) 'BEGIN {
      printf "liaisond CPU per message: %d µs\n", liaisond * 1e6 / hz / n
      printf "CPU per message, Redis (its AOF rewrites included) / wrk: %d / %d µs\n",
        (redis_after - redis_before) * 1e6 / n, wrk * 1e6 / n
      printf "machine idle during the run: %d %%\n", 100 * idle / (busy + idle)
    }'
fi
# Once the log passes auto-aof-rewrite-min-size (64 MiB, ~100,000 messages), Redis rewrites it in
# a child process that takes most of a core for about a second, and again each time the log has
# grown by as much as the rewritten base: say how often that happened during the run.
persistence=$(redis-cli -s "$tmp/redis.sock" INFO persistence)
echo "AOF rewrites during the run: $(awk -F: '/^aof_rewrites:/ {print $2+0}' <<<"$persistence")" \
  "$(grep -q '^aof_rewrite_in_progress:1' <<<"$persistence" && echo "(one still running)")"
