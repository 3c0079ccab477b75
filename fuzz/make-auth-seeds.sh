#!/usr/bin/env bash
# make-auth-seeds.sh EMZA
#
# Regenerates the fixed PKI of fuzz/auth_fuzzer.c (fuzz/auth_fixture.h) and
# its seeds (fuzz/corpora/auth/): a throw-away P-256 CA, an EC and an RSA
# authentication certificate (digitalSignature, clientAuth, national code
# 1583250689) valid for 100 years from the run, and tokens made by EMZA (the built emza tool)
# for the fixed challenge below. The keys are thrown away: only certificates
# and tokens are kept. Run from anywhere; writes into the source tree.
set -euo pipefail
if [[ $# -ne 1 || ! -x $1 ]]; then
    echo "usage: make-auth-seeds.sh EMZA" >&2
    exit 2
fi
emza=$1
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
seeds="$here/corpora/auth"
export TZ=UTC

origin="https://bank.example"
# 32 fixed bytes (0x00..0x1f), base64
nonce=$(python3 -c 'import base64; print(base64.b64encode(bytes(range(32))).decode())')
# an hour after now, so that the certificates (valid from now) are valid then
issued=$(date -u -d '+1 hour' '+%Y-%m-%dT%H:%M:00Z')

cd "$work"
cat >ext.cnf <<CNF
[req]
distinguished_name = dn
[dn]
[fuzz_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[fuzz_leaf]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid:always
CNF
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
openssl req -new -x509 -key ca.key -subj "/CN=Fuzz Auth CA" -days 36500 \
    -extensions fuzz_ca -config ext.cnf -out ca.pem
for kind in ec rsa; do
    if [[ $kind == ec ]]; then
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $kind.key 2>/dev/null
    else
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $kind.key 2>/dev/null
    fi
    openssl req -new -key $kind.key -utf8 -config ext.cnf \
        -subj "/C=IR/CN=Fuzz Citizen/serialNumber=PNOIR-1583250689" -out $kind.csr
    openssl x509 -req -in $kind.csr -CA ca.pem -CAkey ca.key -set_serial 0x10$RANDOM \
        -days 36500 -extfile ext.cnf -extensions fuzz_leaf -out $kind.pem 2>/dev/null
done

rm -f "$seeds"/*
mkdir -p "$seeds"
sign() { "$emza" auth sign --origin "$origin" --nonce "$nonce" --key "$1.key" --cert "$1.pem" "${@:2}"; }
sign ec >"$seeds/valid-es256.json"
sign rsa --algorithm PS256 >"$seeds/valid-ps256.json"
sign rsa --algorithm RS512 >"$seeds/valid-rs512.json"
"$emza" auth sign --origin https://evil.example --nonce "$nonce" --key ec.key --cert ec.pem \
    >"$seeds/other-origin.json"
python3 - "$seeds" <<'PY'
import json, sys
d = sys.argv[1]
t = json.load(open(d + "/valid-es256.json"))
def put(name, text):
    with open(d + "/" + name, "w") as f:
        f.write(text)
put("wrong-alg.json", json.dumps(dict(t, algorithm="ES384")))
put("extra-field.json", json.dumps(dict(t, appVersion="1")))
put("duplicate-key.json", json.dumps(t)[:-1] + ', "format": "emza-auth:1"}')
put("nested.json", "[" * 200 + "]" * 200)
put("origin.txt", "HTTPS://[::1]:443/")
PY

{
    echo "/*"
    echo " * The fixed PKI and challenge of fuzz/auth_fuzzer.c, made by"
    echo " * fuzz/make-auth-seeds.sh with the seeds in fuzz/corpora/auth (their keys"
    echo " * were thrown away). Generated: do not edit."
    echo " *"
    echo " * SPDX-License-Identifier: Apache-2.0"
    echo " */"
    echo "#ifndef EMZA_FUZZ_AUTH_FIXTURE_H"
    echo "#define EMZA_FUZZ_AUTH_FIXTURE_H"
    echo
    echo "#define FUZZ_AUTH_ORIGIN \"$origin\""
    echo "#define FUZZ_AUTH_NONCE \"$nonce\""
    echo "/* $issued; the target judges 10 s later */"
    echo "#define FUZZ_AUTH_ISSUED_AT INT64_C($(date -u -d "$issued" +%s))"
    echo
    echo "static const char fuzz_auth_ca_pem[] ="
    sed 's/.*/    "&\\n"/' ca.pem
    echo "    ;"
    echo
    echo "#endif /* EMZA_FUZZ_AUTH_FIXTURE_H */"
} >"$here/auth_fixture.h"
