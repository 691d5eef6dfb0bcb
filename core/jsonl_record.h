/* copydesk — reading one JSONL record.
 *
 * A strict RFC 8259 scanner for one JSON object per line.  It keeps each top-level
 * field's value as its raw JSON bytes (so numbers, nesting and escapes pass through
 * byte for byte) and decodes the one string field that holds the article text in the
 * same pass.  The reader parses each line in place, with no allocation per field.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define COPYDESK_JSON_MAX_DEPTH 512 /* nesting inside one record */

/* One top-level field of a record; both strings point into the record's own bytes. */
typedef struct {
  const char *key;  /* the decoded key (UTF-8), NUL-terminated */
  const char *json; /* the value's raw JSON text, whitespace around it trimmed, NUL-terminated */
  gsize json_len;   /* the length of JSON in bytes */
} CopydeskJsonField;

typedef struct {
  char *bytes;    /* a copy of the record's bytes, which the fields point into */
  GArray *fields; /* CopydeskJsonField, in input order; keys may repeat as in the input */
} CopydeskJsonRecord;

/* Parses the JSON object in the LEN bytes at DATA in place (keys decoded, keys and values
 * NUL-terminated there) into FIELDS (CopydeskJsonField, emptied first); FALSE with ERROR if bad.
 * The first DECODE_KEY field (NULL: none), when a string, is decoded into DECODED (LEN + 1 bytes),
 * its length in *DECODED_LEN (else G_MAXSIZE). */
gboolean copydesk_json_record_parse_in_place(char *data, gsize len, GArray *fields,
                                             const char *decode_key, char *decoded,
                                             gsize *decoded_len, GError **error);
/* Parses LEN bytes holding one JSON object (surrounding whitespace allowed) into a new record.
 * On failure returns NULL and sets ERROR (COPYDESK_DOCUMENT_ERROR_INPUT) with a message naming
 * the column ("column 17: expected ':' after key"). */
CopydeskJsonRecord *copydesk_json_record_parse(const char *data, gsize len, GError **error);
/* Frees RECORD. */
void copydesk_json_record_free(CopydeskJsonRecord *record);
/* The first field KEY of FIELDS (a GArray of CopydeskJsonField), or NULL. */
const CopydeskJsonField *copydesk_json_fields_find(const GArray *fields, const char *key);
/* The raw JSON value of the first field KEY, or NULL. */
const char *copydesk_json_record_get(const CopydeskJsonRecord *record, const char *key);
/* Decodes the string literal JSON (with its quotes) into newly allocated bytes; LEN receives
 * the length (the string may hold \u0000).  Lone surrogates become U+FFFD.  NULL when JSON is not a
 * string literal. */
char *copydesk_json_string_decode(const char *json, gsize *len);

G_END_DECLS
