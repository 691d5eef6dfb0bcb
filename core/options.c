/* copydesk — typed plugin options: validation against the table, defaults, getters. */
#include <math.h>
#include <string.h>

#include <copydesk/errors.h>

#include "options_private.h"
#include "paths.h"

typedef struct {
  gboolean set; /* given in the pipeline file */
  gboolean b;
  gint64 i;
  double d;
  char *s;
  char **strv;
} CopydeskOptionValue;

struct _CopydeskOptions {
  const CopydeskOptionSpec *specs;
  guint n;
  CopydeskOptionValue *values;
  char *base_dir;
};

static const char *const empty_strv[] = {NULL};

const char *
copydesk_option_type_name(CopydeskOptionType type)
{
  switch (type) {
  case COPYDESK_OPTION_BOOL: return "bool";
  case COPYDESK_OPTION_INT: return "int";
  case COPYDESK_OPTION_DOUBLE: return "number";
  case COPYDESK_OPTION_STRING: return "string";
  case COPYDESK_OPTION_ENUM: return "choice";
  case COPYDESK_OPTION_STRING_LIST: return "string list";
  case COPYDESK_OPTION_PATH: return "path";
  }
  return "unknown";
}

static guint
count_specs(const CopydeskOptionSpec *specs)
{
  guint n = 0;
  while (specs && specs[n].name)
    n++;
  return n;
}

static gboolean
is_choice(const CopydeskOptionSpec *spec, const char *value)
{
  for (guint i = 0; spec->choices && spec->choices[i]; i++)
    if (strcmp(spec->choices[i], value) == 0)
      return TRUE;
  return FALSE;
}

static char *
join_choices(const CopydeskOptionSpec *spec)
{
  return spec->choices ? g_strjoinv(", ", (char **)spec->choices) : g_strdup("");
}

static gboolean
has_range(const CopydeskOptionSpec *spec)
{
  return spec->min < spec->max;
}

/* Resolves the relative path TEXT against the pipeline file's folder BASE_DIR; when nothing
 * is there but the data folder has it (models, lexicons shipped with copydesk), that one. */
static char *
resolve_path(const char *text, const char *base_dir)
{
  if (g_path_is_absolute(text) || base_dir == NULL)
    return g_strdup(text);
  char *local = g_build_filename(base_dir, text, NULL);
  if (g_file_test(local, G_FILE_TEST_EXISTS))
    return local;
  char *data_dir = copydesk_paths_data_dir();
  char *shipped = g_build_filename(data_dir, text, NULL);
  g_free(data_dir);
  if (g_file_test(shipped, G_FILE_TEST_EXISTS)) {
    g_free(local);
    return shipped;
  }
  g_free(shipped);
  return local;
}

/* Parses TEXT as a YAML boolean. */
static gboolean
parse_bool(const char *text, gboolean *out)
{
  static const char *const yes[] = {"true", "yes", "on", NULL};
  static const char *const no[] = {"false", "no", "off", NULL};
  for (guint i = 0; yes[i]; i++) {
    if (g_ascii_strcasecmp(text, yes[i]) == 0) {
      *out = TRUE;
      return TRUE;
    }
    if (g_ascii_strcasecmp(text, no[i]) == 0) {
      *out = FALSE;
      return TRUE;
    }
  }
  return FALSE;
}

/* Checks and stores the scalar TEXT as the value of SPEC.  On failure returns FALSE and sets
 * *PROBLEM to what is wrong (without position). */
static gboolean
parse_scalar(const CopydeskOptionSpec *spec, const char *text, gboolean quoted,
             const char *base_dir, CopydeskOptionValue *value, char **problem)
{
  switch (spec->type) {
  case COPYDESK_OPTION_BOOL:
    if (quoted || !parse_bool(text, &value->b)) {
      *problem = g_strdup_printf("expects true or false, not '%s'", text);
      return FALSE;
    }
    return TRUE;
  case COPYDESK_OPTION_INT: {
    gint64 v;
    if (quoted || !g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &v, NULL)) {
      *problem = g_strdup_printf("expects a whole number, not '%s'", text);
      return FALSE;
    }
    if (has_range(spec) && (v < spec->min || v > spec->max)) {
      *problem = g_strdup_printf("is %s; it must be from %.0f to %.0f", text, spec->min, spec->max);
      return FALSE;
    }
    value->i = v;
    return TRUE;
  }
  case COPYDESK_OPTION_DOUBLE: {
    char *end = NULL;
    double v = quoted ? NAN : g_ascii_strtod(text, &end);
    if (quoted || end == text || *end != '\0' || !isfinite(v)) {
      *problem = g_strdup_printf("expects a number, not '%s'", text);
      return FALSE;
    }
    if (has_range(spec) && (v < spec->min || v > spec->max)) {
      *problem = g_strdup_printf("is %s; it must be from %g to %g", text, spec->min, spec->max);
      return FALSE;
    }
    value->d = v;
    return TRUE;
  }
  case COPYDESK_OPTION_STRING:
    g_free(value->s);
    value->s = g_strdup(text);
    return TRUE;
  case COPYDESK_OPTION_ENUM:
    if (!is_choice(spec, text)) {
      char *choices = join_choices(spec);
      *problem = g_strdup_printf("is '%s'; it must be one of: %s", text, choices);
      g_free(choices);
      return FALSE;
    }
    g_free(value->s);
    value->s = g_strdup(text);
    return TRUE;
  case COPYDESK_OPTION_PATH:
    if (text[0] == '\0') {
      *problem = g_strdup("expects a file path, not an empty string");
      return FALSE;
    }
    g_free(value->s);
    value->s = resolve_path(text, base_dir);
    return TRUE;
  case COPYDESK_OPTION_STRING_LIST:
    *problem = g_strdup("expects a list, e.g. [a, b]");
    return FALSE;
  }
  *problem = g_strdup("has an unknown type");
  return FALSE;
}

/* Stores ITEMS (a NULL-terminated list) as the value of string-list SPEC after checking each. */
static gboolean
set_list(const CopydeskOptionSpec *spec, char **items, CopydeskOptionValue *value,
         guint *bad_index, char **problem)
{
  for (guint i = 0; items[i]; i++) {
    if (spec->choices && !is_choice(spec, items[i])) {
      char *choices = join_choices(spec);
      *problem = g_strdup_printf("has '%s'; each item must be one of: %s", items[i], choices);
      g_free(choices);
      *bad_index = i;
      return FALSE;
    }
  }
  g_strfreev(value->strv);
  value->strv = g_strdupv(items);
  return TRUE;
}

/* Splits a comma-separated default into trimmed, non-empty items. */
static char **
split_default_list(const char *text)
{
  char **raw = g_strsplit(text, ",", -1);
  GPtrArray *items = g_ptr_array_new();
  for (guint i = 0; raw[i]; i++) {
    char *item = g_strstrip(raw[i]);
    if (*item)
      g_ptr_array_add(items, g_strdup(item));
  }
  g_ptr_array_add(items, NULL);
  g_strfreev(raw);
  return (char **)g_ptr_array_free(items, FALSE);
}

/* Fills VALUE from SPEC's default; FALSE with PROBLEM when the default does not parse. */
static gboolean
set_default(const CopydeskOptionSpec *spec, const char *base_dir, CopydeskOptionValue *value,
            char **problem)
{
  if (spec->default_value == NULL)
    return TRUE;
  if (spec->type == COPYDESK_OPTION_STRING_LIST) {
    char **items = split_default_list(spec->default_value);
    guint bad;
    gboolean ok = set_list(spec, items, value, &bad, problem);
    g_strfreev(items);
    return ok;
  }
  return parse_scalar(spec, spec->default_value, FALSE, base_dir, value, problem);
}

static const char *const valid_types_note = "bool, int, double, string, enum, string list, path";

gboolean
copydesk_option_specs_validate(const CopydeskOptionSpec *specs, const char *plugin,
                               GError **error)
{
  guint n = count_specs(specs);
  for (guint i = 0; i < n; i++) {
    const CopydeskOptionSpec *spec = &specs[i];
    const char *problem = NULL;
    char *owned = NULL;
    if (!g_regex_match_simple("^[a-z][a-z0-9_]*$", spec->name, 0, 0))
      problem = "its name is not a lower-case identifier";
    else if (spec->type < COPYDESK_OPTION_BOOL || spec->type > COPYDESK_OPTION_PATH)
      problem = owned = g_strdup_printf("its type is not one of %s", valid_types_note);
    else if (spec->type == COPYDESK_OPTION_ENUM && (!spec->choices || !spec->choices[0]))
      problem = "an enum needs choices";
    for (guint j = 0; problem == NULL && j < i; j++)
      if (strcmp(specs[j].name, spec->name) == 0)
        problem = "the name is declared twice";
    if (problem == NULL) {
      CopydeskOptionValue value = {0};
      char *why = NULL;
      if (!set_default(spec, NULL, &value, &why)) {
        problem = owned = g_strdup_printf("its default %s", why);
        g_free(why);
      }
      g_free(value.s);
      g_strfreev(value.strv);
    }
    if (problem) {
      g_set_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_INVALID,
                  "plugin '%s' declares a bad option '%s': %s", plugin,
                  spec->name ? spec->name : "(null)", problem);
      g_free(owned);
      return FALSE;
    }
  }
  return TRUE;
}

CopydeskOptions *
copydesk_options_new(const CopydeskOptionSpec *specs, const char *base_dir)
{
  CopydeskOptions *options = g_new0(CopydeskOptions, 1);
  options->specs = specs;
  options->n = count_specs(specs);
  options->values = g_new0(CopydeskOptionValue, options->n + 1);
  options->base_dir = g_strdup(base_dir ? base_dir : ".");
  for (guint i = 0; i < options->n; i++) {
    char *problem = NULL;
    if (!set_default(&specs[i], options->base_dir, &options->values[i], &problem))
      g_free(problem); /* tables are validated at load; a bad default stays unset */
  }
  return options;
}

void
copydesk_options_free(CopydeskOptions *options)
{
  if (options == NULL)
    return;
  for (guint i = 0; i < options->n; i++) {
    g_free(options->values[i].s);
    g_strfreev(options->values[i].strv);
  }
  g_free(options->values);
  g_free(options->base_dir);
  g_free(options);
}

static gint
find_spec(const CopydeskOptions *options, const char *name)
{
  for (guint i = 0; i < options->n; i++)
    if (strcmp(options->specs[i].name, name) == 0)
      return (gint)i;
  return -1;
}

static void
set_node_error(GError **error, gint code, const char *filename, const CopydeskConfigNode *node,
               const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static void
set_node_error(GError **error, gint code, const char *filename, const CopydeskConfigNode *node,
               const char *fmt, ...)
{
  va_list args;
  va_start(args, fmt);
  char *message = g_strdup_vprintf(fmt, args);
  va_end(args);
  g_set_error(error, COPYDESK_CONFIG_ERROR, code, "%s:%u:%u: %s", filename, node->line,
              node->column, message);
  g_free(message);
}

/* The option names of OPTIONS, comma-separated, for "unknown option" messages. */
static char *
option_names(const CopydeskOptions *options)
{
  if (options->n == 0)
    return g_strdup("it takes no options");
  GString *names = g_string_new("its options are: ");
  for (guint i = 0; i < options->n; i++)
    g_string_append_printf(names, "%s%s", i ? ", " : "", options->specs[i].name);
  return g_string_free(names, FALSE);
}

gboolean
copydesk_options_apply(CopydeskOptions *options, const CopydeskConfigNode *mapping,
                       const char *filename, const char *plugin, GError **error)
{
  if (mapping == NULL)
    return TRUE;
  if (mapping->type == COPYDESK_NODE_SCALAR && !mapping->quoted &&
      (mapping->value[0] == '\0' || strcmp(mapping->value, "~") == 0 ||
       strcmp(mapping->value, "null") == 0))
    return TRUE; /* "options:" with nothing after it */
  if (mapping->type != COPYDESK_NODE_MAPPING) {
    set_node_error(error, COPYDESK_CONFIG_ERROR_WRONG_TYPE, filename, mapping,
                   "options of plugin '%s' must be a mapping (key: value), not %s", plugin,
                   copydesk_config_node_describe(mapping));
    return FALSE;
  }
  for (guint k = 0; k < mapping->keys->len; k++) {
    const CopydeskConfigNode *key = mapping->keys->pdata[k];
    const CopydeskConfigNode *node = mapping->items->pdata[k];
    gint index = find_spec(options, key->value);
    if (index < 0) {
      char *names = option_names(options);
      set_node_error(error, COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, filename, key,
                     "plugin '%s' has no option '%s'; %s", plugin, key->value, names);
      g_free(names);
      return FALSE;
    }
    const CopydeskOptionSpec *spec = &options->specs[index];
    CopydeskOptionValue *value = &options->values[index];
    char *problem = NULL;
    const CopydeskConfigNode *where = node;
    gint code = COPYDESK_CONFIG_ERROR_WRONG_TYPE; /* BAD_VALUE when the shape was right */
    gboolean ok;
    if (spec->type == COPYDESK_OPTION_STRING_LIST) {
      if (node->type != COPYDESK_NODE_SEQUENCE) {
        problem = g_strdup_printf("expects a list, e.g. [a, b], not %s",
                                  copydesk_config_node_describe(node));
        ok = FALSE;
      } else {
        GPtrArray *items = g_ptr_array_new();
        ok = TRUE;
        for (guint i = 0; ok && i < node->items->len; i++) {
          const CopydeskConfigNode *item = node->items->pdata[i];
          if (item->type != COPYDESK_NODE_SCALAR) {
            problem = g_strdup_printf("expects a list of strings, but item %u is %s", i + 1,
                                      copydesk_config_node_describe(item));
            where = item;
            ok = FALSE;
          }
          g_ptr_array_add(items, item->value);
        }
        g_ptr_array_add(items, NULL);
        guint bad = 0;
        if (ok && !set_list(spec, (char **)items->pdata, value, &bad, &problem)) {
          where = node->items->pdata[bad];
          code = COPYDESK_CONFIG_ERROR_BAD_VALUE;
          ok = FALSE;
        }
        g_ptr_array_free(items, TRUE);
      }
    } else if (node->type != COPYDESK_NODE_SCALAR) {
      problem = g_strdup_printf("expects a single %s value, not %s",
                                copydesk_option_type_name(spec->type),
                                copydesk_config_node_describe(node));
      ok = FALSE;
    } else {
      ok = parse_scalar(spec, node->value, node->quoted, options->base_dir, value, &problem);
      code = COPYDESK_CONFIG_ERROR_BAD_VALUE;
    }
    if (!ok) {
      set_node_error(error, code, filename, where, "option '%s' of plugin '%s' %s", spec->name,
                     plugin, problem);
      g_free(problem);
      return FALSE;
    }
    value->set = TRUE;
  }
  return TRUE;
}

/* The value of NAME, checked to exist and have one of the types given; NULL (with a critical
 * warning naming the plugin bug) otherwise. */
static const CopydeskOptionValue *
lookup(const CopydeskOptions *options, const char *name, CopydeskOptionType t1,
       CopydeskOptionType t2, CopydeskOptionType t3)
{
  gint index = find_spec(options, name);
  if (index < 0) {
    g_critical("copydesk: a plugin asked for option '%s', which its option table lacks", name);
    return NULL;
  }
  CopydeskOptionType type = options->specs[index].type;
  if (type != t1 && type != t2 && type != t3) {
    g_critical("copydesk: a plugin read option '%s' (a %s) as another type", name,
               copydesk_option_type_name(type));
    return NULL;
  }
  return &options->values[index];
}

gboolean
copydesk_options_get_bool(const CopydeskOptions *options, const char *name)
{
  const CopydeskOptionValue *v =
      lookup(options, name, COPYDESK_OPTION_BOOL, COPYDESK_OPTION_BOOL, COPYDESK_OPTION_BOOL);
  return v ? v->b : FALSE;
}

gint64
copydesk_options_get_int(const CopydeskOptions *options, const char *name)
{
  const CopydeskOptionValue *v =
      lookup(options, name, COPYDESK_OPTION_INT, COPYDESK_OPTION_INT, COPYDESK_OPTION_INT);
  return v ? v->i : 0;
}

double
copydesk_options_get_double(const CopydeskOptions *options, const char *name)
{
  const CopydeskOptionValue *v =
      lookup(options, name, COPYDESK_OPTION_DOUBLE, COPYDESK_OPTION_DOUBLE, COPYDESK_OPTION_INT);
  if (v == NULL)
    return 0;
  gint index = find_spec(options, name);
  return options->specs[index].type == COPYDESK_OPTION_INT ? (double)v->i : v->d;
}

const char *
copydesk_options_get_string(const CopydeskOptions *options, const char *name)
{
  const CopydeskOptionValue *v =
      lookup(options, name, COPYDESK_OPTION_STRING, COPYDESK_OPTION_ENUM, COPYDESK_OPTION_PATH);
  return v ? v->s : NULL;
}

const char *const *
copydesk_options_get_strv(const CopydeskOptions *options, const char *name)
{
  const CopydeskOptionValue *v = lookup(options, name, COPYDESK_OPTION_STRING_LIST,
                                        COPYDESK_OPTION_STRING_LIST, COPYDESK_OPTION_STRING_LIST);
  return (v && v->strv) ? (const char *const *)v->strv : empty_strv;
}

gboolean
copydesk_options_is_set(const CopydeskOptions *options, const char *name)
{
  gint index = find_spec(options, name);
  return index >= 0 && options->values[index].set;
}

const char *
copydesk_options_base_dir(const CopydeskOptions *options)
{
  return options->base_dir;
}
