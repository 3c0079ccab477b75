"""ASiC-E containers that `emza sign --format asice` writes, checked by independent peers.

- python3's zipfile reads them: `mimetype` is the first entry, stored, without extra field, and
  holds the ASiC-E media type; the manifest lists every data file;
- xmlsec1 verifies the extracted META-INF/signatures0.xml from the unzipped container root
  (references are relative to it);
- emza verifies its own container TOTAL_PASSED, and sees an altered entry (HASH_FAILURE), a data
  file no signature covers and a manifest that does not match (FORMAT_FAILURE);
- a refused signing leaves no output file;
- a co-signature (`--add-to`) adds META-INF/signatures1.xml over the same entries, leaves every
  other entry byte-identical (mimetype first and stored), both signatures pass and xmlsec1 accepts
  each; inputs that are not exactly the container's data files are refused, nothing written.

Environment: EMZA_TOOL, EMZA_PKI_DIR (tests/fixtures/make-pki.sh), EMZA_TEST_TSA (the test TSA of
tests/fixtures/test_tsa.c, for level T).
"""
import json
import os
import subprocess
import unittest
import zipfile

from xades_peers_test import PASS, TOOL, XMLSEC, Base, pki

TEST_TSA = os.environ.get("EMZA_TEST_TSA", "")

MIMETYPE = b"application/vnd.etsi.asic-e+zip"
NS_XADES = "http://uri.etsi.org/01903/v1.3.2#"


def rebuild(src, dst, replace=None, add=None, drop=()):
    """Copies the container `src` to `dst` entry by entry, mimetype first and stored."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = replace.get(info.filename, zin.read(info.filename))
            kind = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            zout.writestr(info.filename, data, compress_type=kind)
        for name, data in (add or {}).items():
            zout.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return dst


class AsicPeerTest(Base):
    def make(self, who="citizen-rsa", names=("deed.txt", "photo.bin")):
        for n in names:
            self.write(n, b"content of " + n.encode() + b"\x00\xff")
        return self.sign("asice", who, list(names), "out.asice")

    def test_round_trip_is_total_passed(self):
        for who in ("citizen-rsa", "citizen-ec"):
            with self.subTest(who=who):
                out = self.make(who, ("deed.txt", "سند شماره ۱.pdf"))
                report = self.assert_verdict(out, "TOTAL_PASSED")
                self.assertEqual(report["document"]["format"], "ASiC-E")
                s0 = report["signatures"][0]
                self.assertEqual(s0["level"], "XAdES-BASELINE-B")
                self.assertEqual(sorted(o["name"] for o in s0["signedObjects"]),
                                 sorted(["deed.txt", "سند شماره ۱.pdf"]))

    @unittest.skipUnless(TEST_TSA, "EMZA_TEST_TSA is not set")
    def test_level_t_round_trip(self):
        from timestamp_test import TSA
        tsa = TSA()
        try:
            self.write("deed.txt", b"the deed")
            out = self.sign("asice", "citizen-rsa", ["deed.txt"], "t.asice", "--level", "T",
                            "--tsa", tsa.url)
        finally:
            tsa.stop()
        report = self.assert_verdict(out, "TOTAL_PASSED")
        s0 = report["signatures"][0]
        self.assertEqual(s0["level"], "XAdES-BASELINE-T")
        self.assertEqual([t["type"] for t in s0["timestamps"]], ["SIGNATURE"])

    def test_python_zipfile_reads_the_layout(self):
        out = self.make()
        with zipfile.ZipFile(out) as z:
            self.assertIsNone(z.testzip())
            infos = z.infolist()
            self.assertEqual(infos[0].filename, "mimetype")
            self.assertEqual(infos[0].compress_type, zipfile.ZIP_STORED)
            self.assertEqual(infos[0].extra, b"")
            self.assertEqual(z.read("mimetype"), MIMETYPE)
            names = [i.filename for i in infos]
            self.assertEqual(sorted(names), sorted(["mimetype", "deed.txt", "photo.bin",
                                                    "META-INF/manifest.xml",
                                                    "META-INF/signatures0.xml"]))
            manifest = z.read("META-INF/manifest.xml").decode()
            for n in ("deed.txt", "photo.bin", "/"):
                self.assertIn(f'manifest:full-path="{n}"', manifest)
            self.assertIn(b"<asic:XAdESSignatures", z.read("META-INF/signatures0.xml"))
        # the raw local header: "mimetype" at offset 30, its content at 38 (EN 319 162-1 A.1)
        with open(out, "rb") as f:
            head = f.read(38 + len(MIMETYPE))
        self.assertEqual(head[30:38], b"mimetype")
        self.assertEqual(head[38:], MIMETYPE)

    @unittest.skipUnless(XMLSEC, "xmlsec1 is not installed")
    def test_xmlsec1_verifies_the_extracted_signature(self):
        out = self.make("citizen-ec")
        root = self.path("unzipped")
        with zipfile.ZipFile(out) as z:
            z.extractall(root)
        proc = subprocess.run([XMLSEC, "verify", "--trusted-pem", pki("trust/root.pem"),
                               "--id-attr:Id", NS_XADES + ":SignedProperties",
                               "META-INF/signatures0.xml"], cwd=root, capture_output=True,
                              text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("OK", proc.stdout + proc.stderr)
        with open(os.path.join(root, "deed.txt"), "ab") as f:
            f.write(b"!")
        proc = subprocess.run([XMLSEC, "verify", "--trusted-pem", pki("trust/root.pem"),
                               "--id-attr:Id", NS_XADES + ":SignedProperties",
                               "META-INF/signatures0.xml"], cwd=root, capture_output=True,
                              text=True, timeout=60)
        self.assertNotEqual(proc.returncode, 0)

    def test_altered_entry_is_hash_failure(self):
        out = self.make()
        bad = rebuild(out, self.path("bad.asice"), replace={"deed.txt": b"other content"})
        self.assert_verdict(bad, "TOTAL_FAILED/HASH_FAILURE")

    def test_unsigned_data_file_and_manifest_mismatch_are_format_failures(self):
        out = self.make()
        with zipfile.ZipFile(out) as z:
            manifest = z.read("META-INF/manifest.xml").decode()
        extra = manifest.replace(
            "</manifest:manifest>",
            '<manifest:file-entry manifest:full-path="extra.txt" '
            'manifest:media-type="text/plain"/></manifest:manifest>')
        added = rebuild(out, self.path("added.asice"), add={"extra.txt": b"unsigned"},
                        replace={"META-INF/manifest.xml": extra.encode()})
        report = self.assert_verdict(added, "TOTAL_FAILED/FORMAT_FAILURE")
        self.assertIn("DATA_FILE_NOT_SIGNED", [e["code"] for e in report["signatures"][0]["errors"]])
        unlisted = rebuild(out, self.path("unlisted.asice"), add={"extra.txt": b"unsigned"})
        report = self.assert_verdict(unlisted, "TOTAL_FAILED/FORMAT_FAILURE")
        self.assertEqual(report["signatures"][0]["errors"][0]["code"], "CONTAINER_INVALID")
        compressed = self.path("compressed.asice")
        with zipfile.ZipFile(out) as zin, zipfile.ZipFile(compressed, "w") as zout:
            for info in zin.infolist():
                zout.writestr(info.filename, zin.read(info.filename),
                              compress_type=zipfile.ZIP_DEFLATED)
        self.assert_verdict(compressed, "TOTAL_FAILED/FORMAT_FAILURE")
        nosig = rebuild(out, self.path("nosig.asice"), drop=("META-INF/signatures0.xml",))
        rc, report = self.verify(nosig)
        self.assertEqual((rc, report["signatures"]), (3, []))
        # what this version does not validate is said, never taken for an unsigned container
        for extra in ("META-INF/signature.p7s", "META-INF/timestamp.tst"):
            odd = rebuild(nosig, self.path("odd.asice"), add={extra: b"0"})
            report = self.assert_verdict(odd, "TOTAL_FAILED/FORMAT_FAILURE")
            self.assertEqual(report["signatures"][0]["errors"][0]["code"], "UNSUPPORTED_SIGNATURE")

    def test_refused_signing_leaves_no_file(self):
        self.write("mimetype", b"x")
        env = dict(os.environ, EMZA_TEST_PASS="x")
        proc = subprocess.run([TOOL, "sign", "--format", "asice", "--key", pki("citizen-rsa.p12"),
                               "--pass-env", "EMZA_TEST_PASS", "-o", self.path("x.asice"),
                               self.path("mimetype")], env=env, capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 4, proc.stderr)
        self.assertFalse(os.path.exists(self.path("x.asice")))
        self.assertEqual([n for n in os.listdir(self.dir) if n != "mimetype"], [])

    def raw_entries(self, path):
        """{name: (compress_type, CRC, compressed bytes as stored)} and the names in order."""
        out = {}
        with zipfile.ZipFile(path) as z, open(path, "rb") as f:
            for info in z.infolist():
                f.seek(info.header_offset)
                head = f.read(30)
                start = info.header_offset + 30 + int.from_bytes(head[26:28], "little") + \
                    int.from_bytes(head[28:30], "little")
                f.seek(start)
                out[info.filename] = (info.compress_type, info.CRC, f.read(info.compress_size))
            return out, [i.filename for i in z.infolist()]

    def test_add_to_round_trip(self):
        out = self.make("citizen-rsa")
        co = self.sign("asice", "citizen-ec", ["deed.txt", "photo.bin"], "co.asice",
                       "--add-to", out)
        before, order_before = self.raw_entries(out)
        after, order_after = self.raw_entries(co)
        self.assertEqual(order_after, order_before + ["META-INF/signatures1.xml"])
        for name, raw in before.items():
            self.assertEqual(after[name], raw, name)  # stored bytes unchanged, not re-deflated
        self.assertEqual(after["mimetype"][0], zipfile.ZIP_STORED)
        with open(co, "rb") as f:
            head = f.read(38 + len(MIMETYPE))
        self.assertEqual(head[30:], b"mimetype" + MIMETYPE)
        report = self.assert_verdict(co, "TOTAL_PASSED")
        sigs = report["signatures"]
        self.assertEqual(len(sigs), 2)
        for s in sigs:
            self.assertEqual(s["indication"], "TOTAL_PASSED", json.dumps(s["errors"]))
            self.assertEqual(sorted(o["name"] for o in s["signedObjects"]),
                             ["deed.txt", "photo.bin"])
        self.assertNotEqual(sigs[0]["signer"], sigs[1]["signer"])
        # a third one takes the next number
        third = self.sign("asice", "citizen-rsa", ["photo.bin", "deed.txt"], "third.asice",
                          "--add-to", co)
        with zipfile.ZipFile(third) as z:
            self.assertEqual([i.filename for i in z.infolist()][-1], "META-INF/signatures2.xml")
        report = self.assert_verdict(third, "TOTAL_PASSED")
        self.assertEqual([s["indication"] for s in report["signatures"]], ["TOTAL_PASSED"] * 3)
        # a data entry changed afterwards breaks every signature
        bad = rebuild(co, self.path("bad.asice"), replace={"photo.bin": b"x"})
        report = self.assert_verdict(bad, "TOTAL_FAILED/HASH_FAILURE")
        self.assertEqual([s["subIndication"] for s in report["signatures"]], ["HASH_FAILURE"] * 2)
        if XMLSEC:
            root = self.path("unzipped")
            with zipfile.ZipFile(co) as z:
                z.extractall(root)
            for name in ("META-INF/signatures0.xml", "META-INF/signatures1.xml"):
                proc = subprocess.run([XMLSEC, "verify", "--trusted-pem", pki("trust/root.pem"),
                                       "--id-attr:Id", NS_XADES + ":SignedProperties", name],
                                      cwd=root, capture_output=True, text=True, timeout=60)
                self.assertEqual(proc.returncode, 0, name + ": " + proc.stdout + proc.stderr)

    def test_add_to_with_other_inputs_is_refused(self):
        out = self.make()
        self.write("other.txt", b"other")
        self.write("changed", b"")
        os.makedirs(self.path("d"))
        with open(self.path("d/deed.txt"), "wb") as f:
            f.write(b"changed content")
        with open(self.path("d/photo.bin"), "wb") as f:
            f.write(b"content of photo.bin\x00\xff")
        env = dict(os.environ, EMZA_TEST_PASS="x")
        for what, inputs, words in (
                ("one missing", ["deed.txt"], "holds 2 data files but 1 input"),
                ("one more", ["deed.txt", "photo.bin", "other.txt"], "but 3 inputs"),
                ("another name", ["deed.txt", "other.txt"], "no data file other.txt"),
                ("other bytes", ["d/deed.txt", "d/photo.bin"], "differs from the entry deed.txt")):
            with self.subTest(what):
                env["EMZA_TEST_PASS"] = PASS
                proc = subprocess.run(
                    [TOOL, "sign", "--format", "asice", "--key", pki("citizen-ec.p12"),
                     "--pass-env", "EMZA_TEST_PASS", "--add-to", out, "-o", self.path("co.asice"),
                     *inputs], cwd=self.dir, env=env, capture_output=True, text=True, timeout=60)
                self.assertEqual(proc.returncode, 4, proc.stderr)
                self.assertIn(words, proc.stderr)
                self.assertEqual(proc.stderr.count("\n"), 1, proc.stderr)
                self.assertFalse(os.path.exists(self.path("co.asice")))
                self.assertEqual([n for n in os.listdir(self.dir) if ".emza-" in n], [])


if __name__ == "__main__":
    unittest.main()
