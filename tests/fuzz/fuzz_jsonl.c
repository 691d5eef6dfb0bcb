/* copydesk — libFuzzer target for the JSONL record reader.
 *
 * Parses the input as one record; when it parses, decodes every string-valued field, writes
 * the decoded bytes back with copydesk_json_append_string() and checks that they decode to the
 * same bytes again.  Then parses it again in place, from a buffer of exactly its size, with the
 * "text" field decoded in the same pass, and checks that this agrees.  Build with clang
 * -fsanitize=fuzzer,address; seeds in corpus/jsonl/.
 */
#include <copydesk/json.h>

#include "jsonl_record.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decodes the string literal JSON, re-encodes the result and checks the round trip. */
static void check_string(const char *json)
{
  gsize len = 0;
  char *text = copydesk_json_string_decode(json, &len);
  if (text == NULL)
    abort(); /* the parser accepted it, so it must decode */

  GString *again = g_string_new(NULL);
  copydesk_json_append_string(again, text, (gssize)len);
  gsize again_len = 0;
  char *back = copydesk_json_string_decode(again->str, &again_len);
  if (back == NULL || again_len != len || memcmp(back, text, len) != 0)
    abort();
  g_free(back);
  g_string_free(again, TRUE);
  g_free(text);
}

/* One fuzz input: parse it, then exercise every string-valued field. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  CopydeskJsonRecord *record = copydesk_json_record_parse((const char *)data, size, NULL);
  if (record == NULL)
    return 0;
  for (guint i = 0; i < record->fields->len; i++) {
    const CopydeskJsonField *field = &g_array_index(record->fields, CopydeskJsonField, i);
    if (field->json[0] == '"')
      check_string(field->json);
  }
  const char *text_json = copydesk_json_record_get(record, "text");

  /* The reader's path: in place, the text decoded while it is scanned. */
  char *copy = g_memdup2(data, size);
  char *decoded = g_malloc(size + 1);
  GArray *fields = g_array_new(FALSE, FALSE, sizeof(CopydeskJsonField));
  gsize decoded_len = 0;
  if (!copydesk_json_record_parse_in_place(copy, size, fields, "text", decoded, &decoded_len,
                                           NULL) ||
      fields->len != record->fields->len)
    abort();
  if (text_json != NULL && text_json[0] == '"') {
    gsize want_len = 0;
    char *want = copydesk_json_string_decode(text_json, &want_len);
    if (want == NULL || decoded_len != want_len || memcmp(decoded, want, want_len) != 0)
      abort();
    g_free(want);
  } else if (decoded_len != G_MAXSIZE) {
    abort();
  }
  g_array_unref(fields);
  g_free(decoded);
  g_free(copy);
  copydesk_json_record_free(record);
  return 0;
}
