#!/usr/bin/env python3
"""Long-term CAdES signatures (levels LT and LTA) and `emza extend`, against real peers.

Run by meson (`meson test lt`) as `python3 tests/interop/lt_test.py -v` with
  EMZA_TOOL         path of the built emza
  EMZA_PKI_DIR      the test PKI made by tests/fixtures/make-pki.sh
  EMZA_TEST_TSA     the built tests/fixtures/test_tsa
  EMZA_SOURCE_ROOT  the source tree (for the revocation fixtures)

Each test class starts, on free loopback ports, the test TSA (test_tsa serve) and
tests/fixtures/revocation-server.py (the real `openssl ocsp` responder on every
request, and CRLs), and issues its own certificates with OCSP URLs pointing there
with tests/fixtures/revocation-pki.sh (`good`, `revoked`, `dead`, ...). Then:
  - `emza sign --level LT|LTA` embeds the chain and the OCSP response: `emza verify
    --offline` given only the root passes at CAdES-BASELINE-LT|LTA, and `openssl cms
    -verify` still accepts the signature;
  - B -> T -> LT -> LTA step by step with `emza extend`, in place and with -o;
  - a certificate revoked after the signature timestamp passes at LT; one revoked
    before is TOTAL_FAILED/REVOKED; offline with nothing embedded is
    INDETERMINATE/TRY_LATER;
  - a byte changed in the embedded OCSP response: INDETERMINATE/TRY_LATER at LT,
    TOTAL_FAILED/HASH_FAILURE at LTA; content changed after LTA: TOTAL_FAILED/HASH_FAILURE;
  - extending to LT with a revoked certificate or an unreachable responder fails with
    one line in words, exit 4, and writes nothing.

Python 3 standard library only.
"""

import json
import os
import select
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

TOOL = os.environ.get("EMZA_TOOL", "")
PKI = os.environ.get("EMZA_PKI_DIR", "")
TEST_TSA = os.environ.get("EMZA_TEST_TSA", "")
SOURCE = os.environ.get("EMZA_SOURCE_ROOT", "")
OPENSSL = shutil.which("openssl")

CRASH_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                 "runtime error", "Segmentation fault", "core dumped")
# id-ri-ocsp-response 1.3.6.1.5.5.7.16.2 and id-aa-ets-archiveTimestampV3 0.4.0.1733.2.4, DER
OID_RI_OCSP = bytes.fromhex("06082b06010505071002")
OID_ATS_V3 = bytes.fromhex("060604008d450204")


def pki(name):
    return os.path.join(PKI, name)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Fixture:
    """The TSA, the OCSP/CRL server and the certificates of one test class."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="emza-lt-")
        self.out = os.path.join(self.dir, "rev")
        os.mkdir(self.out)
        os.mkdir(os.path.join(self.out, "www"))
        self.server = subprocess.Popen(
            ["python3", os.path.join(SOURCE, "tests/fixtures/revocation-server.py"),
             os.path.join(self.out, "www")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        ready, _, _ = select.select([self.server.stdout], [], [], 20)
        line = self.server.stdout.readline().decode("ascii", "replace") if ready else ""
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError("revocation-server.py did not start (%r)" % line)
        base = "http://127.0.0.1:%s" % line.split()[1]
        dead = "http://127.0.0.1:%d" % free_port()
        subprocess.run(["bash", os.path.join(SOURCE, "tests/fixtures/revocation-pki.sh"), PKI,
                        self.out, base, dead], check=True, timeout=300)
        self.tsa, self.tsa_url = self.start_tsa()

    def start_tsa(self, clock=None):
        """A `test_tsa serve` (its clock at `clock` when given): (process, URL)."""
        args = [TEST_TSA, "serve", "--cert", pki("tsa.cert.pem"), "--key", pki("tsa.key.pem"),
                "--chain", pki("tsa.chain.pem"), "--mode", "ok", "--lifetime", "900"]
        if clock is not None:
            args += ["--time", str(clock)]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        ready, _, _ = select.select([proc.stdout], [], [], 10)
        line = proc.stdout.readline().decode("ascii", "replace") if ready else ""
        if not line.strip().isdigit():
            proc.kill()
            proc.wait()
            proc.stdout.close()
            raise RuntimeError("the test TSA did not start (%r)" % line)
        return proc, "http://127.0.0.1:%s/tsa" % line.strip()

    def cert(self, name):
        return os.path.join(self.out, name + ".cert.pem")

    def revoke(self, name):
        env = dict(os.environ, EMZA_CA_DIR=os.path.join(self.out, "db"), TZ="UTC")
        subprocess.run([OPENSSL, "ca", "-batch", "-config",
                        os.path.join(self.out, "revocation.cnf"), "-revoke", self.cert(name),
                        "-crl_reason", "keyCompromise"],
                       env=env, check=True, capture_output=True, timeout=60)

    def stop(self):
        for proc in (getattr(self, "tsa", None), getattr(self, "server", None)):
            if proc is None:
                continue
            if proc.stdin:
                proc.stdin.close()
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdout:
                proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Base(unittest.TestCase):
    fx = None

    @classmethod
    def setUpClass(cls):
        if not (TOOL and PKI and TEST_TSA and SOURCE and OPENSSL):
            raise unittest.SkipTest("EMZA_TOOL, EMZA_PKI_DIR, EMZA_TEST_TSA, EMZA_SOURCE_ROOT "
                                    "and openssl are needed")
        cls.fx = Fixture()
        with open(pki("citizen-ca.cert.pem"), "rb") as a, open(pki("trust/root.pem"), "rb") as b:
            cls.chain = os.path.join(cls.fx.dir, "chain.pem")
            with open(cls.chain, "wb") as f:
                f.write(a.read() + b.read())

    @classmethod
    def tearDownClass(cls):
        if cls.fx is not None:
            cls.fx.stop()

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="case-", dir=self.fx.dir)
        self.data = self.path("deed.txt")
        with open(self.data, "wb") as f:
            f.write(b"a deed signed for the long term\n")

    def path(self, name):
        return os.path.join(self.work, name)

    def run_tool(self, *args, expect=None):
        p = subprocess.run([TOOL] + list(args), capture_output=True, timeout=120)
        err = p.stderr.decode("utf-8", "replace")
        for m in CRASH_MARKERS:
            self.assertNotIn(m, err)
        if expect is not None:
            self.assertEqual(p.returncode, expect, "emza %s: %s" % (" ".join(args), err))
        return p

    def sign(self, name, level, out, fmt="cades-detached", extra=()):
        args = ["sign", "--format", fmt, "--key", os.path.join(self.fx.out, "leaf.key.pem"),
                "--cert", self.fx.cert(name), "--chain", self.chain, "--trust",
                pki("trust/root.pem"), "-o", out]
        if level != "B":
            args += ["--level", level, "--tsa", self.fx.tsa_url]
        return self.run_tool(*(args + list(extra) + [self.data]))

    def extend(self, path, level, *extra, expect=0):
        return self.run_tool("extend", path, "--level", level, "--tsa", self.fx.tsa_url,
                             "--data", self.data, "--trust", pki("trust/root.pem"), *extra,
                             expect=expect)

    def verify(self, path, offline=True, data=None):
        args = ["verify", path, "--data", data or self.data, "--trust", pki("trust/root.pem"),
                "--json"]
        if offline:
            args.append("--offline")
        p = self.run_tool(*args)
        report = json.loads(p.stdout.decode("utf-8"))
        self.assertEqual(len(report["signatures"]), 1)
        return report["signatures"][0], p.returncode

    def assert_verdict(self, sig, indication, sub, level=None):
        self.assertEqual((sig["indication"], sig["subIndication"]), (indication, sub),
                         json.dumps(sig, indent=1, ensure_ascii=False))
        if level is not None:
            self.assertEqual(sig["level"], level)

    def openssl_accepts(self, path, detached=True):
        args = [OPENSSL, "cms", "-verify", "-binary", "-inform", "DER", "-in", path,
                "-CAfile", pki("trust/root.pem"), "-purpose", "any", "-out", os.devnull]
        if detached:
            args += ["-content", self.data]
        p = subprocess.run(args, capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    def write(self, path, data):
        with open(path, "wb") as f:
            f.write(data)


class LongTerm(Base):
    def test_lt__verifies_offline_with_only_the_anchor_and_openssl_accepts_it(self):
        out = self.path("lt.p7s")
        self.sign("good", "LT", out).check_returncode()
        self.assertIn(OID_RI_OCSP, self.read(out))
        sig, code = self.verify(out)
        self.assert_verdict(sig, "TOTAL_PASSED", None, "CAdES-BASELINE-LT")
        self.assertEqual(code, 0)
        self.assertEqual([t["type"] for t in sig["timestamps"]], ["SIGNATURE"])
        self.openssl_accepts(out)

    def test_lt__ocsp_produced_before_the_timestamp_warns(self):
        # A TSA whose clock runs two minutes ahead: the OCSP response fetched just after the
        # timestamp was produced before the timestamp's time.
        ahead = int(time.time()) + 120
        proc, url = self.fx.start_tsa(clock=ahead)
        try:
            out = self.path("early.p7s")
            p = self.run_tool("sign", "--format", "cades-detached", "--key",
                              os.path.join(self.fx.out, "leaf.key.pem"), "--cert",
                              self.fx.cert("good"), "--chain", self.chain, "--level", "LT",
                              "--tsa", url, "-o", out, self.data)
            self.assertEqual(p.returncode, 0, p.stderr.decode())
        finally:
            proc.terminate()
            proc.wait(10)
            proc.stdout.close()
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ahead + 60))
        p = self.run_tool("verify", out, "--data", self.data, "--trust", pki("trust/root.pem"),
                          "--offline", "--at", at, "--json")
        sig = json.loads(p.stdout.decode("utf-8"))["signatures"][0]
        self.assert_verdict(sig, "TOTAL_PASSED", None, "CAdES-BASELINE-LT")
        self.assertIn("OCSP_BEFORE_SIGNATURE_TIME", [w["code"] for w in sig["warnings"]])
        # An ordinary LT signature has no such warning.
        normal = self.path("normal.p7s")
        self.sign("good", "LT", normal).check_returncode()
        sig, _ = self.verify(normal)
        self.assertNotIn("OCSP_BEFORE_SIGNATURE_TIME", [w["code"] for w in sig["warnings"]])

    def test_lta__archive_timestamp_before_the_signature_timestamp_is_an_order_failure(self):
        ahead = int(time.time()) + 600
        proc, url = self.fx.start_tsa(clock=ahead)
        try:
            t = self.path("t.p7s")
            p = self.run_tool("sign", "--format", "cades-detached", "--key",
                              os.path.join(self.fx.out, "leaf.key.pem"), "--cert",
                              self.fx.cert("good"), "--chain", self.chain, "--level", "T",
                              "--tsa", url, "-o", t, self.data)
            self.assertEqual(p.returncode, 0, p.stderr.decode())
        finally:
            proc.terminate()
            proc.wait(10)
            proc.stdout.close()
        self.extend(t, "LTA")  # the archive timestamp from the TSA on the real clock
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ahead + 60))
        p = self.run_tool("verify", t, "--data", self.data, "--trust", pki("trust/root.pem"),
                          "--offline", "--at", at, "--json")
        sig = json.loads(p.stdout.decode("utf-8"))["signatures"][0]
        self.assert_verdict(sig, "INDETERMINATE", "TIMESTAMP_ORDER_FAILURE", "CAdES-BASELINE-LTA")
        self.assertIn("ARCHIVE_TIMESTAMP_BEFORE_SIGNATURE_TIMESTAMP",
                      [e["code"] for e in sig["errors"]])

    def test_lt__covers_the_countersigners_chain_too(self):
        t = self.path("t.p7s")
        self.sign("good", "T", t).check_returncode()
        for who, expect in (("dead", 4), ("crl-good", 0)):
            c = self.path("c-%s.p7s" % who)
            self.sign(who, "T", c, extra=("--countersign", t)).check_returncode()
            p = self.extend(c, "LT", expect=expect)
            if expect:
                self.assertIn("Emza Revocation dead", p.stderr.decode())
                continue
            p = self.run_tool("verify", c, "--data", self.data, "--trust", pki("trust/root.pem"),
                              "--offline", "--json")
            sigs = json.loads(p.stdout.decode("utf-8"))["signatures"]
            self.assertEqual(len(sigs), 2)
            for sig in sigs:
                self.assert_verdict(sig, "TOTAL_PASSED", None, "CAdES-BASELINE-LT")

    def test_lta__verifies_offline_and_openssl_accepts_it(self):
        out = self.path("lta.p7m")
        self.sign("good", "LTA", out, fmt="cades-attached").check_returncode()
        self.assertIn(OID_ATS_V3, self.read(out))
        sig, code = self.verify(out)
        self.assert_verdict(sig, "TOTAL_PASSED", None, "CAdES-BASELINE-LTA")
        self.assertEqual(sorted(t["indication"] for t in sig["timestamps"]),
                         ["PASSED", "PASSED"])
        self.openssl_accepts(out, detached=False)

    def test_extend__b_to_t_to_lt_to_lta_step_by_step(self):
        b = self.path("b.p7s")
        self.sign("good", "B", b).check_returncode()
        sig, _ = self.verify(b)
        # Offline with nothing embedded: the declared OCSP source cannot be consulted.
        self.assert_verdict(sig, "INDETERMINATE", "TRY_LATER", "CAdES-BASELINE-B")
        t = self.path("t.p7s")
        self.extend(b, "T", "-o", t)
        sig, _ = self.verify(t)
        self.assert_verdict(sig, "INDETERMINATE", "TRY_LATER", "CAdES-BASELINE-T")
        sig, _ = self.verify(t, offline=False)
        self.assert_verdict(sig, "TOTAL_PASSED", None, "CAdES-BASELINE-T")
        self.extend(t, "LT")  # in place
        sig, _ = self.verify(t)
        self.assert_verdict(sig, "TOTAL_PASSED", None, "CAdES-BASELINE-LT")
        self.extend(t, "LTA")
        sig, _ = self.verify(t)
        self.assert_verdict(sig, "TOTAL_PASSED", None, "CAdES-BASELINE-LTA")
        self.extend(t, "LTA")  # a further archive timestamp
        sig, _ = self.verify(t)
        self.assert_verdict(sig, "TOTAL_PASSED", None, "CAdES-BASELINE-LTA")
        self.assertEqual([x["type"] for x in sig["timestamps"]].count("ARCHIVE"), 2)
        self.openssl_accepts(t)
        # The original B file was left as it was.
        sig, _ = self.verify(b, offline=False)
        self.assertEqual(sig["level"], "CAdES-BASELINE-B")

    def test_lt__a_byte_changed_in_the_embedded_ocsp_response(self):
        for level, verdict in (("LT", ("INDETERMINATE", "TRY_LATER")),
                               ("LTA", ("TOTAL_FAILED", "HASH_FAILURE"))):
            out = self.path(level + ".p7s")
            self.sign("good", level, out).check_returncode()
            der = self.read(out)
            at = der.index(OID_RI_OCSP) + len(OID_RI_OCSP)
            # Inside the OCSPResponse, near its end (its signature): DER stays well-formed.
            ocsp_len = int.from_bytes(der[at + 2:at + 4], "big") if der[at + 1] == 0x82 else 0
            self.assertGreater(ocsp_len, 64)
            pos = at + 4 + ocsp_len - 8
            self.write(out, der[:pos] + bytes([der[pos] ^ 0x01]) + der[pos + 1:])
            sig, _ = self.verify(out)
            self.assert_verdict(sig, verdict[0], verdict[1])
            if level == "LTA":
                self.assertIn("ARCHIVE_TIMESTAMP_MISMATCH", [e["code"] for e in sig["errors"]])

    def test_lta__content_changed_afterwards_fails(self):
        out = self.path("lta.p7s")
        self.sign("good", "LTA", out).check_returncode()
        other = self.path("other.txt")
        self.write(other, b"a deed signed for the long term?\n")
        sig, _ = self.verify(out, data=other)
        self.assert_verdict(sig, "TOTAL_FAILED", "HASH_FAILURE")
        codes = [e["code"] for e in sig["errors"]]
        self.assertIn("HASH_MISMATCH", codes)
        self.assertIn("ARCHIVE_TIMESTAMP_MISMATCH", codes)

    def test_lt__revoked_before_the_signature_is_refused_and_fails(self):
        t = self.path("t.p7s")
        self.sign("revoked", "T", t).check_returncode()
        sig, code = self.verify(t, offline=False)
        self.assert_verdict(sig, "TOTAL_FAILED", "REVOKED")
        self.assertEqual(code, 1)
        before = self.read(t)
        p = self.extend(t, "LT", "-o", self.path("lt.p7s"), expect=4)
        self.assertIn("revoked", p.stderr.decode())
        self.assertEqual(len(p.stderr.decode().strip().splitlines()), 1)
        self.assertFalse(os.path.exists(self.path("lt.p7s")))
        p = self.extend(t, "LT", expect=4)  # in place: untouched
        self.assertEqual(self.read(t), before)
        p = self.sign("revoked", "LT", self.path("direct.p7s"))
        self.assertEqual(p.returncode, 4)
        self.assertFalse(os.path.exists(self.path("direct.p7s")))

    def test_lt__unreachable_revocation_is_refused(self):
        t = self.path("t.p7s")
        self.sign("dead", "T", t).check_returncode()
        before = self.read(t)
        p = self.extend(t, "LT", "-o", self.path("lt.p7s"), expect=4)
        self.assertIn("revocation", p.stderr.decode())
        self.assertFalse(os.path.exists(self.path("lt.p7s")))
        self.extend(t, "LT", expect=4)
        self.assertEqual(self.read(t), before)
        self.assertEqual(sorted(os.listdir(self.work)), ["deed.txt", "t.p7s"])

    def test_sign_offline__lt_needs_the_network_here(self):
        p = self.sign("good", "LT", self.path("x.p7s"), extra=("--offline",))
        self.assertEqual(p.returncode, 4)
        self.assertIn("offline", p.stderr.decode())
        self.assertFalse(os.path.exists(self.path("x.p7s")))

    def test_extend_offline__lt_from_what_is_embedded_only(self):
        lt = self.path("lt.p7s")
        self.sign("good", "LT", lt).check_returncode()
        # Already LT: offline, the embedded response serves again; nothing new is fetched.
        self.extend(lt, "LT", "--offline", "-o", self.path("again.p7s"))
        sig, _ = self.verify(self.path("again.p7s"))
        self.assert_verdict(sig, "TOTAL_PASSED", None, "CAdES-BASELINE-LT")
        t = self.path("t.p7s")
        self.sign("good", "T", t).check_returncode()
        p = self.extend(t, "LT", "--offline", "-o", self.path("no.p7s"), expect=4)
        self.assertIn("offline", p.stderr.decode())
        self.assertFalse(os.path.exists(self.path("no.p7s")))


class RevokedLater(Base):
    """Its own certificates: `good` is revoked during the test."""

    def test_lt__revoked_after_the_signature_timestamp_still_passes(self):
        lt = self.path("lt.p7s")
        self.sign("good", "LT", lt).check_returncode()
        t = self.path("t.p7s")
        self.sign("good", "T", t).check_returncode()
        self.fx.revoke("good")
        for offline in (True, False):
            sig, code = self.verify(lt, offline=offline)
            self.assert_verdict(sig, "TOTAL_PASSED", None, "CAdES-BASELINE-LT")
            self.assertEqual(code, 0)
        # But no signature is raised to LT with a certificate revoked now.
        p = self.extend(t, "LT", "-o", self.path("late.p7s"), expect=4)
        self.assertIn("revoked", p.stderr.decode())
        self.assertFalse(os.path.exists(self.path("late.p7s")))


if __name__ == "__main__":
    unittest.main()
