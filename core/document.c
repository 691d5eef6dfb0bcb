/* copydesk — the document: text, original bytes, fields, errors, layers and spans. */
#include <stdlib.h>
#include <string.h>

#include <copydesk/errors.h>
#include <copydesk/json.h>

#include "document_private.h"
#include "utf8.h"

/* Spans live in blocks that never move: the first holds 64, each next one twice as many as
 * the one before, up to 8192.  A short document touches little memory; a long one few blocks. */
#define SPAN_BLOCK_MIN 64
#define SPAN_BLOCK_MAX_SHIFT 7
#define CHECKPOINT_STRIDE 1024 /* bytes between unit-count checkpoints of the original */

/* Capacity of span block B. */
static inline guint
span_block_size(guint b)
{
  return SPAN_BLOCK_MIN << MIN(b, SPAN_BLOCK_MAX_SHIFT);
}

static const char replacement_char[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* ---- Documents ------------------------------------------------------------ */

/* Builds the current text from the original bytes: invalid sequences become U+FFFD, one per
 * invalid byte, each recorded in the offset map as a replacement of that byte. */
static void
decode_original(CopydeskDocument *doc)
{
  const guchar *p = (const guchar *)doc->original;
  gsize len = doc->original_len;
  gsize i = 0, run_start = 0;

  doc->map.segments = g_array_new(FALSE, FALSE, sizeof(CopydeskSegment));
  doc->map.cur_len = 0;
  doc->map.orig_len = len;
  while (i < len) {
    if (i + 8 <= len && copydesk_ascii8(p + i)) { /* eight ASCII bytes at once */
      i += 8;
      continue;
    }
    if (p[i] < 0x80) {
      i++;
      continue;
    }
    gsize n = copydesk_utf8_sequence_length(p + i, len - i);
    if (n > 0) {
      i += n;
      continue;
    }
    g_string_append_len(doc->text, doc->original + run_start, i - run_start);
    copydesk_offset_map_append(&doc->map, i - run_start, run_start, i, TRUE);
    g_string_append_len(doc->text, replacement_char, 3);
    copydesk_offset_map_append(&doc->map, 3, i, i + 1, FALSE);
    doc->n_invalid++;
    i++;
    run_start = i;
  }
  g_string_append_len(doc->text, doc->original + run_start, len - run_start);
  copydesk_offset_map_append(&doc->map, len - run_start, run_start, len, TRUE);
}

CopydeskDocument *
copydesk_document_new(const char *id, const char *text, gssize len)
{
  if (len < 0)
    len = text ? (gssize)strlen(text) : 0;
  CopydeskDocument *doc = g_new0(CopydeskDocument, 1);
  doc->id = g_strdup(id ? id : "");
  doc->original = g_malloc(len + 1);
  if (len > 0)
    memcpy(doc->original, text, len);
  doc->original[len] = '\0';
  doc->original_len = len;
  doc->text = g_string_sized_new(len + 1);
  decode_original(doc);
  doc->fields = g_ptr_array_new();
  doc->errors = g_ptr_array_new();
  doc->layers = g_ptr_array_new();
  doc->strings = g_string_chunk_new(256);
  doc->span_blocks = g_ptr_array_new_with_free_func(g_free);
  return doc;
}

static void
free_layer(CopydeskLayer *layer)
{
  g_free(layer->spans);
  g_free(layer->name);
  g_free(layer);
}

void
copydesk_document_free(CopydeskDocument *doc)
{
  if (doc == NULL)
    return;
  for (guint i = 0; i < doc->layers->len; i++)
    free_layer(doc->layers->pdata[i]);
  g_ptr_array_free(doc->layers, TRUE);
  for (guint b = 0; b < doc->span_blocks->len; b++) {
    CopydeskSpan *block = doc->span_blocks->pdata[b];
    guint used = (b + 1 == doc->span_blocks->len) ? doc->block_used : span_block_size(b);
    for (guint i = 0; i < used; i++)
      g_free(block[i].attrs);
  }
  g_ptr_array_free(doc->span_blocks, TRUE);
  for (guint i = 0; i < doc->fields->len; i++) {
    CopydeskField *f = doc->fields->pdata[i];
    g_free(f->key);
    g_free(f->json);
    g_free(f);
  }
  g_ptr_array_free(doc->fields, TRUE);
  for (guint i = 0; i < doc->errors->len; i++) {
    CopydeskDocError *e = doc->errors->pdata[i];
    g_free(e->stage);
    g_free(e->message);
    g_free(e);
  }
  g_ptr_array_free(doc->errors, TRUE);
  if (doc->checkpoints)
    g_array_free(doc->checkpoints, TRUE);
  g_string_chunk_free(doc->strings);
  copydesk_offset_map_clear(&doc->map);
  g_string_free(doc->text, TRUE);
  g_free(doc->original);
  g_free(doc->id);
  g_free(doc);
}

const char *
copydesk_document_id(const CopydeskDocument *doc)
{
  return doc->id;
}

void
copydesk_document_set_id(CopydeskDocument *doc, const char *id)
{
  char *copy = g_strdup(id ? id : "");
  g_free(doc->id);
  doc->id = copy;
}

const char *
copydesk_document_text(const CopydeskDocument *doc, gsize *len)
{
  if (len)
    *len = doc->text->len;
  return doc->text->str;
}

const char *
copydesk_document_original(const CopydeskDocument *doc, gsize *len)
{
  if (len)
    *len = doc->original_len;
  return doc->original;
}

guint
copydesk_document_n_invalid_sequences(const CopydeskDocument *doc)
{
  return doc->n_invalid;
}

gsize
copydesk_document_original_start(const CopydeskDocument *doc, gsize pos)
{
  return copydesk_offset_map_start(&doc->map, pos);
}

gsize
copydesk_document_original_end(const CopydeskDocument *doc, gsize pos)
{
  return copydesk_offset_map_end(&doc->map, pos);
}

/* Advances CP over the original text up to byte TARGET, counting the characters that start
 * before TARGET (an ill-formed byte is one character). */
static void
count_units_until(const CopydeskDocument *doc, CopydeskUnitCheckpoint *cp, gsize target)
{
  const guchar *p = (const guchar *)doc->original;
  gsize len = doc->original_len;
  if (doc->n_invalid == 0) {
    /* Well-formed UTF-8: every byte but a continuation byte starts a character, and a
     * four-byte character (lead byte F0-F4) is two UTF-16 units.  CP may stop inside a
     * character; the counts are still those of the characters that start before it. */
    const guint64 high = G_GUINT64_CONSTANT(0x8080808080808080);
    gsize end = MIN(target, len);
    while (cp->byte + 8 <= end) {
      guint64 x;
      memcpy(&x, p + cp->byte, 8);
      cp->byte += 8;
      if ((x & high) == 0) {
        cp->codepoints += 8;
        cp->utf16 += 8;
        continue;
      }
      /* bit 7 of each byte: set, and bit 6 clear → continuation; bits 7-4 set → F0-FF */
      guint64 continuation = x & ~(x << 1) & high;
      guint64 four = x & (x << 1) & (x << 2) & (x << 3) & high;
      guint starts = 8 - (guint)__builtin_popcountll(continuation);
      cp->codepoints += starts;
      cp->utf16 += starts + (guint)__builtin_popcountll(four);
    }
    for (; cp->byte < end; cp->byte++) {
      guchar c = p[cp->byte];
      if ((c & 0xC0) != 0x80) {
        cp->codepoints++;
        cp->utf16 += c >= 0xF0 ? 2 : 1;
      }
    }
    return;
  }
  while (cp->byte < target && cp->byte < len) {
    if (cp->byte + 8 <= target && cp->byte + 8 <= len && copydesk_ascii8(p + cp->byte)) {
      cp->byte += 8; /* eight ASCII bytes at once */
      cp->codepoints += 8;
      cp->utf16 += 8;
      continue;
    }
    if (p[cp->byte] < 0x80) {
      cp->byte++;
      cp->codepoints++;
      cp->utf16++;
      continue;
    }
    gsize n = copydesk_utf8_sequence_length(p + cp->byte, len - cp->byte);
    if (n == 0)
      n = 1;
    cp->byte += n;
    cp->codepoints++;
    cp->utf16 += (n == 4) ? 2 : 1;
  }
}

/* Builds the checkpoint index: one checkpoint at the first character boundary at or after every
 * CHECKPOINT_STRIDE bytes. */
static void
build_checkpoints(CopydeskDocument *doc)
{
  doc->checkpoints = g_array_new(FALSE, TRUE, sizeof(CopydeskUnitCheckpoint));
  CopydeskUnitCheckpoint cp = {0, 0, 0};
  g_array_append_val(doc->checkpoints, cp);
  for (gsize next = CHECKPOINT_STRIDE; next < doc->original_len; next += CHECKPOINT_STRIDE) {
    count_units_until(doc, &cp, next); /* may stop up to 3 bytes past NEXT */
    g_array_append_val(doc->checkpoints, cp);
  }
}

gsize
copydesk_document_original_offset(const CopydeskDocument *doc, gsize byte_offset,
                                  CopydeskOffsetUnit unit)
{
  if (unit == COPYDESK_UNIT_BYTES)
    return MIN(byte_offset, doc->original_len);
  /* The index is a cache: building it does not change what the document holds. */
  CopydeskDocument *mutable_doc = (CopydeskDocument *)doc;
  CopydeskUnitCheckpoint cp = doc->cursor;
  if (byte_offset < cp.byte || byte_offset - cp.byte > CHECKPOINT_STRIDE) {
    if (doc->checkpoints == NULL)
      build_checkpoints(mutable_doc);
    guint lo = 0, hi = doc->checkpoints->len;
    while (hi - lo > 1) { /* last checkpoint with byte <= byte_offset */
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index(doc->checkpoints, CopydeskUnitCheckpoint, mid).byte <= byte_offset)
        lo = mid;
      else
        hi = mid;
    }
    cp = g_array_index(doc->checkpoints, CopydeskUnitCheckpoint, lo);
  }
  count_units_until(doc, &cp, byte_offset);
  mutable_doc->cursor = cp;
  return unit == COPYDESK_UNIT_UTF16 ? cp.utf16 : cp.codepoints;
}

/* ---- Fields --------------------------------------------------------------- */

guint
copydesk_document_n_fields(const CopydeskDocument *doc)
{
  return doc->fields->len;
}

const char *
copydesk_document_field_key(const CopydeskDocument *doc, guint i)
{
  g_return_val_if_fail(i < doc->fields->len, NULL);
  return ((CopydeskField *)doc->fields->pdata[i])->key;
}

const char *
copydesk_document_field_json(const CopydeskDocument *doc, guint i)
{
  g_return_val_if_fail(i < doc->fields->len, NULL);
  return ((CopydeskField *)doc->fields->pdata[i])->json;
}

const char *
copydesk_document_get_field(const CopydeskDocument *doc, const char *key)
{
  for (guint i = 0; i < doc->fields->len; i++) {
    CopydeskField *f = doc->fields->pdata[i];
    if (strcmp(f->key, key) == 0)
      return f->json;
  }
  return NULL;
}

void
copydesk_document_set_field(CopydeskDocument *doc, const char *key, const char *json)
{
  for (guint i = 0; i < doc->fields->len; i++) {
    CopydeskField *f = doc->fields->pdata[i];
    if (strcmp(f->key, key) == 0) {
      char *copy = g_strdup(json);
      g_free(f->json);
      f->json = copy;
      return;
    }
  }
  CopydeskField *f = g_new(CopydeskField, 1);
  f->key = g_strdup(key);
  f->json = g_strdup(json);
  g_ptr_array_add(doc->fields, f);
}

void
copydesk_document_set_field_string(CopydeskDocument *doc, const char *key, const char *value)
{
  GString *json = g_string_new(NULL);
  copydesk_json_append_string(json, value, -1);
  copydesk_document_set_field(doc, key, json->str);
  g_string_free(json, TRUE);
}

/* ---- Errors --------------------------------------------------------------- */

void
copydesk_document_add_error(CopydeskDocument *doc, const char *stage, const char *message)
{
  CopydeskDocError *e = g_new(CopydeskDocError, 1);
  e->stage = g_strdup(stage ? stage : "");
  e->message = g_strdup(message ? message : "");
  g_ptr_array_add(doc->errors, e);
}

guint
copydesk_document_n_errors(const CopydeskDocument *doc)
{
  return doc->errors->len;
}

const char *
copydesk_document_error_stage(const CopydeskDocument *doc, guint i)
{
  g_return_val_if_fail(i < doc->errors->len, NULL);
  return ((CopydeskDocError *)doc->errors->pdata[i])->stage;
}

const char *
copydesk_document_error_message(const CopydeskDocument *doc, guint i)
{
  g_return_val_if_fail(i < doc->errors->len, NULL);
  return ((CopydeskDocError *)doc->errors->pdata[i])->message;
}

/* ---- Layers --------------------------------------------------------------- */

CopydeskLayer *
copydesk_document_layer(const CopydeskDocument *doc, const char *name)
{
  for (guint i = 0; i < doc->layers->len; i++) {
    CopydeskLayer *layer = doc->layers->pdata[i];
    if (strcmp(layer->name, name) == 0)
      return layer;
  }
  return NULL;
}

CopydeskLayer *
copydesk_document_ensure_layer(CopydeskDocument *doc, const char *name)
{
  CopydeskLayer *layer = copydesk_document_layer(doc, name);
  if (layer)
    return layer;
  layer = g_new0(CopydeskLayer, 1);
  layer->doc = doc;
  layer->name = g_strdup(name);
  g_ptr_array_add(doc->layers, layer);
  return layer;
}

guint
copydesk_document_n_layers(const CopydeskDocument *doc)
{
  return doc->layers->len;
}

CopydeskLayer *
copydesk_document_nth_layer(const CopydeskDocument *doc, guint i)
{
  g_return_val_if_fail(i < doc->layers->len, NULL);
  return doc->layers->pdata[i];
}

const char *
copydesk_layer_name(const CopydeskLayer *layer)
{
  return layer->name;
}

gsize
copydesk_layer_n_spans(const CopydeskLayer *layer)
{
  return layer->n_spans;
}

CopydeskSpan *
copydesk_layer_span(const CopydeskLayer *layer, gsize i)
{
  g_return_val_if_fail(i < layer->n_spans, NULL);
  return layer->spans[i];
}

/* Up to WANT (> 0) consecutive new spans of DOC's blocks: returns the first, *GOT how many. */
static CopydeskSpan *
allocate_spans(CopydeskDocument *doc, gsize want, gsize *got)
{
  guint n = doc->span_blocks->len;
  if (n == 0 || doc->block_used == span_block_size(n - 1)) {
    g_ptr_array_add(doc->span_blocks, g_new(CopydeskSpan, span_block_size(n)));
    doc->block_used = 0;
    n++;
  }
  CopydeskSpan *block = doc->span_blocks->pdata[n - 1];
  *got = MIN(want, span_block_size(n - 1) - doc->block_used);
  CopydeskSpan *first = &block[doc->block_used];
  doc->block_used += (guint)*got;
  return first;
}

/* A fresh span from the document's blocks (its fields are not set). */
static CopydeskSpan *
allocate_span(CopydeskDocument *doc)
{
  gsize got;
  return allocate_spans(doc, 1, &got);
}

/* LABEL interned in LAYER's document, found first among the labels the layer already used. */
static const char *
intern_label(CopydeskLayer *layer, const char *label)
{
  for (guint i = 0; i < layer->n_labels; i++) {
    const char *known = layer->labels[i];
    gsize k = 0;
    while (known[k] == label[k] && known[k] != '\0')
      k++;
    if (known[k] == label[k])
      return known;
  }
  const char *interned = g_string_chunk_insert_const(layer->doc->strings, label);
  if (layer->n_labels < LAYER_LABEL_CACHE)
    layer->labels[layer->n_labels++] = interned;
  return interned;
}

/* TRUE when [START, END) is a range of DOC's text on character boundaries. */
static inline gboolean
range_ok(const CopydeskDocument *doc, gsize start, gsize end)
{
  const char *text = doc->text->str;
  gsize len = doc->text->len;
  return start <= end && end <= len && copydesk_utf8_is_boundary(text, len, start) &&
         copydesk_utf8_is_boundary(text, len, end);
}

/* TRUE when [START, END) is a range of LAYER's text on character boundaries; otherwise
 * FALSE with ERROR naming the span and the layer. */
static gboolean
check_range(CopydeskLayer *layer, gsize start, gsize end, GError **error)
{
  CopydeskDocument *doc = layer->doc;
  if (range_ok(doc, start, end))
    return TRUE;
  if (start > end || end > doc->text->len) {
    g_set_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_RANGE,
                "span [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") of layer '%s' is outside the "
                "text (%" G_GSIZE_FORMAT " bytes)",
                start, end, layer->name, doc->text->len);
    return FALSE;
  }
  g_set_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_BOUNDARY,
              "span [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") of layer '%s' cuts a UTF-8 "
              "character",
              start, end, layer->name);
  return FALSE;
}

/* Room for N more spans in LAYER's span array. */
static void
reserve_spans(CopydeskLayer *layer, gsize n)
{
  if (layer->n_spans + n <= layer->cap_spans)
    return;
  gsize cap = layer->cap_spans ? layer->cap_spans : 16;
  while (cap < layer->n_spans + n)
    cap *= 2;
  layer->cap_spans = cap;
  layer->spans = g_renew(CopydeskSpan *, layer->spans, cap);
}

/* Makes SPAN (fresh from the blocks) [START, END) with the interned LABEL and puts it at the
 * end of LAYER (room reserved). */
static inline CopydeskSpan *
append_span(CopydeskLayer *layer, CopydeskSpan *span, gsize start, gsize end,
            const char *interned)
{
  span->layer = layer;
  span->start = start;
  span->end = end;
  span->n_attrs = span->cap_attrs = 0;
  span->attrs = NULL;
  span->label = interned;
  span->index = layer->n_spans;
  layer->spans[layer->n_spans++] = span;
  return span;
}

CopydeskSpan *
copydesk_layer_add(CopydeskLayer *layer, gsize start, gsize end, const char *label,
                   GError **error)
{
  if (!check_range(layer, start, end, error))
    return NULL;
  reserve_spans(layer, 1);
  return append_span(layer, allocate_span(layer->doc), start, end,
                     label ? intern_label(layer, label) : NULL);
}

gboolean
copydesk_layer_add_spans(CopydeskLayer *layer, const CopydeskSpanInit *spans, gsize n,
                         GError **error)
{
  for (gsize i = 0; i < n; i++)
    if (G_UNLIKELY(!range_ok(layer->doc, spans[i].start, spans[i].end)))
      return check_range(layer, spans[i].start, spans[i].end, error); /* sets ERROR */
  reserve_spans(layer, n);
  /* The caller's label strings cannot change during this call, so a label pointer seen
   * before has the same interned form: a few pointers are remembered. */
  const char *seen[4] = {NULL, NULL, NULL, NULL}, *interned[4] = {NULL, NULL, NULL, NULL};
  guint next_slot = 0;
  gsize room = 0;
  CopydeskSpan *span = NULL;
  for (gsize i = 0; i < n; i++) {
    const char *label = spans[i].label, *in = NULL;
    if (label != NULL) {
      guint j = 0;
      while (j < 4 && seen[j] != label)
        j++;
      if (j < 4) {
        in = interned[j];
      } else {
        in = intern_label(layer, label);
        seen[next_slot] = label;
        interned[next_slot] = in;
        next_slot = (next_slot + 1) % 4;
      }
    }
    if (room == 0)
      span = allocate_spans(layer->doc, n - i, &room);
    room--;
    append_span(layer, span++, spans[i].start, spans[i].end, in);
  }
  return TRUE;
}

static gint
compare_spans(gconstpointer a, gconstpointer b)
{
  const CopydeskSpan *x = *(CopydeskSpan *const *)a;
  const CopydeskSpan *y = *(CopydeskSpan *const *)b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end > y->end ? -1 : 1; /* longer first */
  return x->index < y->index ? -1 : (x->index > y->index);
}

void
copydesk_layer_sort(CopydeskLayer *layer)
{
  /* Ties keep insertion order: the comparison ends on the old index. */
  if (layer->n_spans > 1)
    qsort(layer->spans, layer->n_spans, sizeof(CopydeskSpan *), compare_spans);
  for (gsize i = 0; i < layer->n_spans; i++)
    layer->spans[i]->index = i;
}

void
copydesk_layer_clear(CopydeskLayer *layer)
{
  for (gsize i = 0; i < layer->n_spans; i++)
    layer->spans[i]->layer = NULL;
  layer->n_spans = 0;
}

/* ---- Spans ---------------------------------------------------------------- */

gsize
copydesk_span_start(const CopydeskSpan *span)
{
  return span->start;
}

gsize
copydesk_span_end(const CopydeskSpan *span)
{
  return span->end;
}

const char *
copydesk_span_label(const CopydeskSpan *span)
{
  return span->label;
}

void
copydesk_span_set_label(CopydeskSpan *span, const char *label)
{
  g_return_if_fail(span->layer != NULL);
  span->label = label ? g_string_chunk_insert_const(span->layer->doc->strings, label) : NULL;
}

CopydeskLayer *
copydesk_span_layer(const CopydeskSpan *span)
{
  return span->layer;
}

gsize
copydesk_span_index(const CopydeskSpan *span)
{
  return span->index;
}

const char *
copydesk_span_text(const CopydeskSpan *span, gsize *len)
{
  if (len)
    *len = span->end - span->start;
  if (span->layer == NULL)
    return "";
  return span->layer->doc->text->str + span->start;
}

/* The attribute KEY of SPAN, or NULL. */
static CopydeskAttr *
find_attr(const CopydeskSpan *span, const char *key)
{
  for (guint i = 0; i < span->n_attrs; i++)
    if (strcmp(span->attrs[i].key, key) == 0)
      return &span->attrs[i];
  return NULL;
}

/* The attribute KEY of SPAN, added (unset) when absent. */
static CopydeskAttr *
ensure_attr(CopydeskSpan *span, const char *key)
{
  CopydeskAttr *attr = find_attr(span, key);
  if (attr)
    return attr;
  if (span->n_attrs == span->cap_attrs) {
    span->cap_attrs = span->cap_attrs ? span->cap_attrs * 2 : 4;
    span->attrs = g_renew(CopydeskAttr, span->attrs, span->cap_attrs);
  }
  attr = &span->attrs[span->n_attrs++];
  attr->key = g_string_chunk_insert_const(span->layer->doc->strings, key);
  attr->type = COPYDESK_ATTR_NONE;
  return attr;
}

void
copydesk_span_set_string(CopydeskSpan *span, const char *key, const char *value)
{
  g_return_if_fail(span->layer != NULL);
  CopydeskAttr *attr = ensure_attr(span, key);
  if (value == NULL) {
    attr->type = COPYDESK_ATTR_NONE;
    return;
  }
  attr->type = COPYDESK_ATTR_STRING;
  attr->v.s = g_string_chunk_insert(span->layer->doc->strings, value);
}

void
copydesk_span_set_int(CopydeskSpan *span, const char *key, gint64 value)
{
  g_return_if_fail(span->layer != NULL);
  CopydeskAttr *attr = ensure_attr(span, key);
  attr->type = COPYDESK_ATTR_INT;
  attr->v.i = value;
}

void
copydesk_span_set_double(CopydeskSpan *span, const char *key, double value)
{
  g_return_if_fail(span->layer != NULL);
  CopydeskAttr *attr = ensure_attr(span, key);
  attr->type = COPYDESK_ATTR_DOUBLE;
  attr->v.d = value;
}

void
copydesk_span_set_bool(CopydeskSpan *span, const char *key, gboolean value)
{
  g_return_if_fail(span->layer != NULL);
  CopydeskAttr *attr = ensure_attr(span, key);
  attr->type = COPYDESK_ATTR_BOOL;
  attr->v.b = value ? TRUE : FALSE;
}

void
copydesk_span_set_link(CopydeskSpan *span, const char *key, CopydeskSpan *target)
{
  g_return_if_fail(span->layer != NULL);
  g_return_if_fail(target == NULL ||
                   (target->layer != NULL && target->layer->doc == span->layer->doc));
  CopydeskAttr *attr = ensure_attr(span, key);
  attr->type = target ? COPYDESK_ATTR_LINK : COPYDESK_ATTR_NONE;
  attr->v.link = target;
}

CopydeskAttrType
copydesk_span_attr_type(const CopydeskSpan *span, const char *key)
{
  CopydeskAttr *attr = find_attr(span, key);
  if (attr == NULL)
    return COPYDESK_ATTR_NONE;
  if (attr->type == COPYDESK_ATTR_LINK && attr->v.link->layer == NULL)
    return COPYDESK_ATTR_NONE; /* the target was cleared */
  return attr->type;
}

const char *
copydesk_span_get_string(const CopydeskSpan *span, const char *key)
{
  CopydeskAttr *attr = find_attr(span, key);
  return (attr && attr->type == COPYDESK_ATTR_STRING) ? attr->v.s : NULL;
}

gint64
copydesk_span_get_int(const CopydeskSpan *span, const char *key, gint64 fallback)
{
  CopydeskAttr *attr = find_attr(span, key);
  return (attr && attr->type == COPYDESK_ATTR_INT) ? attr->v.i : fallback;
}

double
copydesk_span_get_double(const CopydeskSpan *span, const char *key, double fallback)
{
  CopydeskAttr *attr = find_attr(span, key);
  if (attr && attr->type == COPYDESK_ATTR_DOUBLE)
    return attr->v.d;
  if (attr && attr->type == COPYDESK_ATTR_INT)
    return (double)attr->v.i;
  return fallback;
}

gboolean
copydesk_span_get_bool(const CopydeskSpan *span, const char *key, gboolean fallback)
{
  CopydeskAttr *attr = find_attr(span, key);
  return (attr && attr->type == COPYDESK_ATTR_BOOL) ? attr->v.b : fallback;
}

CopydeskSpan *
copydesk_span_get_link(const CopydeskSpan *span, const char *key)
{
  CopydeskAttr *attr = find_attr(span, key);
  if (attr && attr->type == COPYDESK_ATTR_LINK && attr->v.link->layer != NULL)
    return attr->v.link;
  return NULL;
}

guint
copydesk_span_n_attrs(const CopydeskSpan *span)
{
  return span->n_attrs;
}

const char *
copydesk_span_attr_key(const CopydeskSpan *span, guint i)
{
  g_return_val_if_fail(i < span->n_attrs, NULL);
  return span->attrs[i].key;
}

/* ---- Moving spans after an edit ----------------------------------------- */

void
copydesk_document_move_spans(CopydeskDocument *doc, CopydeskPositionMapper map_start,
                             CopydeskPositionMapper map_end, gpointer data)
{
  for (guint l = 0; l < doc->layers->len; l++) {
    CopydeskLayer *layer = doc->layers->pdata[l];
    for (gsize i = 0; i < layer->n_spans; i++) {
      CopydeskSpan *span = layer->spans[i];
      gsize start = map_start(data, span->start);
      gsize end = map_end(data, span->end);
      span->start = start;
      span->end = MAX(start, end);
    }
  }
}
