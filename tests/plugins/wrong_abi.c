/* A plugin built for a future ABI major: the loader must refuse it. */
#include <copydesk/copydesk.h>

static gboolean
process(void *self, CopydeskDocument *doc, GError **error)
{
  return TRUE;
}

static const CopydeskPluginDescriptor descriptor = {
    .abi_major = COPYDESK_ABI_MAJOR + 1, .abi_minor = 0,
    .struct_size = sizeof(CopydeskPluginDescriptor),
    .name = "wrong_abi", .version = "1.0", .summary = "built for ABI 2",
    .kind = COPYDESK_KIND_ANNOTATE, .process = process,
};
COPYDESK_PLUGIN_DEFINE(descriptor)
