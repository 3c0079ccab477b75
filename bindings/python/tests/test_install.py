"""`pip install ./bindings/python` works offline, and the README's five lines verify a signed file.

Installs the package into a fresh virtual environment the way the README
says (a venv over the system's setuptools, no index, no build isolation),
then runs the README's five-line program with the venv's python and no
PYTHONPATH, so the import can only come from the installed package.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE = os.environ["EMZA_SOURCE_ROOT"]
PKI = os.environ["EMZA_PKI_DIR"]
TOOL = os.environ["EMZA_TOOL"]



def readme_block(language: str) -> str:
    """The code block that follows `<!-- five-lines:LANGUAGE -->` in the README: the test runs what users read."""
    with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
        text = f.read()
    after = text.split(f"<!-- five-lines:{language} -->", 1)[1]
    return after.split(f"```{language}\n", 1)[1].split("```", 1)[0]


FIVE_LINES = readme_block("python")


class Install(unittest.TestCase):
    def test_pip_install_offline_then_five_lines_verify(self) -> None:
        work = tempfile.mkdtemp(prefix="emza-pip-")
        self.addCleanup(shutil.rmtree, work)
        venv = os.path.join(work, "v")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_INDEX_URL")}
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        # Debian's python3 as the README says (python3-venv, python3-setuptools, python3-wheel).
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        subprocess.run([python, "-m", "venv", "--system-site-packages", venv], check=True, env=env)
        # pip builds in the source directory (build/, *.egg-info): install from a copy, keeping the tree clean.
        package = os.path.join(work, "bindings", "python")
        shutil.copytree(os.path.join(SOURCE, "bindings", "python"), package,
                        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests"))
        pip = subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--no-build-isolation", "--no-index",
                              "./bindings/python"],
                             env=env, cwd=work, capture_output=True, text=True)
        self.assertEqual(pip.returncode, 0, pip.stdout + pip.stderr)

        shutil.copy(os.path.join(PKI, "trust", "root.pem"), os.path.join(work, "root.pem"))
        with open(os.path.join(work, "deed.xml"), "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n<deed><price>1000</price></deed>\n')
        env["EMZA_PASS"] = "emza-test"
        subprocess.run([TOOL, "sign", "--format", "xades-enveloped", "--key", os.path.join(PKI, "citizen-rsa.p12"),
                        "--pass-env", "EMZA_PASS", "-o", "deed.signed.xml", "deed.xml"],
                       check=True, cwd=work, env=env)
        with open(os.path.join(work, "five.py"), "w") as f:
            f.write(FIVE_LINES)
        self.assertEqual(len(FIVE_LINES.splitlines()), 5)
        run = subprocess.run([os.path.join(venv, "bin", "python"), "five.py"], cwd=work, env=env,
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout, "TOTAL_PASSED None 0499370899\nALL_PASSED\n")
        # and the package really came from the venv, not the source tree
        where = subprocess.run([os.path.join(venv, "bin", "python"), "-c", "import emza; print(emza.__file__)"],
                               cwd=work, env=env, capture_output=True, text=True, check=True).stdout
        self.assertTrue(where.startswith(venv), where)


if __name__ == "__main__":
    unittest.main()
