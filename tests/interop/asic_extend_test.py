"""`emza extend` of ASiC-E containers, with the test TSA and the OCSP/CRL server of
tests/interop/xades_lt_test.py on loopback (its module set-up starts them).

- a container signed at B is raised to T, LT and LTA (and LTA again); at each step every
  signature passes, and from LT on `emza verify --offline` with only the root passes;
- every signatures*.xml of a co-signed container is raised; the data entries, the manifest and
  mimetype keep their stored bytes;
- a data entry changed after LTA fails (HASH_FAILURE), and so does the archive timestamp;
- what cannot be extended (--data given, ASiC-S, no signatures file) is refused, nothing written.

Environment: as xades_lt_test.py (EMZA_TOOL, EMZA_PKI_DIR, EMZA_TEST_TSA, EMZA_SOURCE_ROOT).
"""
import json
import os
import unittest
import zipfile

import xades_lt_test as lt
from xades_lt_test import Base, has_extend, pki, setUpModule, tearDownModule  # noqa: F401

from asic_peers_test import rebuild

NS_XADES = "http://uri.etsi.org/01903/v1.3.2#"


def stored(path):
    """{name: (compress_type, CRC, compressed size)} of every entry, and the names in order."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        return ({i.filename: (i.compress_type, i.CRC, i.compress_size) for i in infos},
                [i.filename for i in infos])


@unittest.skipUnless(has_extend(), "this emza has no `extend` command")
class AsicExtend(Base):
    def container(self, who="rev:good", level="B", name="c.asice", add_to=None, inputs=None):
        extra = ["--add-to", add_to] if add_to else []
        return self.sign(who, self.path(name), level, *extra, fmt="asice",
                         inputs=inputs or [self.deed, self.note])

    def extend(self, path, level, *extra, ok=True):
        r = self.emza("extend", path, "--level", level, "--tsa", lt.SERVERS["now"].url,
                      "--trust", pki("trust/root.pem"), *extra)
        if ok:
            self.assertEqual(r.rc, 0, r.err)
        return r

    def check(self, path, expect_rc=0, offline=True):
        args = ["verify", path, "--trust", pki("trust/root.pem"), "--json"]
        if offline:
            args.append("--offline")
        r = self.emza(*args)
        self.assertEqual(r.rc, expect_rc, "verify: exit %d, %r, %s" % (r.rc, r.err, r.out[:3000]))
        report = json.loads(r.out)
        self.assertEqual(report["document"]["format"], "ASiC-E")
        return report["signatures"]

    def test_b_to_t_to_lt_to_lta_and_again(self):
        out = self.container()
        first, order = stored(out)
        for level, archives in (("T", 0), ("LT", 0), ("LTA", 1), ("LTA", 2)):
            with self.subTest(level=level, archives=archives):
                self.extend(out, level)
                # at T the certificate's OCSP responder is asked; from LT on nothing is
                sigs = self.check(out, offline=level != "T")
                self.assertEqual(len(sigs), 1)
                self.assert_verdict(sigs[0], "TOTAL_PASSED")
                self.assertEqual(sigs[0]["level"], "XAdES-BASELINE-" + level)
                self.assertEqual([t["type"] for t in sigs[0]["timestamps"]],
                                 ["ARCHIVE"] * archives + ["SIGNATURE"])
                now, names = stored(out)
                self.assertEqual(names, order)
                for name, raw in first.items():
                    if name != "META-INF/signatures0.xml":
                        self.assertEqual(now[name], raw, name)
                with open(out, "rb") as f:
                    self.assertEqual(f.read(38)[30:], b"mimetype")
        # a data entry changed after LTA: the signature and the archive timestamps fail
        bad = rebuild(out, self.path("bad.asice"), replace={"deed.xml": b"<deed/>"})
        sigs = self.check(bad, expect_rc=1)
        self.assert_verdict(sigs[0], "TOTAL_FAILED", "HASH_FAILURE")
        self.assertTrue(all(t["indication"] != "PASSED" for t in sigs[0]["timestamps"]
                            if t["type"] == "ARCHIVE"), json.dumps(sigs[0]["timestamps"]))

    def test_every_signature_of_a_co_signed_container_is_raised(self):
        one = self.container(name="one.asice")
        two = self.container(who="rev:good", name="two.asice", add_to=one)
        self.extend(two, "LTA")
        sigs = self.check(two)
        self.assertEqual(len(sigs), 2)
        for s in sigs:
            self.assert_verdict(s, "TOTAL_PASSED")
            self.assertEqual(s["level"], "XAdES-BASELINE-LTA")
        if lt.XMLSEC is not None:
            root = self.path("unzipped")
            with zipfile.ZipFile(two) as z:
                z.extractall(root)
            for name in ("META-INF/signatures0.xml", "META-INF/signatures1.xml"):
                p = lt.subprocess.run([lt.XMLSEC, "verify", "--trusted-pem",
                                       pki("trust/root.pem"), "--id-attr:Id",
                                       NS_XADES + ":SignedProperties", name], cwd=root,
                                      capture_output=True, text=True, timeout=60)
                self.assertEqual(p.returncode, 0, name + ": " + p.stdout + p.stderr)

    def test_what_is_not_extended_is_refused_and_nothing_written(self):
        out = self.container()
        with open(out, "rb") as f:
            before = f.read()
        target = self.path("x.asice")
        r = self.extend(out, "LT", "--data", self.deed, "-o", target, ok=False)
        self.assertIn("give no data files", self.assert_fails_cleanly(r, target, "--data"))
        nosig = rebuild(out, self.path("nosig.asice"), drop=("META-INF/signatures0.xml",))
        r = self.extend(nosig, "LT", "-o", target, ok=False)
        self.assertIn("no XAdES signatures file", self.assert_fails_cleanly(r, target, "none"))
        with open(out, "rb") as f:
            self.assertEqual(f.read(), before)


if __name__ == "__main__":
    unittest.main()
