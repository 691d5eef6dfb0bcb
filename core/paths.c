/* copydesk — installed locations, found relative to the executable when possible. */
#include <string.h>

#include "build_paths.h"
#include "paths.h"

/* The install prefix the running executable sits in ("PREFIX/bin/copydesk"), or NULL when it
 * does not sit in a bin folder of an installed tree. */
static char *
prefix_of_executable(void)
{
  char *exe = g_file_read_link("/proc/self/exe", NULL);
  if (exe == NULL)
    return NULL;
  char *bindir = g_path_get_dirname(exe);
  char *base = g_path_get_basename(bindir);
  char *configured = g_path_get_basename(COPYDESK_BINDIR);
  char *prefix = NULL;
  if (!g_path_is_absolute(COPYDESK_BINDIR) && strcmp(base, configured) == 0)
    prefix = g_path_get_dirname(bindir);
  g_free(configured);
  g_free(base);
  g_free(bindir);
  g_free(exe);
  return prefix;
}

/* PREFIX/RELATIVE from the executable's tree when that folder exists, else the configured one. */
static char *
installed_dir(const char *relative)
{
  char *prefix = prefix_of_executable();
  if (prefix) {
    char *dir = g_build_filename(prefix, relative, NULL);
    g_free(prefix);
    if (g_file_test(dir, G_FILE_TEST_IS_DIR))
      return dir;
    g_free(dir);
  }
  return g_path_is_absolute(relative) ? g_strdup(relative)
                                      : g_build_filename(COPYDESK_PREFIX, relative, NULL);
}

char *
copydesk_paths_plugin_dir(void)
{
  return installed_dir(COPYDESK_PLUGINDIR);
}

char *
copydesk_paths_data_dir(void)
{
  const char *env = g_getenv("COPYDESK_DATA_DIR");
  if (env && *env)
    return g_strdup(env);
  return installed_dir(COPYDESK_DATADIR);
}

GPtrArray *
copydesk_paths_search_path(const char *const *extra, gboolean with_installed)
{
  GPtrArray *path = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; extra && extra[i]; i++)
    g_ptr_array_add(path, g_strdup(extra[i]));
  const char *env = g_getenv("COPYDESK_PLUGIN_PATH");
  if (env && *env) {
    char **dirs = g_strsplit(env, G_SEARCHPATH_SEPARATOR_S, -1);
    for (guint i = 0; dirs[i]; i++)
      if (*dirs[i])
        g_ptr_array_add(path, g_strdup(dirs[i]));
    g_strfreev(dirs);
  }
  if (with_installed)
    g_ptr_array_add(path, copydesk_paths_plugin_dir());
  return path;
}
