/* copydesk — the JSON record shared by the json and jsonl output plugins (internal).
 *
 * One document becomes one JSON object, as docs/output-contract.md describes: the
 * document id and the input's passthrough fields, then copydesk's keys (text,
 * clean_text, sentences, paragraphs, tokens, mentions, entities, quotes, errors),
 * every offset mapped back to the original input in the unit asked for.
 *
 * Compiled into both plugin modules; nothing here is exported.
 */
#pragma once

#include <copydesk/copydesk.h>

G_BEGIN_DECLS

/* What the `include` option can name (bit flags). */
typedef enum {
  JSON_RECORD_TEXT = 1 << 0,
  JSON_RECORD_CLEAN_TEXT = 1 << 1,
  JSON_RECORD_SENTENCES = 1 << 2,
  JSON_RECORD_PARAGRAPHS = 1 << 3,
  JSON_RECORD_TOKENS = 1 << 4,
  JSON_RECORD_MENTIONS = 1 << 5,
  JSON_RECORD_ENTITIES = 1 << 6,
  JSON_RECORD_QUOTES = 1 << 7,
} JsonRecordInclude;

/* How records are written; read-only once made, so one instance serves every thread. */
typedef struct {
  const char *stage;       /* the plugin's name, for the errors it reports itself */
  CopydeskOffsetUnit unit; /* `offsets` */
  guint include;           /* JsonRecordInclude flags (`include`) */
  gboolean include_text;   /* `include_text`, or `text` in `include` */
  char *nest;              /* `nest`: the key of the object holding copydesk's keys, or NULL */
  gboolean pretty;         /* two-space indentation, one key per line */
  guint indent;            /* levels of indentation before the record itself (pretty only) */
} JsonRecordConfig;

/* Choices of the `offsets` and `include` options. */
extern const char *const json_record_offset_choices[];
extern const char *const json_record_include_choices[];

/* The four option specs both plugins share, for the start of their option tables. */
/* clang-format off */
#define JSON_RECORD_COMMON_OPTIONS                                                            \
  {.name = "offsets",                                                                         \
   .type = COPYDESK_OPTION_ENUM,                                                              \
   .default_value = "codepoints",                                                             \
   .choices = json_record_offset_choices,                                                     \
   .help = "unit of every offset into the original text: codepoints, bytes or utf16"},        \
  {.name = "include",                                                                         \
   .type = COPYDESK_OPTION_STRING_LIST,                                                       \
   .default_value = "sentences,mentions,entities,quotes",                                     \
   .choices = json_record_include_choices,                                                    \
   .help = "copydesk keys to write (text, clean_text, sentences, paragraphs, tokens, "        \
           "mentions, entities, quotes)"},                                                    \
  {.name = "include_text",                                                                    \
   .type = COPYDESK_OPTION_BOOL,                                                              \
   .default_value = "true",                                                                   \
   .help = "write the original text as \"text\" unless an input field is called text"},      \
  {.name = "nest",                                                                            \
   .type = COPYDESK_OPTION_STRING,                                                            \
   .default_value = NULL,                                                                     \
   .help = "put copydesk's keys in an object under this key, apart from the input's fields"}
/* clang-format on */

/* Fills CONFIG from OPTIONS (NULL: every default).  FALSE with ERROR on a bad value. */
gboolean json_record_config_init(JsonRecordConfig *config, const char *stage,
                                 const CopydeskOptions *options, GError **error);
/* Releases what json_record_config_init() allocated. */
void json_record_config_clear(JsonRecordConfig *config);

/* TRUE when records written with CONFIG read the layer NAME (the descriptors' `reads`). */
gboolean json_record_reads(const JsonRecordConfig *config, const char *name);

/* Appends the record of DOC to OUT (no trailing newline).  Never modifies DOC. */
void json_record_append(const JsonRecordConfig *config, const CopydeskDocument *doc, GString *out);

G_END_DECLS
