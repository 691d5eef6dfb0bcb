/* copydesk — plugin discovery, dlopen and descriptor checks. */
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include <copydesk/errors.h>

#include "options_private.h"
#include "plugin_loader.h"

#define MODULE_SUFFIX ".so"

/* Descriptors already loaded, by file path: a module is opened once and never closed. */
static GMutex loaded_lock;
static GHashTable *loaded_modules;

/* The smallest descriptor a plugin of ABI 1.0 can have: everything before its reserved slots
 * (where 1.1 put `reads`). */
#define DESCRIPTOR_V1_0_SIZE (offsetof(CopydeskPluginDescriptor, reads))

gboolean
copydesk_plugin_name_is_valid(const char *name)
{
  if (name == NULL || !g_ascii_isalpha(name[0]))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
      return FALSE;
  return strlen(name) <= 64;
}

const char *
copydesk_plugin_kind_name(CopydeskPluginKind kind)
{
  switch (kind) {
  case COPYDESK_KIND_TRANSFORM: return "transform";
  case COPYDESK_KIND_ANNOTATE: return "annotate";
  case COPYDESK_KIND_OUTPUT: return "output";
  }
  return "unknown";
}

/* Refuses a plugin file, or the folder holding it, that any user may write: anyone could
 * replace the code copydesk runs. */
static gboolean
check_not_world_writable(const char *path, GError **error)
{
  struct stat st;
  char *dir = g_path_get_dirname(path);
  const char *what = NULL, *where = NULL;
  if (stat(path, &st) == 0 && (st.st_mode & S_IWOTH)) {
    what = "file";
    where = path;
  } else if (stat(dir, &st) == 0 && (st.st_mode & S_IWOTH)) {
    what = "folder";
    where = dir;
  }
  if (what) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_INSECURE,
                "refusing to load %s: its %s %s is writable by every user "
                "(fix with: chmod o-w '%s')", path, what, where, where);
  }
  g_free(dir);
  return what == NULL;
}

/* Checks the descriptor DESC read from PATH for plugin NAME. */
static gboolean
check_descriptor(const CopydeskPluginDescriptor *desc, const char *name, const char *path,
                 GError **error)
{
  if (desc->abi_major != COPYDESK_ABI_MAJOR || desc->abi_minor > COPYDESK_ABI_MINOR) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_ABI,
                "plugin '%s' (%s) was built for copydesk plugin ABI %u.%u, but this copydesk "
                "speaks ABI %d.%d: rebuild the plugin against this copydesk's headers",
                name, path, desc->abi_major, desc->abi_minor, COPYDESK_ABI_MAJOR,
                COPYDESK_ABI_MINOR);
    return FALSE;
  }
  if (desc->struct_size < DESCRIPTOR_V1_0_SIZE) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_ABI,
                "plugin '%s' (%s) has a descriptor of %u bytes, smaller than ABI %d.%d's %zu: "
                "rebuild the plugin against this copydesk's headers",
                name, path, desc->struct_size, COPYDESK_ABI_MAJOR, COPYDESK_ABI_MINOR,
                (size_t)DESCRIPTOR_V1_0_SIZE);
    return FALSE;
  }
  if (desc->name == NULL || strcmp(desc->name, name) != 0) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_NAME_MISMATCH,
                "%s calls itself '%s', not '%s': name the plugin by its descriptor name",
                path, desc->name ? desc->name : "(no name)", name);
    return FALSE;
  }
  const char *problem = NULL;
  if (desc->kind != COPYDESK_KIND_TRANSFORM && desc->kind != COPYDESK_KIND_ANNOTATE &&
      desc->kind != COPYDESK_KIND_OUTPUT)
    problem = "its kind is not transform, annotate or output";
  else if (desc->kind != COPYDESK_KIND_OUTPUT && desc->process == NULL)
    problem = "a transform or annotate plugin needs a process callback";
  else if (desc->kind == COPYDESK_KIND_OUTPUT && desc->format == NULL)
    problem = "an output plugin needs a format callback";
  else if (desc->version == NULL || desc->summary == NULL)
    problem = "its version or summary is missing";
  if (problem) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_INVALID,
                "plugin '%s' (%s) is malformed: %s", name, path, problem);
    return FALSE;
  }
  return copydesk_option_specs_validate(desc->options, name, error);
}

/* Opens PATH and reads its descriptor, once per file per process. */
static const CopydeskPluginDescriptor *
load_file(const char *name, const char *path, GError **error)
{
  g_mutex_lock(&loaded_lock);
  if (loaded_modules == NULL)
    loaded_modules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  const CopydeskPluginDescriptor *desc = g_hash_table_lookup(loaded_modules, path);
  g_mutex_unlock(&loaded_lock);
  if (desc)
    return check_descriptor(desc, name, path, error) ? desc : NULL;

  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_OPEN,
                "cannot load plugin '%s': %s is not a file", name, path);
    return NULL;
  }
  if (!check_not_world_writable(path, error))
    return NULL;
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_OPEN,
                "cannot load plugin '%s' from %s: %s", name, path, dlerror());
    return NULL;
  }
  CopydeskDescribeFunc describe = (CopydeskDescribeFunc)dlsym(handle, COPYDESK_PLUGIN_ENTRY);
  if (describe == NULL) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_NO_ENTRY,
                "%s is not a copydesk plugin: it has no %s symbol "
                "(define it with COPYDESK_PLUGIN_DEFINE)", path, COPYDESK_PLUGIN_ENTRY);
    dlclose(handle);
    return NULL;
  }
  desc = describe();
  if (desc == NULL) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_INVALID,
                "plugin '%s' (%s) returned no descriptor", name, path);
    dlclose(handle);
    return NULL;
  }
  if (!check_descriptor(desc, name, path, error)) {
    dlclose(handle);
    return NULL;
  }
  g_mutex_lock(&loaded_lock);
  g_hash_table_insert(loaded_modules, g_strdup(path), (gpointer)desc);
  g_mutex_unlock(&loaded_lock);
  return desc;
}

/* The file for plugin NAME in DIR (DIR/NAME.so or DIR/NAME/NAME.so), or NULL. */
static char *
find_in_dir(const char *dir, const char *name)
{
  char *file = g_strconcat(name, MODULE_SUFFIX, NULL);
  char *flat = g_build_filename(dir, file, NULL);
  char *nested = g_build_filename(dir, name, file, NULL);
  char *found = NULL;
  if (g_file_test(flat, G_FILE_TEST_EXISTS))
    found = g_steal_pointer(&flat);
  else if (g_file_test(nested, G_FILE_TEST_EXISTS))
    found = g_steal_pointer(&nested);
  g_free(file);
  g_free(flat);
  g_free(nested);
  return found;
}

/* Calls FOUND(name, path, data) for every plugin file in DIR, flat or in its own folder. */
static void
scan_dir(const char *dir, void (*found)(const char *name, const char *path, gpointer data),
         gpointer data)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return;
  const char *entry;
  while ((entry = g_dir_read_name(d)) != NULL) {
    char *full = g_build_filename(dir, entry, NULL);
    if (g_str_has_suffix(entry, MODULE_SUFFIX)) {
      char *name = g_strndup(entry, strlen(entry) - strlen(MODULE_SUFFIX));
      if (copydesk_plugin_name_is_valid(name))
        found(name, full, data);
      g_free(name);
    } else if (copydesk_plugin_name_is_valid(entry) && g_file_test(full, G_FILE_TEST_IS_DIR)) {
      char *nested = find_in_dir(full, entry);
      if (nested && !g_str_equal(nested, full))
        found(entry, nested, data);
      g_free(nested);
    }
    g_free(full);
  }
  g_dir_close(d);
}

static void
collect_name(const char *name, const char *path, gpointer data)
{
  g_hash_table_add(data, g_strdup(name));
}

/* "a, b, c" of the plugin names found on SEARCH_PATH, or "none". */
static char *
available_names(const GPtrArray *search_path)
{
  GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < search_path->len; i++)
    scan_dir(search_path->pdata[i], collect_name, names);
  GList *list = g_list_sort(g_hash_table_get_keys(names), (GCompareFunc)strcmp);
  GString *out = g_string_new(NULL);
  for (GList *l = list; l; l = l->next)
    g_string_append_printf(out, "%s%s", out->len ? ", " : "", (char *)l->data);
  if (out->len == 0)
    g_string_append(out, "none");
  g_list_free(list);
  g_hash_table_destroy(names);
  return g_string_free(out, FALSE);
}

const CopydeskPluginDescriptor *
copydesk_plugin_load(const char *name, const char *path, const GPtrArray *search_path,
                     char **loaded_from, GError **error)
{
  if (!copydesk_plugin_name_is_valid(name)) {
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_BAD_NAME,
                "'%s' is not a plugin name: a name is a bare identifier (letters, digits, '_', "
                "'-'); to load a file outside the search path, give it with 'path:'", name);
    return NULL;
  }
  char *file = path ? g_strdup(path) : NULL;
  for (guint i = 0; file == NULL && i < search_path->len; i++)
    file = find_in_dir(search_path->pdata[i], name);
  if (file == NULL) {
    GString *dirs = g_string_new(NULL);
    for (guint i = 0; i < search_path->len; i++)
      g_string_append_printf(dirs, "%s%s", i ? ", " : "", (char *)search_path->pdata[i]);
    char *available = available_names(search_path);
    g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_NOT_FOUND,
                "no plugin named '%s' (looked in: %s; available: %s)", name,
                dirs->len ? dirs->str : "no folders", available);
    g_free(available);
    g_string_free(dirs, TRUE);
    return NULL;
  }
  const CopydeskPluginDescriptor *desc = load_file(name, file, error);
  if (desc && loaded_from)
    *loaded_from = g_strdup(file);
  g_free(file);
  return desc;
}

static void
free_info(gpointer data)
{
  CopydeskPluginInfo *info = data;
  g_free(info->name);
  g_free(info->path);
  g_free(info->error);
  g_free(info);
}

typedef struct {
  GPtrArray *infos;
  GHashTable *seen;
} ListState;

static void
add_info(const char *name, const char *path, gpointer data)
{
  ListState *state = data;
  if (g_hash_table_contains(state->seen, name))
    return;
  g_hash_table_add(state->seen, g_strdup(name));
  CopydeskPluginInfo *info = g_new0(CopydeskPluginInfo, 1);
  info->name = g_strdup(name);
  info->path = g_strdup(path);
  GError *error = NULL;
  info->descriptor = load_file(name, path, &error);
  if (error) {
    info->error = g_strdup(error->message);
    g_error_free(error);
  }
  g_ptr_array_add(state->infos, info);
}

static gint
compare_info(gconstpointer a, gconstpointer b)
{
  const CopydeskPluginInfo *x = *(CopydeskPluginInfo *const *)a;
  const CopydeskPluginInfo *y = *(CopydeskPluginInfo *const *)b;
  return strcmp(x->name, y->name);
}

GPtrArray *
copydesk_plugin_list(const GPtrArray *search_path)
{
  ListState state = {g_ptr_array_new_with_free_func(free_info),
                     g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
  for (guint i = 0; i < search_path->len; i++) {
    /* Names found in an earlier folder hide later ones, as they do when loading; within one
     * folder the order of the listing does not matter since names are unique there. */
    scan_dir(search_path->pdata[i], add_info, &state);
  }
  g_hash_table_destroy(state.seen);
  g_ptr_array_sort(state.infos, compare_info);
  return state.infos;
}
