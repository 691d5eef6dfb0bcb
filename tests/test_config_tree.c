/* copydesk — tests of the YAML config tree reader (core/config_tree.c). */
#define _POSIX_C_SOURCE 200809L /* ftruncate() under -std=c17 */

#include "config_tree.h"

#include <copydesk/errors.h>

#include <string.h>

#include <glib/gstdio.h>
#ifdef G_OS_UNIX
#include <fcntl.h>
#include <unistd.h>
#endif

#define FILENAME "test.yaml"

/* Parses the NUL-terminated YAML text with the file name "test.yaml". */
static CopydeskConfigNode *parse_text(const char *yaml, GError **error)
{
  return copydesk_config_parse(FILENAME, yaml, strlen(yaml), error);
}

/* Asserts that NODE is a scalar VALUE at LINE:COLUMN, QUOTED or not. */
static void assert_scalar(const CopydeskConfigNode *node, const char *value, gboolean quoted, guint line,
                          guint column)
{
  g_assert_nonnull(node);
  g_assert_cmpint(node->type, ==, COPYDESK_NODE_SCALAR);
  g_assert_cmpstr(node->value, ==, value);
  g_assert_cmpint(node->quoted, ==, quoted);
  g_assert_cmpuint(node->line, ==, line);
  g_assert_cmpuint(node->column, ==, column);
  g_assert_null(node->keys);
  g_assert_null(node->items);
}

/* Asserts that NODE is of TYPE at LINE:COLUMN with COUNT entries. */
static void assert_collection(const CopydeskConfigNode *node, CopydeskNodeType type, guint count, guint line,
                              guint column)
{
  g_assert_nonnull(node);
  g_assert_cmpint(node->type, ==, type);
  g_assert_null(node->value);
  g_assert_cmpuint(node->line, ==, line);
  g_assert_cmpuint(node->column, ==, column);
  g_assert_nonnull(node->items);
  g_assert_cmpuint(node->items->len, ==, count);
  if (type == COPYDESK_NODE_MAPPING) {
    g_assert_nonnull(node->keys);
    g_assert_cmpuint(node->keys->len, ==, count);
  } else {
    g_assert_null(node->keys);
  }
}

/* Key number I of mapping NODE. */
static const CopydeskConfigNode *key_at(const CopydeskConfigNode *node, guint i)
{
  g_assert_nonnull(node->keys);
  g_assert_cmpuint(i, <, node->keys->len);
  return node->keys->pdata[i];
}

/* Item (or value) number I of NODE. */
static const CopydeskConfigNode *item_at(const CopydeskConfigNode *node, guint i)
{
  g_assert_nonnull(node->items);
  g_assert_cmpuint(i, <, node->items->len);
  return node->items->pdata[i];
}

/* Asserts that parsing DATA fails with CODE and a message beginning with PREFIX. */
static void assert_parse_fails(const char *data, gsize len, CopydeskConfigError code, const char *prefix)
{
  GError *error = NULL;
  CopydeskConfigNode *node = copydesk_config_parse(FILENAME, data, len, &error);
  if (node != NULL)
    g_test_message("parsed fine, expected: %s", prefix);
  g_assert_null(node);
  g_assert_error(error, COPYDESK_CONFIG_ERROR, (gint)code);
  if (!g_str_has_prefix(error->message, prefix))
    g_test_message("message: %s", error->message);
  g_assert_true(g_str_has_prefix(error->message, prefix));
  g_error_free(error);
}

/* Asserts that A and B hold the same data: types, text, quoting, keys and items, in order
 * (positions are not compared).  Recursive, for the small trees of these tests. */
static void assert_same_tree(const CopydeskConfigNode *a, const CopydeskConfigNode *b)
{
  g_assert_nonnull(a);
  g_assert_nonnull(b);
  g_assert_true(a != b);
  g_assert_cmpint(a->type, ==, b->type);
  g_assert_cmpstr(a->value, ==, b->value);
  g_assert_cmpint(a->quoted, ==, b->quoted);
  g_assert_cmpint(a->keys == NULL, ==, b->keys == NULL);
  g_assert_cmpint(a->items == NULL, ==, b->items == NULL);
  if (a->keys != NULL) {
    g_assert_cmpuint(a->keys->len, ==, b->keys->len);
    for (guint i = 0; i < a->keys->len; i++)
      assert_same_tree(a->keys->pdata[i], b->keys->pdata[i]);
  }
  if (a->items != NULL) {
    g_assert_cmpuint(a->items->len, ==, b->items->len);
    for (guint i = 0; i < a->items->len; i++)
      assert_same_tree(a->items->pdata[i], b->items->pdata[i]);
  }
}

/* A good, nested pipeline file: the tree's shape, text and every position. */
static void test_nested(void)
{
  const char *yaml = "input:\n"                                                      /* 1 */
                     "  format: text\n"                                              /* 2 */
                     "  text_field: \"text\"\n"                                      /* 3 */
                     "pipeline:\n"                                                   /* 4 */
                     "  - plugin: clean\n"                                           /* 5 */
                     "  - plugin: entities\n"                                        /* 6 */
                     "    options: {model: models/en.cdm, include: [a, 'b']}\n"    /* 7 */
                     "# a comment\n"                                                 /* 8 */
                     "output:\n"                                                     /* 9 */
                     "  plugin: jsonl\n";                                            /* 10 */
  GError *error = NULL;
  CopydeskConfigNode *root = parse_text(yaml, &error);
  g_assert_no_error(error);
  assert_collection(root, COPYDESK_NODE_MAPPING, 3, 1, 1);
  assert_scalar(key_at(root, 0), "input", FALSE, 1, 1);
  assert_scalar(key_at(root, 1), "pipeline", FALSE, 4, 1);
  assert_scalar(key_at(root, 2), "output", FALSE, 9, 1);

  const CopydeskConfigNode *input = item_at(root, 0);
  assert_collection(input, COPYDESK_NODE_MAPPING, 2, 2, 3);
  assert_scalar(key_at(input, 0), "format", FALSE, 2, 3);
  assert_scalar(item_at(input, 0), "text", FALSE, 2, 11);
  assert_scalar(key_at(input, 1), "text_field", FALSE, 3, 3);
  assert_scalar(item_at(input, 1), "text", TRUE, 3, 15);

  const CopydeskConfigNode *pipeline = item_at(root, 1);
  assert_collection(pipeline, COPYDESK_NODE_SEQUENCE, 2, 5, 3);
  const CopydeskConfigNode *first = item_at(pipeline, 0);
  assert_collection(first, COPYDESK_NODE_MAPPING, 1, 5, 5);
  assert_scalar(key_at(first, 0), "plugin", FALSE, 5, 5);
  assert_scalar(item_at(first, 0), "clean", FALSE, 5, 13);
  const CopydeskConfigNode *second = item_at(pipeline, 1);
  assert_collection(second, COPYDESK_NODE_MAPPING, 2, 6, 5);
  assert_scalar(item_at(second, 0), "entities", FALSE, 6, 13);
  assert_scalar(key_at(second, 1), "options", FALSE, 7, 5);
  const CopydeskConfigNode *options = item_at(second, 1);
  assert_collection(options, COPYDESK_NODE_MAPPING, 2, 7, 14);
  assert_scalar(key_at(options, 0), "model", FALSE, 7, 15);
  assert_scalar(item_at(options, 0), "models/en.cdm", FALSE, 7, 22);
  assert_scalar(key_at(options, 1), "include", FALSE, 7, 37);
  const CopydeskConfigNode *include = item_at(options, 1);
  assert_collection(include, COPYDESK_NODE_SEQUENCE, 2, 7, 46);
  assert_scalar(item_at(include, 0), "a", FALSE, 7, 47);
  assert_scalar(item_at(include, 1), "b", TRUE, 7, 50);

  const CopydeskConfigNode *output = item_at(root, 2);
  assert_collection(output, COPYDESK_NODE_MAPPING, 1, 10, 3);
  assert_scalar(item_at(output, 0), "jsonl", FALSE, 10, 11);

  /* lookup and describe */
  g_assert_true(copydesk_config_lookup(root, "pipeline") == pipeline);
  g_assert_true(copydesk_config_lookup(options, "include") == include);
  g_assert_null(copydesk_config_lookup(root, "nope"));
  g_assert_null(copydesk_config_lookup(pipeline, "plugin"));
  g_assert_null(copydesk_config_lookup(NULL, "plugin"));
  g_assert_cmpstr(copydesk_config_node_describe(root), ==, "a mapping");
  g_assert_cmpstr(copydesk_config_node_describe(pipeline), ==, "a list");
  g_assert_cmpstr(copydesk_config_node_describe(item_at(output, 0)), ==, "a string");
  copydesk_config_node_free(root);
}

/* Plain scalars are not quoted; single, double, literal and folded ones are. */
static void test_quoted(void)
{
  const char *yaml = "plain: yes\n"
                     "single: 'yes'\n"
                     "double: \"1.5\"\n"
                     "literal: |\n"
                     "  two\n"
                     "  lines\n"
                     "folded: >\n"
                     "  one\n"
                     "  line\n"
                     "'quoted key': ~\n"
                     "empty:\n"
                     "escaped: \"caf\\u00e9\\t\"\n";
  GError *error = NULL;
  CopydeskConfigNode *root = parse_text(yaml, &error);
  g_assert_no_error(error);
  assert_collection(root, COPYDESK_NODE_MAPPING, 8, 1, 1);
  assert_scalar(item_at(root, 0), "yes", FALSE, 1, 8);
  assert_scalar(item_at(root, 1), "yes", TRUE, 2, 9);
  assert_scalar(item_at(root, 2), "1.5", TRUE, 3, 9);
  assert_scalar(item_at(root, 3), "two\nlines\n", TRUE, 4, 10);
  assert_scalar(item_at(root, 4), "one line\n", TRUE, 7, 9);
  assert_scalar(key_at(root, 5), "quoted key", TRUE, 10, 1);
  assert_scalar(item_at(root, 5), "~", FALSE, 10, 15);
  assert_scalar(item_at(root, 6), "", FALSE, 11, 7);
  assert_scalar(item_at(root, 7), "caf\xc3\xa9\t", TRUE, 12, 10);
  copydesk_config_node_free(root);
}

/* Streams with no content, or only a null, give an empty mapping. */
static void test_empty(void)
{
  const char *cases[] = {"", "\n", "   \n\n", "# only a comment\n", "---\n", "---\n...\n", "~\n", "null",
                         "--- null\n", "\xef\xbb\xbf"};
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    GError *error = NULL;
    CopydeskConfigNode *root = parse_text(cases[i], &error);
    g_assert_no_error(error);
    g_assert_nonnull(root);
    g_assert_cmpint(root->type, ==, COPYDESK_NODE_MAPPING);
    g_assert_cmpuint(root->keys->len, ==, 0);
    g_assert_cmpuint(root->items->len, ==, 0);
    g_assert_cmpuint(root->line, >=, 1);
    g_assert_cmpuint(root->column, >=, 1);
    copydesk_config_node_free(root);
  }
  /* NULL data with no length is an empty stream too */
  GError *error = NULL;
  CopydeskConfigNode *root = copydesk_config_parse(FILENAME, NULL, 0, &error);
  g_assert_no_error(error);
  assert_collection(root, COPYDESK_NODE_MAPPING, 0, 1, 1);
  copydesk_config_node_free(root);

  /* a quoted empty string or another scalar is a document of its own */
  root = parse_text("''", &error);
  g_assert_no_error(error);
  assert_scalar(root, "", TRUE, 1, 1);
  copydesk_config_node_free(root);
  root = parse_text("- a\n", &error);
  g_assert_no_error(error);
  assert_collection(root, COPYDESK_NODE_SEQUENCE, 1, 1, 1);
  copydesk_config_node_free(root);
}

/* One malformed input and what it must give. */
typedef struct {
  const char *name;
  const char *data;
  gssize len; /* -1: NUL-terminated */
  CopydeskConfigError code;
  const char *message; /* the exact message, or its beginning when PREFIX_ONLY */
  gboolean prefix_only;
} ErrorCase;

static const ErrorCase error_cases[] = {
  /* libyaml's own words: only the position is ours */
  {"syntax/open_flow", "x:\n  - [", -1, COPYDESK_CONFIG_ERROR_SYNTAX, "test.yaml:3:1: ", TRUE},
  {"syntax/open_flow_newline", "x:\n  - [\n", -1, COPYDESK_CONFIG_ERROR_SYNTAX, "test.yaml:3:1: ", TRUE},
  {"syntax/unclosed_quote", "a: \"abc\nb: 1\n", -1, COPYDESK_CONFIG_ERROR_SYNTAX, "test.yaml:3:1: ", TRUE},
  {"syntax/nested_value", "a: b: c\n", -1, COPYDESK_CONFIG_ERROR_SYNTAX,
   "test.yaml:1:5: mapping values are not allowed in this context", FALSE},
  {"syntax/bad_indent", "a:\n  b: 1\n c: 2\n", -1, COPYDESK_CONFIG_ERROR_SYNTAX, "test.yaml:3:2: ", TRUE},
  {"syntax/control_char", "a: \x07\n", -1, COPYDESK_CONFIG_ERROR_SYNTAX,
   "test.yaml:1:4: control characters are not allowed", TRUE},
  {"syntax/control_char_after_bom", "\xef\xbb\xbf" "a: 1\nb: x\x01\n", -1, COPYDESK_CONFIG_ERROR_SYNTAX,
   "test.yaml:2:5: control characters are not allowed", TRUE},
  {"syntax/two_documents", "a: 1\n---\nb: 2\n", -1, COPYDESK_CONFIG_ERROR_SYNTAX, "test.yaml:2:1: ", TRUE},
  {"syntax/two_documents_empty", "---\na: 1\n...\n---\n", -1, COPYDESK_CONFIG_ERROR_SYNTAX,
   "test.yaml:4:1: ", TRUE},
  {"duplicate/top", "input: {}\npipeline: []\nplugin: x\n\nplugin: y\n", -1,
   COPYDESK_CONFIG_ERROR_DUPLICATE_KEY, "test.yaml:5:1: duplicate key 'plugin' (first at line 3)", FALSE},
  {"duplicate/nested", "pipeline:\n  - plugin: a\n    options: {}\n    plugin: b\n", -1,
   COPYDESK_CONFIG_ERROR_DUPLICATE_KEY, "test.yaml:4:5: duplicate key 'plugin' (first at line 2)", FALSE},
  {"duplicate/flow", "x: {a: 1, b: 2, a: 3}\n", -1, COPYDESK_CONFIG_ERROR_DUPLICATE_KEY,
   "test.yaml:1:17: duplicate key 'a' (first at line 1)", FALSE},
  {"duplicate/quoted_same_text", "a: 1\n'a': 2\n", -1, COPYDESK_CONFIG_ERROR_DUPLICATE_KEY,
   "test.yaml:2:1: duplicate key 'a' (first at line 1)", FALSE},
  {"duplicate/alias_key", "&k a: 1\n*k : 2\n", -1, COPYDESK_CONFIG_ERROR_DUPLICATE_KEY,
   "test.yaml:2:1: duplicate key 'a' (first at line 1)", FALSE},
  {"duplicate/escaped_in_message", "\"a\\nb\": 1\n\"a\\nb\": 2\n", -1, COPYDESK_CONFIG_ERROR_DUPLICATE_KEY,
   "test.yaml:2:1: duplicate key 'a\\x0Ab' (first at line 1)", FALSE},
  {"wrong_type/list_key", "? [a, b]\n: c\n", -1, COPYDESK_CONFIG_ERROR_WRONG_TYPE,
   "test.yaml:1:3: a mapping key must be a string, not a list", FALSE},
  {"wrong_type/mapping_key", "x:\n  {a: 1}: 2\n", -1, COPYDESK_CONFIG_ERROR_WRONG_TYPE,
   "test.yaml:2:3: a mapping key must be a string, not a mapping", FALSE},
  {"wrong_type/alias_key", "a: &m {b: 1}\n*m : 2\n", -1, COPYDESK_CONFIG_ERROR_WRONG_TYPE,
   "test.yaml:2:1: a mapping key must be a string, not a mapping", FALSE},
  {"alias/unknown", "a: 1\nb: *nope\n", -1, COPYDESK_CONFIG_ERROR_ALIAS,
   "test.yaml:2:4: alias '*nope' names no anchor defined before it", FALSE},
  {"alias/before_anchor", "a: *x\nb: &x 1\n", -1, COPYDESK_CONFIG_ERROR_ALIAS,
   "test.yaml:1:4: alias '*x' names no anchor defined before it", FALSE},
  {"alias/recursive", "a: &x [1, *x]\n", -1, COPYDESK_CONFIG_ERROR_ALIAS,
   "test.yaml:1:11: alias '*x' names no anchor defined before it", FALSE},
  {"alias/columns_count_characters", "caf\xc3\xa9: \xe2\x80\x9cx\xe2\x80\x9d\nn\xc3\xa4me: *nope\n", -1,
   COPYDESK_CONFIG_ERROR_ALIAS, "test.yaml:2:7: alias '*nope' names no anchor defined before it", FALSE},
  {"alias/after_bom", "\xef\xbb\xbf" "a: *nope\n", -1, COPYDESK_CONFIG_ERROR_ALIAS,
   "test.yaml:1:4: alias '*nope' names no anchor defined before it", FALSE},
  {"utf8/bad_byte", "a: ok\nb: caf\xc3\xa9 \xff\n", -1, COPYDESK_CONFIG_ERROR_NOT_UTF8,
   "test.yaml:2:9: byte 0xFF is not valid UTF-8", FALSE},
  {"utf8/crlf", "a: 1\r\nb: \xfe\r\n", -1, COPYDESK_CONFIG_ERROR_NOT_UTF8,
   "test.yaml:2:4: byte 0xFE is not valid UTF-8", FALSE},
  {"utf8/truncated_at_end", "a: \xe2\x82", -1, COPYDESK_CONFIG_ERROR_NOT_UTF8,
   "test.yaml:1:4: byte 0xE2 is not valid UTF-8", FALSE},
  {"utf8/overlong", "\n\n  x: \xc0\xaf\n", -1, COPYDESK_CONFIG_ERROR_NOT_UTF8,
   "test.yaml:3:6: byte 0xC0 is not valid UTF-8", FALSE},
  {"utf8/latin1", "name: Jos\xe9\n", -1, COPYDESK_CONFIG_ERROR_NOT_UTF8,
   "test.yaml:1:10: byte 0xE9 is not valid UTF-8", FALSE},
  {"utf8/utf16_bom", "\xff\xfe" "a\0:\0", 6, COPYDESK_CONFIG_ERROR_NOT_UTF8,
   "test.yaml:1:1: byte 0xFF is not valid UTF-8", FALSE},
  {"utf8/nul", "a: 1\nb: x\0y\n", 12, COPYDESK_CONFIG_ERROR_NOT_UTF8,
   "test.yaml:2:5: a NUL byte; a pipeline file is UTF-8 text", FALSE},
  {"bad_value/nul_escape", "a: \"x\\0y\"\n", -1, COPYDESK_CONFIG_ERROR_BAD_VALUE,
   "test.yaml:1:4: a string may not hold a NUL character", FALSE},
};

/* Runs one row of error_cases. */
static void test_error_case(gconstpointer data)
{
  const ErrorCase *c = data;
  gsize len = c->len < 0 ? strlen(c->data) : (gsize)c->len;
  GError *error = NULL;
  CopydeskConfigNode *node = copydesk_config_parse(FILENAME, c->data, len, &error);
  g_assert_null(node);
  g_assert_error(error, COPYDESK_CONFIG_ERROR, (gint)c->code);
  g_test_message("%s", error->message);
  if (c->prefix_only)
    g_assert_true(g_str_has_prefix(error->message, c->message));
  else
    g_assert_cmpstr(error->message, ==, c->message);
  /* every message names a position, and is one line */
  g_assert_null(strchr(error->message, '\n'));
  g_error_free(error);
}

/* Aliases that stay small expand into faithful, independent copies. */
static void test_alias_small(void)
{
  const char *yaml = "defaults: &d\n"                                  /* 1 */
                     "  offsets: codepoints\n"                         /* 2 */
                     "  include: [sentences, 'quotes']\n"              /* 3 */
                     "  nested: {a: [1, 2, {b: \"c\"}], e: ''}\n"       /* 4 */
                     "  block: |\n"                                    /* 5 */
                     "    text\n"                                      /* 6 */
                     "name: &n stage\n"                                /* 7 */
                     "first: *d\n"                                     /* 8 */
                     "again:\n"                                        /* 9 */
                     "  - *d\n"                                        /* 10 */
                     "  - *n\n"                                        /* 11 */
                     "  - &n redefined\n"                              /* 12 */
                     "  - *n\n";                                       /* 13 */
  GError *error = NULL;
  CopydeskConfigNode *root = parse_text(yaml, &error);
  g_assert_no_error(error);
  assert_collection(root, COPYDESK_NODE_MAPPING, 4, 1, 1);
  const CopydeskConfigNode *defaults = copydesk_config_lookup(root, "defaults");
  /* a node's position is its event's start: here the anchor that opens it */
  assert_collection(defaults, COPYDESK_NODE_MAPPING, 4, 1, 11);

  const CopydeskConfigNode *first = copydesk_config_lookup(root, "first");
  assert_same_tree(defaults, first);
  /* the copy's top node is where the alias is; the nodes below keep their own places */
  g_assert_cmpuint(first->line, ==, 8);
  g_assert_cmpuint(first->column, ==, 8);
  assert_scalar(key_at(first, 0), "offsets", FALSE, 2, 3);
  assert_scalar(item_at(item_at(first, 1), 1), "quotes", TRUE, 3, 24);

  const CopydeskConfigNode *again = copydesk_config_lookup(root, "again");
  assert_collection(again, COPYDESK_NODE_SEQUENCE, 4, 10, 3);
  assert_same_tree(defaults, item_at(again, 0));
  assert_collection(item_at(again, 0), COPYDESK_NODE_MAPPING, 4, 10, 5);
  assert_scalar(item_at(again, 1), "stage", FALSE, 11, 5);
  assert_scalar(item_at(again, 2), "redefined", FALSE, 12, 5);
  assert_scalar(item_at(again, 3), "redefined", FALSE, 13, 5);
  copydesk_config_node_free(root);
}

/* Builds the classic billion-laughs file: LEVELS anchored lists of WIDTH aliases each. */
static char *make_alias_bomb(guint levels, guint width)
{
  GString *out = g_string_new("l0: &l0 [");
  for (guint j = 0; j < width; j++)
    g_string_append_printf(out, "%s\"lol\"", j > 0 ? ", " : "");
  g_string_append(out, "]\n");
  for (guint i = 1; i < levels; i++) {
    g_string_append_printf(out, "l%u: &l%u [", i, i);
    for (guint j = 0; j < width; j++)
      g_string_append_printf(out, "%s*l%u", j > 0 ? ", " : "", i - 1);
    g_string_append(out, "]\n");
  }
  return g_string_free(out, FALSE);
}

/* A billion-laughs bomb is refused early, fast, at the alias that would pass the bound. */
static void test_alias_bomb(void)
{
  char *bomb = make_alias_bomb(9, 10);
  g_test_timer_start();
  /* nodes: root 1, then key + list: l0 1+11, l1 1+111, l2 1+1111, l3 1+1, then 1111 per
   * "*l2": 7 fit (9016), the 8th would pass 10000.  "l3: &l3 [" is 9 wide, "*l2, " 5. */
  assert_parse_fails(bomb, strlen(bomb), COPYDESK_CONFIG_ERROR_TOO_LARGE,
                     "test.yaml:4:45: more than 10000 nodes (aliases expanded); the limit is 10000");
  g_assert_cmpfloat(g_test_timer_elapsed(), <, 1.0);
  g_free(bomb);

  /* a wide bomb of mappings, refused just the same */
  char *wide = make_alias_bomb(30, 2);
  assert_parse_fails(wide, strlen(wide), COPYDESK_CONFIG_ERROR_TOO_LARGE, "test.yaml:");
  g_free(wide);
}

/* An alias may not copy a deep structure deeper than the bound. */
static void test_alias_depth(void)
{
  /* an anchored list nested 20 deep (fine), then used 20 deep (40 > 32) */
  GString *yaml = g_string_new("a: &deep ");
  for (guint i = 0; i < 20; i++)
    g_string_append_c(yaml, '[');
  for (guint i = 0; i < 20; i++)
    g_string_append_c(yaml, ']');
  g_string_append(yaml, "\nb: ");
  for (guint i = 0; i < 19; i++)
    g_string_append_c(yaml, '[');
  g_string_append(yaml, "*deep");
  for (guint i = 0; i < 19; i++)
    g_string_append_c(yaml, ']');
  g_string_append_c(yaml, '\n');
  assert_parse_fails(yaml->str, yaml->len, COPYDESK_CONFIG_ERROR_TOO_DEEP,
                     "test.yaml:2:23: alias '*deep' nests deeper than 32 levels here");

  /* the same alias 12 deep ends at exactly 32 levels: fine */
  g_string_assign(yaml, "a: &deep ");
  for (guint i = 0; i < 20; i++)
    g_string_append_c(yaml, '[');
  for (guint i = 0; i < 20; i++)
    g_string_append_c(yaml, ']');
  g_string_append(yaml, "\nb: ");
  for (guint i = 0; i < 11; i++)
    g_string_append_c(yaml, '[');
  g_string_append(yaml, "*deep");
  for (guint i = 0; i < 11; i++)
    g_string_append_c(yaml, ']');
  GError *error = NULL;
  CopydeskConfigNode *root = copydesk_config_parse(FILENAME, yaml->str, yaml->len, &error);
  g_assert_no_error(error);
  copydesk_config_node_free(root);
  g_string_free(yaml, TRUE);
}

/* Nesting exactly at the bound is fine; one more level is refused where it opens. */
static void test_depth_bound(void)
{
  GString *yaml = g_string_new(NULL);
  for (guint i = 0; i < COPYDESK_CONFIG_MAX_DEPTH; i++)
    g_string_append_c(yaml, '[');
  for (guint i = 0; i < COPYDESK_CONFIG_MAX_DEPTH; i++)
    g_string_append_c(yaml, ']');
  GError *error = NULL;
  CopydeskConfigNode *root = copydesk_config_parse(FILENAME, yaml->str, yaml->len, &error);
  g_assert_no_error(error);
  copydesk_config_node_free(root);

  g_string_prepend_c(yaml, '[');
  g_string_append_c(yaml, ']');
  assert_parse_fails(yaml->str, yaml->len, COPYDESK_CONFIG_ERROR_TOO_DEEP,
                     "test.yaml:1:33: nesting deeper than 32 levels");
  g_string_free(yaml, TRUE);
}

/* 10,000 nested flow lists and flow mappings are refused at level 33. */
static void test_deep_flow(void)
{
  GString *yaml = g_string_new(NULL);
  for (guint i = 0; i < 10000; i++)
    g_string_append_c(yaml, '[');
  for (guint i = 0; i < 10000; i++)
    g_string_append_c(yaml, ']');
  assert_parse_fails(yaml->str, yaml->len, COPYDESK_CONFIG_ERROR_TOO_DEEP,
                     "test.yaml:1:33: nesting deeper than 32 levels");
  /* unclosed, too: the depth is seen before the end */
  g_string_truncate(yaml, 10000);
  assert_parse_fails(yaml->str, yaml->len, COPYDESK_CONFIG_ERROR_TOO_DEEP, "test.yaml:1:33: ");

  g_string_truncate(yaml, 0);
  for (guint i = 0; i < 10000; i++)
    g_string_append(yaml, "{a: ");
  assert_parse_fails(yaml->str, yaml->len, COPYDESK_CONFIG_ERROR_TOO_DEEP,
                     "test.yaml:1:129: nesting deeper than 32 levels");
  g_string_free(yaml, TRUE);
}

/* Deep block collections: 10,000 compact block lists ("- - - …"), and block mappings
 * indented one more space per level. */
static void test_deep_block(void)
{
  GString *yaml = g_string_new(NULL);
  for (guint i = 0; i < 10000; i++)
    g_string_append(yaml, "- ");
  g_string_append(yaml, "x\n");
  assert_parse_fails(yaml->str, yaml->len, COPYDESK_CONFIG_ERROR_TOO_DEEP,
                     "test.yaml:1:65: nesting deeper than 32 levels");

  /* 1,000 levels of "k:" with growing indentation (about 500 KB, under the size bound);
   * mapping n starts at line n, column n. */
  g_string_truncate(yaml, 0);
  for (guint i = 0; i < 1000; i++) {
    for (guint j = 0; j < i; j++)
      g_string_append_c(yaml, ' ');
    g_string_append(yaml, "k:\n");
  }
  g_assert_cmpuint(yaml->len, <=, COPYDESK_CONFIG_MAX_BYTES);
  assert_parse_fails(yaml->str, yaml->len, COPYDESK_CONFIG_ERROR_TOO_DEEP,
                     "test.yaml:33:33: nesting deeper than 32 levels");

  /* 10,000 such levels take 50 MB: refused for its size before any parsing */
  char *spaces = g_malloc(10000);
  memset(spaces, ' ', 10000);
  g_string_truncate(yaml, 0);
  for (guint i = 0; i < 10000; i++) {
    g_string_append_len(yaml, spaces, i);
    g_string_append(yaml, "k:\n");
  }
  g_free(spaces);
  char *expected = g_strdup_printf("test.yaml: pipeline file is %" G_GSIZE_FORMAT " bytes; the limit is 1048576",
                                   yaml->len);
  GError *error = NULL;
  g_assert_null(copydesk_config_parse(FILENAME, yaml->str, yaml->len, &error));
  g_assert_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_TOO_LARGE);
  g_assert_cmpstr(error->message, ==, expected);
  g_error_free(error);
  g_free(expected);
  g_string_free(yaml, TRUE);
}

/* COPYDESK_CONFIG_MAX_NODES nodes are fine; one more is refused at that node. */
static void test_node_bound(void)
{
  GString *yaml = g_string_new(NULL);
  for (guint i = 0; i < COPYDESK_CONFIG_MAX_NODES - 1; i++) /* the list itself is a node */
    g_string_append(yaml, "- x\n");
  GError *error = NULL;
  CopydeskConfigNode *root = copydesk_config_parse(FILENAME, yaml->str, yaml->len, &error);
  g_assert_no_error(error);
  assert_collection(root, COPYDESK_NODE_SEQUENCE, COPYDESK_CONFIG_MAX_NODES - 1, 1, 1);
  copydesk_config_node_free(root);

  g_string_append(yaml, "- x\n");
  assert_parse_fails(yaml->str, yaml->len, COPYDESK_CONFIG_ERROR_TOO_LARGE,
                     "test.yaml:10000:3: more than 10000 nodes (aliases expanded); the limit is 10000");
  g_string_free(yaml, TRUE);
}

/* Data at the byte bound is accepted; one byte more is not. */
static void test_byte_bound(void)
{
  gsize len = COPYDESK_CONFIG_MAX_BYTES;
  char *data = g_malloc(len + 1);
  memset(data, '\n', len + 1);
  memcpy(data, "a: 1", 4);
  GError *error = NULL;
  CopydeskConfigNode *root = copydesk_config_parse(FILENAME, data, len, &error);
  g_assert_no_error(error);
  assert_collection(root, COPYDESK_NODE_MAPPING, 1, 1, 1);
  copydesk_config_node_free(root);
  g_assert_null(copydesk_config_parse(FILENAME, data, len + 1, &error));
  g_assert_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_TOO_LARGE);
  g_assert_cmpstr(error->message, ==, "test.yaml: pipeline file is 1048577 bytes; the limit is 1048576");
  g_error_free(error);
  g_free(data);
}

/* Reading files: a good one, one over the bound, a huge sparse one, a missing one, a folder. */
static void test_files(void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp("copydesk-config-XXXXXX", &error);
  g_assert_no_error(error);

  char *good = g_build_filename(dir, "good.yaml", NULL);
  g_assert_true(g_file_set_contents(good, "pipeline:\n  - plugin: clean\n  - plugin: clean\n", -1, &error));
  CopydeskConfigNode *root = copydesk_config_parse_file(good, &error);
  g_assert_no_error(error);
  assert_collection(copydesk_config_lookup(root, "pipeline"), COPYDESK_NODE_SEQUENCE, 2, 2, 3);
  copydesk_config_node_free(root);

  /* errors inside a file name the path */
  char *bad = g_build_filename(dir, "bad.yaml", NULL);
  g_assert_true(g_file_set_contents(bad, "a: 1\na: 2\n", -1, &error));
  g_assert_null(copydesk_config_parse_file(bad, &error));
  g_assert_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_DUPLICATE_KEY);
  char *expected = g_strdup_printf("%s:2:1: duplicate key 'a' (first at line 1)", bad);
  g_assert_cmpstr(error->message, ==, expected);
  g_clear_error(&error);
  g_free(expected);

  /* one byte over the bound */
  char *big = g_build_filename(dir, "big.yaml", NULL);
  gsize big_len = COPYDESK_CONFIG_MAX_BYTES + 1;
  char *big_data = g_malloc(big_len);
  memset(big_data, '\n', big_len);
  g_assert_true(g_file_set_contents(big, big_data, (gssize)big_len, &error));
  g_free(big_data);
  g_assert_null(copydesk_config_parse_file(big, &error));
  g_assert_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_TOO_LARGE);
  expected = g_strdup_printf("%s: pipeline file is 1048577 bytes; the limit is 1048576", big);
  g_assert_cmpstr(error->message, ==, expected);
  g_clear_error(&error);
  g_free(expected);

#ifdef G_OS_UNIX
  /* 100 MB (sparse, so cheap to make): refused from its size alone, at once */
  char *huge = g_build_filename(dir, "huge.yaml", NULL);
  int fd = g_open(huge, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(ftruncate(fd, 100 * 1024 * 1024), ==, 0);
  g_assert_cmpint(close(fd), ==, 0);
  g_test_timer_start();
  g_assert_null(copydesk_config_parse_file(huge, &error));
  g_assert_cmpfloat(g_test_timer_elapsed(), <, 0.5);
  g_assert_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_TOO_LARGE);
  expected = g_strdup_printf("%s: pipeline file is 104857600 bytes; the limit is 1048576", huge);
  g_assert_cmpstr(error->message, ==, expected);
  g_clear_error(&error);
  g_free(expected);
  g_assert_cmpint(g_remove(huge), ==, 0);
  g_free(huge);
#endif

  /* missing */
  char *missing = g_build_filename(dir, "missing.yaml", NULL);
  g_assert_null(copydesk_config_parse_file(missing, &error));
  g_assert_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_IO);
  char *prefix = g_strdup_printf("%s: cannot read: ", missing);
  g_assert_true(g_str_has_prefix(error->message, prefix));
  g_assert_cmpuint(strlen(error->message), >, strlen(prefix));
  g_clear_error(&error);
  g_free(prefix);

  /* a folder */
  g_assert_null(copydesk_config_parse_file(dir, &error));
  g_assert_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_IO);
  prefix = g_strdup_printf("%s: cannot read: ", dir);
  g_assert_true(g_str_has_prefix(error->message, prefix));
  g_clear_error(&error);
  g_free(prefix);

  g_assert_cmpint(g_remove(good), ==, 0);
  g_assert_cmpint(g_remove(bad), ==, 0);
  g_assert_cmpint(g_remove(big), ==, 0);
  g_assert_cmpint(g_rmdir(dir), ==, 0);
  g_free(good);
  g_free(bad);
  g_free(big);
  g_free(missing);
  g_free(dir);
}

/* describe and lookup on odd input. */
static void test_describe(void)
{
  g_assert_cmpstr(copydesk_config_node_describe(NULL), ==, "nothing");
  GError *error = NULL;
  CopydeskConfigNode *root = parse_text("- a\n- {b: c}\n", &error);
  g_assert_no_error(error);
  g_assert_cmpstr(copydesk_config_node_describe(root), ==, "a list");
  g_assert_cmpstr(copydesk_config_node_describe(item_at(root, 0)), ==, "a string");
  g_assert_cmpstr(copydesk_config_node_describe(item_at(root, 1)), ==, "a mapping");
  g_assert_null(copydesk_config_lookup(root, "b"));
  g_assert_null(copydesk_config_lookup(item_at(root, 0), "a"));
  assert_scalar(copydesk_config_lookup(item_at(root, 1), "b"), "c", FALSE, 2, 7);
  g_assert_null(copydesk_config_lookup(item_at(root, 1), "B"));
  copydesk_config_node_free(root);
  copydesk_config_node_free(NULL);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/config_tree/nested", test_nested);
  g_test_add_func("/config_tree/quoted", test_quoted);
  g_test_add_func("/config_tree/empty", test_empty);
  for (gsize i = 0; i < G_N_ELEMENTS(error_cases); i++) {
    char *path = g_strdup_printf("/config_tree/error/%s", error_cases[i].name);
    g_test_add_data_func(path, &error_cases[i], test_error_case);
    g_free(path);
  }
  g_test_add_func("/config_tree/alias/small", test_alias_small);
  g_test_add_func("/config_tree/alias/bomb", test_alias_bomb);
  g_test_add_func("/config_tree/alias/depth", test_alias_depth);
  g_test_add_func("/config_tree/limits/depth", test_depth_bound);
  g_test_add_func("/config_tree/limits/deep_flow", test_deep_flow);
  g_test_add_func("/config_tree/limits/deep_block", test_deep_block);
  g_test_add_func("/config_tree/limits/nodes", test_node_bound);
  g_test_add_func("/config_tree/limits/bytes", test_byte_bound);
  g_test_add_func("/config_tree/files", test_files);
  g_test_add_func("/config_tree/describe", test_describe);
  return g_test_run();
}
