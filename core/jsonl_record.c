/* copydesk — reading one JSONL record.
 *
 * A single-pass, strict RFC 8259 scanner.  Only the top-level object is taken apart:
 * each field keeps its decoded key and the exact input bytes of its value.  Nested
 * values are validated with an explicit stack bounded by COPYDESK_JSON_MAX_DEPTH, so
 * hostile nesting cannot exhaust the C stack.  Strings are scanned 32 bytes at a time
 * while they hold nothing but plain ASCII; the one string wanted decoded (the article
 * text) is decoded in the same pass, copied sixteen bytes a store.  Records are parsed in
 * place: keys are decoded where they stand and keys and values NUL-terminated there, so
 * reading a record allocates nothing per field.
 *
 * Columns in error messages are 1-based byte offsets into the data given.
 */
#include "jsonl_record.h"
#include "json_plain.h"
#include "utf8.h"

#include <copydesk/errors.h>

#include <string.h>

typedef struct {
  const guchar *start; /* the first byte of the input (column 1) */
  const guchar *pos;   /* the next byte to read */
  const guchar *end;   /* one past the last byte */
  GError **error;      /* NULL when the caller only wants a yes or no */
} Scanner;

/* Sets the scanner's error to "column N: MESSAGE", N being the column of AT; returns FALSE. */
G_GNUC_PRINTF(3, 4)
static gboolean fail(Scanner *s, const guchar *at, const char *format, ...)
{
  if (s->error == NULL)
    return FALSE;
  va_list args;
  va_start(args, format);
  char *message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(s->error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_INPUT,
              "column %" G_GSIZE_FORMAT ": %s", (gsize)(at - s->start) + 1, message);
  g_free(message);
  return FALSE;
}

/* Fails at the scanner's position, saying "unexpected end of input" when it is at the end. */
static gboolean fail_expected(Scanner *s, const char *what)
{
  if (s->pos >= s->end)
    return fail(s, s->pos, "unexpected end of input, expected %s", what);
  return fail(s, s->pos, "expected %s", what);
}

/* Skips JSON whitespace (space, tab, line feed, carriage return). */
static inline void skip_ws(Scanner *s)
{
  const guchar *p = s->pos;
  while (p < s->end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  s->pos = p;
}

/* Reads four hex digits at P into *VALUE; FALSE when one is not a hex digit. */
static inline gboolean hex4(const guchar *p, guint *value)
{
  guint v = 0;
  for (int i = 0; i < 4; i++) {
    int d = copydesk_hex_digit(p[i]);
    if (d < 0)
      return FALSE;
    v = (v << 4) | (guint)d;
  }
  *value = v;
  return TRUE;
}

/* Writes code point CP as UTF-8 at OUT; returns the byte count. */
static inline int put_utf8(char *out, guint cp)
{
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Scans the string literal at s->pos (which is a '"') and leaves s->pos after its closing quote.
 * With OUT non-NULL, also writes the decoded bytes there and their count to *OUT_LEN: OUT needs
 * room for as many bytes as the literal has, less one, and must not overlap it (plain bytes are
 * stored in whole blocks, past the decoded end: see json_plain_prefix()).  *ESCAPED
 * (optional) tells whether the literal held an escape. */
static gboolean scan_string(Scanner *s, char *out, gsize *out_len, gboolean *escaped)
{
  const guchar *open = s->pos;
  const guchar *p = open + 1;
  const guchar *end = s->end;
  char *o = out;
  gboolean any_escape = FALSE;

  for (;;) {
    /* The fast path: a run of plain bytes (the copy made only when wanted). */
    gsize run = o != NULL ? json_plain_prefix(p, end, o) : json_plain_prefix(p, end, NULL);
    p += run;
    if (o != NULL)
      o += run;
    if (p >= end)
      return fail(s, open, "unterminated string");

    guchar c = *p;
    if (c == '"') {
      s->pos = p + 1;
      if (out_len != NULL)
        *out_len = (gsize)(o - out);
      if (escaped != NULL)
        *escaped = any_escape;
      return TRUE;
    }
    if (c == '\\') {
      any_escape = TRUE;
      if (end - p < 2)
        return fail(s, open, "unterminated string");
      char simple = json_unescaped[p[1]];
      if (simple == 0 && p[1] != 'u') {
        if (p[1] > 0x20 && p[1] < 0x7F)
          return fail(s, p, "invalid escape '\\%c' in string", p[1]);
        return fail(s, p, "invalid escape in string");
      }
      if (simple != 0) {
        if (o != NULL)
          *o++ = simple;
        p += 2;
        continue;
      }
      guint cp;
      if (end - p < 6 || !hex4(p + 2, &cp))
        return fail(s, p, "invalid \\u escape (expected four hex digits)");
      p += 6;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        /* A high surrogate counts only when a low one follows; otherwise it is lone. */
        guint low;
        if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, &low) && low >= 0xDC00 &&
            low <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          p += 6;
        } else {
          cp = 0xFFFD;
        }
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        cp = 0xFFFD;
      }
      if (o != NULL)
        o += put_utf8(o, cp);
      continue;
    }
    if (c < 0x20)
      return fail(s, p, "raw control character U+%04X in string", c);
    /* c >= 0x80: one UTF-8 sequence. */
    int n = copydesk_utf8_sequence_length(p, (gsize)(end - p));
    if (n == 0)
      return fail(s, p, "invalid UTF-8 in string");
    if (o != NULL) {
      json_copy_sequence(o, p, (gsize)n);
      o += n;
    }
    p += n;
  }
}

/* Scans a number per the RFC 8259 grammar at s->pos. */
static gboolean scan_number(Scanner *s)
{
  const guchar *p = s->pos;
  const guchar *end = s->end;
  if (*p == '-') {
    p++;
    if (p >= end || !g_ascii_isdigit(*p))
      return fail(s, p, "expected a digit after '-'");
  }
  if (*p == '0') {
    p++;
    if (p < end && g_ascii_isdigit(*p))
      return fail(s, p - 1, "leading zero in number");
  } else {
    while (p < end && g_ascii_isdigit(*p))
      p++;
  }
  if (p < end && *p == '.') {
    p++;
    if (p >= end || !g_ascii_isdigit(*p))
      return fail(s, p, "expected a digit after '.'");
    while (p < end && g_ascii_isdigit(*p))
      p++;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < end && (*p == '+' || *p == '-'))
      p++;
    if (p >= end || !g_ascii_isdigit(*p))
      return fail(s, p, "expected a digit in the exponent");
    while (p < end && g_ascii_isdigit(*p))
      p++;
  }
  s->pos = p;
  return TRUE;
}

/* Scans the literal WORD (true, false or null) at s->pos. */
static gboolean scan_literal(Scanner *s, const char *word, gsize n)
{
  const guchar *p = s->pos;
  if ((gsize)(s->end - p) < n || memcmp(p, word, n) != 0 ||
      (p + n < s->end && g_ascii_isalnum(p[n])))
    return fail(s, p, "invalid literal (expected true, false or null)");
  s->pos = p + n;
  return TRUE;
}

/* Scans an object key and its ':' at s->pos, leaving s->pos at the value. */
static gboolean scan_key_colon(Scanner *s)
{
  if (s->pos >= s->end || *s->pos != '"')
    return fail_expected(s, "a string key");
  if (!scan_string(s, NULL, NULL, NULL))
    return FALSE;
  skip_ws(s);
  if (s->pos >= s->end || *s->pos != ':')
    return fail_expected(s, "':' after key");
  s->pos++;
  skip_ws(s);
  return TRUE;
}

/* Scans one complete value at s->pos, iteratively: STACK holds the open containers.  BASE_DEPTH is
 * the number of containers already open around the value (1 for a field of the record). */
static gboolean scan_value(Scanner *s, guint base_depth)
{
  guchar stack[COPYDESK_JSON_MAX_DEPTH];
  guint depth = 0;

  for (;;) {
    /* Expect a value. */
    if (s->pos >= s->end)
      return fail_expected(s, "a value");
    const guchar *p = s->pos;
    guchar c = *p;
    switch (c) {
    case '{':
    case '[':
      if (base_depth + depth >= COPYDESK_JSON_MAX_DEPTH)
        return fail(s, p, "nesting deeper than %d levels", COPYDESK_JSON_MAX_DEPTH);
      s->pos++;
      skip_ws(s);
      if (s->pos < s->end && *s->pos == (c == '{' ? '}' : ']')) {
        s->pos++; /* an empty container is a complete value */
        break;
      }
      stack[depth++] = c;
      if (c == '{' && !scan_key_colon(s))
        return FALSE;
      continue;
    case '"':
      if (!scan_string(s, NULL, NULL, NULL))
        return FALSE;
      break;
    case 't':
      if (!scan_literal(s, "true", 4))
        return FALSE;
      break;
    case 'f':
      if (!scan_literal(s, "false", 5))
        return FALSE;
      break;
    case 'n':
      if (!scan_literal(s, "null", 4))
        return FALSE;
      break;
    default:
      if (c == '-' || g_ascii_isdigit(c)) {
        if (!scan_number(s))
          return FALSE;
        break;
      }
      if (g_ascii_isalpha(c))
        return fail(s, p, "invalid literal (expected true, false or null)");
      return fail(s, p, "expected a value");
    }

    /* A value is complete: close containers until one wants another element. */
    for (;;) {
      if (depth == 0)
        return TRUE;
      gboolean object = stack[depth - 1] == '{';
      skip_ws(s);
      if (s->pos < s->end && *s->pos == ',') {
        const guchar *comma = s->pos;
        s->pos++;
        skip_ws(s);
        if (s->pos < s->end && *s->pos == (object ? '}' : ']'))
          return fail(s, comma, "trailing comma before '%c'", object ? '}' : ']');
        if (object && !scan_key_colon(s))
          return FALSE;
        break;
      }
      if (s->pos < s->end && *s->pos == (object ? '}' : ']')) {
        s->pos++;
        depth--;
        continue;
      }
      return fail_expected(s, object ? "',' or '}'" : "',' or ']'");
    }
  }
}

/* Decodes the string literal of N bytes at P (with its quotes) into a new NUL-terminated buffer;
 * NULL when the bytes are not exactly one valid literal. */
static char *decode_literal(const guchar *p, gsize n, gsize *len)
{
  if (n < 2 || p[0] != '"')
    return NULL;
  Scanner s = {p, p, p + n, NULL};
  char *out = g_malloc(n - 1); /* the decoded text is never longer than the inside of the literal */
  gsize out_len = 0;
  if (!scan_string(&s, out, &out_len, NULL) || s.pos != s.end) {
    g_free(out);
    return NULL;
  }
  out[out_len] = '\0';
  if (len != NULL)
    *len = out_len;
  return out;
}

/* Scans the key at s->pos, decodes it in place when it holds escapes, NUL-terminates it and
 * returns it; NULL when it is not a valid string. */
static char *scan_key(Scanner *s)
{
  if (s->pos >= s->end || *s->pos != '"') {
    fail_expected(s, "a string key");
    return NULL;
  }
  const guchar *open = s->pos;
  char *key = (char *)open + 1;
  gboolean escaped = FALSE;
  if (!scan_string(s, NULL, NULL, &escaped))
    return NULL;
  gsize len = (gsize)(s->pos - open) - 2; /* inside the quotes */
  if (escaped) { /* rare: decode aside, then over the literal (never longer than it) */
    gsize n = (gsize)(s->pos - open);
    char *decoded = decode_literal(open, n, &len);
    memcpy(key, decoded, len);
    g_free(decoded);
  }
  key[len] = '\0';
  return key;
}

/* The fields of a record as they are found: gathered in FOUND and put into FIELDS (from its
 * start, whatever it held) a block at a time, so a record of a few fields costs one call. */
typedef struct {
  GArray *fields;
  guint n_put; /* the fields put into FIELDS */
  guint n_found; /* the fields in FOUND after them */
  CopydeskJsonField found[16];
} FieldSink;

/* Puts the fields SINK gathered into its array, which then holds exactly those found so far. */
static void put_fields(FieldSink *sink)
{
  g_array_set_size(sink->fields, sink->n_put + sink->n_found);
  if (sink->n_found > 0)
    memcpy(&g_array_index(sink->fields, CopydeskJsonField, sink->n_put), sink->found,
           sink->n_found * sizeof(CopydeskJsonField));
  sink->n_put += sink->n_found;
  sink->n_found = 0;
}

/* Adds FIELD to SINK. */
static inline void add_field(FieldSink *sink, CopydeskJsonField field)
{
  if (sink->n_found == G_N_ELEMENTS(sink->found))
    put_fields(sink);
  sink->found[sink->n_found++] = field;
}

/* Parses the fields of the record after its '{' up to and with its '}' into SINK, decoding the
 * first DECODE_KEY string (see copydesk_json_record_parse_in_place()). */
static gboolean parse_fields(Scanner *s, FieldSink *sink, const char *decode_key, char *decoded,
                             gsize *decoded_len)
{
  /* the field to decode is still to come: its key's length is compared before its bytes */
  gboolean want = decode_key != NULL;
  gsize decode_key_len = want ? strlen(decode_key) : 0;
  skip_ws(s);
  if (s->pos < s->end && *s->pos == '}') {
    s->pos++;
    return TRUE;
  }
  for (;;) {
    const guchar *open = s->pos;
    const char *key = scan_key(s);
    if (key == NULL)
      return FALSE;
    /* the bytes inside the quotes, never fewer than the decoded key's: a key with fewer than
     * DECODE_KEY's is not it */
    gsize key_len = (gsize)(s->pos - open) - 2;
    skip_ws(s);
    if (s->pos >= s->end || *s->pos != ':')
      return fail_expected(s, "':' after key");
    s->pos++;
    skip_ws(s);

    const guchar *value_start = s->pos;
    gboolean decode_this = want && key_len >= decode_key_len && strcmp(key, decode_key) == 0;
    want = want && !decode_this;
    gboolean is_string = s->pos < s->end && *s->pos == '"';
    if (is_string && decode_this) {
      if (!scan_string(s, decoded, decoded_len, NULL))
        return FALSE;
      decoded[*decoded_len] = '\0';
    } else if (is_string) {
      if (!scan_string(s, NULL, NULL, NULL))
        return FALSE;
    } else if (!scan_value(s, 1)) {
      return FALSE;
    }
    add_field(sink, (CopydeskJsonField){key, (const char *)value_start,
                                        (gsize)(s->pos - value_start)});

    skip_ws(s);
    if (s->pos < s->end && *s->pos == ',') {
      const guchar *comma = s->pos;
      s->pos++;
      skip_ws(s);
      if (s->pos < s->end && *s->pos == '}')
        return fail(s, comma, "trailing comma before '}'");
      continue;
    }
    if (s->pos < s->end && *s->pos == '}') {
      s->pos++;
      return TRUE;
    }
    return fail_expected(s, "',' or '}'");
  }
}

/* Parses one record in place: '{' fields '}' with only whitespace around it. */
gboolean copydesk_json_record_parse_in_place(char *data, gsize len, GArray *fields,
                                             const char *decode_key, char *decoded,
                                             gsize *decoded_len, GError **error)
{
  g_return_val_if_fail(data != NULL || len == 0, FALSE);
  g_return_val_if_fail(fields != NULL, FALSE);
  g_return_val_if_fail(decode_key == NULL || (decoded != NULL && decoded_len != NULL), FALSE);
  g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

  const guchar *bytes = (const guchar *)(data != NULL ? data : "");
  Scanner s = {bytes, bytes, bytes + len, error};
  FieldSink sink; /* FOUND is written as fields are found */
  sink.fields = fields;
  sink.n_put = sink.n_found = 0;
  if (decoded_len != NULL)
    *decoded_len = G_MAXSIZE;

  skip_ws(&s);
  gboolean ok;
  if (s.pos >= s.end) {
    ok = fail(&s, s.pos, "empty record");
  } else if (*s.pos != '{') {
    ok = fail(&s, s.pos, "expected '{': a record must be a JSON object");
  } else {
    s.pos++;
    ok = parse_fields(&s, &sink, decode_key, decoded, decoded_len);
    if (ok) {
      skip_ws(&s);
      if (s.pos < s.end)
        ok = fail(&s, s.pos, "unexpected data after the record");
    }
  }
  put_fields(&sink); /* FIELDS holds the fields found, also those before an error */
  if (!ok)
    return FALSE;

  /* Every value is followed by whitespace, ',' or '}', none of which is needed any more. */
  for (guint i = 0; i < fields->len; i++) {
    CopydeskJsonField *field = &g_array_index(fields, CopydeskJsonField, i);
    ((char *)field->json)[field->json_len] = '\0';
  }
  return TRUE;
}

/* Parses one record from a copy of DATA. */
CopydeskJsonRecord *copydesk_json_record_parse(const char *data, gsize len, GError **error)
{
  g_return_val_if_fail(data != NULL || len == 0, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);

  CopydeskJsonRecord *record = g_new(CopydeskJsonRecord, 1);
  record->bytes = g_malloc(len + 1);
  if (len > 0)
    memcpy(record->bytes, data, len);
  record->bytes[len] = '\0';
  record->fields = g_array_new(FALSE, FALSE, sizeof(CopydeskJsonField));
  if (!copydesk_json_record_parse_in_place(record->bytes, len, record->fields, NULL, NULL, NULL,
                                           error)) {
    copydesk_json_record_free(record);
    return NULL;
  }
  return record;
}

/* Frees RECORD, its bytes and its fields. */
void copydesk_json_record_free(CopydeskJsonRecord *record)
{
  if (record == NULL)
    return;
  g_array_unref(record->fields);
  g_free(record->bytes);
  g_free(record);
}

/* Returns the first field of FIELDS named KEY, or NULL. */
const CopydeskJsonField *copydesk_json_fields_find(const GArray *fields, const char *key)
{
  g_return_val_if_fail(fields != NULL && key != NULL, NULL);
  for (guint i = 0; i < fields->len; i++) {
    const CopydeskJsonField *field = &g_array_index(fields, CopydeskJsonField, i);
    if (strcmp(field->key, key) == 0)
      return field;
  }
  return NULL;
}

/* Returns the raw JSON of the first field named KEY, or NULL. */
const char *copydesk_json_record_get(const CopydeskJsonRecord *record, const char *key)
{
  g_return_val_if_fail(record != NULL && key != NULL, NULL);
  const CopydeskJsonField *field = copydesk_json_fields_find(record->fields, key);
  return field != NULL ? field->json : NULL;
}

/* Decodes a JSON string literal (quotes included); NULL when JSON is not exactly one literal. */
char *copydesk_json_string_decode(const char *json, gsize *len)
{
  if (json == NULL)
    return NULL;
  return decode_literal((const guchar *)json, strlen(json), len);
}
