/* A plugin whose create always fails, as one would when its model file is missing. */
#include <copydesk/copydesk.h>

static void *
create(const CopydeskOptions *options, GError **error)
{
  g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
              "model file %s is missing", copydesk_options_get_string(options, "model"));
  return NULL;
}

static gboolean
process(void *self, CopydeskDocument *doc, GError **error)
{
  return TRUE;
}

static const CopydeskOptionSpec options[] = {
    {.name = "model", .type = COPYDESK_OPTION_PATH, .default_value = "missing.model",
     .help = "the model file"},
    {.name = NULL},
};

static const CopydeskPluginDescriptor descriptor = {
    COPYDESK_PLUGIN_ABI,
    .name = "failing_create", .version = "1.0", .summary = "cannot start",
    .kind = COPYDESK_KIND_ANNOTATE, .options = options, .create = create, .process = process,
};
COPYDESK_PLUGIN_DEFINE(descriptor)
