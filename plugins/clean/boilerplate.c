/* copydesk — clean: wire boilerplate into document fields.
 *
 * Datelines ("WASHINGTON (Reuters) - "), bylines ("By Jane Doe") and trailers
 * ("(Reporting by …; Editing by …)") are not part of the story: they are deleted
 * from the text through one edit, so every later span still maps to the user's bytes,
 * and kept as the document fields "dateline", "byline" and "trailer".
 *
 * What counts as boilerplate is a file of GRegex patterns (conf/boilerplate/wire.txt by
 * default; its header describes the format), compiled once when the plugin is created,
 * without PCRE2's JIT (it would be faster, but valgrind cannot follow JIT code and
 * reports false errors there; the patterns only see a few lines a document), and shared by every
 * worker thread (matching a GRegex is thread-safe).  Each pattern is compiled with PCRE2
 * itself, as GRegex compiles it, which also tells what its matches must start with or contain
 * (BpFilter): lines without that are not tried.  A line that passes is run through that code
 * with PCRE2 directly, which skips the UTF-8 check GRegex has PCRE2 make of each line (a
 * pass's text is valid UTF-8) and GRegex's GMatchInfo; its first match is GRegex's first
 * match, and is used when it fits.  Only when it does not are the later matches asked of the
 * pattern's GRegex (it steps from one match to the next as GRegex does), which is compiled
 * when the pattern is read, for its error (file:line) and for a pattern PCRE2 does not
 * compile here, which it matches alone.  Each pattern sees one line at a time:
 *
 *   dateline  the first six lines are tried in order, up to the first longer than 150
 *             bytes (the story has begun); the first match is deleted;
 *   byline    each of those lines that a pattern matches whole is deleted, with its line
 *             break (and the blank lines after it);
 *   trailer   the last line is tried: a match that runs to the line's end is deleted
 *             with the white space before it, then the new last line is tried, up to
 *             eight times.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "clean.h"

typedef enum {
  BP_DATELINE,
  BP_BYLINE,
  BP_TRAILER,
} BpKind;

static const char *const kind_names[] = {"dateline", "byline", "trailer"};

/* A cheap test that a line cannot match a pattern, so most lines never reach the matcher
 * (each GRegex match costs a few thousand instructions, even a failing one).  It is what
 * PCRE2 itself knows of the compiled pattern (see bp_filter_init), so it only ever rules out
 * lines that GRegex would not match either. */
typedef struct {
  gboolean anchored_first; /* a match starts at the line's first byte, one of FIRST */
  guint8 first[32];        /* bitmap of the bytes a match can start with */
  guint n_required;
  guchar required[2]; /* bytes every match contains (an ASCII letter: in either case) */
} BpFilter;

typedef struct {
  GRegex *regex; /* SOURCE compiled by GRegex: the later matches of a line (match_pattern()) */
  int value_group; /* the (?<value>…) group, or -1 */
  BpFilter filter;
  pcre2_code *code; /* the pattern compiled as GRegex compiles it, or NULL */
} BpPattern;

struct _CleanBoilerplate {
  GPtrArray *patterns; /* BpPattern, owned */
  guint32 pairs; /* the most captures any pattern's code has, plus one for the whole match */
  GPtrArray *of_kind[G_N_ELEMENTS(kind_names)]; /* the patterns of each kind, in file order */
  /* A PCRE2 match data that no document is using, kept for the next one (its first match
   * allocates PCRE2's backtracking frames, some 20 KB); NULL when a document has it.  The
   * worker threads swap it atomically.  Only one used on short lines is kept (see
   * bp_scratch_done()). */
  gpointer spare_match_data;
};

/* How many lines at the top of the text datelines and bylines may sit in, and how long a
 * line may be before it is taken for the story itself. */
#define HEAD_LINES 6
#define HEAD_LINE_BYTES 150
/* How many trailers may be peeled off the end. */
#define MAX_TRAILERS 8

/* SOURCE compiled with PCRE2 as g_regex_new() compiles it with no flags in GLib 2.74 (UTF
 * without a check of the pattern, UCP, newline ANY, \R any Unicode newline), or NULL when it
 * does not compile.  GRegex keeps its compiled code to itself; this one gives the same
 * matches. */
static pcre2_code *bp_compile(const char *source) {
  pcre2_compile_context *context = pcre2_compile_context_create(NULL);
  if (context == NULL) return NULL;
  pcre2_set_newline(context, PCRE2_NEWLINE_ANY);
  pcre2_set_bsr(context, PCRE2_BSR_UNICODE);
  int code_error;
  PCRE2_SIZE offset;
  pcre2_code *code = pcre2_compile((PCRE2_SPTR)source, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_UCP, &code_error,
                                   &offset, context);
  pcre2_compile_context_free(context);
  return code;
}

/* Fills FILTER for SOURCE from what PCRE2 computes when it compiles it (CODE, which may be
 * NULL): the bytes a match can start with, a byte every match holds, and whether matches can
 * only start at the subject's start.  pcre2_match() relies on the same facts to skip start
 * positions, so they are necessary conditions of a match.  Whatever is not certain leaves the
 * filter open: a pattern that does not compile here, one with a (*VERB) (which can turn
 * PCRE2's start-up optimisations off or change what they mean), and \G (which anchors at each
 * later start position g_match_info_next() tries, not only at the line's start). */
static void bp_filter_init(BpFilter *filter, const char *source, const pcre2_code *code) {
  memset(filter, 0, sizeof *filter);
  if (code == NULL || strstr(source, "(*") != NULL || strstr(source, "\\G") != NULL) return;
  uint32_t options = 0, first_type = 0, first_unit = 0, last_type = 0, last_unit = 0;
  const uint8_t *bitmap = NULL;
  if (pcre2_pattern_info(code, PCRE2_INFO_ALLOPTIONS, &options) != 0 ||
      pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &first_type) != 0 ||
      pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODEUNIT, &first_unit) != 0 ||
      pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &bitmap) != 0 ||
      pcre2_pattern_info(code, PCRE2_INFO_LASTCODETYPE, &last_type) != 0 ||
      pcre2_pattern_info(code, PCRE2_INFO_LASTCODEUNIT, &last_unit) != 0 ||
      (options & PCRE2_NO_START_OPTIMIZE) != 0)
    return;
  /* The first byte: tested at the line's start when every branch of the pattern is anchored
   * there; otherwise a single first byte only has to occur somewhere in the line. */
  gboolean anchored = (options & PCRE2_ANCHORED) != 0;
  if (first_type == 1 && first_unit <= 0xFF) {
    if (anchored) {
      filter->anchored_first = TRUE;
      filter->first[first_unit / 8] |= (guint8)(1u << (first_unit % 8));
      if (g_ascii_isalpha((int)first_unit)) { /* the pattern may be caseless */
        guchar other = (guchar)(first_unit ^ 0x20);
        filter->first[other / 8] |= (guint8)(1u << (other % 8));
      }
    } else {
      filter->required[filter->n_required++] = (guchar)first_unit;
    }
  } else if (first_type == 0 && bitmap != NULL && anchored) {
    filter->anchored_first = TRUE;
    memcpy(filter->first, bitmap, sizeof filter->first);
  }
  if (last_type == 1 && last_unit <= 0xFF) filter->required[filter->n_required++] = (guchar)last_unit;
}

/* Whether a line of LEN bytes at LINE can match the pattern FILTER was made for. */
static gboolean bp_filter_passes(const BpFilter *filter, const char *line, gsize len) {
  if (filter->anchored_first) {
    guchar c = len > 0 ? (guchar)line[0] : 0;
    if (len == 0 || (filter->first[c / 8] & (1u << (c % 8))) == 0) return FALSE;
  }
  for (guint k = 0; k < filter->n_required; k++) {
    guchar c = filter->required[k];
    if (memchr(line, c, len) == NULL &&
        !(g_ascii_isalpha(c) && memchr(line, c ^ 0x20, len) != NULL))
      return FALSE;
  }
  return TRUE;
}

static void pattern_free(gpointer p) {
  BpPattern *pattern = p;
  g_regex_unref(pattern->regex);
  pcre2_code_free(pattern->code);
  g_free(pattern);
}

void clean_boilerplate_free(CleanBoilerplate *bp) {
  if (bp == NULL) return;
  pcre2_match_data_free(bp->spare_match_data); /* does nothing with NULL */
  for (guint k = 0; k < G_N_ELEMENTS(bp->of_kind); k++) g_ptr_array_free(bp->of_kind[k], TRUE);
  g_ptr_array_free(bp->patterns, TRUE);
  g_free(bp);
}

CleanBoilerplate *clean_boilerplate_parse(const char *text, gsize len, const char *origin,
                                          GError **error) {
  CleanBoilerplate *bp = g_new0(CleanBoilerplate, 1);
  bp->patterns = g_ptr_array_new_with_free_func(pattern_free);
  bp->pairs = 1;
  for (guint k = 0; k < G_N_ELEMENTS(bp->of_kind); k++) bp->of_kind[k] = g_ptr_array_new();
  if (!g_utf8_validate(text, (gssize)len, NULL)) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                "%s: boilerplate patterns are not valid UTF-8", origin);
    clean_boilerplate_free(bp);
    return NULL;
  }
  guint line_no = 0;
  for (const char *p = text, *end = text + len; p < end;) {
    const char *nl = memchr(p, '\n', (gsize)(end - p));
    const char *line_end = nl ? nl : end;
    line_no++;
    char *line = g_strndup(p, (gsize)(line_end - p));
    p = nl ? nl + 1 : end;
    g_strstrip(line);
    if (*line == '\0' || *line == '#') {
      g_free(line);
      continue;
    }
    gsize kind_len = strcspn(line, " \t");
    int kind = -1;
    for (int k = 0; k < (int)G_N_ELEMENTS(kind_names); k++)
      if (strlen(kind_names[k]) == kind_len && strncmp(line, kind_names[k], kind_len) == 0)
        kind = k;
    const char *source = line + kind_len;
    while (*source == ' ' || *source == '\t') source++;
    GError *regex_error = NULL;
    GRegex *regex = NULL;
    pcre2_code *code = NULL;
    if (kind < 0) {
      g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                  "%s:%u: unknown boilerplate kind \"%.*s\" (dateline, byline or trailer)",
                  origin, line_no, (int)kind_len, line);
    } else if (*source == '\0') {
      g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                  "%s:%u: %s without a pattern", origin, line_no, kind_names[kind]);
    } else if ((regex = g_regex_new(source, 0, 0, &regex_error)) == NULL) {
      g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                  "%s:%u: bad %s pattern: %s", origin, line_no, kind_names[kind],
                  regex_error->message);
      g_error_free(regex_error);
    }
    if (regex == NULL) {
      g_free(line);
      clean_boilerplate_free(bp);
      return NULL;
    }
    /* Its own PCRE2 compile, when PCRE2 compiles it here as GRegex did (else the GRegex
     * alone matches it) */
    code = bp_compile(source);
    BpPattern *pattern = g_new0(BpPattern, 1);
    pattern->regex = regex;
    pattern->code = code;
    if (code != NULL) {
      int group = pcre2_substring_number_from_name(code, (PCRE2_SPTR) "value");
      pattern->value_group = group < 0 ? -1 : group;
      uint32_t captures = 0;
      pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
      bp->pairs = MAX(bp->pairs, captures + 1);
    } else {
      pattern->value_group = g_regex_get_string_number(regex, "value");
    }
    bp_filter_init(&pattern->filter, source, code);
    g_free(line);
    g_ptr_array_add(bp->patterns, pattern);
    g_ptr_array_add(bp->of_kind[kind], pattern);
  }
  return bp;
}

CleanBoilerplate *clean_boilerplate_load(const char *path, GError **error) {
  char *text = NULL;
  gsize len = 0;
  GError *io_error = NULL;
  if (!g_file_get_contents(path, &text, &len, &io_error)) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                "cannot read boilerplate patterns: %s", io_error->message);
    g_error_free(io_error);
    return NULL;
  }
  CleanBoilerplate *bp = clean_boilerplate_parse(text, len, path, error);
  g_free(text);
  return bp;
}

/* ---- Matching ------------------------------------------------------------------ */

typedef struct {
  gsize start, end; /* a line of the text, without its line break */
} BpLine;

static gboolean is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; }

/* The line [START, END) with trailing white space left out. */
static BpLine trimmed_line(const char *t, gsize start, gsize end) {
  while (end > start && is_space(t[end - 1])) end--;
  return (BpLine){start, end};
}

/* The value to store for the match [S, E) of LINE, whose value group (-1: none or not set)
 * is [VS, VE): the group, or the match without the white space and dashes around it. */
static char *match_value(const char *line, int s, int e, int vs, int ve) {
  if (vs >= 0) {
    s = vs;
    e = ve;
  }
  const char *a = line + s, *b = line + e;
  for (;;) {
    if (a < b && (g_unichar_isspace(g_utf8_get_char(a)) || *a == '-')) {
      a = g_utf8_next_char(a);
      continue;
    }
    if (a < b) {
      const char *last = g_utf8_prev_char(b);
      gunichar u = g_utf8_get_char(last);
      if (g_unichar_isspace(u) || u == '-' || u == 0x2013 || u == 0x2014) {
        b = last;
        continue;
      }
    }
    break;
  }
  return g_strndup(a, (gsize)(b - a));
}

/* Scratch for the PCRE2 matches of one document: the boilerplate's spare match data, or a
 * new one, taken at the first line that needs it. */
typedef struct {
  CleanBoilerplate *bp;
  pcre2_match_data *data;
  gsize longest; /* the longest line matched with DATA, in bytes */
} BpScratch;

/* The longest line a match data may have been used on and still be kept as the spare.  From
 * PCRE2 10.41 on, the backtracking frames a match grows stay in its match data until it is
 * freed, and they grow with the line: a last line on which the first built-in trailer pattern
 * backtracks deeply ("(Reporting by A (x) (x) … end) x") needs some 125 bytes of frames a
 * byte, 5 MB for a line of 40 KB.  A spare kept after such a line would hold them for the
 * rest of the stream; one used on lines of at most 4 KB holds what such a line needs at
 * most.  (pcre2_get_match_data_heapframes_size(), from PCRE2 10.43, would tell the size
 * itself; the line's length bounds it with every version.) */
#define SPARE_LINE_MAX 4096

static void bp_match_data_free(gpointer data) { pcre2_match_data_free(data); }

/* Gives the document's match data back as the spare, or frees it when it was used on a line
 * longer than SPARE_LINE_MAX or another document's is the spare already. */
static void bp_scratch_done(BpScratch *scratch) {
  clean_spare_give(&scratch->bp->spare_match_data, scratch->data,
                   scratch->longest <= SPARE_LINE_MAX, bp_match_data_free);
  scratch->data = NULL;
}

/* The first match of PATTERN's PCRE2 code in the LEN bytes at LINE (valid UTF-8), with room
 * for every group: PCRE2's count of the pairs set (> 0), or < 0 when there is none or the match
 * data cannot be made.  It is GRegex's first match (the same code, options and limits; an
 * error such as a match limit is no match for GRegex too). */
static int bp_first_match(const BpPattern *pattern, BpScratch *scratch, const char *line,
                          gsize len) {
  if (scratch->data == NULL) {
    /* the spare left by an earlier document, else one with room for every pattern's groups */
    scratch->data = g_atomic_pointer_exchange(&scratch->bp->spare_match_data, NULL);
    if (scratch->data == NULL) scratch->data = pcre2_match_data_create(scratch->bp->pairs, NULL);
    if (scratch->data == NULL) return PCRE2_ERROR_NOMEMORY;
  }
  scratch->longest = MAX(scratch->longest, len);
  return pcre2_match(pattern->code, (PCRE2_SPTR)line, len, 0, PCRE2_NO_UTF_CHECK, scratch->data,
                     NULL);
}

/* Whether the match [S, E) of the LEN bytes of LINE is one to take: not empty, whole-line when
 * WHOLE, running to the end (but for white space) when TO_END. */
static gboolean match_fits(const char *line, gsize len, int s, int e, gboolean whole,
                           gboolean to_end) {
  gsize stop = (gsize)e;
  while (stop < len && is_space(line[stop])) stop++;
  return e > s && (!whole || s == 0) && (!(whole || to_end) || stop == len);
}

/* Tries PATTERN on the LEN bytes at LINE, which passed its filter; on a match that fits
 * (match_fits()) stores its range in *S, *E (relative to LINE) and returns its value.  The
 * first match comes from PCRE2 directly; only when it does not fit are the later ones asked of
 * the GRegex, which steps from match to match as it does (past empty ones). */
static G_NO_INLINE char *match_pattern(BpPattern *pattern, BpScratch *scratch, const char *line,
                                       gsize len, gboolean whole, gboolean to_end, gsize *s,
                                       gsize *e) {
  if (pattern->code != NULL) {
    if (bp_first_match(pattern, scratch, line, len) < 0) return NULL;
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(scratch->data);
    int ms = (int)ov[0], me = (int)ov[1];
    if (match_fits(line, len, ms, me, whole, to_end)) {
      int g = pattern->value_group;
      gboolean has = g >= 0 && ov[2 * g] != PCRE2_UNSET;
      *s = (gsize)ms;
      *e = (gsize)me;
      return match_value(line, ms, me, has ? (int)ov[2 * g] : -1, has ? (int)ov[2 * g + 1] : -1);
    }
  }
  GMatchInfo *match = NULL;
  char *value = NULL;
  g_regex_match_full(pattern->regex, line, (gssize)len, 0, 0, &match, NULL);
  while (value == NULL && g_match_info_matches(match)) {
    int ms, me;
    g_match_info_fetch_pos(match, 0, &ms, &me);
    if (match_fits(line, len, ms, me, whole, to_end)) {
      int vs = -1, ve = -1;
      if (pattern->value_group < 0 ||
          !g_match_info_fetch_pos(match, pattern->value_group, &vs, &ve))
        vs = ve = -1;
      value = match_value(line, ms, me, vs, ve);
      *s = (gsize)ms;
      *e = (gsize)me;
    } else if (!g_match_info_next(match, NULL)) {
      break;
    }
  }
  g_match_info_free(match);
  return value;
}

/* Tries the patterns of KIND on the LEN bytes at LINE, as match_pattern() does, and returns
 * the first one's value; inline, since most lines pass no pattern's filter. */
static inline char *match_line(const CleanBoilerplate *bp, BpScratch *scratch, BpKind kind,
                               const char *line, gsize len, gboolean whole, gboolean to_end,
                               gsize *s, gsize *e) {
  const GPtrArray *patterns = bp->of_kind[kind];
  for (guint i = 0; i < patterns->len; i++) {
    BpPattern *pattern = g_ptr_array_index(patterns, i);
    if (!bp_filter_passes(&pattern->filter, line, len)) continue;
    char *value = match_pattern(pattern, scratch, line, len, whole, to_end, s, e);
    if (value != NULL) return value;
  }
  return NULL;
}

typedef struct {
  gsize start, end;
} BpCut;

/* What is cut: at most one dateline or byline on each head line, and the trailers. */
typedef struct {
  BpCut v[HEAD_LINES + MAX_TRAILERS];
  guint n;
} BpCuts;

static void add_cut(BpCuts *cuts, gsize start, gsize end) {
  g_assert(cuts->n < G_N_ELEMENTS(cuts->v));
  cuts->v[cuts->n++] = (BpCut){start, end};
}

/* Sorts the cuts by start, keeping the order of equal ones (an insertion sort: a few). */
static void sort_cuts(BpCuts *cuts) {
  for (guint i = 1; i < cuts->n; i++) {
    BpCut cut = cuts->v[i];
    guint j = i;
    for (; j > 0 && cuts->v[j - 1].start > cut.start; j--) cuts->v[j] = cuts->v[j - 1];
    cuts->v[j] = cut;
  }
}

/* The start of the line that ends at END: just after the last line break in [FLOOR, END), or
 * FLOOR. */
static gsize line_start_before(const char *t, gsize floor, gsize end) {
  const char *nl = memrchr(t + floor, '\n', end - floor);
  return nl != NULL ? (gsize)(nl - t) + 1 : floor;
}

/* The start of the line after the line break at or after POS, past blank lines. */
static gsize next_content(const char *t, gsize n, gsize pos) {
  const char *nl = memchr(t + pos, '\n', n - pos);
  if (nl == NULL) return n;
  gsize i = (gsize)(nl - t) + 1, line = i;
  while (i < n && (is_space(t[i]) || t[i] == '\n')) {
    if (t[i] == '\n') line = i + 1;
    i++;
  }
  return i >= n ? n : line;
}

gboolean clean_boilerplate(CopydeskDocument *doc, CleanBoilerplate *bp, GError **error) {
  if (bp == NULL || bp->patterns->len == 0) return TRUE;
  CleanPass pass;
  clean_pass_init(&pass, doc, NULL);
  const char *t = pass.text;
  gsize n = pass.len;
  BpCuts cuts;
  cuts.n = 0; /* the cuts are written as they are found */
  BpScratch scratch = {.bp = bp, .data = NULL};
  GString *bylines = NULL;
  char *dateline = NULL;
  gsize head_end = 0; /* nothing before this may be cut by a trailer */

  /* The first lines: bylines (whole lines) and one dateline. */
  gsize pos = 0;
  for (guint lines = 0; lines < HEAD_LINES && pos < n;) {
    const char *nl = memchr(t + pos, '\n', n - pos);
    gsize line_end = nl ? (gsize)(nl - t) : n;
    BpLine line = trimmed_line(t, pos, line_end);
    gsize s, e;
    char *value;
    if (line.end > line.start) {
      lines++;
      if ((value = match_line(bp, &scratch, BP_BYLINE, t + line.start, line.end - line.start,
                              TRUE, FALSE, &s, &e)) != NULL) {
        gsize cut_end = next_content(t, n, line.start);
        add_cut(&cuts, line.start, cut_end);
        head_end = cut_end;
        if (bylines == NULL)
          bylines = g_string_new(value);
        else
          g_string_append_printf(bylines, "\n%s", value);
        g_free(value);
      } else if (dateline == NULL &&
                 (value = match_line(bp, &scratch, BP_DATELINE, t + line.start,
                                     line.end - line.start, FALSE, FALSE, &s, &e)) != NULL) {
        gsize cut_start = line.start + s, cut_end = line.start + e;
        if (s == 0 && cut_end >= line.end) cut_end = next_content(t, n, line.start);
        add_cut(&cuts, cut_start, cut_end);
        head_end = cut_end;
        dateline = value;
      }
      /* A paragraph of the story (a long line) ends the head: no dateline or byline after
       * it.  Headlines and bylines are short. */
      if (line.end - line.start > HEAD_LINE_BYTES) break;
    }
    if (nl == NULL) break;
    pos = line_end + 1;
  }

  /* Trailers, peeled off the end. */
  GPtrArray *trailers = NULL; /* made at the first trailer */
  gsize tail = n; /* the text after this is cut already */
  gsize end = n;
  while (end > head_end && is_space(t[end - 1])) end--;
  while (end > head_end && t[end - 1] == '\n') {
    end--;
    while (end > head_end && is_space(t[end - 1])) end--;
  }
  for (guint k = 0; k < MAX_TRAILERS && end > head_end; k++) {
    gsize line_start = line_start_before(t, head_end, end);
    gsize s, e;
    char *value = match_line(bp, &scratch, BP_TRAILER, t + line_start, end - line_start, FALSE,
                             TRUE, &s, &e);
    if (value == NULL) break;
    if (trailers == NULL) trailers = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_insert(trailers, 0, value);
    gsize cut_start = line_start + s;
    while (cut_start > head_end && g_ascii_isspace(t[cut_start - 1])) cut_start--;
    add_cut(&cuts, cut_start, tail);
    tail = end = cut_start;
    if (line_start + s > line_start) break; /* it ended a line of the story */
  }

  bp_scratch_done(&scratch);
  sort_cuts(&cuts);
  gboolean ok = TRUE;
  gsize done = 0;
  for (guint i = 0; ok && i < cuts.n; i++) {
    BpCut cut = cuts.v[i];
    if (cut.end <= done) continue;
    if (cut.start < done) cut.start = done;
    ok = clean_pass_delete(&pass, cut.start, cut.end, error);
    done = cut.end;
  }
  ok = clean_pass_finish(&pass, ok, error);
  if (ok) {
    if (dateline) copydesk_document_set_field_string(doc, "dateline", dateline);
    if (bylines) copydesk_document_set_field_string(doc, "byline", bylines->str);
    if (trailers != NULL) {
      g_ptr_array_add(trailers, NULL);
      char *joined = g_strjoinv("\n", (char **)trailers->pdata);
      copydesk_document_set_field_string(doc, "trailer", joined);
      g_free(joined);
      g_ptr_array_remove_index(trailers, trailers->len - 1);
    }
  }
  g_free(dateline);
  if (bylines) g_string_free(bylines, TRUE);
  if (trailers != NULL) g_ptr_array_free(trailers, TRUE);
  return ok;
}
