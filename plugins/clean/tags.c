/* copydesk — clean: stray HTML tags and comments dropped (option strip_tags).
 *
 * Scraped text often keeps a few tags.  A tag is `<`, an optional `/`, a letter, then
 * letters, digits, `-` or `:`, then `>` or `/>` or white space and attributes up to the
 * next `>` (with no `<` in between, at most MAX_TAG bytes); a comment is `<!-- … -->`.
 * Anything else — `a < b`, `<3`, `<<` — is text and stays.  Block-level tags become a
 * paragraph break and <br> a line break, so the whitespace pass that follows joins or
 * splits the text as the markup meant; other tags and comments are deleted.  Each is one
 * edit, so offsets keep pointing at the input.
 */
#include <string.h>

#include "clean.h"

#define MAX_TAG 2048

static const char *const block_tags[] = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul", NULL};

/* TRUE when the tag name NAME (LEN bytes) is a block-level element. */
static gboolean is_block(const char *name, gsize len) {
  for (guint i = 0; block_tags[i]; i++)
    if (strlen(block_tags[i]) == len && g_ascii_strncasecmp(block_tags[i], name, len) == 0)
      return TRUE;
  return FALSE;
}

/* The length of the tag or comment at TEXT[POS] (which is '<'), or 0 when it is not one.
 * *NAME and *NAME_LEN receive the tag name (empty for a comment). */
static gsize tag_length(const char *text, gsize len, gsize pos, const char **name,
                        gsize *name_len) {
  gsize i = pos + 1;
  *name = text + i;
  *name_len = 0;
  if (i + 3 <= len && memcmp(text + i, "!--", 3) == 0) {
    const char *end = g_strstr_len(text + i + 3, MIN(len - i - 3, MAX_TAG), "-->");
    return end ? (gsize)(end + 3 - (text + pos)) : 0;
  }
  if (i < len && text[i] == '/') i++;
  if (i >= len || !g_ascii_isalpha(text[i])) return 0;
  *name = text + i;
  while (i < len && (g_ascii_isalnum(text[i]) || text[i] == '-' || text[i] == ':')) i++;
  *name_len = (gsize)(text + i - *name);
  if (i < len && text[i] == '>') return i + 1 - pos;
  if (i + 1 < len && text[i] == '/' && text[i + 1] == '>') return i + 2 - pos;
  if (i >= len || !g_ascii_isspace(text[i])) return 0;
  for (; i < len && i - pos < MAX_TAG; i++) {
    if (text[i] == '>') return i + 1 - pos;
    if (text[i] == '<') return 0;
  }
  return 0;
}

gboolean clean_tags(CopydeskDocument *doc, CleanSurvey *survey, GError **error) {
  CleanPass pass;
  clean_pass_init(&pass, doc, survey);
  gboolean ok = TRUE;
  const char *text = pass.text;
  gsize len = pass.len;
  for (const char *p = memchr(text, '<', len); ok && p != NULL;
       p = memchr(p, '<', len - (gsize)(p - text))) {
    gsize pos = (gsize)(p - text);
    const char *name;
    gsize name_len;
    gsize n = tag_length(text, len, pos, &name, &name_len);
    if (n == 0) {
      p++;
      continue;
    }
    if (name_len == 2 && g_ascii_strncasecmp(name, "br", 2) == 0)
      ok = clean_pass_replace(&pass, pos, pos + n, "\n", 1, error);
    else if (is_block(name, name_len))
      ok = clean_pass_replace(&pass, pos, pos + n, "\n\n", 2, error);
    else
      ok = clean_pass_delete(&pass, pos, pos + n, error);
    p += n;
    if ((gsize)(p - text) >= len) break;
  }
  return clean_pass_finish(&pass, ok, error);
}
