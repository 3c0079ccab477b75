#!/usr/bin/env bash
# make-revocation-seeds.sh — regenerates the fixed PKI of the OCSP and CRL fuzz
# targets and their seeds:
#   fuzz/revocation_fixture.h   the CA, the certificate asked about and a
#                               delegated responder (public certificates only),
#                               and the fixed time the targets judge at
#   fuzz/corpora/ocsp/*.der     OCSP responses about that certificate
#   fuzz/corpora/crl/*          CRLs of that CA (DER and PEM)
# The private keys live in a temporary directory and are thrown away: the
# seeds are signed, so the targets reach the signature and authorisation
# checks, but nothing secret is kept. Run from anywhere; needs the openssl 3
# tool and GNU date. Only needed when the fixture must change.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export TZ=UTC

cat >ca.cnf <<'EOF'
[ ca ]
default_ca = fz
[ fz ]
dir = .
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/certs
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = x
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_leaf ]
basicConstraints = CA:false
keyUsage = critical, nonRepudiation
authorityKeyIdentifier = keyid:always
[ v3_responder ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
authorityKeyIdentifier = keyid:always
[ crl_delta ]
2.5.29.27 = critical, DER:02:01:01
[ crl_indirect ]
issuingDistributionPoint = critical, @idp
[ idp ]
fullname = URI:http://crl.invalid/x.crl
indirectCRL = TRUE
EOF
mkdir certs
: >index.txt
echo 1000 >serial
echo 01 >crlnumber
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca.key
key leaf.key
key responder.key
openssl req -new -config ca.cnf -key ca.key -subj "/CN=Fuzz CA" -out ca.csr
openssl ca -batch -notext -config ca.cnf -selfsign -keyfile ca.key -extensions v3_ca \
    -startdate 20200101000000Z -enddate 21200101000000Z -in ca.csr -out ca.pem 2>/dev/null
issue() { # issue NAME CN EXT KEY
    openssl req -new -config ca.cnf -key "$4" -subj "/CN=$2" -out "$1.csr"
    openssl ca -batch -notext -config ca.cnf -extensions "$3" \
        -startdate 20200101000000Z -enddate 21200101000000Z -in "$1.csr" -out "$1.pem" 2>/dev/null
}
issue leaf "Fuzz Leaf" v3_leaf leaf.key
issue other "Fuzz Other" v3_leaf leaf.key
issue responder "Fuzz Responder" v3_responder responder.key

ocsp_dir="$here/corpora/ocsp"
crl_dir="$here/corpora/crl"
mkdir -p "$ocsp_dir" "$crl_dir"
rm -f "$ocsp_dir"/* "$crl_dir"/*

# respond NAME CERT SIGNER KEY [request options...]: an OCSP response seed.
respond() {
    local name=$1 cert=$2 signer=$3 skey=$4
    shift 4
    openssl ocsp -issuer ca.pem "$@" -cert "$cert" -no_nonce -reqout "$name.req" 2>/dev/null
    openssl ocsp -index index.txt -CA ca.pem -rsigner "$signer" -rkey "$skey" -ndays 36500 \
        -reqin "$name.req" -respout "$ocsp_dir/$name.der" 2>/dev/null
}
respond good-delegated leaf.pem responder.pem responder.key
respond good-ca-signed leaf.pem ca.pem ca.key
respond good-sha256-certid leaf.pem responder.pem responder.key -sha256
respond other-serial other.pem responder.pem responder.key
printf '\x30\x03\x0a\x01\x03' >"$ocsp_dir/trylater.der"
# The responder does not know a serial that is not in its index.
cp index.txt index.full
grep -v "CN=Fuzz Leaf" index.full >index.txt
respond unknown leaf.pem responder.pem responder.key
cp index.full index.txt
openssl ca -batch -config ca.cnf -revoke leaf.pem -crl_reason keyCompromise 2>/dev/null
respond revoked leaf.pem responder.pem responder.key

openssl ca -batch -config ca.cnf -gencrl -crldays 36500 -out "$crl_dir/revoked.pem" 2>/dev/null
openssl crl -in "$crl_dir/revoked.pem" -outform DER -out "$crl_dir/revoked.der"
openssl ca -batch -config ca.cnf -gencrl -crldays 36500 -crlexts crl_delta -out delta.pem 2>/dev/null
openssl crl -in delta.pem -outform DER -out "$crl_dir/delta.der"
openssl ca -batch -config ca.cnf -gencrl -crldays 36500 -crlexts crl_indirect -out ind.pem 2>/dev/null
openssl crl -in ind.pem -outform DER -out "$crl_dir/indirect.der"
: >index.txt
openssl ca -batch -config ca.cnf -gencrl -crldays 36500 -out empty.pem 2>/dev/null
openssl crl -in empty.pem -outform DER -out "$crl_dir/empty.der"

# The fixed judging time: an hour after the responses were produced.
produced=$(openssl ocsp -respin "$ocsp_dir/good-delegated.der" -resp_text -noverify |
    sed -n 's/^ *Produced At: //p')
now=$(($(date -u -d "$produced" +%s) + 3600))

c_string() { # the PEM file as a C string literal, one line per line
    sed -e 's/^/    "/' -e 's/$/\\n"/' "$1"
}
{
    printf '/*\n * The fixed PKI of fuzz/ocsp_fuzzer.c and fuzz/crl_fuzzer.c, made by\n'
    printf ' * fuzz/make-revocation-seeds.sh with the seeds in fuzz/corpora/ocsp and\n'
    printf ' * fuzz/corpora/crl (their keys were thrown away). Generated: do not edit.\n'
    printf ' *\n * SPDX-License-Identifier: Apache-2.0\n */\n'
    printf '#ifndef EMZA_FUZZ_REVOCATION_FIXTURE_H\n#define EMZA_FUZZ_REVOCATION_FIXTURE_H\n\n'
    printf '/* The time the targets judge at: an hour after the seeds were produced. */\n'
    printf '#define FUZZ_NOW INT64_C(%s)\n\n' "$now"
    printf 'static const char fuzz_ca_pem[] =\n'
    c_string ca.pem
    printf '    ;\n\n/* The certificate the responses and CRLs are about (revoked in the CRL seeds). */\n'
    printf 'static const char fuzz_leaf_pem[] =\n'
    c_string leaf.pem
    printf '    ;\n\n/* A delegated responder (OCSPSigning, ocsp-nocheck): also a second subject. */\n'
    printf 'static const char fuzz_responder_pem[] =\n'
    c_string responder.pem
    printf '    ;\n\n#endif /* EMZA_FUZZ_REVOCATION_FIXTURE_H */\n'
} >"$here/revocation_fixture.h"
