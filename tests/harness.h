/* copydesk — a test harness that runs plugins through the real loader and ABI.
 *
 * The search path is hermetic: only the build tree's plugins folder (from the
 * COPYDESK_PLUGIN_PATH meson sets for tests), never an installed copy.
 */
#pragma once

#include <copydesk/copydesk.h>

typedef struct CopydeskHarness CopydeskHarness;

/* Loads a pipeline from YAML text (the same format as a pipeline file); aborts the test with the
 * error message when it does not load.  Relative paths resolve against tests/data/. */
CopydeskHarness *copydesk_harness_new(const char *pipeline_yaml);
/* Like copydesk_harness_new() but returns NULL and sets ERROR on failure. */
CopydeskHarness *copydesk_harness_try_new(const char *pipeline_yaml, GError **error);
/* Makes a document with id "test" from TEXT (LEN -1: NUL-terminated) and runs every
 * transform/annotate stage on it; stage errors are recorded in the document, as the CLI does. */
CopydeskDocument *copydesk_harness_process(CopydeskHarness *harness, const char *text, gssize len);
/* Formats DOC with the pipeline's output plugin (header, document, footer); g_free() the result. */
char *copydesk_harness_format(CopydeskHarness *harness, const CopydeskDocument *doc);
/* Processes TEXT and formats it in one go; g_free() the result. */
char *copydesk_harness_run(CopydeskHarness *harness, const char *text);
/* Frees the harness and its plugin instances. */
void copydesk_harness_free(CopydeskHarness *harness);

/* Byte offset of the NTH (from 0) occurrence of NEEDLE in DOC's current text (asserts it is there). */
gsize copydesk_harness_find(const CopydeskDocument *doc, const char *needle, guint nth);
/* Adds [START, END) with LABEL to DOC's layer LAYER, asserting it is accepted. */
CopydeskSpan *copydesk_harness_add_span(CopydeskDocument *doc, const char *layer, gsize start,
                                        gsize end, const char *label);
/* Adds a span over the NTH occurrence of NEEDLE in DOC's current text. */
CopydeskSpan *copydesk_harness_add_at(CopydeskDocument *doc, const char *layer, const char *needle,
                                      guint nth, const char *label);
