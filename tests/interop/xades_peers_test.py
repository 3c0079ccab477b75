"""XAdES / XML-DSig against an independent peer, and hostile documents through the CLI.

- `xmlsec1 verify` accepts what `emza sign` makes (RSA PKCS#1, ECDSA; enveloped, enveloping,
  detached).
- `emza verify` accepts what `xmlsec1 sign` makes from a template with X509Data (RSA, ECDSA;
  enveloped, enveloping), and rejects it once tampered.
- Negative documents through `emza verify --json`: each answer's sub-indication is asserted, none
  may crash, hang, read a local file or open a socket; a listener on 127.0.0.1 counts connections
  and must see none.
- A 100 MB document is signed and verified, and the verifier's peak memory is measured.

Environment: EMZA_TOOL, EMZA_PKI_DIR (tests/fixtures/make-pki.sh), EMZA_VECTORS.
"""
import base64
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import zipfile

TOOL = os.environ.get("EMZA_TOOL", "emza")
PKI = os.environ.get("EMZA_PKI_DIR", "")
VECTORS = os.environ.get("EMZA_VECTORS", "")
XMLSEC = shutil.which("xmlsec1")
PASS = "emza-test"

DEED = """<?xml version="1.0" encoding="UTF-8"?>
<deed xmlns="urn:emza:test:deed">
  <party role="seller">علی رضایی</party>
  <party role="buyer">مریم احمدی</party>
  <amount currency="IRR">1000000000</amount>
</deed>
"""

ENVELOPED_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<deed xmlns="urn:emza:test:deed">
  <amount currency="IRR">42</amount>
<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">
  <SignedInfo>
    <CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
    <SignatureMethod Algorithm="{method}"/>
    <Reference URI="">
      <Transforms>
        <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
      </Transforms>
      <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
      <DigestValue/>
    </Reference>
  </SignedInfo>
  <SignatureValue/>
  <KeyInfo><X509Data/></KeyInfo>
</Signature>
</deed>
"""

ENVELOPING_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">
  <SignedInfo>
    <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
    <SignatureMethod Algorithm="{method}"/>
    <Reference URI="#object">
      <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
      <DigestValue/>
    </Reference>
  </SignedInfo>
  <SignatureValue/>
  <KeyInfo><X509Data/></KeyInfo>
  <Object Id="object"><payment xmlns="urn:pay">42 rials</payment></Object>
</Signature>
"""

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"


def pki(name):
    return os.path.join(PKI, name)


class Listener:
    """A TCP listener on 127.0.0.1 that counts every connection it is offered."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            try:
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n"
                             b"<!ENTITY leak 'LEAKED'>")
            finally:
                conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


class Base(unittest.TestCase):
    def setUp(self):
        if not PKI:
            self.skipTest("EMZA_PKI_DIR is not set")
        self.dir = tempfile.mkdtemp(prefix="emza-xades-peers-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        with open(self.path(name), "w" if isinstance(text, str) else "wb") as f:
            f.write(text)
        return self.path(name)

    def read(self, name):
        with open(self.path(name), encoding="utf-8") as f:
            return f.read()

    def sign(self, fmt, who, inputs, out, *extra):
        env = dict(os.environ, EMZA_TEST_PASS=PASS)
        proc = subprocess.run([TOOL, "sign", "--format", fmt, "--key", pki(who + ".p12"),
                               "--pass-env", "EMZA_TEST_PASS", *extra, "-o", self.path(out),
                               *inputs], cwd=self.dir, env=env, capture_output=True, text=True,
                              timeout=600)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return self.path(out)

    def verify(self, name, *extra, trust=True, timeout=60):
        args = [TOOL, "verify", name, "--offline", "--json"]
        if trust:
            args += ["--trust", pki("trust/root.pem")]
        proc = subprocess.run(args + list(extra), cwd=self.dir, capture_output=True, text=True,
                              timeout=timeout)
        self.assertNotIn("Sanitizer", proc.stderr)
        self.assertLessEqual(proc.stderr.count("\n"), 1, proc.stderr)
        self.assertIn(proc.returncode, (0, 1, 2, 3), proc.stderr)
        return proc.returncode, json.loads(proc.stdout)

    def assert_verdict(self, name, expect, *extra, trust=True):
        rc, report = self.verify(name, *extra, trust=trust)
        s0 = report["signatures"][0]
        got = s0["indication"] + ("/" + s0["subIndication"] if s0["subIndication"] else "")
        self.assertEqual(got, expect, json.dumps(s0["errors"], ensure_ascii=False))
        self.assertEqual(rc, {"TOTAL_PASSED": 0, "TOTAL_FAILED": 1, "INDETERMINATE": 2}[
            s0["indication"]])
        return report


@unittest.skipUnless(XMLSEC, "xmlsec1 is not installed")
class XmlsecPeerTest(Base):
    def xmlsec_verify(self, name):
        proc = subprocess.run([XMLSEC, "verify", "--trusted-pem", pki("trust/root.pem"),
                               "--id-attr:Id", "SignedProperties", name], cwd=self.dir,
                              capture_output=True, text=True, timeout=60)
        return proc.returncode, proc.stdout + proc.stderr

    def test_xmlsec1_verifies_what_emza_signs(self):
        self.write("deed.xml", DEED)
        self.write("note.bin", b"\x00\x01binary\xff")
        cases = [("xades-enveloped", ["deed.xml"]), ("xades-enveloping", ["deed.xml", "note.bin"]),
                 ("xades-detached", ["deed.xml", "note.bin"])]
        for who in ("citizen-rsa", "citizen-ec"):
            for fmt, inputs in cases:
                with self.subTest(who=who, fmt=fmt):
                    out = self.sign(fmt, who, inputs, f"{who}-{fmt}.xml")
                    rc, text = self.xmlsec_verify(out)
                    self.assertEqual(rc, 0, text)
                    self.assertIn("OK", text)
                    self.assert_verdict(out, "TOTAL_PASSED", "--data", "deed.xml", "--data",
                                        "note.bin")
                    # xmlsec1 sees tampering as well
                    tampered = self.read(os.path.basename(out))
                    if fmt == "xades-detached":
                        self.write("note.bin", b"\x00\x01changed\xff")
                    else:
                        tampered = tampered.replace("1000000000", "9000000000", 1)
                        self.write("tampered.xml", tampered)
                        out = self.path("tampered.xml")
                    rc, text = self.xmlsec_verify(out)
                    self.assertNotEqual(rc, 0, text)
                    self.assert_verdict(out, "TOTAL_FAILED/HASH_FAILURE", "--data", "deed.xml",
                                        "--data", "note.bin")
                    self.write("note.bin", b"\x00\x01binary\xff")

    def xmlsec_sign(self, template, who, out):
        self.write("tmpl.xml", template)
        proc = subprocess.run([XMLSEC, "sign", "--pkcs12", pki(who + ".p12"), "--pwd", PASS,
                               "--output", self.path(out), self.path("tmpl.xml")],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("<X509Certificate>", self.read(out))
        return self.path(out)

    def test_emza_verifies_what_xmlsec1_signs(self):
        for who, method in (("citizen-rsa", RSA_SHA256), ("citizen-ec", ECDSA_SHA256)):
            for kind, template in (("enveloped", ENVELOPED_TEMPLATE),
                                   ("enveloping", ENVELOPING_TEMPLATE)):
                with self.subTest(who=who, kind=kind):
                    out = self.xmlsec_sign(template.format(method=method), who,
                                           f"xmlsec-{who}-{kind}.xml")
                    report = self.assert_verdict(out, "TOTAL_PASSED")
                    s0 = report["signatures"][0]
                    self.assertEqual(report["document"]["format"], "XMLDSig")
                    self.assertEqual(s0["level"], "XMLDSig")
                    self.assertEqual(s0["signatureAlgorithm"],
                                     "rsa-sha256" if who == "citizen-rsa" else "ecdsa-sha256")
                    # enveloped: URI=""; enveloping: the signature's own ds:Object, whole too
                    self.assertTrue(s0["signedObjects"][0]["wholeDocument"])
                    text = self.read(os.path.basename(out))
                    self.assertIn(">42", text)
                    self.write("bad-content.xml", text.replace(">42", ">43", 1))
                    self.assert_verdict("bad-content.xml", "TOTAL_FAILED/HASH_FAILURE")
                    value = re.search(r"<SignatureValue>\s*(\S)", text)
                    flipped = "A" if value.group(1) != "A" else "B"
                    self.write("bad-value.xml", text[:value.start(1)] + flipped +
                               text[value.start(1) + 1:])
                    self.assert_verdict("bad-value.xml", "TOTAL_FAILED/SIG_CRYPTO_FAILURE")


class HostileDocumentTest(Base):
    """Negative documents through the CLI: sub-indications asserted, no socket, no file read."""

    def setUp(self):
        super().setUp()
        self.listener = Listener()
        self.url = f"http://127.0.0.1:{self.listener.port}"
        self.secret = self.write("secret.txt", "TOP-SECRET-MARKER\n")

    def tearDown(self):
        time.sleep(0.1)
        connections = self.listener.connections
        self.listener.close()
        super().tearDown()
        self.assertEqual(connections, 0, "the verifier opened a connection")

    def signed(self, who="citizen-rsa", fmt="xades-enveloped"):
        self.write("deed.xml", DEED)
        return self.sign(fmt, who, ["deed.xml"], "signed.xml")

    def variant(self, name, old, new, count=1):
        text = self.read("signed.xml")
        self.assertIn(old, text)
        self.write(name, text.replace(old, new, count))
        return name

    def check(self, name, expect):
        report = self.assert_verdict(name, expect)
        self.assertNotIn("TOP-SECRET-MARKER", json.dumps(report))
        self.assertNotIn("LEAKED", json.dumps(report))
        return report

    def test_tampered_content_and_signature_value(self):
        self.signed()
        self.check(self.variant("a.xml", "1000000000", "1000000001"), "TOTAL_FAILED/HASH_FAILURE")
        text = self.read("signed.xml")
        m = re.search(r'-value">(\S)', text)
        flipped = "A" if m.group(1) != "A" else "B"
        self.write("b.xml", text[:m.start(1)] + flipped + text[m.start(1) + 1:])
        self.check("b.xml", "TOTAL_FAILED/SIG_CRYPTO_FAILURE")

    def test_swapped_certificate_and_signing_certificate_mismatch(self):
        self.signed()
        with open(pki("citizen-rsa.cert.der"), "rb") as f:
            rsa = base64.b64encode(f.read()).decode()
        with open(pki("citizen-ec.cert.der"), "rb") as f:
            ec = base64.b64encode(f.read()).decode()
        self.check(self.variant("swap.xml", rsa, ec), "INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND")
        text = self.read("signed.xml")
        m = re.search(r"<xades:CertDigest>.*?<ds:DigestValue>(\S)", text)
        flipped = "A" if m.group(1) != "A" else "B"
        self.write("scv2.xml", text[:m.start(1)] + flipped + text[m.start(1) + 1:])
        self.check("scv2.xml", "INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND")

    def test_duplicate_ids_and_wrapping(self):
        self.signed()
        text = self.read("signed.xml")
        sp_id = re.search(r'<xades:SignedProperties Id="([^"]+)"', text).group(1)
        self.write("dup.xml", text.replace("<party ", f'<party Id="{sp_id}" ', 1))
        report = self.check("dup.xml", "TOTAL_FAILED/FORMAT_FAILURE")
        self.assertEqual(report["signatures"][0]["errors"][0]["code"], "DUPLICATE_ID")
        # the SignedProperties moved out of the signature, unsigned ones in their place
        moved = text.replace(f'<xades:SignedProperties Id="{sp_id}"',
                             '<xades:SignedProperties Id="unsigned"', 1)
        original = re.search(r"<xades:SignedProperties .*?</xades:SignedProperties>",
                             text, re.S).group(0)
        moved = moved.replace("</deed>", "<hidden xmlns:xades=\"http://uri.etsi.org/01903/"
                              f"v1.3.2#\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">"
                              f"{original}</hidden></deed>")
        self.write("wrapped.xml", moved)
        self.check("wrapped.xml", "TOTAL_FAILED/FORMAT_FAILURE")

    def test_xxe_external_dtd_and_billion_laughs(self):
        fifo = self.path("trap.fifo")
        os.mkfifo(fifo)
        docs = {
            "xxe-file.xml": f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{self.secret}">]><d>&x;</d>',
            "xxe-fifo.xml": f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{fifo}">]><d>&x;</d>',
            "xxe-http.xml": f'<!DOCTYPE d [<!ENTITY x SYSTEM "{self.url}/e">]><d>&x;</d>',
            "dtd-http.xml": f'<!DOCTYPE d SYSTEM "{self.url}/d.dtd"><d>&leak;</d>',
            "pe-http.xml": f'<!DOCTYPE d [<!ENTITY % p SYSTEM "{self.url}/p"> %p;]><d>&leak;</d>',
            "laughs.xml": "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">" + "".join(
                f"<!ENTITY {chr(98 + i)} \"{('&' + chr(97 + i) + ';') * 10}\">"
                for i in range(10)) + "]><l>&k;</l>",
        }
        signed = self.signed()
        text = self.read("signed.xml")
        docs["signed-with-dtd.xml"] = text.replace(
            "?>", f'?><!DOCTYPE deed SYSTEM "{self.url}/deed.dtd">', 1)
        for name, doc in docs.items():
            with self.subTest(doc=name):
                self.write(name, doc)
                start = time.monotonic()
                report = self.check(name, "TOTAL_FAILED/FORMAT_FAILURE")
                self.assertLess(time.monotonic() - start, 10)
                self.assertEqual(report["signatures"][0]["errors"][0]["code"], "DOCTYPE_REFUSED")
        del signed

    def test_refused_transforms(self):
        self.signed()
        for alg in ("http://www.w3.org/TR/1999/REC-xslt-19991116",
                    "http://www.w3.org/TR/1999/REC-xpath-19991116",
                    "http://www.w3.org/2002/06/xmldsig-filter2"):
            with self.subTest(alg=alg):
                name = self.variant("t.xml", "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
                                    alg)
                self.check(name, "TOTAL_FAILED/FORMAT_FAILURE")

    def test_file_and_http_references_and_other_fetches(self):
        self.write("deed.xml", DEED)
        self.sign("xades-detached", "citizen-rsa", ["deed.xml"], "signed.xml")
        for uri in (f"file://{self.secret}", f"{self.url}/deed.xml", self.secret,
                    "../../../../etc/passwd"):
            with self.subTest(uri=uri):
                name = self.variant("r.xml", 'URI="deed.xml"', f'URI="{uri}"')
                self.check(name, "INDETERMINATE/SIGNED_DATA_NOT_FOUND")
        # XInclude, a stylesheet PI and schemaLocation are never followed either
        self.signed()
        text = self.read("signed.xml")
        text = text.replace("?>", f'?><?xml-stylesheet href="{self.url}/s.xsl"?>', 1)
        text = text.replace(
            '<deed xmlns="urn:emza:test:deed">',
            '<deed xmlns="urn:emza:test:deed" xmlns:xi="http://www.w3.org/2001/XInclude" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="urn:emza:test:deed {self.url}/deed.xsd">'
            f'<xi:include href="{self.url}/inc.xml"/>', 1)
        self.write("fetches.xml", text)
        self.check("fetches.xml", "TOTAL_FAILED/HASH_FAILURE")

    def test_truncated_and_binary_input(self):
        self.signed("citizen-ec")
        data = self.read("signed.xml").encode()
        for cut in range(1, len(data), max(1, len(data) // 23)):
            self.write("cut.xml", data[:cut])
            rc, report = self.verify("cut.xml")
            self.assertIn(rc, (1, 3))
        for n, blob in enumerate((b"<" + os.urandom(5000), b"<\x00\x00\x00", b"<?xml \xff\xfe",
                                  b"<a>" + b"\xc3\x28" * 10 + b"</a>")):
            self.write(f"bin{n}.xml", blob)
            self.check(f"bin{n}.xml", "TOTAL_FAILED/FORMAT_FAILURE")

    def test_forged_lt_signature_uses_the_signed_certificate(self):
        if not VECTORS:
            self.skipTest("EMZA_VECTORS is not set")
        with zipfile.ZipFile(os.path.join(VECTORS, "asic-interop", "forged_lt.asice")) as z:
            self.write("signatures0.xml", z.read("META-INF/signatures0.xml"))
            self.write("example-for-signing.txt", z.read("example-for-signing.txt"))
        # without its data the reference cannot be checked: that decides first
        self.check("signatures0.xml", "INDETERMINATE/SIGNED_DATA_NOT_FOUND")
        report = self.assert_verdict("signatures0.xml", "TOTAL_FAILED/SIG_CRYPTO_FAILURE",
                                     "--data", "example-for-signing.txt")
        # the signer is the certificate SigningCertificate names, not the key that would fit
        self.assertIn("HUGO MARTIN", report["signatures"][0]["signer"]["subject"])


class LargeDocumentTest(Base):
    SIZE = 100 * 1024 * 1024

    def test_100_mb_document_signs_and_verifies_within_memory(self):
        row = "<row n=\"{}\">" + "x" * 1000 + "</row>\n"
        with open(self.path("big.xml"), "w") as f:
            f.write("<?xml version=\"1.0\"?>\n<rows>\n")
            written, n = 0, 0
            while written < self.SIZE:
                line = row.format(n)
                f.write(line)
                written += len(line)
                n += 1
            f.write("</rows>\n")
        start = time.monotonic()
        self.sign("xades-enveloped", "citizen-ec", ["big.xml"], "big.signed.xml")
        signed_at = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        report = self.assert_verdict("big.signed.xml", "TOTAL_PASSED")
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        verified_at = time.monotonic()
        print(f"\n100 MB: sign {signed_at - start:.1f} s, verify {verified_at - signed_at:.1f} s, "
              f"peak RSS of the sign/verify processes {rss_mb:.0f} MB (before verify "
              f"{before / 1024:.0f} MB)")
        self.assertTrue(report["signatures"][0]["signedObjects"][0]["wholeDocument"])
        # the file itself is ~100 MB and read whole; the tree adds about as much again.
        # Sanitizer builds roughly double that; the bound catches anything worse.
        self.assertLess(rss_mb, 1500)


if __name__ == "__main__":
    unittest.main()
