/*
 * emza — the command-line tool of libemza (CONTRACT.md "Command line").
 *
 * main() finds the command in a dispatch table by its one or two words
 * ("version", "cert verify") and hands it the remaining arguments; each
 * command parses and validates its own options (cli_parse). Commands that
 * later issues add (sign, verify, auth challenge, auth verify) are one more
 * row each.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emza/emza.h>

#include "cli_util.h"

static int cmd_version(const cli_command *self, int argc, char **argv);

static const cli_command commands[] = {
    {"version", NULL, "version", cmd_version, "emza version", "Print the version of emza.", NULL},
    {"sign", NULL, "sign", cli_cmd_sign,
     "emza sign --format F [--level B|T|LT|LTA] KEY-OPTIONS [--tsa URL] -o OUT INPUT...\n"
     "       emza sign --prepare STATE --cert CERT.pem [--chain CHAIN.pem] --format F [options]\n"
     "                 [--digest-out D.bin] [--state-key-env VAR] INPUT...\n"
     "       emza sign --finalize STATE --signature SIG.bin -o OUT [--state-key-env VAR]",
     "Sign documents (XAdES, CAdES), writing OUT atomically.",
     "  --format F         xades-enveloped | xades-detached | xades-enveloping |\n"
     "                     cades-detached | cades-attached | asice\n"
     "  --level L          B (default), T, LT or LTA (T and above need --tsa URL)\n"
     "  --key FILE.p12     a PKCS#12 key, with --pass-env VAR or --pass-file F\n"
     "  --key KEY.pem --cert CERT.pem [--chain CHAIN.pem]\n"
     "                     a PEM key and certificate (an encrypted key takes --pass-env/--pass-file)\n"
     "  --pkcs11 MODULE.so [--token LABEL] [--key-label L] [--key-id HEX] --pin-env VAR\n"
     "                     a smart card or token: the PIN from the environment variable\n"
     "                     VAR; --chain CHAIN.pem instead of the CA certificates on it\n"
     "  -o OUT             the signed file to write\n"
     "  --digest D         sha256 (default), sha384 or sha512\n"
     "  --pss              RSA-PSS instead of RSA PKCS#1 v1.5 for an RSA key\n"
     "  --signing-time T   the claimed signing time (default: now)\n"
     "  --add-to FILE      add a parallel signature to an existing signed FILE\n"
     "  --countersign FILE countersign the signatures in an existing CAdES FILE\n"
     "  --mime-type M      MIME type of the content (default: from the file name)\n"
     "  --role R, --city C, --country CC, --policy-oid OID --policy-sha256 HEX\n"
     "                     XAdES claimed role, production place and signature policy\n"
     "  --prepare STATE    two-step signing, step 1 (no key: --cert): save the state to STATE,\n"
     "                     print the digest to sign and the algorithms\n"
     "  --digest-out D     with --prepare: also write the raw digest to D\n"
     "  --finalize STATE   step 2: complete STATE with --signature SIG (RSA bytes; ECDSA DER\n"
     "                     or raw r||s) into -o OUT; every other option comes from STATE\n"
     "  --state-key-env VAR with --prepare: seal STATE (HMAC-SHA256) with the key in the\n"
     "                     environment variable VAR (its bytes as they are, 32 to 1024);\n"
     "                     with --finalize: accept STATE only with a valid seal by that key\n"
     "  --offline          never use the network (LT then needs nothing fetched)\n"
     "  --trust T, --untrusted U\n"
     "                     anchors and extra certificates for the LT chains (default\n"
     "                     anchors: the root certificates of the signer's chain)\n"
     "\nExit status: 0 signed, 4 usage or operational error (nothing is written).\n"},
    {"extend", NULL, "extend", cli_cmd_extend,
     "emza extend FILE --level T|LT|LTA [--tsa URL] [--data F]... [--trust T]... "
     "[--untrusted U]... [--offline] [-o OUT]",
     "Raise a signature to level T, LT or LTA (CAdES, XAdES, ASiC-E), in place or to OUT, atomically.",
     "  --level L          T, LT or LTA; missing lower steps are made first, LTA adds\n"
     "                     a further archive timestamp each time\n"
     "  --tsa URL          the time-stamping authority (needed for T and LTA)\n"
     "  --data F           detached content (an archive timestamp covers it; repeatable)\n"
     "  --trust T          anchors for the LT chains (default: the root certificates\n"
     "                     the signature carries)\n"
     "  --untrusted U      extra certificates for building chains (repeatable)\n"
     "  --offline          never use the network\n"
     "  -o OUT             write the result to OUT (default: replace FILE atomically)\n"
     "\nA certificate that is revoked, or whose declared revocation source cannot be\n"
     "consulted, stops LT with a one-line reason and nothing is written.\n"
     "\nExit status: 0 extended, 4 usage or operational error (nothing is written).\n"},
    {"verify", NULL, "verify", cli_cmd_verify,
     "emza verify FILE [--data FILE]... [--trust T]... [--untrusted U]... [--at TIME] "
     "[--offline] [--policy P] [--json]",
     "Validate every signature in a signed file.",
     "  --data FILE       detached content, matched to a reference by file name (repeatable)\n"
     "  --trust T         trust anchors: a PEM bundle, DER certificate or directory (repeatable)\n"
     "  --untrusted U     extra certificates for building chains (repeatable)\n"
     "  --at TIME         validate at TIME, e.g. 2026-01-01T00:00:00Z (default: now)\n"
     "  --offline         never use the network\n"
     "  --policy P        the validation policy: default, or a policy file (docs/POLICY.md)\n"
     "  --json            print the JSON report\n"
     "\nExit status: 0 every signature TOTAL_PASSED, 1 any TOTAL_FAILED, 2 none failed and at\n"
     "least one INDETERMINATE, 3 no signature found, 4 usage or operational error.\n"},
    {"id", "check", "id check", cli_cmd_id_check, "emza id check CODE... [--json]",
     "Check national codes (10 digits) and legal-entity ids (11 digits).",
     "Persian (U+06F0..) and Arabic-Indic (U+0660..) digits are accepted.\n"
     "  --json        print an array of {input, kind, valid, verdict, reason, digits}\n"
     "\nExit status: 0 all valid, 1 any invalid, 4 usage error.\n"},
    {"cert", "inspect", "cert inspect", cli_cmd_cert_inspect, "emza cert inspect CERT [--json]",
     "Show the identity and facts of a certificate (PEM or DER).",
     "  --json        print a JSON object instead of text\n"
     "\nExit status: 0, or 4 when the certificate cannot be read.\n"},
    {"cert", "verify", "cert verify", cli_cmd_cert_verify,
     "emza cert verify CERT --trust T... [--untrusted U...] [--at TIME] "
     "[--purpose sign|auth|timestamp|any] [--offline] [--json]",
     "Validate a certificate's chain to a trust anchor.",
     "  --trust T         trust anchors: a PEM bundle, a DER certificate or a directory\n"
     "                    of them (repeatable; required); each one is an anchor\n"
     "  --untrusted U     extra certificates for building the chain (repeatable)\n"
     "  --at TIME         validate at TIME, e.g. 2026-01-01T00:00:00Z (default: now)\n"
     "  --purpose P       sign (default), auth, timestamp or any\n"
     "  --offline         never use the network\n"
     "  --json            print the JSON report\n"
     "\nExit status: 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE, 4 usage or\n"
     "operational error.\n"},
    {"auth", "challenge", "auth challenge", cli_cmd_auth_challenge,
     "emza auth challenge [--lifetime S] [--json]",
     "Make a log-in challenge: a random 256-bit nonce, its issue time and lifetime.",
     "  --lifetime S      seconds the challenge stays valid (default 300, at most 900)\n"
     "  --json            print {nonce, issuedAt, expiresAt, lifetime}\n"
     "\nExit status: 0, or 4 usage or operational error.\n"},
    {"auth", "sign", "auth sign", cli_cmd_auth_sign,
     "emza auth sign --origin O --nonce N KEY-OPTIONS [--algorithm A] [-o TOKEN]",
     "Answer a log-in challenge: a token signed with the citizen's authentication key.",
     "  --origin O        the site's origin, https://host[:port]\n"
     "  --nonce N         the challenge's nonce (base64)\n"
     "  --key FILE.p12     a PKCS#12 key, with --pass-env VAR or --pass-file F\n"
     "  --key KEY.pem --cert CERT.pem [--chain CHAIN.pem]\n"
     "                    a PEM key and certificate\n"
     "  --algorithm A     RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512\n"
     "                    (default: RS256 for RSA, the curve's ES* for EC)\n"
     "  -o TOKEN          write the token there (default: stdout)\n"
     "\nExit status: 0 signed, 4 usage or operational error.\n"},
    {"auth", "verify", "auth verify", cli_cmd_auth_verify,
     "emza auth verify TOKEN --origin O --nonce N --issued-at TIME [--lifetime S] --trust T... "
     "[--untrusted U...] [--at TIME] [--offline] [--json]",
     "Verify a log-in token for a challenge and print who logged in.",
     "  --origin O        this site's origin, https://host[:port]\n"
     "  --nonce N         the nonce of the challenge the server kept\n"
     "  --issued-at TIME  when the challenge was issued, e.g. 2026-01-01T00:00:00Z\n"
     "  --lifetime S      its lifetime in seconds (default 300)\n"
     "  --trust T         trust anchors (repeatable; required)\n"
     "  --untrusted U     intermediate certificates (repeatable)\n"
     "  --at TIME         verify at TIME (default: now)\n"
     "  --offline         never use the network (a revocation source gives TRY_LATER)\n"
     "  --json            print the JSON report\n"
     "A process remembers nonces only for its own run: replay protection across\n"
     "log-ins is the server's, through the library's replay cache.\n"
     "\nExit status: 0 accepted, 1 refused, 4 usage or operational error.\n"},
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *f)
{
    fputs("usage: emza COMMAND [ARGS...]\n\ncommands:\n", f);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(f, "  %s\n      %s\n", commands[i].usage, commands[i].summary);
    fputs("  emza help [COMMAND]\n      Show this text, or a command's options.\n", f);
    fputs("\nAll times are ISO 8601 UTC (2026-01-01T00:00:00Z). Messages go to stderr.\n", f);
}

static int cmd_version(const cli_command *self, int argc, char **argv)
{
    cli_args args;
    int rc = cli_parse_command(&args, self, argc, argv, NULL, 0);
    if (rc != CLI_PARSED)
        return rc;
    size_t extra = args.count;
    const char *first = extra > 0 ? args.items[0].value : NULL;
    cli_args_free(&args);
    if (extra > 0) {
        cli_error("%s: unexpected argument %s", self->title, first);
        return CLI_EXIT_USAGE;
    }
    printf("emza %s\n", emza_version_string());
    return CLI_EXIT_OK;
}

/* 1 when some command's first word is `group`. */
static int group_exists(const char *group)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i].group, group) == 0)
            return 1;
    }
    return 0;
}

/* The subcommand names of `group`, "a, b", for messages. */
static void list_subcommands(cli_str *out, const char *group)
{
    int first = 1;
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i].group, group) == 0 && commands[i].name != NULL) {
            cli_str_appendf(out, "%s%s", first ? "" : ", ", commands[i].name);
            first = 0;
        }
    }
}

/*
 * Finds the command named by `group` (and `name`, which may be NULL, for
 * two-word commands).
 * Sets *words to the number of words used. NULL after a message on stderr.
 */
static const cli_command *find_command(const char *group, const char *name, int *words)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        const cli_command *c = &commands[i];
        if (strcmp(c->group, group) != 0)
            continue;
        if (c->name == NULL) {
            *words = 1;
            return c;
        }
        if (name != NULL && strcmp(c->name, name) == 0) {
            *words = 2;
            return c;
        }
    }
    if (!group_exists(group)) {
        cli_error("unknown command '%s' (try 'emza help')", group);
        return NULL;
    }
    cli_str subs = {0};
    list_subcommands(&subs, group);
    const char *list = cli_str_get(&subs);
    if (name == NULL)
        cli_error("%s: missing subcommand (one of: %s)", group, list != NULL ? list : "?");
    else
        cli_error("%s: unknown subcommand '%s' (one of: %s)", group, name,
                  list != NULL ? list : "?");
    cli_str_free(&subs);
    return NULL;
}

/* emza help [COMMAND [SUBCOMMAND]] */
static int run_help(int argc, char **argv)
{
    if (argc == 0) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    int words = 0;
    const cli_command *cmd = find_command(argv[0], argc > 1 ? argv[1] : NULL, &words);
    if (cmd == NULL)
        return CLI_EXIT_USAGE;
    if (argc > words) {
        cli_error("help: unexpected argument %s", argv[words]);
        return CLI_EXIT_USAGE;
    }
    cli_command_print_help(cmd, stdout);
    return CLI_EXIT_OK;
}

/* Makes sure everything printed on stdout reached it; a failed write is an operational error. */
static int finish_stdout(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write the output: %s", strerror(errno));
        return CLI_EXIT_USAGE;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "help") == 0)
        return finish_stdout(run_help(argc - 2, argv + 2));
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        if (argc > 2) {
            cli_error("unexpected argument %s after %s", argv[2], first);
            return CLI_EXIT_USAGE;
        }
        print_usage(stdout);
        return finish_stdout(CLI_EXIT_OK);
    }
    if (strcmp(first, "--version") == 0)
        first = "version";

    int words = 0;
    const cli_command *cmd = find_command(first, argc > 2 ? argv[2] : NULL, &words);
    if (cmd == NULL)
        return CLI_EXIT_USAGE;

    int rc = emza_init();
    if (rc != EMZA_OK)
        return cli_lib_error(cmd->title, NULL, NULL, rc);

    rc = cmd->run(cmd, argc - 1 - words, argv + 1 + words);
    return finish_stdout(rc);
}
