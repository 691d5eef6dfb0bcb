/* copydesk — a YAML file read into a tree of positioned nodes (see config_tree.h).
 *
 * The tree is built from libyaml's event stream with an explicit stack of open
 * collections, so nothing here recurses as deep as the input nests.  Bounds are
 * enforced while the events arrive:
 *   - depth: a collection opened below COPYDESK_CONFIG_MAX_DEPTH open ones fails, and
 *     an alias fails when its copy would nest past the same bound;
 *   - size: every node (keys and alias copies included) is counted, and an alias is
 *     refused *before* it is copied when the node count of its anchored subtree would
 *     push the total past COPYDESK_CONFIG_MAX_NODES, so an alias bomb stops early and
 *     small.
 * Each anchor remembers its node, its subtree's node count and its height.  An alias
 * becomes a deep copy of the anchored node; the copy's top node takes the alias's
 * position (where it is used), the nodes below keep the positions of the text they
 * came from.
 */
#include "config_tree.h"

#include <copydesk/errors.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <yaml.h>

/* One open mapping or sequence on the reader's stack. */
typedef struct {
  CopydeskConfigNode *node; /* already attached to its parent (or the root) */
  char *anchor;             /* its anchor name, or NULL */
  guint nodes_before;       /* the reader's node count before this node */
  guint child_height;       /* the largest height among its finished children */
  GHashTable *keys_seen;    /* mappings: key text -> first key node (not owned) */
} CopydeskConfigFrame;

/* What an anchor names, for alias expansion. */
typedef struct {
  const CopydeskConfigNode *node; /* owned by the tree */
  guint nodes;                    /* nodes in its subtree, itself included */
  guint height;                   /* collections nested in it: 0 for a scalar */
} CopydeskConfigAnchor;

/* The state of one parse. */
typedef struct {
  const char *filename;
  const char *data;
  gsize len;
  GArray *frames;          /* CopydeskConfigFrame, innermost last */
  GHashTable *anchors;     /* anchor name (owned) -> CopydeskConfigAnchor* (owned) */
  CopydeskConfigNode *root;
  guint nodes;             /* nodes made so far, alias copies included */
  gboolean document_seen;
} CopydeskConfigReader;

/* Sets ERROR to "FILENAME:LINE:COLUMN: message" in COPYDESK_CONFIG_ERROR. */
G_GNUC_PRINTF(6, 7)
static void copydesk_config_set_error(GError **error, CopydeskConfigError code, const char *filename,
                                      guint line, guint column, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  char *message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, COPYDESK_CONFIG_ERROR, code, "%s:%u:%u: %s", filename, line, column, message);
  g_free(message);
}

/* Converts a libyaml mark (0-based) to a 1-based line or column. */
static guint copydesk_config_mark_number(size_t zero_based)
{
  return zero_based >= G_MAXUINT ? G_MAXUINT : (guint)zero_based + 1;
}

/* The 1-based line and column (in characters) of byte OFFSET of DATA, whose bytes before
 * OFFSET are valid UTF-8.  Line breaks are counted as libyaml counts them: CR LF, CR, LF,
 * NEL, LS and PS; a leading byte order mark takes no column. */
static void copydesk_config_offset_position(const char *data, gsize offset, guint *line, guint *column)
{
  const guchar *bytes = (const guchar *)data;
  gsize i = 0;
  *line = 1;
  *column = 1;
  if (offset >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
    i = 3;
  while (i < offset) {
    guchar c = bytes[i];
    gsize width = (gsize)g_utf8_skip[c];
    gboolean is_break = FALSE;
    if (c == '\r' && i + 1 < offset && bytes[i + 1] == '\n') {
      width = 2;
      is_break = TRUE;
    } else if (c == '\r' || c == '\n') {
      is_break = TRUE;
    } else if (c == 0xC2 && i + 1 < offset && bytes[i + 1] == 0x85) {
      is_break = TRUE; /* NEL */
    } else if (c == 0xE2 && i + 2 < offset && bytes[i + 1] == 0x80 &&
               (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9)) {
      is_break = TRUE; /* LS, PS */
    }
    if (is_break) {
      (*line)++;
      *column = 1;
    } else {
      (*column)++;
    }
    i += width;
  }
}

/* A key's text made fit for a one-line message: control characters escaped, long keys
 * cut at a character boundary.  Free with g_free(). */
static char *copydesk_config_key_for_message(const char *key)
{
  GString *out = g_string_new(NULL);
  const char *p = key;
  guint chars = 0;
  while (*p != '\0') {
    if (chars == 60) {
      g_string_append(out, "...");
      break;
    }
    guchar c = (guchar)*p;
    if (c < 0x20 || c == 0x7F) {
      g_string_append_printf(out, "\\x%02X", c);
      p++;
    } else {
      const char *next = g_utf8_next_char(p);
      g_string_append_len(out, p, next - p);
      p = next;
    }
    chars++;
  }
  return g_string_free(out, FALSE);
}

/* Makes a node of TYPE at 1-based LINE and COLUMN, with empty child arrays for collections. */
static CopydeskConfigNode *copydesk_config_node_new(CopydeskNodeType type, guint line, guint column)
{
  CopydeskConfigNode *node = g_new0(CopydeskConfigNode, 1);
  node->type = type;
  node->line = line;
  node->column = column;
  if (type == COPYDESK_NODE_MAPPING)
    node->keys = g_ptr_array_new();
  if (type != COPYDESK_NODE_SCALAR)
    node->items = g_ptr_array_new();
  return node;
}

/* Frees NODE and everything below it, without recursion. */
void copydesk_config_node_free(CopydeskConfigNode *node)
{
  if (node == NULL)
    return;
  GPtrArray *todo = g_ptr_array_new();
  g_ptr_array_add(todo, node);
  while (todo->len > 0) {
    CopydeskConfigNode *current = g_ptr_array_steal_index_fast(todo, todo->len - 1);
    if (current->keys != NULL) {
      for (guint i = 0; i < current->keys->len; i++)
        g_ptr_array_add(todo, current->keys->pdata[i]);
      g_ptr_array_free(current->keys, TRUE);
    }
    if (current->items != NULL) {
      for (guint i = 0; i < current->items->len; i++)
        g_ptr_array_add(todo, current->items->pdata[i]);
      g_ptr_array_free(current->items, TRUE);
    }
    g_free(current->value);
    g_free(current);
  }
  g_ptr_array_free(todo, TRUE);
}

/* A copy of SOURCE without its children. */
static CopydeskConfigNode *copydesk_config_node_copy_one(const CopydeskConfigNode *source)
{
  CopydeskConfigNode *copy = copydesk_config_node_new(source->type, source->line, source->column);
  copy->value = g_strdup(source->value);
  copy->quoted = source->quoted;
  return copy;
}

/* A deep copy of SOURCE, made with an explicit stack of (source, copy) pairs. */
static CopydeskConfigNode *copydesk_config_node_copy(const CopydeskConfigNode *source)
{
  CopydeskConfigNode *top = copydesk_config_node_copy_one(source);
  GPtrArray *todo = g_ptr_array_new();
  g_ptr_array_add(todo, (gpointer)source);
  g_ptr_array_add(todo, top);
  while (todo->len > 0) {
    CopydeskConfigNode *copy = g_ptr_array_steal_index_fast(todo, todo->len - 1);
    const CopydeskConfigNode *original = g_ptr_array_steal_index_fast(todo, todo->len - 1);
    GPtrArray *from[2] = {original->keys, original->items};
    GPtrArray *to[2] = {copy->keys, copy->items};
    for (guint a = 0; a < 2; a++) {
      if (from[a] == NULL)
        continue;
      for (guint i = 0; i < from[a]->len; i++) {
        const CopydeskConfigNode *child = from[a]->pdata[i];
        CopydeskConfigNode *child_copy = copydesk_config_node_copy_one(child);
        g_ptr_array_add(to[a], child_copy);
        if (child->type != COPYDESK_NODE_SCALAR) {
          g_ptr_array_add(todo, (gpointer)child);
          g_ptr_array_add(todo, child_copy);
        }
      }
    }
  }
  g_ptr_array_free(todo, TRUE);
  return top;
}

/* The value of KEY in mapping NODE (the first one given), or NULL. */
CopydeskConfigNode *copydesk_config_lookup(const CopydeskConfigNode *node, const char *key)
{
  if (node == NULL || key == NULL || node->type != COPYDESK_NODE_MAPPING)
    return NULL;
  for (guint i = 0; i < node->keys->len && i < node->items->len; i++) {
    const CopydeskConfigNode *k = node->keys->pdata[i];
    if (k->value != NULL && strcmp(k->value, key) == 0)
      return node->items->pdata[i];
  }
  return NULL;
}

/* "a string", "a mapping" or "a list", for messages. */
const char *copydesk_config_node_describe(const CopydeskConfigNode *node)
{
  if (node == NULL)
    return "nothing";
  switch (node->type) {
  case COPYDESK_NODE_SCALAR:
    return "a string";
  case COPYDESK_NODE_MAPPING:
    return "a mapping";
  case COPYDESK_NODE_SEQUENCE:
    return "a list";
  }
  return "an unknown node";
}

/* TRUE when NODE is a plain scalar YAML reads as null (empty, ~, null). */
static gboolean copydesk_config_node_is_null(const CopydeskConfigNode *node)
{
  if (node->type != COPYDESK_NODE_SCALAR || node->quoted)
    return FALSE;
  const char *v = node->value;
  return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
         strcmp(v, "NULL") == 0;
}

/* Counts COUNT more nodes at LINE:COLUMN, failing when the total would pass the bound. */
static gboolean copydesk_config_reader_count(CopydeskConfigReader *reader, guint count, guint line,
                                             guint column, GError **error)
{
  if (count > COPYDESK_CONFIG_MAX_NODES - reader->nodes) {
    copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_TOO_LARGE, reader->filename, line, column,
                              "more than %u nodes (aliases expanded); the limit is %u",
                              (guint)COPYDESK_CONFIG_MAX_NODES, (guint)COPYDESK_CONFIG_MAX_NODES);
    return FALSE;
  }
  reader->nodes += count;
  return TRUE;
}

/* The innermost open collection, or NULL at the top level. */
static CopydeskConfigFrame *copydesk_config_reader_top(CopydeskConfigReader *reader)
{
  if (reader->frames->len == 0)
    return NULL;
  return &g_array_index(reader->frames, CopydeskConfigFrame, reader->frames->len - 1);
}

/* Attaches NODE to the innermost open collection (as the next key or value of a mapping,
 * or the next item of a sequence), or makes it the root.  Takes NODE; on failure frees it. */
static gboolean copydesk_config_reader_attach(CopydeskConfigReader *reader, CopydeskConfigNode *node,
                                              GError **error)
{
  CopydeskConfigFrame *top = copydesk_config_reader_top(reader);
  if (top == NULL) {
    if (reader->root != NULL) { /* libyaml gives one root per document; be safe anyway */
      copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_SYNTAX, reader->filename, node->line,
                                node->column, "a second document root");
      copydesk_config_node_free(node);
      return FALSE;
    }
    reader->root = node;
    return TRUE;
  }
  CopydeskConfigNode *parent = top->node;
  if (parent->type == COPYDESK_NODE_SEQUENCE || parent->keys->len > parent->items->len) {
    g_ptr_array_add(parent->items, node);
    return TRUE;
  }
  /* The next key of a mapping. */
  if (node->type != COPYDESK_NODE_SCALAR) {
    copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_WRONG_TYPE, reader->filename, node->line,
                              node->column, "a mapping key must be a string, not %s",
                              copydesk_config_node_describe(node));
    copydesk_config_node_free(node);
    return FALSE;
  }
  const CopydeskConfigNode *first = g_hash_table_lookup(top->keys_seen, node->value);
  if (first != NULL) {
    char *shown = copydesk_config_key_for_message(node->value);
    copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_DUPLICATE_KEY, reader->filename, node->line,
                              node->column, "duplicate key '%s' (first at line %u)", shown, first->line);
    g_free(shown);
    copydesk_config_node_free(node);
    return FALSE;
  }
  g_hash_table_insert(top->keys_seen, node->value, node);
  g_ptr_array_add(parent->keys, node);
  return TRUE;
}

/* Records that NODE (of HEIGHT, counted from NODES_BEFORE on) is complete: registers its
 * ANCHOR, if any, and tells the enclosing collection its height. */
static void copydesk_config_reader_finish(CopydeskConfigReader *reader, const CopydeskConfigNode *node,
                                          const char *anchor, guint nodes_before, guint height)
{
  if (anchor != NULL) {
    CopydeskConfigAnchor *entry = g_new(CopydeskConfigAnchor, 1);
    entry->node = node;
    entry->nodes = reader->nodes - nodes_before;
    entry->height = height;
    g_hash_table_replace(reader->anchors, g_strdup(anchor), entry); /* a redefinition wins */
  }
  CopydeskConfigFrame *top = copydesk_config_reader_top(reader);
  if (top != NULL && height > top->child_height)
    top->child_height = height;
}

/* Handles a scalar event. */
static gboolean copydesk_config_reader_scalar(CopydeskConfigReader *reader, const yaml_event_t *event,
                                              GError **error)
{
  guint line = copydesk_config_mark_number(event->start_mark.line);
  guint column = copydesk_config_mark_number(event->start_mark.column);
  const char *value = (const char *)event->data.scalar.value;
  gsize length = event->data.scalar.length;
  if (memchr(value, '\0', length) != NULL) { /* only a "\0" escape can put it there */
    copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_BAD_VALUE, reader->filename, line, column,
                              "a string may not hold a NUL character");
    return FALSE;
  }
  guint nodes_before = reader->nodes;
  if (!copydesk_config_reader_count(reader, 1, line, column, error))
    return FALSE;
  CopydeskConfigNode *node = copydesk_config_node_new(COPYDESK_NODE_SCALAR, line, column);
  node->value = g_strndup(value, length);
  node->quoted = event->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
  if (!copydesk_config_reader_attach(reader, node, error))
    return FALSE;
  copydesk_config_reader_finish(reader, node, (const char *)event->data.scalar.anchor, nodes_before, 0);
  return TRUE;
}

/* Handles an alias event: checks the bounds, then attaches a copy of the anchored node. */
static gboolean copydesk_config_reader_alias(CopydeskConfigReader *reader, const yaml_event_t *event,
                                             GError **error)
{
  guint line = copydesk_config_mark_number(event->start_mark.line);
  guint column = copydesk_config_mark_number(event->start_mark.column);
  const char *name = (const char *)event->data.alias.anchor;
  const CopydeskConfigAnchor *anchor = g_hash_table_lookup(reader->anchors, name);
  if (anchor == NULL) {
    copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_ALIAS, reader->filename, line, column,
                              "alias '*%s' names no anchor defined before it", name);
    return FALSE;
  }
  if (reader->frames->len + anchor->height > COPYDESK_CONFIG_MAX_DEPTH) {
    copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_TOO_DEEP, reader->filename, line, column,
                              "alias '*%s' nests deeper than %u levels here", name,
                              (guint)COPYDESK_CONFIG_MAX_DEPTH);
    return FALSE;
  }
  if (!copydesk_config_reader_count(reader, anchor->nodes, line, column, error))
    return FALSE;
  CopydeskConfigNode *copy = copydesk_config_node_copy(anchor->node);
  copy->line = line;
  copy->column = column;
  if (!copydesk_config_reader_attach(reader, copy, error))
    return FALSE;
  copydesk_config_reader_finish(reader, copy, NULL, 0, anchor->height);
  return TRUE;
}

/* Handles a mapping or sequence start event: opens a collection. */
static gboolean copydesk_config_reader_open(CopydeskConfigReader *reader, const yaml_event_t *event,
                                            GError **error)
{
  guint line = copydesk_config_mark_number(event->start_mark.line);
  guint column = copydesk_config_mark_number(event->start_mark.column);
  gboolean mapping = event->type == YAML_MAPPING_START_EVENT;
  const char *anchor = (const char *)(mapping ? event->data.mapping_start.anchor
                                              : event->data.sequence_start.anchor);
  if (reader->frames->len >= COPYDESK_CONFIG_MAX_DEPTH) {
    copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_TOO_DEEP, reader->filename, line, column,
                              "nesting deeper than %u levels", (guint)COPYDESK_CONFIG_MAX_DEPTH);
    return FALSE;
  }
  guint nodes_before = reader->nodes;
  if (!copydesk_config_reader_count(reader, 1, line, column, error))
    return FALSE;
  CopydeskConfigNode *node =
    copydesk_config_node_new(mapping ? COPYDESK_NODE_MAPPING : COPYDESK_NODE_SEQUENCE, line, column);
  if (!copydesk_config_reader_attach(reader, node, error))
    return FALSE;
  CopydeskConfigFrame frame = {
    .node = node,
    .anchor = g_strdup(anchor),
    .nodes_before = nodes_before,
    .child_height = 0,
    .keys_seen = mapping ? g_hash_table_new(g_str_hash, g_str_equal) : NULL,
  };
  g_array_append_val(reader->frames, frame);
  return TRUE;
}

/* Frees what FRAME owns (not its node, which belongs to the tree). */
static void copydesk_config_frame_clear(CopydeskConfigFrame *frame)
{
  g_free(frame->anchor);
  if (frame->keys_seen != NULL)
    g_hash_table_destroy(frame->keys_seen);
}

/* Handles a mapping or sequence end event: closes the innermost collection. */
static void copydesk_config_reader_close(CopydeskConfigReader *reader)
{
  g_return_if_fail(reader->frames->len > 0);
  CopydeskConfigFrame frame = g_array_index(reader->frames, CopydeskConfigFrame, reader->frames->len - 1);
  g_array_set_size(reader->frames, reader->frames->len - 1);
  copydesk_config_reader_finish(reader, frame.node, frame.anchor, frame.nodes_before,
                                frame.child_height + 1);
  copydesk_config_frame_clear(&frame);
}

/* Handles one libyaml event. */
static gboolean copydesk_config_reader_event(CopydeskConfigReader *reader, const yaml_event_t *event,
                                             GError **error)
{
  switch (event->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (reader->document_seen) {
      copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_SYNTAX, reader->filename,
                                copydesk_config_mark_number(event->start_mark.line),
                                copydesk_config_mark_number(event->start_mark.column),
                                "a second YAML document; a pipeline file holds one");
      return FALSE;
    }
    reader->document_seen = TRUE;
    return TRUE;
  case YAML_SCALAR_EVENT:
    return copydesk_config_reader_scalar(reader, event, error);
  case YAML_ALIAS_EVENT:
    return copydesk_config_reader_alias(reader, event, error);
  case YAML_MAPPING_START_EVENT:
  case YAML_SEQUENCE_START_EVENT:
    return copydesk_config_reader_open(reader, event, error);
  case YAML_MAPPING_END_EVENT:
  case YAML_SEQUENCE_END_EVENT:
    copydesk_config_reader_close(reader);
    return TRUE;
  case YAML_NO_EVENT:
  case YAML_STREAM_START_EVENT:
  case YAML_STREAM_END_EVENT:
  case YAML_DOCUMENT_END_EVENT:
    return TRUE;
  }
  return TRUE;
}

/* Sets ERROR from the error libyaml's PARSER stopped at. */
static void copydesk_config_set_parser_error(const CopydeskConfigReader *reader, const yaml_parser_t *parser,
                                             GError **error)
{
  const char *problem = parser->problem != NULL ? parser->problem : "not valid YAML";
  guint line, column;
  switch (parser->error) {
  case YAML_MEMORY_ERROR:
    copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_TOO_LARGE, reader->filename,
                              copydesk_config_mark_number(parser->mark.line),
                              copydesk_config_mark_number(parser->mark.column), "out of memory while parsing");
    return;
  case YAML_READER_ERROR: /* a position in bytes, not a mark */
    copydesk_config_offset_position(reader->data, MIN(parser->problem_offset, reader->len), &line, &column);
    if (parser->problem_value != -1)
      copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_SYNTAX, reader->filename, line, column,
                                "%s (U+%04X)", problem, (guint)parser->problem_value);
    else
      copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_SYNTAX, reader->filename, line, column, "%s",
                                problem);
    return;
  default:
    line = copydesk_config_mark_number(parser->problem_mark.line);
    column = copydesk_config_mark_number(parser->problem_mark.column);
    if (parser->context != NULL && (parser->context_mark.line != parser->problem_mark.line ||
                                    parser->context_mark.column != parser->problem_mark.column))
      copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_SYNTAX, reader->filename, line, column,
                                "%s (%s at line %u, column %u)", problem, parser->context,
                                copydesk_config_mark_number(parser->context_mark.line),
                                copydesk_config_mark_number(parser->context_mark.column));
    else if (parser->context != NULL) /* the context starts where the problem is */
      copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_SYNTAX, reader->filename, line, column,
                                "%s (%s)", problem, parser->context);
    else
      copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_SYNTAX, reader->filename, line, column, "%s",
                                problem);
    return;
  }
}

/* Parses LEN bytes of YAML into a tree (see config_tree.h). */
CopydeskConfigNode *copydesk_config_parse(const char *filename, const char *data, gsize len, GError **error)
{
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);
  g_return_val_if_fail(data != NULL || len == 0, NULL);
  if (filename == NULL)
    filename = "<config>";
  if (data == NULL)
    data = "";

  if (len > COPYDESK_CONFIG_MAX_BYTES) {
    g_set_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_TOO_LARGE,
                "%s: pipeline file is %" G_GSIZE_FORMAT " bytes; the limit is %u", filename, len,
                (guint)COPYDESK_CONFIG_MAX_BYTES);
    return NULL;
  }

  const char *bad = NULL;
  if (!g_utf8_validate(data, (gssize)len, &bad)) {
    guint line, column;
    copydesk_config_offset_position(data, (gsize)(bad - data), &line, &column);
    if (*bad == '\0')
      copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_NOT_UTF8, filename, line, column,
                                "a NUL byte; a pipeline file is UTF-8 text");
    else
      copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_NOT_UTF8, filename, line, column,
                                "byte 0x%02X is not valid UTF-8", (guint)(guchar)*bad);
    return NULL;
  }

  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    copydesk_config_set_error(error, COPYDESK_CONFIG_ERROR_TOO_LARGE, filename, 1, 1,
                              "out of memory while parsing");
    return NULL;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);

  CopydeskConfigReader reader = {
    .filename = filename,
    .data = data,
    .len = len,
    .frames = g_array_new(FALSE, FALSE, sizeof(CopydeskConfigFrame)),
    .anchors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
  };

  gboolean ok = TRUE;
  gboolean done = FALSE;
  while (ok && !done) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      copydesk_config_set_parser_error(&reader, &parser, error);
      ok = FALSE;
      break;
    }
    done = event.type == YAML_STREAM_END_EVENT;
    ok = copydesk_config_reader_event(&reader, &event, error);
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);

  for (guint i = 0; i < reader.frames->len; i++)
    copydesk_config_frame_clear(&g_array_index(reader.frames, CopydeskConfigFrame, i));
  g_array_free(reader.frames, TRUE);
  g_hash_table_destroy(reader.anchors);

  CopydeskConfigNode *root = reader.root;
  if (!ok) {
    copydesk_config_node_free(root);
    return NULL;
  }
  if (root == NULL)
    return copydesk_config_node_new(COPYDESK_NODE_MAPPING, 1, 1);
  if (copydesk_config_node_is_null(root)) {
    CopydeskConfigNode *empty = copydesk_config_node_new(COPYDESK_NODE_MAPPING, root->line, root->column);
    copydesk_config_node_free(root);
    return empty;
  }
  return root;
}

/* Reads at most COPYDESK_CONFIG_MAX_BYTES + 1 bytes of PATH (a pipe, a device), so a
 * stream without end cannot exhaust memory.  On success returns the bytes and sets LEN. */
static char *copydesk_config_read_bounded(const char *path, gsize *len, GError **error)
{
  FILE *file = g_fopen(path, "rb");
  if (file == NULL) {
    int saved = errno;
    g_set_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_IO, "%s: cannot read: %s", path,
                g_strerror(saved));
    return NULL;
  }
  gsize capacity = COPYDESK_CONFIG_MAX_BYTES + 1;
  char *buffer = g_malloc(capacity + 1);
  gsize filled = 0;
  while (filled < capacity) {
    size_t got = fread(buffer + filled, 1, capacity - filled, file);
    if (got == 0)
      break;
    filled += got;
  }
  if (ferror(file)) {
    int saved = errno;
    fclose(file);
    g_free(buffer);
    g_set_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_IO, "%s: cannot read: %s", path,
                g_strerror(saved));
    return NULL;
  }
  fclose(file);
  if (filled > COPYDESK_CONFIG_MAX_BYTES) {
    g_free(buffer);
    g_set_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_TOO_LARGE,
                "%s: pipeline file is more than %u bytes; the limit is %u", path,
                (guint)COPYDESK_CONFIG_MAX_BYTES, (guint)COPYDESK_CONFIG_MAX_BYTES);
    return NULL;
  }
  buffer[filled] = '\0';
  *len = filled;
  return buffer;
}

/* The reason part of a GLib file error message ("Failed to open file “x”: Permission
 * denied" gives "Permission denied"), or the whole message. */
static const char *copydesk_config_error_reason(const GError *error)
{
  const char *colon = strrchr(error->message, ':');
  if (colon != NULL && colon[1] == ' ' && colon[2] != '\0')
    return colon + 2;
  return error->message;
}

/* Reads and parses the file PATH; its size is checked before any byte is read. */
CopydeskConfigNode *copydesk_config_parse_file(const char *path, GError **error)
{
  g_return_val_if_fail(path != NULL, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);

  GStatBuf st;
  if (g_stat(path, &st) != 0) {
    int saved = errno;
    g_set_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_IO, "%s: cannot read: %s", path,
                g_strerror(saved));
    return NULL;
  }
  if (S_ISDIR(st.st_mode)) {
    g_set_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_IO, "%s: cannot read: %s", path,
                g_strerror(EISDIR));
    return NULL;
  }

  char *contents = NULL;
  gsize len = 0;
  if (S_ISREG(st.st_mode)) {
    if ((guint64)st.st_size > COPYDESK_CONFIG_MAX_BYTES) {
      g_set_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_TOO_LARGE,
                  "%s: pipeline file is %" G_GUINT64_FORMAT " bytes; the limit is %u", path,
                  (guint64)st.st_size, (guint)COPYDESK_CONFIG_MAX_BYTES);
      return NULL;
    }
    GError *read_error = NULL;
    if (!g_file_get_contents(path, &contents, &len, &read_error)) {
      g_set_error(error, COPYDESK_CONFIG_ERROR, COPYDESK_CONFIG_ERROR_IO, "%s: cannot read: %s", path,
                  copydesk_config_error_reason(read_error));
      g_error_free(read_error);
      return NULL;
    }
  } else {
    contents = copydesk_config_read_bounded(path, &len, error);
    if (contents == NULL)
      return NULL;
  }

  CopydeskConfigNode *root = copydesk_config_parse(path, contents, len, error);
  g_free(contents);
  return root;
}
