/* copydesk — the command: a filter from article text or JSONL to annotated output. */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <copydesk/version.h>

#include "allocator.h"
#include "commands.h"
#include "input.h"
#include "new_plugin.h"
#include "paths.h"
#include "pipeline.h"
#include "runner.h"

#define MAX_JOBS 256

static const char summary[] =
    "Reads news articles (text files; JSON Lines with --from jsonl; CoNLL columns with\n"
    "--from conll) and writes what the pipeline finds in them: sentences, entities, quotes\n"
    "and their speakers.\n"
    "\n"
    "Sub-commands:\n"
    "  copydesk plugins           list the plugins on the search path\n"
    "  copydesk describe NAME     show a plugin's options and the layers it needs and adds\n"
    "  copydesk check PIPELINE    validate a pipeline file without running it\n"
    "  copydesk new-plugin NAME   write a plugin folder to start from (--kind, --dir;\n"
    "                             see --help-new-plugin)\n"
    "\n"
    "FILE is read as one document (a line holding only a form feed separates several);\n"
    "'-' or no FILE reads standard input.  Name a file called like a sub-command ./NAME.";

static const char description[] =
    "Exit status: 0 all documents processed; 1 a document failed (it is still written, with\n"
    "an \"errors\" array); 2 usage, pipeline or plugin error; 3 input or output error.\n"
    "\n"
    "A progress line appears on stderr during long runs when stderr is a terminal (and\n"
    "stdout is not); --progress shows it anyway, even with --quiet; --quiet alone hides it.\n"
    "\n"
    "Environment: COPYDESK_PLUGIN_PATH (folders searched for plugins, ':'-separated),\n"
    "COPYDESK_DATA_DIR (where default.yaml and the models are), CI (no progress line).\n"
    "\n"
    "See copydesk(1), copydesk-pipeline(5) and the guides in docs/.";

typedef struct {
  char *config;
  char *from;
  char *to;
  gint jobs;
  gboolean quiet;
  gboolean progress;
  gboolean stats;
  char *color;
  gboolean version;
  char *kind; /* new-plugin */
  char *dir;  /* new-plugin */
  char **args;
} CliOptions;

/* Prints a usage error and returns the usage exit status. */
static int usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int
usage_error(const char *fmt, ...)
{
  va_list args;
  va_start(args, fmt);
  char *message = g_strdup_vprintf(fmt, args);
  va_end(args);
  g_printerr("copydesk: %s\nTry 'copydesk --help' for more information.\n", message);
  g_free(message);
  return COPYDESK_EXIT_USAGE;
}

/* The pipeline file to use: -c, else default.yaml in the data folder. */
static char *
pipeline_path(const CliOptions *cli)
{
  if (cli->config)
    return g_strdup(cli->config);
  char *data_dir = copydesk_paths_data_dir();
  char *path = g_build_filename(data_dir, "default.yaml", NULL);
  g_free(data_dir);
  return path;
}

/* Runs the pipeline over the files named in ARGS (standard input when none). */
static int
run_filter(const CliOptions *cli, const CopydeskPipelineSettings *settings)
{
  char *path = pipeline_path(cli);
  if (cli->config == NULL && !g_file_test(path, G_FILE_TEST_EXISTS)) {
    g_printerr("copydesk: no pipeline given and no default pipeline at %s; "
               "give one with -c PIPELINE or set COPYDESK_DATA_DIR\n", path);
    g_free(path);
    return COPYDESK_EXIT_USAGE;
  }
  GError *error = NULL;
  CopydeskPipeline *pipeline = copydesk_pipeline_load_file(path, settings, &error);
  g_free(path);
  if (pipeline == NULL) {
    g_printerr("copydesk: %s\n", error->message);
    g_error_free(error);
    return COPYDESK_EXIT_USAGE;
  }
  CopydeskInput *input = copydesk_input_new(pipeline->input_format, pipeline->text_field,
                                            pipeline->id_field, (const char *const *)cli->args);
  CopydeskProgressMode mode = cli->progress ? COPYDESK_PROGRESS_ON
                              : cli->quiet  ? COPYDESK_PROGRESS_OFF
                                            : COPYDESK_PROGRESS_AUTO;
  CopydeskRunOptions options = {
      .jobs = (guint)cli->jobs,
      .quiet = cli->quiet,
      .out = stdout,
      .progress = copydesk_progress_new(mode, (const char *const *)cli->args, stderr),
      .stats = cli->stats};
  int status = copydesk_run(pipeline, input, &options);
  copydesk_progress_finish(options.progress);
  copydesk_input_free(input);
  copydesk_pipeline_free(pipeline);
  return status;
}

/* The search path for `plugins` and `describe`: the -c pipeline's folders are not read here;
 * COPYDESK_PLUGIN_PATH and the installed folder are. */
static int
run_subcommand(const char *command, char **args, const CliOptions *cli,
               const CopydeskPipelineSettings *settings)
{
  guint n = args ? g_strv_length(args) : 0;
  if (strcmp(command, "new-plugin") == 0) {
    if (n != 1)
      return usage_error("%s", "'new-plugin' takes one plugin name: copydesk new-plugin NAME "
                               "[--kind annotate|transform|output] [--dir DIR]");
    return copydesk_command_new_plugin(args[0], cli->kind, cli->dir);
  }
  if (strcmp(command, "plugins") == 0) {
    if (n != 0)
      return usage_error("'plugins' takes no arguments, got '%s'", args[0]);
    GPtrArray *search_path = copydesk_paths_search_path(NULL, TRUE);
    int status = copydesk_command_plugins(search_path);
    g_ptr_array_unref(search_path);
    return status;
  }
  if (strcmp(command, "describe") == 0) {
    if (n != 1)
      return usage_error("%s", "'describe' takes one plugin name: copydesk describe NAME");
    GPtrArray *search_path = copydesk_paths_search_path(NULL, TRUE);
    int status = copydesk_command_describe(args[0], search_path);
    g_ptr_array_unref(search_path);
    return status;
  }
  /* check */
  if (n != 1)
    return usage_error("%s", "'check' takes one pipeline file: copydesk check PIPELINE");
  return copydesk_command_check(args[0], settings);
}

int
main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  copydesk_allocator_tune();
  /* stdout carries the documents: every log message, debug ones included, goes to stderr. */
  g_log_writer_default_set_use_stderr(TRUE);
  signal(SIGPIPE, SIG_IGN); /* a closed pipe shows up as EPIPE and ends the run quietly */

  CliOptions cli = {.jobs = 1};
  GOptionEntry entries[] = {
      {"config", 'c', 0, G_OPTION_ARG_FILENAME, &cli.config,
       "Pipeline file (default: default.yaml in the data folder)", "PIPELINE"},
      {"from", 'f', 0, G_OPTION_ARG_STRING, &cli.from, "Input format: text, jsonl or conll", "FORMAT"},
      {"to", 't', 0, G_OPTION_ARG_STRING, &cli.to,
       "Output plugin, replacing the pipeline's (json, jsonl, …)", "FORMAT"},
      {"jobs", 'j', 0, G_OPTION_ARG_INT, &cli.jobs,
       "Worker threads (default 1); output order always equals input order", "N"},
      {"quiet", 'q', 0, G_OPTION_ARG_NONE, &cli.quiet,
       "No messages about failed documents (still in the output), no progress line", NULL},
      {"progress", 'p', 0, G_OPTION_ARG_NONE, &cli.progress,
       "Show the progress line on stderr even when it is not a terminal", NULL},
      {"stats", 0, 0, G_OPTION_ARG_NONE, &cli.stats,
       "At the end, print on stderr the time and MB/s of each stage", NULL},
      {"color", 0, 0, G_OPTION_ARG_STRING, &cli.color,
       "Colour in the text output: auto (on a terminal), always or never", "WHEN"},
      {"version", 'V', 0, G_OPTION_ARG_NONE, &cli.version, "Print the version and exit", NULL},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cli.args, NULL, "[FILE…]"},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  GOptionContext *context = g_option_context_new(NULL);
  g_option_context_set_summary(context, summary);
  g_option_context_set_description(context, description);
  g_option_context_add_main_entries(context, entries, NULL);
  GOptionEntry new_plugin_entries[] = {
      {"kind", 'k', 0, G_OPTION_ARG_STRING, &cli.kind,
       "Kind of plugin: annotate (default), transform or output", "KIND"},
      {"dir", 'd', 0, G_OPTION_ARG_FILENAME, &cli.dir,
       "Write the folder NAME inside DIR (default: the current folder)", "DIR"},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  GOptionGroup *new_plugin_group =
      g_option_group_new("new-plugin", "Options of copydesk new-plugin NAME:",
                         "Show the options of new-plugin", NULL, NULL);
  g_option_group_add_entries(new_plugin_group, new_plugin_entries);
  g_option_context_add_group(context, new_plugin_group);
  GError *error = NULL;
  int status;
  if (!g_option_context_parse(context, &argc, &argv, &error)) {
    status = usage_error("%s", error->message);
    g_error_free(error);
    goto out;
  }
  if (cli.version) {
    printf("copydesk %s (plugin ABI %d.%d)\n", copydesk_version(), COPYDESK_ABI_MAJOR,
           COPYDESK_ABI_MINOR);
    status = COPYDESK_EXIT_OK;
    goto out;
  }
  if (cli.jobs < 1 || cli.jobs > MAX_JOBS) {
    status = usage_error("-j must be from 1 to %d, not %d", MAX_JOBS, cli.jobs);
    goto out;
  }
  if (cli.color && strcmp(cli.color, "auto") != 0 && strcmp(cli.color, "always") != 0 &&
      strcmp(cli.color, "never") != 0) {
    status = usage_error("--color must be auto, always or never, not '%s'", cli.color);
    goto out;
  }
  if (cli.from && strcmp(cli.from, "text") != 0 && strcmp(cli.from, "jsonl") != 0 &&
      strcmp(cli.from, "conll") != 0) {
    status = usage_error("--from must be text, jsonl or conll, not '%s'", cli.from);
    goto out;
  }
  CopydeskPipelineSettings settings = {
      .output_plugin = cli.to, .input_format = cli.from, .with_installed = TRUE,
      .color = cli.color};
  const char *first = cli.args ? cli.args[0] : NULL;
  gboolean new_plugin = first && strcmp(first, "new-plugin") == 0;
  if (!new_plugin && (cli.kind || cli.dir)) {
    status = usage_error("%s", "--kind and --dir go with new-plugin: copydesk new-plugin NAME "
                               "[--kind KIND] [--dir DIR]");
    goto out;
  }
  if (first && (strcmp(first, "plugins") == 0 || strcmp(first, "describe") == 0 ||
                strcmp(first, "check") == 0 || new_plugin))
    status = run_subcommand(first, cli.args + 1, &cli, &settings);
  else
    status = run_filter(&cli, &settings);

  if (fclose(stdout) != 0 && errno != EPIPE && status != COPYDESK_EXIT_USAGE) {
    /* A full disk is an error, not silence. */
    g_printerr("copydesk: cannot write the output: %s\n", g_strerror(errno));
    status = COPYDESK_EXIT_IO;
  }
out:
  g_option_context_free(context);
  g_free(cli.config);
  g_free(cli.from);
  g_free(cli.to);
  g_free(cli.color);
  g_free(cli.kind);
  g_free(cli.dir);
  g_strfreev(cli.args);
  return status;
}
