/*
 * Persian text folding for comparing names. The rules, numbered as here, are
 * in include/emza/text.h; this file applies them in that order:
 *
 *   decode (rule 1) -> compose Arabic-script sequences (rule 2) ->
 *   one pass for rules 3..8 that writes the output.
 *
 * Rule 2 follows Unicode's canonical composition for the eight Arabic-script
 * composites, including the two parts of NFC that decide *whether* a letter
 * and a combining hamza or madda compose:
 *
 *  - A precomposed letter is first decomposed (as NFC does via NFD), so
 *    U+0623 + fatha and alef + fatha + hamza-above meet the same path.
 *  - The combining marks after a letter are put in canonical order (a stable
 *    sort by canonical combining class), and a mark composes with its letter
 *    only when no mark left between them has a class >= its own ("blocked").
 *
 * Reordering is needed for these sequences in practice: keyboards and
 * editors put harakat before or after the hamza in either order, e.g.
 * alef + fatha(30) + hamza-above(230) and alef + hamza-above + fatha are
 * canonically equivalent, and both must become U+0623 (+ fatha, which rule 5
 * then removes). Without reordering and the blocking rule the first spelling
 * would lose its hamza and fold to a bare alef.
 *
 * Simplification (documented in text.h): only the combining marks of the
 * Arabic block U+0610..U+06ED are known here, with their Unicode 14 classes.
 * Any other code point, including a combining mark from another block or
 * from Arabic Extended-A/B, acts like a starter: it ends the run of marks,
 * and a hamza after it has no letter to compose with. For text made of
 * Arabic letters and Arabic marks the result is exactly NFC's.
 *
 * The output is never longer than the input: every mapping keeps or shrinks
 * a character's UTF-8 length, and composition only removes characters.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include <emza/text.h>

#include "util/buf.h"
#include "util/display.h"
#include "util/guard.h"
#include "util/utf8.h"

/* Canonical combining classes of the marks in the Arabic block (Unicode 14 UnicodeData.txt). */
static const struct {
    uint16_t first, last;
    uint8_t ccc;
} arabic_marks[] = {
    {0x0610, 0x0617, 230}, {0x0618, 0x0618, 30},  {0x0619, 0x0619, 31},  {0x061A, 0x061A, 32},
    {0x064B, 0x064B, 27},  {0x064C, 0x064C, 28},  {0x064D, 0x064D, 29},  {0x064E, 0x064E, 30},
    {0x064F, 0x064F, 31},  {0x0650, 0x0650, 32},  {0x0651, 0x0651, 33},  {0x0652, 0x0652, 34},
    {0x0653, 0x0654, 230}, {0x0655, 0x0656, 220}, {0x0657, 0x065B, 230}, {0x065C, 0x065C, 220},
    {0x065D, 0x065E, 230}, {0x065F, 0x065F, 220}, {0x0670, 0x0670, 35},  {0x06D6, 0x06DC, 230},
    {0x06DF, 0x06E2, 230}, {0x06E3, 0x06E3, 220}, {0x06E4, 0x06E4, 230}, {0x06E7, 0x06E8, 230},
    {0x06EA, 0x06EA, 220}, {0x06EB, 0x06EC, 230}, {0x06ED, 0x06ED, 220},
};

/* The Arabic-script primary composites: letter + mark -> composite (UnicodeData.txt). */
#define MADDA_ABOVE 0x0653
#define HAMZA_ABOVE 0x0654
#define HAMZA_BELOW 0x0655
static const struct {
    uint32_t letter, mark, composite;
} arabic_compositions[] = {
    {0x0627, MADDA_ABOVE, 0x0622}, /* alef -> alef with madda above */
    {0x0627, HAMZA_ABOVE, 0x0623}, /* alef -> alef with hamza above */
    {0x0648, HAMZA_ABOVE, 0x0624}, /* waw -> waw with hamza above */
    {0x0627, HAMZA_BELOW, 0x0625}, /* alef -> alef with hamza below */
    {0x064A, HAMZA_ABOVE, 0x0626}, /* yeh -> yeh with hamza above */
    {0x06D5, HAMZA_ABOVE, 0x06C0}, /* ae -> heh with yeh above */
    {0x06C1, HAMZA_ABOVE, 0x06C2}, /* heh goal -> heh goal with hamza above */
    {0x06D2, HAMZA_ABOVE, 0x06D3}, /* yeh barree -> yeh barree with hamza above */
};

#define ZWNJ 0x200C

static uint8_t combining_class(uint32_t cp)
{
    if (cp < 0x0610 || cp > 0x06ED)
        return 0;
    for (size_t i = 0; i < EMZA_ARRAY_LEN(arabic_marks); i++)
        if (cp >= arabic_marks[i].first && cp <= arabic_marks[i].last)
            return arabic_marks[i].ccc;
    return 0;
}

static uint32_t compose_pair(uint32_t letter, uint32_t mark)
{
    for (size_t i = 0; i < EMZA_ARRAY_LEN(arabic_compositions); i++)
        if (arabic_compositions[i].letter == letter && arabic_compositions[i].mark == mark)
            return arabic_compositions[i].composite;
    return 0;
}

/* Splits a composite into letter and mark; returns 0 when `cp` is not one. */
static int decompose(uint32_t cp, uint32_t *letter, uint32_t *mark)
{
    for (size_t i = 0; i < EMZA_ARRAY_LEN(arabic_compositions); i++)
        if (arabic_compositions[i].composite == cp) {
            *letter = arabic_compositions[i].letter;
            *mark = arabic_compositions[i].mark;
            return 1;
        }
    return 0;
}

/* Stable sort of `n` marks by combining class (a counting sort: classes are bytes). */
static void canonical_order(uint32_t *marks, size_t n, uint32_t *scratch)
{
    size_t start[257] = {0};
    for (size_t i = 0; i < n; i++)
        start[combining_class(marks[i]) + 1]++;
    for (size_t c = 1; c < 257; c++)
        start[c] += start[c - 1];
    for (size_t i = 0; i < n; i++)
        scratch[start[combining_class(marks[i])]++] = marks[i];
    memcpy(marks, scratch, n * sizeof(*marks));
}

/*
 * Rule 2. Reads `n` code points from `in`, writes the composed sequence to
 * `res` (room for n + 1) and returns its length. `run` and `scratch` have
 * room for n + 1 code points each.
 *
 * The result is never longer than the input. Decomposing a composite adds
 * one mark to its segment, but that mark sorts first among marks of its
 * class, so nothing blocks it: either it recomposes with the letter or an
 * earlier mark of a lower class already composed with it.
 */
static size_t compose_arabic(const uint32_t *in, size_t n, uint32_t *res, uint32_t *run,
                             uint32_t *scratch)
{
    size_t w = 0, i = 0;
    while (i < n) {
        /* A segment: an optional starter and the run of marks after it. */
        int has_starter = combining_class(in[i]) == 0;
        uint32_t starter = 0;
        size_t m = 0;
        if (has_starter) {
            starter = in[i++];
            uint32_t letter, mark;
            if (decompose(starter, &letter, &mark)) {
                starter = letter;
                run[m++] = mark;
            }
        }
        while (i < n && combining_class(in[i]) != 0)
            run[m++] = in[i++];
        canonical_order(run, m, scratch);

        /* Compose each mark that is not blocked; kept marks are sorted, the last has the highest class. */
        size_t kept = 0;
        uint8_t last_kept_class = 0;
        for (size_t k = 0; k < m; k++) {
            uint8_t c = combining_class(run[k]);
            uint32_t composite = has_starter && (kept == 0 || last_kept_class < c)
                                     ? compose_pair(starter, run[k])
                                     : 0;
            if (composite != 0) {
                starter = composite;
            } else {
                run[kept++] = run[k];
                last_kept_class = c;
            }
        }
        if (has_starter)
            res[w++] = starter;
        memcpy(res + w, run, kept * sizeof(*run));
        w += kept;
    }
    return w;
}

/* Rule 5: characters dropped before comparison. */
static int is_removed(uint32_t cp)
{
    return cp == 0x0640                      /* tatweel */
           || (cp >= 0x064B && cp <= 0x065F) /* harakat, and the hamza/madda marks rule 2 left */
           || cp == 0x0670                   /* superscript alef */
           || cp == 0x200D                   /* zero width joiner */
           || cp == 0x200E || cp == 0x200F   /* left-to-right and right-to-left marks */
           || cp == 0x061C;                  /* arabic letter mark */
}

/* Rule 7: the white space that folds to one ASCII space. */
static int is_fold_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == 0x00A0 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Rules 3, 4 and 8: one character to its folded form. */
static uint32_t map_char(uint32_t cp)
{
    if (cp == 0x064A || cp == 0x0649) /* arabic yeh, alef maksura -> farsi yeh */
        return 0x06CC;
    if (cp == 0x0643) /* arabic kaf -> keheh */
        return 0x06A9;
    if (cp >= 0x06F0 && cp <= 0x06F9) /* persian digits */
        return '0' + (cp - 0x06F0);
    if (cp >= 0x0660 && cp <= 0x0669) /* arabic-indic digits */
        return '0' + (cp - 0x0660);
    if (cp >= 'A' && cp <= 'Z')
        return cp - 'A' + 'a';
    return cp;
}

int emza_text_fold(char **out, const char *text, size_t len)
{
    int rc = EMZA_OK;
    uint32_t *in = NULL, *res = NULL, *run = NULL, *scratch = NULL;
    emza_buf b;
    emza__buf_init(&b, EMZA_TEXT_FOLD_MAX); /* the output is never longer than the input */

    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(text != NULL, EMZA_EINVAL);
    EMZA_ENSURE_MSG(len <= EMZA_TEXT_FOLD_MAX, EMZA_ELIMIT,
                    "text of %zu bytes exceeds the folding limit of %d bytes", len,
                    EMZA_TEXT_FOLD_MAX);

    /* Room for len + 1 code points in each array: a decomposed composite adds one to a run. */
    size_t slots, bytes;
    EMZA_ENSURE(!EMZA_ADD_OVERFLOWS(len, (size_t)1, &slots) &&
                    !EMZA_MUL_OVERFLOWS(slots, sizeof(uint32_t), &bytes),
                EMZA_ELIMIT);
    in = malloc(bytes);
    res = malloc(bytes);
    run = malloc(bytes);
    scratch = malloc(bytes);
    EMZA_TRY_ENSURE(in && res && run && scratch, EMZA_ENOMEM, "out of memory folding %zu bytes",
                    len);

    /* Rule 1: strict UTF-8. */
    size_t n = 0;
    emza_reader r;
    emza__reader_init(&r, text, len);
    while (r.left > 0) {
        size_t offset = len - r.left;
        EMZA_TRY_ENSURE(emza__utf8_next(&r, &in[n]) == EMZA_OK, EMZA_EFORMAT,
                        "text to fold is not valid UTF-8 (at byte %zu)", offset);
        /*
         * U+0000 is valid UTF-8, but the folded text is a C string: a NUL
         * kept in it would cut the comparison short ("Ali\0X" would equal
         * "Ali"), and a name never contains one.
         */
        EMZA_TRY_ENSURE(in[n] != 0, EMZA_EFORMAT,
                        "text to fold contains a NUL character (at byte %zu)", offset);
        n++;
    }

    /* Rule 2. */
    size_t m = compose_arabic(in, n, res, run, scratch);

    /* Rules 3..8 in one pass. */
    int pending_space = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t cp = res[i];
        if (is_removed(cp))
            continue;
        /*
         * Rule 6, ZWNJ as a word break. Persian writes the parts of compound
         * names and words with either a space or a zero-width non-joiner
         * ("nim-fasele"): علی‌اکبر and علی اکبر are the same name, and registries,
         * certificate authorities and keyboards choose differently. A reader
         * sees a ZWNJ as a gap between two unjoined words, never as "nothing",
         * so it folds like a space. Deleting it instead would equate the
         * ZWNJ spelling with علیاکبر, whose letters join into a visibly
         * different word, and would let two spellings a person tells apart
         * compare equal; keeping it as a character of its own would split
         * spellings a person reads as one.
         */
        if (cp == ZWNJ || is_fold_space(cp)) {
            pending_space = b.len > 0; /* rule 7: runs become one space, none at the edges */
            continue;
        }
        if (pending_space) {
            EMZA_TRY(emza__buf_append_byte(&b, ' '));
            pending_space = 0;
        }
        EMZA_TRY(emza__utf8_append(&b, map_char(cp)));
    }

    *out = emza__buf_take(&b);
    EMZA_TRY_ENSURE(*out != NULL, EMZA_ENOMEM, "out of memory folding %zu bytes", len);

cleanup:
    free(in);
    free(res);
    free(run);
    free(scratch);
    emza__buf_free(&b);
    return rc;
}

int emza_text_equal_folded(int *out_equal, const char *a, size_t a_len, const char *b,
                           size_t b_len)
{
    int rc = EMZA_OK;
    char *fa = NULL, *fb = NULL;
    EMZA_ENSURE(out_equal != NULL, EMZA_EINVAL);
    *out_equal = 0;
    EMZA_TRY(emza_text_fold(&fa, a, a_len));
    EMZA_TRY(emza_text_fold(&fb, b, b_len));
    *out_equal = strcmp(fa, fb) == 0;

cleanup:
    emza_free(fa);
    emza_free(fb);
    return rc;
}

/* Longest text emza_text_escape takes: every byte may grow to "\uXXXX" (6 bytes). */
#define TEXT_ESCAPE_MAX (16u * 1024 * 1024)

int emza_text_escape(char **out, const char *text, size_t len)
{
    EMZA_ENSURE(out != NULL, EMZA_EINVAL);
    *out = NULL;
    EMZA_ENSURE(text != NULL || len == 0, EMZA_EINVAL);
    EMZA_ENSURE_MSG(len <= TEXT_ESCAPE_MAX, EMZA_ELIMIT, "text longer than %u bytes",
                    TEXT_ESCAPE_MAX);
    emza_buf b;
    emza__buf_init(&b, 6 * (size_t)TEXT_ESCAPE_MAX);
    int rc = emza__display_escape(&b, text ? text : "", len);
    if (rc == EMZA_OK) {
        *out = emza__buf_take(&b);
        if (*out == NULL)
            rc = emza__error_set(EMZA_ENOMEM, __FILE__, __LINE__, "out of memory");
    }
    emza__buf_free(&b);
    return rc;
}
