#!/usr/bin/env python3
"""CAdES / CMS interoperability and command-line tests: `emza` against `openssl cms`.

Run by meson (`meson test cades_peers`) as `python3 tests/interop/cades_peers_test.py -v` with
  EMZA_TOOL     path of the built emza
  EMZA_PKI_DIR  the test PKI made by tests/fixtures/make-pki.sh (see its README;
                every .p12 has the password emza-test)

Peers both ways: `openssl cms -verify -binary` accepts what `emza sign` makes
(detached and attached; RSA PKCS#1, RSA-PSS, ECDSA), and `emza verify` accepts
what `openssl cms -sign -cades -binary` makes; `openssl cms -cmsout -print`
shows our signed attributes. Then the exit codes of `emza verify` on CAdES
inputs, the JSON field names of CONTRACT.md, and bad inputs: each gives exactly
one stderr line in words and exit 4, or a verdict; never a signal or a
sanitizer report.

Python 3 standard library only. Generated files go into a
tempfile.TemporaryDirectory.
"""

import hashlib
import json
import os
import pty
import random
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

TOOL = os.environ.get("EMZA_TOOL", "")
PKI = os.environ.get("EMZA_PKI_DIR", "")
OPENSSL = shutil.which("openssl")
P12_PASSWORD = "emza-test"

CRASH_MARKERS = (
    "AddressSanitizer",
    "LeakSanitizer",
    "UndefinedBehaviorSanitizer",
    "runtime error",
    "Segmentation fault",
    "core dumped",
)
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

NATIONAL_RSA = "0499370899"   # citizen-rsa
NATIONAL_EC = "0790419904"    # citizen-ec
LEGAL_ORG = "10380284790"     # org-seal

# A SignedData with no SignerInfo (and no digest algorithm, no content):
# ContentInfo { signedData, [0] SignedData { 1, {}, { data }, {} } }.
ZERO_SIGNER_CMS = bytes.fromhex(
    "3023" "06092a864886f70d010702" "a016" "3014" "020101" "3100"
    "300b06092a864886f70d010701" "3100")


def setUpModule():
    if not TOOL or not os.access(TOOL, os.X_OK):
        raise RuntimeError("EMZA_TOOL must name the built emza executable (got %r)" % TOOL)
    if not PKI or not os.path.isfile(os.path.join(PKI, "trust", "root.pem")):
        raise RuntimeError("EMZA_PKI_DIR must name the generated test PKI (got %r)" % PKI)
    if OPENSSL is None:
        raise RuntimeError("the openssl tool is needed as a peer")


def pki(name):
    return os.path.join(PKI, name)


class Run:
    def __init__(self, rc, out, err):
        self.rc = rc
        self.out = out
        self.err = err

    def err_lines(self):
        return [line for line in self.err.split("\n") if line != ""]


def emza_env(**extra):
    env = dict(os.environ)
    env["EMZA_P12_PASS"] = P12_PASSWORD
    env.update(extra)
    return env


class Base(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="emza-cades-peers-")
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return p

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    # --- running the tool -------------------------------------------------

    def emza(self, *args, env=None, timeout=120):
        p = subprocess.run([TOOL] + [str(a) for a in args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env or emza_env(), timeout=timeout)
        r = Run(p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"))
        self.assert_no_crash(r, args)
        return r

    def assert_no_crash(self, r, args):
        self.assertGreaterEqual(r.rc, 0, "emza %s was killed by signal %d; stderr: %s"
                                % (" ".join(map(str, args)), -r.rc, r.err[-2000:]))
        for marker in CRASH_MARKERS:
            self.assertNotIn(marker, r.err, "emza %s: %s" % (" ".join(map(str, args)),
                                                            r.err[-2000:]))

    def assert_usage_error(self, r, what=""):
        """Exit 4 with exactly one stderr line, in words, and nothing on stdout."""
        self.assertEqual(r.rc, 4, "%s: expected exit 4, got %d; stderr: %r" % (what, r.rc, r.err))
        lines = r.err_lines()
        self.assertEqual(len(lines), 1, "%s: expected one stderr line, got %r" % (what, lines))
        self.assertRegex(lines[0], r"[A-Za-z]{3,}.*[A-Za-z]{3,}", what)
        self.assertTrue(lines[0].startswith("emza"), "%s: %r" % (what, lines[0]))
        self.assertNotRegex(lines[0], r"error:[0-9A-F]{8}:", "%s: raw OpenSSL codes" % what)
        self.assertEqual(r.out, "", what)

    def openssl(self, *args, check=True, input_bytes=None):
        p = subprocess.run([OPENSSL] + [str(a) for a in args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, input=input_bytes, timeout=120)
        if check and p.returncode != 0:
            self.fail("openssl %s failed (%d): %s" % (" ".join(map(str, args)), p.returncode,
                                                      p.stderr.decode("utf-8", "replace")))
        return p

    # --- signing and verifying -------------------------------------------

    def sign(self, who, fmt, inp, out, *extra, pem=False):
        if pem:
            key = ["--key", pki(who + ".key.pem"), "--cert", pki(who + ".cert.pem"),
                   "--chain", pki(who + ".chain.pem")]
        else:
            key = ["--key", pki(who + ".p12"), "--pass-env", "EMZA_P12_PASS"]
        r = self.emza("sign", "--format", fmt, *key, *extra, "-o", out, inp)
        self.assertEqual(r.rc, 0, "emza sign as %s: %s" % (who, r.err))
        self.assertEqual(r.err, "", "emza sign wrote to a non-terminal stderr")
        return out

    def verify_json(self, signed, *extra, expect_rc=None):
        r = self.emza("verify", signed, "--trust", pki("trust/root.pem"), "--offline", "--json",
                      *extra)
        if expect_rc is not None:
            self.assertEqual(r.rc, expect_rc, "verify %s: exit %d, stderr %r, stdout %s"
                             % (signed, r.rc, r.err, r.out[:3000]))
        self.assertNotEqual(r.rc, 4, r.err)
        return json.loads(r.out)

    def openssl_verify(self, signed, content=None, inform="DER"):
        args = ["cms", "-verify", "-binary", "-inform", inform, "-in", signed,
                "-CAfile", pki("trust/root.pem"), "-out", self.path("openssl-out.bin")]
        if content is not None:
            args += ["-content", content]
        p = self.openssl(*args, check=False)
        self.assertEqual(p.returncode, 0, "openssl cms -verify refused %s: %s"
                         % (signed, p.stderr.decode("utf-8", "replace")))
        self.assertIn(b"Verification successful", p.stderr)
        return self.read(self.path("openssl-out.bin"))


# ---------------------------------------------------------------------------
# emza signs, openssl verifies
# ---------------------------------------------------------------------------

ALGORITHMS = (
    # who, extra sign options, emza's name for it
    ("citizen-rsa", [], "rsa-sha256"),
    ("citizen-rsa", ["--digest", "sha512"], "rsa-sha512"),
    ("citizen-rsa", ["--pss"], "rsa-pss-sha256"),
    ("citizen-rsa", ["--pss", "--digest", "sha384"], "rsa-pss-sha384"),
    ("citizen-rsa", ["--pss", "--digest", "sha512"], "rsa-pss-sha512"),
    ("citizen-ec", [], "ecdsa-sha256"),
    ("citizen-ec", ["--digest", "sha384"], "ecdsa-sha384"),
    ("citizen-ec", ["--digest", "sha512"], "ecdsa-sha512"),
)


class EmzaSignsOpensslVerifies(Base):
    def setUp(self):
        super().setUp()
        self.content = bytes(range(256)) * 37 + b"\r\n\x00binary, not text\n"
        self.data = self.write("deed.pdf", self.content)

    def test_openssl_verifies_detached_signatures_of_every_algorithm(self):
        for who, extra, name in ALGORITHMS:
            with self.subTest(who=who, algorithm=name):
                out = self.sign(who, "cades-detached", self.data, self.path("d-%s.p7s" % name),
                                *extra)
                got = self.openssl_verify(out, content=self.data)
                self.assertEqual(got, self.content)
                rep = self.verify_json(out, "--data", self.data, expect_rc=0)
                self.assertEqual(rep["signatures"][0]["signatureAlgorithm"], name)

    def test_openssl_verifies_attached_signatures_of_every_algorithm(self):
        for who, extra, name in ALGORITHMS:
            with self.subTest(who=who, algorithm=name):
                out = self.sign(who, "cades-attached", self.data, self.path("a-%s.p7m" % name),
                                *extra)
                got = self.openssl_verify(out)
                self.assertEqual(got, self.content, "the attached content differs")
                rep = self.verify_json(out, expect_rc=0)
                self.assertEqual(rep["signatures"][0]["signatureAlgorithm"], name)

    def test_openssl_verifies_signatures_from_a_pem_key(self):
        out = self.sign("citizen-ec", "cades-detached", self.data, self.path("pem.p7s"), pem=True)
        self.openssl_verify(out, content=self.data)

    def test_openssl_verifies_every_parallel_signer_and_ignores_countersignatures(self):
        b = self.sign("citizen-rsa", "cades-detached", self.data, self.path("b.p7s"))
        bs = self.sign("citizen-ec", "cades-detached", self.data, self.path("bs.p7s"),
                       "--add-to", b, "--digest", "sha384")
        bsn = self.sign("org-seal", "cades-detached", self.data, self.path("bsn.p7s"),
                        "--add-to", bs, "--pss")
        cs = self.sign("org-seal", "cades-detached", self.data, self.path("cs.p7s"),
                       "--countersign", bs)
        for f in (bs, bsn, cs):
            self.openssl_verify(f, content=self.data)
        rep = self.verify_json(bsn, "--data", self.data, expect_rc=0)
        self.assertEqual(len(rep["signatures"]), 3)
        rep = self.verify_json(cs, "--data", self.data, expect_rc=0)
        self.assertEqual(len(rep["signatures"]), 4)
        counter = [s for s in rep["signatures"]
                   if any(w["code"] == "COUNTERSIGNATURE" for w in s["warnings"])]
        self.assertEqual(len(counter), 2)
        for s in counter:
            self.assertEqual(s["signer"]["legalId"], LEGAL_ORG)

    def test_openssl_rejects_what_emza_signed_once_the_content_changes(self):
        out = self.sign("citizen-ec", "cades-detached", self.data, self.path("x.p7s"))
        other = self.write("other.pdf", self.content + b"!")
        p = self.openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", out, "-content",
                         other, "-CAfile", pki("trust/root.pem"), "-out", os.devnull, check=False)
        self.assertNotEqual(p.returncode, 0)

    def test_openssl_prints_our_signed_attributes(self):
        out = self.sign("citizen-rsa", "cades-detached", self.data, self.path("attrs.p7s"),
                        "--signing-time", "2026-01-02T03:04:05Z")
        printed = self.openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in",
                               out).stdout.decode("utf-8", "replace")
        for name in ("contentType", "signingTime", "messageDigest",
                     "id-smime-aa-signingCertificateV2", "0.4.0.1733.2.1"):
            self.assertIn(name, printed, "openssl cms -cmsout -print does not show " + name)
        self.assertIn("application/pdf", printed)
        self.assertIn("Jan  2 03:04:05 2026 GMT", printed)
        # The message digest is the content's SHA-256, as an OCTET STRING in the DER.
        self.assertIn(b"\x04\x20" + hashlib.sha256(self.content).digest(), self.read(out))
        # Detached: no content inside.
        self.assertIn("eContent: <ABSENT>", printed)

    def test_openssl_prints_the_countersignature_attribute(self):
        c = self.sign("citizen-rsa", "cades-detached", self.data, self.path("c.p7s"))
        cs = self.sign("org-seal", "cades-detached", self.data, self.path("cs.p7s"),
                       "--countersign", c)
        printed = self.openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in",
                               cs).stdout.decode("utf-8", "replace")
        self.assertIn("unsignedAttrs", printed)
        self.assertIn("countersignature (1.2.840.113549.1.9.6)", printed)


# ---------------------------------------------------------------------------
# openssl signs, emza verifies
# ---------------------------------------------------------------------------

class OpensslSignsEmzaVerifies(Base):
    def setUp(self):
        super().setUp()
        self.content = b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
        self.data = self.write("deed.pdf", self.content)

    def openssl_sign(self, who, out, *extra, cades=True):
        args = ["cms", "-sign", "-binary", "-in", self.data, "-signer", pki(who + ".cert.pem"),
                "-inkey", pki(who + ".key.pem"), "-certfile", pki(who + ".chain.pem"),
                "-outform", "DER", "-out", out] + list(extra)
        if cades:
            args.append("-cades")
        self.openssl(*args)
        return out

    def test_emza_verifies_openssl_cades_detached(self):
        cases = (
            ("citizen-rsa", [], "rsa-sha256"),
            ("citizen-rsa", ["-md", "sha512"], "rsa-sha512"),
            ("citizen-rsa", ["-keyopt", "rsa_padding_mode:pss"], "rsa-pss-sha256"),
            ("citizen-ec", [], "ecdsa-sha256"),
            ("citizen-ec", ["-md", "sha384"], "ecdsa-sha384"),
            ("org-seal", ["-keyid"], "rsa-sha256"),
        )
        for who, extra, name in cases:
            with self.subTest(who=who, algorithm=name):
                out = self.openssl_sign(who, self.path("o-%s.p7s" % name), *extra)
                rep = self.verify_json(out, "--data", self.data, expect_rc=0)
                sig = rep["signatures"][0]
                self.assertEqual(sig["indication"], "TOTAL_PASSED")
                self.assertEqual(sig["level"], "CAdES-BASELINE-B")
                self.assertEqual(sig["signatureAlgorithm"], name)
                self.assertEqual(sig["signedObjects"][0]["name"], "deed.pdf")

    def test_emza_verifies_openssl_cades_attached(self):
        for extra in ([], ["-stream"]):  # -stream: BER, indefinite lengths, chunked content
            with self.subTest(extra=extra):
                out = self.openssl_sign("citizen-ec", self.path("o%d.p7m" % len(extra)),
                                        "-nodetach", *extra)
                rep = self.verify_json(out, expect_rc=0)
                self.assertEqual(rep["signatures"][0]["level"], "CAdES-BASELINE-B")

    def test_emza_verifies_openssl_pem_output(self):
        out = self.openssl_sign("citizen-rsa", self.path("o.p7s"), "-outform", "PEM")
        self.assertTrue(self.read(out).startswith(b"-----BEGIN CMS-----"))
        self.verify_json(out, "--data", self.data, expect_rc=0)

    def test_emza_verifies_plain_cms_without_cades_attributes(self):
        out = self.openssl_sign("citizen-ec", self.path("plain.p7s"), cades=False)
        rep = self.verify_json(out, "--data", self.data, expect_rc=0)
        self.assertEqual(rep["signatures"][0]["level"], "CMS")
        out = self.openssl_sign("citizen-rsa", self.path("noattr.p7s"), "-noattr", cades=False)
        rep = self.verify_json(out, "--data", self.data, expect_rc=0)
        self.assertEqual(rep["signatures"][0]["level"], "CMS")

    def test_emza_adds_to_and_countersigns_what_openssl_made(self):
        o = self.openssl_sign("citizen-rsa", self.path("o.p7s"))
        plus = self.sign("citizen-ec", "cades-detached", self.data, self.path("o+e.p7s"),
                         "--add-to", o)
        cs = self.sign("org-seal", "cades-detached", self.data, self.path("o+e+n.p7s"),
                       "--countersign", plus)
        self.openssl_verify(cs, content=self.data)
        rep = self.verify_json(cs, "--data", self.data, expect_rc=0)
        self.assertEqual(len(rep["signatures"]), 4)

    def test_emza_adds_to_and_countersigns_an_openssl_ber_stream(self):
        o = self.openssl_sign("citizen-ec", self.path("ber.p7m"), "-nodetach", "-stream")
        plus = self.sign("citizen-rsa", "cades-attached", self.data, self.path("ber+r.p7m"),
                         "--add-to", o)
        cs = self.sign("org-seal", "cades-attached", self.data, self.path("ber+r+n.p7m"),
                       "--countersign", plus)
        self.assertEqual(self.openssl_verify(cs), self.content)
        rep = self.verify_json(cs, expect_rc=0)
        self.assertEqual(len(rep["signatures"]), 4)

    def test_emza_refuses_openssl_sha1(self):
        out = self.openssl_sign("citizen-rsa", self.path("sha1.p7s"), "-md", "sha1")
        rep = self.verify_json(out, "--data", self.data, expect_rc=2)
        sig = rep["signatures"][0]
        self.assertEqual((sig["indication"], sig["subIndication"]),
                         ("INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"))
        self.assertEqual(sig["signatureAlgorithm"], "rsa-sha1")

    def test_emza_verifies_fifty_openssl_signers(self):
        both = self.write("ec-all.pem", self.read(pki("citizen-ec.cert.pem"))
                          + self.read(pki("citizen-ec.chain.pem")))
        args = ["cms", "-sign", "-binary", "-cades", "-nocerts", "-certfile", both,
                "-in", self.data, "-outform", "DER", "-out", self.path("50.p7s")]
        for _ in range(50):
            args += ["-signer", pki("citizen-ec.cert.pem"), "-inkey", pki("citizen-ec.key.pem")]
        self.openssl(*args)
        rep = self.verify_json(self.path("50.p7s"), "--data", self.data, expect_rc=0)
        self.assertEqual(len(rep["signatures"]), 50)
        self.assertEqual({s["indication"] for s in rep["signatures"]}, {"TOTAL_PASSED"})
        self.assertEqual([s["id"] for s in rep["signatures"]], ["S%d" % i for i in range(50)])


# ---------------------------------------------------------------------------
# exit codes and the JSON report
# ---------------------------------------------------------------------------

class ExitCodesAndJson(Base):
    def setUp(self):
        super().setUp()
        self.data = self.write("deed.pdf", b"%PDF the deed\n")

    def test_exit_0_when_every_signature_passed(self):
        s = self.sign("citizen-rsa", "cades-detached", self.data, self.path("deed.pdf.p7s"))
        r = self.emza("verify", s, "--data", self.data, "--trust", pki("trust/root.pem"))
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(r.err, "")
        self.assertIn("TOTAL_PASSED", r.out)

    def test_exit_1_for_other_content_and_for_random_bytes(self):
        s = self.sign("citizen-rsa", "cades-detached", self.data, self.path("deed.pdf.p7s"))
        other = self.write("other.pdf", b"%PDF the deed.\n")
        rep = self.verify_json(s, "--data", other, expect_rc=1)
        self.assertEqual(rep["signatures"][0]["subIndication"], "HASH_FAILURE")
        rnd = self.write("random.p7s", b"\x30" + random.Random(7).randbytes(3000))
        rep = self.verify_json(rnd, expect_rc=1)
        self.assertEqual(len(rep["signatures"]), 1)
        self.assertEqual(rep["signatures"][0]["subIndication"], "FORMAT_FAILURE")

    def test_exit_2_for_indeterminate(self):
        s = self.sign("citizen-ec", "cades-detached", self.data, self.path("deed.pdf.p7s"))
        r = self.emza("verify", s, "--data", self.data)  # no --trust
        self.assertEqual(r.rc, 2, r.err)
        rep = self.verify_json(s, expect_rc=2)  # no --data
        self.assertEqual(rep["signatures"][0]["subIndication"], "SIGNED_DATA_NOT_FOUND")
        u = self.sign("untrusted", "cades-detached", self.data, self.path("u.p7s"))
        rep = self.verify_json(u, "--data", self.data, expect_rc=2)
        self.assertEqual(rep["signatures"][0]["subIndication"], "NO_CERTIFICATE_CHAIN_FOUND")
        e = self.sign("expired", "cades-detached", self.data, self.path("e.p7s"),
                      "--signing-time", "2020-06-01T00:00:00Z")
        rep = self.verify_json(e, "--data", self.data, expect_rc=2)
        self.assertEqual(rep["signatures"][0]["subIndication"], "OUT_OF_BOUNDS_NO_POE")
        rep = self.verify_json(e, "--data", self.data, "--at", "2020-06-02T00:00:00Z",
                               expect_rc=0)
        self.assertEqual(rep["validationTime"], "2020-06-02T00:00:00Z")
        n = self.sign("no-nonrepudiation", "cades-detached", self.data, self.path("n.p7s"))
        rep = self.verify_json(n, "--data", self.data, expect_rc=2)
        self.assertEqual(rep["signatures"][0]["subIndication"], "CHAIN_CONSTRAINTS_FAILURE")

    def test_exit_3_for_a_cms_with_no_signer(self):
        z = self.write("zero.p7s", ZERO_SIGNER_CMS)
        self.openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", z)  # well-formed
        rep = self.verify_json(z, "--data", self.data, expect_rc=3)
        self.assertEqual(rep["signatures"], [])
        self.assertEqual(rep["document"]["format"], "CAdES")
        r = self.emza("verify", z)
        self.assertEqual(r.rc, 3)

    def test_exit_4_for_usage_and_operational_errors(self):
        s = self.sign("citizen-ec", "cades-detached", self.data, self.path("deed.pdf.p7s"))
        cases = {
            "missing file": ["verify", self.path("missing.p7s")],
            "directory": ["verify", self.dir],
            "missing --data": ["verify", s, "--data", self.path("gone.pdf")],
            "bad --at": ["verify", s, "--at", "yesterday"],
            "bad --trust": ["verify", s, "--trust", self.data],
            "missing --trust": ["verify", s, "--trust", self.path("nope.pem")],
            "two files": ["verify", s, s],
            "no file": ["verify"],
            "unknown option": ["verify", s, "--frobnicate"],
            "other policy": ["verify", s, "--policy", "strict"],
        }
        for what, args in cases.items():
            with self.subTest(what=what):
                self.assert_usage_error(self.emza(*args), what)

    def test_exit_4_for_more_than_64_signers(self):
        both = self.write("ec-all.pem", self.read(pki("citizen-ec.cert.pem"))
                          + self.read(pki("citizen-ec.chain.pem")))
        args = ["cms", "-sign", "-binary", "-cades", "-nocerts", "-certfile", both,
                "-in", self.data, "-outform", "DER", "-out", self.path("65.p7s")]
        for _ in range(65):
            args += ["-signer", pki("citizen-ec.cert.pem"), "-inkey", pki("citizen-ec.key.pem")]
        self.openssl(*args)
        r = self.emza("verify", self.path("65.p7s"), "--data", self.data,
                      "--trust", pki("trust/root.pem"))
        self.assert_usage_error(r, "65 signers")
        self.assertIn("64", r.err)

    def test_json_field_names_are_the_contract_s(self):
        c = self.sign("citizen-rsa", "cades-detached", self.data, self.path("c.p7s"),
                      "--signing-time", "2026-01-02T03:04:05Z")
        cs = self.sign("org-seal", "cades-detached", self.data, self.path("deed.pdf.p7s"),
                       "--countersign", c, "--signing-time", "2026-01-02T03:04:06Z")
        rep = self.verify_json(cs, "--data", self.data, expect_rc=0)
        self.assertEqual(rep["emzaReport"], 1)
        self.assertLessEqual({"emzaReport", "document", "validationTime", "policy", "signatures"},
                             set(rep))
        self.assertLessEqual({"path", "format", "sha256"}, set(rep["document"]))
        self.assertEqual(rep["document"]["format"], "CAdES")
        self.assertEqual(rep["document"]["path"], cs)
        self.assertEqual(rep["document"]["sha256"], hashlib.sha256(self.read(cs)).hexdigest())
        self.assertRegex(rep["validationTime"], ISO_RE)
        self.assertEqual(rep["policy"], "default")
        sig_keys = {"id", "indication", "subIndication", "level", "signatureAlgorithm",
                    "claimedSigningTime", "bestSignatureTime", "signer", "signedObjects",
                    "timestamps", "errors", "warnings"}
        signer_keys = {"subject", "commonName", "givenName", "surname", "nationalCode", "legalId",
                       "certificateSha256"}
        object_keys = {"uri", "name", "digestAlgorithm", "mimeType", "wholeDocument"}
        self.assertEqual(len(rep["signatures"]), 2)
        for sig in rep["signatures"]:
            self.assertLessEqual(sig_keys, set(sig))
            self.assertLessEqual(signer_keys, set(sig["signer"]))
            self.assertRegex(sig["id"], r"^S\d+$")
            self.assertEqual(sig["indication"], "TOTAL_PASSED")
            self.assertIsNone(sig["subIndication"])
            self.assertEqual(sig["level"], "CAdES-BASELINE-B")
            self.assertRegex(sig["claimedSigningTime"], ISO_RE)
            self.assertRegex(sig["bestSignatureTime"], ISO_RE)
            self.assertRegex(sig["signer"]["certificateSha256"], SHA256_RE)
            self.assertEqual(sig["timestamps"], [])
            self.assertEqual(sig["errors"], [])
            for w in sig["warnings"]:
                self.assertEqual(set(w), {"code", "message"})
                self.assertRegex(w["code"], r"^[A-Z_]+$")
            for o in sig["signedObjects"]:
                self.assertLessEqual(object_keys, set(o))
                self.assertIs(o["wholeDocument"], True)
                self.assertIsNone(o["uri"])
        citizen, notary = rep["signatures"]
        self.assertEqual(citizen["signer"]["nationalCode"], NATIONAL_RSA)
        self.assertIsNone(citizen["signer"]["legalId"])
        self.assertEqual(citizen["claimedSigningTime"], "2026-01-02T03:04:05Z")
        self.assertEqual(citizen["signatureAlgorithm"], "rsa-sha256")
        self.assertEqual(citizen["signedObjects"][0]["name"], "deed.pdf")
        self.assertEqual(citizen["signedObjects"][0]["mimeType"], "application/pdf")
        self.assertEqual(citizen["signedObjects"][0]["digestAlgorithm"], "sha256")
        self.assertEqual(citizen["signer"]["certificateSha256"],
                         hashlib.sha256(self.read(pki("citizen-rsa.cert.der"))).hexdigest())
        self.assertEqual(notary["signer"]["legalId"], LEGAL_ORG)
        self.assertIsNone(notary["signer"]["nationalCode"])
        self.assertEqual(notary["claimedSigningTime"], "2026-01-02T03:04:06Z")
        self.assertIn("COUNTERSIGNATURE", [w["code"] for w in notary["warnings"]])
        self.assertIsNone(notary["signedObjects"][0]["mimeType"])

    def test_json_of_a_failure_names_the_error(self):
        s = self.sign("citizen-ec", "cades-attached", self.data, self.path("deed.pdf.p7m"))
        blob = bytearray(self.read(s))
        at = blob.find(b"%PDF the deed")
        self.assertGreater(at, 0)
        blob[at + 5:at + 8] = b"THE"
        t = self.write("tampered.p7m", bytes(blob))
        rep = self.verify_json(t, expect_rc=1)
        sig = rep["signatures"][0]
        self.assertEqual((sig["indication"], sig["subIndication"]), ("TOTAL_FAILED", "HASH_FAILURE"))
        self.assertEqual(sig["errors"][0]["code"], "HASH_MISMATCH")
        self.assertTrue(sig["errors"][0]["message"])


# ---------------------------------------------------------------------------
# bad inputs on the command line
# ---------------------------------------------------------------------------

class CommandLineNegatives(Base):
    def setUp(self):
        super().setUp()
        self.data = self.write("deed.pdf", b"%PDF the deed\n")

    def assert_nothing_written(self, out):
        self.assertFalse(os.path.exists(out), "an output was written: " + out)
        left = [f for f in os.listdir(os.path.dirname(out)) if ".emza-" in f]
        self.assertEqual(left, [], "temporary files left")

    def test_sign_errors_are_one_line_exit_4_and_write_nothing(self):
        out = self.path("out.p7s")
        p12 = ["--key", pki("citizen-ec.p12"), "--pass-env", "EMZA_P12_PASS"]
        junk = self.write("junk.p7s", b"not a CMS at all")
        zero = self.write("zero.p7s", ZERO_SIGNER_CMS)
        enc = self.path("enc.key.pem")
        self.openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", pki("citizen-rsa.key.pem"),
                     "-out", enc, "-passout", "pass:s3cret")
        cases = {
            "no --format": ["sign"] + p12 + ["-o", out, self.data],
            "unknown --format": ["sign", "--format", "cades"] + p12 + ["-o", out, self.data],
            "--level T without --tsa": ["sign", "--format", "cades-detached", "--level", "T"]
            + p12 + ["-o", out, self.data],
            "--level T": ["sign", "--format", "cades-detached", "--level", "T", "--tsa",
                          "http://127.0.0.1:9/"] + p12 + ["-o", out, self.data],
            "asice --countersign": ["sign", "--format", "asice", "--countersign", junk] + p12
            + ["-o", out, self.data],
            "asice --add-to a non-container": ["sign", "--format", "asice", "--add-to", junk]
            + p12 + ["-o", out, self.data],
            "no key": ["sign", "--format", "cades-detached", "-o", out, self.data],
            "p12 without password": ["sign", "--format", "cades-detached", "--key",
                                     pki("citizen-ec.p12"), "-o", out, self.data],
            "unset --pass-env": ["sign", "--format", "cades-detached", "--key",
                                 pki("citizen-ec.p12"), "--pass-env", "EMZA_NOT_SET_ANYWHERE",
                                 "-o", out, self.data],
            "wrong password": ["sign", "--format", "cades-detached", "--key",
                               pki("citizen-ec.p12"), "--pass-env", "WRONG_PASS", "-o", out,
                               self.data],
            "encrypted PEM without password": ["sign", "--format", "cades-detached", "--key",
                                               enc, "--cert", pki("citizen-rsa.cert.pem"),
                                               "-o", out, self.data],
            "encrypted PEM, wrong password": ["sign", "--format", "cades-detached", "--key", enc,
                                              "--cert", pki("citizen-rsa.cert.pem"),
                                              "--pass-env", "WRONG_PASS", "-o", out, self.data],
            "key and certificate differ": ["sign", "--format", "cades-detached", "--key",
                                           pki("citizen-rsa.key.pem"), "--cert",
                                           pki("citizen-ec.cert.pem"), "-o", out, self.data],
            "no -o": ["sign", "--format", "cades-detached"] + p12 + [self.data],
            "no input": ["sign", "--format", "cades-detached"] + p12 + ["-o", out],
            "two inputs": ["sign", "--format", "cades-detached"] + p12 + ["-o", out, self.data,
                                                                          self.data],
            "missing input": ["sign", "--format", "cades-detached"] + p12
            + ["-o", out, self.path("missing.pdf")],
            "md5": ["sign", "--format", "cades-detached", "--digest", "md5"] + p12
            + ["-o", out, self.data],
            "PSS with an EC key": ["sign", "--format", "cades-detached", "--pss"] + p12
            + ["-o", out, self.data],
            "bad --signing-time": ["sign", "--format", "cades-detached", "--signing-time",
                                   "2026-13-01T00:00:00Z"] + p12 + ["-o", out, self.data],
            "--add-to and --countersign": ["sign", "--format", "cades-detached", "--add-to", junk,
                                           "--countersign", junk] + p12 + ["-o", out, self.data],
            "--add-to a non-CMS": ["sign", "--format", "cades-detached", "--add-to", junk] + p12
            + ["-o", out, self.data],
            "--countersign no signer": ["sign", "--format", "cades-detached", "--countersign",
                                        zero] + p12 + ["-o", out, self.data],
            "--pkcs11": ["sign", "--format", "cades-detached", "--pkcs11", "/nonexistent.so",
                         "--pin-env", "X", "-o", out, self.data],
            "output in a missing directory": ["sign", "--format", "cades-detached"] + p12
            + ["-o", self.path("no/such/dir.p7s"), self.data],
        }
        env = emza_env(WRONG_PASS="not-the-password")
        for what, args in cases.items():
            with self.subTest(what=what):
                r = self.emza(*args, env=env)
                self.assert_usage_error(r, what)
                self.assert_nothing_written(out)
        self.assertEqual(self.read(self.data), b"%PDF the deed\n")

    def test_sign_output_equal_to_input_leaves_the_input_untouched(self):
        r = self.emza("sign", "--format", "cades-detached", "--key", pki("citizen-ec.p12"),
                      "--pass-env", "EMZA_P12_PASS", "-o", self.data, self.data)
        self.assert_usage_error(r, "-o INPUT")
        self.assertEqual(self.read(self.data), b"%PDF the deed\n")
        self.assertEqual([f for f in os.listdir(self.dir) if ".emza-" in f], [])

    def test_sign_failure_keeps_an_existing_output(self):
        out = self.write("deed.pdf.p7s", b"older signature")
        r = self.emza("sign", "--format", "cades-detached", "--key", pki("citizen-ec.p12"),
                      "--pass-env", "WRONG_PASS", "-o", out, self.data,
                      env=emza_env(WRONG_PASS="nope"))
        self.assert_usage_error(r, "wrong password")
        r = self.emza("sign", "--format", "cades-detached", "--pss", "--key",
                      pki("citizen-ec.p12"), "--pass-env", "EMZA_P12_PASS", "-o", out, self.data)
        self.assert_usage_error(r, "PSS with an EC key")
        self.assertEqual(self.read(out), b"older signature")
        self.assertEqual([f for f in os.listdir(self.dir) if ".emza-" in f], [])

    def test_interrupted_sign_leaves_no_temporary_file(self):
        # LIBRARY BUG (tools/emza or lib/sign.c): the temporary output
        # OUT.emza-XXXXXX is created before the content is hashed, and nothing
        # removes it when `emza sign` is stopped by SIGINT (Ctrl-C) or SIGTERM.
        # CONTRACT.md: "a failed or interrupted `sign` leaves no partial file".
        # Input: `emza sign --format cades-detached ... -o big.p7s big.bin` on a
        # 4 GiB sparse file, SIGINT after 0.3 s. Expected: no big.p7s*, any exit.
        # Actual: big.p7s.emza-XXXXXX (empty) stays behind.
        big = self.path("big.bin")
        with open(big, "wb") as f:
            f.truncate(4 << 30)
        for sig in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(signal=sig):
                p = subprocess.Popen([TOOL, "sign", "--format", "cades-detached", "--key",
                                      pki("citizen-ec.p12"), "--pass-env", "EMZA_P12_PASS",
                                      "-o", self.path("big.p7s"), big],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env=emza_env())
                time.sleep(0.3)
                running = p.poll() is None
                p.send_signal(sig)
                _, err = p.communicate(timeout=120)
                for marker in CRASH_MARKERS:
                    self.assertNotIn(marker, err.decode("utf-8", "replace"))
                left = sorted(f for f in os.listdir(self.dir) if f.startswith("big.p7s"))
                for f in left:
                    os.unlink(self.path(f))
                if running:
                    self.assertEqual([f for f in left if ".emza-" in f], [],
                                     "an interrupted sign left a temporary file")

    def test_verify_of_broken_inputs_is_a_verdict_or_one_line(self):
        s = self.sign("citizen-rsa", "cades-detached", self.data, self.path("deed.pdf.p7s"))
        c = self.sign("org-seal", "cades-detached", self.data, self.path("c.p7s"),
                      "--countersign", s)
        a = self.sign("citizen-ec", "cades-attached", self.data, self.path("a.p7m"))
        rng = random.Random(4)
        for signed in (s, c, a):
            blob = self.read(signed)
            cuts = list(range(0, len(blob), 97))
            flips = []
            for _ in range(25):
                b = bytearray(blob)
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
                flips.append(bytes(b))
            variants = [blob[:n] for n in cuts] + flips
            for i, v in enumerate(variants):
                with self.subTest(file=os.path.basename(signed), variant=i):
                    t = self.write("broken.p7s", v)
                    r = self.emza("verify", t, "--data", self.data, "--trust",
                                  pki("trust/root.pem"), "--json")
                    if r.rc == 4:
                        self.assert_usage_error(r, "broken input %d" % i)
                        continue
                    self.assertIn(r.rc, (0, 1, 2, 3))
                    self.assertEqual(r.err, "")
                    rep = json.loads(r.out)
                    if i < len(cuts):  # a truncated CMS is never valid
                        self.assertEqual(r.rc, 1)
                        for sig in rep["signatures"]:
                            self.assertEqual(sig["subIndication"], "FORMAT_FAILURE")

    def test_verify_of_random_and_odd_files(self):
        rng = random.Random(11)
        inputs = {
            "empty.p7s": b"",
            "zeros.p7s": bytes(4096),
            "random.p7s": rng.randbytes(5000),
            "der-like.p7s": b"\x30\x82\xff\xff" + rng.randbytes(2000),
            "huge-length.p7s": b"\x30\x84\x7f\xff\xff\xff\x06\x09",
            "pem-junk.p7s": b"-----BEGIN CMS-----\n!!!!\n-----END CMS-----\n",
            "pem-cert.p7s": self.read(pki("citizen-ec.cert.pem")),
            "der-cert.p7s": self.read(pki("citizen-ec.cert.der")),
            "zip.p7s": b"PK\x03\x04" + bytes(100),
        }
        for name, data in inputs.items():
            with self.subTest(file=name):
                t = self.write(name, data)
                r = self.emza("verify", t, "--trust", pki("trust/root.pem"), "--json")
                if r.rc == 4:
                    self.assert_usage_error(r, name)
                    continue
                self.assertEqual(r.rc, 1, "%s: %s" % (name, r.out[:2000]))
                rep = json.loads(r.out)
                self.assertEqual(len(rep["signatures"]), 1)
                self.assertEqual(rep["signatures"][0]["indication"], "TOTAL_FAILED")
                self.assertEqual(rep["signatures"][0]["subIndication"], "FORMAT_FAILURE")


# ---------------------------------------------------------------------------
# the progress bar
# ---------------------------------------------------------------------------

class ProgressBar(Base):
    def test_progress_bar_only_on_a_terminal(self):
        big = self.write("scan.tif", bytes(6 * 1024 * 1024))
        args = [TOOL, "sign", "--format", "cades-detached", "--key", pki("citizen-ec.p12"),
                "--pass-env", "EMZA_P12_PASS"]
        # stderr a pipe: silent.
        r = self.emza(*args[1:], "-o", self.path("pipe.p7s"), big)
        self.assertEqual(r.rc, 0, r.err)
        self.assertEqual(r.err, "")
        # stderr a terminal: a bar that reaches 100%.
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen(args + ["-o", self.path("tty.p7s"), big],
                                 stdout=subprocess.DEVNULL, stderr=slave, env=emza_env())
            os.close(slave)
            slave = None
            seen = b""
            deadline = time.time() + 120
            while time.time() < deadline:
                ready, _, _ = select.select([master], [], [], 0.5)
                if ready:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:
                        break
                    if not chunk:
                        break
                    seen += chunk
                elif p.poll() is not None:
                    break
            rc = p.wait(timeout=120)
        finally:
            os.close(master)
            if slave is not None:
                os.close(slave)
        text = seen.decode("utf-8", "replace")
        self.assertEqual(rc, 0, text)
        for marker in CRASH_MARKERS:
            self.assertNotIn(marker, text)
        self.assertIn("signing", text)
        self.assertIn("100%", text)
        self.openssl_verify(self.path("tty.p7s"), content=big)


if __name__ == "__main__":
    unittest.main()
