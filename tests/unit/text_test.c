/*
 * Unit tests: Persian text folding (include/emza/text.h). Each rule of the
 * header has its own tests, named after the rule's number.
 *
 * Invisible and combining characters are spelled as escapes (macros below)
 * so that the test says exactly which code points it feeds.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <emza/error.h>
#include <emza/text.h>

#define ZWNJ "\xE2\x80\x8C"             /* U+200C ZERO WIDTH NON-JOINER */
#define ZWJ "\xE2\x80\x8D"              /* U+200D ZERO WIDTH JOINER */
#define LRM "\xE2\x80\x8E"              /* U+200E LEFT-TO-RIGHT MARK */
#define RLM "\xE2\x80\x8F"              /* U+200F RIGHT-TO-LEFT MARK */
#define ALM "\xD8\x9C"                  /* U+061C ARABIC LETTER MARK */
#define FATHATAN "\xD9\x8B"             /* U+064B ARABIC FATHATAN (class 27) */
#define FATHA "\xD9\x8E"                /* U+064E ARABIC FATHA (class 30) */
#define DAMMA "\xD9\x8F"                /* U+064F ARABIC DAMMA */
#define KASRA "\xD9\x90"                /* U+0650 ARABIC KASRA */
#define SHADDA "\xD9\x91"               /* U+0651 ARABIC SHADDA (class 33) */
#define SUKUN "\xD9\x92"                /* U+0652 ARABIC SUKUN */
#define MADDA_ABOVE "\xD9\x93"          /* U+0653 ARABIC MADDAH ABOVE (class 230) */
#define HAMZA_ABOVE "\xD9\x94"          /* U+0654 ARABIC HAMZA ABOVE (class 230) */
#define HAMZA_BELOW "\xD9\x95"          /* U+0655 ARABIC HAMZA BELOW (class 220) */
#define SUBSCRIPT_ALEF "\xD9\x96"       /* U+0656 ARABIC SUBSCRIPT ALEF (class 220) */
#define WAVY_HAMZA_BELOW "\xD9\x9F"     /* U+065F ARABIC WAVY HAMZA BELOW */
#define SUPERSCRIPT_ALEF "\xD9\xB0"     /* U+0670 ARABIC LETTER SUPERSCRIPT ALEF */
#define TATWEEL "\xD9\x80"              /* U+0640 ARABIC TATWEEL */
#define ALEF "\xD8\xA7"                 /* U+0627 ARABIC LETTER ALEF */
#define WAW "\xD9\x88"                  /* U+0648 ARABIC LETTER WAW */
#define ARABIC_YEH "\xD9\x8A"           /* U+064A ARABIC LETTER YEH */
#define AE "\xDB\x95"                   /* U+06D5 ARABIC LETTER AE */
#define HEH_GOAL "\xDB\x81"             /* U+06C1 ARABIC LETTER HEH GOAL */
#define YEH_BARREE "\xDB\x92"           /* U+06D2 ARABIC LETTER YEH BARREE */
#define ALEF_MADDA "\xD8\xA2"           /* U+0622 ARABIC LETTER ALEF WITH MADDA ABOVE */
#define ALEF_HAMZA_ABOVE "\xD8\xA3"     /* U+0623 ARABIC LETTER ALEF WITH HAMZA ABOVE */
#define WAW_HAMZA "\xD8\xA4"            /* U+0624 ARABIC LETTER WAW WITH HAMZA ABOVE */
#define ALEF_HAMZA_BELOW "\xD8\xA5"     /* U+0625 ARABIC LETTER ALEF WITH HAMZA BELOW */
#define YEH_HAMZA "\xD8\xA6"            /* U+0626 ARABIC LETTER YEH WITH HAMZA ABOVE */
#define HEH_YEH_ABOVE "\xDB\x80"        /* U+06C0 ARABIC LETTER HEH WITH YEH ABOVE */
#define HEH_GOAL_HAMZA "\xDB\x82"       /* U+06C2 ARABIC LETTER HEH GOAL WITH HAMZA ABOVE */
#define YEH_BARREE_HAMZA "\xDB\x93"     /* U+06D3 ARABIC LETTER YEH BARREE WITH HAMZA ABOVE */
#define FARSI_YEH "\xDB\x8C"            /* U+06CC ARABIC LETTER FARSI YEH */
#define ALEF_MAKSURA "\xD9\x89"         /* U+0649 ARABIC LETTER ALEF MAKSURA */
#define ARABIC_KAF "\xD9\x83"           /* U+0643 ARABIC LETTER KAF */
#define KEHEH "\xDA\xA9"                /* U+06A9 ARABIC LETTER KEHEH */
#define SALLALLAHOU "\xD8\x90"          /* U+0610 ARABIC SIGN SALLALLAHOU... (class 230) */
#define SMALL_HIGH_LIGATURE "\xDB\x96"  /* U+06D6 ARABIC SMALL HIGH LIGATURE... (class 230) */
#define EMPTY_CENTRE_LOW_STOP "\xDB\xAA" /* U+06EA ARABIC EMPTY CENTRE LOW STOP (class 220) */
#define SMALL_HIGH_WAW "\xE0\xA3\xB3"   /* U+08F3 ARABIC SMALL HIGH WAW (Extended-A, class 230) */
#define NBSP "\xC2\xA0"                 /* U+00A0 NO-BREAK SPACE */
#define EN_QUAD "\xE2\x80\x80"          /* U+2000 EN QUAD */
#define EM_SPACE "\xE2\x80\x83"         /* U+2003 EM SPACE */
#define ZWSP "\xE2\x80\x8B"             /* U+200B ZERO WIDTH SPACE */
#define NNBSP "\xE2\x80\xAF"            /* U+202F NARROW NO-BREAK SPACE */
#define MMSP "\xE2\x81\x9F"             /* U+205F MEDIUM MATHEMATICAL SPACE */
#define IDEO_SPACE "\xE3\x80\x80"       /* U+3000 IDEOGRAPHIC SPACE */
#define LINE_SEP "\xE2\x80\xA8"         /* U+2028 LINE SEPARATOR (not in rule 7's list) */
#define COMBINING_ACUTE "\xCC\x81"      /* U+0301 COMBINING ACUTE ACCENT */
#define E_ACUTE "\xC3\xA9"              /* U+00E9 LATIN SMALL LETTER E WITH ACUTE */
#define A_DIAERESIS_CAP "\xC3\x84"      /* U+00C4 LATIN CAPITAL LETTER A WITH DIAERESIS */

/* Folds `len` bytes; the call must succeed. The caller frees with emza_free. */
static char *fold_n(const char *text, size_t len)
{
    char *out = (char *)1; /* must be replaced */
    int rc = emza_text_fold(&out, text, len);
    if (rc != EMZA_OK)
        print_error("fold failed: %s\n", emza_error_last()->message);
    assert_int_equal(rc, EMZA_OK);
    assert_non_null(out);
    assert_true(strlen(out) <= len); /* never longer than the input */
    return out;
}

static void assert_folds_to(const char *text, const char *expected)
{
    char *out = fold_n(text, strlen(text));
    assert_string_equal(out, expected);
    emza_free(out);
}

static int folded_equal(const char *a, const char *b)
{
    int eq = -1;
    assert_int_equal(emza_text_equal_folded(&eq, a, strlen(a), b, strlen(b)), EMZA_OK);
    assert_true(eq == 0 || eq == 1);
    return eq;
}

/* ---- rule 1: UTF-8 ---------------------------------------------------- */

static void test_text_fold__rule1_rejects_invalid_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
    } cases[] = {
        {"\xFF", 1},          {"abc\xC3", 4},        {"\xC0\xAF", 2},
        {"\xED\xA0\x80", 3},  {"\x80", 1},           {"\xF4\x90\x80\x80", 4},
        {ALEF "\xD8", 3},     {"\xE2\x80" "a", 3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *out = (char *)1;
        assert_int_equal(emza_text_fold(&out, cases[i].bytes, cases[i].len), EMZA_EFORMAT);
        assert_null(out);
        assert_int_equal(emza_error_last()->code, EMZA_EFORMAT);
    }
}

static void test_text_fold__rule1_rejects_embedded_nul(void **state)
{
    (void)state;
    char *out = (char *)1;
    assert_int_equal(emza_text_fold(&out, "Ali\0X", 5), EMZA_EFORMAT);
    assert_null(out);
    int eq = -1;
    assert_int_equal(emza_text_equal_folded(&eq, "Ali\0X", 5, "Ali", 3), EMZA_EFORMAT);
    assert_int_equal(eq, 0);
}

static void test_text_fold__rule1_reads_only_len_bytes(void **state)
{
    (void)state;
    char *out = fold_n("AbcDEF", 3);
    assert_string_equal(out, "abc");
    emza_free(out);
    out = fold_n("xyz", 0);
    assert_string_equal(out, "");
    emza_free(out);
}

/* ---- rule 2: Arabic-script composition --------------------------------- */

static void test_text_fold__rule2_composes_each_arabic_pair(void **state)
{
    (void)state;
    assert_folds_to(ALEF MADDA_ABOVE, ALEF_MADDA);
    assert_folds_to(ALEF HAMZA_ABOVE, ALEF_HAMZA_ABOVE);
    assert_folds_to(ALEF HAMZA_BELOW, ALEF_HAMZA_BELOW);
    assert_folds_to(WAW HAMZA_ABOVE, WAW_HAMZA);
    assert_folds_to(ARABIC_YEH HAMZA_ABOVE, YEH_HAMZA);
    assert_folds_to(AE HAMZA_ABOVE, HEH_YEH_ABOVE);
    assert_folds_to(HEH_GOAL HAMZA_ABOVE, HEH_GOAL_HAMZA);
    assert_folds_to(YEH_BARREE HAMZA_ABOVE, YEH_BARREE_HAMZA);
    /* In a word: "مسئله" typed with yeh + combining hamza equals the precomposed spelling. */
    assert_int_equal(folded_equal("مس" ARABIC_YEH HAMZA_ABOVE "له", "مس" YEH_HAMZA "له"), 1);
    assert_int_equal(folded_equal("م" ALEF_HAMZA_ABOVE "مون", "م" ALEF HAMZA_ABOVE "مون"), 1);
}

static void test_text_fold__rule2_keeps_precomposed_letters(void **state)
{
    (void)state;
    assert_folds_to(ALEF_MADDA "ب", ALEF_MADDA "ب");
    assert_folds_to(ALEF_HAMZA_ABOVE ALEF_HAMZA_BELOW WAW_HAMZA YEH_HAMZA,
                    ALEF_HAMZA_ABOVE ALEF_HAMZA_BELOW WAW_HAMZA YEH_HAMZA);
    assert_folds_to(HEH_YEH_ABOVE HEH_GOAL_HAMZA YEH_BARREE_HAMZA,
                    HEH_YEH_ABOVE HEH_GOAL_HAMZA YEH_BARREE_HAMZA);
}

/* Rule 2 runs before rule 3: yeh + hamza becomes U+0626, not Farsi yeh. */
static void test_text_fold__rule2_composes_before_letter_unification(void **state)
{
    (void)state;
    assert_folds_to(ARABIC_YEH HAMZA_ABOVE, YEH_HAMZA);
    assert_int_equal(folded_equal(ARABIC_YEH HAMZA_ABOVE, FARSI_YEH), 0);
    /* Farsi yeh has no composite with hamza in Unicode: the hamza is a mark rule 5 removes. */
    assert_folds_to(FARSI_YEH HAMZA_ABOVE, FARSI_YEH);
}

/* Canonical reordering: harakat before or after the hamza give the same letter. */
static void test_text_fold__rule2_reorders_marks_canonically(void **state)
{
    (void)state;
    assert_folds_to(ALEF FATHA HAMZA_ABOVE, ALEF_HAMZA_ABOVE);
    assert_folds_to(ALEF HAMZA_ABOVE FATHA, ALEF_HAMZA_ABOVE);
    assert_folds_to(ALEF_HAMZA_ABOVE FATHA, ALEF_HAMZA_ABOVE);
    assert_folds_to(ALEF SHADDA FATHATAN HAMZA_BELOW, ALEF_HAMZA_BELOW);
    assert_folds_to(WAW DAMMA HAMZA_ABOVE, WAW_HAMZA);
    /* Marks that stay (not removed by rule 5) come out in canonical order: class 220 before 230. */
    assert_folds_to(ALEF SMALL_HIGH_LIGATURE EMPTY_CENTRE_LOW_STOP,
                    ALEF EMPTY_CENTRE_LOW_STOP SMALL_HIGH_LIGATURE);
    assert_folds_to(ALEF SALLALLAHOU HAMZA_BELOW, ALEF_HAMZA_BELOW SALLALLAHOU);
}

/* A mark of the same class between the letter and the hamza blocks composition, as in NFC. */
static void test_text_fold__rule2_respects_blocking(void **state)
{
    (void)state;
    /* SALLALLAHOU has class 230 like hamza above: blocked, and rule 5 removes the lone hamza. */
    assert_folds_to(ALEF SALLALLAHOU HAMZA_ABOVE, ALEF SALLALLAHOU);
    /* Subscript alef (220) blocks hamza below (220); both are harakat range, both removed. */
    assert_folds_to(ALEF SUBSCRIPT_ALEF HAMZA_BELOW, ALEF);
    /* The first of two composable marks wins; the second has nothing to combine with. */
    assert_folds_to(ALEF MADDA_ABOVE HAMZA_ABOVE, ALEF_MADDA);
    assert_folds_to(ALEF HAMZA_ABOVE MADDA_ABOVE, ALEF_HAMZA_ABOVE);
    assert_folds_to(ALEF_MADDA HAMZA_ABOVE, ALEF_MADDA);
}

/* Composition needs the letter right before the marks: a starter in between stops it. */
static void test_text_fold__rule2_does_not_compose_across_other_characters(void **state)
{
    (void)state;
    assert_folds_to(ALEF TATWEEL HAMZA_ABOVE, ALEF);
    assert_folds_to(ALEF ZWJ HAMZA_ABOVE, ALEF);
    assert_folds_to(ALEF " " HAMZA_ABOVE, ALEF);
    /* A combining mark from outside the Arabic block ends the sequence (a documented limit). */
    assert_folds_to(ALEF SMALL_HIGH_WAW HAMZA_ABOVE, ALEF SMALL_HIGH_WAW);
    /* A lone hamza at the start has no letter: removed by rule 5. */
    assert_folds_to(HAMZA_ABOVE ALEF, ALEF);
}

/* Other scripts are compared as they are: no Latin composition. */
static void test_text_fold__rule2_leaves_other_scripts_alone(void **state)
{
    (void)state;
    assert_folds_to("Jose" COMBINING_ACUTE, "jose" COMBINING_ACUTE);
    assert_int_equal(folded_equal("Jos" E_ACUTE, "Jose" COMBINING_ACUTE), 0);
}

/* ---- rule 3: letter unification ---------------------------------------- */

static void test_text_fold__rule3_unifies_yeh_and_kaf(void **state)
{
    (void)state;
    assert_folds_to(ARABIC_YEH, FARSI_YEH);
    assert_folds_to(ALEF_MAKSURA, FARSI_YEH);
    assert_folds_to(ARABIC_KAF, KEHEH);
    /* "علی" and "کریم" written with Arabic yeh, alef maksura and kaf. */
    assert_int_equal(folded_equal("عل" ARABIC_YEH, "علی"), 1);
    assert_int_equal(folded_equal("عل" ALEF_MAKSURA, "علی"), 1);
    assert_int_equal(folded_equal(ARABIC_KAF "ر" ARABIC_YEH "م", "کریم"), 1);
    /* Different letters stay different. */
    assert_int_equal(folded_equal("کریم", "گریم"), 0);
}

/* ---- rule 4: digits ---------------------------------------------------- */

static void test_text_fold__rule4_maps_digits_to_ascii(void **state)
{
    (void)state;
    assert_folds_to("۰۱۲۳۴۵۶۷۸۹", "0123456789");
    assert_folds_to("٠١٢٣٤٥٦٧٨٩", "0123456789");
    assert_int_equal(folded_equal("پلاک ۱۴۰۵", "پلاک 1405"), 1);
    assert_int_equal(folded_equal("١٤٠٥", "۱۴۰۵"), 1);
    /* Other digit systems are not folded (DEVANAGARI DIGIT ONE). */
    assert_folds_to("\xE0\xA5\xA7", "\xE0\xA5\xA7");
}

/* ---- rule 5: removals ---------------------------------------------------- */

static void test_text_fold__rule5_removes_tatweel(void **state)
{
    (void)state;
    assert_int_equal(folded_equal("مح" TATWEEL TATWEEL TATWEEL "مد", "محمد"), 1);
}

static void test_text_fold__rule5_removes_harakat(void **state)
{
    (void)state;
    assert_int_equal(folded_equal("م" DAMMA "ح" FATHA "م" SHADDA FATHA "د", "محمد"), 1);
    assert_folds_to("ب" FATHATAN KASRA SUKUN WAVY_HAMZA_BELOW SUPERSCRIPT_ALEF, "ب");
    assert_folds_to("ه" SUPERSCRIPT_ALEF "ذا", "هذا");
}

static void test_text_fold__rule5_removes_zwj_and_bidi_marks(void **state)
{
    (void)state;
    assert_folds_to("ع" ZWJ "لی", "علی");
    assert_folds_to(RLM "علی" LRM, "علی");
    assert_folds_to(ALM "1405" ALM, "1405");
    /* A removed character between spaces leaves one space. */
    assert_folds_to("a " LRM " b", "a b");
    /* Only those: a line separator is kept. */
    assert_folds_to("a" LINE_SEP "b", "a" LINE_SEP "b");
}

/* ---- rule 6: ZWNJ ------------------------------------------------------ */

static void test_text_fold__rule6_zwnj_folds_like_a_space(void **state)
{
    (void)state;
    assert_int_equal(folded_equal("علی" ZWNJ "اکبر", "علی اکبر"), 1);
    assert_folds_to("علی" ZWNJ "اکبر", "علی اکبر");
    assert_int_equal(folded_equal("می" ZWNJ "خواهم", "می خواهم"), 1);
}

static void test_text_fold__rule6_zwnj_differs_from_joined_spelling(void **state)
{
    (void)state;
    assert_int_equal(folded_equal("علی" ZWNJ "اکبر", "علیاکبر"), 0);
    assert_int_equal(folded_equal("علی اکبر", "علیاکبر"), 0);
}

/* ---- rule 7: white space ----------------------------------------------- */

static void test_text_fold__rule7_collapses_white_space_runs(void **state)
{
    (void)state;
    assert_folds_to("a  \t\r\n b", "a b");
    assert_folds_to("a" NBSP "b", "a b");
    assert_folds_to("a" EN_QUAD EM_SPACE ZWSP "b", "a b");
    assert_folds_to("a" NNBSP "b" MMSP "c" IDEO_SPACE "d", "a b c d");
    assert_folds_to("علی " ZWNJ " " ZWNJ ZWNJ "اکبر", "علی اکبر");
}

static void test_text_fold__rule7_trims_leading_and_trailing_space(void **state)
{
    (void)state;
    assert_folds_to("  " NBSP ZWNJ "محمد" ZWNJ " \t" IDEO_SPACE, "محمد");
    assert_folds_to(" " NBSP "\t" ZWNJ, "");
    assert_folds_to("", "");
    /* Characters removed by rule 5 do not keep an edge space alive. */
    assert_folds_to(" " RLM " x " LRM, "x");
}

/* ---- rule 8: ASCII case ------------------------------------------------ */

static void test_text_fold__rule8_lowercases_ascii_only(void **state)
{
    (void)state;
    assert_folds_to("ALI Rezaei", "ali rezaei");
    assert_int_equal(folded_equal("Ali REZAEI", "ali rezaei"), 1);
    /* Non-ASCII letters keep their case. */
    assert_folds_to(A_DIAERESIS_CAP "BC", A_DIAERESIS_CAP "bc");
}

/* ---- all rules together, limits, arguments ------------------------------ */

static void test_text_fold__folds_two_spellings_of_a_full_name(void **state)
{
    (void)state;
    /* "سیّد علی‌اکبر کاظمی ۱۴۰۵" as two registries might store it. */
    const char *a = "س" FARSI_YEH SHADDA "د علی" ZWNJ ALEF "کبر کاظمی ۱۴۰۵";
    const char *b = RLM "  س" ARABIC_YEH "د" NBSP "عل" ALEF_MAKSURA " " ALEF ARABIC_KAF
                    "بر " ARABIC_KAF "ا" TATWEEL "ظم" ARABIC_YEH " ١٤٠٥ ";
    assert_int_equal(folded_equal(a, b), 1);
    char *out = fold_n(a, strlen(a));
    assert_string_equal(out, "سید علی اکبر کاظمی 1405");
    emza_free(out);
}

static void test_text_fold__limits_input_to_65536_bytes(void **state)
{
    (void)state;
    size_t n = EMZA_TEXT_FOLD_MAX + 1;
    char *big = malloc(n);
    assert_non_null(big);
    /* Two-byte Arabic letters with a tatweel every so often: output shorter than input. */
    for (size_t i = 0; i + 1 < n; i += 2)
        memcpy(big + i, i % 10 == 0 ? TATWEEL : ARABIC_YEH, 2);
    big[n - 1] = 'x';
    char *out = fold_n(big, EMZA_TEXT_FOLD_MAX);
    assert_true(strlen(out) < EMZA_TEXT_FOLD_MAX);
    emza_free(out);
    out = (char *)1;
    assert_int_equal(emza_text_fold(&out, big, n), EMZA_ELIMIT);
    assert_null(out);
    int eq = -1;
    assert_int_equal(emza_text_equal_folded(&eq, big, n, "x", 1), EMZA_ELIMIT);
    assert_int_equal(eq, 0);
    free(big);
}

/* Many marks after one letter (the worst case for reordering) stay linear and correct. */
static void test_text_fold__handles_long_runs_of_marks(void **state)
{
    (void)state;
    size_t n = 2 + 2 * 20000 + 2;
    char *text = malloc(n);
    assert_non_null(text);
    memcpy(text, ALEF, 2);
    for (size_t i = 0; i < 20000; i++)
        memcpy(text + 2 + 2 * i, i % 2 ? FATHA : SHADDA, 2);
    memcpy(text + n - 2, HAMZA_ABOVE, 2);
    char *out = fold_n(text, n);
    assert_string_equal(out, ALEF_HAMZA_ABOVE);
    emza_free(out);
    free(text);
}

static void test_text_fold__rejects_bad_arguments(void **state)
{
    (void)state;
    char *out = (char *)1;
    assert_int_equal(emza_text_fold(NULL, "a", 1), EMZA_EINVAL);
    assert_int_equal(emza_text_fold(&out, NULL, 1), EMZA_EINVAL);
    assert_null(out);
    assert_int_equal(emza_text_fold(&out, NULL, 0), EMZA_EINVAL);
    int eq = -1;
    assert_int_equal(emza_text_equal_folded(NULL, "a", 1, "a", 1), EMZA_EINVAL);
    assert_int_equal(emza_text_equal_folded(&eq, "a", 1, NULL, 1), EMZA_EINVAL);
    assert_int_equal(eq, 0);
    eq = -1;
    assert_int_equal(emza_text_equal_folded(&eq, "a", 1, "\xFF", 1), EMZA_EFORMAT);
    assert_int_equal(eq, 0);
}

static void test_text_equal_folded__reports_equal_and_different(void **state)
{
    (void)state;
    assert_int_equal(folded_equal("", ""), 1);
    assert_int_equal(folded_equal(" ", ""), 1);
    assert_int_equal(folded_equal("a", "b"), 0);
    assert_int_equal(folded_equal("ab", "a"), 0);
    assert_int_equal(folded_equal("a b", "ab"), 0);
}

static void assert_escapes_to(const char *in, size_t len, const char *expect)
{
    char *out = NULL;
    assert_int_equal(emza_text_escape(&out, in, len), EMZA_OK);
    assert_string_equal(out, expect);
    emza_free(out);
}

static void test_text_escape__keeps_persian_and_escapes_controls_and_bidi(void **state)
{
    (void)state;
    const char *ali = "\xd8\xb9\xd9\x84\xdb\x8c"; /* علی */
    assert_escapes_to(ali, strlen(ali), ali);
    assert_escapes_to("a\nb\x1b[31m", 8, "a\\u000Ab\\u001B[31m");
    assert_escapes_to("x\xe2\x80\xaey", 5, "x\\u202Ey");          /* RLO */
    assert_escapes_to("\xe2\x81\xa6", 3, "\\u2066");              /* LRI */
    assert_escapes_to("\xc2\x9b", 2, "\\u009B");                   /* C1 CSI */
    assert_escapes_to("\xe2\x80\xa8", 3, "\\u2028");              /* line separator */
}

static void test_text_escape__escapes_backslash_so_escapes_cannot_be_faked(void **state)
{
    (void)state;
    assert_escapes_to("\\u202E", 6, "\\\\u202E");
}

static void test_text_escape__shows_invalid_utf8_bytes_as_hex(void **state)
{
    (void)state;
    assert_escapes_to("a\xff\xc0\xaf" "b", 5, "a\\xFF\\xC0\\xAFb");
    assert_escapes_to("a\0b", 3, "a\\u0000b");
}

static void test_text_escape__rejects_bad_arguments(void **state)
{
    (void)state;
    char *out = (char *)1;
    assert_int_equal(emza_text_escape(NULL, "a", 1), EMZA_EINVAL);
    assert_int_equal(emza_text_escape(&out, NULL, 1), EMZA_EINVAL);
    assert_null(out);
    assert_int_equal(emza_text_escape(&out, NULL, 0), EMZA_OK);
    assert_string_equal(out, "");
    emza_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_fold__rule1_rejects_invalid_utf8),
        cmocka_unit_test(test_text_fold__rule1_rejects_embedded_nul),
        cmocka_unit_test(test_text_fold__rule1_reads_only_len_bytes),
        cmocka_unit_test(test_text_fold__rule2_composes_each_arabic_pair),
        cmocka_unit_test(test_text_fold__rule2_keeps_precomposed_letters),
        cmocka_unit_test(test_text_fold__rule2_composes_before_letter_unification),
        cmocka_unit_test(test_text_fold__rule2_reorders_marks_canonically),
        cmocka_unit_test(test_text_fold__rule2_respects_blocking),
        cmocka_unit_test(test_text_fold__rule2_does_not_compose_across_other_characters),
        cmocka_unit_test(test_text_fold__rule2_leaves_other_scripts_alone),
        cmocka_unit_test(test_text_fold__rule3_unifies_yeh_and_kaf),
        cmocka_unit_test(test_text_fold__rule4_maps_digits_to_ascii),
        cmocka_unit_test(test_text_fold__rule5_removes_tatweel),
        cmocka_unit_test(test_text_fold__rule5_removes_harakat),
        cmocka_unit_test(test_text_fold__rule5_removes_zwj_and_bidi_marks),
        cmocka_unit_test(test_text_fold__rule6_zwnj_folds_like_a_space),
        cmocka_unit_test(test_text_fold__rule6_zwnj_differs_from_joined_spelling),
        cmocka_unit_test(test_text_fold__rule7_collapses_white_space_runs),
        cmocka_unit_test(test_text_fold__rule7_trims_leading_and_trailing_space),
        cmocka_unit_test(test_text_fold__rule8_lowercases_ascii_only),
        cmocka_unit_test(test_text_fold__folds_two_spellings_of_a_full_name),
        cmocka_unit_test(test_text_fold__limits_input_to_65536_bytes),
        cmocka_unit_test(test_text_fold__handles_long_runs_of_marks),
        cmocka_unit_test(test_text_fold__rejects_bad_arguments),
        cmocka_unit_test(test_text_equal_folded__reports_equal_and_different),
        cmocka_unit_test(test_text_escape__keeps_persian_and_escapes_controls_and_bidi),
        cmocka_unit_test(test_text_escape__escapes_backslash_so_escapes_cannot_be_faked),
        cmocka_unit_test(test_text_escape__shows_invalid_utf8_bytes_as_hex),
        cmocka_unit_test(test_text_escape__rejects_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
