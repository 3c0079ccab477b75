"""The README's five-line Java program verifies a signed file, run with the README's command.

The program is taken from README.md (the block after `<!-- five-lines:java -->`),
so the test runs what users read. Env: EMZA_SOURCE_ROOT, EMZA_PKI_DIR,
EMZA_TOOL, EMZA_JNI_LIBRARY, EMZA_JAR, EMZA_JAVA.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unittest

SOURCE = os.environ["EMZA_SOURCE_ROOT"]
PKI = os.environ["EMZA_PKI_DIR"]


def readme_block(language: str) -> str:
    with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
        text = f.read()
    after = text.split(f"<!-- five-lines:{language} -->", 1)[1]
    return after.split(f"```{language}\n", 1)[1].split("```", 1)[0]


class ReadmeJava(unittest.TestCase):
    def test_five_lines_verify_a_signed_file(self) -> None:
        program = readme_block("java")
        self.assertEqual(len(program.splitlines()), 5)
        work = tempfile.mkdtemp(prefix="emza-java-readme-")
        self.addCleanup(shutil.rmtree, work)
        shutil.copy(os.path.join(PKI, "trust", "root.pem"), os.path.join(work, "root.pem"))
        with open(os.path.join(work, "deed.xml"), "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n<deed><price>1000</price></deed>\n')
        env = dict(os.environ, EMZA_PASS="emza-test")
        env.pop("EMZA_JNI_LIBRARY", None)  # only the README's -D option may find the glue
        subprocess.run([os.environ["EMZA_TOOL"], "sign", "--format", "xades-enveloped", "--key",
                        os.path.join(PKI, "citizen-rsa.p12"), "--pass-env", "EMZA_PASS", "-o", "deed.signed.xml",
                        "deed.xml"], check=True, cwd=work, env=env)
        with open(os.path.join(work, "Check.java"), "w", encoding="utf-8") as f:
            f.write(program)
        run = subprocess.run([os.environ["EMZA_JAVA"], "-Demza.jni.library=" + os.environ["EMZA_JNI_LIBRARY"],
                              "-cp", os.environ["EMZA_JAR"], "Check.java"],
                             cwd=work, env=env, capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout, "ALL_PASSED 0499370899\n")


if __name__ == "__main__":
    unittest.main()
