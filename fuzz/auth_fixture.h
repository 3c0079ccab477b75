/*
 * The fixed PKI and challenge of fuzz/auth_fuzzer.c, made by
 * fuzz/make-auth-seeds.sh with the seeds in fuzz/corpora/auth (their keys
 * were thrown away). Generated: do not edit.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef EMZA_FUZZ_AUTH_FIXTURE_H
#define EMZA_FUZZ_AUTH_FIXTURE_H

#define FUZZ_AUTH_ORIGIN "https://bank.example"
#define FUZZ_AUTH_NONCE "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
/* 2026-11-22T21:25:00Z; the target judges 10 s later */
#define FUZZ_AUTH_ISSUED_AT INT64_C(1795382700)

static const char fuzz_auth_ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBdDCCARqgAwIBAgIUSrNqTIh+vaG4q57m3Pc0G519svAwCgYIKoZIzj0EAwIw\n"
    "FzEVMBMGA1UEAwwMRnV6eiBBdXRoIENBMCAXDTI2MTEyMjIwMjUxM1oYDzIxMjYx\n"
    "MDI5MjAyNTEzWjAXMRUwEwYDVQQDDAxGdXp6IEF1dGggQ0EwWTATBgcqhkjOPQIB\n"
    "BggqhkjOPQMBBwNCAAR561Nb6CMa4hTpvgylDrF9HN2ac+rEX9dq6NkQf331o4bs\n"
    "VofExSWgeo4xO9CSo5LJggG7GmBynPfIoeWQ1rHyo0IwQDAPBgNVHRMBAf8EBTAD\n"
    "AQH/MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQU96RqyUs41lUGtFHpVTnPeEb5\n"
    "HrAwCgYIKoZIzj0EAwIDSAAwRQIhANvd4STjCRWfgmfJ4aRC+n9o1d0roajVlKzx\n"
    "J2S+ErVzAiAUwX4Ac+WZop0ADM7pDbKJbYkrGgflNbh2/9gf+yca4Q==\n"
    "-----END CERTIFICATE-----\n"
    ;

#endif /* EMZA_FUZZ_AUTH_FIXTURE_H */
