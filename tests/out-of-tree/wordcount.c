/* wordcount — a small copydesk plugin built outside the copydesk tree:
 *
 *   cc -shared -fPIC -fvisibility=hidden -o wordcount.so wordcount.c \
 *      $(pkg-config --cflags --libs copydesk)
 *
 * It counts the words of each document (runs of letters or digits) and stores the count
 * as the document field "word_count", which the json and jsonl outputs pass through. */
#include <copydesk/copydesk.h>

typedef struct {
  gint64 minimum; /* documents with fewer words are flagged "short": true */
} Wordcount;

static void *
wordcount_create(const CopydeskOptions *options, GError **error)
{
  Wordcount *self = g_new0(Wordcount, 1);
  self->minimum = copydesk_options_get_int(options, "minimum");
  return self;
}

static gboolean
wordcount_process(void *data, CopydeskDocument *doc, GError **error)
{
  Wordcount *self = data;
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  gint64 words = 0;
  gboolean in_word = FALSE;
  for (const char *p = text; p < text + len; p = g_utf8_next_char(p)) {
    gboolean word_char = g_unichar_isalnum(g_utf8_get_char(p));
    if (word_char && !in_word)
      words++;
    in_word = word_char;
  }
  char *count = g_strdup_printf("%" G_GINT64_FORMAT, words);
  copydesk_document_set_field(doc, "word_count", count);
  copydesk_document_set_field(doc, "short", words < self->minimum ? "true" : "false");
  g_free(count);
  return TRUE;
}

static const CopydeskOptionSpec wordcount_options[] = {
    {.name = "minimum", .type = COPYDESK_OPTION_INT, .default_value = "5", .min = 0, .max = 1e9,
     .help = "documents with fewer words are marked short"},
    {.name = NULL},
};

static const CopydeskPluginDescriptor wordcount_descriptor = {
    COPYDESK_PLUGIN_ABI,
    .flags = COPYDESK_PLUGIN_REENTRANT,
    .name = "wordcount",
    .version = "1.0.0",
    .summary = "counts the words of each document into the field word_count",
    .kind = COPYDESK_KIND_ANNOTATE,
    .options = wordcount_options,
    .create = wordcount_create,
    .process = wordcount_process,
    .destroy = g_free,
};

COPYDESK_PLUGIN_DEFINE(wordcount_descriptor)
