/* copydesk — tests of pipeline files (core/pipeline.c): the schema, plugin loading, options,
 * command-line overrides and layer order; and the workers that run the stages.
 *
 * Pipelines are read with copydesk_pipeline_load_data("bad.yaml", …) and a base folder of
 * $COPYDESK_BUILD_ROOT/tests, so `plugin_path: plugins` names the test plugins
 * (build/tests/plugins); the shipped plugins come from $COPYDESK_PLUGIN_PATH (build/plugins). */
#include <string.h>

#include <glib/gstdio.h>

#include <copydesk/copydesk.h>

#include "pipeline.h"
#include "plugin_loader.h"

#define FILENAME "bad.yaml"

static char *build_root;   /* $COPYDESK_BUILD_ROOT */
static char *base_dir;     /* build/tests: where relative paths in the test pipelines resolve */
static char *test_plugins; /* build/tests/plugins */
static char *env_path;     /* $COPYDESK_PLUGIN_PATH: build/plugins */
static gboolean have_sentences;

/* TEXT with @BT@ (the base folder), @TP@ (test plugins), @PP@ ($COPYDESK_PLUGIN_PATH) and @TMP@
 * (TMP, may be NULL) replaced.  Free with g_free(). */
static char *
expand(const char *text, const char *tmp)
{
  GString *s = g_string_new(text);
  g_string_replace(s, "@TP@", test_plugins, 0);
  g_string_replace(s, "@BT@", base_dir, 0);
  g_string_replace(s, "@PP@", env_path, 0);
  if (tmp)
    g_string_replace(s, "@TMP@", tmp, 0);
  return g_string_free(s, FALSE);
}

/* Loads YAML (expanded) with base folder BASE (NULL: base_dir) and SETTINGS (NULL: none). */
static CopydeskPipeline *
load(const char *yaml, const char *base, const CopydeskPipelineSettings *settings, GError **error)
{
  CopydeskPipelineSettings none = {.with_installed = FALSE};
  char *text = expand(yaml, base);
  CopydeskPipeline *pipeline = copydesk_pipeline_load_data(
      FILENAME, text, strlen(text), base ? base : base_dir, settings ? settings : &none, error);
  g_free(text);
  return pipeline;
}

/* Loads YAML, which must be good. */
static CopydeskPipeline *
load_good(const char *yaml, const CopydeskPipelineSettings *settings)
{
  GError *error = NULL;
  CopydeskPipeline *pipeline = load(yaml, NULL, settings, &error);
  g_assert_no_error(error);
  g_assert_nonnull(pipeline);
  return pipeline;
}

/* Asserts ERROR is DOMAIN/CODE, its message starts with PREFIX and holds every PHRASE (all
 * expanded with TMP). */
static void
assert_error(const GError *error, GQuark domain, gint code, const char *prefix,
             const char *const *phrases, const char *tmp)
{
  g_assert_nonnull(error);
  if (error->domain != domain || error->code != code)
    g_test_message("got: %s (%s %d)", error->message, g_quark_to_string(error->domain),
                   error->code);
  g_assert_error(error, domain, code);
  char *p = expand(prefix, tmp);
  if (!g_str_has_prefix(error->message, p))
    g_test_message("'%s' does not start with '%s'", error->message, p);
  g_assert_true(g_str_has_prefix(error->message, p));
  g_free(p);
  for (guint i = 0; phrases && phrases[i]; i++) {
    char *phrase = expand(phrases[i], tmp);
    if (strstr(error->message, phrase) == NULL)
      g_test_message("'%s' lacks '%s'", error->message, phrase);
    g_assert_nonnull(strstr(error->message, phrase));
    g_free(phrase);
  }
  g_assert_null(strchr(error->message, '\n'));
}

/* Stage I of PIPELINE. */
static const CopydeskStage *
stage_at(const CopydeskPipeline *pipeline, guint i)
{
  g_assert_cmpuint(i, <, pipeline->stages->len);
  return pipeline->stages->pdata[i];
}

/* Asserts that STRV holds exactly the NULL-terminated EXPECTED. */
static void
assert_strv(const char *const *strv, const char *const *expected)
{
  g_assert_nonnull(strv);
  guint n = 0;
  for (; expected[n]; n++)
    g_assert_cmpstr(strv[n], ==, expected[n]);
  g_assert_null(strv[n]);
}

/* The shipped plugin file build/plugins/NAME/NAME.so. */
static char *
shipped_file(const char *name)
{
  char *file = g_strconcat(name, ".so", NULL);
  char *path = g_build_filename(env_path, name, file, NULL);
  g_free(file);
  return path;
}

/* ---- Bad pipelines -------------------------------------------------------- */

#define B10 "[[[[[[[[[["
#define E10 "]]]]]]]]]]"
#define B100 B10 B10 B10 B10 B10 B10 B10 B10 B10 B10
#define E100 E10 E10 E10 E10 E10 E10 E10 E10 E10 E10

#define CLEAN_OPTIONS \
  "its options are: mojibake, strip_tags, html_entities, control, zero_width, normalize, whitespace, " \
  "join_lines, quotes, boilerplate, boilerplate_patterns, report_invalid"
#define JSONL_OPTIONS "its options are: offsets, include, include_text, nest"
#define BAD_NAME_HINT \
  "is not a plugin name: a name is a bare identifier (letters, digits, '_', '-'); to load a " \
  "file outside the search path, give it with 'path:'"

typedef GQuark (*DomainFunc)(void);

typedef struct {
  const char *test;
  const char *yaml;
  DomainFunc domain;
  gint code;
  const char *prefix;        /* the message starts with this, usually "bad.yaml:LINE:COL: " */
  const char *phrases[4];    /* and holds these */
  const char *available[12]; /* NOT_FOUND: names the "available:" list must hold */
  const char *output_plugin; /* --to */
  const char *input_format;  /* --from */
  gboolean needs_sentences;
} BadCase;

#define CONFIG copydesk_config_error_quark
#define PLUGIN copydesk_plugin_error_quark
#define PIPELINE copydesk_pipeline_error_quark

static const BadCase bad_cases[] = {
    /* YAML itself */
    {"syntax/unclosed_flow", "x:\n  - [", CONFIG, COPYDESK_CONFIG_ERROR_SYNTAX, FILENAME ":3:1: ",
     .phrases = {"did not find expected node content"}},
    {"syntax/tab", "pipeline:\n\t- plugin: clean\n", CONFIG, COPYDESK_CONFIG_ERROR_SYNTAX,
     FILENAME ":2:1: ", .phrases = {"found character that cannot start any token"}},
    {"syntax/two_documents", "pipeline: []\n---\noutput: {}\n", CONFIG,
     COPYDESK_CONFIG_ERROR_SYNTAX, FILENAME ":2:1: ", .phrases = {"a second YAML document"}},
    {"syntax/not_utf8", "pipeline:\n  - plugin: cl\xe9\x61n\n", CONFIG,
     COPYDESK_CONFIG_ERROR_NOT_UTF8, FILENAME ":2:15: ", .phrases = {"byte 0xE9 is not valid UTF-8"}},
    {"duplicate/top", "pipeline: []\noutput: {}\npipeline: []\n", CONFIG,
     COPYDESK_CONFIG_ERROR_DUPLICATE_KEY, FILENAME ":3:1: ",
     .phrases = {"duplicate key 'pipeline' (first at line 1)"}},
    {"duplicate/stage_key", "pipeline:\n  - plugin: clean\n    plugin: json\n", CONFIG,
     COPYDESK_CONFIG_ERROR_DUPLICATE_KEY, FILENAME ":3:5: ",
     .phrases = {"duplicate key 'plugin' (first at line 2)"}},
    {"duplicate/option", "output:\n  plugin: jsonl\n  options:\n    offsets: bytes\n    offsets: utf16\n",
     CONFIG, COPYDESK_CONFIG_ERROR_DUPLICATE_KEY, FILENAME ":5:5: ",
     .phrases = {"duplicate key 'offsets' (first at line 4)"}},
    {"alias/bomb",
     "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
     "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
     CONFIG, COPYDESK_CONFIG_ERROR_TOO_LARGE, FILENAME ":4:33: ",
     .phrases = {"more than 10000 nodes (aliases expanded); the limit is 10000"}},
    {"alias/bomb_in_options",
     "pipeline:\n"
     "  - plugin: clean\n"
     "    options: &o {x: &l [a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a]}\n"
     "  - {plugin: clean, options: {a: [*l, *l, *l, *l, *l, *l, *l, *l, *l, *l]}}\n"
     "  - {plugin: clean, options: {b: [*l, *l, *l, *l, *l, *l, *l, *l, *l, *l]}}\n",
     CONFIG, COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, FILENAME ":3:18: ",
     .phrases = {"plugin 'clean' has no option 'x'"}}, /* small aliases are fine: the schema speaks */
    {"alias/unknown", "pipeline:\n  - *stage\n", CONFIG, COPYDESK_CONFIG_ERROR_ALIAS,
     FILENAME ":2:5: ", .phrases = {"alias '*stage' names no anchor defined before it"}},
    {"nesting/100_deep", "pipeline: " B100 E100 "\n", CONFIG, COPYDESK_CONFIG_ERROR_TOO_DEEP,
     FILENAME ":1:42: ", .phrases = {"nesting deeper than 32 levels"}},
    {"nesting/100_deep_options", "pipeline:\n  - plugin: clean\n    options: {a: " B100 E100 "}\n",
     CONFIG, COPYDESK_CONFIG_ERROR_TOO_DEEP, FILENAME ":3:46: ", .phrases = {"nesting deeper than 32 levels"}},

    /* The schema */
    {"root/list", "- plugin: clean\n", CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":1:1: ",
     .phrases = {"the pipeline file must be a mapping (key: value), not a list"}},
    {"root/string", "clean\n", CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":1:1: ",
     .phrases = {"the pipeline file must be a mapping (key: value), not a string"}},
    {"root/unknown_key", "input:\n  format: text\nfilters: []\n", CONFIG,
     COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, FILENAME ":3:1: ",
     .phrases = {"unknown key 'filters' in the pipeline file (known keys: plugin_path, input, pipeline, "
      "output)"}},
    {"root/misspelt", "pipelines:\n  - plugin: clean\n", CONFIG, COPYDESK_CONFIG_ERROR_UNKNOWN_KEY,
     FILENAME ":1:1: ", .phrases = {"unknown key 'pipelines' in the pipeline file"}},
    {"input/string", "input: jsonl\n", CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":1:8: ",
     .phrases = {"input must be a mapping (key: value), not a string"}},
    {"input/unknown_key", "input:\n  format: text\n  textfield: body\n", CONFIG,
     COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, FILENAME ":3:3: ",
     .phrases = {"unknown key 'textfield' in input (known keys: format, text_field, id_field)"}},
    {"input/bad_format", "input:\n  format: xml\n", CONFIG, COPYDESK_CONFIG_ERROR_BAD_VALUE,
     FILENAME ":2:11: ", .phrases = {"'format' is 'xml'; it must be one of: text, jsonl, conll"}},
    {"input/bad_format_with_from", "input:\n  format: csv\n", CONFIG,
     COPYDESK_CONFIG_ERROR_BAD_VALUE, FILENAME ":2:11: ",
     .phrases = {"'format' is 'csv'; it must be one of: text, jsonl, conll"},
     .input_format = "jsonl"},
    {"input/format_list", "input:\n  format: [text]\n", CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE,
     FILENAME ":2:11: ", .phrases = {"'format' must be a string, not a list"}},
    {"input/text_field_mapping", "input:\n  text_field: {a: b}\n", CONFIG,
     COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":2:15: ",
     .phrases = {"'text_field' must be a string, not a mapping"}},
    {"pipeline/mapping", "pipeline:\n  plugin: clean\n", CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE,
     FILENAME ":2:3: ", .phrases = {"pipeline must be a list of stages (- plugin: NAME), not a mapping"}},
    {"pipeline/string", "pipeline: clean\n", CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE,
     FILENAME ":1:11: ", .phrases = {"pipeline must be a list of stages (- plugin: NAME), not a string"}},
    {"pipeline/quoted_null", "pipeline: 'null'\n", CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE,
     FILENAME ":1:11: ", .phrases = {"pipeline must be a list of stages (- plugin: NAME), not a string"}},
    {"stage/string", "pipeline:\n  - clean\n", CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE,
     FILENAME ":2:5: ", .phrases = {"a pipeline stage must be a mapping (key: value), not a string"}},
    {"stage/unknown_key", "pipeline:\n  - plugin: clean\n    option: {}\n", CONFIG,
     COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, FILENAME ":3:5: ",
     .phrases = {"unknown key 'option' in a pipeline stage (known keys: plugin, path, options, on_error)"}},
    {"stage/no_plugin", "pipeline:\n  - on_error: skip\n", CONFIG, COPYDESK_CONFIG_ERROR_MISSING_KEY,
     FILENAME ":2:5: ", .phrases = {"this stage has no 'plugin' key; write '- plugin: NAME'"}},
    {"stage/second_without_plugin", "pipeline:\n  - plugin: clean\n  -\n    options: {a: 1}\n",
     CONFIG, COPYDESK_CONFIG_ERROR_MISSING_KEY, FILENAME ":4:5: ",
     .phrases = {"this stage has no 'plugin' key"}},
    {"stage/plugin_list", "pipeline:\n  - plugin: [clean]\n", CONFIG,
     COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":2:13: ",
     .phrases = {"'plugin' must be a string, not a list"}},
    {"output/list", "output: [jsonl]\n", CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE,
     FILENAME ":1:9: ", .phrases = {"output must be a mapping (key: value), not a list"}},
    {"output/unknown_key", "output:\n  plugin: jsonl\n  on_error: skip\n", CONFIG,
     COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, FILENAME ":3:3: ",
     .phrases = {"unknown key 'on_error' in output (known keys: plugin, path, options)"}},
    {"output/plugin_mapping", "output:\n  plugin: {name: jsonl}\n", CONFIG,
     COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":2:11: ",
     .phrases = {"'plugin' must be a string, not a mapping"}},
    {"on_error/bad", "pipeline:\n  - plugin: clean\n    on_error: ignore\n", CONFIG,
     COPYDESK_CONFIG_ERROR_BAD_VALUE, FILENAME ":3:15: ",
     .phrases = {"'on_error' is 'ignore'; it must be one of: record, skip, abort"}},
    {"on_error/case", "pipeline:\n  - plugin: clean\n    on_error: Skip\n", CONFIG,
     COPYDESK_CONFIG_ERROR_BAD_VALUE, FILENAME ":3:15: ",
     .phrases = {"'on_error' is 'Skip'; it must be one of: record, skip, abort"}},
    {"on_error/list", "pipeline:\n  - plugin: clean\n    on_error: [skip]\n", CONFIG,
     COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":3:15: ",
     .phrases = {"'on_error' must be a string, not a list"}},
    {"plugin_path/mapping", "plugin_path: {a: b}\n", CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE,
     FILENAME ":1:14: ", .phrases = {"plugin_path must be a folder or a list of folders, not a mapping"}},
    {"plugin_path/item", "plugin_path: [plugins, [x]]\n", CONFIG,
     COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":1:24: ",
     .phrases = {"plugin_path items must be folder names, not a list"}},

    /* Options, checked against each plugin's table */
    {"options/list", "pipeline:\n  - plugin: clean\n    options: [a]\n", CONFIG,
     COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":3:14: ",
     .phrases = {"options of plugin 'clean' must be a mapping (key: value), not a list"}},
    {"options/string", "pipeline:\n  - plugin: clean\n    options: nfc\n", CONFIG,
     COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":3:14: ",
     .phrases = {"options of plugin 'clean' must be a mapping (key: value), not a string"}},
    {"options/output_list", "output:\n  plugin: jsonl\n  options:\n    - offsets\n", CONFIG,
     COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":4:5: ",
     .phrases = {"options of plugin 'jsonl' must be a mapping (key: value), not a list"}},
    {"options/unknown", "pipeline:\n  - plugin: clean\n    options:\n      colour: red\n", CONFIG,
     COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, FILENAME ":4:7: ",
     .phrases = {"plugin 'clean' has no option 'colour'; " CLEAN_OPTIONS}},
    {"options/unknown_output", "output:\n  plugin: jsonl\n  options: {pretty: true}\n", CONFIG,
     COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, FILENAME ":3:13: ",
     .phrases = {"plugin 'jsonl' has no option 'pretty'; " JSONL_OPTIONS}},
    {"options/unknown_default_output", "output:\n  options: {offset: bytes}\n", CONFIG,
     COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, FILENAME ":2:13: ",
     .phrases = {"plugin 'jsonl' has no option 'offset'; " JSONL_OPTIONS}},
    {"options/bool_given_list", "pipeline:\n  - plugin: clean\n    options: {whitespace: [yes]}\n",
     CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":3:27: ",
     .phrases = {"option 'whitespace' of plugin 'clean' expects a single bool value, not a list"}},
    {"options/bool_quoted", "pipeline:\n  - plugin: clean\n    options: {control: 'no'}\n", CONFIG,
     COPYDESK_CONFIG_ERROR_BAD_VALUE, FILENAME ":3:24: ",
     .phrases = {"option 'control' of plugin 'clean' expects true or false, not 'no'"}},
    {"options/bad_enum", "pipeline:\n  - plugin: clean\n    options: {normalize: nfd}\n", CONFIG,
     COPYDESK_CONFIG_ERROR_BAD_VALUE, FILENAME ":3:26: ",
     .phrases = {"option 'normalize' of plugin 'clean' is 'nfd'; it must be one of: nfc, nfkc, none"}},
    {"options/bad_enum_output", "output:\n  plugin: jsonl\n  options:\n    offsets: chars\n", CONFIG,
     COPYDESK_CONFIG_ERROR_BAD_VALUE, FILENAME ":4:14: ",
     .phrases = {"option 'offsets' of plugin 'jsonl' is 'chars'; it must be one of: codepoints, bytes, "
      "utf16"}},
    {"options/list_item_not_a_choice", "output:\n  plugin: jsonl\n  options: {include: [bogus]}\n",
     CONFIG, COPYDESK_CONFIG_ERROR_BAD_VALUE, FILENAME ":3:23: ",
     .phrases = {"option 'include' of plugin 'jsonl' has 'bogus'; each item must be one of: text, "
      "clean_text, sentences, paragraphs, tokens, mentions, entities, quotes"}},
    {"options/list_second_item_not_a_choice",
     "output:\n  plugin: jsonl\n  options:\n    include:\n      - text\n      - Sentences\n",
     CONFIG, COPYDESK_CONFIG_ERROR_BAD_VALUE, FILENAME ":6:9: ",
     .phrases = {"option 'include' of plugin 'jsonl' has 'Sentences'; each item must be one of: "}},
    {"options/list_given_string", "output:\n  plugin: jsonl\n  options: {include: sentences}\n",
     CONFIG, COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":3:22: ",
     .phrases = {"option 'include' of plugin 'jsonl' expects a list, e.g. [a, b], not a string"}},
    {"options/test_plugin_wrong_type",
     "plugin_path: plugins\npipeline:\n  - plugin: faulty\n    options: {fail_on: [X]}\n", CONFIG,
     COPYDESK_CONFIG_ERROR_WRONG_TYPE, FILENAME ":4:24: ",
     .phrases = {"option 'fail_on' of plugin 'faulty' expects a single string value, not a list"}},
    {"options/sentences_unknown", "pipeline:\n  - plugin: sentences\n    options: {bogus: 1}\n",
     CONFIG, COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, FILENAME ":3:15: ",
     .phrases = {"plugin 'sentences' has no option 'bogus'; "}, .needs_sentences = TRUE},

    /* Plugin names and files */
    {"name/dotdot", "pipeline:\n  - plugin: ../evil\n", PLUGIN, COPYDESK_PLUGIN_ERROR_BAD_NAME,
     FILENAME ":2:13: ", .phrases = {"'../evil' " BAD_NAME_HINT}},
    {"name/absolute", "pipeline:\n  - plugin: /abs/evil\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_BAD_NAME, FILENAME ":2:13: ", .phrases = {"'/abs/evil' " BAD_NAME_HINT}},
    {"name/output", "output:\n  plugin: ../evil\n", PLUGIN, COPYDESK_PLUGIN_ERROR_BAD_NAME,
     FILENAME ":2:11: ", .phrases = {"'../evil' " BAD_NAME_HINT}},
    {"name/with_path", "pipeline:\n  - plugin: ../faulty\n    path: plugins/faulty.so\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_BAD_NAME, FILENAME ":2:13: ", .phrases = {"'../faulty' " BAD_NAME_HINT}},
    {"name/empty", "pipeline:\n  - plugin: ''\n", PLUGIN, COPYDESK_PLUGIN_ERROR_BAD_NAME,
     FILENAME ":2:13: ", .phrases = {"'' " BAD_NAME_HINT}},
    {"not_found/stage", "pipeline:\n  - plugin: clean\n  - plugin: nosuch\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_NOT_FOUND, FILENAME ":3:13: ",
     .phrases = {"no plugin named 'nosuch' (looked in: @PP@; available: "},
     .available = {"clean", "json", "jsonl"}},
    {"not_found/output", "output:\n  plugin: yaml\n", PLUGIN, COPYDESK_PLUGIN_ERROR_NOT_FOUND,
     FILENAME ":2:11: ", .phrases = {"no plugin named 'yaml' (looked in: @PP@; available: "},
     .available = {"clean", "json", "jsonl"}},
    {"not_found/plugin_path",
     "plugin_path: [plugins, /nonexistent/copydesk]\npipeline:\n  - plugin: nosuch\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_NOT_FOUND, FILENAME ":3:13: ",
     .phrases = {"no plugin named 'nosuch' (looked in: @TP@, /nonexistent/copydesk, @PP@; available: "},
     .available = {"bad_option_table", "clean", "failing_create", "faulty", "json", "jsonl",
                   "misnamed", "newer_minor", "no_entry", "wrong_abi"}},
    {"not_found/test_plugin_without_plugin_path", "pipeline:\n  - plugin: faulty\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_NOT_FOUND, FILENAME ":2:13: ",
     .phrases = {"no plugin named 'faulty' (looked in: @PP@; available: "}, .available = {"clean"}},
    {"path/missing", "pipeline:\n  - plugin: faulty\n    path: nowhere/faulty.so\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_OPEN, FILENAME ":2:13: ",
     .phrases = {"cannot load plugin 'faulty': @BT@/nowhere/faulty.so is not a file"}},
    {"path/misnamed", "pipeline:\n  - plugin: faulty\n    path: plugins/misnamed.so\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_NAME_MISMATCH, FILENAME ":2:13: ",
     .phrases = {"@TP@/misnamed.so calls itself 'other', not 'faulty'"}},
    {"loader/wrong_abi", "plugin_path: plugins\npipeline:\n  - plugin: wrong_abi\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_ABI, FILENAME ":3:13: ",
     .phrases = {"plugin 'wrong_abi' (@TP@/wrong_abi.so) was built for copydesk plugin ABI 2.0, but this "
      "copydesk speaks ABI 1.1"}},
    {"loader/no_entry", "plugin_path: plugins\noutput:\n  plugin: no_entry\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_NO_ENTRY, FILENAME ":3:11: ",
     .phrases = {"@TP@/no_entry.so is not a copydesk plugin"}},
    {"loader/bad_option_table", "plugin_path: plugins\npipeline:\n  - plugin: bad_option_table\n",
     PLUGIN, COPYDESK_PLUGIN_ERROR_INVALID, FILENAME ":3:13: ",
     .phrases = {"plugin 'bad_option_table' declares a bad option 'limit'"}},

    /* Kinds */
    {"kind/output_in_pipeline", "pipeline:\n  - plugin: clean\n  - plugin: jsonl\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_KIND, FILENAME ":3:13: ",
     .phrases = {"'jsonl' is an output plugin; name it under 'output:', not in the pipeline"}},
    {"kind/transform_as_output", "output:\n  plugin: clean\n", PLUGIN, COPYDESK_PLUGIN_ERROR_KIND,
     FILENAME ":2:11: ",
     .phrases = {"'clean' is a transform plugin, not an output plugin; try --to jsonl or see 'copydesk "
      "plugins'"}},
    {"kind/annotate_as_output", "plugin_path: plugins\noutput:\n  plugin: faulty\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_KIND, FILENAME ":3:11: ",
     .phrases = {"'faulty' is an annotate plugin, not an output plugin"}},
    {"kind/sentences_as_output", "output:\n  plugin: sentences\n", PLUGIN,
     COPYDESK_PLUGIN_ERROR_KIND, FILENAME ":2:11: ",
     .phrases = {"'sentences' is an annotate plugin, not an output plugin"}, .needs_sentences = TRUE},

    /* Command-line overrides: no position in the file to name */
    {"to/transform", "output:\n  plugin: jsonl\n", PLUGIN, COPYDESK_PLUGIN_ERROR_KIND,
     FILENAME ": ", .phrases = {"'clean' is a transform plugin, not an output plugin"},
     .output_plugin = "clean"},
    {"to/not_found", "", PLUGIN, COPYDESK_PLUGIN_ERROR_NOT_FOUND,
     "--to: no plugin named 'yaml' (looked in: @PP@; available: ",
     .available = {"clean", "jsonl"},
     .output_plugin = "yaml"},
    {"to/bad_name", "", PLUGIN, COPYDESK_PLUGIN_ERROR_BAD_NAME, "--to: '../x' " BAD_NAME_HINT,
     .output_plugin = "../x"},
    /* --to replaces the output but the file must still be right */
    {"to/file_still_checked", "output:\n  plugin: jsonl\n  colour: red\n", CONFIG,
     COPYDESK_CONFIG_ERROR_UNKNOWN_KEY, FILENAME ":3:3: ", .phrases = {"unknown key 'colour' in output"},
     .output_plugin = "json"},
};

static void
test_bad(gconstpointer data)
{
  const BadCase *c = data;
  if (c->needs_sentences && !have_sentences) {
    g_test_skip("the sentences plugin is not built yet");
    return;
  }
  CopydeskPipelineSettings settings = {
      .output_plugin = c->output_plugin, .input_format = c->input_format, .with_installed = FALSE};
  GError *error = NULL;
  CopydeskPipeline *pipeline = load(c->yaml, NULL, &settings, &error);
  g_assert_null(pipeline);
  assert_error(error, c->domain(), c->code, c->prefix, c->phrases, NULL);
  if (c->available[0]) {
    const char *list = strstr(error->message, "; available: ");
    g_assert_nonnull(list);
    list += strlen("; available: ");
    g_assert_true(g_str_has_suffix(list, ")"));
    char *inner = g_strndup(list, strlen(list) - 1);
    char **names = g_strsplit(inner, ", ", -1);
    for (guint i = 0; c->available[i]; i++) {
      if (!g_strv_contains((const char *const *)names, c->available[i]))
        g_test_message("'%s' not in the list '%s'", c->available[i], inner);
      g_assert_true(g_strv_contains((const char *const *)names, c->available[i]));
    }
    for (guint i = 1; names[i]; i++)
      g_assert_cmpint(strcmp(names[i - 1], names[i]), <, 0);
    g_strfreev(names);
    g_free(inner);
  }
  g_error_free(error);
}

/* A `path:` to a file that is not a shared object. */
static void
test_bad_path_not_shared_object(void)
{
  GError *error = NULL;
  char *tmp = g_dir_make_tmp("copydesk-pipeline-XXXXXX", &error);
  g_assert_no_error(error);
  char *file = g_build_filename(tmp, "notes.txt", NULL);
  g_assert_true(g_file_set_contents(file, "not a shared object\n", -1, &error));
  g_assert_no_error(error);

  /* Relative to the pipeline file's folder. */
  CopydeskPipelineSettings settings = {.with_installed = FALSE};
  const char *yaml = "pipeline:\n  - plugin: notes\n    path: notes.txt\n";
  CopydeskPipeline *pipeline =
      copydesk_pipeline_load_data(FILENAME, yaml, strlen(yaml), tmp, &settings, &error);
  g_assert_null(pipeline);
  assert_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_OPEN,
               FILENAME ":2:13: cannot load plugin 'notes' from @TMP@/notes.txt: ", NULL, tmp);
  g_clear_error(&error);

  /* Absolute, and as the output. */
  char *yaml2 = g_strdup_printf("output:\n  plugin: notes\n  path: %s\n", file);
  pipeline = copydesk_pipeline_load_data(FILENAME, yaml2, strlen(yaml2), base_dir, &settings,
                                         &error);
  g_assert_null(pipeline);
  assert_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_OPEN,
               FILENAME ":2:11: cannot load plugin 'notes' from @TMP@/notes.txt: ", NULL, tmp);
  g_clear_error(&error);
  g_free(yaml2);

  g_assert_cmpint(g_remove(file), ==, 0);
  g_assert_cmpint(g_rmdir(tmp), ==, 0);
  g_free(file);
  g_free(tmp);
}

/* Every plugin on the search path (test plugins first), for the tests that look for a plugin
 * with some property. */
static GPtrArray *
all_plugins(void)
{
  GPtrArray *path = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(path, g_strdup(test_plugins));
  g_ptr_array_add(path, g_strdup(env_path));
  GPtrArray *infos = copydesk_plugin_list(path);
  g_ptr_array_unref(path);
  return infos;
}

/* A number out of a plugin's declared range, if any plugin declares one. */
static void
test_bad_out_of_range(void)
{
  GPtrArray *infos = all_plugins();
  const CopydeskPluginInfo *found = NULL;
  const CopydeskOptionSpec *spec = NULL;
  for (guint i = 0; found == NULL && i < infos->len; i++) {
    const CopydeskPluginInfo *info = infos->pdata[i];
    for (guint k = 0; info->descriptor && info->descriptor->options &&
                      info->descriptor->options[k].name;
         k++) {
      const CopydeskOptionSpec *s = &info->descriptor->options[k];
      if ((s->type == COPYDESK_OPTION_INT || s->type == COPYDESK_OPTION_DOUBLE) && s->min < s->max) {
        found = info;
        spec = s;
        break;
      }
    }
  }
  if (found == NULL) {
    g_test_skip("no plugin declares a numeric option with a range");
    g_ptr_array_unref(infos);
    return;
  }
  const char *name = found->descriptor->name;
  char *value = g_strdup_printf("%.0f", spec->max + 1);
  char *yaml =
      found->descriptor->kind == COPYDESK_KIND_OUTPUT
          ? g_strdup_printf("plugin_path: plugins\noutput:\n  plugin: %s\n  options:\n    %s: %s\n",
                            name, spec->name, value)
          : g_strdup_printf("plugin_path: plugins\npipeline:\n  - plugin: %s\n    options:\n"
                            "      %s: %s\n",
                            name, spec->name, value);
  guint column = (found->descriptor->kind == COPYDESK_KIND_OUTPUT ? 5 : 7) +
                 (guint)strlen(spec->name) + 2;
  char *prefix = g_strdup_printf(FILENAME ":5:%u: option '%s' of plugin '%s' is %s; it must be "
                                 "from ",
                                 column, spec->name, name, value);
  GError *error = NULL;
  CopydeskPipeline *pipeline = load(yaml, NULL, NULL, &error);
  g_assert_null(pipeline);
  assert_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_BAD_VALUE, prefix, NULL, NULL);
  g_error_free(error);
  g_free(prefix);
  g_free(yaml);
  g_free(value);
  g_ptr_array_unref(infos);
}

/* A stage needing a layer that no earlier stage provides, if any plugin requires one. */
static void
test_bad_missing_layer(void)
{
  GPtrArray *infos = all_plugins();
  const CopydeskPluginInfo *needs = NULL, *gives = NULL;
  const char *layer = NULL;
  for (guint i = 0; needs == NULL && i < infos->len; i++) {
    const CopydeskPluginInfo *info = infos->pdata[i];
    if (info->descriptor && info->descriptor->kind != COPYDESK_KIND_OUTPUT &&
        info->descriptor->requires && info->descriptor->requires[0]) {
      needs = info;
      layer = info->descriptor->requires[0];
    }
  }
  if (needs == NULL) {
    g_test_skip("no plugin requires a layer");
    g_ptr_array_unref(infos);
    return;
  }
  /* A plugin that provides LAYER and needs nothing itself. */
  for (guint i = 0; gives == NULL && i < infos->len; i++) {
    const CopydeskPluginInfo *info = infos->pdata[i];
    if (info->descriptor && info->descriptor->kind != COPYDESK_KIND_OUTPUT &&
        info->descriptor->provides && !info->descriptor->requires &&
        g_strv_contains(info->descriptor->provides, layer))
      gives = info;
  }
  const char *name = needs->descriptor->name;

  /* Alone. */
  char *yaml = g_strdup_printf("plugin_path: plugins\npipeline:\n  - plugin: %s\n", name);
  char *prefix = g_strdup_printf(FILENAME ":3:13: stage '%s' needs the '%s' layer, which no "
                                 "earlier stage provides; ",
                                 name, layer);
  GError *error = NULL;
  g_assert_null(load(yaml, NULL, NULL, &error));
  assert_error(error, COPYDESK_PIPELINE_ERROR, COPYDESK_PIPELINE_ERROR_MISSING_LAYER, prefix,
               (const char *const[]){"add a stage that provides it before this one", NULL}, NULL);
  g_clear_error(&error);
  g_free(yaml);

  if (gives) {
    /* In the wrong order: the hint names the later stage. */
    yaml = g_strdup_printf("plugin_path: plugins\npipeline:\n  - plugin: %s\n  - plugin: %s\n",
                           name, gives->descriptor->name);
    char *hint = g_strdup_printf("move '%s' before it", gives->descriptor->name);
    g_assert_null(load(yaml, NULL, NULL, &error));
    assert_error(error, COPYDESK_PIPELINE_ERROR, COPYDESK_PIPELINE_ERROR_MISSING_LAYER, prefix,
                 (const char *const[]){hint, NULL}, NULL);
    g_clear_error(&error);
    g_free(hint);
    g_free(yaml);
    /* In the right order it loads. */
    yaml = g_strdup_printf("plugin_path: plugins\npipeline:\n  - plugin: %s\n  - plugin: %s\n",
                           gives->descriptor->name, name);
    CopydeskPipeline *pipeline = load(yaml, NULL, NULL, &error);
    if (error)
      g_test_message("%s", error->message);
    /* It may still need other layers; only this one is checked. */
    if (pipeline == NULL)
      g_assert_null(strstr(error->message, layer));
    g_clear_error(&error);
    copydesk_pipeline_free(pipeline);
    g_free(yaml);
  }
  g_free(prefix);
  g_ptr_array_unref(infos);
}

/* ---- Good pipelines ------------------------------------------------------- */

/* Every key of the schema, every on_error value, options on stages and on the output. */
static void
test_good_full(void)
{
  const char *yaml = "input:\n"                                                        /* 1 */
                     "  format: jsonl\n"                                               /* 2 */
                     "  text_field: body\n"                                            /* 3 */
                     "  id_field: uid\n"                                               /* 4 */
                     "pipeline:\n"                                                     /* 5 */
                     "  - plugin: clean\n"                                             /* 6 */
                     "    options: {normalize: nfkc, quotes: curly, join_lines: no}\n" /* 7 */
                     "  - plugin: clean\n"                                             /* 8 */
                     "    on_error: skip\n"                                            /* 9 */
                     "  - on_error: abort\n"                                           /* 10 */
                     "    options:\n"                                                  /* 11 */
                     "    plugin: clean\n"                                             /* 12 */
                     "  - {plugin: clean, on_error: record, options: {}}\n"            /* 13 */
                     "output:\n"                                                       /* 14 */
                     "  plugin: jsonl\n"                                               /* 15 */
                     "  options: {offsets: bytes, include: [sentences, mentions],\n"   /* 16 */
                     "            include_text: false, nest: copydesk}\n";             /* 17 */
  CopydeskPipeline *pipeline = load_good(yaml, NULL);
  char *clean_file = shipped_file("clean");
  char *jsonl_file = shipped_file("jsonl");

  g_assert_cmpstr(pipeline->file, ==, FILENAME);
  g_assert_cmpstr(pipeline->base_dir, ==, base_dir);
  g_assert_cmpint(pipeline->input_format, ==, COPYDESK_INPUT_JSONL);
  g_assert_cmpstr(pipeline->text_field, ==, "body");
  g_assert_cmpstr(pipeline->id_field, ==, "uid");
  g_assert_cmpuint(pipeline->search_path->len, ==, 1);
  g_assert_cmpstr(pipeline->search_path->pdata[0], ==, env_path);

  static const struct {
    CopydeskOnError on_error;
    guint line, column;
  } expected[] = {
      {COPYDESK_ON_ERROR_RECORD, 6, 13},
      {COPYDESK_ON_ERROR_SKIP, 8, 13},
      {COPYDESK_ON_ERROR_ABORT, 12, 13},
      {COPYDESK_ON_ERROR_RECORD, 13, 14},
  };
  g_assert_cmpuint(pipeline->stages->len, ==, G_N_ELEMENTS(expected));
  for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
    const CopydeskStage *stage = stage_at(pipeline, i);
    g_assert_cmpstr(stage->name, ==, "clean");
    g_assert_cmpstr(stage->file, ==, clean_file);
    g_assert_cmpstr(stage->descriptor->name, ==, "clean");
    g_assert_cmpint(stage->descriptor->kind, ==, COPYDESK_KIND_TRANSFORM);
    g_assert_cmpint(stage->on_error, ==, expected[i].on_error);
    g_assert_cmpuint(stage->line, ==, expected[i].line);
    g_assert_cmpuint(stage->column, ==, expected[i].column);
    g_assert_nonnull(stage->options);
    g_assert_cmpstr(copydesk_options_base_dir(stage->options), ==, base_dir);
    g_assert_false(stage->shared_ready);
    g_assert_null(stage->shared);
    if (i > 0)
      g_assert_true(stage->descriptor == stage_at(pipeline, 0)->descriptor);
  }
  /* The first stage's options as given, the rest defaults. */
  const CopydeskOptions *o = stage_at(pipeline, 0)->options;
  g_assert_cmpstr(copydesk_options_get_string(o, "normalize"), ==, "nfkc");
  g_assert_cmpstr(copydesk_options_get_string(o, "quotes"), ==, "curly");
  g_assert_false(copydesk_options_get_bool(o, "join_lines"));
  g_assert_true(copydesk_options_get_bool(o, "html_entities"));
  g_assert_true(copydesk_options_is_set(o, "normalize"));
  g_assert_true(copydesk_options_is_set(o, "join_lines"));
  g_assert_false(copydesk_options_is_set(o, "html_entities"));
  for (guint i = 1; i < pipeline->stages->len; i++) {
    o = stage_at(pipeline, i)->options;
    g_assert_cmpstr(copydesk_options_get_string(o, "normalize"), ==, "nfc");
    g_assert_cmpstr(copydesk_options_get_string(o, "quotes"), ==, "keep");
    g_assert_true(copydesk_options_get_bool(o, "join_lines"));
    g_assert_false(copydesk_options_is_set(o, "normalize"));
  }

  const CopydeskStage *out = pipeline->output;
  g_assert_nonnull(out);
  g_assert_cmpstr(out->name, ==, "jsonl");
  g_assert_cmpstr(out->file, ==, jsonl_file);
  g_assert_cmpint(out->descriptor->kind, ==, COPYDESK_KIND_OUTPUT);
  g_assert_cmpuint(out->line, ==, 15);
  g_assert_cmpuint(out->column, ==, 11);
  o = out->options;
  g_assert_cmpstr(copydesk_options_get_string(o, "offsets"), ==, "bytes");
  assert_strv(copydesk_options_get_strv(o, "include"), (const char *const[]){"sentences", "mentions", NULL});
  g_assert_false(copydesk_options_get_bool(o, "include_text"));
  g_assert_cmpstr(copydesk_options_get_string(o, "nest"), ==, "copydesk");
  const char *const names[] = {"offsets", "include", "include_text", "nest"};
  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    g_assert_true(copydesk_options_is_set(o, names[i]));

  g_free(jsonl_file);
  g_free(clean_file);
  copydesk_pipeline_free(pipeline);
}

/* The architecture brief's pipeline, without the stages not built yet. */
static void
test_good_brief(void)
{
  const char *yaml = "input:\n"
                     "  format: text            # text | jsonl   (CLI: --from)\n"
                     "  text_field: text        # jsonl: which field holds the article\n"
                     "pipeline:\n"
                     "  - plugin: clean\n"
                     "output:\n"
                     "  plugin: jsonl           # CLI: --to FORMAT replaces it\n"
                     "  options: {offsets: codepoints, include: [sentences, mentions, entities, "
                     "quotes]}\n";
  CopydeskPipeline *pipeline = load_good(yaml, NULL);
  g_assert_cmpint(pipeline->input_format, ==, COPYDESK_INPUT_TEXT);
  g_assert_cmpstr(pipeline->text_field, ==, "text");
  g_assert_cmpstr(pipeline->id_field, ==, "id");
  g_assert_cmpuint(pipeline->stages->len, ==, 1);
  g_assert_cmpstr(stage_at(pipeline, 0)->name, ==, "clean");
  g_assert_cmpint(stage_at(pipeline, 0)->on_error, ==, COPYDESK_ON_ERROR_RECORD);
  g_assert_cmpstr(pipeline->output->name, ==, "jsonl");
  const CopydeskOptions *o = pipeline->output->options;
  g_assert_cmpstr(copydesk_options_get_string(o, "offsets"), ==, "codepoints");
  assert_strv(copydesk_options_get_strv(o, "include"),
              (const char *const[]){"sentences", "mentions", "entities", "quotes", NULL});
  g_assert_true(copydesk_options_is_set(o, "offsets"));
  g_assert_false(copydesk_options_is_set(o, "include_text"));
  g_assert_true(copydesk_options_get_bool(o, "include_text"));
  copydesk_pipeline_free(pipeline);
}

/* The brief's pipeline with the sentences stage, once that plugin exists. */
static void
test_good_brief_sentences(void)
{
  if (!have_sentences) {
    g_test_skip("the sentences plugin is not built yet");
    return;
  }
  const char *yaml = "input:\n"
                     "  format: text\n"
                     "  text_field: text\n"
                     "pipeline:\n"
                     "  - plugin: clean\n"
                     "  - plugin: sentences\n"
                     "output:\n"
                     "  plugin: jsonl\n"
                     "  options: {offsets: codepoints, include: [sentences, mentions, entities, "
                     "quotes]}\n";
  CopydeskPipeline *pipeline = load_good(yaml, NULL);
  g_assert_cmpuint(pipeline->stages->len, ==, 2);
  const CopydeskStage *sentences = stage_at(pipeline, 1);
  g_assert_cmpstr(sentences->name, ==, "sentences");
  g_assert_cmpstr(sentences->descriptor->name, ==, "sentences");
  g_assert_cmpint(sentences->descriptor->kind, ==, COPYDESK_KIND_ANNOTATE);
  g_assert_nonnull(sentences->descriptor->provides);
  g_assert_true(g_strv_contains(sentences->descriptor->provides, COPYDESK_LAYER_SENTENCE));
  g_assert_cmpuint(sentences->line, ==, 6);
  g_assert_cmpuint(sentences->column, ==, 13);
  char *file = shipped_file("sentences");
  g_assert_cmpstr(sentences->file, ==, file);
  g_free(file);
  GError *error = NULL;
  CopydeskWorker *worker = copydesk_worker_new(pipeline, &error);
  g_assert_no_error(error);
  g_assert_nonnull(worker);
  CopydeskDocument *doc = copydesk_document_new("d", "One sentence.  Another one.", -1);
  g_assert_true(copydesk_worker_process(worker, doc));
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
  g_assert_nonnull(copydesk_document_layer(doc, COPYDESK_LAYER_SENTENCE));
  copydesk_document_free(doc);
  copydesk_worker_free(worker);
  copydesk_pipeline_free(pipeline);
}

/* Files with nothing, or no stages: the output sees the text as read; jsonl by default. */
static void
test_good_empty(void)
{
  static const char *const yamls[] = {
      "",
      "\n",
      "# only a comment\n",
      "~\n",
      "pipeline:\n",
      "pipeline: ~\n",
      "pipeline: null\n",
      "pipeline: []\n",
      "input:\npipeline:\noutput:\n",
      "input: {}\noutput: {}\n",
      "plugin_path: []\n",
      "plugin_path:\n",   /* not the pipeline file's folder */
      "plugin_path: ~\n",
      "output:\n#  plugin: json\n",
      "output:\n  options:\n",
  };
  for (guint i = 0; i < G_N_ELEMENTS(yamls); i++) {
    g_test_message("pipeline file: '%s'", yamls[i]);
    CopydeskPipeline *pipeline = load_good(yamls[i], NULL);
    g_assert_cmpuint(pipeline->stages->len, ==, 0);
    g_assert_cmpint(pipeline->input_format, ==, COPYDESK_INPUT_TEXT);
    g_assert_cmpstr(pipeline->text_field, ==, "text");
    g_assert_cmpstr(pipeline->id_field, ==, "id");
    g_assert_cmpuint(pipeline->search_path->len, ==, 1);
    const CopydeskStage *out = pipeline->output;
    g_assert_cmpstr(out->name, ==, "jsonl");
    g_assert_cmpuint(out->line, ==, 0);
    g_assert_cmpstr(copydesk_options_get_string(out->options, "offsets"), ==, "codepoints");
    assert_strv(copydesk_options_get_strv(out->options, "include"),
                (const char *const[]){"sentences", "mentions", "entities", "quotes", NULL});
    g_assert_true(copydesk_options_get_bool(out->options, "include_text"));
    g_assert_null(copydesk_options_get_string(out->options, "nest"));
    g_assert_false(copydesk_options_is_set(out->options, "offsets"));
    copydesk_pipeline_free(pipeline);
  }
}

/* --to and --from. */
typedef struct {
  const char *test;
  const char *yaml;
  const char *output_plugin, *input_format;
  const char *want_output;
  CopydeskInputFormat want_input;
  const char *want_offsets; /* the output's `offsets` */
  gboolean offsets_set;
  guint line; /* of the output stage */
} SettingsCase;

static const SettingsCase settings_cases[] = {
    {"to/replaces_and_drops_options",
     "output:\n  plugin: jsonl\n  options: {offsets: bytes, include_text: false}\n", "json", NULL,
     "json", COPYDESK_INPUT_TEXT, "codepoints", FALSE, 0},
    {"to/drops_options_the_new_plugin_lacks", "output:\n  plugin: json\n  options: {pretty: false}\n",
     "jsonl", NULL, "jsonl", COPYDESK_INPUT_TEXT, "codepoints", FALSE, 0},
    {"to/drops_options_bad_for_the_old_plugin",
     "output:\n  plugin: jsonl\n  options: {offsets: chars}\n", "json", NULL, "json",
     COPYDESK_INPUT_TEXT, "codepoints", FALSE, 0},
    {"to/drops_name_and_path", "output:\n  plugin: nosuch\n  path: nowhere/nosuch.so\n", "jsonl",
     NULL, "jsonl", COPYDESK_INPUT_TEXT, "codepoints", FALSE, 0},
    {"to/same_keeps_options", "output:\n  plugin: jsonl\n  options: {offsets: utf16}\n", "jsonl",
     NULL, "jsonl", COPYDESK_INPUT_TEXT, "utf16", TRUE, 2},
    {"to/without_output", "pipeline:\n  - plugin: clean\n", "json", NULL, "json",
     COPYDESK_INPUT_TEXT, "codepoints", FALSE, 0},
    {"to/default_output_options_dropped", "output:\n  options: {offsets: bytes}\n", "json", NULL,
     "json", COPYDESK_INPUT_TEXT, "codepoints", FALSE, 0},
    {"no_to/output_from_file", "output:\n  plugin: json\n  options: {offsets: bytes}\n", NULL, NULL,
     "json", COPYDESK_INPUT_TEXT, "bytes", TRUE, 2},
    {"from/jsonl_over_text", "input:\n  format: text\n", NULL, "jsonl", "jsonl",
     COPYDESK_INPUT_JSONL, "codepoints", FALSE, 0},
    {"from/text_over_jsonl", "input:\n  format: jsonl\n", NULL, "text", "jsonl",
     COPYDESK_INPUT_TEXT, "codepoints", FALSE, 0},
    {"from/jsonl_without_input", "", NULL, "jsonl", "jsonl", COPYDESK_INPUT_JSONL, "codepoints",
     FALSE, 0},
    {"no_from/jsonl_from_file", "input: {format: jsonl}\n", NULL, NULL, "jsonl",
     COPYDESK_INPUT_JSONL, "codepoints", FALSE, 0},
    {"no_from/conll_from_file", "input: {format: conll}\n", NULL, NULL, "jsonl",
     COPYDESK_INPUT_CONLL, "codepoints", FALSE, 0},
    {"from/conll_over_jsonl", "input: {format: jsonl}\n", NULL, "conll", "jsonl",
     COPYDESK_INPUT_CONLL, "codepoints", FALSE, 0},
    {"both", "input: {format: text, text_field: body}\noutput: {plugin: jsonl}\n", "json", "jsonl",
     "json", COPYDESK_INPUT_JSONL, "codepoints", FALSE, 0},
};

static void
test_settings(gconstpointer data)
{
  const SettingsCase *c = data;
  CopydeskPipelineSettings settings = {
      .output_plugin = c->output_plugin, .input_format = c->input_format, .with_installed = FALSE};
  CopydeskPipeline *pipeline = load_good(c->yaml, &settings);
  g_assert_cmpstr(pipeline->output->name, ==, c->want_output);
  g_assert_cmpstr(pipeline->output->descriptor->name, ==, c->want_output);
  char *file = shipped_file(c->want_output);
  g_assert_cmpstr(pipeline->output->file, ==, file);
  g_free(file);
  g_assert_cmpuint(pipeline->output->line, ==, c->line);
  g_assert_cmpint(pipeline->input_format, ==, c->want_input);
  const CopydeskOptions *o = pipeline->output->options;
  g_assert_cmpstr(copydesk_options_get_string(o, "offsets"), ==, c->want_offsets);
  g_assert_cmpint(copydesk_options_is_set(o, "offsets"), ==, c->offsets_set);
  if (!c->offsets_set) {
    /* Nothing of the file's output options survives. */
    g_assert_true(copydesk_options_get_bool(o, "include_text"));
    g_assert_false(copydesk_options_is_set(o, "include_text"));
  }
  if (strcmp(c->want_output, "json") == 0 && !c->offsets_set)
    g_assert_true(copydesk_options_get_bool(o, "pretty"));
  if (strcmp(c->test, "both") == 0)
    g_assert_cmpstr(pipeline->text_field, ==, "body");
  copydesk_pipeline_free(pipeline);
}

/* plugin_path is resolved against the pipeline file's folder and searched first. */
static void
test_plugin_path(void)
{
  CopydeskPipeline *pipeline = load_good("plugin_path: plugins\n"
                                         "pipeline:\n"
                                         "  - plugin: faulty\n"
                                         "    options: {fail_on: X}\n",
                                         NULL);
  g_assert_cmpuint(pipeline->search_path->len, ==, 2);
  g_assert_cmpstr(pipeline->search_path->pdata[0], ==, test_plugins);
  g_assert_cmpstr(pipeline->search_path->pdata[1], ==, env_path);
  const CopydeskStage *stage = stage_at(pipeline, 0);
  g_assert_cmpstr(stage->name, ==, "faulty");
  char *file = g_build_filename(test_plugins, "faulty.so", NULL);
  g_assert_cmpstr(stage->file, ==, file);
  g_assert_cmpint(stage->descriptor->kind, ==, COPYDESK_KIND_ANNOTATE);
  g_assert_cmpstr(copydesk_options_get_string(stage->options, "fail_on"), ==, "X");
  g_assert_true(copydesk_options_is_set(stage->options, "fail_on"));
  /* The shipped output is still found after the test folder. */
  g_assert_cmpstr(pipeline->output->name, ==, "jsonl");
  copydesk_pipeline_free(pipeline);

  /* A list, absolute and relative, in order; and a default option value. */
  pipeline = load_good("plugin_path:\n"
                       "  - /nonexistent/copydesk\n"
                       "  - ./plugins\n"
                       "pipeline:\n"
                       "  - plugin: faulty\n",
                       NULL);
  g_assert_cmpuint(pipeline->search_path->len, ==, 3);
  g_assert_cmpstr(pipeline->search_path->pdata[0], ==, "/nonexistent/copydesk");
  char *dotted = g_build_filename(base_dir, "./plugins", NULL);
  g_assert_cmpstr(pipeline->search_path->pdata[1], ==, dotted);
  g_free(dotted);
  g_assert_cmpstr(pipeline->search_path->pdata[2], ==, env_path);
  stage = stage_at(pipeline, 0);
  g_assert_cmpstr(copydesk_options_get_string(stage->options, "fail_on"), ==, "FAIL");
  g_assert_false(copydesk_options_is_set(stage->options, "fail_on"));
  copydesk_pipeline_free(pipeline);

  /* An explicit path, relative to the file's folder, needs no plugin_path. */
  pipeline = load_good("pipeline:\n  - plugin: faulty\n    path: plugins/faulty.so\n", NULL);
  g_assert_cmpuint(pipeline->search_path->len, ==, 1);
  g_assert_cmpstr(stage_at(pipeline, 0)->file, ==, file);
  copydesk_pipeline_free(pipeline);
  g_free(file);
}

/* copydesk_pipeline_load_file: the base folder is the file's folder. */
static void
test_load_file(void)
{
  GError *error = NULL;
  char *tmp = g_dir_make_tmp("copydesk-pipeline-XXXXXX", &error);
  g_assert_no_error(error);
  char *file = g_build_filename(tmp, "pipe.yaml", NULL);
  char *yaml = g_strdup_printf("plugin_path: %s\n"
                               "pipeline:\n"
                               "  - plugin: failing_create\n"
                               "    options: {model: models/m.cdm}\n",
                               test_plugins);
  g_assert_true(g_file_set_contents(file, yaml, -1, &error));
  g_assert_no_error(error);
  CopydeskPipelineSettings settings = {.with_installed = FALSE};
  CopydeskPipeline *pipeline = copydesk_pipeline_load_file(file, &settings, &error);
  g_assert_no_error(error);
  g_assert_nonnull(pipeline);
  g_assert_cmpstr(pipeline->file, ==, file);
  g_assert_cmpstr(pipeline->base_dir, ==, tmp);
  char *model = g_build_filename(tmp, "models/m.cdm", NULL);
  g_assert_cmpstr(copydesk_options_get_string(stage_at(pipeline, 0)->options, "model"), ==, model);
  /* Its create error names the file and the stage's place in it. */
  g_assert_null(copydesk_worker_new(pipeline, &error));
  char *message = g_strdup_printf("%s:3:13: plugin 'failing_create' could not start: model file "
                                  "%s is missing",
                                  file, model);
  g_assert_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE);
  g_assert_cmpstr(error->message, ==, message);
  g_clear_error(&error);
  g_free(message);
  g_free(model);
  copydesk_pipeline_free(pipeline);

  /* Errors name the file. */
  g_assert_true(g_file_set_contents(file, "pipeline:\n  - plugin: nosuch\n", -1, &error));
  g_assert_no_error(error);
  g_assert_null(copydesk_pipeline_load_file(file, &settings, &error));
  char *prefix = g_strdup_printf("%s:2:13: no plugin named 'nosuch'", file);
  assert_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_NOT_FOUND, prefix, NULL, NULL);
  g_clear_error(&error);
  g_free(prefix);

  g_assert_cmpint(g_remove(file), ==, 0);
  g_assert_null(copydesk_pipeline_load_file(file, &settings, &error));
  g_assert_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_IO);
  g_assert_true(g_str_has_prefix(error->message, file));
  g_clear_error(&error);

  g_assert_cmpint(g_rmdir(tmp), ==, 0);
  g_free(yaml);
  g_free(file);
  g_free(tmp);
}

/* ---- Workers -------------------------------------------------------------- */

/* Makes a worker for YAML, which must load and start. */
static CopydeskWorker *
worker_for(const char *yaml, CopydeskPipeline **pipeline)
{
  *pipeline = load_good(yaml, NULL);
  GError *error = NULL;
  CopydeskWorker *worker = copydesk_worker_new(*pipeline, &error);
  g_assert_no_error(error);
  g_assert_nonnull(worker);
  return worker;
}

/* The spans of layer NAME in DOC (0 when the layer is absent). */
static gsize
n_spans(const CopydeskDocument *doc, const char *name)
{
  CopydeskLayer *layer = copydesk_document_layer(doc, name);
  return layer ? copydesk_layer_n_spans(layer) : 0;
}

/* Runs YAML's stages over a short article; returns its token, paragraph and sentence counts
 * as "T P S" (and asserts that, outside a pipeline, every layer is wanted). */
static char *
layers_built(const char *yaml)
{
  CopydeskPipeline *pipeline;
  CopydeskWorker *worker = worker_for(yaml, &pipeline);
  CopydeskDocument *doc = copydesk_document_new(
      "d", "Talks resume\n\nThe minister said the talks would resume. \"We are close,\" she said.", -1);
  g_assert_true(copydesk_worker_process(worker, doc));
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
  /* outside a pipeline every layer is wanted */
  g_assert_true(copydesk_document_layer_wanted(doc, COPYDESK_LAYER_TOKEN));
  char *got = g_strdup_printf("%zu %zu %zu", n_spans(doc, COPYDESK_LAYER_TOKEN),
                              n_spans(doc, COPYDESK_LAYER_PARAGRAPH), n_spans(doc, COPYDESK_LAYER_SENTENCE));
  copydesk_document_free(doc);
  copydesk_worker_free(worker);
  copydesk_pipeline_free(pipeline);
  return got;
}

/* The sentences stage leaves out the token and paragraph layers when every later stage and
 * the output say (`reads`) that they do not read them, and only then. */
static void
test_worker_layers_read_later(void)
{
  static const struct {
    const char *yaml;
    const char *built;
  } cases[] = {
      /* quotes reads sentences (and entities); jsonl by default writes no tokens */
      {"pipeline:\n  - plugin: sentences\n  - plugin: quotes\noutput: {plugin: jsonl}\n", "0 0 3"},
      {"pipeline:\n  - plugin: sentences\n  - plugin: quotes\n"
       "output: {plugin: jsonl, options: {include: [tokens]}}\n", "19 0 3"},
      {"pipeline:\n  - plugin: sentences\n"
       "output: {plugin: json, options: {include: [paragraphs]}}\n", "0 2 3"},
      /* entities reads tokens */
      {"pipeline:\n  - plugin: sentences\n  - plugin: entities\noutput: {plugin: jsonl}\n", "19 0 3"},
      /* an output that does not say what it reads gets every layer */
      {"pipeline:\n  - plugin: sentences\noutput: {plugin: conll}\n", "19 2 3"},
      /* so does a stage that does not say */
      {"plugin_path: plugins\npipeline:\n  - plugin: sentences\n  - plugin: faulty\n"
       "output: {plugin: jsonl}\n", "19 2 3"},
      /* and the option still turns the token layer off */
      {"pipeline:\n  - plugin: sentences\n    options: {tokens: false}\n"
       "output: {plugin: conll}\n", "0 2 3"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *got = layers_built(cases[i].yaml);
    g_test_message("%s", cases[i].yaml);
    g_assert_cmpstr(got, ==, cases[i].built);
    g_free(got);
  }
}

/* A failing document keeps its error, with the stage's name; others are unaffected. */
static void
test_worker_faulty(void)
{
  CopydeskPipeline *pipeline;
  CopydeskWorker *worker = worker_for("plugin_path: plugins\n"
                                      "pipeline:\n"
                                      "  - plugin: faulty\n"
                                      "output:\n"
                                      "  plugin: jsonl\n"
                                      "  options: {include: []}\n",
                                      &pipeline);

  CopydeskDocument *good = copydesk_document_new("good", "all is well", -1);
  g_assert_true(copydesk_worker_process(worker, good));
  g_assert_cmpuint(copydesk_document_n_errors(good), ==, 0);
  CopydeskLayer *layer = copydesk_document_layer(good, "faulty");
  g_assert_nonnull(layer);
  g_assert_cmpuint(copydesk_layer_n_spans(layer), ==, 1);
  g_assert_cmpuint(copydesk_span_end(copydesk_layer_span(layer, 0)), ==, strlen("all is well"));

  CopydeskDocument *bad = copydesk_document_new("bad", "this will FAIL", -1);
  g_assert_true(copydesk_worker_process(worker, bad)); /* on_error: record by default */
  g_assert_cmpuint(copydesk_document_n_errors(bad), ==, 1);
  g_assert_cmpstr(copydesk_document_error_stage(bad, 0), ==, "faulty");
  g_assert_cmpstr(copydesk_document_error_message(bad, 0), ==, "found 'FAIL', as told to fail");
  g_assert_null(copydesk_document_layer(bad, "faulty"));

  /* The output carries the error with the document. */
  GString *out = g_string_new(NULL);
  GError *error = NULL;
  g_assert_true(copydesk_worker_header(worker, out, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(out->len, ==, 0);
  g_assert_null(copydesk_worker_separator(worker));
  g_assert_true(copydesk_worker_format(worker, good, out, &error));
  g_assert_no_error(error);
  g_assert_true(copydesk_worker_format(worker, bad, out, &error));
  g_assert_no_error(error);
  g_assert_true(copydesk_worker_footer(worker, out, &error));
  g_assert_no_error(error);
  char **lines = g_strsplit(out->str, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 3);
  g_assert_cmpstr(lines[2], ==, "");
  g_assert_nonnull(strstr(lines[0], "\"good\""));
  g_assert_null(strstr(lines[0], "errors"));
  g_assert_nonnull(strstr(lines[1], "\"bad\""));
  g_assert_nonnull(strstr(lines[1], "\"errors\""));
  g_assert_nonnull(strstr(lines[1], "\"faulty\""));
  g_assert_nonnull(strstr(lines[1], "found 'FAIL', as told to fail"));
  g_strfreev(lines);
  g_string_free(out, TRUE);

  copydesk_document_free(good);
  copydesk_document_free(bad);
  copydesk_worker_free(worker);
  copydesk_pipeline_free(pipeline);
}

typedef struct {
  const char *test;
  const char *on_error; /* of the first stage, NULL: not given */
  gboolean returns;     /* what copydesk_worker_process says */
  gboolean later_ran;   /* whether the second stage saw the failing document */
} OnErrorCase;

static const OnErrorCase on_error_cases[] = {
    {"default", NULL, TRUE, FALSE},
    {"record", "record", TRUE, FALSE},
    {"skip", "skip", TRUE, TRUE},
    {"abort", "abort", FALSE, FALSE},
};

static void
test_worker_on_error(gconstpointer data)
{
  const OnErrorCase *c = data;
  char *on_error = c->on_error ? g_strdup_printf("    on_error: %s\n", c->on_error) : g_strdup("");
  char *yaml = g_strdup_printf("plugin_path: plugins\n"
                               "pipeline:\n"
                               "  - plugin: faulty\n"
                               "%s"
                               "  - plugin: faulty\n"
                               "    options: {fail_on: NEVER}\n",
                               on_error);
  CopydeskPipeline *pipeline;
  CopydeskWorker *worker = worker_for(yaml, &pipeline);

  /* A document both stages like: two spans, no error, whatever on_error says. */
  CopydeskDocument *doc = copydesk_document_new("ok", "fine", -1);
  g_assert_true(copydesk_worker_process(worker, doc));
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
  g_assert_cmpuint(copydesk_layer_n_spans(copydesk_document_layer(doc, "faulty")), ==, 2);
  copydesk_document_free(doc);

  /* A document the first stage fails on. */
  doc = copydesk_document_new("bad", "FAIL here", -1);
  g_assert_cmpint(copydesk_worker_process(worker, doc), ==, c->returns);
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 1);
  g_assert_cmpstr(copydesk_document_error_stage(doc, 0), ==, "faulty");
  g_assert_cmpstr(copydesk_document_error_message(doc, 0), ==, "found 'FAIL', as told to fail");
  CopydeskLayer *layer = copydesk_document_layer(doc, "faulty");
  if (c->later_ran) {
    g_assert_nonnull(layer);
    g_assert_cmpuint(copydesk_layer_n_spans(layer), ==, 1);
  } else {
    g_assert_null(layer);
  }
  /* It is still formatted, error and all. */
  GString *out = g_string_new(NULL);
  GError *error = NULL;
  g_assert_true(copydesk_worker_format(worker, doc, out, &error));
  g_assert_no_error(error);
  g_assert_nonnull(strstr(out->str, "found 'FAIL', as told to fail"));
  g_string_free(out, TRUE);
  copydesk_document_free(doc);

  copydesk_worker_free(worker);
  copydesk_pipeline_free(pipeline);
  g_free(yaml);
  g_free(on_error);
}

/* Two stages that both fail with on_error: skip: both errors are kept, in order. */
static void
test_worker_skip_twice(void)
{
  CopydeskPipeline *pipeline;
  CopydeskWorker *worker = worker_for("plugin_path: plugins\n"
                                      "pipeline:\n"
                                      "  - {plugin: faulty, on_error: skip}\n"
                                      "  - {plugin: faulty, on_error: skip, options: {fail_on: x}}\n"
                                      "  - {plugin: faulty, options: {fail_on: nothing}}\n",
                                      &pipeline);
  CopydeskDocument *doc = copydesk_document_new("d", "FAIL x", -1);
  g_assert_true(copydesk_worker_process(worker, doc));
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 2);
  g_assert_cmpstr(copydesk_document_error_message(doc, 0), ==, "found 'FAIL', as told to fail");
  g_assert_cmpstr(copydesk_document_error_message(doc, 1), ==, "found 'x', as told to fail");
  g_assert_cmpuint(copydesk_layer_n_spans(copydesk_document_layer(doc, "faulty")), ==, 1);
  copydesk_document_free(doc);
  copydesk_worker_free(worker);
  copydesk_pipeline_free(pipeline);
}

/* A plugin whose create fails: the worker does not start, the error names the stage. */
static void
test_worker_create_fails(void)
{
  CopydeskPipeline *pipeline = load_good("plugin_path: plugins\n"
                                         "pipeline:\n"
                                         "  - plugin: faulty\n"
                                         "  - plugin: failing_create\n",
                                         NULL);
  GError *error = NULL;
  g_assert_null(copydesk_worker_new(pipeline, &error));
  char *message = expand(FILENAME ":4:13: plugin 'failing_create' could not start: model file "
                         "@BT@/missing.model is missing",
                         NULL);
  g_assert_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE);
  g_assert_cmpstr(error->message, ==, message);
  g_clear_error(&error);
  g_free(message);
  /* Trying again gives the same error (nothing was half-made). */
  g_assert_null(copydesk_worker_new(pipeline, &error));
  g_assert_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE);
  g_clear_error(&error);
  copydesk_pipeline_free(pipeline);

  /* An absolute model path is kept as given. */
  pipeline = load_good("plugin_path: plugins\n"
                       "pipeline:\n"
                       "  - plugin: failing_create\n"
                       "    options:\n"
                       "      model: /models/en-news.cdm\n",
                       NULL);
  g_assert_null(copydesk_worker_new(pipeline, &error));
  g_assert_error(error, COPYDESK_PLUGIN_ERROR, COPYDESK_PLUGIN_ERROR_CREATE);
  g_assert_cmpstr(error->message, ==,
                  FILENAME ":3:13: plugin 'failing_create' could not start: model file "
                           "/models/en-news.cdm is missing");
  g_clear_error(&error);
  copydesk_pipeline_free(pipeline);
}

/* Reentrant plugins (clean, json) share one instance between workers; others get their own.
 * Workers may be freed in any order before the pipeline. */
static void
test_worker_shared(void)
{
  CopydeskPipeline *pipeline = load_good("plugin_path: plugins\n"
                                         "pipeline:\n"
                                         "  - plugin: clean\n"
                                         "  - plugin: faulty\n"
                                         "output:\n"
                                         "  plugin: json\n"
                                         "  options: {pretty: false, include: [clean_text]}\n",
                                         NULL);
  GError *error = NULL;
  CopydeskWorker *a = copydesk_worker_new(pipeline, &error);
  g_assert_no_error(error);
  CopydeskWorker *b = copydesk_worker_new(pipeline, &error);
  g_assert_no_error(error);
  g_assert_true(stage_at(pipeline, 0)->shared_ready);
  g_assert_false(stage_at(pipeline, 1)->shared_ready);
  g_assert_true(pipeline->output->shared_ready);

  GString *out = g_string_new(NULL);
  g_assert_true(copydesk_worker_header(a, out, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(out->str, ==, "[\n");
  g_assert_cmpstr(copydesk_worker_separator(a), ==, ",\n");
  g_assert_cmpstr(copydesk_worker_separator(b), ==, ",\n");
  CopydeskWorker *workers[] = {a, b};
  for (guint i = 0; i < 2; i++) {
    CopydeskDocument *doc = copydesk_document_new("d", "Fish &amp; chips", -1);
    g_assert_true(copydesk_worker_process(workers[i], doc));
    g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
    g_assert_cmpstr(copydesk_document_text(doc, NULL), ==, "Fish & chips");
    if (i)
      g_string_append(out, copydesk_worker_separator(workers[i]));
    g_assert_true(copydesk_worker_format(workers[i], doc, out, &error));
    g_assert_no_error(error);
    copydesk_document_free(doc);
  }
  g_assert_true(copydesk_worker_footer(b, out, &error));
  g_assert_no_error(error);
  g_assert_true(g_str_has_suffix(out->str, "\n]\n"));
  g_assert_nonnull(strstr(out->str, "Fish & chips"));
  g_string_free(out, TRUE);

  copydesk_worker_free(a);
  copydesk_worker_free(b);
  copydesk_pipeline_free(pipeline);

  /* A pipeline freed without ever starting a worker. */
  copydesk_pipeline_free(load_good("pipeline:\n  - plugin: clean\n", NULL));
  copydesk_pipeline_free(NULL);
}

typedef struct {
  CopydeskPipeline *pipeline;
  CopydeskWorker *worker;
  guint failures;
} ThreadJob;

static gpointer
run_worker(gpointer data)
{
  ThreadJob *job = data;
  for (guint i = 0; i < 50; i++) {
    char *text = g_strdup_printf("Document %u%s, with &eacute; and  spaces.", i,
                                 i % 5 == 0 ? " FAIL" : "");
    CopydeskDocument *doc = copydesk_document_new("t", text, -1);
    copydesk_worker_process(job->worker, doc);
    job->failures += copydesk_document_n_errors(doc);
    GString *out = g_string_new(NULL);
    GError *error = NULL;
    g_assert_true(copydesk_worker_format(job->worker, doc, out, &error));
    g_assert_no_error(error);
    g_string_free(out, TRUE);
    copydesk_document_free(doc);
    g_free(text);
  }
  return NULL;
}

/* Workers on their own threads over one pipeline. */
static void
test_worker_threads(void)
{
  CopydeskPipeline *pipeline = load_good("plugin_path: plugins\n"
                                         "pipeline:\n"
                                         "  - plugin: clean\n"
                                         "  - plugin: faulty\n",
                                         NULL);
  ThreadJob jobs[4];
  GThread *threads[4];
  for (guint i = 0; i < 4; i++) {
    GError *error = NULL;
    jobs[i] = (ThreadJob){pipeline, copydesk_worker_new(pipeline, &error), 0};
    g_assert_no_error(error);
  }
  for (guint i = 0; i < 4; i++)
    threads[i] = g_thread_new("worker", run_worker, &jobs[i]);
  for (guint i = 0; i < 4; i++) {
    g_thread_join(threads[i]);
    g_assert_cmpuint(jobs[i].failures, ==, 10);
    copydesk_worker_free(jobs[i].worker);
  }
  copydesk_pipeline_free(pipeline);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  const char *root = g_getenv("COPYDESK_BUILD_ROOT");
  const char *plugin_path = g_getenv("COPYDESK_PLUGIN_PATH");
  g_assert_nonnull(root);
  g_assert_nonnull(plugin_path);
  build_root = g_strdup(root);
  base_dir = g_build_filename(build_root, "tests", NULL);
  test_plugins = g_build_filename(base_dir, "plugins", NULL);
  env_path = g_strdup(plugin_path);
  char *sentences = g_build_filename(build_root, "plugins", "sentences", "sentences.so", NULL);
  have_sentences = g_file_test(sentences, G_FILE_TEST_IS_REGULAR);
  g_free(sentences);

  for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
    char *path = g_strdup_printf("/pipeline/bad/%s", bad_cases[i].test);
    g_test_add_data_func(path, &bad_cases[i], test_bad);
    g_free(path);
  }
  g_test_add_func("/pipeline/bad/path/not_a_shared_object", test_bad_path_not_shared_object);
  g_test_add_func("/pipeline/bad/options/out_of_range", test_bad_out_of_range);
  g_test_add_func("/pipeline/bad/missing_layer", test_bad_missing_layer);
  g_test_add_func("/pipeline/good/full", test_good_full);
  g_test_add_func("/pipeline/good/brief", test_good_brief);
  g_test_add_func("/pipeline/good/brief_with_sentences", test_good_brief_sentences);
  g_test_add_func("/pipeline/good/empty", test_good_empty);
  for (guint i = 0; i < G_N_ELEMENTS(settings_cases); i++) {
    char *path = g_strdup_printf("/pipeline/settings/%s", settings_cases[i].test);
    g_test_add_data_func(path, &settings_cases[i], test_settings);
    g_free(path);
  }
  g_test_add_func("/pipeline/good/plugin_path", test_plugin_path);
  g_test_add_func("/pipeline/good/load_file", test_load_file);
  g_test_add_func("/pipeline/worker/faulty", test_worker_faulty);
  g_test_add_func("/pipeline/worker/layers_read_later", test_worker_layers_read_later);
  for (guint i = 0; i < G_N_ELEMENTS(on_error_cases); i++) {
    char *path = g_strdup_printf("/pipeline/worker/on_error/%s", on_error_cases[i].test);
    g_test_add_data_func(path, &on_error_cases[i], test_worker_on_error);
    g_free(path);
  }
  g_test_add_func("/pipeline/worker/skip_twice", test_worker_skip_twice);
  g_test_add_func("/pipeline/worker/create_fails", test_worker_create_fails);
  g_test_add_func("/pipeline/worker/shared", test_worker_shared);
  g_test_add_func("/pipeline/worker/threads", test_worker_threads);

  int status = g_test_run();
  g_free(env_path);
  g_free(test_plugins);
  g_free(base_dir);
  g_free(build_root);
  return status;
}
