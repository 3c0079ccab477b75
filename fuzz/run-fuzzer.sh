#!/usr/bin/env bash
# Runs a libFuzzer target for a while from a throw-away copy of its seed
# corpus, so the tree is never written to. Fails on any crash, leak, timeout
# or sanitizer report.
# Usage: run-fuzzer.sh FUZZER SEED_DIR SECONDS
set -euo pipefail
fuzzer=$1; seeds=$2; seconds=$3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
[ -d "$seeds" ] && cp -r "$seeds/." "$work/corpus/"
cd "$work"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 corpus 2>&1 | tail -n 25
