#!/usr/bin/env python3
"""Command-line tests: run the real `emza` binary on the generated test PKI.

Run by meson (`meson test cli`) as `python3 tests/cli/cli_test.py -v` with
  EMZA_TOOL     path of the built emza
  EMZA_PKI_DIR  the test PKI made by tests/fixtures/make-pki.sh (see its README)

Python 3 standard library only. Every run of the tool is checked for a crash:
a negative return code (killed by a signal) or a sanitizer report on stderr
fails the test, whatever else it asserts. Generated junk goes into a
tempfile.TemporaryDirectory.
"""

import datetime
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import unittest

TOOL = os.environ.get("EMZA_TOOL", "")
PKI = os.environ.get("EMZA_PKI_DIR", "")
OPENSSL = shutil.which("openssl")

# Marks of a crash or an undefined-behaviour report on stderr.
CRASH_MARKERS = (
    "AddressSanitizer",
    "LeakSanitizer",
    "UndefinedBehaviorSanitizer",
    "runtime error",
    "Segmentation fault",
    "core dumped",
)

EM_DASH = "\u2014"
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

# Characters that must never reach a terminal raw from certificate data.
RLO = "\u202e"   # RIGHT-TO-LEFT OVERRIDE
LRI = "\u2066"   # LEFT-TO-RIGHT ISOLATE
ESC = "\x1b"
BEL = "\x07"
C1_CSI = "\u009b"


def setUpModule():
    if not TOOL or not os.access(TOOL, os.X_OK):
        raise RuntimeError("EMZA_TOOL must name the built emza executable (got %r)" % TOOL)
    if not PKI or not os.path.isfile(os.path.join(PKI, "trust", "root.pem")):
        raise RuntimeError("EMZA_PKI_DIR must name the generated test PKI (got %r)" % PKI)


def pki(name):
    return os.path.join(PKI, name)


def der_sha256(name):
    with open(pki(name + ".cert.der"), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def national_check_digit(first9):
    """The check digit of a national code, by the published algorithm."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(first9))
    r = total % 11
    return r if r < 2 else 11 - r


class Run:
    def __init__(self, rc, out, err):
        self.rc = rc
        self.out = out
        self.err = err

    def lines(self):
        return self.out.splitlines()

    def __repr__(self):
        return "rc=%d\n--- stdout ---\n%s--- stderr ---\n%s" % (self.rc, self.out, self.err)


class EmzaTestCase(unittest.TestCase):
    maxDiff = None

    def emza(self, *args, timeout=60):
        """Runs emza; fails on a crash or sanitizer report; stdout must be UTF-8."""
        proc = subprocess.run([TOOL, *args], stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
        err = proc.stderr.decode("utf-8", errors="replace")
        self.assertGreaterEqual(proc.returncode, 0,
                                "emza was killed by signal %d\n%s" % (-proc.returncode, err))
        for marker in CRASH_MARKERS:
            self.assertNotIn(marker, err, "crash or sanitizer report:\n" + err)
        try:
            out = proc.stdout.decode("utf-8")
        except UnicodeDecodeError as e:
            self.fail("stdout is not UTF-8: %s" % e)
        return Run(proc.returncode, out, err)

    def assert_one_line_error(self, run, rc=4, contains=None):
        """Exit `rc`, nothing on stdout, exactly one line with words on stderr."""
        self.assertEqual(run.rc, rc, run)
        self.assertEqual(run.out, "", run)
        self.assertTrue(run.err.endswith("\n"), run)
        self.assertEqual(run.err.count("\n"), 1, "stderr is not one line:\n%r" % run.err)
        self.assertTrue(run.err.startswith("emza: "), run)
        self.assertRegex(run.err[len("emza: "):], r"[A-Za-z]{3,}.*[A-Za-z]{3,}")
        if contains is not None:
            self.assertIn(contains, run.err)
        return run

    def assert_no_raw_controls(self, text):
        for ch in text:
            code = ord(ch)
            self.assertFalse(code < 0x20 and ch != "\n", "raw C0 control %r in %r" % (ch, text))
            self.assertFalse(0x7F <= code <= 0x9F, "raw DEL/C1 control %r in %r" % (ch, text))
            self.assertFalse(0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069,
                             "raw bidi override/isolate U+%04X in %r" % (code, text))

    def json_out(self, run):
        try:
            return json.loads(run.out)
        except ValueError as e:
            self.fail("stdout is not JSON (%s):\n%r" % (e, run))

    # cert verify of a fixture NAME with its chain as untrusted certificates.
    def verify(self, name, *extra, trust=None, json_output=True, chain=True):
        args = ["cert", "verify", pki(name + ".cert.pem"), "--trust", trust or pki("trust/root.pem")]
        if chain:
            args += ["--untrusted", pki(name + ".chain.pem")]
        args += list(extra)
        if json_output:
            args.append("--json")
        return self.emza(*args)

    def assert_verdict(self, run, rc, indication, sub):
        self.assertEqual(run.rc, rc, run)
        self.assertEqual(run.err, "", run)
        report = self.json_out(run)
        self.assertEqual(report["emzaCertReport"], 1)
        self.assertEqual(report["indication"], indication, run)
        self.assertEqual(report["subIndication"], sub, run)
        self.assertRegex(report["validationTime"], ISO_RE)
        for key in ("errors", "warnings"):
            for item in report[key]:
                self.assertRegex(item["code"], r"^[A-Z][A-Z0-9_]+$")
                self.assertTrue(item["message"])
        if indication == "TOTAL_PASSED":
            self.assertEqual(report["errors"], [])
        else:
            self.assertTrue(report["message"], "a verdict that did not pass needs a message")
            self.assertTrue(report["errors"], "a verdict that did not pass needs an error")
        return report


# ---------------------------------------------------------------------------
# General: version, help, dispatch
# ---------------------------------------------------------------------------

class TestGeneral(EmzaTestCase):

    def test_version__prints_emza_and_the_library_version(self):
        run = self.emza("version")
        self.assertEqual(run.rc, 0, run)
        self.assertRegex(run.out, r"^emza \d+\.\d+\.\d+\n$")
        self.assertEqual(run.out, "emza 0.1.0\n")
        self.assertEqual(run.err, "")

    def test_version__with_an_argument_is_a_usage_error(self):
        self.assert_one_line_error(self.emza("version", "extra"))

    def test_no_arguments__prints_usage_on_stderr_and_exits_4(self):
        run = self.emza()
        self.assertEqual(run.rc, 4, run)
        self.assertEqual(run.out, "")
        self.assertIn("usage:", run.err)
        self.assertIn("cert verify", run.err)

    def test_help__prints_usage_on_stdout_and_exits_0(self):
        for args in (["help"], ["--help"], ["-h"]):
            with self.subTest(args=args):
                run = self.emza(*args)
                self.assertEqual(run.rc, 0, run)
                self.assertEqual(run.err, "")
                for command in ("version", "id check", "cert inspect", "cert verify"):
                    self.assertIn(command, run.out)

    def test_help_of_a_command__lists_its_options(self):
        for args in (["help", "cert", "verify"], ["cert", "verify", "--help"]):
            with self.subTest(args=args):
                run = self.emza(*args)
                self.assertEqual(run.rc, 0, run)
                for option in ("--trust", "--untrusted", "--at", "--purpose", "--offline", "--json"):
                    self.assertIn(option, run.out)

    def test_help_of_an_unknown_command__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("help", "frobnicate"), contains="frobnicate")

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_output_that_cannot_be_written__is_an_operational_error(self):
        with open("/dev/full", "wb") as full:
            proc = subprocess.run([TOOL, "cert", "inspect", pki("citizen-rsa.cert.pem")],
                                  stdout=full, stderr=subprocess.PIPE, timeout=60)
        err = proc.stderr.decode("utf-8", errors="replace")
        self.assertEqual(proc.returncode, 4, err)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertTrue(err.startswith("emza: "), err)

    def test_unknown_command__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("frobnicate"), contains="frobnicate")

    def test_group_without_subcommand__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert"), contains="inspect")
        self.assert_one_line_error(self.emza("id"), contains="check")

    def test_unknown_subcommand__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert", "frob"), contains="frob")

    def test_control_characters_in_arguments__do_not_reach_stderr_raw(self):
        run = self.assert_one_line_error(self.emza("cert", "inspect", "--fo" + ESC + "[2J" + RLO + "o"))
        self.assert_no_raw_controls(run.err)
        self.assertIn("\\u001B", run.err)
        self.assertIn("\\u202E", run.err)

    def test_file_name_with_newline__still_gives_one_line_on_stderr(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = self.emza("cert", "inspect", os.path.join(tmp, "no\nsuch" + RLO + ".pem"))
            self.assert_one_line_error(run)
            self.assert_no_raw_controls(run.err)


# ---------------------------------------------------------------------------
# emza id check
# ---------------------------------------------------------------------------

class TestIdCheck(EmzaTestCase):

    def test_valid_national_code__exits_0_with_one_line(self):
        run = self.emza("id", "check", "0499370899")
        self.assertEqual(run.rc, 0, run)
        self.assertEqual(run.out, "0499370899  valid national code\n")
        self.assertEqual(run.err, "")

    def test_valid_legal_entity_id__exits_0(self):
        run = self.emza("id", "check", "10380284790")
        self.assertEqual(run.rc, 0, run)
        self.assertEqual(run.out, "10380284790  valid legal-entity id\n")

    def test_bad_check_digit__exits_1_and_names_the_expected_digit(self):
        expected = national_check_digit("123456789")
        self.assertNotEqual(expected, 0)
        run = self.emza("id", "check", "1234567890")
        self.assertEqual(run.rc, 1, run)
        self.assertEqual(run.out, "1234567890  invalid national code: bad check digit (expected %d)\n"
                         % expected)
        self.assertEqual(run.err, "")

    def test_wrong_length__exits_1_and_says_how_many_digits(self):
        run = self.emza("id", "check", "12345")
        self.assertEqual(run.rc, 1, run)
        self.assertEqual(run.out, "12345  invalid: wrong length (5 digits; a national code has 10, "
                                  "a legal-entity id 11)\n")

    def test_non_digit__exits_1_and_names_its_position(self):
        run = self.emza("id", "check", "04993a0899")
        self.assertEqual(run.rc, 1, run)
        self.assertIn("invalid", run.out)
        self.assertIn("position 6", run.out)

    def test_one_digit_repeated__is_invalid_although_its_checksum_matches(self):
        self.assertEqual(national_check_digit("111111111"), 1)
        run = self.emza("id", "check", "--json", "1111111111")
        self.assertEqual(run.rc, 1, run)
        [entry] = self.json_out(run)
        self.assertFalse(entry["valid"])
        self.assertEqual(entry["verdict"], "REPEATED_DIGITS")

    def test_mixed_valid_and_invalid__exits_1_with_one_line_each_in_order(self):
        run = self.emza("id", "check", "0499370899", "1234567890", "10380284790", "12345")
        self.assertEqual(run.rc, 1, run)
        lines = run.lines()
        self.assertEqual(len(lines), 4, run)
        self.assertTrue(lines[0].startswith("0499370899  valid"))
        self.assertTrue(lines[1].startswith("1234567890  invalid"))
        self.assertTrue(lines[2].startswith("10380284790  valid"))
        self.assertTrue(lines[3].startswith("12345  invalid"))

    def test_persian_digits__are_valid_and_shown_as_ascii(self):
        persian = "۰۴۹۹۳۷۰۸۹۹"
        run = self.emza("id", "check", persian)
        self.assertEqual(run.rc, 0, run)
        self.assertIn(persian, run.out)
        self.assertIn("0499370899", run.out)
        self.assertIn("valid national code", run.out)

    def test_arabic_indic_digits__are_valid_and_shown_as_ascii(self):
        run = self.emza("id", "check", "٠٤٩٩٣٧٠٨٩٩")
        self.assertEqual(run.rc, 0, run)
        self.assertIn("0499370899", run.out)

    def test_json__prints_an_array_with_every_field(self):
        run = self.emza("id", "check", "--json", "0499370899", "۱۰۳۸۰۲۸۴۷۹۰", "1234567890", "12345")
        self.assertEqual(run.rc, 1, run)
        entries = self.json_out(run)
        self.assertEqual(len(entries), 4)
        for e in entries:
            self.assertEqual(set(e) >= {"input", "kind", "valid", "reason", "digits"}, True, e)
        self.assertEqual(entries[0], {"input": "0499370899", "kind": "nationalCode", "valid": True,
                                      "verdict": "VALID", "reason": None, "digits": "0499370899"})
        self.assertEqual(entries[1]["input"], "۱۰۳۸۰۲۸۴۷۹۰")
        self.assertEqual(entries[1]["kind"], "legalId")
        self.assertTrue(entries[1]["valid"])
        self.assertEqual(entries[1]["digits"], "10380284790")
        self.assertFalse(entries[2]["valid"])
        self.assertEqual(entries[2]["verdict"], "BAD_CHECK_DIGIT")
        self.assertIn("bad check digit", entries[2]["reason"])
        self.assertFalse(entries[3]["valid"])
        self.assertIsNone(entries[3]["digits"])
        self.assertIn("5 digits", entries[3]["reason"])
        self.assertIn("۱۰۳۸۰۲۸۴۷۹۰", run.out, "JSON must keep UTF-8, not \\u escapes")

    def test_empty_and_too_long_codes__are_invalid_not_crashes(self):
        run = self.emza("id", "check", "", "9" * 5000)
        self.assertEqual(run.rc, 1, run)
        self.assertEqual(len(run.lines()), 2)
        self.assertNotIn("  valid", run.out)

    def test_control_and_bidi_characters_in_a_code__are_escaped(self):
        run = self.emza("id", "check", ESC + "[2J" + RLO + "0499" + C1_CSI + BEL)
        self.assertEqual(run.rc, 1, run)
        self.assert_no_raw_controls(run.out)
        self.assertIn("\\u001B", run.out)
        self.assertIn("\\u202E", run.out)

    def test_no_code__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("id", "check"))
        self.assert_one_line_error(self.emza("id", "check", "--json"))

    def test_unknown_option__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("id", "check", "--foo", "0499370899"),
                                   contains="unknown option --foo")

    def test_double_dash__ends_the_options(self):
        run = self.emza("id", "check", "--", "--json")
        self.assertEqual(run.rc, 1, run)
        self.assertIn("--json  invalid", run.out)


# ---------------------------------------------------------------------------
# emza cert inspect
# ---------------------------------------------------------------------------

class TestCertInspect(EmzaTestCase):

    def inspect_json(self, name, ext="pem"):
        run = self.emza("cert", "inspect", pki("%s.cert.%s" % (name, ext)), "--json")
        self.assertEqual(run.rc, 0, run)
        self.assertEqual(run.err, "")
        return self.json_out(run)

    def test_pem__prints_names_national_code_and_facts(self):
        run = self.emza("cert", "inspect", pki("citizen-rsa.cert.pem"))
        self.assertEqual(run.rc, 0, run)
        self.assertEqual(run.err, "")
        for text in ("علی رضایی", "رضایی", "PNOIR-0499370899", "0499370899", "Emza Test Citizen CA",
                     "rsa", "2048", "rsa-sha256", "digitalSignature, nonRepudiation",
                     "2.16.364.101.1.1", "QcCompliance", "QcSSCD", "esign",
                     der_sha256("citizen-rsa")):
            self.assertIn(text, run.out)
        # Validity in ISO 8601 UTC and in the Solar Hijri calendar, Tehran time.
        self.assertRegex(run.out, r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d{4}/\d\d/\d\d \d\d:\d\d Tehran\)")
        self.assert_no_raw_controls(run.out)

    def test_der__prints_the_same_as_pem(self):
        pem = self.emza("cert", "inspect", pki("citizen-rsa.cert.pem"))
        der = self.emza("cert", "inspect", pki("citizen-rsa.cert.der"))
        self.assertEqual(der.rc, 0, der)
        self.assertEqual(der.out, pem.out)

    def test_json__has_every_field_with_persian_names_and_national_code(self):
        j = self.inspect_json("citizen-rsa")
        self.assertEqual(j["emzaCertificate"], 1)
        self.assertEqual(j["commonName"], "علی رضایی")
        self.assertEqual(j["givenName"], "علی")
        self.assertEqual(j["surname"], "رضایی")
        self.assertEqual(j["country"], "IR")
        self.assertIsNone(j["organization"])
        self.assertEqual(j["serialNumberAttribute"], "PNOIR-0499370899")
        self.assertIsNone(j["organizationIdentifier"])
        self.assertEqual(j["nationalCode"], "0499370899")
        self.assertIsNone(j["legalId"])
        self.assertIn("علی رضایی", j["subject"])
        self.assertIn("Emza Test Citizen CA", j["issuer"])
        self.assertRegex(j["serial"], r"^[0-9A-F]+$")
        self.assertRegex(j["notBefore"], ISO_RE)
        self.assertRegex(j["notAfter"], ISO_RE)
        self.assertEqual(j["certificateSha256"], der_sha256("citizen-rsa"))
        self.assertEqual(j["keyAlgorithm"], "rsa")
        self.assertEqual(j["keyBits"], 2048)
        self.assertEqual(j["signatureAlgorithm"], "rsa-sha256")
        self.assertIs(j["isCA"], False)
        self.assertIs(j["selfSigned"], False)
        self.assertEqual(j["keyUsage"], ["digitalSignature", "nonRepudiation"])
        self.assertIsNone(j["extendedKeyUsage"])
        self.assertEqual(j["policies"], ["2.16.364.101.1.1"])
        self.assertEqual(j["qcStatements"], {"compliance": True, "sscd": True, "types": ["esign"]})
        self.assertEqual(j["ocspUrls"], [])
        self.assertEqual(j["crlUrls"], [])

    def test_json__keeps_utf8_text_instead_of_escapes(self):
        run = self.emza("cert", "inspect", pki("citizen-rsa.cert.pem"), "--json")
        self.assertIn("علی رضایی", run.out)

    @unittest.skipUnless(OPENSSL, "needs the openssl tool")
    def test_json__serial_and_dates_match_openssl(self):
        j = self.inspect_json("citizen-rsa")
        out = subprocess.run([OPENSSL, "x509", "-in", pki("citizen-rsa.cert.pem"), "-noout",
                              "-serial", "-startdate", "-enddate"],
                             capture_output=True, text=True, check=True, env={"LC_ALL": "C",
                                                                              "PATH": os.environ.get("PATH", "")}).stdout
        fields = dict(line.split("=", 1) for line in out.splitlines())
        self.assertEqual(j["serial"].lstrip("0"), fields["serial"].upper().lstrip("0"))

        def iso(text):
            t = datetime.datetime.strptime(text.replace("  ", " "), "%b %d %H:%M:%S %Y GMT")
            return t.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.assertEqual(j["notBefore"], iso(fields["notBefore"]))
        self.assertEqual(j["notAfter"], iso(fields["notAfter"]))

    def test_json__legal_id_and_eseal_of_an_organisation(self):
        j = self.inspect_json("org-seal")
        self.assertEqual(j["legalId"], "10380284790")
        self.assertEqual(j["organizationIdentifier"], "NTRIR-10380284790")
        self.assertEqual(j["organization"], "دفتر اسناد رسمی شماره ۱")
        self.assertEqual(j["commonName"], "Emza Test Notary Office")
        self.assertIsNone(j["nationalCode"])
        self.assertEqual(j["qcStatements"], {"compliance": True, "sscd": False, "types": ["eseal"]})

    def test_json__bmp_and_t61_names_are_decoded(self):
        j = self.inspect_json("bmp-names")
        self.assertEqual(j["commonName"], "علی رضایی")
        self.assertEqual(j["givenName"], "علی")
        self.assertEqual(j["surname"], "رضایی")
        self.assertEqual(j["organization"], "Müller GmbH")

    def test_json__ec_key_and_bare_serial_number_national_code(self):
        j = self.inspect_json("citizen-ec", "der")
        self.assertEqual(j["keyAlgorithm"], "ec")
        self.assertEqual(j["keyBits"], 256)
        self.assertEqual(j["nationalCode"], "0790419904")
        self.assertEqual(j["commonName"], "مریم احمدی")
        self.assertEqual(j["keyUsage"], ["nonRepudiation"])
        self.assertIsNone(j["qcStatements"])
        self.assertEqual(j["policies"], [])

    def test_json__extended_key_usage_of_an_authentication_certificate(self):
        j = self.inspect_json("citizen-auth")
        self.assertEqual(j["keyUsage"], ["digitalSignature"])
        self.assertEqual(j["extendedKeyUsage"], ["clientAuth"])
        self.assertEqual(j["nationalCode"], "1583250689")

    def test_json__key_usage_is_null_when_the_extension_is_absent(self):
        j = self.inspect_json("no-keyusage")
        self.assertIsNone(j["keyUsage"])
        self.assertIsNone(j["extendedKeyUsage"])

    def test_json__ocsp_and_crl_urls(self):
        j = self.inspect_json("with-revocation")
        self.assertEqual(j["ocspUrls"], ["http://127.0.0.1:9/ocsp"])
        self.assertEqual(j["crlUrls"], ["http://127.0.0.1:9/citizen-ca.crl"])

    def test_json__self_signed_root_is_a_ca(self):
        j = self.inspect_json("root-ca")
        self.assertIs(j["isCA"], True)
        self.assertIs(j["selfSigned"], True)
        self.assertEqual(j["keyUsage"], ["keyCertSign", "cRLSign"])
        self.assertEqual(j["keyBits"], 3072)

    def test_json__weak_certificates_are_described(self):
        self.assertEqual(self.inspect_json("sha1-signed")["signatureAlgorithm"], "rsa-sha1")
        self.assertEqual(self.inspect_json("rsa1024")["keyBits"], 1024)

    def test_missing_cert_argument__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert", "inspect"))

    def test_two_cert_arguments__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert", "inspect", pki("citizen-rsa.cert.pem"),
                                             pki("citizen-ec.cert.pem")))

    def test_unknown_option__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert", "inspect", pki("citizen-rsa.cert.pem"), "--foo"),
                                   contains="emza: cert inspect: unknown option --foo")

    def test_flag_with_a_value__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert", "inspect", pki("citizen-rsa.cert.pem"),
                                             "--json=yes"))


# ---------------------------------------------------------------------------
# Bad input to cert inspect and cert verify: one line, exit 4, no crash.
# ---------------------------------------------------------------------------

class TestBadCertificateInput(EmzaTestCase):

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def assert_rejected_by_both(self, path):
        """cert inspect and cert verify both exit 4 with one line naming the problem."""
        self.assert_one_line_error(self.emza("cert", "inspect", path))
        self.assert_one_line_error(self.emza("cert", "inspect", path, "--json"))
        self.assert_one_line_error(self.emza("cert", "verify", path, "--trust", pki("trust/root.pem")))

    def test_missing_file__is_rejected_with_one_line(self):
        self.assert_rejected_by_both(os.path.join(self.tmp, "does-not-exist.pem"))

    def test_directory_as_cert__is_rejected_with_one_line(self):
        self.assert_rejected_by_both(self.tmp)

    def test_empty_file__is_rejected_with_one_line(self):
        self.assert_rejected_by_both(self.write("empty.pem", b""))

    def test_pem_garbage__is_rejected_with_one_line(self):
        self.assert_rejected_by_both(self.write(
            "garbage.pem", b"-----BEGIN CERTIFICATE-----\nthis is not base64 !!!\n"
                           b"-----END CERTIFICATE-----\n"))

    def test_text_that_is_not_pem__is_rejected_with_one_line(self):
        self.assert_rejected_by_both(self.write("hello.txt", b"hello, world\n"))

    def test_truncated_der__is_rejected_with_one_line(self):
        with open(pki("citizen-rsa.cert.der"), "rb") as f:
            head = f.read(100)
        self.assert_rejected_by_both(self.write("truncated.der", head))

    def test_der_with_trailing_bytes__is_rejected_with_one_line(self):
        with open(pki("citizen-rsa.cert.der"), "rb") as f:
            der = f.read()
        self.assert_rejected_by_both(self.write("trailing.der", der + b"\x00junk"))

    def test_ten_megabytes_of_random_bytes__are_rejected_with_one_line(self):
        data = random.Random(20261122).randbytes(10 * 1024 * 1024)
        self.assert_rejected_by_both(self.write("random.bin", data))

    def test_long_common_name__is_refused_by_the_attribute_limit(self):
        for ext in ("pem", "der"):
            with self.subTest(ext=ext):
                path = pki("long-cn.cert." + ext)
                self.assertTrue(os.path.exists(path), "make-pki.sh was run without mkcert_odd")
                self.assert_rejected_by_both(path)


# ---------------------------------------------------------------------------
# emza cert verify: verdicts and exit codes
# ---------------------------------------------------------------------------

class TestCertVerify(EmzaTestCase):

    def test_citizen_rsa__passes_with_exit_0_and_a_full_chain(self):
        report = self.assert_verdict(self.verify("citizen-rsa"), 0, "TOTAL_PASSED", None)
        self.assertEqual(report["purpose"], "sign")
        self.assertEqual(report["message"], "")
        self.assertEqual(report["certificate"], {
            "subject": report["certificate"]["subject"],
            "commonName": "علی رضایی", "givenName": "علی", "surname": "رضایی",
            "nationalCode": "0499370899", "legalId": None,
            "certificateSha256": der_sha256("citizen-rsa")})
        chain = report["chain"]
        self.assertEqual(len(chain), 3)
        self.assertEqual(chain[0]["certificateSha256"], der_sha256("citizen-rsa"))
        self.assertEqual(chain[1]["certificateSha256"], der_sha256("citizen-ca"))
        self.assertEqual(chain[2]["certificateSha256"], der_sha256("root-ca"))
        self.assertEqual(chain[0]["issuer"], chain[1]["subject"])
        self.assertEqual(chain[1]["issuer"], chain[2]["subject"])
        for link in chain:
            self.assertRegex(link["notBefore"], ISO_RE)
            self.assertRegex(link["notAfter"], ISO_RE)
        # No CRL DP, no OCSP URL: passes with a remark (CONTRACT.md default policy).
        self.assertIn("NO_REVOCATION_SOURCE", [w["code"] for w in report["warnings"]])

    def test_citizen_ec__passes_with_exit_0(self):
        report = self.assert_verdict(self.verify("citizen-ec"), 0, "TOTAL_PASSED", None)
        self.assertEqual(report["certificate"]["nationalCode"], "0790419904")

    def test_org_seal__passes_and_reports_the_legal_id(self):
        report = self.assert_verdict(self.verify("org-seal"), 0, "TOTAL_PASSED", None)
        self.assertEqual(report["certificate"]["legalId"], "10380284790")
        self.assertIsNone(report["certificate"]["nationalCode"])

    def test_expired__is_indeterminate_out_of_bounds_no_poe_exit_2(self):
        report = self.assert_verdict(self.verify("expired"), 2, "INDETERMINATE", "OUT_OF_BOUNDS_NO_POE")
        self.assertIn("CERT_EXPIRED", [e["code"] for e in report["errors"]])

    def test_not_yet_valid__is_total_failed_not_yet_valid_exit_1(self):
        self.assert_verdict(self.verify("not-yet-valid"), 1, "TOTAL_FAILED", "NOT_YET_VALID")

    def test_at_inside_the_validity_of_the_whole_chain__passes(self):
        # not-yet-valid (2035-01-01..2036-01-01) lies inside its CAs' validity.
        run = self.verify("not-yet-valid", "--at", "2035-06-01T00:00:00Z")
        report = self.assert_verdict(run, 0, "TOTAL_PASSED", None)
        self.assertEqual(report["validationTime"], "2035-06-01T00:00:00Z")

    def test_at_with_equals_sign__is_accepted(self):
        run = self.verify("not-yet-valid", "--at=2035-06-01T00:00:00Z")
        self.assert_verdict(run, 0, "TOTAL_PASSED", None)

    def test_expired_at_a_time_inside_its_validity__passes(self):
        # The test CAs are back-dated to 2019, so at 2020-06-01 the whole chain is valid.
        run = self.verify("expired", "--at", "2020-06-01T00:00:00Z")
        report = self.assert_verdict(run, 0, "TOTAL_PASSED", None)
        self.assertEqual(report["validationTime"], "2020-06-01T00:00:00Z")

    def test_expired_before_the_ca_existed__is_out_of_bounds_for_the_ca(self):
        # 2018: the leaf is not yet valid and neither is the citizen CA.
        run = self.verify("expired", "--at", "2018-06-01T00:00:00Z")
        report = self.json_out(run)
        codes = [e["code"] for e in report["errors"]]
        self.assertIn("CA_NOT_YET_VALID", codes, run)
        self.assertIn("CERT_NOT_YET_VALID", codes, run)

    def test_no_nonrepudiation__fails_chain_constraints_for_signing_exit_2(self):
        self.assert_verdict(self.verify("no-nonrepudiation"), 2, "INDETERMINATE",
                            "CHAIN_CONSTRAINTS_FAILURE")

    def test_no_nonrepudiation__passes_with_purpose_any(self):
        report = self.assert_verdict(self.verify("no-nonrepudiation", "--purpose", "any"), 0,
                                     "TOTAL_PASSED", None)
        self.assertEqual(report["purpose"], "any")

    def test_citizen_auth__passes_with_purpose_auth(self):
        report = self.assert_verdict(self.verify("citizen-auth", "--purpose", "auth"), 0,
                                     "TOTAL_PASSED", None)
        self.assertEqual(report["purpose"], "auth")

    def test_citizen_auth__is_refused_for_signing(self):
        self.assert_verdict(self.verify("citizen-auth"), 2, "INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE")

    def test_no_keyusage__passes_with_a_no_key_usage_warning(self):
        report = self.assert_verdict(self.verify("no-keyusage"), 0, "TOTAL_PASSED", None)
        self.assertIn("NO_KEY_USAGE", [w["code"] for w in report["warnings"]])

    def test_rsa1024__is_crypto_constraints_failure_no_poe_exit_2(self):
        self.assert_verdict(self.verify("rsa1024"), 2, "INDETERMINATE",
                            "CRYPTO_CONSTRAINTS_FAILURE_NO_POE")

    def test_sha1_signed__is_crypto_constraints_failure_no_poe_exit_2(self):
        self.assert_verdict(self.verify("sha1-signed"), 2, "INDETERMINATE",
                            "CRYPTO_CONSTRAINTS_FAILURE_NO_POE")

    def test_untrusted_hierarchy__is_no_certificate_chain_found_exit_2(self):
        report = self.assert_verdict(self.verify("untrusted"), 2, "INDETERMINATE",
                                     "NO_CERTIFICATE_CHAIN_FOUND")
        self.assertEqual(report["certificate"]["nationalCode"], "0499370899")

    def test_untrusted_hierarchy__reports_the_partial_chain_without_an_anchor(self):
        # trust.h, emza_chain_result_chain_length: the partial chain, leaf first.
        report = self.json_out(self.verify("untrusted"))
        self.assertEqual([c["certificateSha256"] for c in report["chain"]],
                         [der_sha256("untrusted"), der_sha256("untrusted-ca")])

    def test_trust_in_the_citizen_ca_itself__is_a_complete_partial_chain(self):
        report = self.assert_verdict(self.verify("citizen-rsa", trust=pki("citizen-ca.cert.pem"),
                                                 chain=False),
                                     0, "TOTAL_PASSED", None)
        self.assertEqual([c["certificateSha256"] for c in report["chain"]],
                         [der_sha256("citizen-rsa"), der_sha256("citizen-ca")])

    def test_without_the_intermediate__no_chain_is_found(self):
        self.assert_verdict(self.verify("citizen-rsa", chain=False), 2, "INDETERMINATE",
                            "NO_CERTIFICATE_CHAIN_FOUND")

    def test_with_revocation_offline__is_try_later_exit_2(self):
        report = self.assert_verdict(self.verify("with-revocation", "--offline"), 2, "INDETERMINATE",
                                     "TRY_LATER")
        self.assertTrue(report["errors"])

    def test_with_revocation_unreachable__is_try_later_not_passed(self):
        # Nothing listens on 127.0.0.1:9: fetching fails fast, never passes.
        self.assert_verdict(self.verify("with-revocation"), 2, "INDETERMINATE", "TRY_LATER")

    def test_issued_by_leaf__is_chain_constraints_failure_exit_2(self):
        # trust.h: a chain to an anchor exists (step 1) and its signatures
        # verify (step 2); the end entity acting as a CA fails the CA
        # constraints (step 3).
        report = self.assert_verdict(self.verify("issued-by-leaf"), 2, "INDETERMINATE",
                                     "CHAIN_CONSTRAINTS_FAILURE")
        self.assertEqual(len(report["chain"]), 4)

    def test_bmp_names__pass_and_are_decoded_in_the_report(self):
        report = self.assert_verdict(self.verify("bmp-names"), 0, "TOTAL_PASSED", None)
        self.assertEqual(report["certificate"]["commonName"], "علی رضایی")

    def test_trust_as_a_directory__passes(self):
        self.assert_verdict(self.verify("citizen-rsa", trust=pki("trust")), 0, "TOTAL_PASSED", None)

    def test_trust_as_der__passes(self):
        self.assert_verdict(self.verify("citizen-rsa", trust=pki("trust/root.der")), 0,
                            "TOTAL_PASSED", None)

    def test_der_certificate_to_verify__passes(self):
        run = self.emza("cert", "verify", pki("citizen-rsa.cert.der"), "--trust", pki("trust/root.pem"),
                        "--untrusted", pki("citizen-ca.cert.der"), "--json")
        self.assert_verdict(run, 0, "TOTAL_PASSED", None)

    def test_repeated_trust_and_untrusted__are_all_used(self):
        run = self.emza("cert", "verify", pki("citizen-rsa.cert.pem"),
                        "--trust", pki("untrusted-root.cert.pem"), "--trust", pki("trust/root.pem"),
                        "--untrusted", pki("untrusted-ca.cert.pem"),
                        "--untrusted", pki("citizen-ca.cert.pem"), "--json")
        self.assert_verdict(run, 0, "TOTAL_PASSED", None)


class TestCertVerifyText(EmzaTestCase):

    def test_passed__shows_identity_chain_time_and_result_line(self):
        run = self.verify("citizen-rsa", json_output=False)
        self.assertEqual(run.rc, 0, run)
        self.assertEqual(run.err, "")
        lines = run.lines()
        self.assertIn("Result: TOTAL_PASSED %s valid for signing" % EM_DASH, lines)
        for text in ("علی رضایی", "0499370899", "Emza Test Citizen CA", "Emza Test National Root CA",
                     der_sha256("citizen-rsa")):
            self.assertIn(text, run.out)
        anchor_lines = [l for l in lines if "(trust anchor)" in l]
        self.assertEqual(len(anchor_lines), 1, run)
        self.assertIn("Emza Test National Root CA", anchor_lines[0])
        self.assertRegex(run.out, r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d{4}/\d\d/\d\d \d\d:\d\d Tehran\)")
        self.assertTrue(any(l.startswith("Warning NO_REVOCATION_SOURCE: ") for l in lines), run)
        self.assert_no_raw_controls(run.out)

    def test_expired__shows_the_verdict_with_its_reason_and_the_error_code(self):
        run = self.verify("expired", json_output=False)
        self.assertEqual(run.rc, 2, run)
        result = [l for l in run.lines() if l.startswith("Result: ")]
        self.assertEqual(len(result), 1, run)
        self.assertTrue(result[0].startswith("Result: INDETERMINATE/OUT_OF_BOUNDS_NO_POE %s " % EM_DASH),
                        result[0])
        self.assertTrue(any(l.startswith("Error CERT_EXPIRED: ") for l in run.lines()), run)

    def test_not_yet_valid__text_exit_code_is_1(self):
        run = self.verify("not-yet-valid", json_output=False)
        self.assertEqual(run.rc, 1, run)
        self.assertIn("Result: TOTAL_FAILED/NOT_YET_VALID", run.out)

    def test_validation_time__is_shown_in_utc_and_solar_hijri_tehran_time(self):
        run = self.verify("citizen-rsa", "--at", "2026-11-22T10:00:00Z", json_output=False)
        self.assertIn("2026-11-22T10:00:00Z (1405/09/01 13:30 Tehran)", run.out)
        # Summer time of 1399 (2020): UTC+4:30.
        run = self.verify("expired", "--at", "2020-06-01T00:00:00Z", json_output=False)
        self.assertIn("2020-06-01T00:00:00Z (1399/03/12 04:30 Tehran)", run.out)

    def test_no_chain__says_so_in_words(self):
        run = self.verify("untrusted", json_output=False)
        self.assertEqual(run.rc, 2, run)
        self.assertIn("Result: INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND", run.out)
        self.assertNotIn("(trust anchor)", run.out)


class TestCertVerifyUsage(EmzaTestCase):

    def cert(self):
        return pki("citizen-rsa.cert.pem")

    def test_missing_trust__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert", "verify", self.cert()), contains="--trust")

    def test_missing_cert__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert", "verify", "--trust", pki("trust/root.pem")))

    def test_at_garbage__is_a_one_line_usage_error(self):
        for value in ("garbage", "2026-01-01", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00+01:00", ""):
            with self.subTest(value=value):
                self.assert_one_line_error(self.emza("cert", "verify", self.cert(), "--trust",
                                                     pki("trust/root.pem"), "--at=" + value))

    def test_at_given_twice__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert", "verify", self.cert(), "--trust", pki("trust/root.pem"),
                                             "--at", "2026-01-01T00:00:00Z", "--at", "2026-01-02T00:00:00Z"))

    def test_bad_purpose__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert", "verify", self.cert(), "--trust", pki("trust/root.pem"),
                                             "--purpose", "encrypt"), contains="encrypt")

    def test_unknown_option__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert", "verify", self.cert(), "--trust", pki("trust/root.pem"),
                                             "--foo"),
                                   contains="emza: cert verify: unknown option --foo")

    def test_option_without_its_value__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("cert", "verify", self.cert(), "--trust"))
        self.assert_one_line_error(self.emza("cert", "verify", self.cert(), "--trust", "--json"))

    def test_missing_trust_file__is_a_one_line_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.assert_one_line_error(self.emza("cert", "verify", self.cert(), "--trust",
                                                 os.path.join(tmp, "none.pem")))

    def test_missing_untrusted_file__is_a_one_line_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.assert_one_line_error(self.emza("cert", "verify", self.cert(), "--trust", pki("trust/root.pem"),
                                                 "--untrusted", os.path.join(tmp, "none.pem")))

    def test_trust_file_that_holds_no_certificate__is_a_one_line_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            junk = os.path.join(tmp, "junk.pem")
            with open(junk, "wb") as f:
                f.write(b"no certificate here\n")
            self.assert_one_line_error(self.emza("cert", "verify", self.cert(), "--trust", junk))

    def test_trust_directory_with_junk__is_a_one_line_error_naming_the_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(pki("trust/root.pem"), os.path.join(tmp, "root.pem"))
            with open(os.path.join(tmp, "notes.txt"), "wb") as f:
                f.write(b"not a certificate\n")
            self.assert_one_line_error(self.emza("cert", "verify", self.cert(), "--trust", tmp),
                                       contains="notes.txt")

    def test_empty_trust_directory__is_a_one_line_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.assert_one_line_error(self.emza("cert", "verify", self.cert(), "--trust", tmp))


# ---------------------------------------------------------------------------
# Spoofing defence: control and bidi characters in certificate names
# ---------------------------------------------------------------------------

SPOOF_CNF = """\
[ req ]
distinguished_name = dn
prompt             = no
utf8               = yes
string_mask        = utf8only
[ dn ]
CN = placeholder
[ ext ]
basicConstraints = critical, CA:true
keyUsage         = critical, keyCertSign, nonRepudiation
"""


@unittest.skipUnless(OPENSSL, "needs the openssl tool")
class TestSpoofedNames(EmzaTestCase):
    """A name with terminal escapes and bidi overrides must not pass through raw."""

    CN = "Ali" + RLO + "fdp.exe" + LRI + "x"
    ORG = "Evil" + ESC + "[2J" + BEL + "Corp" + C1_CSI + "1m"

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        tmp = cls._tmp.name
        cnf = os.path.join(tmp, "req.cnf")
        with open(cnf, "w") as f:
            f.write(SPOOF_CNF)
        cls.cert = os.path.join(tmp, "spoof.pem")
        subj = "/C=IR/O=%s/CN=%s/serialNumber=PNOIR-0499370899" % (cls.ORG, cls.CN)
        subprocess.run([OPENSSL, "req", "-x509", "-new", "-config", cnf, "-extensions", "ext",
                        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", os.path.join(tmp, "spoof.key"), "-out", cls.cert, "-days", "30",
                        "-utf8", "-subj", subj],
                       check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_inspect_text__escapes_controls_and_bidi_overrides(self):
        run = self.emza("cert", "inspect", self.cert)
        self.assertEqual(run.rc, 0, run)
        self.assert_no_raw_controls(run.out)
        for escape in ("\\u202E", "\\u2066", "\\u001B", "\\u0007", "\\u009B"):
            self.assertIn(escape, run.out)
        self.assertIn("fdp.exe", run.out)
        self.assertIn("0499370899", run.out)

    def test_inspect_json__keeps_the_name_exact_and_escaped_as_json(self):
        run = self.emza("cert", "inspect", self.cert, "--json")
        self.assertEqual(run.rc, 0, run)
        j = self.json_out(run)
        self.assertEqual(j["commonName"], self.CN)
        self.assertEqual(j["organization"], self.ORG)
        self.assertNotIn(ESC, run.out)
        self.assertNotIn(BEL, run.out)

    def test_verify_text__escapes_controls_and_bidi_overrides(self):
        run = self.emza("cert", "verify", self.cert, "--trust", self.cert, "--purpose", "any")
        self.assertIn(run.rc, (0, 1, 2), run)
        self.assertIn("Result: ", run.out)
        self.assert_no_raw_controls(run.out)
        self.assertIn("\\u202E", run.out)
        self.assertIn("\\u001B", run.out)


# ---------------------------------------------------------------------------
# emza extend: usage (the long-term behaviour is in tests/interop/lt_test.py)
# ---------------------------------------------------------------------------

class TestExtendUsage(EmzaTestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="emza-extend-")
        self.file = os.path.join(self.dir, "deed.txt")
        with open(self.file, "wb") as f:
            f.write(b"not a signature")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_help__lists_the_options(self):
        run = self.emza("help", "extend")
        self.assertEqual(run.rc, 0, run)
        for option in ("--level", "--tsa", "--data", "--trust", "--untrusted", "--offline", "-o"):
            self.assertIn(option, run.out)

    def test_missing_level__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("extend", self.file), contains="--level")

    def test_bad_level__is_a_one_line_usage_error(self):
        for level in ("B", "lt", "X", ""):
            with self.subTest(level=level):
                self.assert_one_line_error(self.emza("extend", self.file, "--level", level))

    def test_no_file_or_two_files__is_a_one_line_usage_error(self):
        self.assert_one_line_error(self.emza("extend", "--level", "LT"))
        self.assert_one_line_error(self.emza("extend", self.file, self.file, "--level", "LT"))

    def test_not_a_signature__fails_and_writes_nothing(self):
        out = os.path.join(self.dir, "out.p7s")
        run = self.emza("extend", self.file, "--level", "LT", "--offline", "-o", out)
        self.assert_one_line_error(run)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(sorted(os.listdir(self.dir)), ["deed.txt"])

    def test_missing_file__is_a_one_line_error(self):
        self.assert_one_line_error(self.emza("extend", os.path.join(self.dir, "none.p7s"),
                                             "--level", "T", "--offline"))


if __name__ == "__main__":
    unittest.main()
