#!/usr/bin/env bash
# The shared library exports only emza_* functions and carries a soname.
# Usage: check-exports.sh path/to/libemza.so
set -euo pipefail
lib=$1
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' | grep -v '^emza_' | grep -v '^EMZA_' || true)
if [ -n "$bad" ]; then echo "FAIL: symbols outside emza_*:"; echo "$bad"; exit 1; fi
internal=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep '^emza__' || true)
if [ -n "$internal" ]; then echo "FAIL: internal emza__ symbols exported:"; echo "$internal"; exit 1; fi
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
case "$soname" in libemza.so.*) echo "ok: soname $soname";; *) echo "FAIL: soname '$soname'"; exit 1;; esac
count=$(nm -D --defined-only "$lib" | awk '$2 == "T"' | wc -l)
[ "$count" -gt 0 ] || { echo "FAIL: nothing exported"; exit 1; }
echo "ok: $count exported functions, all emza_*"
