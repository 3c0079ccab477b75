"""Every row of ../shared/vectors/asic-interop/MANIFEST.tsv gives its expected answer.

Each row is one run of `emza verify FILE [--trust T]... [--at AT] --offline --json` made from
inside the set folder (vectors/README.md, "How to read MANIFEST.tsv"); the test asserts S0's
indication and sub-indication, the exit code that follows from them, and the document format
(ASiC-E / ASiC-S by the container's mimetype, ASiC-E when it has none).

DEVIATIONS lists the rows whose `expect` rests on an assumption of vectors/README.md
("Assumptions behind expect") that CONTRACT.md or an existing module decides otherwise. Each
entry gives the answer emza gives instead and why; the row must give exactly that answer (and
the manifest must still say what the entry says it says), so any change shows up here. The lead
decides whether the manifest or emza changes; until then they are listed, not hidden.

Environment: EMZA_TOOL (the built `emza`), EMZA_VECTORS (the shared vectors folder).
"""
import csv
import json
import os
import subprocess
import unittest

TOOL = os.environ.get("EMZA_TOOL", "emza")
VECTORS = os.environ.get("EMZA_VECTORS", os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                                      "shared", "vectors"))
SET = os.path.join(VECTORS, "asic-interop")
EXIT_FOR = {"TOTAL_PASSED": 0, "TOTAL_FAILED": 1, "INDETERMINATE": 2}

# (file, at) -> (manifest expect, emza's answer, reason)
DEVIATIONS = {
    ("test.asics", "2016-11-02T11:07:46Z"): (
        "TOTAL_PASSED", "INDETERMINATE/TRY_LATER",
        "README assumption 3: the TSA certificate names a CRL that --offline cannot fetch and "
        "nothing is embedded; CONTRACT.md 'Default validation policy' makes that TRY_LATER, "
        "never passed (the README names this very outcome if the policy requires revocation)"),
    ("test.asics", "-"): (
        "INDETERMINATE/OUT_OF_BOUNDS_NO_POE", "INDETERMINATE/TRY_LATER",
        "the same missing CRL; trust.c ranks revocation before the validity range, so the "
        "chain's first finding is TRY_LATER, not the TSA certificate's expiry (same indication)"),
    ("test.asice", "-"): (
        "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND", "INDETERMINATE/CERTIFICATE_CHAIN_GENERAL_FAILURE",
        "OpenSSL links the embedded 2013 'libdigidocpp Inter' (no authority key identifier) to "
        "the 2024 ca.crt of the same name, whose key does not verify it; trust.c reports a "
        "certificate signature failure as a general failure (tests/unit/trust_test.c) where EU "
        "DSS, linking issuers by signature, finds no chain (same indication)"),
}


def manifest_rows():
    with open(os.path.join(SET, "MANIFEST.tsv"), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def run_row(row):
    args = [TOOL, "verify", row["file"]]
    if row["trust"] != "-":
        for t in row["trust"].split():
            args += ["--trust", t]
    if row["at"] != "-":
        args += ["--at", row["at"]]
    args += ["--offline", "--json"]
    return subprocess.run(args, cwd=SET, capture_output=True, text=True, timeout=60)


class ManifestTest(unittest.TestCase):
    def test_manifest_has_rows(self):
        self.assertEqual(len(manifest_rows()), 10)

    def test_every_row_gives_its_expected_indication(self):
        for n, row in enumerate(manifest_rows(), start=2):
            with self.subTest(line=n, file=row["file"], trust=row["trust"], at=row["at"]):
                proc = run_row(row)
                self.assertLessEqual(proc.stderr.count("\n"), 1, proc.stderr)
                report = json.loads(proc.stdout)
                fmt = "ASiC-S" if row["file"].endswith(".asics") and \
                    row["file"] != "test-invalid.asics" else "ASiC-E"
                self.assertEqual(report["document"]["format"], fmt)
                expect = row["expect"]
                deviation = DEVIATIONS.get((row["file"], row["at"]))
                if deviation is not None:
                    self.assertEqual(expect, deviation[0], "the manifest changed: revisit DEVIATIONS")
                    expect = deviation[1]
                if expect == "NONE":
                    self.assertEqual(report["signatures"], [])
                    self.assertEqual(proc.returncode, 3)
                    continue
                indication, _, sub = expect.partition("/")
                s0 = report["signatures"][0]
                got = s0["indication"] + ("/" + s0["subIndication"] if s0["subIndication"] else "")
                self.assertEqual(got, expect, json.dumps(s0.get("errors"), ensure_ascii=False))
                self.assertEqual(s0["subIndication"], sub or None)
                self.assertEqual(proc.returncode, EXIT_FOR[indication], proc.stderr)

    def test_timestamp_only_container_is_one_tst_entry(self):
        proc = run_row({"file": "test-invalidts.asics", "trust": "TEST_EECCRCA.crt",
                        "at": "2016-11-02T11:07:46Z"})
        report = json.loads(proc.stdout)
        self.assertEqual(len(report["signatures"]), 1)
        self.assertEqual(report["signatures"][0]["level"], "TST")
        self.assertEqual(report["signatures"][0]["signedObjects"][0]["name"], "test2.txt")

    def test_forged_lt_is_never_passed(self):
        proc = run_row({"file": "forged_lt.asice", "trust": "ca.crt inter.crt", "at": "-"})
        s0 = json.loads(proc.stdout)["signatures"][0]
        self.assertNotEqual(s0["indication"], "TOTAL_PASSED")
        self.assertEqual([o["name"] for o in s0["signedObjects"]], ["example-for-signing.txt"])


if __name__ == "__main__":
    unittest.main()
