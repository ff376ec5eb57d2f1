#!/usr/bin/env bash
# Checks systemd/liaisond.service with systemd's own tools: `systemd-analyze verify` (syntax,
# directives, executables) and the offline security review (exposure must stay at or below 2.0).
# The unit names the installed paths /usr/bin/liaison*; the test points them at this build.
set -euo pipefail
source_dir=$1
build_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -e "s|/usr/bin/liaisond|$build_dir/daemon/liaisond|g" \
    -e "s|/usr/bin/liaisonctl|$build_dir/daemon/liaisonctl|g" \
    "$source_dir/systemd/liaisond.service" > "$work/liaisond.service"
systemd-analyze verify "$work/liaisond.service"
echo "verify: OK"
report=$(systemd-analyze security --offline=yes "$work/liaisond.service" 2>&1)
exposure=$(printf '%s\n' "$report" | sed -n 's/.*Overall exposure level for liaisond.service: \([0-9.]*\).*/\1/p')
echo "exposure: $exposure"
awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }'
