#!/usr/bin/env python3
"""Two-step signing through the command line, with the key outside emza, against real peers.

Run by meson (`meson test twostep`) as `python3 tests/interop/twostep_test.py -v` with
  EMZA_TOOL      path of the built emza
  EMZA_PKI_DIR   the test PKI made by tests/fixtures/make-pki.sh
  EMZA_TEST_TSA  the built tests/fixtures/test_tsa (for level T)

The flow of a web portal or a remote HSM:
  1. `emza sign --prepare STATE --cert C --format F --digest-out D.bin INPUT...`
  2. `openssl pkeyutl -sign -inkey KEY -in D.bin -pkeyopt digest:sha256` (and the
     RSA-PSS variant, `-pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:digest`;
     ECDSA given back as DER and as raw r||s) — the key never meets emza;
  3. `emza sign --finalize STATE --signature SIG -o OUT`;
then the independent peers accept the result: `openssl cms -verify` for CAdES and
`xmlsec1 --verify` for XAdES (RSA PKCS#1 and ECDSA: Debian's xmlsec1 1.2.37 has no
RSA-PSS, so those are checked by `emza verify` only), and `emza verify` passes every
one. Level T: the timestamp comes at finalize, from the TSA named at prepare.
Refusals: a changed input, a wrong signature, an altered state and option misuse
each exit 4 with one line and no output file. Sealed states (--state-key-env):
a round trip, and an altered state, another key, a missing seal, a sealed state
without its key and a bad key each refused.

Python 3 standard library only.
"""

import hashlib
import hmac
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import unittest

TOOL = os.environ.get("EMZA_TOOL", "")
PKI = os.environ.get("EMZA_PKI_DIR", "")
TEST_TSA = os.environ.get("EMZA_TEST_TSA", "")
OPENSSL = shutil.which("openssl")
XMLSEC = shutil.which("xmlsec1")

CRASH_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                 "runtime error", "Segmentation fault", "core dumped")

DEED = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<deed xmlns=\"urn:example:deed\"><seller>0499370899</seller>"
        "<price currency=\"IRR\">1000000000</price></deed>\n")

# (who, how the digest is signed, the algorithm prepare announces)
KEYS = [("citizen-rsa", "pkcs1", "rsa-sha256"),
        ("citizen-rsa", "pss", "rsa-pss-sha256"),
        ("citizen-ec", "der", "ecdsa-sha256"),
        ("citizen-ec", "raw", "ecdsa-sha256")]


def pki(name):
    return os.path.join(PKI, name)


def setUpModule():
    if not TOOL or not os.access(TOOL, os.X_OK):
        raise RuntimeError("EMZA_TOOL must name the built emza executable (got %r)" % TOOL)
    if not PKI or not os.path.isfile(pki("trust/root.pem")):
        raise RuntimeError("EMZA_PKI_DIR must name the generated test PKI (got %r)" % PKI)
    if OPENSSL is None:
        raise RuntimeError("the openssl tool is needed as a peer")


def der_ecdsa_to_raw(der, half):
    """An Ecdsa-Sig-Value (SEQUENCE of two INTEGERs) as r||s, each `half` bytes."""
    def item(pos):
        tag, length = der[pos], der[pos + 1]
        pos += 2
        if length & 0x80:
            n = length & 0x7F
            length = int.from_bytes(der[pos:pos + n], "big")
            pos += n
        return tag, pos, pos + length
    tag, pos, end = item(0)
    assert tag == 0x30 and end == len(der)
    out = b""
    for _ in range(2):
        tag, start, stop = item(pos)
        assert tag == 0x02
        out += int.from_bytes(der[start:stop], "big").to_bytes(half, "big")
        pos = stop
    return out


class Base(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="emza-twostep-")
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return self.path(name)

    def run_tool(self, *args, timeout=120, env=None):
        full = dict(os.environ, **env) if env else None
        p = subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=timeout,
                           cwd=self.dir, stdin=subprocess.DEVNULL, env=full)
        for marker in CRASH_MARKERS:
            self.assertNotIn(marker, p.stderr, "emza %s crashed:\n%s" % (args, p.stderr))
        return p

    def refused(self, *args, env=None):
        """emza exits 4 with exactly one line in words."""
        p = self.run_tool(*args, env=env)
        self.assertEqual(p.returncode, 4, "emza %s: exit %d, stderr %r" % (args, p.returncode,
                                                                              p.stderr))
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("emza: sign: "), p.stderr)
        return lines[0]

    def prepare(self, who, fmt, inputs, *extra, state="s.json", env=None):
        p = self.run_tool("sign", "--prepare", state, "--cert", pki(who + ".cert.pem"),
                          "--chain", pki(who + ".chain.pem"), "--format", fmt,
                          "--digest-out", "d.bin", *extra, *inputs, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        fields = dict(re.findall(r"^([A-Za-z ]+):\s+(\S+)$", p.stdout, re.M))
        with open(self.path("d.bin"), "rb") as f:
            digest = f.read()
        self.assertEqual(fields["Digest"], digest.hex())
        self.assertEqual(fields["Digest algorithm"], "sha256")
        self.assertEqual(len(digest), 32)
        return fields

    def sign_digest(self, who, how, out="sig.bin"):
        args = [OPENSSL, "pkeyutl", "-sign", "-inkey", pki(who + ".key.pem"),
                "-in", self.path("d.bin"), "-out", self.path(out), "-pkeyopt", "digest:sha256"]
        if how == "pss":
            args += ["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest"]
        subprocess.run(args, check=True, capture_output=True, timeout=60)
        if how == "raw":
            with open(self.path(out), "rb") as f:
                der = f.read()
            self.write(out, der_ecdsa_to_raw(der, 32))
        return out

    def finalize(self, out, state="s.json", sig="sig.bin", *extra, env=None):
        p = self.run_tool("sign", "--finalize", state, "--signature", sig, "-o", out, *extra,
                          env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        return self.path(out)

    def verify(self, signed, *data):
        args = ["verify", signed, "--trust", pki("trust/root.pem"), "--offline", "--json"]
        for d in data:
            args += ["--data", d]
        p = self.run_tool(*args)
        self.assertEqual(p.returncode, 0, "verify %s: %s %s" % (signed, p.stderr, p.stdout[:2000]))
        return json.loads(p.stdout)["signatures"]


class RoundTrips(Base):
    def test_cades_openssl_cms_accepts_what_two_steps_make(self):
        self.write("contract.pdf", b"%PDF-1.4 two-step contract\n\x00\xff")
        for who, how, alg in KEYS:
            for fmt in ("cades-detached", "cades-attached"):
                with self.subTest(who=who, how=how, fmt=fmt):
                    fields = self.prepare(who, fmt, ["contract.pdf"], *(
                        ["--pss"] if how == "pss" else []))
                    self.assertEqual(fields["Signature algorithm"], alg)
                    self.sign_digest(who, how)
                    out = self.finalize(f"{who}-{how}-{fmt}.p7")
                    args = [OPENSSL, "cms", "-verify", "-binary", "-inform", "DER", "-in", out,
                            "-CAfile", pki("trust/root.pem"), "-out", self.path("content.out")]
                    if fmt == "cades-detached":
                        args += ["-content", self.path("contract.pdf")]
                    p = subprocess.run(args, capture_output=True, timeout=60)
                    self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))
                    self.assertIn(b"Verification successful", p.stderr)
                    with open(self.path("content.out"), "rb") as f:
                        self.assertEqual(f.read(), b"%PDF-1.4 two-step contract\n\x00\xff")
                    sigs = self.verify(out, *(["contract.pdf"] if fmt == "cades-detached"
                                              else []))
                    self.assertEqual(sigs[0]["indication"], "TOTAL_PASSED")
                    self.assertEqual(sigs[0]["signatureAlgorithm"], alg)
                    self.assertEqual(sigs[0]["claimedSigningTime"], fields["Signing time"])

    def test_xades_xmlsec1_accepts_what_two_steps_make(self):
        self.write("deed.xml", DEED)
        self.write("note.bin", b"\x00\x01binary\xff")
        cases = [("xades-enveloped", ["deed.xml"]), ("xades-enveloping", ["deed.xml", "note.bin"]),
                 ("xades-detached", ["deed.xml", "note.bin"])]
        for who, how, alg in KEYS:
            for fmt, inputs in cases:
                with self.subTest(who=who, how=how, fmt=fmt):
                    fields = self.prepare(who, fmt, inputs, *(["--pss"] if how == "pss" else []))
                    self.assertEqual(fields["Signature algorithm"], alg)
                    self.sign_digest(who, how)
                    out = self.finalize(f"{who}-{how}-{fmt}.xml")
                    sigs = self.verify(out, *(inputs if fmt == "xades-detached" else []))
                    self.assertEqual(sigs[0]["indication"], "TOTAL_PASSED")
                    self.assertEqual(sigs[0]["signatureAlgorithm"], alg)
                    if how == "pss" or XMLSEC is None:
                        continue  # xmlsec1 1.2.37 has no RSA-PSS
                    p = subprocess.run([XMLSEC, "verify", "--trusted-pem", pki("trust/root.pem"),
                                        "--id-attr:Id", "SignedProperties", out], cwd=self.dir,
                                       capture_output=True, text=True, timeout=60)
                    self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                    self.assertIn("OK", p.stdout + p.stderr)

    @unittest.skipUnless(XMLSEC, "xmlsec1 is not installed")
    def test_xmlsec1_is_a_real_check(self):
        """The peer refuses a two-step document whose content changed after finalize."""
        self.write("deed.xml", DEED)
        self.prepare("citizen-ec", "xades-enveloped", ["deed.xml"])
        self.sign_digest("citizen-ec", "der")
        out = self.finalize("deed-signed.xml")
        with open(out, encoding="utf-8") as f:
            text = f.read()
        self.write("tampered.xml", text.replace("1000000000", "9000000000", 1))
        p = subprocess.run([XMLSEC, "verify", "--trusted-pem", pki("trust/root.pem"),
                            "--id-attr:Id", "SignedProperties", self.path("tampered.xml")],
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)


class Refusals(Base):
    def setUp(self):
        super().setUp()
        self.write("contract.txt", "the contract\n")
        self.prepare("citizen-rsa", "cades-detached", ["contract.txt"])
        self.sign_digest("citizen-rsa", "pkcs1")

    def assert_no_output(self):
        self.assertFalse(os.path.exists(self.path("out.p7s")))
        self.assertEqual([n for n in os.listdir(self.dir) if ".emza-" in n], [])

    def test_changed_input(self):
        self.write("contract.txt", "the contract, changed\n")
        line = self.refused("sign", "--finalize", "s.json", "--signature", "sig.bin",
                            "-o", "out.p7s")
        self.assertIn("changed since the signing was prepared", line)
        self.assert_no_output()

    def test_wrong_signature(self):
        self.sign_digest("citizen-rsa", "pss")  # the right digest, another padding
        line = self.refused("sign", "--finalize", "s.json", "--signature", "sig.bin",
                            "-o", "out.p7s")
        self.assertIn("does not verify", line)
        self.write("sig.bin", b"")
        self.refused("sign", "--finalize", "s.json", "--signature", "sig.bin", "-o", "out.p7s")
        self.write("sig.bin", b"\x01" * 2049)
        self.refused("sign", "--finalize", "s.json", "--signature", "sig.bin", "-o", "out.p7s")
        self.assert_no_output()

    def test_altered_or_truncated_state(self):
        with open(self.path("s.json"), encoding="utf-8") as f:
            state = json.load(f)
        state["options"]["signerRole"] = "buyer"  # not what was signed
        state["signingTime"] = "2020-01-01T00:00:00Z"
        self.write("s.json", json.dumps(state))
        line = self.refused("sign", "--finalize", "s.json", "--signature", "sig.bin",
                            "-o", "out.p7s")
        self.assertIn("does not agree with itself", line)
        with open(self.path("s.json"), "rb") as f:
            data = f.read()
        self.write("s.json", data[:len(data) // 2])
        self.refused("sign", "--finalize", "s.json", "--signature", "sig.bin", "-o", "out.p7s")
        self.write("s.json", "{\"emzaPrepared\": 1, \"unknown\": true}")
        self.refused("sign", "--finalize", "s.json", "--signature", "sig.bin", "-o", "out.p7s")
        self.assert_no_output()

    def test_option_misuse(self):
        cert = pki("citizen-rsa.cert.pem")
        self.refused("sign", "--finalize", "s.json", "--signature", "sig.bin")  # no -o
        self.refused("sign", "--finalize", "s.json", "-o", "out.p7s")  # no --signature
        self.refused("sign", "--finalize", "s.json", "--signature", "sig.bin", "-o", "out.p7s",
                     "--format", "cades-attached")
        self.refused("sign", "--finalize", "s.json", "--signature", "sig.bin", "-o", "out.p7s",
                     "contract.txt")
        self.refused("sign", "--prepare", "t.json", "--format", "cades-detached",
                     "contract.txt")  # no --cert
        self.refused("sign", "--prepare", "t.json", "--cert", cert, "--key",
                     pki("citizen-rsa.key.pem"), "--format", "cades-detached", "contract.txt")
        self.refused("sign", "--prepare", "t.json", "--cert", cert, "--format",
                     "cades-detached", "-o", "out.p7s", "contract.txt")
        self.refused("sign", "--prepare", "t.json", "--finalize", "s.json", "--cert", cert,
                     "--format", "cades-detached", "contract.txt")
        self.refused("sign", "--prepare", "t.json", "--cert", cert, "--format",
                     "cades-detached", "--countersign", "x.p7s", "contract.txt")
        self.refused("sign", "--key", pki("citizen-rsa.key.pem"), "--cert", cert, "--format",
                     "cades-detached", "--signature", "sig.bin", "-o", "out.p7s", "contract.txt")
        self.assertFalse(os.path.exists(self.path("t.json")))
        self.assert_no_output()


class Sealed(Base):
    """--state-key-env: the state sealed at prepare, its seal checked at finalize."""

    KEY = {"EMZA_STATE_KEY": "8c1f0a5e" * 8}  # 64 bytes of text, taken as they are
    OTHER = {"EMZA_STATE_KEY": "0123abcd" * 8}
    WITH_KEY = ("--state-key-env", "EMZA_STATE_KEY")

    def sealed_prepared(self):
        self.write("contract.txt", "the contract\n")
        self.write("secret.txt", "a server file the client should never have signed\n")
        self.prepare("citizen-rsa", "cades-attached", ["contract.txt"], *self.WITH_KEY,
                     env=self.KEY)
        self.sign_digest("citizen-rsa", "pkcs1")
        with open(self.path("s.json"), encoding="utf-8") as f:
            state = json.load(f)
        self.assertRegex(state["mac"], "^[0-9a-f]{64}$")
        return state

    def finalize_refused(self, state_name, env, *extra):
        line = self.refused("sign", "--finalize", state_name, "--signature", "sig.bin",
                            "-o", "out.p7", *extra, env=env)
        self.assertFalse(os.path.exists(self.path("out.p7")))
        return line

    def test_sealed_round_trip(self):
        state = self.sealed_prepared()
        # the seal is the documented one: HMAC-SHA256 of the state without "mac", compact,
        # members sorted (prepare.h), so a server in another language can make and check it
        mac = state.pop("mac")
        canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        key = self.KEY["EMZA_STATE_KEY"].encode()
        self.assertEqual(hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest(), mac)
        out = self.finalize("out.p7", "s.json", "sig.bin", *self.WITH_KEY, env=self.KEY)
        sigs = self.verify(out)
        self.assertEqual(sigs[0]["indication"], "TOTAL_PASSED")

    def test_altered_sealed_state_is_refused(self):
        state = self.sealed_prepared()
        # the attack: another server file named as the input (refused before it is read)
        state["inputs"][0]["path"] = self.path("secret.txt")
        self.write("evil.json", json.dumps(state))
        line = self.finalize_refused("evil.json", self.KEY, *self.WITH_KEY)
        self.assertIn("seal", line)
        self.assertIn("does not match", line)
        # the member order and layout do not matter; the mac does
        state = self.sealed_prepared()
        self.write("relaid.json", json.dumps(dict(reversed(list(state.items())))))
        self.finalize("relaid.p7", "relaid.json", "sig.bin", *self.WITH_KEY, env=self.KEY)
        state["mac"] = ("0" if state["mac"][0] != "0" else "1") + state["mac"][1:]
        self.write("badmac.json", json.dumps(state))
        self.assertIn("does not match", self.finalize_refused("badmac.json", self.KEY,
                                                              *self.WITH_KEY))

    def test_key_mismatches_are_refused(self):
        self.sealed_prepared()
        self.assertIn("does not match", self.finalize_refused("s.json", self.OTHER, *self.WITH_KEY))
        self.assertIn("state key", self.finalize_refused("s.json", None))  # sealed, no key
        self.write("contract.txt", "the contract\n")
        self.prepare("citizen-rsa", "cades-attached", ["contract.txt"], state="plain.json")
        self.sign_digest("citizen-rsa", "pkcs1")
        self.assertIn("not sealed", self.finalize_refused("plain.json", self.KEY, *self.WITH_KEY))

    def test_key_option_misuse(self):
        self.write("contract.txt", "the contract\n")
        prep = ("sign", "--prepare", "k.json", "--cert", pki("citizen-rsa.cert.pem"),
                "--format", "cades-attached", *self.WITH_KEY, "contract.txt")
        line = self.refused(*prep, env={"EMZA_STATE_KEY": "k" * 31})
        self.assertIn("--state-key-env EMZA_STATE_KEY", line)
        self.assertIn("at least 32", line)
        line = self.refused(*prep, env={"EMZA_STATE_KEY": "k" * 1025})
        self.assertIn("at most 1024", line)
        self.assertFalse(os.path.exists(self.path("k.json")))
        env = dict(os.environ)
        env.pop("EMZA_STATE_KEY", None)
        p = subprocess.run([TOOL, *prep], capture_output=True, text=True, timeout=60,
                           cwd=self.dir, stdin=subprocess.DEVNULL, env=env)
        self.assertEqual(p.returncode, 4)
        self.assertIn("EMZA_STATE_KEY is not set", p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        self.refused("sign", "--format", "cades-attached", "--key", pki("citizen-rsa.p12"),
                     *self.WITH_KEY, "-o", "x.p7", "contract.txt", env=self.KEY)


@unittest.skipUnless(TEST_TSA and os.access(TEST_TSA, os.X_OK), "EMZA_TEST_TSA is not set")
class LevelT(Base):
    def test_timestamp_comes_at_finalize_from_the_tsa_named_at_prepare(self):
        tsa = subprocess.Popen([TEST_TSA, "serve", "--cert", pki("tsa.cert.pem"), "--key",
                                pki("tsa.key.pem"), "--chain", pki("tsa.chain.pem"), "--mode",
                                "ok", "--lifetime", "300"],
                               stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        try:
            ready, _, _ = select.select([tsa.stdout], [], [], 10)
            port = tsa.stdout.readline().decode().strip() if ready else ""
            self.assertTrue(port.isdigit(), "the test TSA did not start")
            url = "http://127.0.0.1:%s/tsa" % port
            self.write("contract.txt", "the contract\n")
            self.prepare("citizen-ec", "cades-detached", ["contract.txt"], "--level", "T",
                         "--tsa", url)
            with open(self.path("s.json"), encoding="utf-8") as f:
                self.assertEqual(json.load(f)["options"]["tsaUrl"], url)
            self.sign_digest("citizen-ec", "raw")
            out = self.finalize("contract.txt.p7s")
            sigs = self.verify(out, "contract.txt")
            self.assertEqual(sigs[0]["indication"], "TOTAL_PASSED")
            self.assertEqual(sigs[0]["level"], "CAdES-BASELINE-T")
            self.assertEqual([t["type"] for t in sigs[0]["timestamps"]], ["SIGNATURE"])
        finally:
            tsa.terminate()
            tsa.wait(10)
            tsa.stdout.close()


if __name__ == "__main__":
    unittest.main()
