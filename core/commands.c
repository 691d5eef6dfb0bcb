/* copydesk — sub-commands: plugins, describe, check. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "options_private.h"
#include "plugin_loader.h"
#include "runner.h"

/* "a, b" for a NULL-terminated list, or "-" when empty. */
static char *
join_or_dash(const char *const *list)
{
  if (list == NULL || list[0] == NULL)
    return g_strdup("-");
  return g_strjoinv(", ", (char **)list);
}

int
copydesk_command_plugins(const GPtrArray *search_path)
{
  GPtrArray *infos = copydesk_plugin_list(search_path);
  int status = COPYDESK_EXIT_OK;
  for (guint i = 0; i < infos->len; i++) {
    const CopydeskPluginInfo *info = infos->pdata[i];
    if (info->descriptor) {
      const CopydeskPluginDescriptor *d = info->descriptor;
      printf("%-12s %-9s %-8s %s\n", d->name, copydesk_plugin_kind_name(d->kind), d->version,
             d->summary);
    } else {
      printf("%-12s %-9s %-8s (cannot load: %s)\n", info->name, "?", "?", info->error);
    }
  }
  if (infos->len == 0) {
    g_printerr("copydesk: no plugins found (looked in:");
    for (guint i = 0; i < search_path->len; i++)
      g_printerr("%s %s", i ? "," : "", (char *)search_path->pdata[i]);
    g_printerr(")\n");
    status = COPYDESK_EXIT_USAGE;
  }
  g_ptr_array_unref(infos);
  return status;
}

/* The "default" and "range/choices" column of one option. */
static char *
describe_constraint(const CopydeskOptionSpec *spec)
{
  if ((spec->type == COPYDESK_OPTION_ENUM || spec->type == COPYDESK_OPTION_STRING_LIST) &&
      spec->choices) {
    char *choices = g_strjoinv(", ", (char **)spec->choices);
    char *text = g_strdup_printf("one of: %s", choices);
    g_free(choices);
    return text;
  }
  if ((spec->type == COPYDESK_OPTION_INT || spec->type == COPYDESK_OPTION_DOUBLE) &&
      spec->min < spec->max)
    return g_strdup_printf("from %g to %g", spec->min, spec->max);
  return NULL;
}

int
copydesk_command_describe(const char *name, const GPtrArray *search_path)
{
  GError *error = NULL;
  char *file = NULL;
  const CopydeskPluginDescriptor *d = copydesk_plugin_load(name, NULL, search_path, &file, &error);
  if (d == NULL) {
    g_printerr("copydesk: %s\n", error->message);
    g_error_free(error);
    return COPYDESK_EXIT_USAGE;
  }
  char *requires = join_or_dash(d->requires);
  char *provides = join_or_dash(d->provides);
  printf("%s %s (%s plugin)\n", d->name, d->version, copydesk_plugin_kind_name(d->kind));
  printf("  %s\n", d->summary);
  if (d->description)
    printf("\n%s\n", d->description);
  printf("\n  file:      %s\n", file);
  printf("  ABI:       %u.%u\n", d->abi_major, d->abi_minor);
  printf("  requires:  %s\n", requires);
  printf("  provides:  %s\n", provides);
  printf("  threads:   %s\n", (d->flags & COPYDESK_PLUGIN_REENTRANT)
                                  ? "one instance shared by all workers"
                                  : "one instance per worker");
  guint n = 0;
  while (d->options && d->options[n].name)
    n++;
  if (n == 0) {
    printf("\nOptions: none\n");
  } else {
    printf("\nOptions:\n");
    for (guint i = 0; i < n; i++) {
      const CopydeskOptionSpec *spec = &d->options[i];
      char *constraint = describe_constraint(spec);
      printf("  %-16s %-12s default: %s%s%s\n", spec->name, copydesk_option_type_name(spec->type),
             spec->default_value ? spec->default_value : "(none)", constraint ? "; " : "",
             constraint ? constraint : "");
      if (spec->help)
        printf("      %s\n", spec->help);
      g_free(constraint);
    }
  }
  g_free(requires);
  g_free(provides);
  g_free(file);
  return COPYDESK_EXIT_OK;
}

int
copydesk_command_check(const char *path, const CopydeskPipelineSettings *settings)
{
  GError *error = NULL;
  CopydeskPipeline *pipeline = copydesk_pipeline_load_file(path, settings, &error);
  CopydeskWorker *worker = pipeline ? copydesk_worker_new(pipeline, &error) : NULL;
  if (worker == NULL) {
    g_printerr("copydesk: %s\n", error->message);
    g_error_free(error);
    copydesk_pipeline_free(pipeline);
    return COPYDESK_EXIT_USAGE;
  }
  GString *chain = g_string_new(NULL);
  for (guint i = 0; i < pipeline->stages->len; i++)
    g_string_append_printf(chain, "%s → ", ((CopydeskStage *)pipeline->stages->pdata[i])->name);
  g_string_append(chain, pipeline->output->name);
  printf("%s: ok: %s\n", path, chain->str);
  g_string_free(chain, TRUE);
  copydesk_worker_free(worker);
  copydesk_pipeline_free(pipeline);
  return COPYDESK_EXIT_OK;
}
