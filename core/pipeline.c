/* copydesk — pipeline files: schema checks, plugin loading, options, layer order; and the
 * per-worker instances that run the stages. */
#include <string.h>

#include "config_tree.h"
#include "document_private.h"
#include "paths.h"
#include "pipeline.h"
#include "stats.h"
#include "plugin_loader.h"

static const char *const top_level_keys[] = {"plugin_path", "input", "pipeline", "output", NULL};
static const char *const input_keys[] = {"format", "text_field", "id_field", NULL};
static const char *const stage_keys[] = {"plugin", "path", "options", "on_error", NULL};
static const char *const output_keys[] = {"plugin", "path", "options", NULL};
static const char *const input_formats[] = {"text", "jsonl", "conll", NULL};
static const char *const on_error_values[] = {"record", "skip", "abort", NULL};

/* Reading state: the file name for messages and where relative paths resolve. */
typedef struct {
  const char *file;
  const char *base_dir;
} Reader;

static void
node_error(GError **error, GQuark domain, gint code, const Reader *r,
           const CopydeskConfigNode *node, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

static void
node_error(GError **error, GQuark domain, gint code, const Reader *r,
           const CopydeskConfigNode *node, const char *fmt, ...)
{
  va_list args;
  va_start(args, fmt);
  char *message = g_strdup_vprintf(fmt, args);
  va_end(args);
  if (node)
    g_set_error(error, domain, code, "%s:%u:%u: %s", r->file, node->line, node->column, message);
  else
    g_set_error(error, domain, code, "%s: %s", r->file, message);
  g_free(message);
}

/* Prefixes ERROR's message with NODE's position in the file. */
static void
prefix_with_position(GError *error, const Reader *r, const CopydeskConfigNode *node)
{
  if (node)
    g_prefix_error(&error, "%s:%u:%u: ", r->file, node->line, node->column);
  else
    g_prefix_error(&error, "%s: ", r->file);
}

static gboolean
in_list(const char *const *list, const char *value)
{
  for (guint i = 0; list[i]; i++)
    if (strcmp(list[i], value) == 0)
      return TRUE;
  return FALSE;
}

/* Checks that NODE is a mapping whose keys are all in ALLOWED. */
static gboolean
check_mapping(const Reader *r, const CopydeskConfigNode *node, const char *what,
              const char *const *allowed, GError **error)
{
  if (node->type != COPYDESK_NODE_MAPPING) {
    node_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_WRONG_TYPE, r, node,
               "%s must be a mapping (key: value), not %s", what,
               copydesk_config_node_describe(node));
    return FALSE;
  }
  for (guint i = 0; i < node->keys->len; i++) {
    const CopydeskConfigNode *key = node->keys->pdata[i];
    if (!in_list(allowed, key->value)) {
      char *keys = g_strjoinv(", ", (char **)allowed);
      node_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, r, key,
                 "unknown key '%s' in %s (known keys: %s)", key->value, what, keys);
      g_free(keys);
      return FALSE;
    }
  }
  return TRUE;
}

/* The scalar value of KEY in MAPPING, NULL when absent; an error when it is not a scalar. */
static const CopydeskConfigNode *
get_scalar(const Reader *r, const CopydeskConfigNode *mapping, const char *key, gboolean *ok,
           GError **error)
{
  const CopydeskConfigNode *node = copydesk_config_lookup(mapping, key);
  if (node && node->type != COPYDESK_NODE_SCALAR) {
    node_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_WRONG_TYPE, r, node,
               "'%s' must be a string, not %s", key, copydesk_config_node_describe(node));
    *ok = FALSE;
    return NULL;
  }
  return node;
}

/* Checks that scalar NODE is one of CHOICES. */
static gboolean
check_choice(const Reader *r, const CopydeskConfigNode *node, const char *key,
             const char *const *choices, GError **error)
{
  if (in_list(choices, node->value))
    return TRUE;
  char *list = g_strjoinv(", ", (char **)choices);
  node_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_BAD_VALUE, r, node,
             "'%s' is '%s'; it must be one of: %s", key, node->value, list);
  g_free(list);
  return FALSE;
}

/* Resolves PATH against the pipeline file's folder. */
static char *
resolve(const Reader *r, const char *path)
{
  return g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(r->base_dir, path, NULL);
}

static void
free_stage(CopydeskStage *stage)
{
  if (stage == NULL)
    return;
  if (stage->shared_ready && stage->descriptor->destroy && stage->shared)
    stage->descriptor->destroy(stage->shared);
  copydesk_options_free(stage->options);
  g_free(stage->name);
  g_free(stage->file);
  g_free(stage);
}

void
copydesk_pipeline_free(CopydeskPipeline *pipeline)
{
  if (pipeline == NULL)
    return;
  g_ptr_array_free(pipeline->stages, TRUE);
  free_stage(pipeline->output);
  if (pipeline->search_path)
    g_ptr_array_unref(pipeline->search_path);
  g_free(pipeline->text_field);
  g_free(pipeline->id_field);
  g_free(pipeline->base_dir);
  g_free(pipeline->file);
  g_free(pipeline);
}

/* Loads one stage from NAME (and optional explicit PATH and OPTIONS nodes).  NAME_NODE is where
 * errors about the plugin point; NULL when the name came from the command line. */
static CopydeskStage *
load_stage(CopydeskPipeline *pipeline, const Reader *r, const char *name,
           const CopydeskConfigNode *name_node, const CopydeskConfigNode *path_node,
           const CopydeskConfigNode *options_node, GError **error)
{
  char *file = path_node ? resolve(r, path_node->value) : NULL;
  CopydeskStage *stage = g_new0(CopydeskStage, 1);
  stage->name = g_strdup(name);
  if (name_node) {
    stage->line = name_node->line;
    stage->column = name_node->column;
  }
  GError *local = NULL;
  stage->descriptor = copydesk_plugin_load(name, file, pipeline->search_path, &stage->file, &local);
  g_free(file);
  if (stage->descriptor == NULL) {
    if (name_node)
      prefix_with_position(local, r, name_node);
    else
      g_prefix_error(&local, "--to: ");
    g_propagate_error(error, local);
    free_stage(stage);
    return NULL;
  }
  stage->options = copydesk_options_new(stage->descriptor->options, r->base_dir);
  if (!copydesk_options_apply(stage->options, options_node, r->file, name, error)) {
    free_stage(stage);
    return NULL;
  }
  return stage;
}

static gboolean
read_plugin_path(CopydeskPipeline *pipeline, const Reader *r, const CopydeskConfigNode *node,
                 const CopydeskPipelineSettings *settings, GError **error)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
  gboolean ok = TRUE;
  if (node && node->type == COPYDESK_NODE_SCALAR) {
    g_ptr_array_add(dirs, resolve(r, node->value));
  } else if (node && node->type == COPYDESK_NODE_SEQUENCE) {
    for (guint i = 0; ok && i < node->items->len; i++) {
      const CopydeskConfigNode *item = node->items->pdata[i];
      if (item->type != COPYDESK_NODE_SCALAR) {
        node_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_WRONG_TYPE, r, item,
                   "plugin_path items must be folder names, not %s",
                   copydesk_config_node_describe(item));
        ok = FALSE;
      } else {
        g_ptr_array_add(dirs, resolve(r, item->value));
      }
    }
  } else if (node) {
    node_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_WRONG_TYPE, r, node,
               "plugin_path must be a folder or a list of folders, not %s",
               copydesk_config_node_describe(node));
    ok = FALSE;
  }
  g_ptr_array_add(dirs, NULL);
  if (ok)
    pipeline->search_path = copydesk_paths_search_path((const char *const *)dirs->pdata,
                                                       settings->with_installed);
  g_ptr_array_free(dirs, TRUE);
  return ok;
}

static gboolean
read_input(CopydeskPipeline *pipeline, const Reader *r, const CopydeskConfigNode *node,
           const CopydeskPipelineSettings *settings, GError **error)
{
  pipeline->text_field = g_strdup("text");
  pipeline->id_field = g_strdup("id");
  const char *format = "text";
  if (node) {
    gboolean ok = TRUE;
    if (!check_mapping(r, node, "input", input_keys, error))
      return FALSE;
    const CopydeskConfigNode *f = get_scalar(r, node, "format", &ok, error);
    const CopydeskConfigNode *t = ok ? get_scalar(r, node, "text_field", &ok, error) : NULL;
    const CopydeskConfigNode *id = ok ? get_scalar(r, node, "id_field", &ok, error) : NULL;
    if (!ok)
      return FALSE;
    if (f && !check_choice(r, f, "format", input_formats, error))
      return FALSE;
    if (f)
      format = f->value;
    if (t) {
      g_free(pipeline->text_field);
      pipeline->text_field = g_strdup(t->value);
    }
    if (id) {
      g_free(pipeline->id_field);
      pipeline->id_field = g_strdup(id->value);
    }
  }
  if (settings->input_format)
    format = settings->input_format;
  pipeline->input_format = strcmp(format, "jsonl") == 0   ? COPYDESK_INPUT_JSONL
                           : strcmp(format, "conll") == 0 ? COPYDESK_INPUT_CONLL
                                                          : COPYDESK_INPUT_TEXT;
  return TRUE;
}

static gboolean
read_stages(CopydeskPipeline *pipeline, const Reader *r, const CopydeskConfigNode *node,
            GError **error)
{
  if (node == NULL || (node->type == COPYDESK_NODE_SCALAR && !node->quoted &&
                       (node->value[0] == '\0' || strcmp(node->value, "~") == 0 ||
                        strcmp(node->value, "null") == 0)))
    return TRUE; /* no stages: the output sees the text as read */
  if (node->type != COPYDESK_NODE_SEQUENCE) {
    node_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_WRONG_TYPE, r, node,
               "pipeline must be a list of stages (- plugin: NAME), not %s",
               copydesk_config_node_describe(node));
    return FALSE;
  }
  for (guint i = 0; i < node->items->len; i++) {
    const CopydeskConfigNode *item = node->items->pdata[i];
    gboolean ok = TRUE;
    if (!check_mapping(r, item, "a pipeline stage", stage_keys, error))
      return FALSE;
    const CopydeskConfigNode *name = get_scalar(r, item, "plugin", &ok, error);
    const CopydeskConfigNode *path = ok ? get_scalar(r, item, "path", &ok, error) : NULL;
    const CopydeskConfigNode *on_error = ok ? get_scalar(r, item, "on_error", &ok, error) : NULL;
    if (!ok)
      return FALSE;
    if (name == NULL) {
      node_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_MISSING_KEY, r, item,
                 "this stage has no 'plugin' key; write '- plugin: NAME'");
      return FALSE;
    }
    if (on_error && !check_choice(r, on_error, "on_error", on_error_values, error))
      return FALSE;
    CopydeskStage *stage = load_stage(pipeline, r, name->value, name, path,
                                      copydesk_config_lookup(item, "options"), error);
    if (stage == NULL)
      return FALSE;
    g_ptr_array_add(pipeline->stages, stage);
    if (on_error)
      stage->on_error = strcmp(on_error->value, "skip") == 0    ? COPYDESK_ON_ERROR_SKIP
                        : strcmp(on_error->value, "abort") == 0 ? COPYDESK_ON_ERROR_ABORT
                                                                : COPYDESK_ON_ERROR_RECORD;
    if (stage->descriptor->kind == COPYDESK_KIND_OUTPUT) {
      node_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_KIND, r, name,
                 "'%s' is an output plugin; name it under 'output:', not in the pipeline",
                 name->value);
      return FALSE;
    }
  }
  return TRUE;
}

/* Sets the `color` option of OUTPUT from --color, when the plugin has one. */
static gboolean
apply_color(CopydeskStage *output, const char *when, GError **error)
{
  const CopydeskOptionSpec *spec = output->descriptor->options;
  while (spec && spec->name && strcmp(spec->name, "color") != 0)
    spec++;
  if (spec == NULL || spec->name == NULL)
    return TRUE; /* not a plugin that colours its output */
  char *yaml = g_strdup_printf("color: '%s'", when);
  CopydeskConfigNode *node = copydesk_config_parse("--color", yaml, strlen(yaml), error);
  gboolean ok = node && copydesk_options_apply(output->options, node, "--color", output->name,
                                               error);
  copydesk_config_node_free(node);
  g_free(yaml);
  return ok;
}

static gboolean
read_output(CopydeskPipeline *pipeline, const Reader *r, const CopydeskConfigNode *node,
            const CopydeskPipelineSettings *settings, GError **error)
{
  const CopydeskConfigNode *name = NULL, *path = NULL, *options = NULL;
  if (node) {
    gboolean ok = TRUE;
    if (!check_mapping(r, node, "output", output_keys, error))
      return FALSE;
    name = get_scalar(r, node, "plugin", &ok, error);
    path = ok ? get_scalar(r, node, "path", &ok, error) : NULL;
    if (!ok)
      return FALSE;
    options = copydesk_config_lookup(node, "options");
  }
  const char *plugin = name ? name->value : "jsonl";
  if (settings->output_plugin && (name == NULL || strcmp(settings->output_plugin, plugin) != 0)) {
    /* --to names another plugin: the file's options and path were for the one it replaces. */
    plugin = settings->output_plugin;
    name = path = options = NULL;
  }
  pipeline->output = load_stage(pipeline, r, plugin, name, path, options, error);
  if (pipeline->output == NULL)
    return FALSE;
  if (settings->color && !apply_color(pipeline->output, settings->color, error))
    return FALSE;
  if (pipeline->output->descriptor->kind != COPYDESK_KIND_OUTPUT) {
    CopydeskPluginKind kind = pipeline->output->descriptor->kind;
    node_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_KIND, r, name,
               "'%s' is %s %s plugin, not an output plugin; try --to jsonl or see "
               "'copydesk plugins'", plugin, kind == COPYDESK_KIND_ANNOTATE ? "an" : "a",
               copydesk_plugin_kind_name(kind));
    return FALSE;
  }
  return TRUE;
}

/* Checks that every stage's required layers come from an earlier stage. */
static gboolean
check_layer_order(const CopydeskPipeline *pipeline, const Reader *r, GError **error)
{
  GHashTable *provided = g_hash_table_new(g_str_hash, g_str_equal);
  gboolean ok = TRUE;
  if (pipeline->input_format == COPYDESK_INPUT_CONLL) { /* the reader makes these */
    g_hash_table_add(provided, COPYDESK_LAYER_TOKEN);
    g_hash_table_add(provided, COPYDESK_LAYER_SENTENCE);
  }
  for (guint i = 0; ok && i <= pipeline->stages->len; i++) {
    const CopydeskStage *stage =
        i < pipeline->stages->len ? pipeline->stages->pdata[i] : pipeline->output;
    const char *const *requires = stage->descriptor->requires;
    for (guint k = 0; ok && requires && requires[k]; k++) {
      if (g_hash_table_contains(provided, requires[k]))
        continue;
      /* Name the later stage that would provide it, when there is one. */
      const char *later = NULL;
      for (guint j = i + 1; later == NULL && j < pipeline->stages->len; j++) {
        const CopydeskStage *s = pipeline->stages->pdata[j];
        for (guint p = 0; s->descriptor->provides && s->descriptor->provides[p]; p++)
          if (strcmp(s->descriptor->provides[p], requires[k]) == 0)
            later = s->name;
      }
      char *hint = later ? g_strdup_printf("move '%s' before it", later)
                         : g_strdup("add a stage that provides it before this one");
      char *where = stage->line ? g_strdup_printf("%s:%u:%u", r->file, stage->line, stage->column)
                                : g_strdup(r->file); /* an output named by --to or by default */
      g_set_error(error, COPYDESK_PIPELINE_ERROR, COPYDESK_PIPELINE_ERROR_MISSING_LAYER,
                  "%s: stage '%s' needs the '%s' layer, which no earlier stage provides; %s",
                  where, stage->name, requires[k], hint);
      g_free(where);
      g_free(hint);
      ok = FALSE;
    }
    const char *const *provides = stage->descriptor->provides;
    for (guint k = 0; provides && provides[k]; k++)
      g_hash_table_add(provided, (gpointer)provides[k]);
  }
  g_hash_table_destroy(provided);
  return ok;
}

static void
free_stage_pointer(gpointer stage)
{
  free_stage(stage);
}

/* The value of KEY in ROOT, or NULL when absent or written as null ("key:" with nothing, "~"):
 * an empty section means its defaults, as an empty "pipeline:" or "options:" does. */
static const CopydeskConfigNode *
lookup_section(const CopydeskConfigNode *root, const char *key)
{
  const CopydeskConfigNode *node = copydesk_config_lookup(root, key);
  if (node && node->type == COPYDESK_NODE_SCALAR && !node->quoted &&
      (node->value[0] == '\0' || strcmp(node->value, "~") == 0 || strcmp(node->value, "null") == 0))
    return NULL;
  return node;
}

/* Builds a pipeline from the parsed ROOT. */
static CopydeskPipeline *
build(const Reader *r, const CopydeskConfigNode *root, const CopydeskPipelineSettings *settings,
      GError **error)
{
  CopydeskPipeline *pipeline = g_new0(CopydeskPipeline, 1);
  pipeline->file = g_strdup(r->file);
  pipeline->base_dir = g_strdup(r->base_dir);
  pipeline->stages = g_ptr_array_new_with_free_func(free_stage_pointer);
  gboolean ok = check_mapping(r, root, "the pipeline file", top_level_keys, error) &&
                read_plugin_path(pipeline, r, lookup_section(root, "plugin_path"), settings,
                                 error) &&
                read_input(pipeline, r, lookup_section(root, "input"), settings, error) &&
                read_stages(pipeline, r, copydesk_config_lookup(root, "pipeline"), error) &&
                read_output(pipeline, r, lookup_section(root, "output"), settings, error) &&
                check_layer_order(pipeline, r, error);
  if (!ok) {
    copydesk_pipeline_free(pipeline);
    return NULL;
  }
  return pipeline;
}

CopydeskPipeline *
copydesk_pipeline_load_data(const char *filename, const char *data, gsize len,
                            const char *base_dir, const CopydeskPipelineSettings *settings,
                            GError **error)
{
  CopydeskConfigNode *root = copydesk_config_parse(filename, data, len, error);
  if (root == NULL)
    return NULL;
  Reader r = {filename, base_dir ? base_dir : "."};
  CopydeskPipeline *pipeline = build(&r, root, settings, error);
  copydesk_config_node_free(root);
  return pipeline;
}

CopydeskPipeline *
copydesk_pipeline_load_file(const char *path, const CopydeskPipelineSettings *settings,
                            GError **error)
{
  CopydeskConfigNode *root = copydesk_config_parse_file(path, error);
  if (root == NULL)
    return NULL;
  char *base_dir = g_path_get_dirname(path);
  Reader r = {path, base_dir};
  CopydeskPipeline *pipeline = build(&r, root, settings, error);
  g_free(base_dir);
  copydesk_config_node_free(root);
  return pipeline;
}

/* ---- Workers -------------------------------------------------------------- */

typedef struct LaterStages LaterStages;

struct CopydeskWorker {
  CopydeskPipeline *pipeline;
  void **instances;  /* one per stage, then the output's */
  gboolean *owned;   /* TRUE where this worker created the instance */
  CopydeskStats *stats; /* where stage times are added (--stats), or NULL */
  LaterStages *later;   /* one per stage: the stages after it and the output */
  gboolean keep_all_layers; /* the caller reads every layer (copydesk_worker_keep_all_layers) */
};

/* How many answers of read_later() a LaterStages keeps. */
#define LATER_KNOWN 8

/* The stages from FIRST on (the output last), as copydesk_document_layer_wanted() asks, and
 * the answers found for the first N_KNOWN layer names asked (copies of the names): a stage's
 * `reads` says the same for a name every time, and stages ask about the same few layers for
 * every document. */
struct LaterStages {
  const CopydeskWorker *worker;
  guint first;
  guint n_known;
  struct {
    char *name;
    gboolean wanted;
  } known[LATER_KNOWN];
};

/* Whether a stage from LATER->first on, or the output, reads the layer NAME: TRUE as soon
 * as one does, or does not say (no `reads` in its descriptor). */
static gboolean
ask_later(const LaterStages *later, const char *name)
{
  const CopydeskWorker *worker = later->worker;
  guint n_stages = worker->pipeline->stages->len;
  for (guint j = later->first; j <= n_stages; j++) {
    const CopydeskStage *stage = j < n_stages ? worker->pipeline->stages->pdata[j] : worker->pipeline->output;
    const CopydeskPluginDescriptor *d = stage->descriptor;
    if (d->abi_minor < 1 || d->reads == NULL || d->reads(worker->instances[j], name))
      return TRUE;
  }
  return FALSE;
}

/* ask_later(), answered from LATER's known answers when NAME was asked before (the worker's
 * own LaterStages, used by one thread at a time). */
static gboolean
read_later(gconstpointer data, const char *name)
{
  LaterStages *later = (LaterStages *)data;
  if (later->worker->keep_all_layers)
    return TRUE;
  for (guint k = 0; k < later->n_known; k++)
    if (strcmp(later->known[k].name, name) == 0)
      return later->known[k].wanted;
  gboolean wanted = ask_later(later, name);
  if (later->n_known < LATER_KNOWN) {
    later->known[later->n_known].name = g_strdup(name);
    later->known[later->n_known++].wanted = wanted;
  }
  return wanted;
}

/* Creates (or shares) STAGE's instance. */
static gboolean
instantiate(CopydeskPipeline *pipeline, CopydeskStage *stage, void **instance, gboolean *owned,
            GError **error)
{
  const CopydeskPluginDescriptor *d = stage->descriptor;
  gboolean reentrant = (d->flags & COPYDESK_PLUGIN_REENTRANT) != 0;
  if (reentrant && stage->shared_ready) {
    *instance = stage->shared;
    *owned = FALSE;
    return TRUE;
  }
  void *self = NULL;
  if (d->create) {
    GError *local = NULL;
    self = d->create(stage->options, &local);
    if (self == NULL && local != NULL) {
      GError *wrapped = NULL;
      if (stage->line)
        g_set_error(&wrapped, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                    "%s:%u:%u: plugin '%s' could not start: %s", pipeline->file, stage->line,
                    stage->column, stage->name, local->message);
      else
        g_set_error(&wrapped, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE,
                    "plugin '%s' could not start: %s", stage->name, local->message);
      g_error_free(local);
      g_propagate_error(error, wrapped);
      return FALSE;
    }
  }
  if (reentrant) {
    stage->shared = self;
    stage->shared_ready = TRUE;
    *owned = FALSE;
  } else {
    *owned = TRUE;
  }
  *instance = self;
  return TRUE;
}

CopydeskWorker *
copydesk_worker_new(CopydeskPipeline *pipeline, GError **error)
{
  guint n = pipeline->stages->len + 1;
  CopydeskWorker *worker = g_new0(CopydeskWorker, 1);
  worker->pipeline = pipeline;
  worker->instances = g_new0(void *, n);
  worker->owned = g_new0(gboolean, n);
  worker->later = g_new0(LaterStages, n);
  for (guint i = 0; i < n; i++)
    worker->later[i] = (LaterStages){.worker = worker, .first = i + 1};
  for (guint i = 0; i < n; i++) {
    CopydeskStage *stage = i < n - 1 ? pipeline->stages->pdata[i] : pipeline->output;
    if (!instantiate(pipeline, stage, &worker->instances[i], &worker->owned[i], error)) {
      copydesk_worker_free(worker);
      return NULL;
    }
  }
  return worker;
}

void
copydesk_worker_free(CopydeskWorker *worker)
{
  if (worker == NULL)
    return;
  guint n = worker->pipeline->stages->len + 1;
  for (guint i = 0; i < n; i++) {
    CopydeskStage *stage = i < n - 1 ? worker->pipeline->stages->pdata[i] : worker->pipeline->output;
    if (worker->owned[i] && worker->instances[i] && stage->descriptor->destroy)
      stage->descriptor->destroy(worker->instances[i]);
  }
  for (guint i = 0; i < n; i++)
    for (guint k = 0; k < worker->later[i].n_known; k++)
      g_free(worker->later[i].known[k].name);
  g_free(worker->instances);
  g_free(worker->owned);
  g_free(worker->later);
  g_free(worker);
}

void
copydesk_worker_set_stats(CopydeskWorker *worker, CopydeskStats *stats)
{
  worker->stats = stats;
}

void
copydesk_worker_keep_all_layers(CopydeskWorker *worker)
{
  worker->keep_all_layers = TRUE;
}

gboolean
copydesk_worker_process(CopydeskWorker *worker, CopydeskDocument *doc)
{
  GPtrArray *stages = worker->pipeline->stages;
  CopydeskStats *stats = worker->stats;
  if (stats) {
    gsize bytes;
    copydesk_document_original(doc, &bytes);
    stats->documents++;
    stats->bytes += bytes;
  }
  for (guint i = 0; i < stages->len; i++) {
    CopydeskStage *stage = stages->pdata[i];
    GError *error = NULL;
    gint64 t0 = stats ? copydesk_stats_now() : 0;
    copydesk_document_set_layer_wanted(doc, read_later, &worker->later[i]);
    gboolean ok = stage->descriptor->process(worker->instances[i], doc, &error);
    copydesk_document_set_layer_wanted(doc, NULL, NULL);
    if (stats)
      stats->stage_ns[i] += copydesk_stats_now() - t0;
    if (ok)
      continue;
    copydesk_document_add_error(doc, stage->name,
                                error ? error->message : "failed without saying why");
    g_clear_error(&error);
    if (stage->on_error == COPYDESK_ON_ERROR_SKIP)
      continue;
    return stage->on_error != COPYDESK_ON_ERROR_ABORT;
  }
  return TRUE;
}

/* The output stage's instance. */
static void *
output_instance(CopydeskWorker *worker)
{
  return worker->instances[worker->pipeline->stages->len];
}

gboolean
copydesk_worker_format(CopydeskWorker *worker, const CopydeskDocument *doc, GString *out,
                       GError **error)
{
  CopydeskStats *stats = worker->stats;
  gint64 t0 = stats ? copydesk_stats_now() : 0;
  gboolean ok = worker->pipeline->output->descriptor->format(output_instance(worker), doc, out, error);
  if (stats)
    stats->stage_ns[stats->n_stages] += copydesk_stats_now() - t0;
  return ok;
}

gboolean
copydesk_worker_header(CopydeskWorker *worker, GString *out, GError **error)
{
  CopydeskFrameFunc header = worker->pipeline->output->descriptor->header;
  return header ? header(output_instance(worker), out, error) : TRUE;
}

const char *
copydesk_worker_separator(CopydeskWorker *worker)
{
  return worker->pipeline->output->descriptor->separator;
}

gboolean
copydesk_worker_footer(CopydeskWorker *worker, GString *out, GError **error)
{
  CopydeskFrameFunc footer = worker->pipeline->output->descriptor->footer;
  return footer ? footer(output_instance(worker), out, error) : TRUE;
}
