#!/usr/bin/env bash
# run-example.sh verify|notary|bank PROGRAM [ARGS...]
#
# Runs an example program on the test PKI (EMZA_PKI_DIR) and checks what it
# prints and its exit status. `verify`: a deed signed with the emza tool
# (EMZA_TOOL) must pass, a tampered copy must fail with HASH_FAILURE (exit 1),
# a missing file must be an error (exit 4). `notary`: the citizen's signature
# and the notary's countersignature must both pass. `bank`: the citizen logs in
# with the authentication key (national code printed) and the replayed token
# is refused (REPLAYED); with the signing key instead the log-in is refused
# (KEY_USAGE, exit 1).
#
# SPDX-License-Identifier: Apache-2.0
set -euo pipefail
kind=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
root="$EMZA_PKI_DIR/trust/root.pem"
export EMZA_PASS=emza-test
printf '<?xml version="1.0" encoding="UTF-8"?>\n<deed><price>1000000000</price></deed>\n' >deed.xml

# expect STATUS WANT-TEXT CMD...: CMD exits with STATUS and its output contains WANT-TEXT.
expect() {
  local want_status=$1 want_text=$2 out status=0
  shift 2
  out=$("$@" 2>&1) || status=$?
  printf '%s\n' "$out"
  if [[ $status != "$want_status" ]]; then
    echo "FAIL: exit status $status, expected $want_status" >&2
    exit 1
  fi
  if [[ $out != *"$want_text"* ]]; then
    echo "FAIL: the output does not say: $want_text" >&2
    exit 1
  fi
}

case $kind in
verify)
  "$EMZA_TOOL" sign --format xades-enveloped --key "$EMZA_PKI_DIR/citizen-rsa.p12" --pass-env EMZA_PASS \
    -o deed.signed.xml deed.xml
  expect 0 "S0 TOTAL_PASSED signed by علی رضایی, national code 0499370899" "$@" deed.signed.xml "$root"
  sed 's/1000000000/9000000000/' deed.signed.xml >tampered.xml
  expect 1 "S0 TOTAL_FAILED/HASH_FAILURE" "$@" tampered.xml "$root"
  expect 4 "missing.xml" "$@" missing.xml "$root"
  ;;
notary)
  expect 0 "deed notarised" "$@" deed.xml "$EMZA_PKI_DIR/citizen-rsa.p12" "$EMZA_PKI_DIR/org-seal.p12" "$root" "$work"
  expect 0 "TOTAL_PASSED: علی رضایی (national code 0499370899)" "$@" deed.xml "$EMZA_PKI_DIR/citizen-rsa.p12" \
    "$EMZA_PKI_DIR/org-seal.p12" "$root" "$work"
  expect 0 "TOTAL_PASSED: Emza Test Notary Office (legal id 10380284790)" "$@" deed.xml \
    "$EMZA_PKI_DIR/citizen-rsa.p12" "$EMZA_PKI_DIR/org-seal.p12" "$root" "$work"
  ;;
bank)
  chain="$EMZA_PKI_DIR/citizen-auth.chain.pem"
  expect 0 "bank: logged in: رضا کریمی, national code 1583250689" "$@" "$EMZA_PKI_DIR/citizen-auth.p12" "$root" "$chain"
  expect 0 "bank: the replayed token is refused: REPLAYED" "$@" "$EMZA_PKI_DIR/citizen-auth.p12" "$root" "$chain"
  expect 1 "bank: log-in refused: KEY_USAGE" "$@" "$EMZA_PKI_DIR/citizen-ec.p12" "$root" \
    "$EMZA_PKI_DIR/citizen-ec.chain.pem"
  ;;
*)
  echo "usage: run-example.sh verify|notary|bank PROGRAM [ARGS...]" >&2
  exit 2
  ;;
esac
echo "example passed"
