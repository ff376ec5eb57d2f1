#!/usr/bin/env bash
# The man pages document every flag the programs' --help texts name, and every liaisonctl
# command; they format without groff warnings where groff is installed.
# Usage: man_pages.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir=$1
build_dir=$2
liaisond=$build_dir/daemon/liaisond
liaisonctl=$build_dir/daemon/liaisonctl
status=0

# Roff writes a hyphen as "\-": compare against the page with the backslashes removed.
page_text() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$1"; }

flags_of() { grep -oE -- '(^|[^A-Za-z0-9-])--[a-z][a-z-]*' | grep -oE -- '--[a-z][a-z-]*' | sort -u; }

check() {  # check PAGE HELP_TEXT WHAT
  local page=$1 help=$2 what=$3 flag
  for flag in $(printf '%s\n' "$help" | flags_of); do
    if ! grep -qF -- "$flag" <<<"$(page_text "$page")"; then
      echo "$(basename "$page") lacks $flag (from $what --help)"
      status=1
    fi
  done
}

check "$source_dir/man/liaisond.8" "$("$liaisond" --help)" liaisond
check "$source_dir/man/liaisonctl.1" "$("$liaisonctl" --help)" liaisonctl
for command in check-config hash-key dlq stats announcement export; do
  help=$("$liaisonctl" "$command" --help)
  check "$source_dir/man/liaisonctl.1" "$help" "liaisonctl $command"
  grep -q "^\.B.*liaisonctl $command\b" <<<"$(page_text "$source_dir/man/liaisonctl.1")" ||
    { echo "liaisonctl.1 lacks the command $command"; status=1; }
done
# Every command the tool's help lists is one of those checked above.
listed=$("$liaisonctl" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && /^  [a-z]/ {print $1}')
for command in $listed; do
  case " check-config hash-key dlq stats announcement export " in
    *" $command "*) ;;
    *) echo "man_pages.sh does not know the command $command: add it"; status=1 ;;
  esac
done

if command -v groff >/dev/null; then
  for page in "$source_dir"/man/*.[0-9]; do
    warnings=$(groff -man -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || { echo "$page: $warnings"; status=1; }
  done
fi
[ "$status" = 0 ] && echo "man pages: OK"
exit "$status"
