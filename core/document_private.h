/* copydesk — the document's internals, shared within the core (internal). */
#pragma once

#include <copydesk/document.h>

#include "jsonl_record.h"
#include "offset_map.h"

typedef struct {
  const char *key; /* interned for the document (document.c, intern_memo()) */
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
  CopydeskAttr *attrs; /* CAP_ATTRS of them, in the document's arena */
};

struct _CopydeskLayer {
  CopydeskDocument *doc;
  char *name;           /* in the document's arena */
  CopydeskSpan **spans; /* N_SPANS of CAP_SPANS (the spans are in the document's span blocks;
                         * the array in its arena or on the heap, see reserve_spans()) */
  gsize n_spans, cap_spans;
};

typedef struct {
  char *key;
  char *json;
  gboolean borrowed; /* KEY and JSON lie in the document's own allocation or its arena, not
                      * freed apart (a field set again gets copies on the heap) */
} CopydeskField;   /* in the document's arena */

typedef struct {
  char *stage;
  char *message;
} CopydeskDocError;

/* A document for a JSONL record of LINE_LEN bytes, made in two steps so that the record's text
 * is decoded straight into it: *TEXT receives where the decoder may write (LINE_LEN + 1 bytes);
 * copydesk_document_finish_record() must follow before anything else is done with it. */
CopydeskDocument *copydesk_document_new_for_record(gsize line_len, char **text);
/* Completes DOC (from copydesk_document_new_for_record(LINE_LEN)): its id is the ID_LEN bytes
 * at ID (no NUL among them), its original text the LEN bytes written at *TEXT, which must be
 * well-formed UTF-8 (the decoder leaves no other: they are not checked again), and the
 * N_FIELDS FIELDS are set in order as by copydesk_document_set_field() (a repeated key replaces
 * the value), their keys and JSON copied into the document's own allocation.  Returns the
 * document, which may have moved. */
CopydeskDocument *copydesk_document_finish_record(CopydeskDocument *doc, gsize line_len,
                                                  const char *id, gsize id_len, gsize len,
                                                  const CopydeskJsonField *fields, guint n_fields);

/* Whether a stage after the running one reads the layer NAME (DATA: the pipeline's). */
typedef gboolean (*CopydeskLayerWantedFunc)(gconstpointer data, const char *name);

/* The unit counts of the original text before byte BYTE (characters that start before it). */
typedef struct {
  gsize byte, codepoints, utf16;
} CopydeskUnitCheckpoint;

/* One block of the index of well-formed original text: the unit counts before it, and which
 * of its bytes are continuation bytes (CONTS) and lead bytes of four-byte characters (FOURS),
 * bit I for byte I.  32 bytes a block of 64: the index of a text that is not all ASCII is
 * half the text's size, made on the first offset asked for and freed with the document. */
typedef struct {
  gsize codepoints, utf16;
  guint64 conts, fours;
} CopydeskUnitCounts;

/* One block of a document's arena; its bytes follow the header. */
typedef struct _CopydeskArenaBlock CopydeskArenaBlock;
struct _CopydeskArenaBlock {
  CopydeskArenaBlock *next;
  gsize size;
};

/* Memory that lives as long as the document (spans, attributes, layers, strings): handed out
 * from a few large blocks and freed all at once with the document.  The first block lies in the
 * document's own allocation, after its original text (and a record's fields); the others come
 * from the heap. */
typedef struct {
  CopydeskArenaBlock *blocks; /* the blocks from the heap, the newest first */
  char *free;                 /* the unused bytes of the block in use */
  gsize n_free;
  gsize next_size;            /* the size of the next block from the heap */
} CopydeskArena;

/* A string given to be interned and what it became. */
typedef struct {
  const char *given, *interned;
} CopydeskInternMemo;

/* The slots of an intern memo, in the slot the given string's address picks (a power of two). */
#define COPYDESK_INTERN_MEMO 64

/* Labels and attribute keys interned for all the documents a thread makes (document.c). */
typedef struct CopydeskSharedIntern CopydeskSharedIntern;

/* Pointers kept in a document's arena: N of CAP, the array grown by doubling (an old array
 * stays in the arena until the document goes). */
typedef struct {
  gpointer *v;
  guint n, cap;
} CopydeskArenaPtrs;

/* The document's interned strings (labels and attribute keys not in its thread's shared
 * strings): an open-addressing hash set
 * of CAP (a power of two, or 0 before the first string) slots, N used. */
typedef struct {
  const char **slots;
  guint cap, n;
} CopydeskInternTable;

struct _CopydeskDocument {
  gsize alloc_size; /* the size of the allocation the document starts */
  char *id;       /* in the arena */
  char *original; /* NUL-terminated copy of the input bytes (allocated with the document) */
  gsize original_len;
  gboolean original_ascii; /* no original byte is >= 0x80: every unit count is the byte count */
  char *text; /* current text (NUL-terminated, on the heap), valid UTF-8; NULL while that is
               * the original itself (well-formed, until an edit): see copydesk_doc_text() */
  gsize text_len;
  CopydeskOffsetMap map;
  guint n_invalid;

  CopydeskArenaPtrs fields; /* CopydeskField*, the fields in the arena */
  GPtrArray *errors;        /* CopydeskDocError*, NULL until the first error */
  CopydeskArenaPtrs layers; /* CopydeskLayer*, the layers in the arena */

  CopydeskArena arena;
  CopydeskInternTable interned;
  /* Strings callers passed to be interned and what they became, looked at first: callers
   * mostly pass the same few literals.  With SHARED_INTERN set, only those interned in the
   * document itself (past the shared strings' room), looked at after the shared memo. */
  CopydeskInternMemo intern_memo[COPYDESK_INTERN_MEMO];
  /* The strings interned for every document of the thread that made this one, with their own
   * memo, when it was made by a thread that reuses (copydesk_document_thread_reuse()); its
   * strings live as long as the thread reuses, longer than the document.  NULL otherwise. */
  CopydeskSharedIntern *shared_intern;
  CopydeskSpan *span_block; /* the newest block of spans, in the arena (spans never move) */
  gsize block_used, block_cap;
  guint n_span_blocks;
  CopydeskEdit *edit; /* made by the first copydesk_edit_begin(), used by the next ones (edit.c) */
  gboolean editing;   /* EDIT is open */

  /* Lazily built indexes for copydesk_document_original_offset().  Well-formed text: the
   * blocks that start up to the end (original_len / UNIT_BLOCK + 1 of them, all made on the
   * first offset asked for, in the arena).  Ill-formed text: the counts before every multiple
   * of the stride (room for N_UNITS of them, the first N_BUILT made: those up to FRONTIER,
   * the furthest offset counted so far), and the last answer behind the frontier. */
  CopydeskUnitCounts *blocks;
  CopydeskUnitCheckpoint *units;
  gsize n_units, n_built;
  CopydeskUnitCheckpoint frontier;
  CopydeskUnitCheckpoint cursor;

  /* Set by the pipeline around each stage (layer_wanted.c); NULL outside one. */
  CopydeskLayerWantedFunc wanted;
  gconstpointer wanted_data;
};

/* Whether the documents the calling thread makes and frees reuse what the ones before left: the
 * allocation of the last one freed, and the labels and attribute keys they interned.  A
 * document made then must be used on this thread only, and FALSE (which frees what is kept)
 * must come after its last use but for copydesk_document_free().  Off in every thread at
 * first. */
void copydesk_document_thread_reuse(gboolean reuse);

/* SIZE bytes from DOC's arena, aligned for any type, freed with the document. */
void *copydesk_document_arena_alloc(CopydeskDocument *doc, gsize size);
/* Frees what DOC's edit holds on the heap, as DOC goes (edit.c). */
void copydesk_edit_free_document_edit(CopydeskDocument *doc);

/* Sets what copydesk_document_layer_wanted() asks while a stage runs (NULL: every layer). */
void copydesk_document_set_layer_wanted(CopydeskDocument *doc, CopydeskLayerWantedFunc wanted,
                                        gconstpointer data);

/* Moves every span of DOC through an edit: NEW_START/NEW_END map old positions to new ones. */
typedef gsize (*CopydeskPositionMapper)(gpointer data, gsize pos);
void copydesk_document_move_spans(CopydeskDocument *doc, CopydeskPositionMapper map_start,
                                  CopydeskPositionMapper map_end, gpointer data);

/* The current text of DOC (NUL-terminated): its own copy, or the original bytes themselves
 * while they are well-formed and nothing rewrote them. */
static inline const char *
copydesk_doc_text(const CopydeskDocument *doc)
{
  return doc->text != NULL ? doc->text : doc->original;
}

/* The length of copydesk_doc_text(DOC) in bytes. */
static inline gsize
copydesk_doc_text_len(const CopydeskDocument *doc)
{
  return doc->text != NULL ? doc->text_len : doc->original_len;
}
