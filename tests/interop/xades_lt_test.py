#!/usr/bin/env python3
"""XAdES baseline levels T, LT and LTA through the command line, against real peers.

Run by meson (`meson test xades_lt`) as `python3 tests/interop/xades_lt_test.py -v` with
  EMZA_TOOL      path of the built emza
  EMZA_PKI_DIR   the test PKI made by tests/fixtures/make-pki.sh (password emza-test)
  EMZA_TEST_TSA  the built tests/fixtures/test_tsa

The suite reuses the TSAs of the timestamp suite (timestamp_test.TSA: `test_tsa serve`
on free loopback ports, one on the real clock, one whose clock says 2020) and the
revocation fixtures (tests/fixtures/revocation-server.py serving the `openssl ocsp`
responders and CRLs that tests/fixtures/revocation-pki.sh sets up for certificates
whose AIA and CDP name the server's port). Then:
  - `emza sign --level T` makes XAdES-BASELINE-T for every XAdES form, which `emza
    verify` passes with timestamps[0] SIGNATURE and the best signature time from it;
    `xmlsec1 verify` still accepts the core signature, and `openssl ts -verify`
    accepts the token over the SignatureValue element canonicalized by `xmllint
    --exc-c14n` (an independent canonicalizer);
  - an expired certificate passes with a 2020 timestamp; a timestamp over another
    signature's value is FAILED and proves no time;
  - XAdES-LT and -LTA made here with a certificate that has an OCSP responder
    verify with `--offline` given only the trust anchor (and xmlsec1 accepts
    them), while level T does not (TRY_LATER);
  - a certificate revoked after the LT signature still passes; signing LT with a
    revoked certificate or unreachable revocation data fails with no output;
  - a byte changed in an embedded value, the SignatureValue or the content after
    LTA is TOTAL_FAILED with the exact sub-indication;
  - B -> T -> LT -> LTA -> LTA by `emza extend` (when the tool has the command);
  - the limits on unsigned properties (timestamps, revocation values, token size)
    are FORMAT_FAILURE when crossed and not at the limit.

Python 3 standard library only.
"""

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import timestamp_test as tst  # noqa: E402  (the TSA fixture of the timestamp suite)

TOOL = tst.TOOL
PKI = tst.PKI
OPENSSL = tst.OPENSSL
XMLSEC = shutil.which("xmlsec1")
XMLLINT = shutil.which("xmllint")
P12_PASSWORD = tst.P12_PASSWORD
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(SOURCE_ROOT, "tests", "fixtures")

NS_DS = "http://www.w3.org/2000/09/xmldsig#"
DEED = "<deed><owner>Ali Rezaei</owner><area>1000000000</area></deed>\n"

# The limits of lib/xades_internal.h and lib/tsp.h.
TSP_TIMESTAMPS_MAX = 16
REVOCATION_VALUES_MAX = 64
TSP_TOKEN_MAX = 128 * 1024

WORK = None
SERVERS = {}
REVOCATION = {}  # "dir", "base", "proc"


def pki(name):
    return os.path.join(PKI, name)


def rev(name):
    return os.path.join(REVOCATION["dir"], name)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_revocation():
    root = os.path.join(WORK, "revocation")
    os.makedirs(os.path.join(root, "www"))
    proc = subprocess.Popen([sys.executable, os.path.join(FIXTURES, "revocation-server.py"),
                             os.path.join(root, "www")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    line = proc.stdout.readline().decode("ascii", "replace").split()
    if len(line) != 2 or line[0] != "PORT":
        proc.kill()
        raise RuntimeError("the revocation server did not start (%r)" % line)
    REVOCATION["proc"] = proc
    REVOCATION["dir"] = root
    base = "http://127.0.0.1:%s" % line[1]
    dead = "http://127.0.0.1:%d" % free_port()
    subprocess.run(["bash", os.path.join(FIXTURES, "revocation-pki.sh"), PKI, root, base, dead],
                   check=True, timeout=300)
    # The signer's chain up to the root: `emza sign` takes the self-signed certificate it
    # holds as the anchor of the chain whose revocation data LT embeds.
    REVOCATION["chain"] = os.path.join(root, "chain-with-root.pem")
    with open(REVOCATION["chain"], "wb") as out:
        for name in ("citizen-ca.cert.pem", "trust/root.pem"):
            with open(pki(name), "rb") as f:
                out.write(f.read())


def setUpModule():
    global WORK
    tst.setUpModule()  # checks the environment, starts the TSAs
    WORK = tempfile.mkdtemp(prefix="emza-xades-lt-")
    SERVERS.update(tst.SERVERS)
    try:
        start_revocation()
    except Exception:
        tearDownModule()
        raise


def tearDownModule():
    proc = REVOCATION.pop("proc", None)
    if proc is not None:
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    tst.tearDownModule()
    SERVERS.clear()
    if WORK:
        shutil.rmtree(WORK, ignore_errors=True)


def has_extend():
    if not TOOL:
        return False
    p = subprocess.run([TOOL, "extend", "--help"], capture_output=True, timeout=30)
    return p.returncode == 0


# ---------------------------------------------------------------------------
# XML, just enough to take values out and put changes in
# ---------------------------------------------------------------------------

def element(text, name, start=0):
    """(start, end) of the first <...:name ...>...</...:name> from `start`."""
    m = re.compile(r"<(\w+:)?%s[ >]" % name).search(text, start)
    if m is None:
        raise AssertionError("no %s element" % name)
    prefix = m.group(1) or ""
    close = "</%s%s>" % (prefix, name)
    end = text.index(close, m.start()) + len(close)
    return m.start(), end


def content(text, name, start=0):
    s, e = element(text, name, start)
    return text[text.index(">", s) + 1:text.rindex("<", s, e)]


def flip_base64(text, name, offset=200):
    """Changes one byte of the decoded value of the first `name` element."""
    s, e = element(text, name)
    inner_start = text.index(">", s) + 1
    inner_end = text.rindex("<", s, e)
    raw = bytearray(base64.b64decode(text[inner_start:inner_end]))
    raw[min(offset, len(raw) - 1)] ^= 0x01
    return text[:inner_start] + base64.b64encode(bytes(raw)).decode() + text[inner_end:]


class Run:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err


class Base(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="emza-xades-lt-test-")
        self.dir = self._tmp.name
        self.deed = self.write("deed.xml", DEED)
        self.note = self.write("note.bin", b"\x00\x01binary\xff")

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return p

    def read(self, path):
        with open(path, "r", encoding="utf-8") as f:
            return f.read()

    def emza(self, *args, timeout=180):
        env = dict(os.environ)
        env["EMZA_P12_PASS"] = P12_PASSWORD
        p = subprocess.run([TOOL] + [str(a) for a in args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=timeout)
        r = Run(p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"))
        self.assertGreaterEqual(r.rc, 0, "emza was killed by signal %d: %s" % (-r.rc, r.err))
        for marker in tst.CRASH_MARKERS:
            self.assertNotIn(marker, r.err)
        return r

    def key_args(self, who):
        if who.startswith("rev:"):
            name = who[4:]
            return ["--key", rev("leaf.key.pem"), "--cert", rev(name + ".cert.pem"),
                    "--chain", REVOCATION["chain"]]
        return ["--key", pki(who + ".p12"), "--pass-env", "EMZA_P12_PASS"]

    def sign(self, who, out, level, *extra, fmt="xades-enveloped", inputs=None, server="now",
             ok=True):
        args = ["sign", "--format", fmt, "--level", level] + self.key_args(who)
        if level != "B":
            args += ["--tsa", SERVERS[server].url if server in SERVERS else server]
        r = self.emza(*args, *extra, "-o", out, *(inputs or [self.deed]))
        if not ok:
            return r
        self.assertEqual(r.rc, 0, "emza sign %s %s as %s: %s" % (fmt, level, who, r.err))
        self.assertEqual(r.err, "")
        return out

    def verify(self, signed, expect_rc, *extra, offline=True):
        args = ["verify", signed, "--trust", pki("trust/root.pem"), "--json",
                "--data", self.deed, "--data", self.note]
        if offline:
            args.append("--offline")
        r = self.emza(*args, *extra)
        self.assertEqual(r.rc, expect_rc, "verify %s: exit %d, stderr %r, stdout %s"
                         % (signed, r.rc, r.err, r.out[:4000]))
        return json.loads(r.out)

    def sig0(self, *args, **kw):
        return self.verify(*args, **kw)["signatures"][0]

    def assert_verdict(self, sig, indication, sub=None):
        self.assertEqual((sig["indication"], sig["subIndication"]), (indication, sub),
                         json.dumps(sig, indent=1)[:4000])

    def xmlsec_ok(self, signed):
        if XMLSEC is None:
            return
        p = subprocess.run([XMLSEC, "verify", "--trusted-pem", pki("trust/root.pem"),
                            "--id-attr:Id", "SignedProperties", signed], cwd=self.dir,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def assert_fails_cleanly(self, r, out, what):
        self.assertEqual(r.rc, 4, "%s: exit %d, stderr %r" % (what, r.rc, r.err))
        lines = [line for line in r.err.split("\n") if line]
        self.assertEqual(len(lines), 1, "%s: %r" % (what, lines))
        self.assertFalse(os.path.exists(out), "%s left %s" % (what, out))
        self.assertEqual([f for f in os.listdir(self.dir) if ".emza-" in f], [])
        return lines[0]


# ---------------------------------------------------------------------------
# XAdES-T
# ---------------------------------------------------------------------------

class LevelT(Base):
    def test_level_t_every_form_verifies_and_xmlsec1_accepts_it(self):
        cases = (("citizen-rsa", "xades-enveloped", [None]),
                 ("citizen-ec", "xades-detached", [None, "note"]),
                 ("citizen-rsa", "xades-enveloping", [None, "note"]))
        for who, fmt, inputs in cases:
            with self.subTest(fmt=fmt):
                files = [self.deed if i is None else self.note for i in inputs]
                out = self.sign(who, self.path(fmt + ".xml"), "T", fmt=fmt, inputs=files)
                rep = self.verify(out, 0)
                sig = rep["signatures"][0]
                self.assert_verdict(sig, "TOTAL_PASSED")
                self.assertEqual(rep["document"]["format"], "XAdES")
                self.assertEqual(sig["level"], "XAdES-BASELINE-T")
                self.assertEqual(len(sig["timestamps"]), 1)
                ts = sig["timestamps"][0]
                self.assertEqual((ts["type"], ts["indication"], ts["tsa"]),
                                 ("SIGNATURE", "PASSED", "Emza Test TSA"))
                self.assertRegex(ts["time"], tst.ISO_RE)
                self.assertEqual(sig["bestSignatureTime"], ts["time"])
                codes = [w["code"] for w in sig["warnings"]]
                self.assertFalse([c for c in codes if c.startswith("TIMESTAMP_")], codes)
                self.xmlsec_ok(out)

    @unittest.skipUnless(XMLLINT, "xmllint is not installed")
    def test_openssl_ts_verify_accepts_the_token_over_the_canonical_signature_value(self):
        out = self.sign("citizen-rsa", self.path("t.xml"), "T")
        text = self.read(out)
        s, e = element(text, "SignatureValue")
        # The element alone, with the namespace it uses: exclusive C14N of it in place
        # is the same as of this document.
        alone = text[s:e].replace("<ds:SignatureValue", '<ds:SignatureValue xmlns:ds="%s"' % NS_DS, 1)
        self.write("value.xml", alone)
        p = subprocess.run([XMLLINT, "--exc-c14n", self.path("value.xml")], capture_output=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        stamped = self.write("value.c14n", p.stdout)
        ts_start, _ = element(text, "SignatureTimeStamp")
        self.assertIn('Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"', text[ts_start:])
        token = self.write("token.der", base64.b64decode(content(text, "EncapsulatedTimeStamp",
                                                                 ts_start)))
        p = subprocess.run([OPENSSL, "ts", "-verify", "-token_in", "-in", token, "-data", stamped,
                            "-CAfile", pki("trust/root.pem"), "-untrusted", pki("tsa.chain.pem")],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))
        self.assertIn(b"Verification: OK", p.stdout)
        with open(stamped, "rb") as f:
            other = self.write("other.c14n", f.read()[:-1] + b" ")
        p = subprocess.run([OPENSSL, "ts", "-verify", "-token_in", "-in", token, "-data", other,
                            "-CAfile", pki("trust/root.pem"), "-untrusted", pki("tsa.chain.pem")],
                           capture_output=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)

    def test_expired_signer_passes_with_a_2020_timestamp_and_not_without(self):
        out = self.sign("expired", self.path("t.xml"), "T", "--signing-time",
                        "2020-06-01T00:00:00Z", server="2020")
        sig = self.sig0(out, 0)
        self.assert_verdict(sig, "TOTAL_PASSED")
        self.assertEqual(sig["bestSignatureTime"], "2020-06-01T00:05:00Z")
        self.assertEqual(sig["timestamps"][0]["tsa"], "Emza Test TSA 2019")
        out = self.sign("expired", self.path("b.xml"), "B", "--signing-time",
                        "2020-06-01T00:00:00Z")
        self.assert_verdict(self.sig0(out, 2), "INDETERMINATE", "OUT_OF_BOUNDS_NO_POE")

    def test_a_timestamp_over_other_data_fails_and_proves_no_time(self):
        a = self.read(self.sign("citizen-ec", self.path("a.xml"), "T"))
        b = self.read(self.sign("citizen-ec", self.path("b.xml"), "T"))
        sa, ea = element(a, "SignatureTimeStamp")
        sb, eb = element(b, "SignatureTimeStamp")
        moved = self.write("moved.xml", b[:sb] + a[sa:ea] + b[eb:])
        sig = self.sig0(moved, 0)
        self.assert_verdict(sig, "TOTAL_PASSED")  # the signature itself is sound
        self.assertEqual(sig["timestamps"][0]["indication"], "FAILED")
        self.assertIn("TIMESTAMP_FAILED", [w["code"] for w in sig["warnings"]])
        message = [w["message"] for w in sig["warnings"] if w["code"] == "TIMESTAMP_FAILED"][0]
        self.assertIn("HASH_FAILURE", message)
        rep = self.verify(moved, 0)
        self.assertEqual(rep["signatures"][0]["bestSignatureTime"], rep["validationTime"])
        # the expired signer has nothing left to prove its time with
        e = self.read(self.sign("expired", self.path("e.xml"), "T", "--signing-time",
                                "2020-06-01T00:00:00Z", server="2020"))
        se, ee = element(e, "SignatureTimeStamp")
        moved = self.write("moved-expired.xml", e[:se] + a[sa:ea] + e[ee:])
        self.assert_verdict(self.sig0(moved, 2), "INDETERMINATE", "OUT_OF_BOUNDS_NO_POE")

    def test_a_signing_time_after_the_timestamp_is_refused_when_signing(self):
        out = self.path("late.xml")
        r = self.sign("citizen-rsa", out, "T", "--signing-time", "2021-01-01T00:00:00Z",
                      server="2020", ok=False)
        line = self.assert_fails_cleanly(r, out, "signing after the timestamp")
        self.assertIn("after the timestamp", line)


# ---------------------------------------------------------------------------
# XAdES-LT and -LTA
# ---------------------------------------------------------------------------

class LongTerm(Base):
    def test_lt_and_lta_verify_offline_with_only_the_trust_anchor(self):
        for level in ("LT", "LTA"):
            with self.subTest(level=level):
                out = self.sign("rev:good", self.path(level + ".xml"), level)
                text = self.read(out)
                self.assertIn("EncapsulatedOCSPValue", text)
                self.assertIn("EncapsulatedX509Certificate", text)
                sig = self.sig0(out, 0)
                self.assert_verdict(sig, "TOTAL_PASSED")
                self.assertEqual(sig["level"], "XAdES-BASELINE-" + level)
                # archive timestamps are validated (and listed) first, as for CAdES: their
                # time is a proof of existence for the signature timestamps
                types = sorted((t["type"], t["indication"]) for t in sig["timestamps"])
                want = ([("ARCHIVE", "PASSED")] if level == "LTA" else []) + [("SIGNATURE",
                                                                                "PASSED")]
                self.assertEqual(types, want)
                self.xmlsec_ok(out)
        # without the embedded values the same certificate cannot be checked offline
        out = self.sign("rev:good", self.path("T.xml"), "T")
        self.assert_verdict(self.sig0(out, 2), "INDETERMINATE", "TRY_LATER")

    def test_every_form_at_lta(self):
        for fmt, files in (("xades-detached", [self.deed, self.note]),
                           ("xades-enveloping", [self.deed, self.note])):
            with self.subTest(fmt=fmt):
                out = self.sign("citizen-ec", self.path(fmt + ".xml"), "LTA", fmt=fmt,
                                inputs=files)
                sig = self.sig0(out, 0)
                self.assert_verdict(sig, "TOTAL_PASSED")
                self.assertEqual(sig["level"], "XAdES-BASELINE-LTA")
                self.xmlsec_ok(out)
                if fmt == "xades-detached":
                    # the archive timestamp covers the detached content too
                    self.write("note.bin", b"changed")
                    sig = self.sig0(out, 1)
                    self.assert_verdict(sig, "TOTAL_FAILED", "HASH_FAILURE")
                    self.write("note.bin", b"\x00\x01binary\xff")

    def test_revoked_after_the_lt_signature_still_passes(self):
        out = self.sign("rev:ca-signed", self.path("lt.xml"), "LT")
        subprocess.run(["openssl", "ca", "-batch", "-config", rev("revocation.cnf"), "-revoke",
                        rev("ca-signed.cert.pem"), "-crl_reason", "keyCompromise"],
                       env=dict(os.environ, EMZA_CA_DIR=rev("db")), check=True,
                       capture_output=True, timeout=60)
        # the responder says revoked now ...
        r = self.emza("cert", "verify", rev("ca-signed.cert.pem"), "--trust",
                      pki("trust/root.pem"), "--untrusted", pki("citizen-rsa.chain.pem"),
                      "--json")
        self.assertEqual(r.rc, 1, r.out)
        self.assertEqual(json.loads(r.out)["subIndication"], "REVOKED")
        # ... and the signature, proved before by its timestamp and embedded values, passes,
        # online as well as offline
        for offline in (True, False):
            sig = self.sig0(out, 0, offline=offline)
            self.assert_verdict(sig, "TOTAL_PASSED")
            self.assertEqual(sig["level"], "XAdES-BASELINE-LT")

    def test_lt_is_not_made_with_a_revoked_certificate_or_without_revocation_data(self):
        for who, why in (("rev:revoked", "keyCompromise"), ("rev:dead", "127.0.0.1")):
            with self.subTest(who=who):
                out = self.path("no.xml")
                r = self.sign(who, out, "LT", ok=False)
                line = self.assert_fails_cleanly(r, out, who)
                self.assertIn("cannot add long-term validation data", line)
                self.assertIn(why, line)

    def test_changes_after_lta_fail_exactly(self):
        out = self.sign("rev:good", self.path("lta.xml"), "LTA")
        text = self.read(out)
        cases = (
            ("an embedded OCSP response", flip_base64(text, "EncapsulatedOCSPValue", 300),
             "HASH_FAILURE", "ARCHIVE_TIMESTAMP_MISMATCH"),
            ("an embedded certificate", flip_base64(text, "EncapsulatedX509Certificate", 400),
             "HASH_FAILURE", "ARCHIVE_TIMESTAMP_MISMATCH"),
            ("the signature value", flip_base64(text, "SignatureValue", 10),
             "SIG_CRYPTO_FAILURE", "ARCHIVE_TIMESTAMP_MISMATCH"),
            ("the content", text.replace("1000000000", "9000000000", 1),
             "HASH_FAILURE", "HASH_MISMATCH"),
        )
        for what, changed, sub, code in cases:
            with self.subTest(what=what):
                self.assertNotEqual(changed, text)
                p = self.write("changed.xml", changed)
                sig = self.sig0(p, 1)
                self.assert_verdict(sig, "TOTAL_FAILED", sub)
                self.assertIn(code, [e["code"] for e in sig["errors"]])
                self.assertIn("ARCHIVE_TIMESTAMP_MISMATCH", [e["code"] for e in sig["errors"]])


@unittest.skipUnless(has_extend(), "this emza has no `extend` command (branch lt)")
class Extend(Base):
    def extend(self, path, level, *extra, ok=True):
        r = self.emza("extend", path, "--level", level, "--tsa", SERVERS["now"].url,
                      "--trust", pki("trust/root.pem"), *extra)
        if ok:
            self.assertEqual(r.rc, 0, r.err)
        return r

    def test_b_to_t_to_lt_to_lta_and_again(self):
        out = self.sign("rev:good", self.path("s.xml"), "B")
        seen = []
        for level, want, archives in (("T", "T", 0), ("LT", "LT", 0), ("LTA", "LTA", 1),
                                      ("LTA", "LTA", 2)):
            with self.subTest(level=level, archives=archives):
                self.extend(out, level)
                # at T the certificate's OCSP responder is asked; from LT on nothing is
                sig = self.sig0(out, 0, offline=level != "T")
                self.assert_verdict(sig, "TOTAL_PASSED")
                self.assertEqual(sig["level"], "XAdES-BASELINE-" + want)
                kinds = [t["type"] for t in sig["timestamps"]]
                self.assertEqual(kinds, ["ARCHIVE"] * archives + ["SIGNATURE"])
                self.assertTrue(all(t["indication"] == "PASSED" for t in sig["timestamps"]))
                self.xmlsec_ok(out)
                seen.append(self.read(out))
        # the T step added one timestamp; LT did not add another
        self.assertEqual(seen[1].count("<xades:SignatureTimeStamp"), 1)

    def test_detached_lta_needs_the_data(self):
        out = self.sign("citizen-ec", self.path("d.xml"), "LT", fmt="xades-detached",
                        inputs=[self.deed, self.note])
        r = self.extend(out, "LTA", ok=False)
        self.assertEqual(r.rc, 4, r.err)
        self.extend(out, "LTA", "--data", self.deed, "--data", self.note)
        self.assert_verdict(self.sig0(out, 0), "TOTAL_PASSED")

    def test_a_notary_signature_over_the_first_one_is_not_broken(self):
        # The notary's enveloped signature (nested in the citizen's) covers the document with
        # the citizen's signature in it, unsigned properties included.
        first = self.sign("citizen-rsa", self.path("first.xml"), "B")
        both = self.sign("citizen-ec", self.path("both.xml"), "B", "--add-to", first,
                         inputs=[first])
        rep = self.verify(both, 0)
        self.assertEqual([s["indication"] for s in rep["signatures"]], ["TOTAL_PASSED"] * 2)
        before = self.read(both)
        r = self.extend(both, "T", ok=False)
        self.assertEqual(r.rc, 4, r.err)
        self.assertIn("would break signature 2", r.err)
        self.assertEqual(self.read(both), before)
        # the notary's own signature alone can be raised: a detached pair is independent
        det = self.sign("citizen-rsa", self.path("d1.xml"), "B", fmt="xades-detached",
                        inputs=[self.deed])
        det2 = self.sign("citizen-ec", self.path("d2.xml"), "B", "--add-to", det,
                         fmt="xades-detached", inputs=[self.deed])
        self.extend(det2, "T", "--data", self.deed)
        rep = self.verify(det2, 0)
        self.assertEqual([s["level"] for s in rep["signatures"]], ["XAdES-BASELINE-T"] * 2)
        self.assertEqual([s["indication"] for s in rep["signatures"]], ["TOTAL_PASSED"] * 2)

    def test_a_plain_xmldsig_is_not_extended(self):
        plain = self.write("plain.xml", self.read(self.sign("citizen-rsa", self.path("b.xml"),
                                                            "B")))
        text = self.read(plain)
        s, e = element(text, "Object")
        self.write("plain.xml", text[:s] + text[e:])
        before = self.read(plain)
        r = self.extend(plain, "T", ok=False)
        self.assertEqual(r.rc, 4)
        self.assertEqual(self.read(plain), before)


# ---------------------------------------------------------------------------
# Limits of the unsigned properties
# ---------------------------------------------------------------------------

class Limits(Base):
    def with_unsigned(self, props):
        text = self.read(self.sign("citizen-rsa", self.path("b.xml"), "B"))
        end = text.index("</xades:QualifyingProperties>")
        return self.write("u.xml", text[:end] + "<xades:UnsignedProperties>"
                          "<xades:UnsignedSignatureProperties>" + props +
                          "</xades:UnsignedSignatureProperties></xades:UnsignedProperties>"
                          + text[end:])

    def timestamp(self, token=b"\x30\x03\x02\x01\x01"):
        return ("<xades:SignatureTimeStamp><xades:EncapsulatedTimeStamp>%s"
                "</xades:EncapsulatedTimeStamp></xades:SignatureTimeStamp>"
                % base64.b64encode(token).decode())

    def test_signature_timestamps(self):
        sig = self.sig0(self.with_unsigned(self.timestamp() * TSP_TIMESTAMPS_MAX), 0)
        self.assertEqual(sig["level"], "XAdES-BASELINE-T")
        self.assertEqual(len(sig["timestamps"]), TSP_TIMESTAMPS_MAX)
        self.assertTrue(all(t["indication"] == "FAILED" for t in sig["timestamps"]))
        sig = self.sig0(self.with_unsigned(self.timestamp() * (TSP_TIMESTAMPS_MAX + 1)), 1)
        self.assert_verdict(sig, "TOTAL_FAILED", "FORMAT_FAILURE")
        self.assertIn("signature timestamps", sig["errors"][0]["message"])

    def test_token_size(self):
        sig = self.sig0(self.with_unsigned(self.timestamp(b"\x30" * (TSP_TOKEN_MAX + 1))), 1)
        self.assert_verdict(sig, "TOTAL_FAILED", "FORMAT_FAILURE")
        sig = self.sig0(self.with_unsigned(self.timestamp(b"\x30" * TSP_TOKEN_MAX)), 0)
        self.assertEqual(sig["timestamps"][0]["indication"], "FAILED")

    def test_revocation_values(self):
        one = "<xades:EncapsulatedOCSPValue>MAA=</xades:EncapsulatedOCSPValue>"
        values = lambda n: ("<xades:RevocationValues><xades:OCSPValues>%s</xades:OCSPValues>"
                            "</xades:RevocationValues>" % (one * n))
        sig = self.sig0(self.with_unsigned(values(REVOCATION_VALUES_MAX)), 0)
        self.assert_verdict(sig, "TOTAL_PASSED")
        sig = self.sig0(self.with_unsigned(values(REVOCATION_VALUES_MAX + 1)), 1)
        self.assert_verdict(sig, "TOTAL_FAILED", "FORMAT_FAILURE")

    def test_archive_timestamps(self):
        ats = ('<xades141:ArchiveTimeStamp xmlns:xades141="http://uri.etsi.org/01903/v1.4.1#">'
               "<xades:EncapsulatedTimeStamp>MAMCAQE=</xades:EncapsulatedTimeStamp>"
               "</xades141:ArchiveTimeStamp>")
        sig = self.sig0(self.with_unsigned(ats * TSP_TIMESTAMPS_MAX), 1)
        codes = [e["code"] for e in sig["errors"]]
        self.assertEqual(codes, ["ARCHIVE_TIMESTAMP_FAILED"] * TSP_TIMESTAMPS_MAX)
        self.assertEqual([t["type"] for t in sig["timestamps"]], ["ARCHIVE"] * TSP_TIMESTAMPS_MAX)
        sig = self.sig0(self.with_unsigned(ats * (TSP_TIMESTAMPS_MAX + 1)), 1)
        self.assert_verdict(sig, "TOTAL_FAILED", "FORMAT_FAILURE")
        self.assertEqual([e["code"] for e in sig["errors"]], ["UNSIGNED_PROPERTIES"])
        self.assertIn("archive timestamps", sig["errors"][0]["message"])

    def test_crl_values(self):
        one = "<xades:EncapsulatedCRLValue>MAA=</xades:EncapsulatedCRLValue>"
        values = lambda n: ("<xades:RevocationValues><xades:CRLValues>%s</xades:CRLValues>"
                            "</xades:RevocationValues>" % (one * n))
        self.assert_verdict(self.sig0(self.with_unsigned(values(REVOCATION_VALUES_MAX)), 0),
                            "TOTAL_PASSED")
        sig = self.sig0(self.with_unsigned(values(REVOCATION_VALUES_MAX + 1)), 1)
        self.assert_verdict(sig, "TOTAL_FAILED", "FORMAT_FAILURE")
        self.assertIn("CRLs", sig["errors"][0]["message"])

    def test_unsigned_properties(self):
        other = "<xades:CounterSignature/>"
        sig = self.sig0(self.with_unsigned(other * 64), 0)
        self.assert_verdict(sig, "TOTAL_PASSED")
        sig = self.sig0(self.with_unsigned(other * 65), 1)
        self.assert_verdict(sig, "TOTAL_FAILED", "FORMAT_FAILURE")


if __name__ == "__main__":
    unittest.main()
