/* copydesk — the sub-commands of the copydesk command (internal to the CLI). */
#pragma once

#include <glib.h>

#include "pipeline.h"

/* `copydesk plugins`: lists every plugin on SEARCH_PATH with kind, version and summary. */
int copydesk_command_plugins(const GPtrArray *search_path);
/* `copydesk describe NAME`: prints a plugin's summary, layers and option table. */
int copydesk_command_describe(const char *name, const GPtrArray *search_path);
/* `copydesk check PIPELINE`: loads the pipeline and starts its plugins without running. */
int copydesk_command_check(const char *path, const CopydeskPipelineSettings *settings);
