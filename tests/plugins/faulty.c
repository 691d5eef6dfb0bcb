/* A plugin that fails on documents whose text contains its `fail_on` string, and otherwise
 * marks the whole text with a span: shows that failures stay with their document. */
#include <string.h>

#include <copydesk/copydesk.h>

typedef struct {
  char *fail_on;
} Faulty;

static void *
create(const CopydeskOptions *options, GError **error)
{
  Faulty *self = g_new0(Faulty, 1);
  self->fail_on = g_strdup(copydesk_options_get_string(options, "fail_on"));
  return self;
}

static gboolean
process(void *data, CopydeskDocument *doc, GError **error)
{
  Faulty *self = data;
  gsize len;
  const char *text = copydesk_document_text(doc, &len);
  if (self->fail_on && *self->fail_on && g_strstr_len(text, len, self->fail_on)) {
    g_set_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_FAILED,
                "found '%s', as told to fail", self->fail_on);
    return FALSE;
  }
  CopydeskLayer *layer = copydesk_document_ensure_layer(doc, "faulty");
  return copydesk_layer_add(layer, 0, len, "all", error) != NULL;
}

static void
destroy(void *data)
{
  Faulty *self = data;
  g_free(self->fail_on);
  g_free(self);
}

static const CopydeskOptionSpec options[] = {
    {.name = "fail_on", .type = COPYDESK_OPTION_STRING, .default_value = "FAIL",
     .help = "fail on documents holding this string"},
    {.name = NULL},
};

static const char *const provides[] = {"faulty", NULL};

static const CopydeskPluginDescriptor descriptor = {
    COPYDESK_PLUGIN_ABI,
    .name = "faulty", .version = "1.0", .summary = "fails on documents holding FAIL",
    .kind = COPYDESK_KIND_ANNOTATE, .options = options, .provides = provides,
    .create = create, .process = process, .destroy = destroy,
};
COPYDESK_PLUGIN_DEFINE(descriptor)
