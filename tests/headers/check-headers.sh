#!/usr/bin/env bash
# Compiles every public header alone, as C11 and as C++, with -Wall -Wextra
# -pedantic -Werror: a header must include what it uses and nothing GNU-only.
# Usage: check-headers.sh CC SOURCE_ROOT include/emza/x.h...
set -euo pipefail
cc=$1; root=$2; shift 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
for h in "$@"; do
  name=${h#include/}
  printf '#include <%s>\nint emza_header_check_dummy(void);\nint emza_header_check_dummy(void) { return 0; }\n' "$name" > "$tmp/t.c"
  if ! "$cc" -std=c11 -Wall -Wextra -pedantic -Werror -I"$root/include" -c "$tmp/t.c" -o "$tmp/t.o"; then
    echo "FAIL: $name does not compile alone as C11"; fail=1
  fi
  if command -v c++ >/dev/null 2>&1; then
    cp "$tmp/t.c" "$tmp/t.cc"
    if ! c++ -std=c++11 -Wall -Wextra -pedantic -Werror -I"$root/include" -c "$tmp/t.cc" -o "$tmp/t.o"; then
      echo "FAIL: $name does not compile alone as C++"; fail=1
    fi
  fi
  echo "ok: $name"
done
exit $fail
