/* A plugin that needs a newer minor ABI than this core has: the loader must refuse it. */
#include <copydesk/copydesk.h>

static gboolean
process(void *self, CopydeskDocument *doc, GError **error)
{
  return TRUE;
}

static const CopydeskPluginDescriptor descriptor = {
    .abi_major = COPYDESK_ABI_MAJOR, .abi_minor = COPYDESK_ABI_MINOR + 1,
    .struct_size = sizeof(CopydeskPluginDescriptor),
    .name = "newer_minor", .version = "1.0", .summary = "needs ABI 1.1",
    .kind = COPYDESK_KIND_ANNOTATE, .process = process,
};
COPYDESK_PLUGIN_DEFINE(descriptor)
