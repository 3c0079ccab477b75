#!/usr/bin/env python3
"""RFC 3161 timestamps and CAdES level T through the command line, against real peers.

Run by meson (`meson test timestamp`) as `python3 tests/interop/timestamp_test.py -v` with
  EMZA_TOOL      path of the built emza
  EMZA_PKI_DIR   the test PKI made by tests/fixtures/make-pki.sh (every .p12 has the
                 password emza-test)
  EMZA_TEST_TSA  the built tests/fixtures/test_tsa (see tests/fixtures/README.md)

The suite starts its own TSAs on free loopback ports (test_tsa serve, OpenSSL's
TS_RESP_CTX) and stops them at the end: one on the real clock, one whose clock
says 2020-06-01T00:05:00Z (with a TSA certificate valid since 2019, issued here
by test_tsa mkcert), one under an untrusted hierarchy, and misbehaving ones
(slow, 100 MB, replaying an old response, refusing). Then:
  - `emza sign --level T` makes CAdES-BASELINE-T that `emza verify` passes with
    the timestamp in the report and the best signature time from it;
  - `openssl cms -verify` still accepts the signature, and `openssl ts -verify`
    accepts the token we embedded (taken out of the DER here) over the
    signature value;
  - an expired certificate passes with a 2020 timestamp and is
    INDETERMINATE/OUT_OF_BOUNDS_NO_POE without;
  - a token moved onto another signature is FAILED, an untrusted TSA
    INDETERMINATE, and the best signature time falls back to the validation time;
  - a TSA that is down, slow, answers 100 MB, replays or refuses makes `emza sign`
    fail in bounded time with one line in words, exit 4, and no output file.

Python 3 standard library only.
"""

import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
import unittest

TOOL = os.environ.get("EMZA_TOOL", "")
PKI = os.environ.get("EMZA_PKI_DIR", "")
TEST_TSA = os.environ.get("EMZA_TEST_TSA", "")
OPENSSL = shutil.which("openssl")
P12_PASSWORD = "emza-test"

CRASH_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                 "runtime error", "Segmentation fault", "core dumped")
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

# id-aa-timeStampToken, 1.2.840.113549.1.9.16.2.14, as a DER OID
OID_TIMESTAMP_TOKEN = bytes.fromhex("060b2a864886f70d010910020e")

T_2019_06_01 = 1559347200
T_2020_06_01_0005 = 1590969900
FOUR_YEARS = 4 * 365 * 86400

WORK = None      # module temporary directory
SERVERS = {}     # name -> TSA
CERTS = {}       # name -> minted certificate path


def pki(name):
    return os.path.join(PKI, name)


# ---------------------------------------------------------------------------
# The test TSA
# ---------------------------------------------------------------------------

class TSA:
    """One `test_tsa serve` process on a free loopback port."""

    def __init__(self, cert=None, chain=None, mode="ok", clock=None, delay=None):
        args = [TEST_TSA, "serve", "--cert", cert or pki("tsa.cert.pem"),
                "--key", pki("tsa.key.pem"), "--chain", chain or pki("tsa.chain.pem"),
                "--mode", mode, "--lifetime", "600"]
        if clock is not None:
            args += ["--time", str(clock)]
        if delay is not None:
            args += ["--delay", str(delay)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline().decode("ascii", "replace") if ready else ""
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError("the test TSA did not start (%r)" % line)
        self.url = "http://127.0.0.1:%s/tsa" % line.strip()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def mint(name, ca, cn, not_before, not_after):
    out = os.path.join(WORK, name + ".cert.pem")
    subprocess.run([TEST_TSA, "mkcert", "--ca-cert", pki(ca + ".cert.pem"),
                    "--ca-key", pki(ca + ".key.pem"), "--key", pki("tsa.key.pem"),
                    "--cn", cn, "--not-before", str(not_before), "--not-after", str(not_after),
                    "--out", out], check=True, timeout=60)
    return out


def dead_url():
    """A loopback URL where nothing listens (a port a TSA just gave back)."""
    t = TSA()
    url = t.url
    t.stop()
    return url


def setUpModule():
    global WORK
    if not TOOL or not os.access(TOOL, os.X_OK):
        raise RuntimeError("EMZA_TOOL must name the built emza executable (got %r)" % TOOL)
    if not PKI or not os.path.isfile(pki("trust/root.pem")):
        raise RuntimeError("EMZA_PKI_DIR must name the generated test PKI (got %r)" % PKI)
    if not TEST_TSA or not os.access(TEST_TSA, os.X_OK):
        raise RuntimeError("EMZA_TEST_TSA must name the built test_tsa (got %r)" % TEST_TSA)
    if OPENSSL is None:
        raise RuntimeError("the openssl tool is needed as a peer")
    WORK = tempfile.mkdtemp(prefix="emza-timestamp-")
    now = int(time.time())
    CERTS["tsa-2019"] = mint("tsa-2019", "citizen-ca", "Emza Test TSA 2019", T_2019_06_01,
                             now + FOUR_YEARS)
    CERTS["tsa-untrusted"] = mint("tsa-untrusted", "untrusted-ca", "Emza Untrusted TSA",
                                  now - 86400, now + FOUR_YEARS)
    try:
        SERVERS["now"] = TSA()
        SERVERS["2020"] = TSA(cert=CERTS["tsa-2019"], clock=T_2020_06_01_0005)
        SERVERS["untrusted"] = TSA(cert=CERTS["tsa-untrusted"], chain=pki("untrusted.chain.pem"))
    except Exception:
        tearDownModule()
        raise


def tearDownModule():
    for t in SERVERS.values():
        t.stop()
    SERVERS.clear()
    if WORK:
        shutil.rmtree(WORK, ignore_errors=True)


# ---------------------------------------------------------------------------
# DER, just enough to take a SignerInfo's signature value and timestamp out
# ---------------------------------------------------------------------------

def der_item(buf, pos):
    """(tag, start of contents, end of contents) of the TLV at pos."""
    tag = buf[pos]
    length = buf[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(buf[pos:pos + n], "big")
        pos += n
    return tag, pos, pos + length


def der_children(buf, start, end):
    pos = start
    while pos < end:
        tag, cs, ce = der_item(buf, pos)
        yield tag, pos, cs, ce
        pos = ce


def first_signer_info(cms):
    _, cs, ce = der_item(cms, 0)                         # ContentInfo
    items = list(der_children(cms, cs, ce))
    _, _, cs, ce = items[1]                              # [0]
    _, cs, ce = der_item(cms, cs)                        # SignedData
    sets = [c for c in der_children(cms, cs, ce) if c[0] == 0x31]
    _, _, cs, ce = sets[-1]                              # signerInfos
    _, _, cs, ce = next(der_children(cms, cs, ce))       # the first SignerInfo
    return list(der_children(cms, cs, ce))


def signature_value_and_token(cms):
    """The signature value of signer 0 and the DER of its first signature timestamp."""
    fields = first_signer_info(cms)
    value = next(cms[cs:ce] for tag, _, cs, ce in fields if tag == 0x04)
    token = None
    for tag, _, cs, ce in fields:
        if tag != 0xA1:
            continue
        for _, _, acs, ace in der_children(cms, cs, ce):   # Attribute
            parts = list(der_children(cms, acs, ace))
            oid = cms[parts[0][1]:parts[0][3]]
            if oid == OID_TIMESTAMP_TOKEN:
                _, vstart, vcs, vce = next(der_children(cms, parts[1][2], parts[1][3]))
                token = (vstart, vce)
    return value, token


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

class Run:
    def __init__(self, rc, out, err, seconds):
        self.rc, self.out, self.err, self.seconds = rc, out, err, seconds

    def err_lines(self):
        return [line for line in self.err.split("\n") if line != ""]


class Base(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="emza-timestamp-test-")
        self.dir = self._tmp.name
        self.data = self.write("deed.pdf", b"%PDF the deed\n")

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    def emza(self, *args, timeout=120):
        env = dict(os.environ)
        env["EMZA_P12_PASS"] = P12_PASSWORD
        start = time.monotonic()
        p = subprocess.run([TOOL] + [str(a) for a in args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=timeout)
        r = Run(p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"), time.monotonic() - start)
        self.assertGreaterEqual(r.rc, 0, "emza was killed by signal %d: %s" % (-r.rc, r.err))
        for marker in CRASH_MARKERS:
            self.assertNotIn(marker, r.err)
        return r

    def sign(self, who, out, *extra, fmt="cades-detached", ok=True):
        """Signs the deed into `out`: returns `out`, or with ok=False the Run."""
        r = self.emza("sign", "--format", fmt, "--key", pki(who + ".p12"), "--pass-env",
                      "EMZA_P12_PASS", *extra, "-o", out, self.data)
        if not ok:
            return r
        self.assertEqual(r.rc, 0, "emza sign as %s: %s" % (who, r.err))
        self.assertEqual(r.err, "")
        return out

    def sign_t(self, who, out, server, *extra, **kw):
        return self.sign(who, out, "--level", "T", "--tsa", SERVERS[server].url
                         if server in SERVERS else server, *extra, **kw)

    def verify(self, signed, expect_rc, *extra):
        r = self.emza("verify", signed, "--trust", pki("trust/root.pem"), "--offline", "--json",
                      "--data", self.data, *extra)
        self.assertEqual(r.rc, expect_rc, "verify %s: exit %d, stderr %r, stdout %s"
                         % (signed, r.rc, r.err, r.out[:3000]))
        return json.loads(r.out)

    def assert_fails_cleanly(self, r, out, what, seconds=None):
        """Exit 4, one stderr line in words, nothing on stdout, no output file."""
        self.assertEqual(r.rc, 4, "%s: exit %d, stderr %r" % (what, r.rc, r.err))
        lines = r.err_lines()
        self.assertEqual(len(lines), 1, "%s: %r" % (what, lines))
        self.assertTrue(lines[0].startswith("emza"), lines[0])
        self.assertNotRegex(lines[0], r"error:[0-9A-F]{8}:", "%s: raw OpenSSL codes" % what)
        self.assertEqual(r.out, "")
        self.assertFalse(os.path.exists(out), "%s left %s" % (what, out))
        self.assertEqual([f for f in os.listdir(self.dir) if ".emza-" in f], [])
        if seconds is not None:
            self.assertLess(r.seconds, seconds, "%s took %.1f s" % (what, r.seconds))
        return lines[0]


class LevelT(Base):
    def test_level_t_round_trip_reports_the_timestamp_and_best_time(self):
        for who, fmt, name in (("citizen-ec", "cades-detached", "deed.pdf.p7s"),
                               ("citizen-rsa", "cades-attached", "deed.pdf.p7m")):
            with self.subTest(who=who, fmt=fmt):
                out = self.sign_t(who, self.path(name), "now", fmt=fmt)
                rep = self.verify(out, 0)
                sig = rep["signatures"][0]
                self.assertEqual(sig["indication"], "TOTAL_PASSED")
                self.assertEqual(sig["level"], "CAdES-BASELINE-T")
                self.assertEqual(len(sig["timestamps"]), 1)
                ts = sig["timestamps"][0]
                self.assertEqual(ts["type"], "SIGNATURE")
                self.assertEqual(ts["indication"], "PASSED")
                self.assertEqual(ts["tsa"], "Emza Test TSA")
                self.assertRegex(ts["time"], ISO_RE)
                self.assertEqual(sig["bestSignatureTime"], ts["time"])
                self.assertLessEqual(ts["time"], rep["validationTime"])
                codes = [w["code"] for w in sig["warnings"]]
                self.assertFalse([c for c in codes if c.startswith("TIMESTAMP_")], codes)
                text = self.emza("verify", out, "--trust", pki("trust/root.pem"), "--offline",
                                 "--data", self.data)
                self.assertEqual(text.rc, 0)
                self.assertIn("Timestamp:", text.out)
                self.assertIn("Emza Test TSA", text.out)

    def test_openssl_cms_verify_still_accepts_level_t(self):
        det = self.sign_t("citizen-ec", self.path("d.p7s"), "now")
        att = self.sign_t("citizen-rsa", self.path("a.p7m"), "now", "--pss", fmt="cades-attached")
        for signed, content in ((det, self.data), (att, None)):
            args = ["cms", "-verify", "-binary", "-inform", "DER", "-in", signed,
                    "-CAfile", pki("trust/root.pem"), "-out", self.path("out.bin")]
            if content:
                args += ["-content", content]
            p = subprocess.run([OPENSSL] + args, capture_output=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))
            self.assertIn(b"Verification successful", p.stderr)
            self.assertEqual(self.read(self.path("out.bin")), b"%PDF the deed\n")

    def test_openssl_ts_verify_accepts_the_embedded_token(self):
        out = self.sign_t("citizen-rsa", self.path("deed.pdf.p7s"), "now")
        cms = self.read(out)
        value, (start, end) = signature_value_and_token(cms)
        token = self.write("token.der", cms[start:end])
        stamped = self.write("signature-value.bin", value)
        p = subprocess.run([OPENSSL, "ts", "-verify", "-token_in", "-in", token, "-data", stamped,
                            "-CAfile", pki("trust/root.pem"), "-untrusted",
                            pki("tsa.chain.pem")], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))
        self.assertIn(b"Verification: OK", p.stdout)
        # and refuses it over anything else
        other = self.write("other.bin", value[:-1] + bytes([value[-1] ^ 1]))
        p = subprocess.run([OPENSSL, "ts", "-verify", "-token_in", "-in", token, "-data", other,
                            "-CAfile", pki("trust/root.pem")], capture_output=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)

    def test_expired_signer_passes_with_a_2020_timestamp_and_not_without(self):
        out = self.sign_t("expired", self.path("t.p7s"), "2020",
                          "--signing-time", "2020-06-01T00:00:00Z")
        sig = self.verify(out, 0)["signatures"][0]
        self.assertEqual(sig["indication"], "TOTAL_PASSED")
        self.assertEqual(sig["bestSignatureTime"], "2020-06-01T00:05:00Z")
        self.assertEqual(sig["timestamps"][0]["time"], "2020-06-01T00:05:00Z")
        self.assertEqual(sig["timestamps"][0]["tsa"], "Emza Test TSA 2019")

        out = self.sign("expired", self.path("b.p7s"), "--signing-time", "2020-06-01T00:00:00Z")
        rep = self.verify(out, 2)
        sig = rep["signatures"][0]
        self.assertEqual(sig["indication"], "INDETERMINATE")
        self.assertEqual(sig["subIndication"], "OUT_OF_BOUNDS_NO_POE")
        self.assertEqual(sig["bestSignatureTime"], rep["validationTime"])

    def test_a_token_over_other_data_fails_and_the_time_falls_back(self):
        # Two level-T signatures of the same content (ECDSA: two signature values);
        # the first one's token is put in place of the second one's when both are
        # as long (the nonce's length varies by a byte).
        for attempt in range(20):
            a = self.read(self.sign_t("citizen-ec", self.path("a.p7s"), "now"))
            b = self.read(self.sign_t("citizen-ec", self.path("b.p7s"), "now"))
            _, (a0, a1) = signature_value_and_token(a)
            _, (b0, b1) = signature_value_and_token(b)
            if a1 - a0 == b1 - b0:
                break
        else:
            self.fail("no two tokens of the same length in 20 attempts")
        moved = self.write("deed.pdf.p7s", b[:b0] + a[a0:a1] + b[b1:])
        rep = self.verify(moved, 0, "--at", "2030-01-01T00:00:00Z")
        sig = rep["signatures"][0]
        self.assertEqual(sig["indication"], "TOTAL_PASSED")
        self.assertEqual(sig["timestamps"][0]["indication"], "FAILED")
        self.assertIn("TIMESTAMP_FAILED", [w["code"] for w in sig["warnings"]])
        self.assertEqual(sig["bestSignatureTime"], "2030-01-01T00:00:00Z")

    def test_an_untrusted_tsa_is_indeterminate_and_the_time_falls_back(self):
        out = self.sign_t("citizen-ec", self.path("u.p7s"), "untrusted")
        rep = self.verify(out, 0)
        sig = rep["signatures"][0]
        self.assertEqual(sig["indication"], "TOTAL_PASSED")
        self.assertEqual(sig["timestamps"][0]["indication"], "INDETERMINATE")
        self.assertEqual(sig["timestamps"][0]["tsa"], "Emza Untrusted TSA")
        self.assertIn("TIMESTAMP_INDETERMINATE", [w["code"] for w in sig["warnings"]])
        self.assertEqual(sig["bestSignatureTime"], rep["validationTime"])


class TSAFailures(Base):
    def test_server_down_fails_fast(self):
        out = self.path("down.p7s")
        r = self.sign_t("citizen-ec", out, dead_url(), ok=False)
        self.assert_fails_cleanly(r, out, "server down", seconds=10)

    def test_slow_server_times_out(self):
        t = TSA(mode="slow", delay=60)
        try:
            out = self.path("slow.p7s")
            r = self.sign_t("citizen-ec", out, t.url, ok=False)
            # The default timeout (EMZA_NETWORK_TIMEOUT_DEFAULT, 10 s) bounds it.
            self.assert_fails_cleanly(r, out, "slow server", seconds=30)
            self.assertGreater(r.seconds, 5)
        finally:
            t.stop()

    def test_a_100_mb_answer_is_refused(self):
        t = TSA(mode="huge")
        try:
            out = self.path("huge.p7s")
            r = self.sign_t("citizen-ec", out, t.url, ok=False)
            self.assert_fails_cleanly(r, out, "100 MB", seconds=20)
        finally:
            t.stop()

    def test_a_replayed_response_is_refused(self):
        t = TSA(mode="replay")
        try:
            # RSA PKCS#1 v1.5 with the same signing time: the same signature value, so the
            # replayed token's imprint fits, and only its nonce gives it away.
            first = self.sign_t("citizen-rsa", self.path("first.p7s"), t.url,
                                "--signing-time", "2026-01-01T00:00:00Z")
            self.assertTrue(os.path.exists(first))
            out = self.path("second.p7s")
            r = self.sign_t("citizen-rsa", out, t.url, "--signing-time", "2026-01-01T00:00:00Z",
                            ok=False)
            line = self.assert_fails_cleanly(r, out, "replay")
            self.assertIn("nonce", line)
        finally:
            t.stop()

    def test_a_refusal_or_a_wrong_clock_is_refused(self):
        cases = (("rejected", None, "rejection"),
                 ("ok", 1590969600, "before the TSA certificate's validity"))
        for mode, clock, says in cases:
            with self.subTest(mode=mode):
                t = TSA(mode=mode, clock=clock)
                try:
                    out = self.path("x.p7s")
                    r = self.sign_t("citizen-ec", out, t.url, ok=False)
                    self.assertIn(says, self.assert_fails_cleanly(r, out, mode))
                finally:
                    t.stop()

    def test_levels_this_build_cannot_make(self):
        out = self.path("x.p7s")
        cases = {
            "--level T without --tsa": ["--level", "T"],
            # LT and LTA are made now (lt_test.py); offline no timestamp can be had.
            "--level LT --offline": ["--level", "LT", "--tsa", SERVERS["now"].url, "--offline"],
        }
        for what, extra in cases.items():
            with self.subTest(what=what):
                r = self.sign("citizen-ec", out, *extra, ok=False)
                self.assert_fails_cleanly(r, out, what)
        # XAdES levels T, LT and LTA: tests/interop/xades_lt_test.py


if __name__ == "__main__":
    unittest.main()
