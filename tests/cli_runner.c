/* copydesk — running the copydesk command from tests, through files for stdin, stdout and
 * stderr so that large inputs and outputs never block on a pipe. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "cli_runner.h"

static char *tmp_dir;

static void
remove_tmp_dir(void)
{
  GDir *dir = g_dir_open(tmp_dir, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir)) != NULL) {
    char *path = g_build_filename(tmp_dir, name, NULL);
    g_unlink(path);
    g_free(path);
  }
  if (dir)
    g_dir_close(dir);
  g_rmdir(tmp_dir);
  g_free(tmp_dir);
}

const char *
cli_tmp_dir(void)
{
  if (tmp_dir == NULL) {
    tmp_dir = g_dir_make_tmp("copydesk-test-XXXXXX", NULL);
    g_assert_nonnull(tmp_dir);
    atexit(remove_tmp_dir);
  }
  return tmp_dir;
}

char *
cli_data_file(const char *name)
{
  return g_build_filename(g_getenv("COPYDESK_TEST_DATA"), name, NULL);
}

guint
cli_count_lines(const char *text)
{
  guint n = 0;
  for (const char *p = text; *p; p++)
    n += (*p == '\n');
  return n;
}

/* Runs copydesk with ARGS on the file IN_PATH. */
static int
run_with_stdin_file(const char *in_path, char **out, char **err, const char *first, va_list args)
{
  static guint counter;
  char *out_path = g_strdup_printf("%s/out-%u", cli_tmp_dir(), counter);
  char *err_path = g_strdup_printf("%s/err-%u", cli_tmp_dir(), counter++);
  char *script = g_strdup_printf("exec \"$0\" \"$@\" <'%s' >'%s' 2>'%s'", in_path, out_path,
                                 err_path);
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, "/bin/sh");
  g_ptr_array_add(argv, "-c");
  g_ptr_array_add(argv, script);
  g_ptr_array_add(argv, (char *)g_getenv("COPYDESK_BINARY"));
  for (const char *a = first; a; a = va_arg(args, const char *))
    g_ptr_array_add(argv, (char *)a);
  g_ptr_array_add(argv, NULL);

  char **env = g_get_environ();
  char *plugin_path = g_strdup_printf("%s/plugins:%s/tests/plugins", g_getenv("COPYDESK_BUILD_ROOT"),
                                      g_getenv("COPYDESK_BUILD_ROOT"));
  env = g_environ_setenv(env, "COPYDESK_PLUGIN_PATH", plugin_path, TRUE);
  int wait_status = 0;
  GError *error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                             NULL, &wait_status, &error));
  g_assert_no_error(error);
  g_assert_true(g_file_get_contents(out_path, out, NULL, NULL));
  g_assert_true(g_file_get_contents(err_path, err, NULL, NULL));
  g_unlink(out_path);
  g_unlink(err_path);
  g_free(plugin_path);
  g_strfreev(env);
  g_free(script);
  g_ptr_array_free(argv, TRUE);
  g_free(out_path);
  g_free(err_path);
  g_assert_true(WIFEXITED(wait_status));
  return WEXITSTATUS(wait_status);
}

int
cli_run_file(const char *stdin_path, char **out, char **err, const char *first, ...)
{
  va_list args;
  va_start(args, first);
  int status = run_with_stdin_file(stdin_path, out, err, first, args);
  va_end(args);
  return status;
}

int
cli_run(const char *stdin_data, gssize len, char **out, char **err, const char *first, ...)
{
  static guint counter;
  char *in_path = g_strdup_printf("%s/in-%u", cli_tmp_dir(), counter++);
  g_assert_true(g_file_set_contents(in_path, stdin_data ? stdin_data : "",
                                    stdin_data ? len : 0, NULL));
  va_list args;
  va_start(args, first);
  int status = run_with_stdin_file(in_path, out, err, first, args);
  va_end(args);
  g_unlink(in_path);
  g_free(in_path);
  return status;
}
