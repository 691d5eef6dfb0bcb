/* copydesk — the text output plugin: a human summary of each article for a terminal.
 *
 * For each document: a header line with the id (and the headline when the sentences stage
 * marked one), the people, organisations and places it mentions with their mention
 * counts, then each quote as `SPEAKER (cue): “…”`, wrapped to the terminal width.
 * Colour (ANSI SGR) only when asked for or when stdout is a terminal.  Every control
 * character of the input is shown as a visible symbol, so an article cannot send escape
 * sequences to the terminal.
 */
#include <copydesk/copydesk.h>

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "summary.h"

#define DEFAULT_WIDTH 80
#define MIN_WIDTH 20
#define LABEL_COLUMN 16 /* "Organisations:  " */

static const char *const color_choices[] = {"auto", "always", "never", NULL};

static const CopydeskOptionSpec text_options[] = {
    {.name = "color",
     .type = COPYDESK_OPTION_ENUM,
     .default_value = "auto",
     .choices = color_choices,
     .help = "colour: auto (only when stdout is a terminal and NO_COLOR is unset), always, never"},
    {.name = "width",
     .type = COPYDESK_OPTION_INT,
     .default_value = "0",
     .min = 0,
     .max = 10000,
     .help = "wrap to this many columns; 0: $COLUMNS, else the terminal's width, else 80"},
    {.name = NULL},
};

typedef struct {
  gboolean color;
  guint width;
} Text;

/* ---- Styles ------------------------------------------------------------------ */

enum {
  ST_PLAIN = 0,
  ST_HEADER,
  ST_HEADLINE,
  ST_LABEL,
  ST_PERSON,
  ST_ORG,
  ST_LOC,
  ST_OTHER,
  ST_COUNT,
  ST_SPEAKER,
  ST_CUE,
  ST_NOTE,
  ST_ERROR,
};

static const char *const sgr[] = {
    [ST_PLAIN] = "",      [ST_HEADER] = "1;4", [ST_HEADLINE] = "1", [ST_LABEL] = "1",
    [ST_PERSON] = "36",   [ST_ORG] = "32",     [ST_LOC] = "33",     [ST_OTHER] = "35",
    [ST_COUNT] = "2",     [ST_SPEAKER] = "1",  [ST_CUE] = "2",      [ST_NOTE] = "2;3",
    [ST_ERROR] = "31",
};

/* ---- A paragraph of styled text, wrapped on output ------------------------------ */

/* Stands for a space that does not break a line (the input never holds it: para_add()
 * turns control characters into symbols). */
#define NOBREAK '\x01'

typedef struct {
  GString *text;     /* sanitised UTF-8: whitespace is ' ', no control characters */
  GByteArray *style; /* one style per byte of TEXT */
} Para;

static void para_init(Para *p) {
  p->text = g_string_new(NULL);
  p->style = g_byte_array_new();
}

static void para_reset(Para *p) {
  g_string_truncate(p->text, 0);
  g_byte_array_set_size(p->style, 0);
}

static void para_clear(Para *p) {
  g_string_free(p->text, TRUE);
  g_byte_array_unref(p->style);
}

/* Appends the UTF-8 string S (LEN -1: NUL-terminated) in STYLE.  Line breaks and tabs
 * become spaces; other control characters become visible symbols (U+2400…), C1 controls
 * and bidirectional overrides U+FFFD, so nothing in an article reaches the terminal as a
 * control sequence. */
static void para_add(Para *p, const char *s, gssize len, guint8 style) {
  if (s == NULL) return;
  const char *end = len < 0 ? s + strlen(s) : s + len;
  const char *q = s;
  while (q < end) {
    gunichar c = g_utf8_get_char_validated(q, end - q);
    const char *next;
    if (c == (gunichar)-1 || c == (gunichar)-2) {
      c = 0xFFFD;
      next = q + 1;
    } else {
      next = g_utf8_next_char(q);
    }
    char buf[8];
    gsize n;
    if (c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == 0x85 ||
        c == 0x2028 || c == 0x2029) {
      buf[0] = ' ';
      n = 1;
    } else if (c < 0x20) {
      n = g_unichar_to_utf8(0x2400 + c, buf);
    } else if (c == 0x7F) {
      n = g_unichar_to_utf8(0x2421, buf);
    } else if ((c >= 0x80 && c < 0xA0) || (c >= 0x202A && c <= 0x202E) ||
               (c >= 0x2066 && c <= 0x2069)) {
      n = g_unichar_to_utf8(0xFFFD, buf);
    } else {
      n = (gsize)(next - q);
      memcpy(buf, q, n);
    }
    g_string_append_len(p->text, buf, (gssize)n);
    for (gsize i = 0; i < n; i++) g_byte_array_append(p->style, &style, 1);
    q = next;
  }
}

/* Like para_add(), but the text is kept on one line when it fits (its spaces do not break). */
static void para_add_nobreak(Para *p, const char *s, gssize len, guint8 style) {
  gsize from = p->text->len;
  para_add(p, s, len, style);
  for (gsize i = from; i < p->text->len; i++)
    if (p->text->str[i] == ' ') p->text->str[i] = NOBREAK;
}

/* Columns the character C takes on a terminal. */
static guint char_width(gunichar c) {
  if (g_unichar_iszerowidth(c)) return 0;
  return g_unichar_iswide(c) ? 2 : 1;
}

typedef struct {
  GString *out;
  gboolean color;
  guint width;
  guint col;
  guint8 cur; /* the style in force on the terminal */
} Writer;

static void w_style(Writer *w, guint8 style) {
  if (!w->color || style == w->cur) return;
  if (w->cur != ST_PLAIN) g_string_append(w->out, "\033[0m");
  if (style != ST_PLAIN) g_string_append_printf(w->out, "\033[%sm", sgr[style]);
  w->cur = style;
}

static void w_newline(Writer *w, guint indent) {
  w_style(w, ST_PLAIN);
  g_string_append_c(w->out, '\n');
  for (guint i = 0; i < indent; i++) g_string_append_c(w->out, ' ');
  w->col = indent;
}

/* Writes P word by word: the first line starts at column FIRST (already written), every
 * further line is indented by INDENT.  A word longer than a whole line is broken. */
static void para_write(Writer *w, const Para *p, guint first, guint indent) {
  char *s = p->text->str;
  gsize len = p->text->len, i = 0;
  w->col = first;
  gboolean line_empty = TRUE;
  while (i < len) {
    while (i < len && s[i] == ' ') i++;
    if (i >= len) break;
    gsize j = i;
    guint ww = 0;
    while (j < len && s[j] != ' ') {
      ww += char_width(g_utf8_get_char(s + j));
      j = (gsize)(g_utf8_next_char(s + j) - s);
    }
    if (ww > (w->width > indent ? w->width - indent : 0)) {
      /* Too wide for any line: let its non-breaking spaces break after all. */
      gboolean glued = FALSE;
      for (gsize k = i; k < j; k++)
        if (s[k] == NOBREAK) s[k] = ' ', glued = TRUE;
      if (glued) continue;
    }
    guint need = ww + (line_empty ? 0 : 1);
    if (!line_empty && w->col + need > w->width) {
      w_newline(w, indent);
      line_empty = TRUE;
    } else if (!line_empty) {
      w_style(w, p->style->data[i - 1] == p->style->data[i] ? p->style->data[i] : ST_PLAIN);
      g_string_append_c(w->out, ' ');
      w->col++;
    }
    for (gsize k = i; k < j;) {
      gsize next = (gsize)(g_utf8_next_char(s + k) - s);
      guint cw = char_width(g_utf8_get_char(s + k));
      if (w->col + cw > w->width && w->col > indent) w_newline(w, indent);
      w_style(w, p->style->data[k]);
      if (s[k] == NOBREAK)
        g_string_append_c(w->out, ' ');
      else
        g_string_append_len(w->out, s + k, (gssize)(next - k));
      w->col += cw;
      k = next;
    }
    line_empty = FALSE;
    i = j;
  }
  w_style(w, ST_PLAIN);
  g_string_append_c(w->out, '\n');
  w->col = 0;
}

/* Writes LABEL padded to the label column, then P wrapped under it. */
static void write_labelled(Writer *w, Para *p, const char *label, guint8 label_style) {
  w_style(w, label_style);
  g_string_append(w->out, label);
  w_style(w, ST_PLAIN);
  guint n = (guint)g_utf8_strlen(label, -1);
  guint column = MIN(LABEL_COLUMN, w->width / 2);
  if (n + 1 > column) column = n + 1;
  for (; n < column; n++) g_string_append_c(w->out, ' ');
  para_write(w, p, column, column);
}

/* ---- The summary ------------------------------------------------------------------ */

typedef struct {
  const char *heading;
  guint8 style;
} Category;

static const Category categories[] = {
    {"People:", ST_PERSON},
    {"Organisations:", ST_ORG},
    {"Places:", ST_LOC},
    {"Other:", ST_OTHER},
};

static guint category_of(const char *label) {
  if (label == NULL) return 3;
  if (strcmp(label, "PERSON") == 0 || strcmp(label, "PER") == 0) return 0;
  if (strcmp(label, "ORG") == 0) return 1;
  if (strcmp(label, "LOC") == 0 || strcmp(label, "GPE") == 0) return 2;
  return 3;
}

static void write_header(Writer *w, const CopydeskDocument *doc, Para *p) {
  para_reset(p);
  para_add(p, "== ", -1, ST_HEADER);
  para_add(p, copydesk_document_id(doc), -1, ST_HEADER);
  para_add(p, " ==", -1, ST_HEADER);
  para_write(w, p, 0, 3);

  const CopydeskLayer *sentences = copydesk_document_layer(doc, COPYDESK_LAYER_SENTENCE);
  for (gsize i = 0; sentences != NULL && i < copydesk_layer_n_spans(sentences); i++) {
    const CopydeskSpan *s = copydesk_layer_span(sentences, i);
    const char *label = copydesk_span_label(s);
    if (label == NULL || strcmp(label, "headline") != 0) continue;
    char *headline = span_text_collapsed(s);
    para_reset(p);
    para_add(p, headline, -1, ST_HEADLINE);
    para_write(w, p, 0, 0);
    g_free(headline);
    break;
  }
}

static void write_entities(Writer *w, const CopydeskLayer *layer, const EntityGroups *groups,
                           Para *p) {
  if (layer == NULL) {
    para_reset(p);
    para_add(p, "not annotated (no entities stage in the pipeline)", -1, ST_NOTE);
    write_labelled(w, p, "Entities:", ST_LABEL);
    return;
  }
  GPtrArray *sorted = entity_groups_by_count(groups);
  gboolean any = FALSE;
  for (guint c = 0; c < G_N_ELEMENTS(categories); c++) {
    para_reset(p);
    guint n = 0;
    for (guint i = 0; i < sorted->len; i++) {
      const EntityGroup *g = sorted->pdata[i];
      if (category_of(g->label) != c) continue;
      if (n++ > 0) para_add(p, ", ", -1, ST_PLAIN);
      para_add_nobreak(p, g->name, -1, categories[c].style);
      char *count = g_strdup_printf(" (%" G_GSIZE_FORMAT ")", g->count);
      para_add_nobreak(p, count, -1, ST_COUNT);
      g_free(count);
    }
    if (n == 0) continue;
    any = TRUE;
    write_labelled(w, p, categories[c].heading, ST_LABEL);
  }
  g_ptr_array_unref(sorted);
  if (!any) {
    para_reset(p);
    para_add(p, "none found", -1, ST_NOTE);
    write_labelled(w, p, "Entities:", ST_LABEL);
  }
}

/* The style of the speaker's name: the colour of their entity type, bold. */
static guint8 speaker_style(const CopydeskSpan *quote) {
  const CopydeskSpan *sp = copydesk_span_get_link(quote, "speaker");
  if (sp == NULL) return ST_SPEAKER;
  const char *layer = copydesk_layer_name(copydesk_span_layer(sp));
  if (strcmp(layer, COPYDESK_LAYER_ENTITY) != 0) return ST_SPEAKER;
  return categories[category_of(copydesk_span_label(sp))].style;
}

static void write_quotes(Writer *w, const CopydeskLayer *layer, const EntityGroups *groups,
                         Para *p) {
  if (layer == NULL) {
    para_reset(p);
    para_add(p, "not annotated (no quotes stage in the pipeline)", -1, ST_NOTE);
    write_labelled(w, p, "Quotes:", ST_LABEL);
    return;
  }
  SpanArray quotes;
  span_array_init(&quotes, layer);
  if (quotes.n == 0) {
    para_reset(p);
    para_add(p, "none found", -1, ST_NOTE);
    write_labelled(w, p, "Quotes:", ST_LABEL);
    span_array_clear(&quotes);
    return;
  }
  w_style(w, ST_LABEL);
  g_string_append(w->out, "Quotes:");
  w_style(w, ST_PLAIN);
  g_string_append_c(w->out, '\n');
  for (gsize i = 0; i < quotes.n; i++) {
    const CopydeskSpan *q = quotes.v[i];
    para_reset(p);
    char *speaker = quote_speaker_name(q, groups);
    if (speaker != NULL)
      para_add_nobreak(p, speaker, -1, speaker_style(q));
    else
      para_add(p, "Unattributed", -1, ST_NOTE);
    g_free(speaker);

    const CopydeskSpan *cue = copydesk_span_get_link(q, "cue");
    const char *kind = copydesk_span_label(q);
    gboolean show_kind = kind != NULL && strcmp(kind, "direct") != 0;
    if (cue != NULL || show_kind) {
      para_add(p, " (", -1, ST_CUE);
      if (cue != NULL) {
        char *cue_text = span_text_collapsed(cue);
        para_add(p, cue_text, -1, ST_CUE);
        g_free(cue_text);
      }
      if (show_kind) {
        if (cue != NULL) para_add(p, ", ", -1, ST_CUE);
        para_add(p, kind, -1, ST_CUE);
      }
      para_add(p, ")", -1, ST_CUE);
    }
    para_add(p, ": ", -1, ST_PLAIN);
    gboolean marks = kind == NULL || strcmp(kind, "indirect") != 0;
    char *text = span_text_collapsed(q);
    if (marks) para_add(p, "\xe2\x80\x9c", -1, ST_PLAIN); /* “ */
    para_add(p, text, -1, ST_PLAIN);
    if (marks) para_add(p, "\xe2\x80\x9d", -1, ST_PLAIN); /* ” */
    g_free(text);
    g_string_append(w->out, "  ");
    para_write(w, p, 2, 4);
  }
  span_array_clear(&quotes);
}

static void write_errors(Writer *w, const CopydeskDocument *doc, Para *p) {
  guint n = copydesk_document_n_errors(doc);
  for (guint i = 0; i < n; i++) {
    para_reset(p);
    para_add(p, copydesk_document_error_stage(doc, i), -1, ST_ERROR);
    para_add(p, ": ", -1, ST_ERROR);
    para_add(p, copydesk_document_error_message(doc, i), -1, ST_ERROR);
    write_labelled(w, p, "Error:", ST_ERROR);
  }
}

static gboolean text_format(void *self, const CopydeskDocument *doc, GString *out,
                            GError **error) {
  const Text *t = self;
  Writer w = {.out = out, .color = t->color, .width = t->width};
  Para p;
  para_init(&p);

  write_header(&w, doc, &p);

  const CopydeskLayer *entity_layer = copydesk_document_layer(doc, COPYDESK_LAYER_ENTITY);
  const CopydeskLayer *quote_layer = copydesk_document_layer(doc, COPYDESK_LAYER_QUOTE);
  SpanArray mentions;
  span_array_init(&mentions, entity_layer);
  EntityGroups groups;
  entity_groups_init(&groups, &mentions);

  write_entities(&w, entity_layer, &groups, &p);
  write_quotes(&w, quote_layer, &groups, &p);
  write_errors(&w, doc, &p);

  entity_groups_clear(&groups);
  span_array_clear(&mentions);
  para_clear(&p);
  return TRUE;
}

/* ---- The instance -------------------------------------------------------------------- */

/* The width to wrap to when the `width` option is 0: $COLUMNS, else the terminal's. */
static guint terminal_width(void) {
  const char *columns = g_getenv("COLUMNS");
  if (columns != NULL && columns[0] != '\0') {
    char *end;
    guint64 v = g_ascii_strtoull(columns, &end, 10);
    if (*end == '\0' && v > 0 && v <= 10000) return (guint)v;
  }
  struct winsize ws;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return DEFAULT_WIDTH;
}

static gboolean color_wanted(const char *mode) {
  if (mode != NULL && strcmp(mode, "always") == 0) return TRUE;
  if (mode != NULL && strcmp(mode, "never") == 0) return FALSE;
  const char *no_color = g_getenv("NO_COLOR");
  if (no_color != NULL && no_color[0] != '\0') return FALSE;
  const char *term = g_getenv("TERM");
  if (term != NULL && strcmp(term, "dumb") == 0) return FALSE;
  return isatty(STDOUT_FILENO);
}

static void *text_create(const CopydeskOptions *options, GError **error) {
  Text *t = g_new0(Text, 1);
  gint64 width = options != NULL ? copydesk_options_get_int(options, "width") : 0;
  t->width = width > 0 ? (guint)width : terminal_width();
  if (t->width < MIN_WIDTH) t->width = MIN_WIDTH;
  t->color = color_wanted(options != NULL ? copydesk_options_get_string(options, "color") : NULL);
  return t;
}

static void text_destroy(void *self) { g_free(self); }

static const CopydeskPluginDescriptor text_descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "text",
    .version = "1.0.0",
    .summary = "a readable summary for a terminal: people, organisations, places, quotes",
    .description =
        "Writes, for each document, a header line with its id, the people, organisations "
        "and places it mentions (grouped by entity, with mention counts), then each quote "
        "as SPEAKER (cue): \xe2\x80\x9c\xe2\x80\xa6\xe2\x80\x9d, wrapped to the terminal "
        "width.  Documents are separated by a blank line.  Layers no stage made are named "
        "as missing.  Colour only on a terminal unless `color` says otherwise; control "
        "characters in the input are shown as symbols.  See docs/output-formats.md.",
    .kind = COPYDESK_KIND_OUTPUT,
    .options = text_options,
    .create = text_create,
    .format = text_format,
    .separator = "\n",
    .destroy = text_destroy,
};

COPYDESK_PLUGIN_DEFINE(text_descriptor)
