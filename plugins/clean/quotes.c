/* copydesk — clean: quote marks.
 *
 * straight: “ ” „ ‟ « » become ", and ‘ ’ ‚ ‛ become '.
 * curly: " and ' become curly marks by context.  A double quote opens after the
 * start of the text, whitespace, an opening bracket, an opening quote or a dash, and
 * closes otherwise; between two spaces it closes a quote left open in the paragraph
 * and opens one otherwise.  A single quote between letters or digits, or after one,
 * is an apostrophe or closing quote (’: don’t, Reuters’); after whitespace or an
 * opening mark it opens (‘), except before a digit or a common elided word (’90s,
 * ’em, ’til), where it is an apostrophe.
 */
#include <string.h>

#include "clean.h"

static gboolean quotes_straight(CleanPass *pass, GError **error) {
  const guchar *t = (const guchar *)pass->text;
  gsize n = pass->len, i = 0;
  gboolean ok = TRUE;
  while (ok && i < n) {
    while (i < n && t[i] < 0x80) i++;
    if (i >= n) break;
    guchar c = t[i];
    const char *want = NULL;
    if (c == 0xE2 && t[i + 1] == 0x80) {
      guchar d = t[i + 2];
      if (d >= 0x9C && d <= 0x9F) /* “ ” „ ‟ */
        want = "\"";
      else if (d >= 0x98 && d <= 0x9B) /* ‘ ’ ‚ ‛ */
        want = "'";
    } else if (c == 0xC2 && (t[i + 1] == 0xAB || t[i + 1] == 0xBB)) { /* « » */
      want = "\"";
    }
    gsize len = clean_utf8_len(c);
    if (want != NULL) ok = clean_pass_replace(pass, i, i + len, want, 1, error);
    i += len;
  }
  return ok;
}

/* The character before position I (0 at the start of the text). */
static gunichar char_before(const char *t, gsize i) {
  if (i == 0) return 0;
  guchar c = (guchar)t[i - 1];
  if (c < 0x80) return c;
  return g_utf8_get_char(g_utf8_find_prev_char(t, t + i));
}

static gboolean opens_after(gunichar p) {
  return p == 0 || g_unichar_isspace(p) || p == '(' || p == '[' || p == '{' || p == '<' ||
         p == 0x201C || p == 0x2018 || p == 0x00AB || p == 0x2014 || p == 0x2013 || p == '-' ||
         p == '/';
}

/* Words that start with an elision apostrophe: ’em, ’til, ’tis, ’twas, ’n’. */
static gboolean elided_word(const char *t, gsize n, gsize i) {
  static const char *const words[] = {"em", "til", "tis", "twas", "n", "cause", "bout"};
  for (guint w = 0; w < G_N_ELEMENTS(words); w++) {
    gsize len = strlen(words[w]);
    if (i + len <= n && g_ascii_strncasecmp(t + i, words[w], len) == 0 &&
        (i + len == n || !g_ascii_isalnum(t[i + len])))
      return TRUE;
  }
  return FALSE;
}

static gboolean quotes_curly(CleanPass *pass, GError **error) {
  const char *t = pass->text;
  gsize n = pass->len, i = 0;
  gboolean ok = TRUE, double_open = FALSE;
  while (ok && i < n) {
    while (i < n && t[i] != '"' && t[i] != '\'' && t[i] != '\n') i++;
    if (i >= n) break;
    char c = t[i];
    if (c == '\n') {
      /* A blank line ends the paragraph: forget an unclosed double quote. */
      if (i + 1 < n && t[i + 1] == '\n') double_open = FALSE;
      i++;
      continue;
    }
    gunichar prev = char_before(t, i);
    gunichar next = i + 1 < n ? g_utf8_get_char(t + i + 1) : 0;
    gboolean next_space = next == 0 || g_unichar_isspace(next);
    const char *want;
    if (c == '"') {
      gboolean open;
      if (opens_after(prev))
        open = next_space ? !double_open : TRUE;
      else
        open = FALSE;
      double_open = open;
      want = open ? "\u201C" : "\u201D";
    } else {
      if (g_unichar_isalnum(prev) || !opens_after(prev))
        want = "\u2019"; /* apostrophe, or a closing quote */
      else if (next_space)
        want = "\u2019";
      else if (g_unichar_isdigit(next) || elided_word(t, n, i + 1))
        want = "\u2019";
      else
        want = "\u2018";
    }
    ok = clean_pass_replace(pass, i, i + 1, want, strlen(want), error);
    i++;
  }
  return ok;
}

gboolean clean_quotes(CopydeskDocument *doc, CleanQuotes mode, GError **error) {
  if (mode == CLEAN_QUOTES_KEEP) return TRUE;
  CleanPass pass;
  clean_pass_init(&pass, doc, NULL);
  gboolean ok =
      mode == CLEAN_QUOTES_STRAIGHT ? quotes_straight(&pass, error) : quotes_curly(&pass, error);
  return clean_pass_finish(&pass, ok, error);
}
