/* copydesk — where an installed copydesk finds its plugins and data (internal). */
#pragma once

#include <glib.h>

/* The installed plugin folder: found relative to the running executable when it sits in an
 * installed tree (so a moved or DESTDIR install works), else the configured path. */
char *copydesk_paths_plugin_dir(void);
/* The data folder holding default.yaml and the lexicons and models: $COPYDESK_DATA_DIR, else
 * relative to the executable, else the configured path. */
char *copydesk_paths_data_dir(void);
/* The search path for plugins: EXTRA (may be NULL) in order, then $COPYDESK_PLUGIN_PATH (colon
 * separated), then the installed plugin folder when WITH_INSTALLED.  A GPtrArray of char*. */
GPtrArray *copydesk_paths_search_path(const char *const *extra, gboolean with_installed);
