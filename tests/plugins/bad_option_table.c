/* A plugin whose option default does not fit its type: refused at load. */
#include <copydesk/copydesk.h>

static gboolean
process(void *self, CopydeskDocument *doc, GError **error)
{
  return TRUE;
}

static const CopydeskOptionSpec options[] = {
    {.name = "limit", .type = COPYDESK_OPTION_INT, .default_value = "many", .help = "broken"},
    {.name = NULL},
};

static const CopydeskPluginDescriptor descriptor = {
    COPYDESK_PLUGIN_ABI,
    .name = "bad_option_table", .version = "1.0", .summary = "bad default",
    .kind = COPYDESK_KIND_ANNOTATE, .options = options, .process = process,
};
COPYDESK_PLUGIN_DEFINE(descriptor)
