/* copydesk — the html output plugin: one self-contained page for the whole run.
 *
 * The header writes the page head (inline CSS, a Content-Security-Policy that allows no
 * network and no scripts), a title and a legend; each document becomes an <article> with
 * its id, its text with entity mentions as <mark class="ent TYPE"> and quotes as
 * <q class="quote KIND" data-speaker="…"> followed by a speaker badge, and a short list of
 * who and what it mentions; the footer closes the page.
 *
 * The text shown is the CURRENT text (after the transform stages), since every span is
 * over it.  Paragraphs are the blocks between blank lines.  Spans are written as properly
 * nested elements: where two spans cross (an entity running over a quote's end, a quote
 * running over a paragraph break) the inner one is closed and opened again.  Every
 * character of the input is escaped (& < > " '), control characters become U+FFFD, so no
 * markup in an article can reach the page as markup.
 */
#include <copydesk/copydesk.h>

#include <stdlib.h>
#include <string.h>

#include "../text/summary.h"

static const CopydeskOptionSpec html_options[] = {
    {.name = "title",
     .type = COPYDESK_OPTION_STRING,
     .default_value = "copydesk",
     .help = "the page title"},
    {.name = NULL},
};

typedef struct {
  char *title;
} Html;

/* ---- Escaping ---------------------------------------------------------------------- */

/* Appends the LEN bytes at S (LEN -1: NUL-terminated) escaped for HTML text and attribute
 * values.  Invalid UTF-8, NUL and control characters other than tab and line breaks
 * become U+FFFD.  With BREAKS, a line break becomes <br>. */
static void append_escaped(GString *out, const char *s, gssize len, gboolean breaks) {
  if (s == NULL) return;
  const char *end = len < 0 ? s + strlen(s) : s + len;
  const char *p = s;
  while (p < end) {
    guchar c = (guchar)*p;
    if (c < 0x80) {
      switch (c) {
      case '&': g_string_append(out, "&amp;"); break;
      case '<': g_string_append(out, "&lt;"); break;
      case '>': g_string_append(out, "&gt;"); break;
      case '"': g_string_append(out, "&quot;"); break;
      case '\'': g_string_append(out, "&#39;"); break;
      case '\t': g_string_append_c(out, '\t'); break;
      case '\r':
        if (p + 1 < end && p[1] == '\n') break; /* the \n writes the break */
        /* fall through */
      case '\n':
        if (breaks)
          g_string_append(out, "<br>\n");
        else
          g_string_append_c(out, ' ');
        break;
      default:
        if (c < 0x20 || c == 0x7F)
          g_string_append(out, "\xef\xbf\xbd");
        else
          g_string_append_c(out, (char)c);
      }
      p++;
      continue;
    }
    gunichar u = g_utf8_get_char_validated(p, end - p);
    if (u == (gunichar)-1 || u == (gunichar)-2) {
      g_string_append(out, "\xef\xbf\xbd");
      p++;
      continue;
    }
    const char *next = g_utf8_next_char(p);
    if ((u >= 0x80 && u < 0xA0) || (u >= 0xFDD0 && u <= 0xFDEF) || (u & 0xFFFE) == 0xFFFE)
      g_string_append(out, "\xef\xbf\xbd"); /* C1 controls and noncharacters */
    else if (u == 0x2028 || u == 0x2029)
      g_string_append(out, breaks ? "<br>\n" : " ");
    else
      g_string_append_len(out, p, next - p);
    p = next;
  }
}

/* ---- The page frame --------------------------------------------------------------------- */

/* Colours: text #1b1b1b on every highlight (contrast 12:1 or more); each entity type also has
 * its own underline style, so the types differ without colour too. */
static const char page_css[] =
    ":root{color-scheme:light;--fg:#1b1b1b;--muted:#4a4a4a;--bg:#fff;--rule:#d4d4d4;"
    "--per:#dbe8ff;--per-line:#1d4ed8;--org:#dcf5e3;--org-line:#15803d;"
    "--loc:#fff1c4;--loc-line:#92400e;--misc:#f1e4ff;--misc-line:#7e22ce;"
    "--quote:#fdf0e4;--quote-line:#c2410c;--badge:#7c2d12;--badge-bg:#ffedd5}\n"
    "*,*::before,*::after{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:1.0625rem/1.65 Georgia,\"Times New Roman\",serif;overflow-wrap:anywhere}\n"
    ".page{max-width:46rem;margin:0 auto;padding:1rem 1.25rem 2rem}\n"
    ".top{border-bottom:2px solid var(--fg);padding-bottom:.5rem}\n"
    ".top h1{font:700 1.35rem/1.3 system-ui,-apple-system,\"Segoe UI\",sans-serif;margin:.25rem 0 .5rem}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:.4rem .9rem;list-style:none;margin:0;padding:0;"
    "font:.875rem/1.6 system-ui,-apple-system,\"Segoe UI\",sans-serif}\n"
    ".legend li{white-space:nowrap}\n"
    ".doc{border-bottom:1px solid var(--rule);padding:1.25rem 0 1rem}\n"
    ".doc h2{font:600 .95rem/1.3 system-ui,-apple-system,\"Segoe UI\",sans-serif;color:var(--muted);"
    "margin:0 0 .75rem;letter-spacing:.01em}\n"
    ".doc .text p{margin:0 0 .9em}\n"
    "mark.ent{color:var(--fg);background:var(--misc);border-bottom:2px dashed var(--misc-line);"
    "padding:0 .08em;border-radius:2px;-webkit-box-decoration-break:clone;box-decoration-break:clone}\n"
    "mark.PERSON{background:var(--per);border-bottom:2px solid var(--per-line)}\n"
    "mark.ORG{background:var(--org);border-bottom:3px double var(--org-line)}\n"
    "mark.LOC{background:var(--loc);border-bottom:2px dotted var(--loc-line)}\n"
    "q.quote{quotes:none;font-style:italic;background:var(--quote);"
    "box-shadow:inset 0 -1px 0 var(--quote-line);-webkit-box-decoration-break:clone;"
    "box-decoration-break:clone}\n"
    "q.quote::before,q.quote::after{content:none}\n"
    "q.quote.indirect{font-style:normal;background:none;box-shadow:none;"
    "text-decoration:underline dashed var(--quote-line);text-underline-offset:.2em}\n"
    ".speaker{display:inline-block;font:600 .75rem/1.35 system-ui,-apple-system,\"Segoe UI\",sans-serif;"
    "font-style:normal;color:var(--badge);background:var(--badge-bg);border:1px solid var(--quote-line);"
    "border-radius:.7rem;padding:0 .45rem;margin:0 .2rem;vertical-align:.08em;white-space:normal;"
    "max-width:100%}\n"
    ".speaker.none{color:var(--muted);background:#f2f2f2;border-color:#8a8a8a}\n"
    ".summary{font:.875rem/1.55 system-ui,-apple-system,\"Segoe UI\",sans-serif;color:var(--muted);"
    "margin:.25rem 0 0;padding:0;list-style:none}\n"
    ".summary li{margin:.15rem 0}\n"
    ".summary b{color:var(--fg);font-weight:600}\n"
    ".note{font:italic .875rem/1.5 system-ui,-apple-system,\"Segoe UI\",sans-serif;color:var(--muted)}\n"
    ".errors{font:.875rem/1.5 system-ui,-apple-system,\"Segoe UI\",sans-serif;color:#9f1239;"
    "border-left:3px solid #9f1239;padding-left:.5rem}\n"
    "main:empty::before{content:\"No documents.\";display:block;padding:1rem 0;color:var(--muted)}\n"
    ".foot{font:.8rem/1.5 system-ui,-apple-system,\"Segoe UI\",sans-serif;color:var(--muted);padding-top:1rem}\n"
    "@media (max-width:32rem){body{font-size:1rem}.page{padding:.75rem .9rem 1.5rem}"
    ".top h1{font-size:1.15rem}}\n"
    "@media print{.speaker{border-color:#000}}\n";

static gboolean html_header(void *self, GString *out, GError **error) {
  const Html *h = self;
  g_string_append(out,
                  "<!DOCTYPE html>\n"
                  "<html lang=\"en\">\n"
                  "<head>\n"
                  "<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'; img-src data:\">\n"
                  "<meta name=\"generator\" content=\"copydesk\">\n"
                  "<title>");
  append_escaped(out, h->title, -1, FALSE);
  g_string_append(out, "</title>\n<style>\n");
  g_string_append(out, page_css);
  g_string_append(out, "</style>\n</head>\n<body>\n<div class=\"page\">\n<header class=\"top\">\n<h1>");
  append_escaped(out, h->title, -1, FALSE);
  g_string_append(
      out,
      "</h1>\n"
      "<ul class=\"legend\" aria-label=\"Legend\">\n"
      "<li><mark class=\"ent PERSON\">Person</mark></li>\n"
      "<li><mark class=\"ent ORG\">Organisation</mark></li>\n"
      "<li><mark class=\"ent LOC\">Place</mark></li>\n"
      "<li><mark class=\"ent MISC\">Other name</mark></li>\n"
      "<li><q class=\"quote direct\">Quotation</q><span class=\"speaker\">speaker</span></li>\n"
      "<li><q class=\"quote indirect\">Reported speech</q></li>\n"
      "</ul>\n"
      "</header>\n"
      "<main>");
  return TRUE;
}

static gboolean html_footer(void *self, GString *out, GError **error) {
  g_string_append(out,
                  "</main>\n"
                  "<footer class=\"foot\">Made with copydesk. Highlights mark the text after "
                  "cleaning; each highlight's title names its entity.</footer>\n"
                  "</div>\n"
                  "</body>\n"
                  "</html>\n");
  return TRUE;
}

/* ---- Nesting spans ------------------------------------------------------------------------ */

typedef enum { IT_PARA = 0, IT_QUOTE = 1, IT_ENTITY = 2 } ItemKind;

typedef struct {
  gsize start, end;
  ItemKind kind;
  gsize order; /* position in its layer's sorted order */
  const CopydeskSpan *span;
} Item;

typedef struct {
  gsize pos;
  const Item *quote;
} Badge;

static int item_cmp_start(const void *a, const void *b) {
  const Item *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->end != y->end) return x->end > y->end ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return x->order < y->order ? -1 : (x->order > y->order);
}

/* Nesting order of the open elements: paragraphs outermost, then quotes, then entities (an
 * entity crossing a quote's edge is the one split), each kind by start, the longer outside. */
static int item_cmp_nest(const void *a, const void *b) {
  const Item *x = *(const Item *const *)a, *y = *(const Item *const *)b;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return item_cmp_start(x, y);
}

static int badge_cmp(const void *a, const void *b) {
  const Badge *x = a, *y = b;
  if (x->pos != y->pos) return x->pos < y->pos ? -1 : 1;
  return item_cmp_start(x->quote, y->quote);
}

static int size_cmp(const void *a, const void *b) {
  gsize x = *(const gsize *)a, y = *(const gsize *)b;
  return x < y ? -1 : (x > y);
}

typedef struct {
  const CopydeskDocument *doc;
  const char *text;
  gsize len;
  GString *out;
  const EntityGroups *groups;
  Badge *badges;
  gsize n_badges, next_badge;
} Render;

static const char *type_name(const char *label) {
  const char *noun = entity_label_noun(label);
  if (strcmp(noun, "person") == 0) return "Person";
  if (strcmp(noun, "organisation") == 0) return "Organisation";
  if (strcmp(noun, "place") == 0) return "Place";
  return "Other";
}

/* A class name made of LABEL: ASCII letters, digits, '_' and '-'. */
static void append_class(GString *out, const char *label) {
  for (const char *p = label; *p; p++)
    g_string_append_c(out, (g_ascii_isalnum(*p) || *p == '_' || *p == '-') ? *p : '_');
}

static void open_item(Render *r, const Item *it) {
  GString *out = r->out;
  if (it->kind == IT_PARA) {
    g_string_append(out, "<p>");
  } else if (it->kind == IT_QUOTE) {
    const char *kind = copydesk_span_label(it->span);
    if (kind == NULL || kind[0] == '\0') kind = "direct";
    char *speaker = quote_speaker_name(it->span, r->groups);
    g_string_append(out, "<q class=\"quote ");
    append_class(out, kind);
    g_string_append(out, "\" data-kind=\"");
    append_class(out, kind);
    g_string_append(out, "\" data-speaker=\"");
    append_escaped(out, speaker != NULL ? speaker : "", -1, FALSE);
    g_string_append(out, "\" title=\"");
    append_escaped(out, kind, -1, FALSE);
    g_string_append(out, " quote");
    if (speaker != NULL) {
      g_string_append(out, " by ");
      append_escaped(out, speaker, -1, FALSE);
    }
    g_string_append(out, "\">");
    g_free(speaker);
  } else {
    const char *label = copydesk_span_label(it->span);
    const char *id = copydesk_span_get_string(it->span, "entity");
    const char *name = copydesk_span_get_string(it->span, "name");
    const EntityGroup *g = entity_groups_find(r->groups, id);
    if (name == NULL && g != NULL) name = g->name;
    g_string_append(out, "<mark class=\"ent ");
    append_class(out, label != NULL && label[0] != '\0' ? label : "MISC");
    g_string_append_c(out, '"');
    if (id != NULL) {
      g_string_append(out, " data-entity=\"");
      append_escaped(out, id, -1, FALSE);
      g_string_append_c(out, '"');
    }
    g_string_append(out, " title=\"");
    g_string_append(out, type_name(label));
    if (name != NULL) {
      g_string_append(out, ": ");
      append_escaped(out, name, -1, FALSE);
    }
    if (id != NULL) {
      g_string_append(out, " (");
      append_escaped(out, id, -1, FALSE);
      g_string_append_c(out, ')');
    }
    g_string_append(out, "\">");
  }
}

static void close_item(Render *r, const Item *it) {
  g_string_append(r->out, it->kind == IT_PARA ? "</p>" : it->kind == IT_QUOTE ? "</q>" : "</mark>");
}

/* Writes the speaker badges due at POS. */
static void flush_badges(Render *r, gsize pos) {
  while (r->next_badge < r->n_badges && r->badges[r->next_badge].pos <= pos) {
    const Item *q = r->badges[r->next_badge++].quote;
    char *speaker = quote_speaker_name(q->span, r->groups);
    const CopydeskSpan *cue = copydesk_span_get_link(q->span, "cue");
    if (speaker != NULL) {
      g_string_append(r->out, "<span class=\"speaker\" data-speaker=\"");
      append_escaped(r->out, speaker, -1, FALSE);
      g_string_append(r->out, "\">");
      append_escaped(r->out, speaker, -1, FALSE);
    } else {
      g_string_append(r->out, "<span class=\"speaker none\">unattributed");
    }
    if (cue != NULL) {
      char *cue_text = span_text_collapsed(cue);
      g_string_append(r->out, " \xc2\xb7 "); /* · */
      append_escaped(r->out, cue_text, -1, FALSE);
      g_free(cue_text);
    }
    g_string_append(r->out, "</span>");
    g_free(speaker);
  }
}

/* Is the character at P one a badge should follow rather than precede (closing quotation
 * marks and punctuation)? */
static gsize closing_char_len(const char *p, const char *end) {
  static const char *const closers[] = {
      "\xe2\x80\x9d", "\xe2\x80\x99", "\xc2\xbb", "\xe2\x80\xba", "\xe2\x80\x9c", "\xc2\xab",
      "\xe2\x80\xa6", "\"", "'", ",", ".", ";", ":", "!", "?", ")", NULL};
  for (guint i = 0; closers[i] != NULL; i++) {
    gsize n = strlen(closers[i]);
    if ((gsize)(end - p) >= n && memcmp(p, closers[i], n) == 0) return n;
  }
  return 0;
}

/* Where the badge of a quote ending at END goes: after the closing marks and punctuation. */
static gsize badge_position(const Render *r, gsize end, gsize limit) {
  const char *p = r->text + end, *stop = r->text + limit;
  for (int i = 0; i < 4 && p < stop; i++) {
    gsize n = closing_char_len(p, stop);
    if (n == 0) break;
    p += n;
  }
  return (gsize)(p - r->text);
}

/* Appends paragraph items for the blocks of TEXT between blank lines (trimmed). */
static void add_paragraphs(GArray *items, const char *text, gsize len) {
  gsize i = 0, order = 0;
  while (i < len) {
    while (i < len && g_ascii_isspace(text[i])) i++;
    if (i >= len) break;
    gsize start = i, last = i;
    while (i < len) {
      if (text[i] == '\n') {
        gsize j = i + 1;
        guint newlines = 1;
        while (j < len && g_ascii_isspace(text[j])) newlines += text[j++] == '\n';
        if (newlines >= 2 || j >= len) break;
        i = j;
        continue;
      }
      if (!g_ascii_isspace(text[i])) last = i;
      i = (gsize)(g_utf8_next_char(text + i) - text);
    }
    gsize end = (gsize)(g_utf8_next_char(text + last) - text);
    Item it = {.start = start, .end = end, .kind = IT_PARA, .order = order++};
    g_array_append_val(items, it);
  }
}

static void add_layer(GArray *items, const CopydeskLayer *layer, ItemKind kind, gsize len) {
  SpanArray a;
  span_array_init(&a, layer);
  for (gsize i = 0; i < a.n; i++) {
    gsize s = copydesk_span_start(a.v[i]), e = MIN(copydesk_span_end(a.v[i]), len);
    if (s >= e) continue;
    Item it = {.start = s, .end = e, .kind = kind, .order = i, .span = a.v[i]};
    g_array_append_val(items, it);
  }
  span_array_clear(&a);
}

/* Writes the text of the document with its spans as nested elements. */
static void render_text(Render *r) {
  GArray *items = g_array_new(FALSE, FALSE, sizeof(Item));
  add_paragraphs(items, r->text, r->len);
  gsize n_paras = items->len;
  gsize *para_end = g_new(gsize, n_paras + 1); /* in order: paragraphs are added sorted */
  for (gsize i = 0; i < n_paras; i++) para_end[i] = g_array_index(items, Item, i).end;
  add_layer(items, copydesk_document_layer(r->doc, COPYDESK_LAYER_QUOTE), IT_QUOTE, r->len);
  add_layer(items, copydesk_document_layer(r->doc, COPYDESK_LAYER_ENTITY), IT_ENTITY, r->len);
  qsort(items->data, items->len, sizeof(Item), item_cmp_start);
  const Item *v = (const Item *)items->data;
  gsize n = items->len;

  /* Badges, placed after the closing marks, never past the quote's paragraph. */
  r->badges = g_new(Badge, n + 1);
  r->n_badges = 0;
  r->next_badge = 0;
  for (gsize i = 0; i < n; i++) {
    if (v[i].kind != IT_QUOTE) continue;
    /* The first paragraph ending at or after the quote's end. */
    gsize lo = 0, hi = n_paras;
    while (lo < hi) {
      gsize mid = lo + (hi - lo) / 2;
      if (para_end[mid] < v[i].end)
        lo = mid + 1;
      else
        hi = mid;
    }
    gsize limit = lo < n_paras ? para_end[lo] : r->len;
    r->badges[r->n_badges++] = (Badge){badge_position(r, v[i].end, limit), &v[i]};
  }
  qsort(r->badges, r->n_badges, sizeof(Badge), badge_cmp);

  GArray *bounds = g_array_new(FALSE, FALSE, sizeof(gsize));
  for (gsize i = 0; i < n; i++) {
    g_array_append_val(bounds, v[i].start);
    g_array_append_val(bounds, v[i].end);
  }
  for (gsize i = 0; i < r->n_badges; i++) g_array_append_val(bounds, r->badges[i].pos);
  qsort(bounds->data, bounds->len, sizeof(gsize), size_cmp);

  GPtrArray *open = g_ptr_array_new();   /* the open elements, outermost first */
  GPtrArray *active = g_ptr_array_new(); /* items covering the current segment */
  GPtrArray *want = g_ptr_array_new();
  gsize next_item = 0;
  gsize nb = bounds->len;
  const gsize *b = (const gsize *)bounds->data;
  for (gsize bi = 0; bi < nb; bi++) {
    gsize x = b[bi];
    if (bi > 0 && x == b[bi - 1]) continue;
    gsize y = x;
    for (gsize k = bi + 1; k < nb; k++)
      if (b[k] > x) {
        y = b[k];
        break;
      }
    /* The items covering [x, y). */
    for (guint k = active->len; k > 0; k--)
      if (((const Item *)active->pdata[k - 1])->end <= x) g_ptr_array_remove_index(active, k - 1);
    while (next_item < n && v[next_item].start <= x) {
      if (v[next_item].end > x) g_ptr_array_add(active, (gpointer)&v[next_item]);
      next_item++;
    }
    g_ptr_array_set_size(want, 0);
    if (y > x) {
      for (guint k = 0; k < active->len; k++) g_ptr_array_add(want, active->pdata[k]);
      g_ptr_array_sort(want, item_cmp_nest);
      if (want->len > 0 && ((const Item *)want->pdata[0])->kind != IT_PARA)
        g_ptr_array_set_size(want, 0); /* between paragraphs: nothing is shown */
    }
    /* Close what does not go on, open what starts (or starts again). */
    guint keep = 0;
    while (keep < open->len && keep < want->len && open->pdata[keep] == want->pdata[keep]) keep++;
    for (guint k = open->len; k > keep; k--) {
      const Item *it = open->pdata[k - 1];
      if (it->kind == IT_PARA) flush_badges(r, x);
      close_item(r, it);
    }
    g_ptr_array_set_size(open, keep);
    if (keep > 0) flush_badges(r, x);
    for (guint k = keep; k < want->len; k++) {
      open_item(r, want->pdata[k]);
      g_ptr_array_add(open, want->pdata[k]);
    }
    if (y > x) {
      if (open->len > 0)
        append_escaped(r->out, r->text + x, (gssize)(y - x), TRUE);
      else
        g_string_append_c(r->out, '\n');
    }
  }
  for (guint k = open->len; k > 0; k--) close_item(r, open->pdata[k - 1]);
  if (n_paras > 0) g_string_append_c(r->out, '\n');

  g_ptr_array_unref(open);
  g_ptr_array_unref(active);
  g_ptr_array_unref(want);
  g_array_free(bounds, TRUE);
  g_free(r->badges);
  r->badges = NULL;
  g_free(para_end);
  g_array_free(items, TRUE);
}

/* ---- One document ----------------------------------------------------------------------- */

static void render_summary(Render *r, const CopydeskLayer *entity_layer,
                           const CopydeskLayer *quote_layer) {
  GString *out = r->out;
  g_string_append(out, "<ul class=\"summary\">\n");
  if (entity_layer == NULL) {
    g_string_append(out, "<li class=\"note\">Names not annotated (no entities stage in the "
                         "pipeline).</li>\n");
  } else {
    static const struct {
      const char *noun, *heading;
    } cats[] = {{"person", "People"}, {"organisation", "Organisations"},
                {"place", "Places"},  {"other", "Other names"}};
    GPtrArray *sorted = entity_groups_by_count(r->groups);
    gboolean any = FALSE;
    for (guint c = 0; c < G_N_ELEMENTS(cats); c++) {
      guint k = 0;
      for (guint i = 0; i < sorted->len; i++) {
        const EntityGroup *g = sorted->pdata[i];
        if (strcmp(entity_label_noun(g->label), cats[c].noun) != 0) continue;
        if (k++ == 0) {
          g_string_append_printf(out, "<li class=\"cat-%s\"><b>%s:</b> ", cats[c].noun,
                                 cats[c].heading);
        } else {
          g_string_append(out, ", ");
        }
        append_escaped(out, g->name, -1, FALSE);
        g_string_append_printf(out, " (%" G_GSIZE_FORMAT ")", g->count);
      }
      if (k > 0) {
        g_string_append(out, "</li>\n");
        any = TRUE;
      }
    }
    g_ptr_array_unref(sorted);
    if (!any) g_string_append(out, "<li class=\"note\">No names found.</li>\n");
  }
  if (quote_layer == NULL) {
    g_string_append(out, "<li class=\"note\">Quotes not annotated (no quotes stage in the "
                         "pipeline).</li>\n");
  } else {
    gsize nq = copydesk_layer_n_spans(quote_layer);
    g_string_append_printf(out, "<li class=\"quotes\"><b>Quotes:</b> %" G_GSIZE_FORMAT "</li>\n",
                           nq);
  }
  g_string_append(out, "</ul>\n");
}

static gboolean html_format(void *self, const CopydeskDocument *doc, GString *out,
                            GError **error) {
  Render r = {.doc = doc, .out = out};
  r.text = copydesk_document_text(doc, &r.len);
  const CopydeskLayer *entity_layer = copydesk_document_layer(doc, COPYDESK_LAYER_ENTITY);
  const CopydeskLayer *quote_layer = copydesk_document_layer(doc, COPYDESK_LAYER_QUOTE);
  SpanArray mentions;
  span_array_init(&mentions, entity_layer);
  EntityGroups groups;
  entity_groups_init(&groups, &mentions);
  r.groups = &groups;

  g_string_append(out, "<article class=\"doc\" data-id=\"");
  append_escaped(out, copydesk_document_id(doc), -1, FALSE);
  g_string_append(out, "\">\n<h2>");
  append_escaped(out, copydesk_document_id(doc), -1, FALSE);
  g_string_append(out, "</h2>\n<div class=\"text\">\n");
  render_text(&r);
  g_string_append(out, "</div>\n");
  render_summary(&r, entity_layer, quote_layer);
  guint n_errors = copydesk_document_n_errors(doc);
  if (n_errors > 0) {
    g_string_append(out, "<div class=\"errors\" role=\"note\">\n");
    for (guint i = 0; i < n_errors; i++) {
      g_string_append(out, "<p>");
      append_escaped(out, copydesk_document_error_stage(doc, i), -1, FALSE);
      g_string_append(out, ": ");
      append_escaped(out, copydesk_document_error_message(doc, i), -1, FALSE);
      g_string_append(out, "</p>\n");
    }
    g_string_append(out, "</div>\n");
  }
  g_string_append(out, "</article>");

  entity_groups_clear(&groups);
  span_array_clear(&mentions);
  return TRUE;
}

/* ---- The instance -------------------------------------------------------------------------- */

static void *html_create(const CopydeskOptions *options, GError **error) {
  Html *h = g_new0(Html, 1);
  const char *title = options != NULL ? copydesk_options_get_string(options, "title") : NULL;
  h->title = g_strdup(title != NULL ? title : "copydesk");
  return h;
}

static void html_destroy(void *self) {
  Html *h = self;
  if (h == NULL) return;
  g_free(h->title);
  g_free(h);
}

static const CopydeskPluginDescriptor html_descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "html",
    .version = "1.0.0",
    .summary = "one self-contained HTML page: entities highlighted by type, quotes with speakers",
    .description =
        "Writes one HTML page for the whole run (inline CSS, no scripts, no network): a "
        "legend, then each document as an article showing its cleaned text with entity "
        "mentions highlighted by type (colour and underline style) and quotes marked with a "
        "badge naming the speaker, and a list of the people, organisations and places it "
        "mentions.  Every input character is escaped.  Readable on phones and desktops.  "
        "See docs/output-formats.md.",
    .kind = COPYDESK_KIND_OUTPUT,
    .options = html_options,
    .create = html_create,
    .format = html_format,
    .header = html_header,
    .separator = "\n",
    .footer = html_footer,
    .destroy = html_destroy,
};

COPYDESK_PLUGIN_DEFINE(html_descriptor)
