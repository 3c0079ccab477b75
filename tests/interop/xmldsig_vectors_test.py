"""Every row of ../shared/vectors/xmldsig-interop/MANIFEST.tsv gives its expected answer.

Each row is one run of `emza verify FILE [--trust T]... [--at AT] --offline --json` made from
inside the set folder (vectors/README.md, "How to read MANIFEST.tsv"); the test asserts S0's
indication and sub-indication and the exit code that follows from them. Nothing in the manifest
is special-cased here: a row that disagrees fails.

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
SET = os.path.join(VECTORS, "xmldsig-interop")
EXIT_FOR = {"TOTAL_PASSED": 0, "TOTAL_FAILED": 1, "INDETERMINATE": 2}


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
        self.assertEqual(len(manifest_rows()), 20)

    def test_every_row_gives_its_expected_indication(self):
        for n, row in enumerate(manifest_rows(), start=2):
            with self.subTest(line=n, file=row["file"], trust=row["trust"], at=row["at"]):
                proc = run_row(row)
                self.assertEqual(proc.stderr.count("\n") <= 1, True, proc.stderr)
                report = json.loads(proc.stdout)
                expect = row["expect"]
                if expect == "NONE":
                    self.assertEqual(report["signatures"], [])
                    self.assertEqual(proc.returncode, 3)
                    continue
                indication, _, sub = expect.partition("/")
                s0 = report["signatures"][0]
                got = s0["indication"] + ("/" + s0["subIndication"] if s0["subIndication"] else "")
                self.assertEqual(got, expect, json.dumps(s0.get("errors"), ensure_ascii=False))
                self.assertEqual(s0["indication"], indication)
                self.assertEqual(s0["subIndication"], sub or None)
                self.assertEqual(proc.returncode, EXIT_FOR[indication], proc.stderr)


if __name__ == "__main__":
    unittest.main()
