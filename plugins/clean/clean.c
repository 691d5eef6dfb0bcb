/* copydesk — the clean plugin: text normalisation that keeps the offset map.
 *
 * A transform stage.  Every change goes through one CopydeskEdit per pass, so each
 * span a later stage adds still maps back to the bytes the user gave us.  The passes
 * live in their own files: mojibake.c (UTF-8 read as a single-byte code page, with the
 * tables of codepages.c), tags.c (stray HTML tags), entities.c (HTML character references), unicode.c (control
 * and zero-width characters, NFC/NFKC), whitespace.c (spaces, line breaks, hard-wrapped
 * paragraphs), boilerplate.c (datelines, bylines and trailers into document fields) and
 * quotes.c (straight or curly quote marks); survey.c lists, once, where the text is not plain
 * ASCII words, for the passes up to whitespace.  docs/cleaning.md describes them all.
 */
#include <string.h>

#include "clean.h"

/* ---- One pass: a lazily begun edit ---------------------------------------- */

void clean_pass_init(CleanPass *pass, CopydeskDocument *doc, CleanSurvey *survey) {
  memset(pass, 0, sizeof *pass);
  pass->doc = doc;
  pass->survey = survey;
  pass->text = copydesk_document_text(doc, &pass->len);
}

static gboolean pass_submit(CleanPass *pass, gsize start, gsize end, const char *text, gsize len,
                            GError **error) {
  if (pass->failed) return FALSE;
  if (pass->edit == NULL) pass->edit = copydesk_edit_begin(pass->doc);
  if (!copydesk_edit_replace(pass->edit, start, end, text, (gssize)len, error)) {
    pass->failed = TRUE;
    return FALSE;
  }
  return TRUE;
}

static gboolean pass_flush(CleanPass *pass, GError **error) {
  if (pass->pending_end > pass->pending_start) {
    gsize s = pass->pending_start, e = pass->pending_end;
    pass->pending_start = pass->pending_end = 0;
    return pass_submit(pass, s, e, "", 0, error);
  }
  return TRUE;
}

gboolean clean_pass_delete(CleanPass *pass, gsize start, gsize end, GError **error) {
  if (start >= end) return TRUE;
  if (pass->pending_end > pass->pending_start && pass->pending_end == start) {
    pass->pending_end = end;
    return TRUE;
  }
  if (!pass_flush(pass, error)) return FALSE;
  pass->pending_start = start;
  pass->pending_end = end;
  return TRUE;
}

static inline gboolean is_continuation(guchar c) { return (c & 0xC0) == 0x80; }

gboolean clean_pass_replace(CleanPass *pass, gsize start, gsize end, const char *text, gsize len,
                            GError **error) {
  const char *cur = pass->text;
  /* Shared leading bytes, backed off to a character boundary. */
  gsize k = 0;
  while (k < len && start + k < end && cur[start + k] == text[k]) k++;
  while (k > 0 && ((start + k < end && is_continuation((guchar)cur[start + k])) ||
                   (k < len && is_continuation((guchar)text[k]))))
    k--;
  start += k;
  text += k;
  len -= k;
  /* Shared trailing bytes, moved forward to a character boundary. */
  gsize m = 0;
  while (m < len && start + m < end && cur[end - 1 - m] == text[len - 1 - m]) m++;
  while (m > 0 && ((end - m < pass->len && is_continuation((guchar)cur[end - m])) ||
                   is_continuation((guchar)text[len - m])))
    m--;
  end -= m;
  len -= m;
  if (start == end && len == 0) return TRUE;
  if (len == 0) return clean_pass_delete(pass, start, end, error);
  if (!pass_flush(pass, error)) return FALSE;
  return pass_submit(pass, start, end, text, len, error);
}

gboolean clean_pass_finish(CleanPass *pass, gboolean ok, GError **error) {
  if (ok) ok = pass_flush(pass, error);
  if (pass->edit != NULL) {
    if (ok && !pass->failed) {
      copydesk_edit_commit(pass->edit);
      if (pass->survey != NULL) pass->survey->valid = FALSE;
    } else {
      copydesk_edit_abort(pass->edit);
    }
    pass->edit = NULL;
  }
  return ok && !pass->failed;
}

/* ---- The plugin ------------------------------------------------------------ */

static const char *const normalize_choices[] = {"nfc", "nfkc", "none", NULL};
static const char *const quotes_choices[] = {"keep", "straight", "curly", NULL};

static const CopydeskOptionSpec clean_options[] = {
    {.name = "mojibake",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "repair UTF-8 that was decoded as a single-byte code page (Windows-1252, Latin-1, "
             "MacRoman, Windows-1250/1251/1253/1254/1257, ISO-8859-2, CP437), also twice, and "
             "CESU-8: \"Ã©\" -> \"é\", \"â€™\" -> \"’\"; only lines that look implausible "
             "are touched"},
    {.name = "strip_tags",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "false",
     .help = "drop stray HTML tags and comments (<b>, </span>, <!-- -->); block tags such as "
             "<p> and <div> become a paragraph break and <br> a line break; 'a < b' stays"},
    {.name = "html_entities",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "decode HTML character references (&amp; &eacute; &#233; &#xE9;); only "
             "well-formed ones ending in ';', invalid code points become U+FFFD"},
    {.name = "control",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "remove control characters: C0 except tab and line breaks, DEL, C1 except NEL"},
    {.name = "zero_width",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "remove zero-width space U+200B, word joiner U+2060, byte-order mark U+FEFF and "
             "soft hyphen U+00AD (ZWJ and ZWNJ are kept)"},
    {.name = "normalize",
     .type = COPYDESK_OPTION_ENUM,
     .default_value = "nfc",
     .choices = normalize_choices,
     .help = "Unicode normalisation: nfc, nfkc (also folds compatibility characters such as "
             "ligatures and full-width forms) or none"},
    {.name = "whitespace",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "normalise whitespace: CRLF and CR to LF, tabs and Unicode spaces to one space, no "
             "spaces at line ends, at most one blank line between paragraphs, none around the "
             "document"},
    {.name = "join_lines",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "join the lines of hard-wrapped paragraphs with a space; short lines such as "
             "headlines and datelines keep their line breaks"},
    {.name = "quotes",
     .type = COPYDESK_OPTION_ENUM,
     .default_value = "keep",
     .choices = quotes_choices,
     .help = "quote marks: keep, straight (curly and angle quotes to \" and ') or curly "
             "(\" and ' to curly quotes and apostrophes by context)"},
    {.name = "boilerplate",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "move wire boilerplate out of the text into the document fields dateline "
             "(WASHINGTON (Reuters) -), byline (By Jane Doe) and trailer (Reporting by ...; "
             "Editing by ...), as the patterns of boilerplate_patterns say"},
    {.name = "boilerplate_patterns",
     .type = COPYDESK_OPTION_PATH,
     .default_value = "boilerplate/wire.txt",
     .help = "the boilerplate patterns file (lines of: dateline|byline|trailer REGEX), "
             "relative to the pipeline file; when the default is not there, "
             "$COPYDESK_DATA_DIR/boilerplate/wire.txt, else the copy built into the plugin"},
    {.name = "report_invalid",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "when the input had invalid UTF-8 (each bad byte is U+FFFD in the text, mapped "
             "to that byte), set the document field invalid_utf8 to how many bytes"},
    {.name = NULL},
};

/* conf/boilerplate/wire.txt, built in (see meson.build): used when the default patterns file
 * is not next to the pipeline file nor in $COPYDESK_DATA_DIR. */
#include "wire_default.h"

static CleanBoilerplate *load_boilerplate(const CopydeskOptions *options, GError **error) {
  const char *path = copydesk_options_get_string(options, "boilerplate_patterns");
  if (copydesk_options_is_set(options, "boilerplate_patterns") ||
      (path != NULL && g_file_test(path, G_FILE_TEST_EXISTS)))
    return clean_boilerplate_load(path, error);
  const char *data_dir = g_getenv("COPYDESK_DATA_DIR");
  if (data_dir != NULL && *data_dir != '\0') {
    char *fallback = g_build_filename(data_dir, "boilerplate", "wire.txt", NULL);
    CleanBoilerplate *bp = NULL;
    if (g_file_test(fallback, G_FILE_TEST_EXISTS)) bp = clean_boilerplate_load(fallback, error);
    gboolean found = bp != NULL || (error != NULL && *error != NULL);
    g_free(fallback);
    if (found) return bp;
  }
  return clean_boilerplate_parse(clean_wire_default, strlen(clean_wire_default),
                                 "built-in boilerplate/wire.txt", error);
}

/* The largest list of stops (in entries) a survey keeps for the next document: past it, the
 * list of a long document is freed instead of being held while the pipeline runs. */
#define SPARE_STOPS_MAX 65536

static gpointer survey_new(void) { return g_new0(CleanSurvey, 1); }

static void survey_free(gpointer p) {
  CleanSurvey *survey = p;
  if (survey == NULL) return;
  clean_survey_clear(survey);
  g_free(survey);
}

static void clean_destroy(void *self) {
  CleanConfig *config = self;
  if (config == NULL) return;
  survey_free(config->spare_survey);
  clean_boilerplate_free(config->boilerplate);
  g_free(config);
}

static void *clean_create(const CopydeskOptions *options, GError **error) {
  clean_mojibake_init();
  CleanConfig *config = g_new0(CleanConfig, 1);
  const char *normalize = copydesk_options_get_string(options, "normalize");
  if (g_strcmp0(normalize, "nfkc") == 0)
    config->normalize = CLEAN_NORMALIZE_NFKC;
  else if (g_strcmp0(normalize, "none") == 0)
    config->normalize = CLEAN_NORMALIZE_NONE;
  else
    config->normalize = CLEAN_NORMALIZE_NFC;
  const char *quotes = copydesk_options_get_string(options, "quotes");
  if (g_strcmp0(quotes, "straight") == 0)
    config->quotes = CLEAN_QUOTES_STRAIGHT;
  else if (g_strcmp0(quotes, "curly") == 0)
    config->quotes = CLEAN_QUOTES_CURLY;
  else
    config->quotes = CLEAN_QUOTES_KEEP;
  config->mojibake = copydesk_options_get_bool(options, "mojibake");
  config->strip_tags = copydesk_options_get_bool(options, "strip_tags");
  config->html_entities = copydesk_options_get_bool(options, "html_entities");
  config->control = copydesk_options_get_bool(options, "control");
  config->zero_width = copydesk_options_get_bool(options, "zero_width");
  config->whitespace = copydesk_options_get_bool(options, "whitespace");
  config->join_lines = copydesk_options_get_bool(options, "join_lines");
  config->report_invalid = copydesk_options_get_bool(options, "report_invalid");
  if (copydesk_options_get_bool(options, "boilerplate")) {
    config->boilerplate = load_boilerplate(options, error);
    if (config->boilerplate == NULL) {
      clean_destroy(config);
      return NULL;
    }
  }
  return config;
}

/* The passes up to whitespace, sharing one survey of the text (see survey.c): each pass
 * that uses it takes it when it is out of date, so none is taken when none of them runs. */
static gboolean run_surveyed_passes(const CleanConfig *config, CopydeskDocument *doc,
                                    CleanSurvey *survey, GError **error) {
  if (config->mojibake && !clean_mojibake(doc, survey, error)) return FALSE;
  if (config->strip_tags && !clean_tags(doc, survey, error)) /* before &lt; is decoded */
    return FALSE;
  if (config->html_entities && !clean_entities(doc, survey, error)) return FALSE;
  if ((config->control || config->zero_width) &&
      !clean_characters(doc, survey, config->control, config->zero_width, error))
    return FALSE;
  if (config->normalize != CLEAN_NORMALIZE_NONE &&
      !clean_normalize(doc, survey, config->normalize, error))
    return FALSE;
  if ((config->whitespace || config->join_lines) &&
      !clean_whitespace(doc, survey, config->whitespace, config->join_lines, error))
    return FALSE;
  return TRUE;
}

static gboolean clean_process(void *self, CopydeskDocument *doc, GError **error) {
  CleanConfig *config = self;
  /* The spare survey, whose list has room already (most documents need no allocation), or a
   * new one; given back afterwards unless another document gave back one first. */
  CleanSurvey *survey = clean_spare_take(&config->spare_survey, survey_new);
  survey->valid = FALSE;
  gboolean ok = run_surveyed_passes(config, doc, survey, error);
  if (survey->size > SPARE_STOPS_MAX) clean_survey_clear(survey);
  clean_spare_give(&config->spare_survey, survey, TRUE, survey_free);
  if (!ok) return FALSE;
  if (config->boilerplate != NULL && !clean_boilerplate(doc, config->boilerplate, error))
    return FALSE;
  if (config->quotes != CLEAN_QUOTES_KEEP && !clean_quotes(doc, config->quotes, error))
    return FALSE;
  if (config->report_invalid) {
    /* The core made each invalid byte one U+FFFD mapped back to it; no pass removes U+FFFD,
     * so the count stays true of the text.  Reported once per document. */
    guint invalid = copydesk_document_n_invalid_sequences(doc);
    if (invalid > 0) {
      char count[16];
      g_snprintf(count, sizeof count, "%u", invalid);
      copydesk_document_set_field(doc, "invalid_utf8", count);
    }
  }
  return TRUE;
}

static const CopydeskPluginDescriptor descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "clean",
    .version = "1.1.0",
    .summary =
        "mojibake, HTML entities, control and zero-width characters, NFC, whitespace, line "
        "joining, wire boilerplate, quote marks",
    .description =
        "Rewrites the text in a few linear passes, each one edit that keeps the offset map, so "
        "every later span still points at the bytes of the input: mojibake repaired (UTF-8 "
        "read as Windows-1252, Latin-1, MacRoman and other code pages, also twice, and "
        "CESU-8; only implausible lines, each repair a small edit), HTML character references "
        "decoded, control and invisible characters removed, the non-ASCII text normalised "
        "(NFC by default), whitespace tidied (one space between words, LF line breaks, one "
        "blank line between paragraphs), the lines of hard-wrapped paragraphs joined, wire "
        "datelines, bylines and trailers moved into the document fields dateline, byline and "
        "trailer, and quote marks optionally made straight or curly.  Invalid UTF-8 in the "
        "input (each bad byte one U+FFFD) is counted in the field invalid_utf8.",
    .kind = COPYDESK_KIND_TRANSFORM,
    .options = clean_options,
    .requires = NULL,
    .provides = NULL,
    .create = clean_create,
    .process = clean_process,
    .destroy = clean_destroy,
};

COPYDESK_PLUGIN_DEFINE(descriptor)
