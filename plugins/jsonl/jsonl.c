/* copydesk — the jsonl output plugin: one JSON record per line, in input order.
 *
 * Each document becomes the record docs/output-contract.md describes (json_record.c)
 * followed by "\n"; every input field of a JSONL record is kept, so the output feeds
 * jq, GNU parallel and other line-oriented tools.
 */
#include <copydesk/copydesk.h>

#include "../json/json_record.h"

static const CopydeskOptionSpec jsonl_options[] = {
    JSON_RECORD_COMMON_OPTIONS,
    {.name = NULL},
};

static void *jsonl_create(const CopydeskOptions *options, GError **error) {
  JsonRecordConfig *config = g_new0(JsonRecordConfig, 1);
  if (!json_record_config_init(config, "jsonl", options, error)) {
    json_record_config_clear(config);
    g_free(config);
    return NULL;
  }
  return config;
}

static void jsonl_destroy(void *self) {
  if (self == NULL) return;
  json_record_config_clear(self);
  g_free(self);
}

static gboolean jsonl_format(void *self, const CopydeskDocument *doc, GString *out,
                             GError **error) {
  json_record_append(self, doc, out);
  g_string_append_c(out, '\n');
  return TRUE;
}

static gboolean jsonl_reads(void *self, const char *name) { return json_record_reads(self, name); }

static const CopydeskPluginDescriptor jsonl_descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "jsonl",
    .version = "1.0.0",
    .summary = "one JSON record per line: id, input fields, sentences, mentions, entities, quotes",
    .description =
        "Writes one JSON object per document on its own line, in input order: the id and "
        "every input field first (so JSONL in, JSONL out keeps them all), then copydesk's "
        "keys (text, clean_text, sentences, paragraphs, tokens, mentions, entities, quotes, "
        "errors) as chosen by `include`.  Every offset points into the original input, "
        "half-open, in the unit `offsets` names.  See docs/output-contract.md.",
    .kind = COPYDESK_KIND_OUTPUT,
    .options = jsonl_options,
    .create = jsonl_create,
    .format = jsonl_format,
    .destroy = jsonl_destroy,
    .reads = jsonl_reads,
};

COPYDESK_PLUGIN_DEFINE(jsonl_descriptor)
