"""Tests of the Python bindings against the real libemza (EMZA_LIBRARY) and the test PKI (EMZA_PKI_DIR).

Round trips (XAdES and CAdES sign -> verify TOTAL_PASSED), failing
verifications (tampered content -> TOTAL_FAILED/HASH_FAILURE), error paths
(exceptions with the library's code), identity numbers and certificates,
release and GC safety, 8 threads x 100 verifications, and 10 000 verify calls
without memory growth (with a check that the bound would catch a leak).
Validation policies (policies/default.json, a tightened one that changes the
verdict, INFORM entries), citizen log-in (accepted with the identity, refused
as ORIGIN_MISMATCH, REPLAYED, EXPIRED), external signers (a Python function
that signs with `openssl pkeyutl`, and one that raises), two-step signing
(prepare, sign the digest with openssl, finalize, verify), and PKCS#11 against
a SoftHSM2 token when the build made one (EMZA_P11_TOKEN_DIR).
"""
from __future__ import annotations

import ctypes
import datetime as dt
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

import emza
from emza._native import lib

PKI = os.environ["EMZA_PKI_DIR"]
ROOT = os.path.join(PKI, "trust", "root.pem")
PASSWORD = "emza-test"
DEED = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<deed><seller nationalCode="0499370899">علی رضایی</seller><price currency="IRR">1000000000</price></deed>\n')


def pki(name: str) -> str:
    return os.path.join(PKI, name)


def rss_bytes() -> int:
    """Resident set size of this process, from /proc/self/statm."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Base(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="emza-py-")
        self.addCleanup(shutil.rmtree, self.dir)

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def write(self, name: str, text: str) -> str:
        p = self.path(name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def signed_xml(self, signer_name: str = "citizen-rsa") -> str:
        doc = self.write("deed.xml", DEED)
        with emza.Signer.from_pkcs12(pki(signer_name + ".p12"), PASSWORD) as s:
            return emza.sign(doc, self.path("deed.signed.xml"), signer=s, format="xades-enveloped")

    def assertError(self, cls, code: int, name: str, fn, *args, **kwargs) -> emza.Error:
        with self.assertRaises(cls) as cm:
            fn(*args, **kwargs)
        e = cm.exception
        self.assertIsInstance(e, emza.Error)
        self.assertEqual(e.code, code)
        self.assertEqual(e.name, name)
        self.assertTrue(e.message)
        return e


class VersionAndIds(Base):
    def test_version_is_the_c_library_version(self) -> None:
        major, minor, patch = (int(x) for x in emza.version().split("."))
        self.assertEqual(emza.version_number(), major * 10000 + minor * 100 + patch)

    def test_national_code_valid_in_ascii_and_persian_digits(self) -> None:
        self.assertTrue(emza.check_national_code("0499370899").valid)
        r = emza.check_national_code(" ۰۷۹۰۴۱۹۹۰۴ ")
        self.assertEqual((r.verdict, r.digits, r.kind), ("VALID", "0790419904", "national_code"))
        self.assertTrue(emza.is_valid_national_code("٠٤٩٩٣٧٠٨٩٩"))

    def test_national_code_verdicts(self) -> None:
        r = emza.check_national_code("0499370898")
        self.assertFalse(r)
        self.assertEqual((r.verdict, r.expected_check), ("BAD_CHECK_DIGIT", 9))
        self.assertEqual(emza.check_national_code("1111111111").verdict, "REPEATED_DIGITS")
        self.assertEqual(emza.check_national_code("12345").verdict, "WRONG_LENGTH")
        r = emza.check_national_code("04993x0899")
        self.assertEqual((r.verdict, r.position), ("NON_DIGIT", 6))
        self.assertEqual(emza.check_national_code("  ").verdict, "EMPTY")

    def test_legal_id_and_any(self) -> None:
        self.assertTrue(emza.check_legal_id("10380284790").valid)
        self.assertEqual(emza.check_legal_id("10380284791").verdict, "BAD_CHECK_DIGIT")
        self.assertEqual(emza.check_id("10380284790").kind, "legal_id")
        self.assertEqual(emza.check_id("0499370899").kind, "national_code")

    def test_id_text_over_the_limit_raises_limit_error(self) -> None:
        self.assertError(emza.LimitError, -4, "EMZA_ELIMIT", emza.check_national_code, "1" * 257)


class Certificates(Base):
    def test_identity_of_a_citizen_certificate(self) -> None:
        with emza.Certificate.load(pki("citizen-rsa.cert.pem")) as c:
            self.assertEqual(c.national_code, "0499370899")
            self.assertEqual(c.given_name, "علی")
            self.assertEqual(c.surname, "رضایی")
            self.assertEqual(c.serial_number, "PNOIR-0499370899")
            self.assertEqual(c.key_algorithm, "rsa")
            self.assertEqual(c.key_bits, 2048)
            self.assertFalse(c.is_ca)
            self.assertLess(c.not_before, dt.datetime.now(dt.timezone.utc))
            self.assertEqual(len(c.sha256_hex), 64)
            with emza.Certificate.from_bytes(c.der) as again:
                self.assertEqual(again.sha256_hex, c.sha256_hex)
            self.assertIsNone(c.legal_id)

    def test_legal_id_of_an_organisation_certificate(self) -> None:
        with emza.Certificate.load(pki("org-seal.cert.der")) as c:
            self.assertEqual(c.legal_id, "10380284790")
            self.assertEqual(c.identity.legal_id, "10380284790")

    def test_chain_verdicts(self) -> None:
        with emza.TrustStore([ROOT]) as trust, emza.Certificate.load(pki("citizen-rsa.cert.pem")) as c:
            self.assertEqual(len(trust), 1)
            r = c.verify(trust=trust, untrusted=[pki("citizen-rsa.chain.pem")], offline=True)
            self.assertEqual((r.indication, r.sub_indication), ("TOTAL_PASSED", None))
            self.assertEqual(len(r.chain_sha256), 3)
            r = c.verify(trust=trust, offline=True)  # no intermediate given
            self.assertEqual((r.indication, r.sub_indication), ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND"))
        with emza.Certificate.load(pki("expired.cert.pem")) as c:
            r = c.verify(trust=ROOT, untrusted=pki("expired.chain.pem"), offline=True)
            self.assertEqual((r.indication, r.sub_indication), ("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE"))
            self.assertEqual(r.errors[0].code, "CERT_EXPIRED")
            r = c.verify(trust=ROOT, untrusted=pki("expired.chain.pem"), offline=True, at="2020-06-01T00:00:00Z")
            self.assertTrue(r.passed, r)
        with emza.Certificate.load(pki("citizen-auth.cert.pem")) as c:
            r = c.verify(trust=ROOT, untrusted=pki("citizen-auth.chain.pem"), offline=True, purpose="sign")
            self.assertEqual(r.sub_indication, "CHAIN_CONSTRAINTS_FAILURE")
            r = c.verify(trust=ROOT, untrusted=pki("citizen-auth.chain.pem"), offline=True, purpose="auth")
            self.assertTrue(r.passed)

    def test_certificate_errors(self) -> None:
        self.assertError(emza.FileError, -3, "EMZA_EIO", emza.Certificate.load, self.path("missing.pem"))
        self.assertError(emza.FormatError, -5, "EMZA_EFORMAT", emza.Certificate.from_bytes, b"not a certificate")
        self.assertError(emza.InvalidArgumentError, -1, "EMZA_EINVAL", emza.TrustStore, [])
        junk = self.write("junk.pem", "junk\n")
        self.assertError(emza.FormatError, -5, "EMZA_EFORMAT", emza.TrustStore, [junk])

    def test_use_after_close_raises_state_error_and_close_is_idempotent(self) -> None:
        c = emza.Certificate.load(pki("citizen-ec.cert.pem"))
        c.close()
        c.close()
        self.assertTrue(c.closed)
        self.assertError(emza.StateError, -10, "EMZA_ESTATE", getattr, c, "subject")
        trust = emza.TrustStore(ROOT)
        trust.close()
        self.assertError(emza.StateError, -10, "EMZA_ESTATE", emza.verify, pki("citizen-ec.cert.pem"), trust=trust)

    def test_objects_outlive_their_parents(self) -> None:
        # A certificate taken from a trust store or signer is a reference of its own.
        trust = emza.TrustStore(ROOT)
        anchor = trust.anchors[0]
        trust.close()
        del trust
        gc.collect()
        self.assertEqual(anchor.common_name, "Emza Test National Root CA")
        signer = emza.Signer.from_pkcs12(pki("citizen-ec.p12"), PASSWORD)
        cert = signer.certificate
        signer.close()
        self.assertEqual(cert.national_code, "0790419904")
        anchor.close()
        cert.close()


class RoundTrips(Base):
    def setUp(self) -> None:
        super().setUp()
        self.trust = emza.TrustStore([ROOT])
        self.addCleanup(self.trust.close)

    def test_xades_enveloped_round_trip(self) -> None:
        signed = self.signed_xml()
        report = emza.verify(signed, trust=self.trust, offline=True)
        self.assertEqual((report.summary, report.exit_code, report.format), ("ALL_PASSED", 0, "XAdES"))
        self.assertTrue(report.passed)
        [sig] = report.signatures
        self.assertEqual((sig.indication, sig.sub_indication, sig.level),
                         ("TOTAL_PASSED", None, "XAdES-BASELINE-B"))
        self.assertEqual(sig.signer.national_code, "0499370899")
        self.assertEqual(sig.signer.given_name, "علی")
        self.assertTrue(sig.signed_objects and all(o.whole_document for o in sig.signed_objects))
        self.assertIsNotNone(sig.claimed_signing_time)
        doc = report.to_dict()
        self.assertEqual(doc["emzaReport"], 1)
        self.assertEqual(doc["signatures"][0]["signer"]["nationalCode"], "0499370899")
        self.assertEqual(json.loads(report.to_json()), doc)
        self.assertIn("0499370899", report.to_text())
        with sig.signer_certificate() as c:
            self.assertEqual(c.sha256_hex, sig.signer.certificate_sha256)

    def test_cades_detached_round_trip_with_options(self) -> None:
        data = self.write("deed.txt", "deed of sale\n")
        when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
        with emza.Signer.from_pem(pki("citizen-ec.key.pem"), pki("citizen-ec.cert.pem"),
                                  chain=pki("citizen-ec.chain.pem")) as s:
            out = s.sign(data, self.path("deed.txt.p7s"), format="cades-detached", digest="sha384",
                         signing_time=when)
        report = emza.verify(out, data=[data], trust=self.trust, offline=True)
        [sig] = report.signatures
        self.assertEqual((report.format, sig.indication, sig.level), ("CAdES", "TOTAL_PASSED", "CAdES-BASELINE-B"))
        self.assertEqual(sig.signature_algorithm, "ecdsa-sha384")
        self.assertEqual(sig.claimed_signing_time, when)
        self.assertEqual(sig.signer.national_code, "0790419904")

    def test_cades_countersignature(self) -> None:
        data = self.write("deed.txt", "deed of sale\n")
        with emza.Signer.from_pkcs12(pki("citizen-rsa.p12"), PASSWORD) as citizen:
            signed = emza.sign(data, self.path("deed.p7m"), signer=citizen, format="cades-attached")
        with emza.Signer.from_pkcs12(pki("org-seal.p12"), PASSWORD) as notary:
            sealed = emza.sign(data, self.path("deed.sealed.p7m"), signer=notary, format="cades-attached",
                               mode="countersign", existing=signed)
        report = emza.verify(sealed, trust=self.trust, offline=True)
        self.assertEqual(report.summary, "ALL_PASSED", report.to_text())
        ids = {(s.signer.national_code, s.signer.legal_id) for s in report.signatures}
        self.assertEqual(ids, {("0499370899", None), (None, "10380284790")})

    def test_a_time_before_the_certificates_is_not_passed(self) -> None:
        report = emza.verify(self.signed_xml(), trust=self.trust, offline=True, at=dt.datetime(2001, 1, 1))
        self.assertNotEqual(report.signatures[0].indication, "TOTAL_PASSED")


class Failures(Base):
    def test_tampered_xml_is_total_failed_hash_failure(self) -> None:
        signed = self.signed_xml()
        with open(signed, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("1000000000", text)
        with open(signed, "w", encoding="utf-8") as f:
            f.write(text.replace("1000000000", "9000000000"))
        report = emza.verify(signed, trust=[ROOT], offline=True)
        self.assertEqual((report.summary, report.exit_code), ("ANY_FAILED", 1))
        sig = report.signatures[0]
        self.assertEqual((sig.indication, sig.sub_indication), ("TOTAL_FAILED", "HASH_FAILURE"))
        self.assertFalse(sig.passed)
        self.assertTrue(sig.errors)

    def test_tampered_detached_data_is_hash_failure(self) -> None:
        data = self.write("deed.txt", "deed of sale\n")
        with emza.Signer.from_pkcs12(pki("citizen-rsa.p12"), PASSWORD) as s:
            out = emza.sign([data], self.path("deed.txt.p7s"), signer=s, format="cades-detached")
        self.write("deed.txt", "deed of gift\n")
        sig = emza.verify(out, data=data, trust=ROOT, offline=True).signatures[0]
        self.assertEqual((sig.indication, sig.sub_indication), ("TOTAL_FAILED", "HASH_FAILURE"))

    def test_untrusted_signer_is_not_passed(self) -> None:
        sig = emza.verify(self.signed_xml(), offline=True).signatures[0]  # no trust at all
        self.assertEqual(sig.indication, "INDETERMINATE")

    def test_garbage_is_a_format_failure_verdict(self) -> None:
        report = emza.verify(self.write("junk.xml", "<not-signed/>"), trust=ROOT, offline=True)
        self.assertIn(report.summary, ("NO_SIGNATURE",))


class ErrorPaths(Base):
    def test_missing_file_raises_file_error_with_the_code_and_message(self) -> None:
        missing = self.path("no-such.xml")
        e = self.assertError(emza.FileError, -3, "EMZA_EIO", emza.verify, missing, trust=ROOT)
        self.assertIn("no-such.xml", e.message)
        self.assertIn("EMZA_EIO", str(e))
        self.assertIsInstance(e, OSError)

    def test_wrong_password_raises_password_error(self) -> None:
        self.assertError(emza.PasswordError, -12, "EMZA_EPASSWORD", emza.Signer.from_pkcs12,
                         pki("citizen-rsa.p12"), "wrong")

    def test_bad_arguments_raise_invalid_argument(self) -> None:
        doc = self.write("deed.xml", DEED)
        with emza.Signer.from_pkcs12(pki("citizen-rsa.p12"), PASSWORD) as s:
            self.assertError(emza.InvalidArgumentError, -1, "EMZA_EINVAL", emza.sign, doc, self.path("o"),
                             signer=s, format="nope")
            self.assertError(emza.InvalidArgumentError, -1, "EMZA_EINVAL", emza.sign, doc, self.path("o"),
                             signer=s, format="cades-attached", mode="countersign")  # no existing file
            self.assertError(emza.InvalidArgumentError, -1, "EMZA_EINVAL", emza.sign, doc, doc,
                             signer=s, format="xades-enveloped")  # output equal to the input
            self.assertError(emza.UnsupportedError, -9, "EMZA_EUNSUPPORTED", emza.sign, doc, self.path("o"),
                             signer=s, format="cades-detached", level="T")  # no TSA
        self.assertFalse(os.path.exists(self.path("o")))
        with self.assertRaises(TypeError):
            emza.verify(doc, ROOT)  # keyword-only options

    def test_missing_detached_data_raises_file_error(self) -> None:
        data = self.write("deed.txt", "deed of sale\n")
        with emza.Signer.from_pkcs12(pki("citizen-rsa.p12"), PASSWORD) as s:
            out = emza.sign(data, self.path("deed.txt.p7s"), signer=s, format="cades-detached")
        os.remove(data)
        e = self.assertError(emza.FileError, -3, "EMZA_EIO", emza.verify, out, data=[data], trust=ROOT)
        self.assertIn("deed.txt", e.message)


class Threads(Base):
    THREADS, CALLS = 8, 100

    def test_8_threads_x_100_verifications_share_one_trust_store(self) -> None:
        signed = self.signed_xml()
        trust = emza.TrustStore(ROOT)
        self.addCleanup(trust.close)
        emza.verify(signed, trust=trust, offline=True)  # warm up caches before measuring
        before = rss_bytes()
        results: list = []
        errors: list = []
        start = threading.Barrier(self.THREADS)

        def worker() -> None:
            try:
                start.wait()
                for _ in range(self.CALLS):
                    r = emza.verify(signed, trust=trust, offline=True)
                    results.append((r.summary, r.signatures[0].signer.national_code))
                    # errors are per thread: a failure here must report this thread's own
                    try:
                        emza.verify(self.path("missing"), trust=trust)
                    except emza.FileError as e:
                        if "missing" not in e.message:
                            errors.append(e.message)
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

        threads = [threading.Thread(target=worker) for _ in range(self.THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(results), self.THREADS * self.CALLS)
        self.assertEqual(set(results), {("ALL_PASSED", "0499370899")})
        gc.collect()
        growth = rss_bytes() - before
        self.assertLess(growth, 16 * 1024 * 1024, f"RSS grew by {growth} bytes over 800 threaded verifications")

    def test_close_from_another_thread_waits_for_the_running_call(self) -> None:
        signed = self.signed_xml()
        trust = emza.TrustStore(ROOT)
        stop = threading.Event()
        outcomes: list = []

        def worker() -> None:
            while not stop.is_set():
                try:
                    outcomes.append(emza.verify(signed, trust=trust, offline=True).summary)
                except emza.StateError:
                    outcomes.append("closed")
                    return

        t = threading.Thread(target=worker)
        t.start()
        while not outcomes:
            pass
        trust.close()
        stop.set()
        t.join()
        self.assertTrue(set(outcomes) <= {"ALL_PASSED", "closed"}, outcomes)


class Leaks(Base):
    CALLS = 10_000
    BOUND = 4 * 1024 * 1024  # bytes of RSS growth allowed over the 10 000 calls

    def test_10000_verify_calls_do_not_grow_memory(self) -> None:
        signed = self.signed_xml()
        trust = emza.TrustStore(ROOT)
        self.addCleanup(trust.close)
        for _ in range(300):  # warm-up: allocator arenas, caches, lazily loaded code
            emza.verify(signed, trust=trust, offline=True)
        gc.collect()
        before = rss_bytes()
        for _ in range(self.CALLS):
            r = emza.verify(signed, trust=trust, offline=True)
        self.assertEqual(r.summary, "ALL_PASSED")
        gc.collect()
        growth = rss_bytes() - before
        sys.stderr.write(f"\nRSS growth over {self.CALLS} verify calls: {growth} bytes\n")
        self.assertLess(growth, self.BOUND)

    def test_the_bound_catches_a_binding_that_leaks_its_reports(self) -> None:
        # The same call through the raw C API without emza_report_free, as a leaking
        # binding would make it: its growth over 10 000 calls must exceed the bound.
        signed = self.signed_xml().encode()
        trust = emza.TrustStore(ROOT)
        self.addCleanup(trust.close)
        opts = ctypes.c_void_p()
        self.assertEqual(lib.emza_verify_options_new(ctypes.byref(opts)), 0)
        self.addCleanup(lib.emza_verify_options_free, opts)
        with trust._use() as tp:
            lib.emza_verify_options_set_trust(opts, tp)
            lib.emza_verify_options_set_offline(opts, 1)
            n = 1000
            gc.collect()
            before = rss_bytes()
            for _ in range(n):
                out = ctypes.c_void_p()
                self.assertEqual(lib.emza_verify_file(ctypes.byref(out), signed, opts), 0)  # never freed
            per_call = (rss_bytes() - before) / n
        sys.stderr.write(f"\na leaked report costs {per_call:.0f} bytes of RSS\n")
        self.assertGreater(per_call * Leaks.CALLS, Leaks.BOUND)

SOURCE = os.environ.get("EMZA_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ORIGIN = "https://bank.example"
AUTH_CODE = "1583250689"  # the national code in the test PKI's citizen-auth certificate
NEED_T = '{"emzaPolicy": 1, "name": "need-t", "signatureLevel": {"level": "%s", "minimum": "T"}}'


def openssl_sign(key: str, algorithm: str, digest: bytes) -> bytes:
    """Signs a pre-computed hash with `openssl pkeyutl`, as a remote HSM or a browser would."""
    kind, md = algorithm.rsplit("-", 1)
    args = ["openssl", "pkeyutl", "-sign", "-inkey", key, "-pkeyopt", f"digest:{md}"]
    if kind == "rsa-pss":
        args += ["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest",
                 "-pkeyopt", f"rsa_mgf1_md:{md}"]
    return subprocess.run(args, input=digest, stdout=subprocess.PIPE, check=True).stdout


class Policies(Base):
    def setUp(self) -> None:
        super().setUp()
        self.signed = self.signed_xml()

    def test_default_json_policy_passes_like_the_built_in_one(self) -> None:
        with emza.Policy.load(os.path.join(SOURCE, "policies", "default.json")) as policy:
            self.assertEqual(policy.name, "default")
            report = emza.verify(self.signed, trust=ROOT, offline=True, policy=policy)
        self.assertEqual((report.summary, report.policy), ("ALL_PASSED", "default"))
        with emza.Policy.default() as built_in:
            self.assertEqual(built_in.name, "default")

    def test_a_tightened_policy_changes_the_verdict(self) -> None:
        with emza.Policy.parse(NEED_T % "FAIL") as strict:
            report = emza.verify(self.signed, trust=ROOT, offline=True, policy=strict)
        sig = report.signatures[0]
        self.assertEqual((report.policy, sig.indication, sig.sub_indication),
                         ("need-t", "INDETERMINATE", "SIG_CONSTRAINTS_FAILURE"))
        self.assertIn("SIGNATURE_LEVEL", [e.code for e in sig.errors])
        # the same from a file path, loaded for the call
        path = self.write("need-t.json", NEED_T % "FAIL")
        self.assertEqual(emza.verify(self.signed, trust=ROOT, offline=True, policy=path).summary, "INDETERMINATE")

    def test_inform_level_gives_infos_and_keeps_the_verdict(self) -> None:
        with emza.Policy.parse(NEED_T % "INFORM") as inform:
            sig = emza.verify(self.signed, trust=ROOT, offline=True, policy=inform).signatures[0]
        self.assertEqual(sig.indication, "TOTAL_PASSED")
        self.assertEqual([i.code for i in sig.infos], ["SIGNATURE_LEVEL"])

    def test_chain_validation_takes_a_policy(self) -> None:
        keys = '{"emzaPolicy": 1, "name": "ec-384", "cryptographic": {"keyAlgorithms": [{"name": "ec", "minBits": 384}]}}'
        with emza.Policy.parse(keys) as policy, emza.Certificate.load(pki("citizen-auth.cert.pem")) as c:
            r = c.verify(trust=ROOT, untrusted=pki("citizen-auth.chain.pem"), offline=True, purpose="auth")
            self.assertTrue(r.passed, r)
            r = c.verify(trust=ROOT, untrusted=pki("citizen-auth.chain.pem"), offline=True, purpose="auth",
                         policy=policy)
            self.assertEqual(r.indication, "INDETERMINATE")

    def test_bad_policies_raise_format_error_naming_the_path(self) -> None:
        e = self.assertError(emza.FormatError, -5, "EMZA_EFORMAT", emza.Policy.parse,
                             '{"emzaPolicy": 1, "name": "x", "nonsense": true}')
        self.assertIn("nonsense", e.message)
        self.assertError(emza.FileError, -3, "EMZA_EIO", emza.Policy.load, self.path("missing.json"))
        self.assertError(emza.LimitError, -4, "EMZA_ELIMIT", emza.Policy.parse, " " * (64 * 1024 + 1))


class Auth(Base):
    def setUp(self) -> None:
        super().setUp()
        self.trust = emza.TrustStore(ROOT)
        self.addCleanup(self.trust.close)
        self.citizen = emza.Signer.from_pkcs12(pki("citizen-auth.p12"), PASSWORD)
        self.addCleanup(self.citizen.close)
        self.cache = emza.auth.ReplayCache(64)
        self.addCleanup(self.cache.close)

    def check(self, token: str, challenge, origin: str = ORIGIN, **kw):
        return emza.auth.verify_token(token, challenge, origin, trust=self.trust,
                                      untrusted=pki("citizen-auth.chain.pem"), offline=True,
                                      replay_cache=self.cache, **kw)

    def refused(self, reason: str, *args, **kw) -> emza.AuthError:
        e = self.assertError(emza.AuthError, -17, "EMZA_EAUTH", self.check, *args, **kw)
        self.assertEqual(e.reason, reason)
        return e

    def test_round_trip_gives_the_identity(self) -> None:
        with emza.auth.Challenge.new(lifetime=120) as challenge:
            self.assertEqual(challenge.lifetime, 120)
            token = emza.auth.sign_token(self.citizen, "HTTPS://Bank.Example:443/", challenge.nonce)
            # the server keeps three values in its session and rebuilds the challenge from them
            kept = (challenge.nonce, challenge.issued_at, challenge.lifetime)
        with emza.auth.Challenge.restore(*kept) as again:
            who = self.check(token, again)
        self.assertEqual((who.national_code, who.common_name), (AUTH_CODE, "رضا کریمی"))
        self.assertEqual((who.origin, who.algorithm, who.legal_id), (ORIGIN, "ES256", None))
        with who.certificate() as c, emza.Certificate.load(pki("citizen-auth.cert.pem")) as want:
            self.assertEqual(c.sha256_hex, want.sha256_hex)
        self.assertEqual(len(self.cache), 1)
        self.assertEqual(emza.auth.normalize_origin("HTTPS://Bank.Example:443/"), ORIGIN)

    def test_wrong_origin_is_refused_as_origin_mismatch(self) -> None:
        with emza.auth.Challenge.new() as challenge:
            token = emza.auth.sign_token(self.citizen, "https://evil.example", challenge)
            self.refused("ORIGIN_MISMATCH", token, challenge)
        self.assertEqual(len(self.cache), 0)  # a refused token does not burn the nonce

    def test_replay_with_a_shared_cache_is_refused(self) -> None:
        with emza.auth.Challenge.new() as challenge:
            token = emza.auth.sign_token(self.citizen, ORIGIN, challenge)
            self.assertEqual(self.check(token, challenge).national_code, AUTH_CODE)
            e = self.refused("REPLAYED", token, challenge)
            self.assertTrue(e.message)

    def test_expired_challenge_is_refused(self) -> None:
        issued = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        with emza.auth.Challenge.new() as fresh, emza.auth.Challenge.restore(fresh.nonce, issued, 60) as old:
            token = emza.auth.sign_token(self.citizen, ORIGIN, old.nonce)
            self.refused("EXPIRED", token, old)
            # validated at a time within its life, the same token passes
            self.assertEqual(self.check(token, old, at=issued + dt.timedelta(seconds=30)).national_code, AUTH_CODE)

    def test_other_refusals_and_errors(self) -> None:
        with emza.auth.Challenge.new() as challenge:
            self.refused("MALFORMED", "{}", challenge)
            token = emza.auth.sign_token(self.citizen, ORIGIN, challenge, algorithm="ES256")
            with emza.auth.Challenge.new() as other:
                self.refused("BAD_SIGNATURE", token, other)
            with emza.Signer.from_pkcs12(pki("citizen-ec.p12"), PASSWORD) as signing_key:
                self.refused("KEY_USAGE", emza.auth.sign_token(signing_key, ORIGIN, challenge), challenge)
            self.assertError(emza.InvalidArgumentError, -1, "EMZA_EINVAL", emza.auth.sign_token,
                             self.citizen, ORIGIN, challenge, algorithm="RS256")  # an EC key
        self.assertError(emza.InvalidArgumentError, -1, "EMZA_EINVAL", emza.auth.Challenge.restore, "short", 0)
        self.assertError(emza.InvalidArgumentError, -1, "EMZA_EINVAL", emza.auth.Challenge.new, lifetime=901)


class ExternalSigners(Base):
    def external(self, name: str, calls: list) -> emza.Signer:
        def sign_fn(algorithm: str, digest: bytes) -> bytes:
            calls.append((algorithm, len(digest)))
            return openssl_sign(pki(name + ".key.pem"), algorithm, digest)
        return emza.Signer.external(pki(name + ".cert.pem"), sign_fn, chain=[pki(name + ".chain.pem")])

    def test_round_trip_through_a_python_function(self) -> None:
        calls: list = []
        signer = self.external("citizen-ec", calls)
        gc.collect()  # the callback is referenced only by the signer: it must survive this
        doc = self.write("deed.xml", DEED)
        with signer:
            emza.sign(doc, self.path("deed.signed.xml"), signer=signer, format="xades-enveloped")
            emza.sign(doc, self.path("deed.p7s"), signer=signer, format="cades-detached", digest="sha384")
        self.assertEqual(calls, [("ecdsa-sha256", 32), ("ecdsa-sha384", 48)])
        report = emza.verify(self.path("deed.signed.xml"), trust=ROOT, offline=True)
        self.assertEqual((report.summary, report.signatures[0].signer.national_code), ("ALL_PASSED", "0790419904"))
        report = emza.verify(self.path("deed.p7s"), data=doc, trust=ROOT, offline=True)
        self.assertEqual(report.summary, "ALL_PASSED")

    def test_rsa_pss_and_an_auth_token_through_a_python_function(self) -> None:
        calls: list = []
        with self.external("citizen-rsa", calls) as signer:
            doc = self.write("deed.xml", DEED)
            emza.sign(doc, self.path("deed.signed.xml"), signer=signer, format="xades-enveloped", rsa_pss=True)
        self.assertEqual(calls, [("rsa-pss-sha256", 32)])
        self.assertEqual(emza.verify(self.path("deed.signed.xml"), trust=ROOT, offline=True).summary, "ALL_PASSED")
        with self.external("citizen-auth", calls) as signer, emza.auth.Challenge.new() as c:
            token = emza.auth.sign_token(signer, ORIGIN, c)
            who = emza.auth.verify_token(token, c, ORIGIN, trust=ROOT, untrusted=pki("citizen-auth.chain.pem"),
                                         offline=True, replay_cache=emza.auth.ReplayCache())
        self.assertEqual(who.national_code, AUTH_CODE)

    def test_a_function_that_raises_is_the_library_error_not_a_crash(self) -> None:
        doc = self.write("deed.xml", DEED)
        out = self.path("deed.signed.xml")

        def broken(algorithm: str, digest: bytes) -> bytes:
            raise ValueError("the HSM is unplugged")
        with emza.Signer.external(pki("citizen-ec.cert.pem"), broken) as signer:
            e = self.assertError(emza.CancelledError, -14, "EMZA_ECANCELED", emza.sign, doc, out, signer=signer,
                                 format="xades-enveloped")
            self.assertIsInstance(e.__cause__, ValueError)
            # the signer stays usable, and the next failure does not carry the old cause
            self.assertError(emza.CancelledError, -14, "EMZA_ECANCELED", emza.auth.sign_token, signer, ORIGIN,
                             "A" * 43 + "=")

        def declined(algorithm: str, digest: bytes) -> bytes:
            raise emza.errors.error_for(-15, "the citizen typed a wrong PIN")
        with emza.Signer.external(pki("citizen-ec.cert.pem"), declined) as signer:
            self.assertError(emza.PinError, -15, "EMZA_EPIN", emza.sign, doc, out, signer=signer,
                             format="xades-enveloped")
        with emza.Signer.external(pki("citizen-ec.cert.pem"), lambda a, d: b"\x30\x00") as signer:
            self.assertError(emza.CryptoError, -6, "EMZA_ECRYPTO", emza.sign, doc, out, signer=signer,
                             format="xades-enveloped")  # checked with the certificate's key
        with emza.Signer.external(pki("citizen-ec.cert.pem"), lambda a, d: b"x" * 4096) as signer:
            self.assertError(emza.LimitError, -4, "EMZA_ELIMIT", emza.sign, doc, out, signer=signer,
                             format="xades-enveloped")
        with emza.Signer.external(pki("citizen-ec.cert.pem"), lambda a, d: None) as signer:
            e = self.assertError(emza.CancelledError, -14, "EMZA_ECANCELED", emza.sign, doc, out, signer=signer,
                                 format="xades-enveloped")
            self.assertIsInstance(e.__cause__, TypeError)
        self.assertFalse(os.path.exists(out))
        with self.assertRaises(TypeError):
            emza.Signer.external(pki("citizen-ec.cert.pem"), "not callable")


class TwoStep(Base):
    def test_prepare_sign_elsewhere_finalize_verify(self) -> None:
        doc = self.write("deed.xml", DEED)
        with emza.prepare(doc, certificate=pki("citizen-rsa.cert.pem"), chain=[pki("citizen-rsa.chain.pem")],
                          format="xades-enveloped") as p:
            self.assertEqual((p.digest_algorithm, p.signature_algorithm, len(p.digest)), ("sha256", "rsa-sha256", 32))
            state = p.to_json()
            digest, algorithm = p.digest, p.signature_algorithm
        self.assertFalse(os.path.exists(self.path("deed.signed.xml")))
        signature = openssl_sign(pki("citizen-rsa.key.pem"), algorithm, digest)
        # a stateless server: the state comes back from its database
        with emza.Prepared.from_json(state) as again:
            self.assertEqual(again.digest, digest)
            with again.certificate as c:
                self.assertEqual(c.national_code, "0499370899")
            self.assertError(emza.CryptoError, -6, "EMZA_ECRYPTO", again.finalize, bytes(len(signature)),
                             self.path("deed.signed.xml"))
            self.assertFalse(os.path.exists(self.path("deed.signed.xml")))
            out = again.finalize(signature, self.path("deed.signed.xml"))
        report = emza.verify(out, trust=ROOT, offline=True)
        self.assertEqual(report.signatures[0].indication, "TOTAL_PASSED", report.to_text())
        self.assertEqual(report.signatures[0].signer.national_code, "0499370899")

    def test_ecdsa_cades_through_a_saved_state(self) -> None:
        data = self.write("deed.txt", "deed of sale\n")
        with emza.prepare([data], certificate=pki("citizen-ec.cert.pem"), format="cades-detached",
                          digest="sha384") as p:
            p.save(self.path("state.json"))
        with emza.Prepared.load(self.path("state.json")) as p:
            self.assertEqual(p.signature_algorithm, "ecdsa-sha384")
            p.finalize(openssl_sign(pki("citizen-ec.key.pem"), p.signature_algorithm, p.digest),
                       self.path("deed.p7s"))
        report = emza.verify(self.path("deed.p7s"), data=data, trust=ROOT,
                             untrusted=pki("citizen-ec.chain.pem"), offline=True)
        self.assertEqual(report.summary, "ALL_PASSED", report.to_text())

    def test_sealed_state(self) -> None:
        data = self.write("deed.txt", "deed of sale\n")
        key, other = b"\x01" * 32, b"\x02" * 32
        with emza.prepare([data], certificate=pki("citizen-rsa.cert.pem"), chain=[pki("citizen-rsa.chain.pem")],
                          format="cades-attached") as p:
            sealed = p.to_json(key=key)
            p.save(self.path("sealed.json"), key=key)
            plain = p.to_json()
            self.assertError(emza.InvalidArgumentError, -1, "EMZA_EINVAL", p.to_json, key=b"k" * 31)
            self.assertError(emza.LimitError, -4, "EMZA_ELIMIT", p.to_json, key=b"k" * 1025)
            with self.assertRaises(TypeError):
                p.to_json(key="a text is not a key, not even a long one")
        self.assertIn('"mac"', sealed)
        with emza.Prepared.load(self.path("sealed.json"), key=key) as p:
            p.finalize(openssl_sign(pki("citizen-rsa.key.pem"), p.signature_algorithm, p.digest),
                       self.path("deed.p7"))
        self.assertEqual(emza.verify(self.path("deed.p7"), trust=ROOT, offline=True).summary, "ALL_PASSED")
        state = json.loads(sealed)
        state["inputs"][0]["path"] = "/etc/passwd"
        for text, k in ((json.dumps(state), key), (sealed, other), (plain, key), (sealed, None)):
            self.assertError(emza.CryptoError, -6, "EMZA_ECRYPTO", emza.Prepared.from_json, text, key=k)
        self.assertError(emza.CryptoError, -6, "EMZA_ECRYPTO", emza.Prepared.load, self.path("sealed.json"))

    def test_bad_states_and_modes(self) -> None:
        self.assertError(emza.FormatError, -5, "EMZA_EFORMAT", emza.Prepared.from_json, '{"emzaPrepared": 99}')
        data = self.write("deed.txt", "deed of sale\n")
        self.assertError(emza.UnsupportedError, -9, "EMZA_EUNSUPPORTED", emza.prepare, data,
                         certificate=pki("citizen-ec.cert.pem"), format="cades-attached", mode="countersign",
                         existing=data)


TOKEN_DIR = os.environ.get("EMZA_P11_TOKEN_DIR")
SOFTHSM = os.environ.get("EMZA_SOFTHSM_MODULE")


@unittest.skipUnless(TOKEN_DIR and SOFTHSM and os.path.isdir(os.path.join(TOKEN_DIR or "", "tokens")),
                     "no SoftHSM2 token in this build")
class Pkcs11(Base):
    @classmethod
    def setUpClass(cls) -> None:
        # A copy of the build's token, so that the tests never change it; SoftHSM2 reads its
        # configuration when the module is first initialised in this process.
        cls.tokens = tempfile.mkdtemp(prefix="emza-py-p11-")
        shutil.copytree(os.path.join(TOKEN_DIR, "tokens"), os.path.join(cls.tokens, "tokens"))
        conf = os.path.join(cls.tokens, "softhsm2.conf")
        with open(conf, "w") as f:
            f.write(f"directories.tokendir = {cls.tokens}/tokens\nobjectstore.backend = file\n"
                    "log.level = ERROR\nslots.removable = false\n")
        os.environ["SOFTHSM2_CONF"] = conf

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.tokens)

    def test_sign_with_a_card_key_and_a_pin_function(self) -> None:
        asked: list = []
        given: list = []

        def pin(label: str, for_signature: bool) -> bytearray:
            asked.append((label, for_signature))
            value = bytearray(b"123456")
            given.append(value)
            return value
        doc = self.write("deed.xml", DEED)
        with emza.Signer.from_pkcs11(SOFTHSM, token="citizen", key_label="citizen-ec", pin=pin) as card:
            with card.certificate as c:
                self.assertEqual(c.national_code, "0790419904")
            emza.sign(doc, self.path("deed.signed.xml"), signer=card, format="xades-enveloped")
        self.assertEqual(asked, [("citizen", False)])
        self.assertEqual(given, [bytearray(6)])  # the binding wiped the PIN it was given
        report = emza.verify(self.path("deed.signed.xml"), trust=ROOT, offline=True)
        self.assertEqual((report.summary, report.signatures[0].signer.national_code), ("ALL_PASSED", "0790419904"))

    def test_constant_pin_key_id_and_refusals(self) -> None:
        with emza.Signer.from_pkcs11(SOFTHSM, token="spare", key_id="02", pin="654321") as card:
            with emza.auth.Challenge.new() as c:
                self.assertTrue(emza.auth.sign_token(card, ORIGIN, c).startswith("{"))
        self.assertError(emza.PinError, -15, "EMZA_EPIN", emza.Signer.from_pkcs11, SOFTHSM, token="spare",
                         key_id="02", pin="000000")
        self.assertError(emza.NotFoundError, -7, "EMZA_ENOTFOUND", emza.Signer.from_pkcs11, SOFTHSM,
                         token="no-such-token", pin="123456")
        self.assertError(emza.FileError, -3, "EMZA_EIO", emza.Signer.from_pkcs11, self.path("no-module.so"))

        def refuse(label: str, for_signature: bool) -> str:
            raise KeyboardInterrupt  # the user closed the PIN dialog
        e = self.assertError(emza.CancelledError, -14, "EMZA_ECANCELED", emza.Signer.from_pkcs11, SOFTHSM,
                             token="spare", key_id="02", pin=refuse)
        self.assertIsInstance(e.__cause__, KeyboardInterrupt)


if __name__ == "__main__":
    unittest.main()
