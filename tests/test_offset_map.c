/* Random edit sequences against a naive model: every position of the current text must map
 * back to exactly the original bytes it came from, and spans outside the edits must keep both
 * their text and their original bytes. */
#include <string.h>

#include <copydesk/copydesk.h>

/* The naive model: for every current byte, the original range it stands for. */
typedef struct {
  GArray *lo, *hi; /* gsize per current byte */
  gsize orig_len;
} Model;

static const char *const pieces[] = {"a", "b", "Z", " ", "\n", ".", "\xC3\xA9" /* é */,
                                     "\xE2\x80\x9C" /* “ */, "\xF0\x9F\x98\x80" /* 😀 */,
                                     "\xFF" /* invalid */, "\xC3" /* truncated */, "\x00"};

static gsize
model_start(const Model *m, gsize pos)
{
  return pos < m->lo->len ? g_array_index(m->lo, gsize, pos) : m->orig_len;
}

static gsize
model_end(const Model *m, gsize pos)
{
  return pos == 0 ? model_start(m, 0) : g_array_index(m->hi, gsize, pos - 1);
}

/* Random original text made of PIECES, including invalid bytes and NULs. */
static GString *
random_original(GRand *rand, guint n)
{
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < n; i++) {
    guint k = g_rand_int_range(rand, 0, G_N_ELEMENTS(pieces));
    g_string_append_len(s, pieces[k], k == G_N_ELEMENTS(pieces) - 1 ? 1 : (gssize)strlen(pieces[k]));
  }
  return s;
}

/* The model of a fresh document: valid bytes map to themselves, each invalid byte to the three
 * bytes of U+FFFD. */
static Model
initial_model(const CopydeskDocument *doc)
{
  Model m = {g_array_new(FALSE, FALSE, sizeof(gsize)), g_array_new(FALSE, FALSE, sizeof(gsize)), 0};
  gsize orig_len, len;
  const guchar *orig = (const guchar *)copydesk_document_original(doc, &orig_len);
  const char *text = copydesk_document_text(doc, &len);
  m.orig_len = orig_len;
  gsize o = 0, c = 0;
  while (o < orig_len) {
    if (c + 3 <= len && memcmp(text + c, "\xEF\xBF\xBD", 3) == 0 &&
        !(o + 3 <= orig_len && memcmp(orig + o, "\xEF\xBF\xBD", 3) == 0)) {
      for (int k = 0; k < 3; k++) {
        gsize lo = o, hi = o + 1;
        g_array_append_val(m.lo, lo);
        g_array_append_val(m.hi, hi);
      }
      o++;
      c += 3;
      continue;
    }
    g_assert_cmpint(orig[o], ==, (guchar)text[c]);
    gsize lo = o, hi = o + 1;
    g_array_append_val(m.lo, lo);
    g_array_append_val(m.hi, hi);
    o++;
    c++;
  }
  g_assert_cmpuint(c, ==, len);
  return m;
}

/* A random character boundary in the current text. */
static gsize
random_boundary(GRand *rand, const char *text, gsize len)
{
  gsize pos = g_rand_int_range(rand, 0, (gint32)len + 1);
  while (pos < len && (((guchar)text[pos]) & 0xC0) == 0x80)
    pos++;
  return pos;
}

static void
check_model(const CopydeskDocument *doc, const Model *m, GRand *rand)
{
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  g_assert_cmpuint(len, ==, m->lo->len);
  g_assert_true(g_utf8_validate_len(text, len, NULL) || memchr(text, 0, len) != NULL);
  for (int k = 0; k < 50; k++) {
    gsize a = random_boundary(rand, text, len), b = random_boundary(rand, text, len);
    gsize s = MIN(a, b), e = MAX(a, b);
    if (s == e)
      continue;
    g_assert_cmpuint(copydesk_document_original_start(doc, s), ==, model_start(m, s));
    g_assert_cmpuint(copydesk_document_original_end(doc, e), ==, model_end(m, e));
    /* The same in one call, with the offsets in each unit. */
    for (CopydeskOffsetUnit unit = COPYDESK_UNIT_CODEPOINTS; unit <= COPYDESK_UNIT_UTF16; unit++) {
      CopydeskOriginalRange range;
      copydesk_document_original_range(doc, s, e, unit, &range);
      gsize bs = MIN(model_start(m, s), m->orig_len);
      gsize be = MAX(MIN(model_end(m, e), m->orig_len), bs);
      g_assert_cmpuint(range.byte_start, ==, bs);
      g_assert_cmpuint(range.byte_end, ==, be);
      g_assert_cmpuint(range.start, ==, copydesk_document_original_offset(doc, bs, unit));
      g_assert_cmpuint(range.end, ==, copydesk_document_original_offset(doc, be, unit));
    }
  }
}

static void
apply_random_edit(CopydeskDocument *doc, Model *m, GRand *rand)
{
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  CopydeskEdit *edit = copydesk_edit_begin(doc);
  GArray *new_lo = g_array_new(FALSE, FALSE, sizeof(gsize));
  GArray *new_hi = g_array_new(FALSE, FALSE, sizeof(gsize));
  gsize pos = 0;
  guint n = g_rand_int_range(rand, 1, 6);
  for (guint i = 0; i < n; i++) {
    gsize a = random_boundary(rand, text, len), b = random_boundary(rand, text, len);
    gsize s = MAX(pos, MIN(a, b)), e = MAX(s, MAX(a, b));
    GString *rep = g_string_new(NULL);
    guint pieces_n = g_rand_int_range(rand, 0, 4);
    for (guint k = 0; k < pieces_n; k++)
      g_string_append(rep, pieces[g_rand_int_range(rand, 0, 9)]); /* valid pieces only */
    if (s == e && rep->len == 0) {
      g_string_free(rep, TRUE);
      continue;
    }
    GError *error = NULL;
    g_assert_true(copydesk_edit_replace(edit, s, e, rep->str, rep->len, &error));
    g_assert_no_error(error);
    /* The model: copy what precedes, then the replacement standing for its original range. */
    g_array_append_vals(new_lo, &g_array_index(m->lo, gsize, pos), s - pos);
    g_array_append_vals(new_hi, &g_array_index(m->hi, gsize, pos), s - pos);
    gsize lo = model_start(m, s), hi = (s == e) ? lo : model_end(m, e);
    for (gsize k = 0; k < rep->len; k++) {
      g_array_append_val(new_lo, lo);
      g_array_append_val(new_hi, hi);
    }
    pos = e;
    g_string_free(rep, TRUE);
  }
  g_array_append_vals(new_lo, &g_array_index(m->lo, gsize, pos), len - pos);
  g_array_append_vals(new_hi, &g_array_index(m->hi, gsize, pos), len - pos);
  copydesk_edit_commit(edit);
  g_array_free(m->lo, TRUE);
  g_array_free(m->hi, TRUE);
  m->lo = new_lo;
  m->hi = new_hi;
}

/* copydesk_layer_original_ranges() over random spans, some out of order, gives what
 * copydesk_document_original_range() gives for each, and says whether they are in order. */
static void
check_layer_ranges(CopydeskDocument *doc, GRand *rand)
{
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  CopydeskLayer *layer = copydesk_document_ensure_layer(doc, "ranges");
  guint n = g_rand_int_range(rand, 0, 8);
  gboolean sorted = g_rand_boolean(rand), in_order = TRUE;
  gsize last_start = 0, last_end = 0;
  for (guint i = 0; i < n; i++) {
    gsize a = random_boundary(rand, text, len), b = random_boundary(rand, text, len);
    gsize s = MIN(a, b), e = MAX(a, b);
    g_assert_nonnull(copydesk_layer_add(layer, s, e, NULL, NULL));
    if (i > 0 && (last_start > s || (last_start == s && last_end < e)))
      in_order = FALSE;
    last_start = s;
    last_end = e;
  }
  if (sorted) {
    copydesk_layer_sort(layer);
    in_order = TRUE;
  }
  CopydeskOriginalRange ranges[8];
  for (CopydeskOffsetUnit unit = COPYDESK_UNIT_CODEPOINTS; unit <= COPYDESK_UNIT_UTF16; unit++) {
    g_assert_cmpint(copydesk_layer_original_ranges(layer, unit, ranges), ==, in_order);
    for (guint i = 0; i < n; i++) {
      const CopydeskSpan *span = copydesk_layer_span(layer, i);
      CopydeskOriginalRange one;
      copydesk_document_original_range(doc, copydesk_span_start(span), copydesk_span_end(span),
                                       unit, &one);
      g_assert_cmpuint(ranges[i].byte_start, ==, one.byte_start);
      g_assert_cmpuint(ranges[i].byte_end, ==, one.byte_end);
      g_assert_cmpuint(ranges[i].start, ==, one.start);
      g_assert_cmpuint(ranges[i].end, ==, one.end);
    }
  }
  copydesk_layer_clear(layer);
}

static void
test_random_edit_sequences(void)
{
  GRand *rand = g_rand_new_with_seed(20261126);
  for (int round = 0; round < 300; round++) {
    GString *orig = random_original(rand, g_rand_int_range(rand, 0, 80));
    CopydeskDocument *doc = copydesk_document_new("r", orig->str, orig->len);
    Model m = initial_model(doc);
    check_model(doc, &m, rand);
    check_layer_ranges(doc, rand);
    guint n_edits = g_rand_int_range(rand, 1, 12);
    for (guint i = 0; i < n_edits; i++) {
      apply_random_edit(doc, &m, rand);
      check_model(doc, &m, rand);
      check_layer_ranges(doc, rand);
    }
    g_array_free(m.lo, TRUE);
    g_array_free(m.hi, TRUE);
    copydesk_document_free(doc);
    g_string_free(orig, TRUE);
  }
  g_rand_free(rand);
}

/* Spans that no edit touches keep their text, and map back to original bytes equal to it. */
static void
test_untouched_spans_keep_text_and_origin(void)
{
  GRand *rand = g_rand_new_with_seed(7);
  for (int round = 0; round < 200; round++) {
    GString *orig = g_string_new(NULL);
    for (int w = 0; w < 30; w++)
      g_string_append_printf(orig, "%sw%d%s", w ? "  " : "", w, (w % 7 == 3) ? "\xC3\xA9" : "");
    CopydeskDocument *doc = copydesk_document_new("s", orig->str, orig->len);
    CopydeskLayer *words = copydesk_document_ensure_layer(doc, "word");
    /* One span per word. */
    gsize len;
    const char *text = copydesk_document_text(doc, &len);
    for (gsize i = 0; i < len;) {
      if (text[i] == ' ') {
        i++;
        continue;
      }
      gsize j = i;
      while (j < len && text[j] != ' ')
        j++;
      g_assert_nonnull(copydesk_layer_add(words, i, j, "w", NULL));
      i = j;
    }
    /* Random edits, only ever inside the runs of spaces between words: collapse or widen. */
    for (int e = 0; e < 5; e++) {
      text = copydesk_document_text(doc, &len);
      CopydeskEdit *edit = copydesk_edit_begin(doc);
      for (gsize i = 0; i < len; i++) {
        if (text[i] != ' ')
          continue;
        gsize j = i;
        while (j < len && text[j] == ' ')
          j++;
        guint choice = g_rand_int_range(rand, 0, 3);
        if (choice == 1)
          g_assert_true(copydesk_edit_replace(edit, i, j, " ", 1, NULL));
        else if (choice == 2)
          g_assert_true(copydesk_edit_replace(edit, i, j, " \t ", 3, NULL));
        i = j;
      }
      copydesk_edit_commit(edit);
    }
    text = copydesk_document_text(doc, &len);
    const char *original = copydesk_document_original(doc, NULL);
    for (gsize k = 0; k < copydesk_layer_n_spans(words); k++) {
      CopydeskSpan *span = copydesk_layer_span(words, k);
      gsize slen;
      const char *stext = copydesk_span_text(span, &slen);
      g_assert_cmpuint(slen, >, 0);
      g_assert_true(g_ascii_isalnum(stext[0]));
      gsize os = copydesk_document_original_start(doc, copydesk_span_start(span));
      gsize oe = copydesk_document_original_end(doc, copydesk_span_end(span));
      g_assert_cmpuint(oe - os, ==, slen);
      g_assert_cmpmem(original + os, oe - os, stext, slen);
    }
    copydesk_document_free(doc);
    g_string_free(orig, TRUE);
  }
  g_rand_free(rand);
}

/* A replaced range maps to the whole original range it replaced. */
static void
test_replacement_maps_to_whole_range(void)
{
  CopydeskDocument *doc = copydesk_document_new("x", "a &amp; b", -1);
  g_assert_true(copydesk_document_replace(doc, 2, 7, "&", 1, NULL));
  g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, "a & b");
  g_assert_cmpuint(copydesk_document_original_start(doc, 2), ==, 2);
  g_assert_cmpuint(copydesk_document_original_end(doc, 3), ==, 7);
  g_assert_cmpuint(copydesk_document_original_start(doc, 4), ==, 8);
  g_assert_cmpuint(copydesk_document_original_end(doc, 5), ==, 9);
  copydesk_document_free(doc);
}

/* Long documents with many edits: the map stays linear (a smoke test of the segment merge). */
static void
test_many_edits_one_pass(void)
{
  GString *orig = g_string_new(NULL);
  for (int i = 0; i < 100000; i++)
    g_string_append(orig, "word  ");
  CopydeskDocument *doc = copydesk_document_new("big", orig->str, orig->len);
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  CopydeskEdit *edit = copydesk_edit_begin(doc);
  for (gsize i = 0; i + 1 < len; i++)
    if (text[i] == ' ' && text[i + 1] == ' ')
      g_assert_true(copydesk_edit_replace(edit, i, i + 2, " ", 1, NULL));
  copydesk_edit_commit(edit);
  text = copydesk_document_text(doc, &len);
  g_assert_cmpuint(len, ==, 500000);
  /* The last word of the cleaned text maps to the last word of the original. */
  g_assert_cmpuint(copydesk_document_original_start(doc, len - 5), ==, orig->len - 6);
  copydesk_document_free(doc);
  g_string_free(orig, TRUE);
}

/* Original offsets in code points and UTF-16 units against a count made character by
 * character (an ill-formed byte one character), for every byte offset and past the end, asked
 * in increasing order, then backwards, then at random; texts well-formed or not, long enough
 * for the index to have many entries and some all-ASCII stretches. */
static void
test_unit_offsets(void)
{
  GRand *rand = g_rand_new_with_seed(20261127);
  for (int round = 0; round < 200; round++) {
    gboolean valid_only = round % 2 == 0;
    GString *orig = g_string_new(NULL);
    guint n = g_rand_int_range(rand, 0, 400);
    for (guint i = 0; i < n; i++) {
      guint k = g_rand_int_range(rand, 0, valid_only ? 9 : G_N_ELEMENTS(pieces));
      if (g_rand_int_range(rand, 0, 4) == 0)
        g_string_append(orig, "plain ascii words, a run of them. "); /* ASCII stretches */
      else
        g_string_append_len(orig, pieces[k], k == G_N_ELEMENTS(pieces) - 1 ? 1 : (gssize)strlen(pieces[k]));
    }
    /* The model: the counts before every byte. */
    gsize len = orig->len;
    gsize *cp = g_new0(gsize, len + 1), *u16 = g_new0(gsize, len + 1);
    for (gsize i = 0; i < len;) {
      gunichar c = g_utf8_get_char_validated(orig->str + i, (gssize)(len - i));
      gsize step = (c == (gunichar)-1 || c == (gunichar)-2) ? 1 : (gsize)g_unichar_to_utf8(c, NULL);
      for (gsize j = 1; j <= step; j++) { /* the character at I starts before I + J */
        cp[i + j] = cp[i] + 1;
        u16[i + j] = u16[i] + (step == 4 ? 2 : 1);
      }
      i += step;
    }
    CopydeskDocument *doc = copydesk_document_new("u", orig->str, orig->len);
    for (int order = 0; order < 3; order++)
      for (gsize k = 0; k <= len + 1; k++) {
        gsize b = order == 0 ? k : order == 1 ? len + 1 - k : (gsize)g_rand_int_range(rand, 0, (gint32)len + 2);
        gsize m = MIN(b, len);
        g_assert_cmpuint(copydesk_document_original_offset(doc, b, COPYDESK_UNIT_CODEPOINTS), ==, cp[m]);
        g_assert_cmpuint(copydesk_document_original_offset(doc, b, COPYDESK_UNIT_UTF16), ==, u16[m]);
        g_assert_cmpuint(copydesk_document_original_offset(doc, b, COPYDESK_UNIT_BYTES), ==, m);
      }
    copydesk_document_free(doc);
    g_free(cp);
    g_free(u16);
    g_string_free(orig, TRUE);
  }
  g_rand_free(rand);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/offset_map/random_edit_sequences", test_random_edit_sequences);
  g_test_add_func("/offset_map/untouched_spans_keep_text_and_origin",
                  test_untouched_spans_keep_text_and_origin);
  g_test_add_func("/offset_map/replacement_maps_to_whole_range",
                  test_replacement_maps_to_whole_range);
  g_test_add_func("/offset_map/many_edits_one_pass", test_many_edits_one_pass);
  g_test_add_func("/offset_map/unit_offsets", test_unit_offsets);
  return g_test_run();
}
