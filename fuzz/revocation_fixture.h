/*
 * The fixed PKI of fuzz/ocsp_fuzzer.c and fuzz/crl_fuzzer.c, made by
 * fuzz/make-revocation-seeds.sh with the seeds in fuzz/corpora/ocsp and
 * fuzz/corpora/crl (their keys were thrown away). Generated: do not edit.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_FUZZ_REVOCATION_FIXTURE_H
#define EMZA_FUZZ_REVOCATION_FIXTURE_H

/* The time the targets judge at: an hour after the seeds were produced. */
#define FUZZ_NOW INT64_C(1795377187)

static const char fuzz_ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBWDCB/qADAgECAgIQADAKBggqhkjOPQQDAjASMRAwDgYDVQQDDAdGdXp6IENB\n"
    "MCAXDTIwMDEwMTAwMDAwMFoYDzIxMjAwMTAxMDAwMDAwWjASMRAwDgYDVQQDDAdG\n"
    "dXp6IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEDD0bnXbLPk2M2jIWD16P\n"
    "qa8hq9sIOJv+IVV+dqu2fxJ8DebsImN903p11zDIvTBtylTb/ivy+cgN1Ti4H3Kb\n"
    "UKNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYE\n"
    "FFZppDaK9CgSJqZGBJh8nQNJKL2NMAoGCCqGSM49BAMCA0kAMEYCIQDXxmRfDl01\n"
    "6yP2q9hZDHAM7hliAU4Z64hrTeR+T1xz5AIhANuRFAwi+mURMOF9Z7u6LsooDLKI\n"
    "JyA+5iH3h+xXxlnu\n"
    "-----END CERTIFICATE-----\n"
    ;

/* The certificate the responses and CRLs are about (revoked in the CRL seeds). */
static const char fuzz_leaf_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBdjCCARugAwIBAgICEAEwCgYIKoZIzj0EAwIwEjEQMA4GA1UEAwwHRnV6eiBD\n"
    "QTAgFw0yMDAxMDEwMDAwMDBaGA8yMTIwMDEwMTAwMDAwMFowFDESMBAGA1UEAwwJ\n"
    "RnV6eiBMZWFmMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAERNyMQyQS/QvVW1fs\n"
    "XU50GlVwDaqLhYG9GYmEPwy/GRh2fbpzri1XUPQNDO0FoyLo7gMpaCaHre1QN/sj\n"
    "MSRvyKNdMFswCQYDVR0TBAIwADAOBgNVHQ8BAf8EBAMCBkAwHwYDVR0jBBgwFoAU\n"
    "VmmkNor0KBImpkYEmHydA0kovY0wHQYDVR0OBBYEFGFcK0dIc1PSHZVrrmLHx+7G\n"
    "3cYNMAoGCCqGSM49BAMCA0kAMEYCIQCTJ4z+gP7DfnqXFRBwGb3biJ8Tq+rzSxG5\n"
    "nWSQBHgGrAIhANLXbEfy0InbbbZybVnFvhxH2hKbEgxuxWDtR6LiPkrJ\n"
    "-----END CERTIFICATE-----\n"
    ;

/* A delegated responder (OCSPSigning, ocsp-nocheck): also a second subject. */
static const char fuzz_responder_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBojCCAUigAwIBAgICEAMwCgYIKoZIzj0EAwIwEjEQMA4GA1UEAwwHRnV6eiBD\n"
    "QTAgFw0yMDAxMDEwMDAwMDBaGA8yMTIwMDEwMTAwMDAwMFowGTEXMBUGA1UEAwwO\n"
    "RnV6eiBSZXNwb25kZXIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAThSLh9Wueu\n"
    "5WzCr9fpOzJ11G6qCgQcXRHZhdRNUYRkaW2UU3ibv6j56wbvqKb4yE7R7QLUP5aB\n"
    "vCpyQNlllF2uo4GEMIGBMAkGA1UdEwQCMAAwDgYDVR0PAQH/BAQDAgeAMBMGA1Ud\n"
    "JQQMMAoGCCsGAQUFBwMJMA8GCSsGAQUFBzABBQQCBQAwHwYDVR0jBBgwFoAUVmmk\n"
    "Nor0KBImpkYEmHydA0kovY0wHQYDVR0OBBYEFGIptanI41eLmKrwYQuXnoo3QIMP\n"
    "MAoGCCqGSM49BAMCA0gAMEUCICgFVKX9YdK4WiUcVI39n/HPyJaN71oXJt4nB/h7\n"
    "QqZhAiEA9Gn0pfWScUCoJvAUSuvQW3JdG9Z/9yXYnx9dHQvdABo=\n"
    "-----END CERTIFICATE-----\n"
    ;

#endif /* EMZA_FUZZ_REVOCATION_FIXTURE_H */
