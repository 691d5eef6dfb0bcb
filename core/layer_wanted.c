/* copydesk — which layers the stages after the running one read.
 *
 * The pipeline sets, around each stage, a question the stage may ask before it builds
 * an optional layer: does any later stage, or the output, read it?  The answer comes
 * from the later stages' descriptors (`reads`); a stage that does not say may read any
 * layer, so the answer is TRUE whenever one of them does not say.
 */
#include "document_private.h"

gboolean
copydesk_document_layer_wanted(const CopydeskDocument *doc, const char *name)
{
  g_return_val_if_fail(doc != NULL && name != NULL, TRUE);
  return doc->wanted == NULL || doc->wanted(doc->wanted_data, name);
}

void
copydesk_document_set_layer_wanted(CopydeskDocument *doc, CopydeskLayerWantedFunc wanted,
                                   gconstpointer data)
{
  doc->wanted = wanted;
  doc->wanted_data = data;
}
