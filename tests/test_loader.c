/* copydesk — tests of the plugin loader (core/plugin_loader.c): finding plugins on a search
 * path, refusing broken or unsafe ones with the right error, listing what a path offers.
 *
 * The deliberately broken plugins live in $COPYDESK_BUILD_ROOT/tests/plugins (built from
 * tests/plugins/), the shipped ones in $COPYDESK_BUILD_ROOT/plugins. */
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include <copydesk/copydesk.h>

#include "plugin_loader.h"

#define X8 "xxxxxxxx"
#define X64 X8 X8 X8 X8 X8 X8 X8 X8

static char *test_dir;  /* the test plugins */
static char *build_dir; /* the shipped plugins */

/* A search path (char*, freed with it) of the NULL-terminated folders given. */
static GPtrArray *
search_path(const char *first, ...)
{
  GPtrArray *path = g_ptr_array_new_with_free_func(g_free);
  va_list args;
  va_start(args, first);
  for (const char *dir = first; dir; dir = va_arg(args, const char *))
    g_ptr_array_add(path, g_strdup(dir));
  va_end(args);
  return path;
}

/* TEXT with @T@ replaced by the test plugin folder, @B@ by the shipped plugin folder and @D@ by
 * DIR (may be NULL).  Free with g_free(). */
static char *
expand(const char *text, const char *dir)
{
  GString *s = g_string_new(text);
  g_string_replace(s, "@T@", test_dir, 0);
  g_string_replace(s, "@B@", build_dir, 0);
  if (dir)
    g_string_replace(s, "@D@", dir, 0);
  return g_string_free(s, FALSE);
}

/* Asserts that ERROR is in COPYDESK_PLUGIN_ERROR with CODE, and that its message (expanded) is
 * exactly MESSAGE, or starts with it when PREFIX_ONLY. */
static void
assert_plugin_error(const GError *error, gint code, const char *message, const char *dir,
                    gboolean prefix_only)
{
  char *expected = expand(message, dir);
  g_assert_nonnull(error);
  if (error->domain != COPYDESK_PLUGIN_ERROR || error->code != code)
    g_test_message("got: %s (%s %d)", error->message, g_quark_to_string(error->domain),
                   error->code);
  g_assert_error(error, COPYDESK_PLUGIN_ERROR, code);
  if (prefix_only) {
    if (!g_str_has_prefix(error->message, expected))
      g_test_message("'%s' does not start with '%s'", error->message, expected);
    g_assert_true(g_str_has_prefix(error->message, expected));
  } else {
    g_assert_cmpstr(error->message, ==, expected);
  }
  g_assert_null(strchr(error->message, '\n')); /* one line each */
  g_free(expected);
}

/* Copies the file FROM to TO with MODE. */
static void
copy_file(const char *from, const char *to, int mode)
{
  char *contents = NULL;
  gsize len = 0;
  GError *error = NULL;
  g_assert_true(g_file_get_contents(from, &contents, &len, &error));
  g_assert_no_error(error);
  g_assert_true(g_file_set_contents(to, contents, (gssize)len, &error));
  g_assert_no_error(error);
  g_assert_cmpint(g_chmod(to, mode), ==, 0);
  g_free(contents);
}

/* A fresh temporary folder (mode 0700). */
static char *
make_tmp_dir(void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp("copydesk-loader-XXXXXX", &error);
  g_assert_no_error(error);
  g_assert_nonnull(dir);
  return dir;
}

/* Removes DIR and everything in it (files and one level of folders). */
static void
remove_tree(const char *dir)
{
  g_chmod(dir, 0700);
  GDir *d = g_dir_open(dir, 0, NULL);
  g_assert_nonnull(d);
  const char *entry;
  while ((entry = g_dir_read_name(d)) != NULL) {
    char *full = g_build_filename(dir, entry, NULL);
    if (g_file_test(full, G_FILE_TEST_IS_DIR))
      remove_tree(full);
    else
      g_assert_cmpint(g_remove(full), ==, 0);
    g_free(full);
  }
  g_dir_close(d);
  g_assert_cmpint(g_rmdir(dir), ==, 0);
}

/* ---- Names ---------------------------------------------------------------- */

static void
test_name_is_valid(void)
{
  static const struct {
    const char *name;
    gboolean valid;
  } names[] = {
      {"a", TRUE},
      {"clean", TRUE},
      {"Clean", TRUE},
      {"json2", TRUE},
      {"my_plugin", TRUE},
      {"my-plugin", TRUE},
      {"a-_9", TRUE},
      {X64, TRUE},
      {X64 "x", FALSE},
      {NULL, FALSE},
      {"", FALSE},
      {"1abc", FALSE},
      {"_abc", FALSE},
      {"-abc", FALSE},
      {"../x", FALSE},
      {"..", FALSE},
      {".", FALSE},
      {"/abs/x", FALSE},
      {"a/b", FALSE},
      {"a\\b", FALSE},
      {".hidden", FALSE},
      {"faulty.so", FALSE},
      {"a b", FALSE},
      {"a\n", FALSE},
      {"caf\xc3\xa9", FALSE},
      {"\xc3\xa9t\xc3\xa9", FALSE},
      {"a:b", FALSE},
      {"~x", FALSE},
  };
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    if (copydesk_plugin_name_is_valid(names[i].name) != names[i].valid)
      g_test_message("name '%s'", names[i].name ? names[i].name : "(null)");
    g_assert_cmpint(copydesk_plugin_name_is_valid(names[i].name), ==, names[i].valid);
  }
}

static void
test_kind_names(void)
{
  g_assert_cmpstr(copydesk_plugin_kind_name(COPYDESK_KIND_TRANSFORM), ==, "transform");
  g_assert_cmpstr(copydesk_plugin_kind_name(COPYDESK_KIND_ANNOTATE), ==, "annotate");
  g_assert_cmpstr(copydesk_plugin_kind_name(COPYDESK_KIND_OUTPUT), ==, "output");
  g_assert_cmpstr(copydesk_plugin_kind_name((CopydeskPluginKind)0), ==, "unknown");
  g_assert_cmpstr(copydesk_plugin_kind_name((CopydeskPluginKind)4), ==, "unknown");
}

/* ---- Refusals ------------------------------------------------------------- */

#define BAD_NAME_MESSAGE(n)                                                                    \
  "'" n "' is not a plugin name: a name is a bare identifier (letters, digits, '_', '-'); to " \
  "load a file outside the search path, give it with 'path:'"

typedef struct {
  const char *test;
  const char *name;
  const char *path; /* explicit path (expanded), or NULL: search test_dir then build_dir */
  gint code;
  const char *message; /* exact, expanded */
} RefusalCase;

static const RefusalCase refusals[] = {
    {"no_entry", "no_entry", NULL, COPYDESK_PLUGIN_ERROR_NO_ENTRY,
     "@T@/no_entry.so is not a copydesk plugin: it has no copydesk_plugin_describe symbol "
     "(define it with COPYDESK_PLUGIN_DEFINE)"},
    {"wrong_abi", "wrong_abi", NULL, COPYDESK_PLUGIN_ERROR_ABI,
     "plugin 'wrong_abi' (@T@/wrong_abi.so) was built for copydesk plugin ABI 2.0, but this "
     "copydesk speaks ABI 1.1: rebuild the plugin against this copydesk's headers"},
    {"newer_minor", "newer_minor", NULL, COPYDESK_PLUGIN_ERROR_ABI,
     "plugin 'newer_minor' (@T@/newer_minor.so) was built for copydesk plugin ABI 1.2, but this "
     "copydesk speaks ABI 1.1: rebuild the plugin against this copydesk's headers"},
    {"misnamed", "misnamed", NULL, COPYDESK_PLUGIN_ERROR_NAME_MISMATCH,
     "@T@/misnamed.so calls itself 'other', not 'misnamed': name the plugin by its descriptor "
     "name"},
    {"misnamed_by_path", "faulty", "@T@/misnamed.so", COPYDESK_PLUGIN_ERROR_NAME_MISMATCH,
     "@T@/misnamed.so calls itself 'other', not 'faulty': name the plugin by its descriptor "
     "name"},
    {"good_file_wrong_name", "clean", "@T@/faulty.so", COPYDESK_PLUGIN_ERROR_NAME_MISMATCH,
     "@T@/faulty.so calls itself 'faulty', not 'clean': name the plugin by its descriptor name"},
    {"bad_option_table", "bad_option_table", NULL, COPYDESK_PLUGIN_ERROR_INVALID,
     "plugin 'bad_option_table' declares a bad option 'limit': its default expects a whole "
     "number, not 'many'"},
    {"bad_name/dotdot", "../x", NULL, COPYDESK_PLUGIN_ERROR_BAD_NAME, BAD_NAME_MESSAGE("../x")},
    {"bad_name/absolute", "/abs/x", NULL, COPYDESK_PLUGIN_ERROR_BAD_NAME,
     BAD_NAME_MESSAGE("/abs/x")},
    {"bad_name/slash", "a/b", NULL, COPYDESK_PLUGIN_ERROR_BAD_NAME, BAD_NAME_MESSAGE("a/b")},
    {"bad_name/hidden", ".hidden", NULL, COPYDESK_PLUGIN_ERROR_BAD_NAME,
     BAD_NAME_MESSAGE(".hidden")},
    {"bad_name/empty", "", NULL, COPYDESK_PLUGIN_ERROR_BAD_NAME, BAD_NAME_MESSAGE("")},
    {"bad_name/too_long", X64 "x", NULL, COPYDESK_PLUGIN_ERROR_BAD_NAME,
     BAD_NAME_MESSAGE(X64 "x")},
    {"bad_name/file_name", "faulty.so", NULL, COPYDESK_PLUGIN_ERROR_BAD_NAME,
     BAD_NAME_MESSAGE("faulty.so")},
    /* A bad name stays bad with an explicit path to a good plugin. */
    {"bad_name/with_path", "../faulty", "@T@/faulty.so", COPYDESK_PLUGIN_ERROR_BAD_NAME,
     BAD_NAME_MESSAGE("../faulty")},
    {"path/missing", "faulty", "@T@/nowhere/faulty.so", COPYDESK_PLUGIN_ERROR_OPEN,
     "cannot load plugin 'faulty': @T@/nowhere/faulty.so is not a file"},
    {"path/folder", "faulty", "@T@", COPYDESK_PLUGIN_ERROR_OPEN,
     "cannot load plugin 'faulty': @T@ is not a file"},
    /* Valid names that are on neither folder (the listing of what is available is checked in
     * /loader/not_found). */
    {"not_found/other", "other", NULL, COPYDESK_PLUGIN_ERROR_NOT_FOUND,
     "no plugin named 'other' (looked in: @T@, @B@; available: "},
    {"not_found/case", "Faulty", NULL, COPYDESK_PLUGIN_ERROR_NOT_FOUND,
     "no plugin named 'Faulty' (looked in: @T@, @B@; available: "},
};

static void
test_refusal(gconstpointer data)
{
  const RefusalCase *c = data;
  GPtrArray *path = search_path(test_dir, build_dir, NULL);
  char *explicit_path = c->path ? expand(c->path, NULL) : NULL;
  char *loaded_from = NULL;
  GError *error = NULL;
  const CopydeskPluginDescriptor *desc =
      copydesk_plugin_load(c->name, explicit_path, path, &loaded_from, &error);
  g_assert_null(desc);
  g_assert_null(loaded_from);
  assert_plugin_error(error, c->code, c->message, NULL,
                      c->code == COPYDESK_PLUGIN_ERROR_NOT_FOUND);
  g_clear_error(&error);

  /* Asking again gives the same answer (nothing half-loaded is remembered). */
  desc = copydesk_plugin_load(c->name, explicit_path, path, NULL, &error);
  g_assert_null(desc);
  assert_plugin_error(error, c->code, c->message, NULL,
                      c->code == COPYDESK_PLUGIN_ERROR_NOT_FOUND);
  g_error_free(error);
  g_free(explicit_path);
  g_ptr_array_unref(path);
}

/* A name on no folder: the message lists the folders looked in and every plugin they hold. */
static void
test_not_found(void)
{
  GError *error = NULL;

  GPtrArray *path = search_path(test_dir, NULL);
  g_assert_null(copydesk_plugin_load("nosuch", NULL, path, NULL, &error));
  assert_plugin_error(error, COPYDESK_PLUGIN_ERROR_NOT_FOUND,
                      "no plugin named 'nosuch' (looked in: @T@; available: bad_option_table, "
                      "failing_create, faulty, misnamed, newer_minor, no_entry, wrong_abi)",
                      NULL, FALSE);
  g_clear_error(&error);
  g_ptr_array_unref(path);

  /* Both folders: both named, in order, and the shipped plugins listed among the test ones,
   * sorted, each once. */
  path = search_path(test_dir, build_dir, NULL);
  g_assert_null(copydesk_plugin_load("nosuch", NULL, path, NULL, &error));
  assert_plugin_error(error, COPYDESK_PLUGIN_ERROR_NOT_FOUND,
                      "no plugin named 'nosuch' (looked in: @T@, @B@; available: ", NULL, TRUE);
  const char *available = strstr(error->message, "available: ") + strlen("available: ");
  g_assert_true(g_str_has_suffix(available, ")"));
  char *list = g_strndup(available, strlen(available) - 1);
  char **names = g_strsplit(list, ", ", -1);
  const char *const wanted[] = {"bad_option_table", "clean", "failing_create", "faulty", "json",
                                "jsonl", "misnamed", "newer_minor", "no_entry", "wrong_abi",
                                NULL};
  for (guint i = 0; wanted[i]; i++)
    g_assert_true(g_strv_contains((const char *const *)names, wanted[i]));
  for (guint i = 1; names[i]; i++)
    g_assert_cmpint(strcmp(names[i - 1], names[i]), <, 0);
  g_strfreev(names);
  g_free(list);
  g_clear_error(&error);
  g_ptr_array_unref(path);

  /* Nothing to search. */
  path = search_path(NULL, NULL);
  g_assert_null(copydesk_plugin_load("faulty", NULL, path, NULL, &error));
  assert_plugin_error(error, COPYDESK_PLUGIN_ERROR_NOT_FOUND,
                      "no plugin named 'faulty' (looked in: no folders; available: none)", NULL,
                      FALSE);
  g_clear_error(&error);
  g_ptr_array_unref(path);

  /* A folder that does not exist is named but holds nothing. */
  char *missing = expand("@T@/no-such-folder", NULL);
  path = search_path(missing, NULL);
  g_free(missing);
  g_assert_null(copydesk_plugin_load("faulty", NULL, path, NULL, &error));
  assert_plugin_error(error, COPYDESK_PLUGIN_ERROR_NOT_FOUND,
                      "no plugin named 'faulty' (looked in: @T@/no-such-folder; available: none)",
                      NULL, FALSE);
  g_clear_error(&error);
  g_ptr_array_unref(path);
}

/* A plugin file, or its folder, that every user may write is refused; fixed, it loads. */
static void
test_insecure_folder(void)
{
  char *dir = make_tmp_dir();
  char *source = g_build_filename(test_dir, "faulty.so", NULL);
  char *file = g_build_filename(dir, "faulty.so", NULL);
  copy_file(source, file, 0755);
  GPtrArray *path = search_path(dir, NULL);
  GError *error = NULL;
  char *loaded_from = NULL;

  g_assert_cmpint(g_chmod(dir, 0777), ==, 0);
  g_assert_null(copydesk_plugin_load("faulty", NULL, path, &loaded_from, &error));
  g_assert_null(loaded_from);
  assert_plugin_error(error, COPYDESK_PLUGIN_ERROR_INSECURE,
                      "refusing to load @D@/faulty.so: its folder @D@ is writable by every user "
                      "(fix with: chmod o-w '@D@')",
                      dir, FALSE);
  g_clear_error(&error);

  /* The same through an explicit path. */
  g_assert_null(copydesk_plugin_load("faulty", file, path, NULL, &error));
  assert_plugin_error(error, COPYDESK_PLUGIN_ERROR_INSECURE, "refusing to load @D@/faulty.so: ",
                      dir, TRUE);
  g_clear_error(&error);

  /* Writable by the group only is fine. */
  g_assert_cmpint(g_chmod(dir, 0775), ==, 0);
  const CopydeskPluginDescriptor *desc =
      copydesk_plugin_load("faulty", NULL, path, &loaded_from, &error);
  g_assert_no_error(error);
  g_assert_nonnull(desc);
  g_assert_cmpstr(desc->name, ==, "faulty");
  g_assert_cmpstr(loaded_from, ==, file);
  g_free(loaded_from);

  g_ptr_array_unref(path);
  remove_tree(dir);
  g_free(file);
  g_free(source);
  g_free(dir);
}

static void
test_insecure_file(void)
{
  char *dir = make_tmp_dir();
  g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
  char *source = g_build_filename(test_dir, "faulty.so", NULL);
  char *file = g_build_filename(dir, "faulty.so", NULL);
  copy_file(source, file, 0666);
  GPtrArray *path = search_path(dir, NULL);
  GError *error = NULL;

  g_assert_null(copydesk_plugin_load("faulty", NULL, path, NULL, &error));
  char *message = g_strdup_printf("refusing to load %s: its file %s is writable by every user "
                                  "(fix with: chmod o-w '%s')",
                                  file, file, file);
  assert_plugin_error(error, COPYDESK_PLUGIN_ERROR_INSECURE, message, NULL, FALSE);
  g_clear_error(&error);

  /* A plugin listing shows the refusal too. */
  GPtrArray *infos = copydesk_plugin_list(path);
  g_assert_cmpuint(infos->len, ==, 1);
  const CopydeskPluginInfo *info = infos->pdata[0];
  g_assert_cmpstr(info->name, ==, "faulty");
  g_assert_null(info->descriptor);
  g_assert_cmpstr(info->error, ==, message);
  g_ptr_array_unref(infos);
  g_free(message);

  g_assert_cmpint(g_chmod(file, 0755), ==, 0);
  char *loaded_from = NULL;
  const CopydeskPluginDescriptor *desc =
      copydesk_plugin_load("faulty", NULL, path, &loaded_from, &error);
  g_assert_no_error(error);
  g_assert_nonnull(desc);
  g_assert_cmpstr(loaded_from, ==, file);
  g_free(loaded_from);

  g_ptr_array_unref(path);
  remove_tree(dir);
  g_free(file);
  g_free(source);
  g_free(dir);
}

/* A file that is not a shared object: dlopen's refusal, whether named by path or found. */
static void
test_not_a_shared_object(void)
{
  char *dir = make_tmp_dir();
  char *file = g_build_filename(dir, "notes.so", NULL);
  GError *error = NULL;
  g_assert_true(g_file_set_contents(file, "just some notes\n", -1, &error));
  g_assert_no_error(error);
  g_assert_cmpint(g_chmod(file, 0644), ==, 0);
  GPtrArray *path = search_path(test_dir, NULL);

  g_assert_null(copydesk_plugin_load("notes", file, path, NULL, &error));
  assert_plugin_error(error, COPYDESK_PLUGIN_ERROR_OPEN, "cannot load plugin 'notes' from @D@/notes.so: ",
                      dir, TRUE);
  /* dlerror's reason follows. */
  g_assert_cmpuint(strlen(error->message), >, strlen("cannot load plugin 'notes' from : ") + strlen(file));
  g_clear_error(&error);
  g_ptr_array_unref(path);

  path = search_path(dir, test_dir, NULL);
  g_assert_null(copydesk_plugin_load("notes", NULL, path, NULL, &error));
  assert_plugin_error(error, COPYDESK_PLUGIN_ERROR_OPEN, "cannot load plugin 'notes' from @D@/notes.so: ",
                      dir, TRUE);
  g_clear_error(&error);
  g_ptr_array_unref(path);

  remove_tree(dir);
  g_free(file);
  g_free(dir);
}

/* ---- Loading -------------------------------------------------------------- */

static void
test_load_faulty(void)
{
  GPtrArray *path = search_path(test_dir, build_dir, NULL);
  char *expected_file = g_build_filename(test_dir, "faulty.so", NULL);
  char *loaded_from = NULL;
  GError *error = NULL;
  const CopydeskPluginDescriptor *desc =
      copydesk_plugin_load("faulty", NULL, path, &loaded_from, &error);
  g_assert_no_error(error);
  g_assert_nonnull(desc);
  g_assert_cmpstr(loaded_from, ==, expected_file);
  g_free(loaded_from);

  g_assert_cmpuint(desc->abi_major, ==, COPYDESK_ABI_MAJOR);
  g_assert_cmpuint(desc->abi_minor, ==, COPYDESK_ABI_MINOR);
  g_assert_cmpuint(desc->struct_size, ==, sizeof(CopydeskPluginDescriptor));
  g_assert_cmpuint(desc->flags, ==, 0);
  g_assert_cmpstr(desc->name, ==, "faulty");
  g_assert_cmpstr(desc->version, ==, "1.0");
  g_assert_cmpstr(desc->summary, ==, "fails on documents holding FAIL");
  g_assert_null(desc->description);
  g_assert_cmpint(desc->kind, ==, COPYDESK_KIND_ANNOTATE);
  g_assert_nonnull(desc->options);
  g_assert_cmpstr(desc->options[0].name, ==, "fail_on");
  g_assert_cmpint(desc->options[0].type, ==, COPYDESK_OPTION_STRING);
  g_assert_cmpstr(desc->options[0].default_value, ==, "FAIL");
  g_assert_nonnull(desc->options[0].help);
  g_assert_null(desc->options[1].name);
  g_assert_null(desc->requires);
  g_assert_nonnull(desc->provides);
  g_assert_cmpstr(desc->provides[0], ==, "faulty");
  g_assert_null(desc->provides[1]);
  g_assert_nonnull(desc->create);
  g_assert_nonnull(desc->process);
  g_assert_nonnull(desc->destroy);
  g_assert_null(desc->format);
  g_assert_null(desc->header);
  g_assert_null(desc->footer);
  g_assert_null(desc->separator);
  for (guint i = 0; i < G_N_ELEMENTS(desc->reserved); i++)
    g_assert_null(desc->reserved[i]);

  /* Loaded once: a second load, with or without LOADED_FROM, and an explicit path to the same
   * file, all give the same descriptor. */
  g_assert_true(copydesk_plugin_load("faulty", NULL, path, NULL, &error) == desc);
  g_assert_no_error(error);
  g_assert_true(copydesk_plugin_load("faulty", expected_file, path, &loaded_from, &error) == desc);
  g_assert_no_error(error);
  g_assert_cmpstr(loaded_from, ==, expected_file);
  g_free(loaded_from);
  /* With an explicit path, the search path is not needed. */
  GPtrArray *empty = search_path(NULL, NULL);
  g_assert_true(copydesk_plugin_load("faulty", expected_file, empty, NULL, &error) == desc);
  g_assert_no_error(error);
  g_ptr_array_unref(empty);

  /* The loaded module still refuses another name for itself. */
  g_assert_null(copydesk_plugin_load("faulty2", expected_file, path, NULL, &error));
  assert_plugin_error(error, COPYDESK_PLUGIN_ERROR_NAME_MISMATCH,
                      "@T@/faulty.so calls itself 'faulty', not 'faulty2': name the plugin by "
                      "its descriptor name",
                      NULL, FALSE);
  g_clear_error(&error);

  g_free(expected_file);
  g_ptr_array_unref(path);
}

/* Identity comes from the descriptor, not the file name: misnamed.so loads as 'other' when
 * named by path. */
static void
test_load_by_descriptor_name(void)
{
  GPtrArray *path = search_path(test_dir, NULL);
  char *file = g_build_filename(test_dir, "misnamed.so", NULL);
  GError *error = NULL;
  const CopydeskPluginDescriptor *desc = copydesk_plugin_load("other", file, path, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(desc);
  g_assert_cmpstr(desc->name, ==, "other");
  g_assert_cmpstr(desc->summary, ==, "calls itself other");
  g_assert_null(desc->options);
  g_free(file);
  g_ptr_array_unref(path);
}

static void
test_load_shipped(void)
{
  GPtrArray *path = search_path(test_dir, build_dir, NULL);
  static const struct {
    const char *name;
    CopydeskPluginKind kind;
  } shipped[] = {
      {"clean", COPYDESK_KIND_TRANSFORM},
      {"json", COPYDESK_KIND_OUTPUT},
      {"jsonl", COPYDESK_KIND_OUTPUT},
  };
  for (guint i = 0; i < G_N_ELEMENTS(shipped); i++) {
    char *loaded_from = NULL;
    GError *error = NULL;
    const CopydeskPluginDescriptor *desc =
        copydesk_plugin_load(shipped[i].name, NULL, path, &loaded_from, &error);
    g_assert_no_error(error);
    g_assert_nonnull(desc);
    g_assert_cmpstr(desc->name, ==, shipped[i].name);
    g_assert_cmpint(desc->kind, ==, shipped[i].kind);
    g_assert_true(desc->flags & COPYDESK_PLUGIN_REENTRANT);
    /* Found in its own folder: plugins/NAME/NAME.so. */
    char *file = g_strconcat(shipped[i].name, ".so", NULL);
    char *expected = g_build_filename(build_dir, shipped[i].name, file, NULL);
    g_assert_cmpstr(loaded_from, ==, expected);
    g_free(expected);
    g_free(file);
    g_free(loaded_from);
  }
  g_ptr_array_unref(path);
}

/* The first folder holding a name wins; in one folder NAME.so wins over NAME/NAME.so. */
static void
test_search_order(void)
{
  char *dir = make_tmp_dir();
  char *source = g_build_filename(test_dir, "faulty.so", NULL);
  char *copy = g_build_filename(dir, "faulty.so", NULL);
  char *original = g_build_filename(test_dir, "faulty.so", NULL);
  copy_file(source, copy, 0755);
  GError *error = NULL;
  char *loaded_from = NULL;

  GPtrArray *path = search_path(dir, test_dir, NULL);
  g_assert_nonnull(copydesk_plugin_load("faulty", NULL, path, &loaded_from, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(loaded_from, ==, copy);
  g_clear_pointer(&loaded_from, g_free);
  /* Names only the second folder has are still found there. */
  g_assert_nonnull(copydesk_plugin_load("failing_create", NULL, path, &loaded_from, &error));
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(loaded_from, test_dir));
  g_clear_pointer(&loaded_from, g_free);

  /* The listing agrees: faulty from the first folder, once. */
  GPtrArray *infos = copydesk_plugin_list(path);
  guint seen = 0;
  for (guint i = 0; i < infos->len; i++) {
    const CopydeskPluginInfo *info = infos->pdata[i];
    if (strcmp(info->name, "faulty") == 0) {
      seen++;
      g_assert_cmpstr(info->path, ==, copy);
      g_assert_nonnull(info->descriptor);
      g_assert_null(info->error);
    }
  }
  g_assert_cmpuint(seen, ==, 1);
  g_assert_cmpuint(infos->len, ==, 7);
  g_ptr_array_unref(infos);
  g_ptr_array_unref(path);

  path = search_path(test_dir, dir, NULL);
  g_assert_nonnull(copydesk_plugin_load("faulty", NULL, path, &loaded_from, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(loaded_from, ==, original);
  g_clear_pointer(&loaded_from, g_free);
  g_ptr_array_unref(path);

  /* A nested copy NAME/NAME.so in the same folder loses to the flat one, and is found when
   * alone. */
  char *nested_dir = g_build_filename(dir, "faulty", NULL);
  char *nested = g_build_filename(nested_dir, "faulty.so", NULL);
  g_assert_cmpint(g_mkdir(nested_dir, 0755), ==, 0);
  copy_file(source, nested, 0755);
  path = search_path(dir, NULL);
  g_assert_nonnull(copydesk_plugin_load("faulty", NULL, path, &loaded_from, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(loaded_from, ==, copy);
  g_clear_pointer(&loaded_from, g_free);
  infos = copydesk_plugin_list(path);
  g_assert_cmpuint(infos->len, ==, 1);
  g_ptr_array_unref(infos);
  g_assert_cmpint(g_remove(copy), ==, 0);
  g_assert_nonnull(copydesk_plugin_load("faulty", NULL, path, &loaded_from, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(loaded_from, ==, nested);
  g_clear_pointer(&loaded_from, g_free);
  infos = copydesk_plugin_list(path);
  g_assert_cmpuint(infos->len, ==, 1);
  g_assert_cmpstr(((CopydeskPluginInfo *)infos->pdata[0])->path, ==, nested);
  g_ptr_array_unref(infos);
  g_ptr_array_unref(path);

  remove_tree(dir);
  g_free(nested);
  g_free(nested_dir);
  g_free(original);
  g_free(copy);
  g_free(source);
  g_free(dir);
}

/* ---- Listing -------------------------------------------------------------- */

static void
test_list_shipped(void)
{
  GPtrArray *path = search_path(build_dir, NULL);
  GPtrArray *infos = copydesk_plugin_list(path);
  const char *const wanted[] = {"clean", "json", "jsonl", NULL};
  guint next = 0;
  for (guint i = 0; i < infos->len; i++) {
    const CopydeskPluginInfo *info = infos->pdata[i];
    if (i > 0)
      g_assert_cmpint(strcmp(((CopydeskPluginInfo *)infos->pdata[i - 1])->name, info->name), <, 0);
    if (info->error)
      g_test_message("%s: %s", info->name, info->error);
    g_assert_null(info->error);
    g_assert_nonnull(info->descriptor);
    g_assert_cmpstr(info->descriptor->name, ==, info->name);
    char *file = g_strconcat(info->name, ".so", NULL);
    char *expected = g_build_filename(build_dir, info->name, file, NULL);
    g_assert_cmpstr(info->path, ==, expected);
    g_free(expected);
    g_free(file);
    if (wanted[next] && strcmp(info->name, wanted[next]) == 0)
      next++;
  }
  g_assert_null(wanted[next]); /* clean, json and jsonl, in that order */
  /* The listing loads the same modules a plain load does. */
  for (guint i = 0; i < infos->len; i++) {
    const CopydeskPluginInfo *info = infos->pdata[i];
    GError *error = NULL;
    g_assert_true(copydesk_plugin_load(info->name, NULL, path, NULL, &error) == info->descriptor);
    g_assert_no_error(error);
  }
  g_ptr_array_unref(infos);
  g_ptr_array_unref(path);
}

static void
test_list_broken(void)
{
  static const struct {
    const char *name;
    gboolean loads;
    const char *phrase; /* in the error */
  } expected[] = {
      {"bad_option_table", FALSE, "declares a bad option 'limit'"},
      {"failing_create", TRUE, NULL},
      {"faulty", TRUE, NULL},
      {"misnamed", FALSE, "calls itself 'other', not 'misnamed'"},
      {"newer_minor", FALSE, "ABI 1.2, but this copydesk speaks ABI 1.1"},
      {"no_entry", FALSE, "has no copydesk_plugin_describe symbol"},
      {"wrong_abi", FALSE, "ABI 2.0, but this copydesk speaks ABI 1.1"},
  };
  GPtrArray *path = search_path(test_dir, NULL);
  GPtrArray *infos = copydesk_plugin_list(path);
  g_assert_cmpuint(infos->len, ==, G_N_ELEMENTS(expected));
  for (guint i = 0; i < infos->len; i++) {
    const CopydeskPluginInfo *info = infos->pdata[i];
    g_assert_cmpstr(info->name, ==, expected[i].name);
    char *file = g_strconcat(info->name, ".so", NULL);
    char *expected_path = g_build_filename(test_dir, file, NULL);
    g_assert_cmpstr(info->path, ==, expected_path);
    g_free(expected_path);
    g_free(file);
    if (expected[i].loads) {
      g_assert_null(info->error);
      g_assert_nonnull(info->descriptor);
      g_assert_cmpstr(info->descriptor->name, ==, info->name);
    } else {
      g_assert_null(info->descriptor);
      g_assert_nonnull(info->error);
      if (strstr(info->error, expected[i].phrase) == NULL)
        g_test_message("%s: %s", info->name, info->error);
      g_assert_nonnull(strstr(info->error, expected[i].phrase));
    }
  }
  g_ptr_array_unref(infos);
  g_ptr_array_unref(path);

  /* Both folders: every name once, sorted. */
  path = search_path(test_dir, build_dir, NULL);
  infos = copydesk_plugin_list(path);
  g_assert_cmpuint(infos->len, >=, G_N_ELEMENTS(expected) + 3);
  for (guint i = 1; i < infos->len; i++)
    g_assert_cmpint(strcmp(((CopydeskPluginInfo *)infos->pdata[i - 1])->name,
                           ((CopydeskPluginInfo *)infos->pdata[i])->name), <, 0);
  g_ptr_array_unref(infos);
  g_ptr_array_unref(path);
}

static void
test_list_empty(void)
{
  GPtrArray *path = search_path(NULL, NULL);
  GPtrArray *infos = copydesk_plugin_list(path);
  g_assert_cmpuint(infos->len, ==, 0);
  g_ptr_array_unref(infos);
  g_ptr_array_unref(path);

  char *missing = g_build_filename(test_dir, "no-such-folder", NULL);
  path = search_path(missing, NULL);
  infos = copydesk_plugin_list(path);
  g_assert_cmpuint(infos->len, ==, 0);
  g_ptr_array_unref(infos);
  g_ptr_array_unref(path);
  g_free(missing);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  const char *build_root = g_getenv("COPYDESK_BUILD_ROOT");
  g_assert_nonnull(build_root);
  test_dir = g_build_filename(build_root, "tests", "plugins", NULL);
  build_dir = g_build_filename(build_root, "plugins", NULL);

  g_test_add_func("/loader/name_is_valid", test_name_is_valid);
  g_test_add_func("/loader/kind_names", test_kind_names);
  for (guint i = 0; i < G_N_ELEMENTS(refusals); i++) {
    char *test_path = g_strdup_printf("/loader/refuse/%s", refusals[i].test);
    g_test_add_data_func(test_path, &refusals[i], test_refusal);
    g_free(test_path);
  }
  g_test_add_func("/loader/not_found", test_not_found);
  g_test_add_func("/loader/insecure/folder", test_insecure_folder);
  g_test_add_func("/loader/insecure/file", test_insecure_file);
  g_test_add_func("/loader/not_a_shared_object", test_not_a_shared_object);
  g_test_add_func("/loader/load/faulty", test_load_faulty);
  g_test_add_func("/loader/load/by_descriptor_name", test_load_by_descriptor_name);
  g_test_add_func("/loader/load/shipped", test_load_shipped);
  g_test_add_func("/loader/search_order", test_search_order);
  g_test_add_func("/loader/list/shipped", test_list_shipped);
  g_test_add_func("/loader/list/broken", test_list_broken);
  g_test_add_func("/loader/list/empty", test_list_empty);

  int status = g_test_run();
  g_free(test_dir);
  g_free(build_dir);
  return status;
}
