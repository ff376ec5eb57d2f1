#!/usr/bin/env bash
# Fan-out benchmark: FAMILIES families (default 160,000), one guardian each taking SMS and email,
# in eight languages; one announcement to the whole district. Measures the time from the 202 to
# "fanned_out" (every delivery durable in the queue) and liaisond's peak memory.
#
# Only the voice channel has a provider here, so the workers leave the SMS and email deliveries
# in the queue: what is measured is fan-out into Redis, not dispatch.
#
# Usage: bench/fanout.sh            (BUILD=build-rel FAMILIES=160000 FSYNC=always|everysec)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build-rel}
families=${FAMILIES:-160000}
fsync=${FSYNC:-everysec}
port=${PORT:-18080}
key=bench-admin-key
source "$here/bench/lib.sh"

python3 - "$families" >"$tmp/families.ndjson" <<'PY'
import json, sys
languages = ["es-MX", "ar", "vi", "zh-Hans", "so", "ht", "en", "pt-BR"]
for i in range(int(sys.argv[1])):
    print(json.dumps({"id": f"fam-{i:06d}",
        "guardians": [{"id": f"g-{i:06d}", "name": f"Guardian {i}", "language": languages[i % 8],
                       "phone": f"+1202{5550000 + i % 10000000:07d}"[:12],
                       "email": f"g{i}@example.org", "channels": ["sms", "email"]}],
        "students": [{"id": f"s-{i:06d}", "name": f"Student {i}", "school": f"school-{i % 40}",
                      "grade": "03"}]}))
PY

start=$(date +%s.%N)
curl -sS "${auth[@]}" -H "Content-Type: application/x-ndjson" -T "$tmp/families.ndjson" \
  -X POST "http://127.0.0.1:$port/v1/families/import" -o "$tmp/import.json" || { echo "import failed:"; cat "$tmp/import.json" "$tmp"/liaisond-*.log; exit 1; }
end=$(date +%s.%N)
cat "$tmp/import.json" | head -c 600; echo
echo "import: $(python3 -c "import json;r=json.load(open('$tmp/import.json'));print(r['families'], 'errors', r['errors_total'])") in $(echo "$end - $start" | bc) s"
rss_after_import=$(awk '/VmHWM/ {print $2}' /proc/$daemon/status)
rss_now=$(awk '/VmRSS/ {print $2}' /proc/$daemon/status)

body='{"audience": {"all": true}, "channels": ["sms", "email"], "source_language": "en",
  "subject": "Snow day", "body": "Dear {guardian_name}: no school on {day, date, full} for {student_names}.",
  "translations": {"es": {"subject": "Día de nieve", "body": "Estimado/a {guardian_name}: no hay clases el {day, date, full} para {student_names}."}},
  "arguments": {"day": "2026-12-02T12:00:00Z"}}'
[ -n "${PERF:-}" ] && { perf record -F 999 ${PERF_OPTS:--g} -p "$daemon" -o "$PERF" 2>/dev/null & perf_pid=$!; }
# The import's growth of the append-only file may have started a rewrite; let it end first, so
# that a rewrite during the fan-out is one the fan-out's own writes caused.
while redis-cli -s "$tmp/redis.sock" INFO persistence | grep -qE '^aof_rewrite_(in_progress|scheduled):1'; do
  sleep 0.2
done
# REDIS_PERF=file profiles redis-server the same way (and the AOF rewrites it forks).
[ -n "${REDIS_PERF:-}" ] && { perf record -F 999 ${PERF_OPTS:--g} -p "$(cat "$tmp/redis.pid")" \
  -o "$REDIS_PERF" 2>/dev/null & redis_perf_pid=$!; }
persistence=$(redis-cli -s "$tmp/redis.sock" INFO persistence)
rewrites_before=$(awk -F: '/^aof_rewrites:/ {print $2+0}' <<<"$persistence")
aof_before=$(awk -F: '/^aof_current_size:/ {print $2+0}' <<<"$persistence")
aof_base=$(awk -F: '/^aof_base_size:/ {print $2+0}' <<<"$persistence")
redis_pid=$(cat "$tmp/redis.pid")
printf '%s' "$body" >"$tmp/announcement.json"
# One process sends the announcement and polls its progress on one keep-alive connection every
# 20 ms, reading liaisond's memory and both servers' CPU from /proc itself. It is started (and
# Python with it) before the clock starts: a poll loop of curl, awk and grep, five processes
# every 50 ms, took a quarter of the machine's CPU from the fan-out it measured.
read -r seconds liaisond_cpu redis_cpu peak state deliveries < <(python3 - "$port" "$key" \
    "$daemon" "$redis_pid" "$tmp/announcement.json" <<'PY'
import http.client, json, os, sys, time
port, key, daemon, redis, body_path = sys.argv[1:6]
hz = os.sysconf("SC_CLK_TCK")
def cpu(pid):  # CPU seconds (user + system) so far
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / hz
def rss(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
body = open(body_path, "rb").read()
headers = {"Authorization": f"Bearer {key}"}
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
conn.connect()
cpu_before = cpu(daemon), cpu(redis)
start = time.monotonic()
conn.request("POST", "/v1/announcements", body, {**headers, "Content-Type": "application/json"})
announcement = json.loads(conn.getresponse().read())["id"]
peak = 0
while True:
    conn.request("GET", f"/v1/announcements/{announcement}", headers=headers)
    answer = conn.getresponse().read()
    peak = max(peak, rss(daemon))
    if b'"state":"fanned_out"' in answer:
        break
    time.sleep(0.02)
seconds = time.monotonic() - start
progress = json.loads(answer)
print(f"{seconds:.3f} {cpu(daemon) - cpu_before[0]:.2f} {cpu(redis) - cpu_before[1]:.2f} {peak}",
      progress["state"], progress["fan_out"]["deliveries"])
PY
)
[ -n "${perf_pid:-}" ] && { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
[ -n "${redis_perf_pid:-}" ] && { kill -INT "$redis_perf_pid"; wait "$redis_perf_pid" || true; }
echo "fan-out: $deliveries deliveries for $families families in $seconds s ($state)" \
  "(appendfsync $fsync)"
persistence=$(redis-cli -s "$tmp/redis.sock" INFO persistence)
rewrites=$(( $(awk -F: '/^aof_rewrites:/ {print $2+0}' <<<"$persistence") - rewrites_before ))
grep -q '^aof_rewrite_in_progress:1' <<<"$persistence" && rewrites="$rewrites (one still running)"
echo "CPU during fan-out: liaisond ${liaisond_cpu} s, redis-server ${redis_cpu} s;" \
  "AOF rewrites started meanwhile (each in a child process, not counted): ${rewrites}"
# Redis rewrites the log when it has grown by auto-aof-rewrite-percentage (100) of its size at
# the last rewrite: how much the fan-out appended says why it did.
aof_after=$(awk -F: '/^aof_current_size:/ {print $2+0}' <<<"$persistence")
echo "AOF: $(( aof_base / 1048576 )) MiB at the last rewrite, $(( (aof_before - aof_base) / 1048576 )) MiB" \
  "appended after it before the fan-out$([ "$rewrites" = 0 ] && echo ", $(( (aof_after - aof_before) / 1048576 )) MiB by the fan-out")"
echo "liaisond RSS: ${rss_now} KiB before the announcement, peak ${peak} KiB during fan-out" \
  "(peak ${rss_after_import} KiB during the import)"
redis-cli -s "$tmp/redis.sock" INFO commandstats | grep -E "evalsha|mget|smismember|zrange|lrange|sort|hgetall|exec|zunion|copy" >&2 || true
echo "queue: sms $(redis-cli -s "$tmp/redis.sock" XLEN 'liaison:{q}:stream:sms')," \
  "email $(redis-cli -s "$tmp/redis.sock" XLEN 'liaison:{q}:stream:email') entries"
