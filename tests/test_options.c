/* copydesk — tests of typed plugin options (core/options.c): option tables, defaults,
 * YAML values checked against the table, getters. */
#include <string.h>

#include <copydesk/copydesk.h>

#include "config_tree.h"
#include "options_private.h"

#define FILENAME "opts.yaml"
#define PLUGIN "demo"
#define BASE "/base"

static const char *const mode_choices[] = {"fast", "slow", NULL};
static const char *const part_choices[] = {"x", "y", "z", NULL};

/* One option of every type, and a few of each shape (range, no range, choices, no default). */
static const CopydeskOptionSpec demo_specs[] = {
    {.name = "flag", .type = COPYDESK_OPTION_BOOL, .default_value = "false", .help = "a bool"},
    {.name = "count", .type = COPYDESK_OPTION_INT, .default_value = "3", .min = 1, .max = 10,
     .help = "an int from 1 to 10"},
    {.name = "ratio", .type = COPYDESK_OPTION_DOUBLE, .default_value = "0.5", .min = 0, .max = 1,
     .help = "a number from 0 to 1"},
    {.name = "label", .type = COPYDESK_OPTION_STRING, .help = "a string without default"},
    {.name = "mode", .type = COPYDESK_OPTION_ENUM, .default_value = "fast",
     .choices = mode_choices, .help = "an enum"},
    {.name = "tags", .type = COPYDESK_OPTION_STRING_LIST, .default_value = "a, b,c",
     .help = "a list of any strings"},
    {.name = "parts", .type = COPYDESK_OPTION_STRING_LIST, .default_value = "x",
     .choices = part_choices, .help = "a list of choices"},
    {.name = "model", .type = COPYDESK_OPTION_PATH, .default_value = "models/m.bin",
     .help = "a path"},
    {.name = "unbounded", .type = COPYDESK_OPTION_INT, .help = "an int without range or default"},
    {.name = "scale", .type = COPYDESK_OPTION_DOUBLE, .default_value = "-2.5",
     .help = "a number without range"},
    {.name = NULL},
};

static const char *const all_names[] = {"flag", "count", "ratio", "label", "mode", "tags",
                                        "parts", "model", "unbounded", "scale", NULL};

/* Parses YAML (must be valid) into a tree. */
static CopydeskConfigNode *
parse(const char *yaml)
{
  GError *error = NULL;
  CopydeskConfigNode *root = copydesk_config_parse(FILENAME, yaml, strlen(yaml), &error);
  g_assert_no_error(error);
  g_assert_nonnull(root);
  return root;
}

/* Asserts that STRV holds exactly the NULL-terminated EXPECTED. */
static void
assert_strv(const char *const *strv, const char *const *expected)
{
  g_assert_nonnull(strv);
  guint n = 0;
  while (expected[n]) {
    g_assert_nonnull(strv[n]);
    g_assert_cmpstr(strv[n], ==, expected[n]);
    n++;
  }
  g_assert_null(strv[n]);
}

/* Asserts that ERROR is DOMAIN/CODE, its message starts with PREFIX and holds every PHRASE. */
static void
assert_error(const GError *error, GQuark domain, gint code, const char *prefix,
             const char *const *phrases)
{
  g_assert_nonnull(error);
  if (error->domain != domain || error->code != code ||
      (prefix && !g_str_has_prefix(error->message, prefix)))
    g_test_message("got: %s (%s %d)", error->message, g_quark_to_string(error->domain),
                   error->code);
  g_assert_error(error, domain, code);
  if (prefix)
    g_assert_true(g_str_has_prefix(error->message, prefix));
  for (guint i = 0; phrases && phrases[i]; i++) {
    if (strstr(error->message, phrases[i]) == NULL)
      g_test_message("'%s' lacks '%s'", error->message, phrases[i]);
    g_assert_nonnull(strstr(error->message, phrases[i]));
  }
}

/* ---- The option table ---------------------------------------------------- */

static void
test_validate_good(void)
{
  GError *error = NULL;
  g_assert_true(copydesk_option_specs_validate(demo_specs, PLUGIN, &error));
  g_assert_no_error(error);

  /* No table and an empty table are both fine. */
  g_assert_true(copydesk_option_specs_validate(NULL, PLUGIN, &error));
  g_assert_no_error(error);
  static const CopydeskOptionSpec empty[] = {{.name = NULL}};
  g_assert_true(copydesk_option_specs_validate(empty, PLUGIN, &error));
  g_assert_no_error(error);

  /* Every default of every shape parses: a range holds its default; a list default's items
   * are each one of the choices. */
  static const CopydeskOptionSpec edges[] = {
      {.name = "b1", .type = COPYDESK_OPTION_BOOL, .default_value = "yes"},
      {.name = "b2", .type = COPYDESK_OPTION_BOOL, .default_value = "Off"},
      {.name = "i1", .type = COPYDESK_OPTION_INT, .default_value = "10", .min = 1, .max = 10},
      {.name = "i2", .type = COPYDESK_OPTION_INT, .default_value = "-7"},
      {.name = "d1", .type = COPYDESK_OPTION_DOUBLE, .default_value = "1e-3"},
      {.name = "s1", .type = COPYDESK_OPTION_STRING, .default_value = ""},
      {.name = "l1", .type = COPYDESK_OPTION_STRING_LIST, .default_value = "y , z",
       .choices = part_choices},
      {.name = "l2", .type = COPYDESK_OPTION_STRING_LIST, .default_value = ""},
      {.name = "p_1", .type = COPYDESK_OPTION_PATH, .default_value = "/abs/file"},
      {.name = NULL},
  };
  g_assert_true(copydesk_option_specs_validate(edges, PLUGIN, &error));
  g_assert_no_error(error);
}

typedef struct {
  const char *test; /* test path part */
  CopydeskOptionSpec specs[3];
  const char *bad_name; /* the option the message names */
  const char *phrase;   /* what it says is wrong */
} BadTableCase;

static const char *const no_choices[] = {NULL};

static const BadTableCase bad_tables[] = {
    {"duplicate",
     {{.name = "size", .type = COPYDESK_OPTION_INT},
      {.name = "size", .type = COPYDESK_OPTION_STRING}},
     "size", "the name is declared twice"},
    {"enum_without_choices",
     {{.name = "mode", .type = COPYDESK_OPTION_ENUM, .default_value = "a"}},
     "mode", "an enum needs choices"},
    {"enum_with_empty_choices",
     {{.name = "mode", .type = COPYDESK_OPTION_ENUM, .choices = no_choices}},
     "mode", "an enum needs choices"},
    {"enum_default_not_a_choice",
     {{.name = "mode", .type = COPYDESK_OPTION_ENUM, .default_value = "medium",
       .choices = mode_choices}},
     "mode", "its default is 'medium'; it must be one of: fast, slow"},
    {"int_default",
     {{.name = "limit", .type = COPYDESK_OPTION_INT, .default_value = "many"}},
     "limit", "its default expects a whole number, not 'many'"},
    {"int_default_out_of_range",
     {{.name = "limit", .type = COPYDESK_OPTION_INT, .default_value = "11", .min = 1, .max = 10}},
     "limit", "its default is 11; it must be from 1 to 10"},
    {"double_default",
     {{.name = "ratio", .type = COPYDESK_OPTION_DOUBLE, .default_value = "half"}},
     "ratio", "its default expects a number, not 'half'"},
    {"double_default_out_of_range",
     {{.name = "ratio", .type = COPYDESK_OPTION_DOUBLE, .default_value = "1.5", .min = 0,
       .max = 1}},
     "ratio", "its default is 1.5; it must be from 0 to 1"},
    {"bool_default",
     {{.name = "flag", .type = COPYDESK_OPTION_BOOL, .default_value = "maybe"}},
     "flag", "its default expects true or false, not 'maybe'"},
    {"list_default_not_a_choice",
     {{.name = "parts", .type = COPYDESK_OPTION_STRING_LIST, .default_value = "x, w",
       .choices = part_choices}},
     "parts", "its default has 'w'; each item must be one of: x, y, z"},
    {"path_default_empty",
     {{.name = "model", .type = COPYDESK_OPTION_PATH, .default_value = ""}},
     "model", "its default expects a file path, not an empty string"},
    {"name_upper_case",
     {{.name = "Size", .type = COPYDESK_OPTION_INT}},
     "Size", "its name is not a lower-case identifier"},
    {"name_digit_first",
     {{.name = "1size", .type = COPYDESK_OPTION_INT}},
     "1size", "its name is not a lower-case identifier"},
    {"name_dash",
     {{.name = "max-size", .type = COPYDESK_OPTION_INT}},
     "max-size", "its name is not a lower-case identifier"},
    {"name_space",
     {{.name = "max size", .type = COPYDESK_OPTION_INT}},
     "max size", "its name is not a lower-case identifier"},
    {"name_empty",
     {{.name = "", .type = COPYDESK_OPTION_INT}},
     "", "its name is not a lower-case identifier"},
    {"type_zero",
     {{.name = "size", .type = 0}},
     "size", "its type is not one of bool, int, double, string, enum, string list, path"},
    {"type_unknown",
     {{.name = "size", .type = 99}},
     "size", "its type is not one of bool, int, double, string, enum, string list, path"},
    {"second_entry_bad",
     {{.name = "good", .type = COPYDESK_OPTION_BOOL, .default_value = "true"},
      {.name = "bad", .type = COPYDESK_OPTION_INT, .default_value = "1.5"}},
     "bad", "its default expects a whole number, not '1.5'"},
};

static void
test_validate_bad(gconstpointer data)
{
  const BadTableCase *c = data;
  GError *error = NULL;
  g_assert_false(copydesk_option_specs_validate(c->specs, PLUGIN, &error));
  char *prefix = g_strdup_printf("plugin '%s' declares a bad option '%s': ", PLUGIN, c->bad_name);
  const char *phrases[] = {c->phrase, NULL};
  assert_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_INVALID, prefix, phrases);
  /* The message is exactly the prefix and the problem, on one line. */
  g_assert_cmpstr(error->message + strlen(prefix), ==, c->phrase);
  g_assert_null(strchr(error->message, '\n'));
  g_free(prefix);
  g_error_free(error);
}

/* ---- Defaults ------------------------------------------------------------ */

static void
assert_defaults(const CopydeskOptions *options, const char *model)
{
  g_assert_false(copydesk_options_get_bool(options, "flag"));
  g_assert_cmpint(copydesk_options_get_int(options, "count"), ==, 3);
  g_assert_cmpfloat(copydesk_options_get_double(options, "count"), ==, 3.0);
  g_assert_cmpfloat(copydesk_options_get_double(options, "ratio"), ==, 0.5);
  g_assert_null(copydesk_options_get_string(options, "label"));
  g_assert_cmpstr(copydesk_options_get_string(options, "mode"), ==, "fast");
  assert_strv(copydesk_options_get_strv(options, "tags"), (const char *const[]){"a", "b", "c", NULL});
  assert_strv(copydesk_options_get_strv(options, "parts"), (const char *const[]){"x", NULL});
  g_assert_cmpstr(copydesk_options_get_string(options, "model"), ==, model);
  g_assert_cmpint(copydesk_options_get_int(options, "unbounded"), ==, 0);
  g_assert_cmpfloat(copydesk_options_get_double(options, "scale"), ==, -2.5);
  for (guint i = 0; all_names[i]; i++)
    g_assert_false(copydesk_options_is_set(options, all_names[i]));
}

static void
test_defaults(void)
{
  CopydeskOptions *options = copydesk_options_new(demo_specs, BASE);
  g_assert_cmpstr(copydesk_options_base_dir(options), ==, BASE);
  assert_defaults(options, BASE "/models/m.bin");
  g_assert_false(copydesk_options_is_set(options, "nosuch"));
  copydesk_options_free(options);

  /* Without a base folder paths resolve against the current one. */
  options = copydesk_options_new(demo_specs, NULL);
  g_assert_cmpstr(copydesk_options_base_dir(options), ==, ".");
  assert_defaults(options, "./models/m.bin");
  copydesk_options_free(options);

  /* A plugin without options. */
  options = copydesk_options_new(NULL, BASE);
  g_assert_false(copydesk_options_is_set(options, "flag"));
  copydesk_options_free(options);

  copydesk_options_free(NULL);
}

/* List defaults are split at commas, trimmed, and empty items dropped. */
static void
test_list_defaults(void)
{
  static const CopydeskOptionSpec specs[] = {
      {.name = "spaced", .type = COPYDESK_OPTION_STRING_LIST, .default_value = "  a ,b,  c  "},
      {.name = "gaps", .type = COPYDESK_OPTION_STRING_LIST, .default_value = ", ,x,,"},
      {.name = "blank", .type = COPYDESK_OPTION_STRING_LIST, .default_value = ""},
      {.name = "none", .type = COPYDESK_OPTION_STRING_LIST},
      {.name = "inner", .type = COPYDESK_OPTION_STRING_LIST, .default_value = "two words, x"},
      {.name = NULL},
  };
  GError *error = NULL;
  g_assert_true(copydesk_option_specs_validate(specs, PLUGIN, &error));
  g_assert_no_error(error);
  CopydeskOptions *options = copydesk_options_new(specs, BASE);
  assert_strv(copydesk_options_get_strv(options, "spaced"), (const char *const[]){"a", "b", "c", NULL});
  assert_strv(copydesk_options_get_strv(options, "gaps"), (const char *const[]){"x", NULL});
  assert_strv(copydesk_options_get_strv(options, "blank"), (const char *const[]){NULL});
  assert_strv(copydesk_options_get_strv(options, "none"), (const char *const[]){NULL});
  assert_strv(copydesk_options_get_strv(options, "inner"),
              (const char *const[]){"two words", "x", NULL});
  copydesk_options_free(options);
}

/* An unvalidated table with a default that does not parse leaves the value unset. */
static void
test_bad_default_unset(void)
{
  static const CopydeskOptionSpec specs[] = {
      {.name = "limit", .type = COPYDESK_OPTION_INT, .default_value = "many"},
      {.name = "mode", .type = COPYDESK_OPTION_ENUM, .default_value = "medium",
       .choices = mode_choices},
      {.name = NULL},
  };
  CopydeskOptions *options = copydesk_options_new(specs, BASE);
  g_assert_cmpint(copydesk_options_get_int(options, "limit"), ==, 0);
  g_assert_null(copydesk_options_get_string(options, "mode"));
  copydesk_options_free(options);
}

/* ---- Values from YAML ---------------------------------------------------- */

typedef enum { V_BOOL, V_INT, V_DOUBLE, V_STRING, V_STRV } ValueKind;

typedef struct {
  const char *test;
  const char *yaml; /* the options mapping */
  const char *name; /* the option checked */
  ValueKind kind;
  gboolean b;
  gint64 i;
  double d;
  const char *s;
  const char *strv[4];
} GoodCase;

static const GoodCase good_cases[] = {
    {"bool/true", "flag: true", "flag", V_BOOL, .b = TRUE},
    {"bool/True", "flag: True", "flag", V_BOOL, .b = TRUE},
    {"bool/TRUE", "flag: TRUE", "flag", V_BOOL, .b = TRUE},
    {"bool/yes", "flag: yes", "flag", V_BOOL, .b = TRUE},
    {"bool/on", "flag: on", "flag", V_BOOL, .b = TRUE},
    {"bool/false", "flag: false", "flag", V_BOOL, .b = FALSE},
    {"bool/no", "flag: no", "flag", V_BOOL, .b = FALSE},
    {"bool/off", "flag: off", "flag", V_BOOL, .b = FALSE},
    {"bool/Off", "flag: Off", "flag", V_BOOL, .b = FALSE},
    {"int/min", "count: 1", "count", V_INT, .i = 1},
    {"int/max", "count: 10", "count", V_INT, .i = 10},
    {"int/plus", "count: +7", "count", V_INT, .i = 7},
    {"int/negative", "unbounded: -42", "unbounded", V_INT, .i = -42},
    {"int/largest", "unbounded: 9223372036854775807", "unbounded", V_INT, .i = G_MAXINT64},
    {"int/smallest", "unbounded: -9223372036854775808", "unbounded", V_INT, .i = G_MININT64},
    {"double/min", "ratio: 0", "ratio", V_DOUBLE, .d = 0.0},
    {"double/max", "ratio: 1", "ratio", V_DOUBLE, .d = 1.0},
    {"double/fraction", "ratio: 0.25", "ratio", V_DOUBLE, .d = 0.25},
    {"double/exponent", "ratio: 5e-1", "ratio", V_DOUBLE, .d = 0.5},
    {"double/no_range", "scale: -1234.5", "scale", V_DOUBLE, .d = -1234.5},
    {"string/plain", "label: hello world", "label", V_STRING, .s = "hello world"},
    {"string/quoted", "label: 'quoted: yes'", "label", V_STRING, .s = "quoted: yes"},
    {"string/number", "label: 42", "label", V_STRING, .s = "42"},
    {"string/bool_word", "label: yes", "label", V_STRING, .s = "yes"},
    {"string/empty", "label: ''", "label", V_STRING, .s = ""},
    {"string/unicode", "label: \"caf\\u00e9\"", "label", V_STRING, .s = "caf\xc3\xa9"},
    {"enum/slow", "mode: slow", "mode", V_STRING, .s = "slow"},
    {"enum/quoted", "mode: \"fast\"", "mode", V_STRING, .s = "fast"},
    {"list/flow", "tags: [q, r]", "tags", V_STRV, .strv = {"q", "r", NULL}},
    {"list/block", "tags:\n  - one\n  - 'two, three'\n", "tags", V_STRV,
     .strv = {"one", "two, three", NULL}},
    {"list/empty", "tags: []", "tags", V_STRV, .strv = {NULL}},
    {"list/any_string", "tags: [1, yes, ~x]", "tags", V_STRV, .strv = {"1", "yes", "~x"}},
    {"list/choices", "parts: [z, x, z]", "parts", V_STRV, .strv = {"z", "x", "z"}},
    {"path/relative", "model: other.bin", "model", V_STRING, .s = BASE "/other.bin"},
    {"path/nested", "model: sub/dir/m.cdm", "model", V_STRING, .s = BASE "/sub/dir/m.cdm"},
    {"path/absolute", "model: /abs/m.bin", "model", V_STRING, .s = "/abs/m.bin"},
};

static void
test_apply_good(gconstpointer data)
{
  const GoodCase *c = data;
  CopydeskConfigNode *root = parse(c->yaml);
  CopydeskOptions *options = copydesk_options_new(demo_specs, BASE);
  GError *error = NULL;
  g_assert_true(copydesk_options_apply(options, root, FILENAME, PLUGIN, &error));
  g_assert_no_error(error);
  switch (c->kind) {
  case V_BOOL:
    g_assert_cmpint(copydesk_options_get_bool(options, c->name), ==, c->b);
    break;
  case V_INT:
    g_assert_cmpint(copydesk_options_get_int(options, c->name), ==, c->i);
    break;
  case V_DOUBLE:
    g_assert_cmpfloat(copydesk_options_get_double(options, c->name), ==, c->d);
    break;
  case V_STRING:
    g_assert_cmpstr(copydesk_options_get_string(options, c->name), ==, c->s);
    break;
  case V_STRV:
    assert_strv(copydesk_options_get_strv(options, c->name), c->strv);
    break;
  }
  /* Only the option given counts as set; the others keep their defaults. */
  for (guint i = 0; all_names[i]; i++)
    g_assert_cmpint(copydesk_options_is_set(options, all_names[i]), ==,
                    strcmp(all_names[i], c->name) == 0);
  if (strcmp(c->name, "mode") != 0)
    g_assert_cmpstr(copydesk_options_get_string(options, "mode"), ==, "fast");
  if (strcmp(c->name, "count") != 0)
    g_assert_cmpint(copydesk_options_get_int(options, "count"), ==, 3);
  copydesk_options_free(options);
  copydesk_config_node_free(root);
}

/* Many options at once, given again (the later value replaces the earlier one), and values
 * equal to the defaults still count as set. */
static void
test_apply_many(void)
{
  CopydeskConfigNode *root = parse("flag: on\n"
                                   "count: 3\n"
                                   "ratio: 0.75\n"
                                   "label: first\n"
                                   "mode: slow\n"
                                   "tags: [t]\n"
                                   "parts: [y, z]\n"
                                   "model: m1\n");
  CopydeskOptions *options = copydesk_options_new(demo_specs, BASE);
  GError *error = NULL;
  g_assert_true(copydesk_options_apply(options, root, FILENAME, PLUGIN, &error));
  g_assert_no_error(error);
  g_assert_true(copydesk_options_get_bool(options, "flag"));
  g_assert_cmpint(copydesk_options_get_int(options, "count"), ==, 3);
  g_assert_true(copydesk_options_is_set(options, "count"));
  g_assert_cmpfloat(copydesk_options_get_double(options, "ratio"), ==, 0.75);
  g_assert_cmpstr(copydesk_options_get_string(options, "label"), ==, "first");
  g_assert_cmpstr(copydesk_options_get_string(options, "mode"), ==, "slow");
  assert_strv(copydesk_options_get_strv(options, "tags"), (const char *const[]){"t", NULL});
  assert_strv(copydesk_options_get_strv(options, "parts"), (const char *const[]){"y", "z", NULL});
  g_assert_cmpstr(copydesk_options_get_string(options, "model"), ==, BASE "/m1");
  g_assert_false(copydesk_options_is_set(options, "unbounded"));
  g_assert_false(copydesk_options_is_set(options, "scale"));
  copydesk_config_node_free(root);

  root = parse("label: second\nmode: fast\ntags: [u, v]\nmodel: /m2\n");
  g_assert_true(copydesk_options_apply(options, root, FILENAME, PLUGIN, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(copydesk_options_get_string(options, "label"), ==, "second");
  g_assert_cmpstr(copydesk_options_get_string(options, "mode"), ==, "fast");
  assert_strv(copydesk_options_get_strv(options, "tags"), (const char *const[]){"u", "v", NULL});
  g_assert_cmpstr(copydesk_options_get_string(options, "model"), ==, "/m2");
  g_assert_true(copydesk_options_get_bool(options, "flag"));
  copydesk_options_free(options);
  copydesk_config_node_free(root);
}

/* No options node, "options:" with nothing, "options: ~" and "{}" change nothing. */
static void
test_apply_empty(void)
{
  CopydeskOptions *options = copydesk_options_new(demo_specs, BASE);
  GError *error = NULL;
  g_assert_true(copydesk_options_apply(options, NULL, FILENAME, PLUGIN, &error));
  g_assert_no_error(error);
  CopydeskConfigNode *root = parse("a:\nb: ~\nc: null\nd: {}\n");
  const char *keys[] = {"a", "b", "c", "d"};
  for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
    const CopydeskConfigNode *node = copydesk_config_lookup(root, keys[i]);
    g_assert_nonnull(node);
    g_assert_true(copydesk_options_apply(options, node, FILENAME, PLUGIN, &error));
    g_assert_no_error(error);
  }
  assert_defaults(options, BASE "/models/m.bin");
  copydesk_config_node_free(root);
  copydesk_options_free(options);
}

typedef struct {
  const char *test;
  const char *yaml;
  gint code; /* in COPYDESK_CONFIG_ERROR */
  guint line, column;
  const char *phrase;
} BadCase;

#define DEMO_OPTIONS \
  "its options are: flag, count, ratio, label, mode, tags, parts, model, unbounded, scale"

static const BadCase bad_cases[] = {
    {"bool/quoted_true", "flag: 'true'", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 7,
     "option 'flag' of plugin 'demo' expects true or false, not 'true'"},
    {"bool/double_quoted", "flag: \"yes\"", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 7,
     "option 'flag' of plugin 'demo' expects true or false, not 'yes'"},
    {"bool/word", "flag: maybe", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 7,
     "option 'flag' of plugin 'demo' expects true or false, not 'maybe'"},
    {"bool/number", "flag: 1", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 7,
     "option 'flag' of plugin 'demo' expects true or false, not '1'"},
    {"bool/empty", "flag:", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 6,
     "option 'flag' of plugin 'demo' expects true or false, not ''"},
    {"bool/list", "flag: [yes]", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 7,
     "option 'flag' of plugin 'demo' expects a single bool value, not a list"},
    {"bool/mapping", "flag: {a: b}", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 7,
     "option 'flag' of plugin 'demo' expects a single bool value, not a mapping"},
    {"int/below", "count: 0", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'count' of plugin 'demo' is 0; it must be from 1 to 10"},
    {"int/above", "count: 11", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'count' of plugin 'demo' is 11; it must be from 1 to 10"},
    {"int/fraction", "count: 2.5", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'count' of plugin 'demo' expects a whole number, not '2.5'"},
    {"int/quoted", "count: '5'", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'count' of plugin 'demo' expects a whole number, not '5'"},
    {"int/word", "count: five", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'count' of plugin 'demo' expects a whole number, not 'five'"},
    {"int/hex", "count: 0x5", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'count' of plugin 'demo' expects a whole number, not '0x5'"},
    {"int/overflow", "unbounded: 9223372036854775808", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 12,
     "option 'unbounded' of plugin 'demo' expects a whole number, not '9223372036854775808'"},
    {"int/list", "count: [1]", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 8,
     "option 'count' of plugin 'demo' expects a single int value, not a list"},
    {"double/above", "ratio: 1.5", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'ratio' of plugin 'demo' is 1.5; it must be from 0 to 1"},
    {"double/below", "ratio: -0.1", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'ratio' of plugin 'demo' is -0.1; it must be from 0 to 1"},
    {"double/word", "ratio: half", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'ratio' of plugin 'demo' expects a number, not 'half'"},
    {"double/trailing", "ratio: 0.5x", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'ratio' of plugin 'demo' expects a number, not '0.5x'"},
    {"double/nan", "scale: nan", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'scale' of plugin 'demo' expects a number, not 'nan'"},
    {"double/inf", "scale: inf", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'scale' of plugin 'demo' expects a number, not 'inf'"},
    {"double/huge", "scale: 1e999", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'scale' of plugin 'demo' expects a number, not '1e999'"},
    {"double/quoted", "scale: \"1.5\"", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'scale' of plugin 'demo' expects a number, not '1.5'"},
    {"double/mapping", "scale: {v: 1}", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 8,
     "option 'scale' of plugin 'demo' expects a single number value, not a mapping"},
    {"string/list", "label: [a, b]", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 8,
     "option 'label' of plugin 'demo' expects a single string value, not a list"},
    {"enum/not_a_choice", "mode: medium", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 7,
     "option 'mode' of plugin 'demo' is 'medium'; it must be one of: fast, slow"},
    {"enum/case", "mode: Fast", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 7,
     "option 'mode' of plugin 'demo' is 'Fast'; it must be one of: fast, slow"},
    {"enum/list", "mode: [fast]", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 7,
     "option 'mode' of plugin 'demo' expects a single choice value, not a list"},
    {"list/scalar", "tags: a", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 7,
     "option 'tags' of plugin 'demo' expects a list, e.g. [a, b], not a string"},
    {"list/mapping", "tags: {a: b}", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 7,
     "option 'tags' of plugin 'demo' expects a list, e.g. [a, b], not a mapping"},
    {"list/nested_item", "tags: [a, [b]]", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 11,
     "option 'tags' of plugin 'demo' expects a list of strings, but item 2 is a list"},
    {"list/mapping_item", "tags:\n  - a\n  - b: c\n", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 3, 5,
     "option 'tags' of plugin 'demo' expects a list of strings, but item 2 is a mapping"},
    {"list/not_a_choice", "parts: [x, w]", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 12,
     "option 'parts' of plugin 'demo' has 'w'; each item must be one of: x, y, z"},
    {"list/block_not_a_choice", "parts:\n  - y\n  - z\n  - X\n", COPYDESK_CONFIG_ERROR_BAD_VALUE,
     4, 5, "option 'parts' of plugin 'demo' has 'X'; each item must be one of: x, y, z"},
    {"path/empty", "model: ''", COPYDESK_CONFIG_ERROR_BAD_VALUE, 1, 8,
     "option 'model' of plugin 'demo' expects a file path, not an empty string"},
    {"path/list", "model: [a]", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 8,
     "option 'model' of plugin 'demo' expects a single path value, not a list"},
    {"unknown_key", "colour: red", COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, 1, 1,
     "plugin 'demo' has no option 'colour'; " DEMO_OPTIONS},
    {"unknown_key_case", "Flag: true", COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, 1, 1,
     "plugin 'demo' has no option 'Flag'; " DEMO_OPTIONS},
    {"second_line", "flag: yes\ncount: 99\n", COPYDESK_CONFIG_ERROR_BAD_VALUE, 2, 8,
     "option 'count' of plugin 'demo' is 99; it must be from 1 to 10"},
    {"indented_unknown", "\n   label: x\n   bogus: 1\n", COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, 3, 4,
     "plugin 'demo' has no option 'bogus'; " DEMO_OPTIONS},
    {"not_a_mapping/list", "- flag\n", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 1,
     "options of plugin 'demo' must be a mapping (key: value), not a list"},
    {"not_a_mapping/string", "'flag'\n", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 1,
     "options of plugin 'demo' must be a mapping (key: value), not a string"},
    {"not_a_mapping/word", "flag\n", COPYDESK_CONFIG_ERROR_WRONG_TYPE, 1, 1,
     "options of plugin 'demo' must be a mapping (key: value), not a string"},
};

static void
test_apply_bad(gconstpointer data)
{
  const BadCase *c = data;
  CopydeskConfigNode *root = parse(c->yaml);
  CopydeskOptions *options = copydesk_options_new(demo_specs, BASE);
  GError *error = NULL;
  g_assert_false(copydesk_options_apply(options, root, FILENAME, PLUGIN, &error));
  char *prefix = g_strdup_printf(FILENAME ":%u:%u: ", c->line, c->column);
  const char *phrases[] = {c->phrase, NULL};
  assert_error(error, COPYDESK_CONFIG_ERROR, c->code, prefix, phrases);
  g_assert_cmpstr(error->message + strlen(prefix), ==, c->phrase);
  g_free(prefix);
  g_error_free(error);
  copydesk_options_free(options);
  copydesk_config_node_free(root);
}

/* A plugin without options says so when given one. */
static void
test_apply_no_options(void)
{
  CopydeskConfigNode *root = parse("\n  size: 3\n");
  CopydeskOptions *options = copydesk_options_new(NULL, BASE);
  GError *error = NULL;
  g_assert_false(copydesk_options_apply(options, root, "other.yaml", "bare", &error));
  assert_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, "other.yaml:2:3: ",
               NULL);
  g_assert_cmpstr(error->message, ==,
                  "other.yaml:2:3: plugin 'bare' has no option 'size'; it takes no options");
  g_error_free(error);
  copydesk_options_free(options);
  copydesk_config_node_free(root);
}

/* ---- Getters misused by a plugin ---------------------------------------- */

static void
test_getter_misuse(void)
{
  CopydeskOptions *options = copydesk_options_new(demo_specs, BASE);

  g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*option 'nosuch', which its option table lacks*");
  g_assert_cmpint(copydesk_options_get_int(options, "nosuch"), ==, 0);
  g_test_assert_expected_messages();

  g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*read option 'count' (a int) as another type*");
  g_assert_false(copydesk_options_get_bool(options, "count"));
  g_test_assert_expected_messages();

  g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*read option 'flag' (a bool) as another type*");
  g_assert_null(copydesk_options_get_string(options, "flag"));
  g_test_assert_expected_messages();

  g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*read option 'mode' (a choice) as another type*");
  const char *const *strv = copydesk_options_get_strv(options, "mode");
  g_test_assert_expected_messages();
  g_assert_nonnull(strv);
  g_assert_null(strv[0]);

  g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*read option 'ratio' (a number) as another type*");
  g_assert_cmpint(copydesk_options_get_int(options, "ratio"), ==, 0);
  g_test_assert_expected_messages();

  copydesk_options_free(options);
}

static void
test_type_names(void)
{
  static const struct {
    CopydeskOptionType type;
    const char *name;
  } names[] = {
      {COPYDESK_OPTION_BOOL, "bool"},          {COPYDESK_OPTION_INT, "int"},
      {COPYDESK_OPTION_DOUBLE, "number"},      {COPYDESK_OPTION_STRING, "string"},
      {COPYDESK_OPTION_ENUM, "choice"},        {COPYDESK_OPTION_STRING_LIST, "string list"},
      {COPYDESK_OPTION_PATH, "path"},          {(CopydeskOptionType)0, "unknown"},
      {(CopydeskOptionType)42, "unknown"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    g_assert_cmpstr(copydesk_option_type_name(names[i].type), ==, names[i].name);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

  g_test_add_func("/options/validate/good", test_validate_good);
  for (guint i = 0; i < G_N_ELEMENTS(bad_tables); i++) {
    char *path = g_strdup_printf("/options/validate/bad/%s", bad_tables[i].test);
    g_test_add_data_func(path, &bad_tables[i], test_validate_bad);
    g_free(path);
  }
  g_test_add_func("/options/defaults", test_defaults);
  g_test_add_func("/options/defaults/lists", test_list_defaults);
  g_test_add_func("/options/defaults/bad_unset", test_bad_default_unset);
  for (guint i = 0; i < G_N_ELEMENTS(good_cases); i++) {
    char *path = g_strdup_printf("/options/apply/good/%s", good_cases[i].test);
    g_test_add_data_func(path, &good_cases[i], test_apply_good);
    g_free(path);
  }
  g_test_add_func("/options/apply/many", test_apply_many);
  g_test_add_func("/options/apply/empty", test_apply_empty);
  for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
    char *path = g_strdup_printf("/options/apply/bad/%s", bad_cases[i].test);
    g_test_add_data_func(path, &bad_cases[i], test_apply_bad);
    g_free(path);
  }
  g_test_add_func("/options/apply/no_options", test_apply_no_options);
  g_test_add_func("/options/getters/misuse", test_getter_misuse);
  g_test_add_func("/options/type_names", test_type_names);
  return g_test_run();
}
