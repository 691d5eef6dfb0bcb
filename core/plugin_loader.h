/* copydesk — finding and loading plugins with dlopen, and checking their descriptors
 * (internal).  Modules stay loaded until the process exits. */
#pragma once

#include <copydesk/plugin.h>

/* What `copydesk plugins` shows for one shared object on the search path. */
typedef struct {
  char *name; /* from the file name */
  char *path;
  const CopydeskPluginDescriptor *descriptor; /* NULL when it failed to load */
  char *error;                                /* why it failed, or NULL */
} CopydeskPluginInfo;

/* TRUE when NAME is a bare plugin identifier: a letter, then letters, digits, '_' or '-'. */
gboolean copydesk_plugin_name_is_valid(const char *name);

/* Loads plugin NAME: from PATH when given (a file, used as is), else from the first folder of
 * SEARCH_PATH (char*) holding NAME.so or NAME/NAME.so.  Checks the entry symbol, the ABI version,
 * the descriptor's size, name, kind, callbacks and option table.  LOADED_FROM (may be NULL)
 * receives the file.  Errors are in COPYDESK_PLUGIN_ERROR, one line each; a plugin that is not
 * found lists the folders searched and the plugins available. */
const CopydeskPluginDescriptor *copydesk_plugin_load(const char *name, const char *path,
                                                     const GPtrArray *search_path,
                                                     char **loaded_from, GError **error);

/* Every plugin on SEARCH_PATH, first occurrence of each name, sorted by name.  Free with
 * g_ptr_array_unref(). */
GPtrArray *copydesk_plugin_list(const GPtrArray *search_path);

/* The kind as a word: "transform", "annotate", "output". */
const char *copydesk_plugin_kind_name(CopydeskPluginKind kind);
