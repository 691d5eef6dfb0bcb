/* copydesk — reading one JSONL record.
 *
 * A single-pass, strict RFC 8259 scanner.  Only the top-level object is taken apart:
 * each field keeps its decoded key and the exact input bytes of its value.  Nested
 * values are validated with an explicit stack bounded by COPYDESK_JSON_MAX_DEPTH, so
 * hostile nesting cannot exhaust the C stack.  Strings are scanned eight bytes at a
 * time while they hold nothing but plain ASCII.
 *
 * Columns in error messages are 1-based byte offsets into the data given.
 */
#include "jsonl_record.h"

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

/* TRUE for a byte that stands for itself inside a JSON string and needs no UTF-8 check. */
static inline gboolean is_plain(guchar c)
{
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

#define ONES G_GUINT64_CONSTANT(0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT(0x8080808080808080)

/* Nonzero when one of the eight bytes at P is not plain (a quote, a backslash, a control
 * character or a byte >= 0x80). */
static inline guint64 block_special(const guchar *p)
{
  guint64 v;
  memcpy(&v, p, sizeof v);
  guint64 quote = v ^ (ONES * '"');
  guint64 bslash = v ^ (ONES * '\\');
  return (((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash) | ((v - ONES * 0x20) & ~v) | v) &
         HIGHS;
}

/* The length (2-4) of the well-formed UTF-8 sequence at P, or 0 (overlong forms, surrogates,
 * code points past U+10FFFF and truncated sequences are all refused). */
static inline int utf8_sequence(const guchar *p, const guchar *end)
{
  guchar c = p[0];
  gsize avail = (gsize)(end - p);
  if (c >= 0xC2 && c <= 0xDF)
    return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    guchar lo = c == 0xE0 ? 0xA0 : 0x80;
    guchar hi = c == 0xED ? 0x9F : 0xBF;
    return avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    guchar lo = c == 0xF0 ? 0x90 : 0x80;
    guchar hi = c == 0xF4 ? 0x8F : 0xBF;
    return avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 &&
                   (p[3] & 0xC0) == 0x80
               ? 4
               : 0;
  }
  return 0;
}

/* Reads four hex digits at P into *VALUE; FALSE when one is not a hex digit. */
static inline gboolean hex4(const guchar *p, guint *value)
{
  guint v = 0;
  for (int i = 0; i < 4; i++) {
    int d = g_ascii_xdigit_value((char)p[i]);
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
 * With OUT non-NULL, also writes the decoded bytes there (never more than the literal's length)
 * and their count to *OUT_LEN.  *ESCAPED (optional) tells whether the literal held an escape. */
static gboolean scan_string(Scanner *s, char *out, gsize *out_len, gboolean *escaped)
{
  const guchar *open = s->pos;
  const guchar *p = open + 1;
  const guchar *end = s->end;
  char *o = out;
  gboolean any_escape = FALSE;

  for (;;) {
    /* The fast path: a run of plain bytes, eight at a time and then one at a time. */
    const guchar *run = p;
    while (end - p >= 8 && !block_special(p))
      p += 8;
    while (p < end && is_plain(*p))
      p++;
    if (o != NULL && p > run) {
      memcpy(o, run, (gsize)(p - run));
      o += p - run;
    }
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
      char simple = 0;
      switch (p[1]) {
      case '"': simple = '"'; break;
      case '\\': simple = '\\'; break;
      case '/': simple = '/'; break;
      case 'b': simple = '\b'; break;
      case 'f': simple = '\f'; break;
      case 'n': simple = '\n'; break;
      case 'r': simple = '\r'; break;
      case 't': simple = '\t'; break;
      case 'u': break;
      default:
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
    int n = utf8_sequence(p, end);
    if (n == 0)
      return fail(s, p, "invalid UTF-8 in string");
    if (o != NULL) {
      memcpy(o, p, (gsize)n);
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

/* Frees one field (the array's free function). */
static void field_free(gpointer data)
{
  CopydeskJsonField *field = data;
  g_free(field->key);
  g_free(field->json);
  g_free(field);
}

/* Parses one record: '{' fields '}' with only whitespace around it. */
CopydeskJsonRecord *copydesk_json_record_parse(const char *data, gsize len, GError **error)
{
  g_return_val_if_fail(data != NULL || len == 0, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);

  const guchar *bytes = (const guchar *)(data != NULL ? data : "");
  Scanner s = {bytes, bytes, bytes + len, error};

  skip_ws(&s);
  if (s.pos >= s.end) {
    fail(&s, s.pos, "empty record");
    return NULL;
  }
  if (*s.pos != '{') {
    fail(&s, s.pos, "expected '{': a record must be a JSON object");
    return NULL;
  }
  s.pos++;
  skip_ws(&s);

  CopydeskJsonRecord *record = g_new(CopydeskJsonRecord, 1);
  record->fields = g_ptr_array_new_with_free_func(field_free);

  if (s.pos < s.end && *s.pos == '}') {
    s.pos++;
  } else {
    for (;;) {
      if (s.pos >= s.end || *s.pos != '"') {
        fail_expected(&s, "a string key");
        goto failed;
      }
      const guchar *key_start = s.pos;
      gboolean escaped = FALSE;
      if (!scan_string(&s, NULL, NULL, &escaped))
        goto failed;
      const guchar *key_end = s.pos;
      skip_ws(&s);
      if (s.pos >= s.end || *s.pos != ':') {
        fail_expected(&s, "':' after key");
        goto failed;
      }
      s.pos++;
      skip_ws(&s);
      const guchar *value_start = s.pos;
      if (!scan_value(&s, 1))
        goto failed;

      CopydeskJsonField *field = g_new(CopydeskJsonField, 1);
      if (escaped)
        field->key = decode_literal(key_start, (gsize)(key_end - key_start), NULL);
      else
        field->key = g_strndup((const char *)key_start + 1, (gsize)(key_end - key_start) - 2);
      field->json = g_strndup((const char *)value_start, (gsize)(s.pos - value_start));
      g_ptr_array_add(record->fields, field);

      skip_ws(&s);
      if (s.pos < s.end && *s.pos == ',') {
        const guchar *comma = s.pos;
        s.pos++;
        skip_ws(&s);
        if (s.pos < s.end && *s.pos == '}') {
          fail(&s, comma, "trailing comma before '}'");
          goto failed;
        }
        continue;
      }
      if (s.pos < s.end && *s.pos == '}') {
        s.pos++;
        break;
      }
      fail_expected(&s, "',' or '}'");
      goto failed;
    }
  }

  skip_ws(&s);
  if (s.pos < s.end) {
    fail(&s, s.pos, "unexpected data after the record");
    goto failed;
  }
  return record;

failed:
  copydesk_json_record_free(record);
  return NULL;
}

/* Frees RECORD and all its fields. */
void copydesk_json_record_free(CopydeskJsonRecord *record)
{
  if (record == NULL)
    return;
  g_ptr_array_unref(record->fields);
  g_free(record);
}

/* Returns the raw JSON of the first field named KEY, or NULL. */
const char *copydesk_json_record_get(const CopydeskJsonRecord *record, const char *key)
{
  g_return_val_if_fail(record != NULL && key != NULL, NULL);
  for (guint i = 0; i < record->fields->len; i++) {
    const CopydeskJsonField *field = g_ptr_array_index(record->fields, i);
    if (strcmp(field->key, key) == 0)
      return field->json;
  }
  return NULL;
}

/* Decodes a JSON string literal (quotes included); NULL when JSON is not exactly one literal. */
char *copydesk_json_string_decode(const char *json, gsize *len)
{
  if (json == NULL)
    return NULL;
  return decode_literal((const guchar *)json, strlen(json), len);
}
