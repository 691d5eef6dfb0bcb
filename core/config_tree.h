/* copydesk — a YAML file read into a small tree whose every node keeps its
 * line and column, so validation after parsing can still name file:line:col.
 *
 * Built from libyaml's event stream (not its document loader) so the reader can
 * enforce its own bounds while parsing: nesting depth, total nodes after alias
 * expansion, file size.  Aliases are expanded by copy, bounded.  Duplicate keys,
 * bytes that are not UTF-8 and multi-document streams are refused.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define COPYDESK_CONFIG_MAX_BYTES (1024 * 1024) /* a pipeline file is small */
#define COPYDESK_CONFIG_MAX_DEPTH 32            /* nesting of mappings and sequences */
#define COPYDESK_CONFIG_MAX_NODES 10000         /* nodes after alias expansion */

typedef enum {
  COPYDESK_NODE_SCALAR = 1,
  COPYDESK_NODE_MAPPING,
  COPYDESK_NODE_SEQUENCE,
} CopydeskNodeType;

typedef struct CopydeskConfigNode CopydeskConfigNode;
struct CopydeskConfigNode {
  CopydeskNodeType type;
  guint line;      /* 1-based line of the node's first character */
  guint column;    /* 1-based column (in characters) */
  char *value;     /* scalars: the text (UTF-8); NULL otherwise */
  gboolean quoted; /* scalars: written in quotes or as a block (so never a bool/number/null) */
  GPtrArray *keys;  /* mappings: CopydeskConfigNode* scalar keys, in file order */
  GPtrArray *items; /* mappings: the values (items->pdata[i] belongs to keys->pdata[i]);
                       sequences: the items */
};

/* Parses LEN bytes of YAML.  FILENAME is only used in messages, which all read
 * "FILENAME:LINE:COLUMN: what is wrong".  An empty document gives an empty mapping.
 * Errors are in COPYDESK_CONFIG_ERROR. */
CopydeskConfigNode *copydesk_config_parse(const char *filename, const char *data, gsize len,
                                          GError **error);
/* Reads and parses the file PATH (refusing files over COPYDESK_CONFIG_MAX_BYTES). */
CopydeskConfigNode *copydesk_config_parse_file(const char *path, GError **error);
/* Frees NODE and everything below it. */
void copydesk_config_node_free(CopydeskConfigNode *node);
/* The value of KEY in mapping NODE, or NULL. */
CopydeskConfigNode *copydesk_config_lookup(const CopydeskConfigNode *node, const char *key);
/* A short name of NODE's type for messages: "a string", "a mapping", "a list". */
const char *copydesk_config_node_describe(const CopydeskConfigNode *node);

G_END_DECLS
