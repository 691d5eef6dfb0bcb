/* copydesk — the document's internals, shared by document.c and edit.c (internal). */
#pragma once

#include <copydesk/document.h>

#include "offset_map.h"

typedef struct {
  const char *key; /* interned in the document's string chunk */
  CopydeskAttrType type;
  union {
    const char *s;
    gint64 i;
    double d;
    gboolean b;
    CopydeskSpan *link;
  } v;
} CopydeskAttr;

struct _CopydeskSpan {
  CopydeskLayer *layer; /* NULL once the span was removed by copydesk_layer_clear() */
  gsize start, end;
  const char *label; /* interned */
  gsize index;       /* position in layer->spans */
  guint n_attrs, cap_attrs;
  CopydeskAttr *attrs;
};

#define LAYER_LABEL_CACHE 8

struct _CopydeskLayer {
  CopydeskDocument *doc;
  char *name;
  CopydeskSpan **spans; /* N_SPANS of CAP_SPANS, owned by the document's span blocks */
  gsize n_spans, cap_spans;
  /* Interned labels this layer used (most layers have a handful), searched before the
   * document's string chunk. */
  const char *labels[LAYER_LABEL_CACHE];
  guint n_labels;
};

typedef struct {
  char *key;
  char *json;
} CopydeskField;

typedef struct {
  char *stage;
  char *message;
} CopydeskDocError;

/* A checkpoint of the unit counts at a character boundary of the original text. */
typedef struct {
  gsize byte, codepoints, utf16;
} CopydeskUnitCheckpoint;

struct _CopydeskDocument {
  char *id;
  char *original; /* NUL-terminated copy of the input bytes */
  gsize original_len;
  GString *text; /* current text, valid UTF-8 */
  CopydeskOffsetMap map;
  guint n_invalid;

  GPtrArray *fields; /* CopydeskField* */
  GPtrArray *errors; /* CopydeskDocError* */
  GPtrArray *layers; /* CopydeskLayer* */

  GStringChunk *strings;  /* labels, keys and string attribute values */
  GPtrArray *span_blocks; /* arrays of CopydeskSpan, so span pointers stay valid */
  guint block_used;       /* spans used in the last block */
  gboolean editing;

  /* Lazily built index for copydesk_document_original_offset(). */
  GArray *checkpoints;
  CopydeskUnitCheckpoint cursor;
};

/* Moves every span of DOC through an edit: NEW_START/NEW_END map old positions to new ones. */
typedef gsize (*CopydeskPositionMapper)(gpointer data, gsize pos);
void copydesk_document_move_spans(CopydeskDocument *doc, CopydeskPositionMapper map_start,
                                  CopydeskPositionMapper map_end, gpointer data);
