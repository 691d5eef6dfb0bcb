/* copydesk — the document model.
 *
 * A CopydeskDocument holds one article: an id, passthrough fields (the other
 * fields of a JSONL record, kept as raw JSON), the original bytes exactly as the
 * user gave them, the current text (always valid UTF-8, NUL-terminated), an
 * offset map from current to original positions, named layers of standoff spans,
 * and the errors stages reported.
 *
 * All positions in this API are byte offsets into the *current* text, half-open
 * [start, end), on UTF-8 character boundaries.  Text is only rewritten through a
 * CopydeskEdit, which keeps the offset map and every existing span right.
 *
 * Types are opaque; the core may grow them without breaking compiled plugins.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CopydeskDocument CopydeskDocument;
typedef struct _CopydeskLayer CopydeskLayer;
typedef struct _CopydeskSpan CopydeskSpan;
typedef struct _CopydeskEdit CopydeskEdit;

/* Well-known layer names used by the shipped plugins. */
#define COPYDESK_LAYER_TOKEN "token"
#define COPYDESK_LAYER_SENTENCE "sentence"
#define COPYDESK_LAYER_PARAGRAPH "paragraph"
#define COPYDESK_LAYER_ENTITY "entity"
#define COPYDESK_LAYER_QUOTE "quote"

/* The type of a span attribute. */
typedef enum {
  COPYDESK_ATTR_NONE = 0, /* attribute not set */
  COPYDESK_ATTR_STRING = 1,
  COPYDESK_ATTR_INT = 2,
  COPYDESK_ATTR_DOUBLE = 3,
  COPYDESK_ATTR_BOOL = 4,
  COPYDESK_ATTR_LINK = 5, /* a pointer to another span of the same document */
} CopydeskAttrType;

/* How output offsets are counted in the original text. */
typedef enum {
  COPYDESK_UNIT_CODEPOINTS = 0, /* Unicode code points; an invalid byte counts as one */
  COPYDESK_UNIT_BYTES = 1,
  COPYDESK_UNIT_UTF16 = 2, /* UTF-16 code units, as JavaScript strings count */
} CopydeskOffsetUnit;

/* ---- Documents ---------------------------------------------------------- */

/* Creates a document whose original text is the LEN bytes at TEXT (LEN -1: NUL-terminated).
 * Invalid UTF-8 becomes U+FFFD in the current text (mapped back to the bad bytes);
 * the number of invalid sequences is available from copydesk_document_n_invalid_bytes(). */
CopydeskDocument *copydesk_document_new(const char *id, const char *text, gssize len);
/* Frees the document, its layers, spans and fields. */
void copydesk_document_free(CopydeskDocument *doc);

/* The document id (never NULL). */
const char *copydesk_document_id(const CopydeskDocument *doc);
/* Replaces the document id. */
void copydesk_document_set_id(CopydeskDocument *doc, const char *id);

/* The current text, valid UTF-8 and NUL-terminated; LEN (may be NULL) receives its byte length.
 * Until a stage replaces it, a well-formed original may be returned as the same pointer. */
const char *copydesk_document_text(const CopydeskDocument *doc, gsize *len);
/* The original bytes exactly as given (NUL-terminated for convenience); LEN receives the length. */
const char *copydesk_document_original(const CopydeskDocument *doc, gsize *len);
/* How many invalid UTF-8 sequences the original text had (each became one U+FFFD). */
guint copydesk_document_n_invalid_sequences(const CopydeskDocument *doc);

/* Maps a span start in the current text to a byte offset in the original text. */
gsize copydesk_document_original_start(const CopydeskDocument *doc, gsize pos);
/* Maps a span end in the current text to a byte offset in the original text. */
gsize copydesk_document_original_end(const CopydeskDocument *doc, gsize pos);
/* Converts a byte offset in the original text to UNIT (code points, bytes, UTF-16 units).
 * O(1) in any order for well-formed text (the first call indexes the whole text); for text
 * with invalid bytes, amortised O(1) for increasing offsets and at most 256 bytes counted
 * for one behind the furthest asked. */
gsize copydesk_document_original_offset(const CopydeskDocument *doc, gsize byte_offset,
                                        CopydeskOffsetUnit unit);
/* A range of the current text mapped to the original text. */
typedef struct {
  gsize byte_start, byte_end; /* original byte offsets */
  gsize start, end;           /* the same two offsets in the unit asked for */
} CopydeskOriginalRange;

/* Maps the current range [START, END) to the original text in one call: RANGE receives the
 * original byte offsets of its start and end (from copydesk_document_original_start() and
 * _end(), at most the original's length, the end never before the start) and those two
 * offsets in UNIT. */
void copydesk_document_original_range(const CopydeskDocument *doc, gsize start, gsize end,
                                      CopydeskOffsetUnit unit, CopydeskOriginalRange *range);

/* ---- Passthrough fields (raw JSON values, in input order) --------------- */

/* Number of fields. */
guint copydesk_document_n_fields(const CopydeskDocument *doc);
/* Key of field I. */
const char *copydesk_document_field_key(const CopydeskDocument *doc, guint i);
/* Raw JSON text of field I's value, exactly as read (e.g. "\"abc\"", "12", "{...}"). */
const char *copydesk_document_field_json(const CopydeskDocument *doc, guint i);
/* Raw JSON value of field KEY, or NULL when absent. */
const char *copydesk_document_get_field(const CopydeskDocument *doc, const char *key);
/* Sets field KEY to the raw JSON text JSON (the caller guarantees it is valid JSON);
 * replaces an existing field in place, else appends. */
void copydesk_document_set_field(CopydeskDocument *doc, const char *key, const char *json);
/* Sets field KEY to the JSON string encoding of the UTF-8 string VALUE. */
void copydesk_document_set_field_string(CopydeskDocument *doc, const char *key, const char *value);

/* ---- Errors --------------------------------------------------------------- */

/* Records that STAGE failed on this document with MESSAGE. */
void copydesk_document_add_error(CopydeskDocument *doc, const char *stage, const char *message);
/* Number of recorded errors. */
guint copydesk_document_n_errors(const CopydeskDocument *doc);
/* Stage name of error I. */
const char *copydesk_document_error_stage(const CopydeskDocument *doc, guint i);
/* Message of error I. */
const char *copydesk_document_error_message(const CopydeskDocument *doc, guint i);

/* ---- Layers --------------------------------------------------------------- */

/* The layer called NAME, or NULL when no stage made it. */
CopydeskLayer *copydesk_document_layer(const CopydeskDocument *doc, const char *name);
/* The layer called NAME, created empty when absent. */
CopydeskLayer *copydesk_document_ensure_layer(CopydeskDocument *doc, const char *name);
/* FALSE when no later stage of the pipeline, nor its output, reads the layer NAME (their
 * descriptors' `reads` say so): the stage running may skip building it.  TRUE otherwise,
 * and outside a pipeline. */
gboolean copydesk_document_layer_wanted(const CopydeskDocument *doc, const char *name);
/* Number of layers. */
guint copydesk_document_n_layers(const CopydeskDocument *doc);
/* Layer I, in creation order. */
CopydeskLayer *copydesk_document_nth_layer(const CopydeskDocument *doc, guint i);

/* Name of LAYER. */
const char *copydesk_layer_name(const CopydeskLayer *layer);
/* Number of spans in LAYER. */
gsize copydesk_layer_n_spans(const CopydeskLayer *layer);
/* Span I of LAYER (in insertion order, or sorted order after copydesk_layer_sort()). */
CopydeskSpan *copydesk_layer_span(const CopydeskLayer *layer, gsize i);
/* The current start and end of every span of LAYER, in the order copydesk_layer_span() gives:
 * span I's in BOUNDS[2 * I] and BOUNDS[2 * I + 1] (room for 2 * copydesk_layer_n_spans()). */
void copydesk_layer_bounds(const CopydeskLayer *layer, gsize *bounds);
/* Adds the span [START, END) with LABEL (may be NULL) to LAYER; returns it, or NULL and sets
 * ERROR when the range is outside the text or not on character boundaries. */
CopydeskSpan *copydesk_layer_add(CopydeskLayer *layer, gsize start, gsize end, const char *label,
                                 GError **error);
/* One span to add with copydesk_layer_add_spans(). */
typedef struct {
  gsize start, end;  /* byte range in the current text */
  const char *label; /* may be NULL */
} CopydeskSpanInit;
/* Adds the N spans of SPANS to LAYER in order, as N calls of copydesk_layer_add() would, at a
 * fraction of the cost (for tokenizers); all or none: FALSE and ERROR name the first bad span. */
gboolean copydesk_layer_add_spans(CopydeskLayer *layer, const CopydeskSpanInit *spans, gsize n,
                                  GError **error);
/* Sorts LAYER's spans by start, then longer first; span pointers stay valid. */
void copydesk_layer_sort(CopydeskLayer *layer);
/* Maps every span of LAYER to the original text, as copydesk_document_original_range() would
 * one by one: RANGES[I] (room for copydesk_layer_n_spans() of them) receives span I's range.
 * Returns TRUE when the spans are in the order copydesk_layer_sort() gives (by start, then
 * longer first), FALSE when a sort would move them. */
gboolean copydesk_layer_original_ranges(const CopydeskLayer *layer, CopydeskOffsetUnit unit,
                                        CopydeskOriginalRange *ranges);
/* Removes every span of LAYER (links to them from other layers become unset). */
void copydesk_layer_clear(CopydeskLayer *layer);

/* ---- Spans ---------------------------------------------------------------- */

/* Start byte offset of SPAN in the current text. */
gsize copydesk_span_start(const CopydeskSpan *span);
/* End byte offset (exclusive) of SPAN in the current text. */
gsize copydesk_span_end(const CopydeskSpan *span);
/* Label of SPAN, or NULL. */
const char *copydesk_span_label(const CopydeskSpan *span);
/* Replaces the label of SPAN. */
void copydesk_span_set_label(CopydeskSpan *span, const char *label);
/* The layer SPAN belongs to. */
CopydeskLayer *copydesk_span_layer(const CopydeskSpan *span);
/* Position of SPAN in its layer's current order. */
gsize copydesk_span_index(const CopydeskSpan *span);
/* A pointer to SPAN's text inside the current text (not NUL-terminated at the end);
 * LEN receives the byte length. */
const char *copydesk_span_text(const CopydeskSpan *span, gsize *len);

/* Sets attribute KEY of SPAN to a copy of the UTF-8 string VALUE. */
void copydesk_span_set_string(CopydeskSpan *span, const char *key, const char *value);
/* Sets attribute KEY of SPAN to the integer VALUE. */
void copydesk_span_set_int(CopydeskSpan *span, const char *key, gint64 value);
/* Sets attribute KEY of SPAN to the number VALUE. */
void copydesk_span_set_double(CopydeskSpan *span, const char *key, double value);
/* Sets attribute KEY of SPAN to the boolean VALUE. */
void copydesk_span_set_bool(CopydeskSpan *span, const char *key, gboolean value);
/* Sets attribute KEY of SPAN to a link to TARGET, a span of the same document (NULL unsets). */
void copydesk_span_set_link(CopydeskSpan *span, const char *key, CopydeskSpan *target);

/* Type of attribute KEY of SPAN (COPYDESK_ATTR_NONE when unset). */
CopydeskAttrType copydesk_span_attr_type(const CopydeskSpan *span, const char *key);
/* String attribute KEY, or NULL when unset or of another type. */
const char *copydesk_span_get_string(const CopydeskSpan *span, const char *key);
/* Integer attribute KEY, or FALLBACK. */
gint64 copydesk_span_get_int(const CopydeskSpan *span, const char *key, gint64 fallback);
/* Number attribute KEY (integers convert), or FALLBACK. */
double copydesk_span_get_double(const CopydeskSpan *span, const char *key, double fallback);
/* Boolean attribute KEY, or FALLBACK. */
gboolean copydesk_span_get_bool(const CopydeskSpan *span, const char *key, gboolean fallback);
/* Linked span KEY, or NULL. */
CopydeskSpan *copydesk_span_get_link(const CopydeskSpan *span, const char *key);
/* Number of attributes set on SPAN. */
guint copydesk_span_n_attrs(const CopydeskSpan *span);
/* Key of attribute I of SPAN (in the order they were first set). */
const char *copydesk_span_attr_key(const CopydeskSpan *span, guint i);

/* ---- Rewriting the text -------------------------------------------------- */

/* Starts rewriting DOC's text.  Replacements are given in increasing, non-overlapping order of
 * current-text positions; the text between them is kept.  One edit may be open at a time. */
CopydeskEdit *copydesk_edit_begin(CopydeskDocument *doc);
/* Replaces current bytes [START, END) with the LEN bytes of valid UTF-8 at TEXT (LEN -1:
 * NUL-terminated; "" deletes, START == END inserts).  FALSE with ERROR on a range that is out of
 * order, outside the text, off a character boundary, or invalid replacement text, and when
 * EDIT was already committed or aborted. */
gboolean copydesk_edit_replace(CopydeskEdit *edit, gsize start, gsize end, const char *text,
                               gssize len, GError **error);
/* Applies the edit: the text is rewritten in one pass, the offset map composed and every
 * existing span moved to the new positions.  Ends EDIT: it must not be used again (a second
 * commit or an abort of it logs a critical warning and changes nothing). */
void copydesk_edit_commit(CopydeskEdit *edit);
/* Discards the edit without touching the document (NULL: nothing).  Ends EDIT: it must not
 * be used again (as for copydesk_edit_commit()). */
void copydesk_edit_abort(CopydeskEdit *edit);
/* Convenience: a one-replacement edit committed at once. */
gboolean copydesk_document_replace(CopydeskDocument *doc, gsize start, gsize end, const char *text,
                                   gssize len, GError **error);

G_END_DECLS
