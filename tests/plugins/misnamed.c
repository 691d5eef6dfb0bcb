/* A plugin whose file is misnamed.so but whose descriptor says "other": refused. */
#include <copydesk/copydesk.h>

static gboolean
process(void *self, CopydeskDocument *doc, GError **error)
{
  return TRUE;
}

static const CopydeskPluginDescriptor descriptor = {
    COPYDESK_PLUGIN_ABI,
    .name = "other", .version = "1.0", .summary = "calls itself other",
    .kind = COPYDESK_KIND_ANNOTATE, .process = process,
};
COPYDESK_PLUGIN_DEFINE(descriptor)
