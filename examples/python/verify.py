#!/usr/bin/env python3
"""verify.py — check a signed document and print the verdict (the Python twin of examples/c/verify.c).

    python3 verify.py SIGNED-FILE TRUST-ANCHORS.pem [DETACHED-DATA...]

Exit status as `emza verify`: 0 all passed, 1 any failed, 2 indeterminate,
3 no signature, 4 when the file could not be verified at all.
"""
import sys

import emza

if len(sys.argv) < 3:
    sys.exit(f"usage: {sys.argv[0]} SIGNED-FILE TRUST-ANCHORS.pem [DETACHED-DATA...]")

try:
    # One call: trust anchors by path, detached content by path; the result is a plain Report.
    report = emza.verify(sys.argv[1], trust=[sys.argv[2]], data=sys.argv[3:])
except emza.Error as e:  # no report could be made (unreadable file, ...): e.code, e.name, e.message
    print(f"verify: {e.message} ({e.name})", file=sys.stderr)
    sys.exit(4)

for sig in report.signatures:  # a failed signature is a verdict, not an exception
    verdict = sig.indication + (f"/{sig.sub_indication}" if sig.sub_indication else "")
    who = sig.signer.common_name if sig.signer else "(unknown)"
    code = sig.signer.national_code if sig.signer and sig.signer.national_code else "(none)"
    print(f"{sig.id} {verdict} signed by {who}, national code {code}")
sys.exit(report.exit_code)
