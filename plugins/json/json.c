/* copydesk — the json output plugin: the whole stream as one JSON array of records.
 *
 * Each document becomes the record docs/output-contract.md describes (json_record.c);
 * the core writes the header "[", the records separated by ",", and the footer "]",
 * so even a run without documents prints a valid (empty) array.
 */
#include <copydesk/copydesk.h>

#include "json_record.h"

static const CopydeskOptionSpec json_options[] = {
    JSON_RECORD_COMMON_OPTIONS,
    {.name = "pretty",
     .type = COPYDESK_OPTION_BOOL,
     .default_value = "true",
     .help = "indent by two spaces, one key per line (false: one line per record)"},
    {.name = NULL},
};

static void *json_create(const CopydeskOptions *options, GError **error) {
  JsonRecordConfig *config = g_new0(JsonRecordConfig, 1);
  if (!json_record_config_init(config, "json", options, error)) {
    json_record_config_clear(config);
    g_free(config);
    return NULL;
  }
  config->pretty = options == NULL || copydesk_options_get_bool(options, "pretty");
  config->indent = 1; /* the records sit inside the array */
  return config;
}

static void json_destroy(void *self) {
  if (self == NULL) return;
  json_record_config_clear(self);
  g_free(self);
}

static gboolean json_format(void *self, const CopydeskDocument *doc, GString *out, GError **error) {
  json_record_append(self, doc, out);
  return TRUE;
}

static gboolean json_header(void *self, GString *out, GError **error) {
  g_string_append(out, "[\n");
  return TRUE;
}

static gboolean json_footer(void *self, GString *out, GError **error) {
  g_string_append(out, "\n]\n");
  return TRUE;
}

static gboolean json_reads(void *self, const char *name) { return json_record_reads(self, name); }

static const CopydeskPluginDescriptor json_descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "json",
    .version = "1.0.0",
    .summary = "one JSON array of records: id, input fields, sentences, mentions, entities, quotes",
    .description =
        "Writes the whole run as one JSON array, one object per document: the id and every "
        "input field first, then copydesk's keys (text, clean_text, sentences, paragraphs, "
        "tokens, mentions, entities, quotes, errors) as chosen by `include`.  Every offset "
        "points into the original input, half-open, in the unit `offsets` names.  See "
        "docs/output-contract.md.",
    .kind = COPYDESK_KIND_OUTPUT,
    .options = json_options,
    .create = json_create,
    .format = json_format,
    .header = json_header,
    .separator = ",\n",
    .footer = json_footer,
    .destroy = json_destroy,
    .reads = json_reads,
};

COPYDESK_PLUGIN_DEFINE(json_descriptor)
