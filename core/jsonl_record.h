/* copydesk — reading one JSONL record.
 *
 * A strict RFC 8259 scanner for one JSON object per line.  It keeps each top-level
 * field's value as its raw JSON bytes (so numbers, nesting and escapes pass through
 * byte for byte) and decodes the one string field that holds the article text.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define COPYDESK_JSON_MAX_DEPTH 512 /* nesting inside one record */

typedef struct {
  char *key;  /* decoded key (UTF-8) */
  char *json; /* the value's raw JSON text, whitespace around it trimmed */
} CopydeskJsonField;

typedef struct {
  GPtrArray *fields; /* CopydeskJsonField*, in input order; keys may repeat as in the input */
} CopydeskJsonRecord;

/* Parses LEN bytes holding one JSON object (surrounding whitespace allowed).  On failure returns
 * NULL and sets ERROR (COPYDESK_DOCUMENT_ERROR_INPUT) with a message naming the column
 * ("column 17: expected ':' after key"). */
CopydeskJsonRecord *copydesk_json_record_parse(const char *data, gsize len, GError **error);
/* Frees RECORD. */
void copydesk_json_record_free(CopydeskJsonRecord *record);
/* The raw JSON value of the first field KEY, or NULL. */
const char *copydesk_json_record_get(const CopydeskJsonRecord *record, const char *key);
/* Decodes the JSON string literal JSON (with its quotes) into newly allocated bytes; LEN receives
 * the length (the string may hold \u0000).  Lone surrogates become U+FFFD.  NULL when JSON is not a
 * string literal. */
char *copydesk_json_string_decode(const char *json, gsize *len);

G_END_DECLS
