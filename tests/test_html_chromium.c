/* copydesk — formats the shared sample articles (test_html_chromium.h) with any output
 * plugin, as one stream (header, documents with separators, footer), for the tests that
 * look at whole outputs: test_html_chromium.py renders the html page in Chromium,
 * test_output_schema.py validates the json and jsonl records, and the examples in
 * docs/output-formats.md come from it.
 *
 *   test_html_chromium --format PLUGIN [--options YAML-FLOW-MAPPING] [SAMPLE…] > out
 *   test_html_chromium --text SAMPLE > article.txt
 *
 * SAMPLE is brief, article, evil or bare (default: all four, in that order).
 */
#include <stdio.h>
#include <stdlib.h>

#include "pipeline.h"
#include "test_html_chromium.h"

static CopydeskDocument *make_sample(const char *name) {
  if (g_strcmp0(name, "brief") == 0) return sample_brief();
  if (g_strcmp0(name, "article") == 0) return sample_article();
  if (g_strcmp0(name, "evil") == 0) return sample_evil();
  if (g_strcmp0(name, "bare") == 0) return sample_bare();
  g_printerr("test_html_chromium: unknown sample '%s' (brief, article, evil, bare)\n", name);
  exit(2);
}

static int print_text(const char *name) {
  if (g_strcmp0(name, "brief") == 0)
    fwrite(sample_brief_text, 1, sizeof sample_brief_text - 1, stdout);
  else if (g_strcmp0(name, "article") == 0)
    fwrite(sample_article_text, 1, sizeof sample_article_text - 1, stdout);
  else if (g_strcmp0(name, "evil") == 0)
    fwrite(sample_evil_text, 1, SAMPLE_EVIL_LEN, stdout);
  else
    return 2;
  return 0;
}

int main(int argc, char **argv) {
  const char *plugin = NULL, *options = "{}";
  GPtrArray *names = g_ptr_array_new();
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
      plugin = argv[++i];
    else if (strcmp(argv[i], "--options") == 0 && i + 1 < argc)
      options = argv[++i];
    else if (strcmp(argv[i], "--text") == 0 && i + 1 < argc)
      return print_text(argv[++i]);
    else
      g_ptr_array_add(names, argv[i]);
  }
  if (plugin == NULL) {
    g_printerr("usage: test_html_chromium --format PLUGIN [--options YAML] [SAMPLE...]\n"
               "       test_html_chromium --text SAMPLE\n");
    return 2;
  }
  if (names->len == 0) {
    static const char *const all[] = {"brief", "article", "evil", "bare"};
    for (guint i = 0; i < G_N_ELEMENTS(all); i++) g_ptr_array_add(names, (gpointer)all[i]);
  }

  /* The stages are not run (the samples are processed already); they are there for the
   * layers output plugins such as conll require. */
  char *yaml = g_strdup_printf("pipeline:\n  - plugin: clean\n  - plugin: sentences\n"
                               "output:\n  plugin: %s\n  options: %s\n", plugin,
                               options);
  GError *error = NULL;
  CopydeskPipelineSettings settings = {.with_installed = FALSE};
  const char *data_dir = g_getenv("COPYDESK_TEST_DATA");
  CopydeskPipeline *pipeline = copydesk_pipeline_load_data(
      "sample.yaml", yaml, strlen(yaml), data_dir ? data_dir : ".", &settings, &error);
  CopydeskWorker *worker = pipeline ? copydesk_worker_new(pipeline, &error) : NULL;
  if (worker == NULL) {
    g_printerr("test_html_chromium: %s\n", error->message);
    return 2;
  }
  GString *out = g_string_new(NULL);
  gboolean ok = copydesk_worker_header(worker, out, &error);
  const char *separator = copydesk_worker_separator(worker);
  for (guint i = 0; ok && i < names->len; i++) {
    CopydeskDocument *doc = make_sample(names->pdata[i]);
    if (i > 0 && separator != NULL) g_string_append(out, separator);
    ok = copydesk_worker_format(worker, doc, out, &error);
    copydesk_document_free(doc);
  }
  if (ok) ok = copydesk_worker_footer(worker, out, &error);
  if (!ok) {
    g_printerr("test_html_chromium: %s\n", error->message);
    return 1;
  }
  fwrite(out->str, 1, out->len, stdout);
  g_string_free(out, TRUE);
  copydesk_worker_free(worker);
  copydesk_pipeline_free(pipeline);
  g_free(yaml);
  g_ptr_array_unref(names);
  return 0;
}
