/* copydesk — the brat output plugin: brat standoff (.txt + .ann) for the annotation tool.
 *
 * For each document, the ORIGINAL text (what brat shows; an invalid UTF-8 byte or a control
 * character becomes one U+FFFD, so code point offsets stay right) and its .ann lines:
 *
 *   T1  PERSON 12 17       Rubio           entity mentions (type = label)
 *   T7  Quote 36 45        We’ll win       quotes; a span crossing a line break is cut
 *   T8  CueVerb 54 58      told            into fragments "0 5;6 10" (brat forbids newlines)
 *   T9  Pronoun 60 63      She             speakers that are no entity mention: Pronoun, Nominal
 *   A1  Kind T7 direct                     quote kind: direct, partial, indirect
 *   R1  Speaker Arg1:T7 Arg2:T3            the quote's speaker
 *   R2  Cue Arg1:T7 Arg2:T8                the quote's cue verb
 *   *   Equiv T1 T3                        mentions of one entity
 *   #1  AnnotatorNotes T1  E2 Marco Rubio  entity id and name; speaker name, confidence
 *
 * Offsets count code points of the original text, as brat does.  With the `dir` option the
 * plugin writes DIR/NAME.txt and DIR/NAME.ann per document (NAME: the id made file-name
 * safe), plus annotation.conf and visual.conf when absent, and prints one summary line per
 * document.  Without it, both files go to the output stream, each after a header line
 * "#copydesk-brat NAME.txt BYTES" giving the exact size of what follows, and each followed
 * by one newline that is not part of it.
 */
#include <copydesk/copydesk.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const CopydeskOptionSpec brat_options[] = {
    {.name = "dir",
     .type = COPYDESK_OPTION_PATH,
     .default_value = NULL,
     .help = "write NAME.txt and NAME.ann into this folder (created if needed) and one summary "
             "line per document to the output; unset: both files framed in the output stream"},
    {.name = NULL},
};

/* The annotation.conf matching what this plugin writes. */
static const char annotation_conf[] =
    "# brat annotation configuration for copydesk's brat output\n"
    "[entities]\n"
    "PERSON\n"
    "ORG\n"
    "LOC\n"
    "MISC\n"
    "Quote\n"
    "CueVerb\n"
    "Pronoun\n"
    "Nominal\n"
    "Source\n"
    "\n"
    "[relations]\n"
    "Speaker\tArg1:Quote, Arg2:PERSON|ORG|LOC|MISC|Pronoun|Nominal|Source\n"
    "Cue\tArg1:Quote, Arg2:CueVerb\n"
    "Equiv\tArg1:PERSON|ORG|LOC|MISC, Arg2:PERSON|ORG|LOC|MISC, <REL-TYPE>:symmetric-transitive\n"
    "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"
    "\n"
    "[events]\n"
    "\n"
    "[attributes]\n"
    "Kind\tArg:Quote, Value:direct|partial|indirect\n";

static const char visual_conf[] =
    "# brat visual configuration for copydesk's brat output\n"
    "[labels]\n"
    "PERSON | Person | PER\n"
    "ORG | Organisation | ORG\n"
    "LOC | Place | LOC\n"
    "MISC | Other | MISC\n"
    "Quote | Quote | Q\n"
    "CueVerb | Cue verb | Cue\n"
    "Pronoun | Pronoun | Pro\n"
    "Nominal | Nominal | Nom\n"
    "Source | Source | Src\n"
    "\n"
    "[drawing]\n"
    "PERSON\tbgColor:#9fc5f8\n"
    "ORG\tbgColor:#b6d7a8\n"
    "LOC\tbgColor:#ffe599\n"
    "MISC\tbgColor:#d5a6bd\n"
    "Quote\tbgColor:#fce5cd\n"
    "CueVerb\tbgColor:#eeeeee\n"
    "Pronoun\tbgColor:#cfe2f3\n"
    "Nominal\tbgColor:#cfe2f3\n"
    "Source\tbgColor:#cfe2f3\n"
    "Speaker\tcolor:#3d85c6, dashArray:-, arrowHead:triangle-5\n"
    "Cue\tcolor:#999999, dashArray:3-3, arrowHead:triangle-5\n";

typedef struct {
  char *dir; /* `dir`, or NULL */
} Brat;

/* ---- The original text, as brat will read it ------------------------------------ */

/* Length of the well-formed UTF-8 sequence at S (AVAIL bytes), 0 when not one; the same
 * strict rules as the core uses to count code points (an invalid byte counts as one). */
static gsize utf8_len(const guchar *s, gsize avail) {
  guchar c = s[0];
  if (c < 0x80) return 1;
  if (c < 0xC2 || c > 0xF4) return 0;
  if (c < 0xE0) return (avail >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
  if (c < 0xF0) {
    if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && s[1] < 0xA0) return 0;
    if (c == 0xED && s[1] >= 0xA0) return 0;
    return 3;
  }
  if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
    return 0;
  if (c == 0xF0 && s[1] < 0x90) return 0;
  if (c == 0xF4 && s[1] >= 0x90) return 0;
  return 4;
}

/* The original text as valid UTF-8 (each invalid byte, NUL and each control character other
 * than tab, LF and CR one U+FFFD: one code point for one, so offsets do not move), and for
 * each original byte offset its code point offset. */
typedef struct {
  GString *text;     /* what NAME.txt holds */
  GArray *cp_of;     /* gsize per original byte (+1 for the end): code point offset */
  GArray *byte_of;   /* gsize per code point (+1): offset into TEXT */
  gsize n_codepoints;
} BratText;

static void brat_text_init(BratText *bt, const char *original, gsize len) {
  const guchar *p = (const guchar *)original;
  bt->text = g_string_sized_new(len + 16);
  bt->cp_of = g_array_sized_new(FALSE, FALSE, sizeof(gsize), len + 1);
  bt->byte_of = g_array_sized_new(FALSE, FALSE, sizeof(gsize), len + 1);
  gsize cp = 0, i = 0;
  while (i < len) {
    gsize n = utf8_len(p + i, len - i);
    g_array_append_val(bt->byte_of, bt->text->len);
    for (gsize k = 0; k < (n ? n : 1); k++) g_array_append_val(bt->cp_of, cp);
    if (n == 0 || (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')) {
      g_string_append(bt->text, "\xef\xbf\xbd");
      n = 1;
    } else {
      g_string_append_len(bt->text, original + i, (gssize)n);
    }
    i += n;
    cp++;
  }
  g_array_append_val(bt->cp_of, cp);
  g_array_append_val(bt->byte_of, bt->text->len);
  bt->n_codepoints = cp;
}

static void brat_text_clear(BratText *bt) {
  g_string_free(bt->text, TRUE);
  g_array_free(bt->cp_of, TRUE);
  g_array_free(bt->byte_of, TRUE);
}

static gsize cp_at(const BratText *bt, gsize byte) {
  byte = MIN(byte, bt->cp_of->len - 1);
  return g_array_index(bt->cp_of, gsize, byte);
}

/* TRUE when code point CP of the brat text breaks a line (Python's str.splitlines set). */
static gboolean is_line_break(const BratText *bt, gsize cp) {
  const char *s = bt->text->str + g_array_index(bt->byte_of, gsize, cp);
  gunichar c = g_utf8_get_char(s);
  return c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0x1C || c == 0x1D ||
         c == 0x1E || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* ---- .ann lines ------------------------------------------------------------------- */

typedef struct {
  const CopydeskDocument *doc;
  const BratText *bt;
  GString *t_lines, *a_lines, *r_lines, *star_lines, *notes;
  guint next_t, next_a, next_r, next_note;
  GHashTable *t_of; /* CopydeskSpan * -> T number */
  guint n_mentions, n_quotes;
} Ann;

/* Appends a brat type name made of LABEL: letters, digits, '_' and '-' only. */
static void append_type(GString *out, const char *label, const char *fallback) {
  if (label == NULL || label[0] == '\0') label = fallback;
  for (const char *p = label; *p; p++)
    g_string_append_c(out, (g_ascii_isalnum(*p) || *p == '_' || *p == '-') ? *p : '_');
}

/* Appends a note text on one line (line breaks and tabs become spaces). */
static void append_one_line(GString *out, const char *s) {
  for (const char *p = s; *p; p++)
    g_string_append_c(out, (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p);
}

/* Writes a T-line for SPAN with TYPE; returns its number, or 0 when the span maps to no
 * characters of the original (brat cannot show an empty annotation). */
static guint add_t(Ann *a, const CopydeskSpan *span, const char *type, const char *fallback) {
  gpointer known = g_hash_table_lookup(a->t_of, span);
  if (known != NULL) return GPOINTER_TO_UINT(known);

  gsize bs = copydesk_document_original_start(a->doc, copydesk_span_start(span));
  gsize be = copydesk_document_original_end(a->doc, copydesk_span_end(span));
  gsize cs = cp_at(a->bt, bs), ce = cp_at(a->bt, MAX(be, bs));

  /* Fragments: the span cut at line breaks, empty pieces dropped. */
  GString *offsets = g_string_new(NULL), *text = g_string_new(NULL);
  gsize from = cs;
  for (gsize cp = cs; cp <= ce; cp++) {
    if (cp < ce && !is_line_break(a->bt, cp)) continue;
    if (cp > from) {
      if (offsets->len > 0) {
        g_string_append_c(offsets, ';');
        g_string_append_c(text, ' ');
      }
      g_string_append_printf(offsets, "%" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT, from, cp);
      gsize b0 = g_array_index(a->bt->byte_of, gsize, from);
      gsize b1 = g_array_index(a->bt->byte_of, gsize, cp);
      for (gsize b = b0; b < b1; b++) {
        char ch = a->bt->text->str[b];
        g_string_append_c(text, ch == '\t' ? ' ' : ch);
      }
    }
    from = cp + 1;
  }
  guint id = 0;
  if (offsets->len > 0) {
    id = ++a->next_t;
    g_string_append_printf(a->t_lines, "T%u\t", id);
    append_type(a->t_lines, type, fallback);
    g_string_append_printf(a->t_lines, " %s\t%s\n", offsets->str, text->str);
    g_hash_table_insert(a->t_of, (gpointer)span, GUINT_TO_POINTER(id));
  }
  g_string_free(offsets, TRUE);
  g_string_free(text, TRUE);
  return id;
}

static void add_note(Ann *a, guint t, const char *note) {
  g_string_append_printf(a->notes, "#%u\tAnnotatorNotes T%u\t", ++a->next_note, t);
  append_one_line(a->notes, note);
  g_string_append_c(a->notes, '\n');
}

typedef struct {
  gsize start, end, index;
  CopydeskSpan *span;
} Ref;

static int ref_cmp(const void *x, const void *y) {
  const Ref *a = x, *b = y;
  if (a->start != b->start) return a->start < b->start ? -1 : 1;
  if (a->end != b->end) return a->end > b->end ? -1 : 1;
  return a->index < b->index ? -1 : (a->index > b->index);
}

static Ref *sorted_refs(const CopydeskLayer *layer, gsize *n) {
  *n = layer != NULL ? copydesk_layer_n_spans(layer) : 0;
  if (*n == 0) return NULL;
  Ref *v = g_new(Ref, *n);
  for (gsize i = 0; i < *n; i++) {
    CopydeskSpan *s = copydesk_layer_span(layer, i);
    v[i] = (Ref){copydesk_span_start(s), copydesk_span_end(s), i, s};
  }
  qsort(v, *n, sizeof *v, ref_cmp);
  return v;
}

static void ann_entities(Ann *a) {
  gsize n;
  Ref *v = sorted_refs(copydesk_document_layer(a->doc, COPYDESK_LAYER_ENTITY), &n);
  /* Equiv groups: entity id -> GString of " Tn" */
  GHashTable *groups = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, NULL);
  GPtrArray *order = g_ptr_array_new();
  GPtrArray *lists = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
  for (gsize i = 0; i < n; i++) {
    guint t = add_t(a, v[i].span, copydesk_span_label(v[i].span), "Entity");
    if (t == 0) continue;
    a->n_mentions++;
    const char *id = copydesk_span_get_string(v[i].span, "entity");
    const char *name = copydesk_span_get_string(v[i].span, "name");
    if (id != NULL || name != NULL) {
      char *note = g_strdup_printf("%s%s%s", id ? id : "", id && name ? " " : "", name ? name : "");
      add_note(a, t, note);
      g_free(note);
    }
    if (id == NULL) continue;
    GArray *list = g_hash_table_lookup(groups, id);
    if (list == NULL) {
      list = g_array_new(FALSE, FALSE, sizeof(guint));
      g_hash_table_insert(groups, (gpointer)id, list);
      g_ptr_array_add(order, list);
      g_ptr_array_add(lists, list);
    }
    g_array_append_val(list, t);
  }
  for (guint i = 0; i < order->len; i++) {
    GArray *list = order->pdata[i];
    if (list->len < 2) continue;
    g_string_append(a->star_lines, "*\tEquiv");
    for (guint k = 0; k < list->len; k++)
      g_string_append_printf(a->star_lines, " T%u", g_array_index(list, guint, k));
    g_string_append_c(a->star_lines, '\n');
  }
  g_ptr_array_unref(lists);
  g_ptr_array_unref(order);
  g_hash_table_destroy(groups);
  g_free(v);
}

/* The brat type of a speaker span that is no entity mention: Pronoun, Nominal or Source. */
static const char *speaker_type(const CopydeskSpan *sp) {
  const char *label = copydesk_span_label(sp);
  if (g_strcmp0(label, "pronoun") == 0) return "Pronoun";
  if (g_strcmp0(label, "nominal") == 0) return "Nominal";
  return "Source";
}

static void ann_quotes(Ann *a) {
  gsize n;
  Ref *v = sorted_refs(copydesk_document_layer(a->doc, COPYDESK_LAYER_QUOTE), &n);
  for (gsize i = 0; i < n; i++) {
    const CopydeskSpan *q = v[i].span;
    guint tq = add_t(a, q, "Quote", "Quote");
    if (tq == 0) continue;
    a->n_quotes++;
    const char *kind = copydesk_span_label(q);
    if (kind != NULL && kind[0] != '\0') {
      g_string_append_printf(a->a_lines, "A%u\tKind T%u ", ++a->next_a, tq);
      append_type(a->a_lines, kind, "direct");
      g_string_append_c(a->a_lines, '\n');
    }
    const CopydeskSpan *sp = copydesk_span_get_link(q, "speaker");
    if (sp != NULL) {
      const char *layer = copydesk_layer_name(copydesk_span_layer(sp));
      gboolean mention = strcmp(layer, COPYDESK_LAYER_ENTITY) == 0;
      guint ts = add_t(a, sp, mention ? copydesk_span_label(sp) : speaker_type(sp),
                       mention ? "Entity" : "Source");
      if (ts != 0)
        g_string_append_printf(a->r_lines, "R%u\tSpeaker Arg1:T%u Arg2:T%u\n", ++a->next_r, tq,
                               ts);
    }
    const CopydeskSpan *cue = copydesk_span_get_link(q, "cue");
    if (cue != NULL) {
      guint tc = add_t(a, cue, "CueVerb", "CueVerb");
      if (tc != 0)
        g_string_append_printf(a->r_lines, "R%u\tCue Arg1:T%u Arg2:T%u\n", ++a->next_r, tq, tc);
    }
    /* What a relation cannot say: the speaker's name, the stage's confidence and reason. */
    GString *note = g_string_new(NULL);
    const char *name = copydesk_span_get_string(q, "speaker_name");
    if (name != NULL) g_string_append_printf(note, "speaker: %s", name);
    CopydeskAttrType ct = copydesk_span_attr_type(q, "confidence");
    if (ct == COPYDESK_ATTR_DOUBLE || ct == COPYDESK_ATTR_INT)
      g_string_append_printf(note, "%sconfidence: %.2f", note->len ? "; " : "",
                             copydesk_span_get_double(q, "confidence", 0.0));
    const char *reason = copydesk_span_get_string(q, "reason");
    if (reason != NULL) g_string_append_printf(note, "%sreason: %s", note->len ? "; " : "", reason);
    if (note->len > 0) add_note(a, tq, note->str);
    g_string_free(note, TRUE);
  }
  g_free(v);
}

/* The .ann text of DOC over BT into OUT. */
static void build_ann(const CopydeskDocument *doc, const BratText *bt, GString *out,
                      guint *n_mentions, guint *n_quotes) {
  Ann a = {.doc = doc, .bt = bt};
  a.t_lines = g_string_new(NULL);
  a.a_lines = g_string_new(NULL);
  a.r_lines = g_string_new(NULL);
  a.star_lines = g_string_new(NULL);
  a.notes = g_string_new(NULL);
  a.t_of = g_hash_table_new(g_direct_hash, g_direct_equal);
  ann_entities(&a);
  ann_quotes(&a);
  g_string_append_len(out, a.t_lines->str, (gssize)a.t_lines->len);
  g_string_append_len(out, a.a_lines->str, (gssize)a.a_lines->len);
  g_string_append_len(out, a.r_lines->str, (gssize)a.r_lines->len);
  g_string_append_len(out, a.star_lines->str, (gssize)a.star_lines->len);
  g_string_append_len(out, a.notes->str, (gssize)a.notes->len);
  *n_mentions = a.n_mentions;
  *n_quotes = a.n_quotes;
  g_string_free(a.t_lines, TRUE);
  g_string_free(a.a_lines, TRUE);
  g_string_free(a.r_lines, TRUE);
  g_string_free(a.star_lines, TRUE);
  g_string_free(a.notes, TRUE);
  g_hash_table_destroy(a.t_of);
}

/* ---- File names ------------------------------------------------------------------------ */

#define MAX_NAME 120

/* ID made a safe file name: ASCII letters, digits, '.', '_', '-' kept, anything else '_';
 * no leading '.'.  When that changed the id (or it was empty or too long), a short hash of
 * the id is appended so two ids never meet in one name. */
static char *safe_name(const char *id) {
  GString *s = g_string_new(NULL);
  gboolean changed = FALSE;
  for (const char *p = id; *p && s->len < MAX_NAME; p++) {
    char c = *p;
    if (g_ascii_isalnum(c) || c == '_' || c == '-' || (c == '.' && s->len > 0)) {
      g_string_append_c(s, c);
    } else {
      g_string_append_c(s, '_');
      changed = TRUE;
    }
  }
  if (strlen(id) > s->len) changed = TRUE;
  if (s->len == 0) {
    g_string_append(s, "doc");
    changed = TRUE;
  }
  if (changed) {
    char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA1, id, -1);
    g_string_append_printf(s, "-%.8s", hash);
    g_free(hash);
  }
  return g_string_free(s, FALSE);
}

/* ---- The plugin ---------------------------------------------------------------------- */

static gboolean brat_format(void *self, const CopydeskDocument *doc, GString *out,
                            GError **error) {
  Brat *b = self;
  gsize len;
  const char *original = copydesk_document_original(doc, &len);
  BratText bt;
  brat_text_init(&bt, original, len);
  GString *ann = g_string_new(NULL);
  guint n_mentions, n_quotes;
  build_ann(doc, &bt, ann, &n_mentions, &n_quotes);
  /* The name depends on the id alone, so output is the same for any number of workers and
   * memory does not grow with the stream; a repeated id writes over the earlier files. */
  char *name = safe_name(copydesk_document_id(doc));
  gboolean ok = TRUE;

  if (b->dir == NULL) {
    g_string_append_printf(out, "#copydesk-brat %s.txt %" G_GSIZE_FORMAT "\n", name,
                           bt.text->len);
    g_string_append_len(out, bt.text->str, (gssize)bt.text->len);
    g_string_append_c(out, '\n');
    g_string_append_printf(out, "#copydesk-brat %s.ann %" G_GSIZE_FORMAT "\n", name, ann->len);
    g_string_append_len(out, ann->str, (gssize)ann->len);
    g_string_append_c(out, '\n');
  } else {
    char *txt_name = g_strconcat(name, ".txt", NULL), *ann_name = g_strconcat(name, ".ann", NULL);
    char *txt_path = g_build_filename(b->dir, txt_name, NULL);
    char *ann_path = g_build_filename(b->dir, ann_name, NULL);
    ok = g_file_set_contents(txt_path, bt.text->str, (gssize)bt.text->len, error) &&
         g_file_set_contents(ann_path, ann->str, (gssize)ann->len, error);
    if (ok)
      g_string_append_printf(out, "%s\t%s\t%u mentions\t%u quotes\n", txt_path, ann_path,
                             n_mentions, n_quotes);
    g_free(txt_name);
    g_free(ann_name);
    g_free(txt_path);
    g_free(ann_path);
  }
  g_free(name);
  g_string_free(ann, TRUE);
  brat_text_clear(&bt);
  return ok;
}

/* Writes CONTENT to DIR/NAME unless a file is there already (the user's own settings win). */
static gboolean write_conf(const char *dir, const char *name, const char *content,
                           GError **error) {
  char *path = g_build_filename(dir, name, NULL);
  gboolean ok = TRUE;
  if (!g_file_test(path, G_FILE_TEST_EXISTS)) ok = g_file_set_contents(path, content, -1, error);
  g_free(path);
  return ok;
}

static void brat_destroy(void *self) {
  Brat *b = self;
  if (b == NULL) return;
  g_free(b->dir);
  g_free(b);
}

static void *brat_create(const CopydeskOptions *options, GError **error) {
  Brat *b = g_new0(Brat, 1);
  const char *dir = options != NULL ? copydesk_options_get_string(options, "dir") : NULL;
  if (dir != NULL && dir[0] != '\0') {
    b->dir = g_strdup(dir);
    if (g_mkdir_with_parents(dir, 0777) != 0) {
      int e = errno;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                  "option dir: cannot create %s: %s", dir, g_strerror(e));
      brat_destroy(b);
      return NULL;
    }
    if (!write_conf(dir, "annotation.conf", annotation_conf, error) ||
        !write_conf(dir, "visual.conf", visual_conf, error)) {
      brat_destroy(b);
      return NULL;
    }
  }
  return b;
}

static const CopydeskPluginDescriptor brat_descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "brat",
    .version = "1.0.0",
    .summary = "brat standoff: the original text and .ann lines for entities, quotes, speakers",
    .description =
        "Writes each document as brat standoff: the original text (.txt) and its "
        "annotations (.ann): T-lines for entity mentions (PERSON, ORG, LOC, MISC), quotes "
        "(Quote), cue verbs (CueVerb) and pronoun or nominal speakers (Pronoun, Nominal), in "
        "code points "
        "of the original text, cut into fragments at line breaks; an A-line with each "
        "quote's Kind; R-lines linking each quote to its Speaker and Cue; Equiv lines for "
        "mentions of one entity; AnnotatorNotes with entity ids and names.  With `dir`, "
        "NAME.txt and NAME.ann go into that folder (with annotation.conf and visual.conf) "
        "and the output gets one line per document; otherwise both are framed in the "
        "output by '#copydesk-brat NAME.txt BYTES' lines.  See docs/output-formats.md.",
    .kind = COPYDESK_KIND_OUTPUT,
    .options = brat_options,
    .create = brat_create,
    .format = brat_format,
    .destroy = brat_destroy,
};

COPYDESK_PLUGIN_DEFINE(brat_descriptor)
