/* copydesk — the plugin test harness: the real pipeline loader on a hermetic search path. */
#include <string.h>

#include "harness.h"
#include "pipeline.h"

struct CopydeskHarness {
  CopydeskPipeline *pipeline;
  CopydeskWorker *worker;
};

CopydeskHarness *
copydesk_harness_try_new(const char *pipeline_yaml, GError **error)
{
  const char *data_dir = g_getenv("COPYDESK_TEST_DATA");
  CopydeskPipelineSettings settings = {.with_installed = FALSE};
  CopydeskPipeline *pipeline = copydesk_pipeline_load_data(
      "test.yaml", pipeline_yaml, strlen(pipeline_yaml), data_dir ? data_dir : ".", &settings,
      error);
  if (pipeline == NULL)
    return NULL;
  CopydeskWorker *worker = copydesk_worker_new(pipeline, error);
  if (worker == NULL) {
    copydesk_pipeline_free(pipeline);
    return NULL;
  }
  CopydeskHarness *harness = g_new0(CopydeskHarness, 1);
  harness->pipeline = pipeline;
  harness->worker = worker;
  /* the tests look at every layer the stages make */
  copydesk_worker_keep_all_layers(worker);
  return harness;
}

CopydeskHarness *
copydesk_harness_new(const char *pipeline_yaml)
{
  GError *error = NULL;
  CopydeskHarness *harness = copydesk_harness_try_new(pipeline_yaml, &error);
  g_assert_no_error(error);
  g_assert_nonnull(harness);
  return harness;
}

CopydeskDocument *
copydesk_harness_process(CopydeskHarness *harness, const char *text, gssize len)
{
  CopydeskDocument *doc = copydesk_document_new("test", text, len);
  copydesk_worker_process(harness->worker, doc);
  return doc;
}

char *
copydesk_harness_format(CopydeskHarness *harness, const CopydeskDocument *doc)
{
  GString *out = g_string_new(NULL);
  GError *error = NULL;
  g_assert_true(copydesk_worker_header(harness->worker, out, &error));
  g_assert_true(copydesk_worker_format(harness->worker, doc, out, &error));
  g_assert_no_error(error);
  g_assert_true(copydesk_worker_footer(harness->worker, out, &error));
  return g_string_free(out, FALSE);
}

char *
copydesk_harness_run(CopydeskHarness *harness, const char *text)
{
  CopydeskDocument *doc = copydesk_harness_process(harness, text, -1);
  char *out = copydesk_harness_format(harness, doc);
  copydesk_document_free(doc);
  return out;
}

void
copydesk_harness_free(CopydeskHarness *harness)
{
  if (harness == NULL)
    return;
  copydesk_worker_free(harness->worker);
  copydesk_pipeline_free(harness->pipeline);
  g_free(harness);
}

gsize
copydesk_harness_find(const CopydeskDocument *doc, const char *needle, guint nth)
{
  const char *text = copydesk_document_text(doc, NULL);
  const char *p = text;
  for (;;) {
    p = strstr(p, needle);
    g_assert_nonnull(p);
    if (nth-- == 0)
      return (gsize)(p - text);
    p++;
  }
}

CopydeskSpan *
copydesk_harness_add_span(CopydeskDocument *doc, const char *layer, gsize start, gsize end,
                          const char *label)
{
  GError *error = NULL;
  CopydeskSpan *span =
      copydesk_layer_add(copydesk_document_ensure_layer(doc, layer), start, end, label, &error);
  g_assert_no_error(error);
  g_assert_nonnull(span);
  return span;
}

CopydeskSpan *
copydesk_harness_add_at(CopydeskDocument *doc, const char *layer, const char *needle, guint nth,
                        const char *label)
{
  gsize start = copydesk_harness_find(doc, needle, nth);
  return copydesk_harness_add_span(doc, layer, start, start + strlen(needle), label);
}
