/* copydesk — the JSON record shared by the json and jsonl output plugins.
 *
 * One pass appends the whole record to the output GString, which grows once up front for
 * about the record's size; small pieces are copied in without the NUL GLib would write
 * after each (the record ends with one), and each span's offsets come from the core's index
 * of the original: a whole layer's in one call (copydesk_layer_original_ranges) for the span
 * lists and quotes, one call a span (copydesk_document_original_range) for mentions, speakers
 * and cues.  Allocations per document: none for the mapped spans of a layer of up to 64 (on
 * the stack), else one array reused from layer to layer; the sort arrays of layers out of
 * order and of mentions; and, when entities are grouped, one hash table and one array of
 * groups; never one per span.
 */
#include "json_record.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const json_record_offset_choices[] = {"codepoints", "bytes", "utf16", NULL};
/* In the order of the JsonRecordInclude bits. */
const char *const json_record_include_choices[] = {
    "text",     "clean_text", "sentences", "paragraphs", "tokens",
    "mentions", "entities",   "quotes",    NULL,
};

/* ---- Configuration -------------------------------------------------------- */

#define DEFAULT_INCLUDE \
  (JSON_RECORD_SENTENCES | JSON_RECORD_MENTIONS | JSON_RECORD_ENTITIES | JSON_RECORD_QUOTES)

/* TRUE when A and B are the same string (the first bytes compared before the call). */
static inline gboolean same(const char *a, const char *b) { return a[0] == b[0] && strcmp(a, b) == 0; }

static guint include_flag(const char *name) {
  for (guint i = 0; json_record_include_choices[i] != NULL; i++)
    if (same(name, json_record_include_choices[i])) return 1u << i;
  return 0;
}

static guint classify_key(const JsonRecordConfig *config, const char *key);

gboolean json_record_config_init(JsonRecordConfig *config, const char *stage,
                                 const CopydeskOptions *options, GError **error) {
  memset(config, 0, sizeof *config);
  /* classify_key() spells the include choices out by their first byte: it must know each */
  for (guint i = 0; json_record_include_choices[i] != NULL; i++)
    g_assert(classify_key(config, json_record_include_choices[i]) == 1u << i);
  config->stage = stage;
  config->unit = COPYDESK_UNIT_CODEPOINTS;
  config->include = DEFAULT_INCLUDE;
  config->include_text = TRUE;
  if (options == NULL) return TRUE;

  const char *offsets = copydesk_options_get_string(options, "offsets");
  if (offsets == NULL || strcmp(offsets, "codepoints") == 0) {
    config->unit = COPYDESK_UNIT_CODEPOINTS;
  } else if (strcmp(offsets, "bytes") == 0) {
    config->unit = COPYDESK_UNIT_BYTES;
  } else if (strcmp(offsets, "utf16") == 0) {
    config->unit = COPYDESK_UNIT_UTF16;
  } else {
    g_set_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_BAD_VALUE,
                "option offsets: '%s' is not one of codepoints, bytes, utf16", offsets);
    return FALSE;
  }

  const char *const *include = copydesk_options_get_strv(options, "include");
  config->include = 0;
  for (gsize i = 0; include != NULL && include[i] != NULL; i++) {
    guint flag = include_flag(include[i]);
    if (flag == 0) {
      g_set_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_BAD_VALUE,
                  "option include: unknown value '%s'", include[i]);
      return FALSE;
    }
    config->include |= flag;
  }
  config->include_text = copydesk_options_get_bool(options, "include_text") ||
                         (config->include & JSON_RECORD_TEXT) != 0;

  const char *nest = copydesk_options_get_string(options, "nest");
  if (nest != NULL) {
    if (nest[0] == '\0' || strcmp(nest, "id") == 0) {
      g_set_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_BAD_VALUE,
                  "option nest: '%s' cannot hold copydesk's keys; choose a name such as copydesk",
                  nest);
      return FALSE;
    }
    config->nest = g_strdup(nest);
  }
  return TRUE;
}

void json_record_config_clear(JsonRecordConfig *config) { g_clear_pointer(&config->nest, g_free); }

/* ---- A small streaming writer --------------------------------------------- */

typedef struct {
  GString *out;
  gboolean pretty;
  guint depth;    /* indentation levels of the members of the open container */
  gboolean first; /* nothing written yet in the open container */
} Writer;

/* Appends the N bytes at S: a plain copy when OUT has room (GString keeps its fields public
 * for this), else the GLib call that grows it.  Most appends here are a few bytes long; the NUL
 * after them is left to the end of the record (json_record_append). */
static inline void put(GString *out, const char *s, gsize n) {
  if (G_LIKELY(out->len + n < out->allocated_len)) {
    memcpy(out->str + out->len, s, n);
    out->len += n;
  } else {
    g_string_append_len(out, s, (gssize)n);
  }
}

static inline void put_c(GString *out, char c) {
  if (G_LIKELY(out->len + 1 < out->allocated_len))
    out->str[out->len++] = c;
  else
    g_string_append_c(out, c);
}

/* Makes room in OUT for N more bytes and a NUL (growing it at most once) and returns where they
 * go, for a few pieces written at once; done() then sets OUT's length to end at O. */
static inline char *room(GString *out, gsize n) {
  if (G_UNLIKELY(out->len + n >= out->allocated_len)) {
    gsize len = out->len;
    g_string_set_size(out, len + n);
    out->len = len;
  }
  return out->str + out->len;
}

static inline void done(GString *out, char *o) { out->len = (gsize)(o - out->str); }

/* The most bytes size_at() writes. */
#define SIZE_DIGITS 20

/* Writes the decimal digits of V at O, without going through printf, and returns the byte
 * after them: four digits (most offsets) as two pairs, fewer as one digit or a pair or both,
 * five as a digit and two pairs; longer numbers are counted first, then filled in from the
 * last, two a step. */
static G_ALWAYS_INLINE inline char *size_at(char *o, gsize v) {
  static const char pairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  if (v - 1000 < 9000) { /* 1000 to 9999 */
    guint32 x = (guint32)v, high = x * 5243 >> 19, low = x - 100 * high; /* x / 100 below 43,699 */
    memcpy(o, pairs + 2 * high, 2);
    memcpy(o + 2, pairs + 2 * low, 2);
    return o + 4;
  }
  if (v < 1000) {
    if (v < 10) {
      *o = (char)('0' + v);
      return o + 1;
    }
    if (v < 100) {
      memcpy(o, pairs + 2 * v, 2);
      return o + 2;
    }
    guint32 x = (guint32)v, high = x * 5243 >> 19, low = x - 100 * high;
    *o = (char)('0' + high);
    memcpy(o + 1, pairs + 2 * low, 2);
    return o + 3;
  }
  if (v < 100000) { /* 10000 to 99999: a digit, then four as two pairs */
    guint32 x = (guint32)v, first = x / 10000, rest = x - 10000 * first,
            high = rest * 5243 >> 19, low = rest - 100 * high;
    *o = (char)('0' + first);
    memcpy(o + 1, pairs + 2 * high, 2);
    memcpy(o + 3, pairs + 2 * low, 2);
    return o + 5;
  }
  gsize n = 6;
  for (gsize t = v / 1000000; t > 0; t /= 10) n++;
  char *end = o + n, *p = end;
  while (v >= 100) {
    p -= 2;
    memcpy(p, pairs + 2 * (v % 100), 2);
    v /= 100;
  }
  if (v >= 10)
    memcpy(p - 2, pairs + 2 * v, 2);
  else
    p[-1] = (char)('0' + v);
  return end;
}

static void w_newline(Writer *w) {
  static const char spaces[] = "                                                                ";
  put_c(w->out, '\n');
  gsize n = 2 * (gsize)w->depth;
  while (n > 0) {
    gsize k = MIN(n, sizeof spaces - 1);
    put(w->out, spaces, k);
    n -= k;
  }
}

/* Starts the next member or element of the open container (called for every value written,
 * so always inlined). */
static G_ALWAYS_INLINE inline void w_next(Writer *w) {
  if (!w->first) put_c(w->out, ',');
  w->first = FALSE;
  if (w->pretty) w_newline(w);
}

static inline void w_colon(Writer *w) {
  if (w->pretty)
    put(w->out, ": ", 2);
  else
    put_c(w->out, ':');
}

/* A key that is a C string literal of plain ASCII (no escaping needed); compact records get
 * the comma, the key and the colon in one copy. */
#define W_KEY(w, lit)                                     \
  do {                                                    \
    if ((w)->pretty) {                                    \
      w_next(w);                                          \
      put((w)->out, "\"" lit "\"", sizeof(lit) + 1);      \
      w_colon(w);                                         \
    } else if ((w)->first) {                              \
      put((w)->out, "\"" lit "\":", sizeof(lit) + 2);     \
      (w)->first = FALSE;                                 \
    } else {                                              \
      put((w)->out, ",\"" lit "\":", sizeof(lit) + 3);    \
    }                                                     \
  } while (0)

/* A key of LEN bytes at KEY that needs no escaping (one of copydesk's own, from a table), written
 * as W_KEY() writes a literal. */
static void w_plain_key(Writer *w, const char *key, gsize len) {
  if (w->pretty) {
    w_next(w);
    put_c(w->out, '"');
    put(w->out, key, len);
    put_c(w->out, '"');
    w_colon(w);
    return;
  }
  char *o = room(w->out, len + 4);
  if (!w->first) *o++ = ',';
  *o++ = '"';
  memcpy(o, key, len);
  o += len;
  o[0] = '"';
  o[1] = ':';
  done(w->out, o + 2);
  w->first = FALSE;
}

/* Any key, escaped. */
static void w_key(Writer *w, const char *key) {
  w_next(w);
  copydesk_json_append_string(w->out, key, -1);
  w_colon(w);
}

static inline void w_open(Writer *w, char c) {
  put_c(w->out, c);
  w->depth++;
  w->first = TRUE;
}

static inline void w_close(Writer *w, char c) {
  w->depth--;
  if (w->pretty && !w->first) w_newline(w);
  put_c(w->out, c);
  w->first = FALSE;
}

static inline void w_null(Writer *w) { put(w->out, "null", 4); }

/* An unsigned integer. */
static inline void w_size(Writer *w, gsize v) {
  done(w->out, size_at(room(w->out, SIZE_DIGITS), v));
}

static inline void w_string_or_null(Writer *w, const char *s, gssize len) {
  if (s == NULL)
    w_null(w);
  else
    copydesk_json_append_string(w->out, s, len);
}

/* ---- Spans mapped to the original text ------------------------------------ */

/* byte_start, byte_end in the original text; start, end in the output unit */
typedef CopydeskOriginalRange Mapped;

/* What every span writer needs to know about the document. */
typedef struct {
  const CopydeskDocument *doc;
  CopydeskOffsetUnit unit; /* what the offsets written count */
  const char *original;
  gsize original_len;
} Source;

/* The current range [CUR_START, CUR_END) mapped to the original text. */
static inline void map_span(const Source *src, gsize cur_start, gsize cur_end, Mapped *m) {
  copydesk_document_original_range(src->doc, cur_start, cur_end, src->unit, m);
}

/* "start": S, "end": E (always inlined: every mapped span has them, and a call cost a fifth
 * of their writing) */
static G_ALWAYS_INLINE inline void w_start_end(Writer *w, const Mapped *m) {
  if (w->pretty) {
    W_KEY(w, "start");
    w_size(w, m->start);
    W_KEY(w, "end");
    w_size(w, m->end);
    return;
  }
  /* Compact: both members with one check for room. */
  char *o = room(w->out, 16 + 2 * SIZE_DIGITS);
  if (!w->first) *o++ = ',';
  memcpy(o, "\"start\":", 8);
  o = size_at(o + 8, m->start);
  memcpy(o, ",\"end\":", 7);
  o = size_at(o + 7, m->end);
  done(w->out, o);
  w->first = FALSE;
}

/* "text": the original bytes of M. */
static inline void w_original_text(Writer *w, const Source *src, const Mapped *m) {
  W_KEY(w, "text");
  copydesk_json_append_string(w->out, src->original + m->byte_start,
                              (gssize)(m->byte_end - m->byte_start));
}

/* ---- Layers, sorted without touching the document ------------------------- */

typedef struct {
  gsize start, end, index;
  CopydeskSpan *span;
} SpanRef;

typedef struct {
  SpanRef *v;
  gsize n, cap;
} SpanList;

static int span_ref_cmp(const void *a, const void *b) {
  const SpanRef *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->end != y->end) return x->end > y->end ? -1 : 1; /* longer first */
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Fills LIST with LAYER's spans in order of start (then longer first, then insertion order). */
static void span_list_fill(SpanList *list, const CopydeskLayer *layer) {
  gsize n = copydesk_layer_n_spans(layer);
  if (n > list->cap) {
    list->cap = MAX(n, 2 * list->cap);
    list->v = g_renew(SpanRef, list->v, list->cap);
  }
  gboolean sorted = TRUE;
  for (gsize i = 0; i < n; i++) {
    CopydeskSpan *span = copydesk_layer_span(layer, i);
    SpanRef *r = &list->v[i];
    r->start = copydesk_span_start(span);
    r->end = copydesk_span_end(span);
    r->index = i;
    r->span = span;
    if (i > 0 && sorted && span_ref_cmp(&list->v[i - 1], r) > 0) sorted = FALSE;
  }
  list->n = n;
  if (!sorted) qsort(list->v, n, sizeof *list->v, span_ref_cmp);
}

/* A layer's spans in the order of span_list_fill(), each with its range mapped to the original
 * text, all in one call (copydesk_layer_original_ranges). */
typedef struct {
  gsize n;
  Mapped *mapped;  /* span I of the layer's own order, mapped: HERE or HEAP */
  Mapped *heap;    /* room for CAP, for layers of more spans than HERE holds */
  gsize cap;
  gboolean sorted; /* the layer's own order is span_list_fill()'s */
  SpanList list;   /* the spans sorted, when the layer's order is not */
  Mapped here[64];
} LayerSpans;

/* Makes LS empty, with nothing allocated (HERE is left as it is, not written over). */
static void layer_spans_init(LayerSpans *ls) {
  ls->n = ls->cap = 0;
  ls->mapped = ls->heap = NULL;
  ls->list = (SpanList){0};
}

/* Fills LS with LAYER's spans mapped in UNIT. */
static void layer_spans_fill(LayerSpans *ls, const CopydeskLayer *layer, CopydeskOffsetUnit unit) {
  gsize n = copydesk_layer_n_spans(layer);
  if (n <= G_N_ELEMENTS(ls->here)) {
    ls->mapped = ls->here;
  } else {
    if (n > ls->cap) {
      ls->cap = MAX(n, 2 * ls->cap);
      ls->heap = g_renew(Mapped, ls->heap, ls->cap);
    }
    ls->mapped = ls->heap;
  }
  ls->n = n;
  ls->sorted = copydesk_layer_original_ranges(layer, unit, ls->mapped);
  if (!ls->sorted) span_list_fill(&ls->list, layer);
}

/* The position in its layer of the I-th span of LS in span_list_fill()'s order. */
static inline gsize layer_spans_index(const LayerSpans *ls, gsize i) {
  return ls->sorted ? i : ls->list.v[i].index;
}

/* Frees what LS allocated. */
static void layer_spans_clear(LayerSpans *ls) {
  g_free(ls->heap);
  g_free(ls->list.v);
}

/* The most bytes one compact pair takes: "[" START "," END "],". */
#define PAIR_MAX (4 + 2 * SIZE_DIGITS)

/* Writes "[START,END]," of M at O; returns the byte after it. */
static G_ALWAYS_INLINE inline char *pair_at(char *o, const Mapped *m) {
  *o++ = '[';
  o = size_at(o, m->start);
  *o++ = ',';
  o = size_at(o, m->end);
  o[0] = ']';
  o[1] = ',';
  return o + 2;
}

/* [[start, end], …]; compact lists are written with one check for room. */
static void w_pairs(Writer *w, const LayerSpans *ls) {
  w_open(w, '[');
  if (w->pretty) {
    for (gsize i = 0; i < ls->n; i++) {
      const Mapped *m = &ls->mapped[layer_spans_index(ls, i)];
      w_next(w);
      char *o = room(w->out, PAIR_MAX);
      *o++ = '[';
      o = size_at(o, m->start);
      *o++ = ',';
      *o++ = ' ';
      o = size_at(o, m->end);
      *o++ = ']';
      done(w->out, o);
    }
  } else if (ls->n > 0) {
    /* Each pair with a comma after it, the last one's taken back. */
    char *o = room(w->out, ls->n * PAIR_MAX);
    if (ls->sorted)
      for (gsize i = 0; i < ls->n; i++) o = pair_at(o, &ls->mapped[i]);
    else
      for (gsize i = 0; i < ls->n; i++) o = pair_at(o, &ls->mapped[ls->list.v[i].index]);
    done(w->out, o - 1);
    w->first = FALSE;
  }
  w_close(w, ']');
}

/* ---- Entities: mentions grouped by their `entity` attribute ---------------- */

typedef struct {
  const char *id;
  const char *label;
  const char *name; /* the first `name` attribute among the mentions, or NULL */
  const char *best; /* the fullest mention text (current text), when no name */
  gsize best_len;
  gsize count;
} EntityGroup;

typedef struct {
  GArray *groups;    /* EntityGroup, in order of first mention */
  GHashTable *by_id; /* id -> index + 1 */
} Entities;

static void entities_build(Entities *e, const SpanList *mentions) {
  e->groups = g_array_new(FALSE, FALSE, sizeof(EntityGroup));
  e->by_id = g_hash_table_new(g_str_hash, g_str_equal);
  for (gsize i = 0; i < mentions->n; i++) {
    const CopydeskSpan *span = mentions->v[i].span;
    const char *id = copydesk_span_get_string(span, "entity");
    if (id == NULL) continue;
    gsize idx = GPOINTER_TO_SIZE(g_hash_table_lookup(e->by_id, id));
    EntityGroup *g;
    if (idx == 0) {
      EntityGroup fresh = {.id = id, .label = copydesk_span_label(span)};
      g_array_append_val(e->groups, fresh);
      g_hash_table_insert(e->by_id, (gpointer)id, GSIZE_TO_POINTER(e->groups->len));
      g = &g_array_index(e->groups, EntityGroup, e->groups->len - 1);
    } else {
      g = &g_array_index(e->groups, EntityGroup, idx - 1);
    }
    g->count++;
    if (g->name == NULL) {
      const char *name = copydesk_span_get_string(span, "name");
      if (name != NULL) {
        g->name = name;
      } else {
        gsize len;
        const char *text = copydesk_span_text(span, &len);
        if (g->best == NULL || len > g->best_len) {
          g->best = text;
          g->best_len = len;
        }
      }
    }
  }
}

static void entities_clear(Entities *e) {
  if (e->groups != NULL) g_array_free(e->groups, TRUE);
  if (e->by_id != NULL) g_hash_table_destroy(e->by_id);
}

static const EntityGroup *entities_find(const Entities *e, const char *id) {
  if (e->by_id == NULL || id == NULL) return NULL;
  gsize idx = GPOINTER_TO_SIZE(g_hash_table_lookup(e->by_id, id));
  return idx == 0 ? NULL : &g_array_index(e->groups, EntityGroup, idx - 1);
}

static void w_group_name(Writer *w, const EntityGroup *g) {
  if (g->name != NULL)
    copydesk_json_append_string(w->out, g->name, -1);
  else
    w_string_or_null(w, g->best, (gssize)g->best_len);
}

static void w_entities(Writer *w, const Entities *e) {
  w_open(w, '[');
  for (guint i = 0; i < e->groups->len; i++) {
    const EntityGroup *g = &g_array_index(e->groups, EntityGroup, i);
    w_next(w);
    w_open(w, '{');
    W_KEY(w, "id");
    copydesk_json_append_string(w->out, g->id, -1);
    W_KEY(w, "label");
    w_string_or_null(w, g->label, -1);
    W_KEY(w, "name");
    w_group_name(w, g);
    W_KEY(w, "mentions");
    w_size(w, g->count);
    w_close(w, '}');
  }
  w_close(w, ']');
}

static void w_mentions(Writer *w, const Source *src, const SpanList *list) {
  w_open(w, '[');
  for (gsize i = 0; i < list->n; i++) {
    const SpanRef *r = &list->v[i];
    Mapped m;
    map_span(src, r->start, r->end, &m);
    w_next(w);
    w_open(w, '{');
    w_start_end(w, &m);
    w_original_text(w, src, &m);
    W_KEY(w, "label");
    w_string_or_null(w, copydesk_span_label(r->span), -1);
    W_KEY(w, "entity");
    w_string_or_null(w, copydesk_span_get_string(r->span, "entity"), -1);
    w_close(w, '}');
  }
  w_close(w, ']');
}

/* ---- Values written again ------------------------------------------------- */

/* A few values that a layer's spans repeat (the quotes' kinds, their confidences), each with
 * where its JSON is in the output, so that the same value again is copied from there instead
 * of written anew.  A value is known by 64 bits: a string's address (the document does not
 * change while its record is written), a number's bits. */
#define MEMO_SLOTS 4

typedef struct {
  guint64 key[MEMO_SLOTS];
  gsize at[MEMO_SLOTS], len[MEMO_SLOTS]; /* the value's JSON: LEN bytes at AT in the output */
  guint n;                               /* values noted; slot N % MEMO_SLOTS is the next */
} Memo;

/* Appends the JSON of the value KEY from where it was written before; FALSE when MEMO does not
 * have it. */
static inline gboolean memo_put(GString *out, const Memo *memo, guint64 key) {
  for (guint i = 0; i < MIN(memo->n, MEMO_SLOTS); i++) {
    if (memo->key[i] != key) continue;
    gsize at = memo->at[i], len = memo->len[i];
    char *o = room(out, MAX(len, 16));
    if (len <= 16 && at + 16 <= out->len)
      memcpy(o, out->str + at, 16); /* a short value as one block: the bytes after it are there */
    else
      memcpy(o, out->str + at, len);
    out->len += len;
    return TRUE;
  }
  return FALSE;
}

/* Notes that the value KEY was written to OUT from offset AT to its end. */
static inline void memo_add(Memo *memo, guint64 key, const GString *out, gsize at) {
  guint i = memo->n++ % MEMO_SLOTS;
  memo->key[i] = key;
  memo->at[i] = at;
  memo->len[i] = out->len - at;
}

/* The string S (NULL: null), from MEMO when written before at the same address. */
static void w_string_memo(Writer *w, Memo *memo, const char *s) {
  guint64 key = (guint64)(guintptr)s;
  if (s == NULL) {
    w_null(w);
  } else if (!memo_put(w->out, memo, key)) {
    gsize at = w->out->len;
    copydesk_json_append_string(w->out, s, -1);
    memo_add(memo, key, w->out, at);
  }
}

/* The number V, from MEMO when written before. */
static void w_double_memo(Writer *w, Memo *memo, double v) {
  guint64 key;
  memcpy(&key, &v, sizeof key);
  if (!memo_put(w->out, memo, key)) {
    gsize at = w->out->len;
    copydesk_json_append_double(w->out, v);
    memo_add(memo, key, w->out, at);
  }
}

/* ---- Quotes --------------------------------------------------------------- */

/* The attributes of a quote the record writes, each looked up once. */
typedef struct {
  const CopydeskSpan *speaker, *cue; /* the links */
  const char *name, *entity;         /* speaker_name, speaker_entity */
  double confidence;
  gboolean has_confidence; /* a number (a double, perhaps NaN, or an integer) */
  const char *reason;
} QuoteAttrs;

/* Fills A from QUOTE.  speaker_entity, which most quotes lack, is looked up only when QUOTE has
 * an attribute besides those found: each found one has its own key (a span has one attribute a
 * key), so when they are as many as QUOTE's attributes it has no other. */
static void quote_attrs(const CopydeskSpan *quote, QuoteAttrs *a) {
  a->speaker = copydesk_span_get_link(quote, "speaker");
  a->name = copydesk_span_get_string(quote, "speaker_name");
  a->cue = copydesk_span_get_link(quote, "cue");
  /* A number unless the fallback comes back; only a NaN needs the type asked for. */
  a->confidence = copydesk_span_get_double(quote, "confidence", NAN);
  if (!isnan(a->confidence)) {
    a->has_confidence = TRUE;
  } else {
    CopydeskAttrType t = copydesk_span_attr_type(quote, "confidence");
    a->has_confidence = t == COPYDESK_ATTR_DOUBLE || t == COPYDESK_ATTR_INT;
  }
  a->reason = copydesk_span_get_string(quote, "reason");
  guint found = (a->speaker != NULL) + (a->name != NULL) + (a->cue != NULL) +
                (a->has_confidence != FALSE) + (a->reason != NULL);
  a->entity = found < copydesk_span_n_attrs(quote)
                  ? copydesk_span_get_string(quote, "speaker_entity")
                  : NULL;
}

/* "speaker" of the quote of attributes A; its speaker span A->speaker is mapped to M. */
static void w_speaker(Writer *w, const Source *src, const QuoteAttrs *a, const Mapped *m,
                      const Entities *entities) {
  const CopydeskSpan *sp = a->speaker;
  const char *name = a->name, *entity = a->entity;
  if (sp == NULL && name == NULL && entity == NULL) {
    w_null(w);
    return;
  }
  if (entity == NULL && sp != NULL) entity = copydesk_span_get_string(sp, "entity");
  if (name == NULL && sp != NULL) name = copydesk_span_get_string(sp, "name");

  w_open(w, '{');
  W_KEY(w, "name");
  const EntityGroup *g;
  if (name != NULL) {
    copydesk_json_append_string(w->out, name, -1);
  } else if ((g = entities_find(entities, entity)) != NULL) {
    w_group_name(w, g);
  } else if (sp != NULL &&
             strcmp(copydesk_layer_name(copydesk_span_layer(sp)), COPYDESK_LAYER_ENTITY) == 0) {
    gsize len;
    const char *text = copydesk_span_text(sp, &len);
    copydesk_json_append_string(w->out, text, (gssize)len);
  } else {
    w_null(w);
  }
  W_KEY(w, "entity");
  w_string_or_null(w, entity, -1);
  if (sp != NULL) {
    w_start_end(w, m);
    w_original_text(w, src, m);
  } else {
    W_KEY(w, "start");
    w_null(w);
    W_KEY(w, "end");
    w_null(w);
    W_KEY(w, "text");
    w_null(w);
  }
  w_close(w, '}');
}

/* "cue": the cue span mapped to M, or null when CUE is NULL. */
static void w_cue(Writer *w, const Source *src, const CopydeskSpan *cue, const Mapped *m) {
  if (cue == NULL) {
    w_null(w);
    return;
  }
  w_open(w, '{');
  w_original_text(w, src, m);
  w_start_end(w, m);
  w_close(w, '}');
}

static void w_quotes(Writer *w, const Source *src, const CopydeskLayer *layer,
                     const LayerSpans *ls, const Entities *entities) {
  Memo kinds, confidences; /* only N set: the slots are written before they are read */
  kinds.n = confidences.n = 0;
  w_open(w, '[');
  for (gsize i = 0; i < ls->n; i++) {
    gsize k = layer_spans_index(ls, i);
    const CopydeskSpan *quote = copydesk_layer_span(layer, k);
    QuoteAttrs a;
    quote_attrs(quote, &a);
    const Mapped m = ls->mapped[k];
    Mapped ms = {0}, mc = {0};
    if (a.speaker != NULL)
      map_span(src, copydesk_span_start(a.speaker), copydesk_span_end(a.speaker), &ms);
    if (a.cue != NULL) map_span(src, copydesk_span_start(a.cue), copydesk_span_end(a.cue), &mc);
    w_next(w);
    w_open(w, '{');
    w_start_end(w, &m);
    w_original_text(w, src, &m);
    W_KEY(w, "kind");
    w_string_memo(w, &kinds, copydesk_span_label(quote));
    W_KEY(w, "speaker");
    w_speaker(w, src, &a, &ms, entities);
    W_KEY(w, "cue");
    w_cue(w, src, a.cue, &mc);
    if (a.has_confidence) {
      W_KEY(w, "confidence");
      w_double_memo(w, &confidences, a.confidence);
    }
    if (a.reason != NULL) {
      W_KEY(w, "reason");
      copydesk_json_append_string(w->out, a.reason, -1);
    }
    w_close(w, '}');
  }
  w_close(w, ']');
}

/* ---- The record ------------------------------------------------------------ */

/* Copydesk's keys an input field may already use (bit flags beyond JsonRecordInclude). */
enum {
  KEY_ERRORS = 1 << 8,
  KEY_COPYDESK_ERRORS = 1 << 9,
  KEY_ID = 1 << 10,
  KEY_NEST = 1 << 11,
};

/* Which of copydesk's keys KEY is (its flag), or 0: only the keys of KEY's first byte are
 * compared (every record asks it of each input field). */
static guint classify_key(const JsonRecordConfig *config, const char *key) {
  guint flag = 0;
  switch (key[0]) {
    case 'c':
      if (strcmp(key, "clean_text") == 0) flag = JSON_RECORD_CLEAN_TEXT;
      else if (strcmp(key, "copydesk_errors") == 0) flag = KEY_COPYDESK_ERRORS;
      break;
    case 'e':
      if (strcmp(key, "entities") == 0) flag = JSON_RECORD_ENTITIES;
      else if (strcmp(key, "errors") == 0) flag = KEY_ERRORS;
      break;
    case 'i':
      if (strcmp(key, "id") == 0) flag = KEY_ID;
      break;
    case 'm':
      if (strcmp(key, "mentions") == 0) flag = JSON_RECORD_MENTIONS;
      break;
    case 'p':
      if (strcmp(key, "paragraphs") == 0) flag = JSON_RECORD_PARAGRAPHS;
      break;
    case 'q':
      if (strcmp(key, "quotes") == 0) flag = JSON_RECORD_QUOTES;
      break;
    case 's':
      if (strcmp(key, "sentences") == 0) flag = JSON_RECORD_SENTENCES;
      break;
    case 't':
      if (strcmp(key, "text") == 0) flag = JSON_RECORD_TEXT;
      else if (strcmp(key, "tokens") == 0) flag = JSON_RECORD_TOKENS;
      break;
    default:
      break;
  }
  if (flag != 0) return flag;
  if (config->nest != NULL && same(key, config->nest)) return KEY_NEST;
  return 0;
}

#define MAX_COLLISIONS 16

typedef struct {
  const char *keys[MAX_COLLISIONS]; /* copydesk keys left out because an input field has them */
  guint n;
  gboolean nest; /* the nest key itself was taken */
} Collisions;

/* TRUE when copydesk's KEY (flag FLAG) may be written; otherwise notes the collision. */
static gboolean claim(guint taken, guint flag, const char *key, Collisions *col) {
  if ((taken & flag) == 0) return TRUE;
  if (col->n < MAX_COLLISIONS) col->keys[col->n++] = key;
  return FALSE;
}

static void w_error(Writer *w, const char *stage, const char *message) {
  w_next(w);
  w_open(w, '{');
  W_KEY(w, "stage");
  w_string_or_null(w, stage, -1);
  W_KEY(w, "message");
  w_string_or_null(w, message, -1);
  w_close(w, '}');
}

/* "errors": the document's errors and the collisions met while writing this record. */
static void w_errors(Writer *w, const JsonRecordConfig *config, const CopydeskDocument *doc,
                     guint taken, Collisions *col) {
  guint n = copydesk_document_n_errors(doc);
  if (n == 0 && col->n == 0 && !col->nest) return;
  if (taken & KEY_ERRORS) {
    /* An input field is called "errors": say so, and fall back to another key. */
    if (col->n < MAX_COLLISIONS) col->keys[col->n++] = "errors";
    if (taken & KEY_COPYDESK_ERRORS) return; /* nowhere left to put them */
    W_KEY(w, "copydesk_errors");
  } else {
    W_KEY(w, "errors");
  }
  w_open(w, '[');
  for (guint i = 0; i < n; i++)
    w_error(w, copydesk_document_error_stage(doc, i), copydesk_document_error_message(doc, i));
  if (col->n > 0 || col->nest) {
    GString *msg = g_string_new(NULL);
    if (col->nest) {
      g_string_printf(msg,
                      "the input has a field \"%s\", the name the output option nest gives "
                      "copydesk's keys; they were left out (set nest to a name the input does "
                      "not use)",
                      config->nest);
      w_error(w, config->stage, msg->str);
    }
    for (guint i = 0; i < col->n; i++) {
      g_string_printf(msg,
                      "the input has a field \"%s\", a key copydesk writes; the input's value "
                      "was kept and copydesk's left out (set the output option nest, e.g. "
                      "nest: copydesk, to keep both)",
                      col->keys[i]);
      w_error(w, config->stage, msg->str);
    }
    g_string_free(msg, TRUE);
  }
  w_close(w, ']');
}

/* Copydesk's own keys, into the open object.  TAKEN: keys the input fields already use at
 * this level (0 inside the nest object); HAS_TEXT: an input field is called "text". */
static void w_copydesk_keys(Writer *w, const JsonRecordConfig *config, const CopydeskDocument *doc,
                            guint taken, gboolean has_text, Collisions *col) {
  const guint inc = config->include;
  Source source = {.doc = doc, .unit = config->unit};
  source.original = copydesk_document_original(doc, &source.original_len);
  const Source *src = &source;

  if (config->include_text && !has_text) {
    W_KEY(w, "text");
    copydesk_json_append_string(w->out, src->original, (gssize)src->original_len);
  }
  if ((inc & JSON_RECORD_CLEAN_TEXT) && claim(taken, JSON_RECORD_CLEAN_TEXT, "clean_text", col)) {
    gsize len;
    const char *text = copydesk_document_text(doc, &len);
    W_KEY(w, "clean_text");
    copydesk_json_append_string(w->out, text, (gssize)len);
  }

  LayerSpans spans;
  layer_spans_init(&spans);
  static const struct {
    guint flag;
    const char *key;
    gsize key_len;
    const char *layer;
  } pair_layers[] = {
      {JSON_RECORD_SENTENCES, "sentences", sizeof "sentences" - 1, COPYDESK_LAYER_SENTENCE},
      {JSON_RECORD_PARAGRAPHS, "paragraphs", sizeof "paragraphs" - 1, COPYDESK_LAYER_PARAGRAPH},
      {JSON_RECORD_TOKENS, "tokens", sizeof "tokens" - 1, COPYDESK_LAYER_TOKEN},
  };
  for (gsize k = 0; k < G_N_ELEMENTS(pair_layers); k++) {
    if (!(inc & pair_layers[k].flag)) continue;
    const CopydeskLayer *layer = copydesk_document_layer(doc, pair_layers[k].layer);
    if (layer == NULL || !claim(taken, pair_layers[k].flag, pair_layers[k].key, col)) continue;
    layer_spans_fill(&spans, layer, config->unit);
    w_plain_key(w, pair_layers[k].key, pair_layers[k].key_len);
    w_pairs(w, &spans);
  }

  /* Mentions and entities come from the entity layer; quotes use its groups for names. */
  const CopydeskLayer *entity_layer = copydesk_document_layer(doc, COPYDESK_LAYER_ENTITY);
  const CopydeskLayer *quote_layer = copydesk_document_layer(doc, COPYDESK_LAYER_QUOTE);
  gboolean want_mentions = (inc & JSON_RECORD_MENTIONS) && entity_layer != NULL &&
                           claim(taken, JSON_RECORD_MENTIONS, "mentions", col);
  gboolean want_entities = (inc & JSON_RECORD_ENTITIES) && entity_layer != NULL &&
                           claim(taken, JSON_RECORD_ENTITIES, "entities", col);
  gboolean want_quotes = (inc & JSON_RECORD_QUOTES) && quote_layer != NULL &&
                         claim(taken, JSON_RECORD_QUOTES, "quotes", col);
  SpanList mentions = {0};
  Entities entities = {0};
  if (entity_layer != NULL && (want_mentions || want_entities || want_quotes)) {
    span_list_fill(&mentions, entity_layer);
    if (want_entities || want_quotes) entities_build(&entities, &mentions);
  }
  if (want_mentions) {
    W_KEY(w, "mentions");
    w_mentions(w, src, &mentions);
  }
  if (want_entities) {
    W_KEY(w, "entities");
    w_entities(w, &entities);
  }
  if (want_quotes) {
    layer_spans_fill(&spans, quote_layer, config->unit);
    W_KEY(w, "quotes");
    w_quotes(w, src, quote_layer, &spans, &entities);
  }
  entities_clear(&entities);
  g_free(mentions.v);
  layer_spans_clear(&spans);

  w_errors(w, config, doc, taken, col);
}

/* Appends the raw JSON value JSON (up to its NUL) of an input field as read, except that a U+2028
 * or U+2029 written unescaped becomes \\u2028 or \\u2029 (it can only be inside a string there), so
 * the record is safe for JavaScript and stays one line for line-based tools. */
static void put_raw_json(GString *out, const char *json) {
  /* P: the first byte not yet copied; Q: each 0xE2 in turn (other characters starting with it,
   * such as curly quotes, are copied with the run they are in), then the NUL at the end. */
  const char *p = json, *q = json;
  while (*(q = strchrnul(q, 0xE2)) != '\0') {
    if (q[1] == '\x80' && (q[2] == '\xa8' || q[2] == '\xa9')) {
      put(out, p, (gsize)(q - p));
      put(out, q[2] == '\xa8' ? "\\u2028" : "\\u2029", 6);
      p = q + 3;
      q = p;
    } else {
      q++;
    }
  }
  put(out, p, (gsize)(q - p));
}

/* Grows OUT once to about the size of DOC's record: its text three times (once as the input
 * field, twice more for spans and their text), and room for its fields' keys, so that the record
 * seldom grows it again (a large field besides the text may). */
static void reserve_record(GString *out, const CopydeskDocument *doc, guint n_fields) {
  gsize original_len;
  copydesk_document_original(doc, &original_len);
  room(out, 256 + 16 * (gsize)n_fields + 3 * original_len);
}

gboolean json_record_reads(const JsonRecordConfig *config, const char *name) {
  static const struct {
    const char *layer;
    guint include; /* the keys written from it */
  } readers[] = {
      {COPYDESK_LAYER_SENTENCE, JSON_RECORD_SENTENCES},
      {COPYDESK_LAYER_PARAGRAPH, JSON_RECORD_PARAGRAPHS},
      {COPYDESK_LAYER_TOKEN, JSON_RECORD_TOKENS},
      /* quotes take their speakers' names from the entity groups */
      {COPYDESK_LAYER_ENTITY, JSON_RECORD_MENTIONS | JSON_RECORD_ENTITIES | JSON_RECORD_QUOTES},
      {COPYDESK_LAYER_QUOTE, JSON_RECORD_QUOTES},
      {"speaker", JSON_RECORD_QUOTES},
      {"cue", JSON_RECORD_QUOTES},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(readers); i++)
    if (same(name, readers[i].layer)) return (config->include & readers[i].include) != 0;
  return FALSE;
}

void json_record_append(const JsonRecordConfig *config, const CopydeskDocument *doc, GString *out) {
  guint n_fields = copydesk_document_n_fields(doc);
  reserve_record(out, doc, n_fields);
  Writer w = {.out = out, .pretty = config->pretty, .depth = config->pretty ? config->indent : 0};
  if (w.pretty)
    for (guint i = 0; i < w.depth; i++) g_string_append_len(out, "  ", 2);
  w_open(&w, '{');

  /* Which of copydesk's keys the input fields use. */
  guint taken = 0;
  for (guint i = 0; i < n_fields; i++)
    taken |= classify_key(config, copydesk_document_field_key(doc, i));

  if (!(taken & KEY_ID)) {
    W_KEY(&w, "id");
    copydesk_json_append_string(out, copydesk_document_id(doc), -1);
  }
  for (guint i = 0; i < n_fields; i++) {
    w_key(&w, copydesk_document_field_key(doc, i));
    put_raw_json(out, copydesk_document_field_json(doc, i));
  }

  Collisions col; /* KEYS is written before it is read */
  col.n = 0;
  col.nest = FALSE;
  gboolean has_text = (taken & JSON_RECORD_TEXT) != 0;
  if (config->nest == NULL) {
    w_copydesk_keys(&w, config, doc, taken, has_text, &col);
  } else if (taken & KEY_NEST) {
    col.nest = TRUE;
    w_errors(&w, config, doc, taken, &col);
  } else {
    w_key(&w, config->nest);
    w_open(&w, '{');
    w_copydesk_keys(&w, config, doc, 0, has_text, &col);
    w_close(&w, '}');
  }
  w_close(&w, '}');
  out->str[out->len] = '\0'; /* put() and put_c() leave it out */
}
