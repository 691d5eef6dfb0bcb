/* copydesk — libFuzzer target for the pipeline-file reader (core/config_tree.c).
 *
 * Feeds arbitrary bytes to copydesk_config_parse and frees whatever comes back.  Run with
 * the seeds in tests/fuzz/corpus/config/.  The reader bounds its own size, depth and
 * alias expansion, so every input must end quickly, without leaks or crashes.
 */
#include "config_tree.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One fuzz input: parse it, check the result's basic promise, free everything. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  GError *error = NULL;
  CopydeskConfigNode *root = copydesk_config_parse("fuzz.yaml", (const char *)data, size, &error);
  if (root != NULL) {
    g_assert_null(error);
    g_assert_cmpuint(root->line, >=, 1);
    g_assert_cmpuint(root->column, >=, 1);
    copydesk_config_node_free(root);
  } else {
    g_assert_nonnull(error);
    g_assert_true(g_str_has_prefix(error->message, "fuzz.yaml:"));
    g_error_free(error);
  }
  return 0;
}
