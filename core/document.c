/* copydesk — the document: text, original bytes, fields, errors, layers and spans. */
#include <stdlib.h>
#include <string.h>

#include <copydesk/errors.h>
#include <copydesk/json.h>

#include "document_private.h"
#include "json_plain.h"
#include "utf8.h"
#include "v16.h"

/* Spans live in blocks that never move: the first holds 64, each next one twice as many as
 * the one before, up to 8192, or as many as one call adds in bulk.  A short document touches
 * little memory; a long one few blocks. */
#define SPAN_BLOCK_MIN 64
#define SPAN_BLOCK_MAX_SHIFT 7
/* A layer's array of span pointers lies in the document's arena while it has room for this many
 * at most (reserve_spans()). */
#define SPANS_IN_ARENA 1024
/* Bytes between unit-count checkpoints of ill-formed original text: an offset in a stretch
 * without non-ASCII characters is found by arithmetic, in another by counting at most this
 * many. */
#define UNIT_STRIDE 256
/* The bytes of a block of the index of well-formed original text (64: one bit a byte of a
 * block fits a guint64). */
#define UNIT_BLOCK 64
/* The arena's blocks: the first of 8 KB and four bytes for each byte of the text (what
 * clean, sentences and quotes use on most documents), each next one twice as large, all up to
 * 256 KB; a request of a quarter of the next block's size or more gets a block of its own.  The
 * first lies in the document's allocation (with what else is left there, a record's line being
 * longer than its text), the others on the heap. */
#define ARENA_BLOCK_MIN 8192
#define ARENA_BYTES_PER_BYTE 4
#define ARENA_BLOCK_MAX (256 * 1024)

/* Capacity of the span block that follows B blocks. */
static inline guint
span_block_size(guint b)
{
  return SPAN_BLOCK_MIN << MIN(b, SPAN_BLOCK_MAX_SHIFT);
}

static const char replacement_char[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* ---- The document's memory ------------------------------------------------ */

/* Adds to ARENA a block from the heap with room for at least SIZE bytes; returns its bytes.  A
 * large request gets a block of its own, and the free bytes of the block in use stay in use. */
G_NO_INLINE static void *
arena_grow(CopydeskArena *arena, gsize size)
{
  gsize next = arena->next_size;
  gboolean own = size >= next / 4;
  CopydeskArenaBlock *block = g_malloc(sizeof(CopydeskArenaBlock) + (own ? size : next));
  block->size = own ? size : next;
  block->next = arena->blocks;
  arena->blocks = block;
  if (!own) {
    arena->free = (char *)(block + 1) + size;
    arena->n_free = next - size;
    arena->next_size = MIN(2 * next, ARENA_BLOCK_MAX);
  }
  return block + 1;
}

/* SIZE bytes from DOC's arena, aligned for any type, freed with the document. */
static inline void *
arena_alloc(CopydeskDocument *doc, gsize size)
{
  CopydeskArena *arena = &doc->arena;
  size = (size + 15) & ~(gsize)15;
  if (G_UNLIKELY(size > arena->n_free))
    return arena_grow(arena, size);
  void *p = arena->free;
  arena->free += size;
  arena->n_free -= size;
  return p;
}

void *
copydesk_document_arena_alloc(CopydeskDocument *doc, gsize size)
{
  return arena_alloc(doc, size);
}

/* A copy of the LEN bytes at STR, NUL-terminated, in DOC's arena. */
static inline char *
arena_strndup(CopydeskDocument *doc, const char *str, gsize len)
{
  char *copy = arena_alloc(doc, len + 1);
  memcpy(copy, str, len);
  copy[len] = '\0';
  return copy;
}

/* The size of the first arena block of a document of TEXT_LEN bytes. */
static inline gsize
arena_first_size(gsize text_len)
{
  return MIN(ARENA_BLOCK_MIN + MIN(text_len, ARENA_BLOCK_MAX) * ARENA_BYTES_PER_BYTE,
             ARENA_BLOCK_MAX);
}

/* Where the first arena block starts in a document's allocation whose first USED bytes hold
 * the document, its original text and what follows it: aligned as arena_alloc() hands out. */
static inline gsize
arena_offset(gsize used)
{
  return (used + 15) & ~(gsize)15;
}

/* Readies the empty ARENA of DOC (of TEXT_LEN bytes), whose first block is the SIZE bytes
 * (at least arena_first_size(TEXT_LEN)) at offset OFFSET (arena_offset()) of DOC's allocation. */
static void
arena_init(CopydeskDocument *doc, gsize text_len, gsize offset, gsize size)
{
  CopydeskArena *arena = &doc->arena;
  arena->blocks = NULL;
  arena->free = (char *)doc + offset;
  arena->n_free = size;
  arena->next_size = MIN(2 * arena_first_size(text_len), ARENA_BLOCK_MAX);
}

/* Frees every block of ARENA from the heap. */
static void
arena_free(CopydeskArena *arena)
{
  for (CopydeskArenaBlock *block = arena->blocks, *next; block != NULL; block = next) {
    next = block->next;
    g_free(block);
  }
}

/* Appends P to the pointers *PTRS kept in DOC's arena (room for eight at first). */
static void
arena_ptrs_add(CopydeskDocument *doc, CopydeskArenaPtrs *ptrs, gpointer p)
{
  if (ptrs->n == ptrs->cap) {
    guint cap = ptrs->cap ? 2 * ptrs->cap : 8;
    gpointer *v = arena_alloc(doc, cap * sizeof(gpointer));
    if (ptrs->n > 0)
      memcpy(v, ptrs->v, ptrs->n * sizeof(gpointer));
    ptrs->v = v;
    ptrs->cap = cap;
  }
  ptrs->v[ptrs->n++] = p;
}

/* A hash of the NUL-terminated STR, from its length and its first and last four bytes (the
 * strings interned are labels and keys, few and short); *LEN receives its length. */
static inline guint
intern_hash(const char *str, gsize *len)
{
  gsize n = strlen(str);
  guint32 head = 0, tail = 0;
  if (n >= 4) {
    memcpy(&head, str, 4);
    memcpy(&tail, str + n - 4, 4);
  } else {
    for (gsize i = 0; i < n; i++)
      head = head << 8 | (guchar)str[i];
  }
  *len = n;
  guint64 h = ((guint64)head << 32 | tail) ^ n;
  h *= G_GUINT64_CONSTANT(0x9E3779B97F4A7C15);
  return (guint)(h >> 32);
}

/* Doubles DOC's table of interned strings (32 slots at first). */
static void
intern_grow(CopydeskDocument *doc)
{
  CopydeskInternTable *table = &doc->interned;
  guint cap = table->cap ? table->cap * 2 : 32;
  const char **slots = arena_alloc(doc, cap * sizeof(char *));
  memset(slots, 0, cap * sizeof(char *));
  for (guint i = 0; i < table->cap; i++) {
    if (table->slots[i] == NULL)
      continue;
    gsize len;
    guint j = intern_hash(table->slots[i], &len) & (cap - 1);
    while (slots[j] != NULL)
      j = (j + 1) & (cap - 1);
    slots[j] = table->slots[i];
  }
  table->slots = slots; /* the old slots stay in the arena until the document goes */
  table->cap = cap;
}

/* The strings a thread's documents interned (see SpareDocument): up to SHARED_INTERN_MAX of them
 * and SHARED_INTERN_BYTES in all, copied on the heap; past that, new ones are interned in each
 * document.  Labels and keys are a few dozen short ones in a pipeline; the byte limit keeps
 * long labels from an input (whole CoNLL tag sets, say) from staying until the run ends. */
#define SHARED_INTERN_MAX 512
#define SHARED_INTERN_BYTES 16384
struct CopydeskSharedIntern {
  CopydeskInternMemo memo[COPYDESK_INTERN_MEMO];
  const char *slots[2 * SHARED_INTERN_MAX]; /* open addressing, at most half full */
  guint n;
  gsize bytes; /* of the strings held, their NULs counted */
};

/* The slot of STR among the MASK + 1 open-addressing SLOTS (never all full): the one holding
 * an equal string, else the empty one where STR goes.  *LEN receives STR's length. */
static inline guint
intern_slot(const char *const *slots, guint mask, const char *str, gsize *len)
{
  guint i = intern_hash(str, len) & mask;
  while (slots[i] != NULL && strcmp(slots[i], str) != 0)
    i = (i + 1) & mask;
  return i;
}

/* STR in SHARED: found there, or added when there is room (else NULL). */
static const char *
shared_intern(CopydeskSharedIntern *shared, const char *str)
{
  gsize len;
  guint i = intern_slot(shared->slots, G_N_ELEMENTS(shared->slots) - 1, str, &len);
  if (shared->slots[i] != NULL)
    return shared->slots[i];
  if (shared->n == SHARED_INTERN_MAX || len + 1 > SHARED_INTERN_BYTES - shared->bytes)
    return NULL;
  shared->n++;
  shared->bytes += len + 1;
  return shared->slots[i] = g_strndup(str, len);
}

/* STR interned in DOC: equal strings give one pointer, valid as long as DOC. */
static const char *
intern_string(CopydeskDocument *doc, const char *str)
{
  CopydeskInternTable *table = &doc->interned;
  if (table->n * 2 >= table->cap)
    intern_grow(doc);
  gsize len;
  guint i = intern_slot(table->slots, table->cap - 1, str, &len);
  if (table->slots[i] != NULL)
    return table->slots[i];
  table->n++;
  return table->slots[i] = arena_strndup(doc, str, len);
}

/* ---- Documents ------------------------------------------------------------ */

/* Builds the current text from the original bytes: invalid sequences become U+FFFD, one per
 * invalid byte, each recorded in the offset map as a replacement of that byte.  Well-formed
 * original bytes are the current text themselves (DOC's text stays NULL). */
static void
decode_original(CopydeskDocument *doc)
{
  const guchar *p = (const guchar *)doc->original;
  gsize len = doc->original_len;
  gsize i = 0, run_start = 0;
  gboolean ascii = TRUE;
  GString *text = NULL; /* the current text, once an invalid byte makes it a copy */

  copydesk_offset_map_init_empty(&doc->map, len);
  while (i < len) {
    if (i + 32 <= len && copydesk_ascii32(p + i)) { /* 32 ASCII bytes at once */
      i += 32;
      continue;
    }
    if (i + 8 <= len && copydesk_ascii8(p + i)) { /* near a non-ASCII character */
      i += 8;
      continue;
    }
    if (p[i] < 0x80) {
      i++;
      continue;
    }
    ascii = FALSE;
    gsize n = copydesk_utf8_sequence_length(p + i, len - i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (text == NULL) /* the first invalid byte: the text becomes a copy */
      text = g_string_sized_new(len + 3);
    g_string_append_len(text, doc->original + run_start, i - run_start);
    copydesk_offset_map_append(&doc->map, i - run_start, run_start, i, TRUE);
    g_string_append_len(text, replacement_char, 3);
    copydesk_offset_map_append(&doc->map, 3, i, i + 1, FALSE);
    doc->n_invalid++;
    i++;
    run_start = i;
  }
  if (text != NULL) {
    g_string_append_len(text, doc->original + run_start, len - run_start);
    doc->text_len = text->len;
    doc->text = g_string_free(text, FALSE);
  }
  copydesk_offset_map_append(&doc->map, len - run_start, run_start, len, TRUE);
  doc->original_ascii = ascii;
}

/* What a thread keeps for its next documents while copydesk_document_thread_reuse() says so (the
 * runner's threads, which make, process and free their documents themselves): the allocation
 * of the last document freed, up to SPARE_DOCUMENT_MAX bytes (a malloc and a free fewer a
 * document), and the strings interned (each interned once for the run, not once a
 * document). */
typedef struct {
  gboolean keep;
  CopydeskDocument *doc;
  CopydeskSharedIntern *interned;
} SpareDocument;
static _Thread_local SpareDocument spare_document;
#define SPARE_DOCUMENT_MAX (1024 * 1024)

void
copydesk_document_thread_reuse(gboolean reuse)
{
  SpareDocument *spare = &spare_document;
  spare->keep = reuse;
  if (reuse && spare->interned == NULL)
    spare->interned = g_new0(CopydeskSharedIntern, 1);
  if (!reuse) {
    g_clear_pointer(&spare->doc, g_free);
    if (spare->interned != NULL) {
      for (guint i = 0; i < G_N_ELEMENTS(spare->interned->slots); i++)
        if (spare->interned->slots[i] != NULL)
          g_free((char *)spare->interned->slots[i]);
      g_clear_pointer(&spare->interned, g_free);
    }
  }
}

/* A zeroed document structure at the start of an allocation of at least SIZE bytes (its
 * ALLOC_SIZE): the thread's spare one when it is that large, else a new one. */
static CopydeskDocument *
document_memory(gsize size)
{
  SpareDocument *spare = &spare_document;
  CopydeskDocument *doc = spare->doc;
  gsize have = size;
  if (doc != NULL && doc->alloc_size >= size) {
    spare->doc = NULL;
    have = doc->alloc_size;
  } else {
    doc = g_malloc(size);
  }
  memset(doc, 0, sizeof(CopydeskDocument));
  doc->alloc_size = have;
  doc->original = (char *)(doc + 1);
  doc->shared_intern = spare->keep ? spare->interned : NULL;
  return doc;
}

/* Frees the allocation of DOC (all else freed), or keeps it as the thread's spare one in place of
 * the one before. */
static void
document_memory_free(CopydeskDocument *doc)
{
  SpareDocument *spare = &spare_document;
  if (spare->keep && doc->alloc_size <= SPARE_DOCUMENT_MAX) {
    g_free(spare->doc);
    spare->doc = doc;
    return;
  }
  g_free(doc);
}

/* A new document over the LEN bytes at TEXT (copied), its current text and its offset map not
 * made yet. */
static CopydeskDocument *
document_alloc(const char *id, const char *text, gsize len)
{
  /* The original bytes follow the document's structure in one allocation, and the arena's first
   * block follows them. */
  gsize offset = arena_offset(sizeof(CopydeskDocument) + len + 1);
  CopydeskDocument *doc = document_memory(offset + arena_first_size(len));
  if (len > 0)
    memcpy(doc->original, text, len);
  doc->original[len] = '\0';
  doc->original_len = len;
  arena_init(doc, len, offset, doc->alloc_size - offset);
  copydesk_document_set_id(doc, id);
  return doc;
}

CopydeskDocument *
copydesk_document_new(const char *id, const char *text, gssize len)
{
  if (len < 0)
    len = text ? (gssize)strlen(text) : 0;
  CopydeskDocument *doc = document_alloc(id, text, (gsize)len);
  decode_original(doc);
  return doc;
}

/* The field KEY of DOC, or NULL. */
static CopydeskField *
find_field(const CopydeskDocument *doc, const char *key)
{
  for (guint i = 0; i < doc->fields.n; i++) {
    CopydeskField *f = doc->fields.v[i];
    if (strcmp(f->key, key) == 0)
      return f;
  }
  return NULL;
}

/* The size of the allocation of a document for a JSONL record of LINE_LEN bytes.  It has room
 * for a text as long as the line and, after it, for the fields' keys and JSON with a NUL each:
 * never more than the line either, as each field has two quotes, a colon and a comma or brace
 * around its key and value there; then for the arena's first block of a text as long as the
 * line. */
static inline gsize
record_allocation(gsize line_len)
{
  return arena_offset(sizeof(CopydeskDocument) + 2 * line_len + 1) + arena_first_size(line_len);
}

/* Adds to DOC the field KEY (which it does not have) with JSON, in DOC's arena: KEY is copied
 * there, JSON must lie there already. */
static void
add_field(CopydeskDocument *doc, const char *key, char *json)
{
  CopydeskField *f = arena_alloc(doc, sizeof(CopydeskField));
  f->key = arena_strndup(doc, key, strlen(key));
  f->json = json;
  f->borrowed = TRUE;
  arena_ptrs_add(doc, &doc->fields, f);
}

CopydeskDocument *
copydesk_document_new_for_record(gsize line_len, char **text)
{
  CopydeskDocument *doc = document_memory(record_allocation(line_len));
  *text = doc->original;
  return doc;
}

CopydeskDocument *
copydesk_document_finish_record(CopydeskDocument *doc, gsize line_len, const char *id,
                                gsize id_len, gsize len, const CopydeskJsonField *fields,
                                guint n_fields)
{
  /* The arena's first block takes the rest of the allocation after room for the fields' bytes
   * (never more than the line), which is given back when it is much more than the block needs
   * (the line's other fields were long). */
  gsize offset = arena_offset(sizeof(CopydeskDocument) + len + 1 + line_len);
  gsize need = offset + arena_first_size(len), have = doc->alloc_size;
  if (have - need > MAX(64 * 1024, need / 4)) {
    doc = g_realloc(doc, need);
    doc->original = (char *)(doc + 1);
    have = doc->alloc_size = need;
  }
  doc->original[len] = '\0';
  doc->original_len = len;
  arena_init(doc, len, offset, have - offset);
  doc->id = arena_strndup(doc, id, id_len);
  doc->text = NULL; /* the original is the current text until an edit */
  copydesk_offset_map_init_identity(&doc->map, len);
  const guchar *p = (const guchar *)doc->original;
  gsize i = 0;
  while (i + 32 <= len && copydesk_ascii32(p + i))
    i += 32;
  while (i < len && p[i] < 0x80)
    i++;
  doc->original_ascii = i == len;

  char *at = doc->original + len + 1; /* the fields' bytes */
  for (guint k = 0; k < n_fields; k++) {
    char *json = at;
    memcpy(json, fields[k].json, fields[k].json_len);
    json[fields[k].json_len] = '\0';
    at += fields[k].json_len + 1;
    CopydeskField *f = find_field(doc, fields[k].key);
    if (f != NULL) {
      f->json = json; /* both in the allocation: the earlier value just stays there unused */
      continue;
    }
    gsize key_len = strlen(fields[k].key);
    f = arena_alloc(doc, sizeof(CopydeskField));
    f->key = memcpy(at, fields[k].key, key_len + 1);
    at += key_len + 1;
    f->json = json;
    f->borrowed = TRUE;
    arena_ptrs_add(doc, &doc->fields, f);
  }
  return doc;
}

void
copydesk_document_free(CopydeskDocument *doc)
{
  if (doc == NULL)
    return;
  /* Layers, spans, attributes, fields and interned strings are in the arena (labels and keys
   * may also be in the thread's shared strings); only the span arrays of large layers, the
   * strings of fields set again, the edited text and an edit's grown arrays are not. */
  for (guint i = 0; i < doc->layers.n; i++) {
    CopydeskLayer *layer = doc->layers.v[i];
    if (layer->cap_spans > SPANS_IN_ARENA)
      g_free(layer->spans);
  }
  for (guint i = 0; i < doc->fields.n; i++) {
    CopydeskField *f = doc->fields.v[i];
    if (!f->borrowed) {
      g_free(f->key);
      g_free(f->json);
    }
  }
  if (doc->errors != NULL) {
    for (guint i = 0; i < doc->errors->len; i++) {
      CopydeskDocError *e = doc->errors->pdata[i];
      g_free(e->stage);
      g_free(e->message);
      g_free(e);
    }
    g_ptr_array_free(doc->errors, TRUE);
  }
  g_free(doc->units);
  copydesk_edit_free_document_edit(doc);
  arena_free(&doc->arena);
  copydesk_offset_map_clear(&doc->map);
  g_free(doc->text);
  document_memory_free(doc);
}

const char *
copydesk_document_id(const CopydeskDocument *doc)
{
  return doc->id;
}

void
copydesk_document_set_id(CopydeskDocument *doc, const char *id)
{
  /* in the arena, as a stage sets an id once or twice at most */
  if (id == NULL)
    id = "";
  doc->id = arena_strndup(doc, id, strlen(id));
}

const char *
copydesk_document_text(const CopydeskDocument *doc, gsize *len)
{
  if (len)
    *len = copydesk_doc_text_len(doc);
  return copydesk_doc_text(doc);
}

const char *
copydesk_document_original(const CopydeskDocument *doc, gsize *len)
{
  if (len)
    *len = doc->original_len;
  return doc->original;
}

guint
copydesk_document_n_invalid_sequences(const CopydeskDocument *doc)
{
  return doc->n_invalid;
}

gsize
copydesk_document_original_start(const CopydeskDocument *doc, gsize pos)
{
  return copydesk_offset_map_start(&doc->map, pos);
}

gsize
copydesk_document_original_end(const CopydeskDocument *doc, gsize pos)
{
  return copydesk_offset_map_end(&doc->map, pos);
}

/* ---- Unit counts of well-formed text ----------------------------------------- */

/* In well-formed UTF-8 every byte but a continuation byte starts a character, and a
 * four-byte character (lead byte F0-F4) is two UTF-16 units: the counts before a byte are
 * that byte's offset less the continuation bytes before it, plus (UTF-16) the four-byte
 * leads before it.  The index holds, for every block of UNIT_BLOCK bytes, the counts before
 * it and which of its bytes are continuation bytes and four-byte leads (one bit a byte):
 * an offset is its block's counts plus the bytes before it in the block, less the bits
 * below it. */

/* The sixteen bytes at P. */
static inline V16
load16(const guchar *p)
{
  V16 v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* Sets BLOCK's bits from the UNIT_BLOCK bytes at P: continuation bytes (80-BF, below -64
 * read as signed) and four-byte leads (F0-FF), sixteen bytes at a time. */
static inline void
mark_whole_block(CopydeskUnitCounts *block, const guchar *p)
{
  V16 v0 = load16(p), v1 = load16(p + 16), v2 = load16(p + 32), v3 = load16(p + 48);
  guint64 conts = 0, fours = 0;
  if (G_UNLIKELY(v16_bits(v0 | v1 | v2 | v3) != 0)) { /* not all ASCII */
    conts = (guint64)v16_bits(v0 < -64) | (guint64)v16_bits(v1 < -64) << 16 |
            (guint64)v16_bits(v2 < -64) << 32 | (guint64)v16_bits(v3 < -64) << 48;
    fours = (guint64)v16_bits((V16)((V16Unsigned)v0 >= 0xF0)) |
            (guint64)v16_bits((V16)((V16Unsigned)v1 >= 0xF0)) << 16 |
            (guint64)v16_bits((V16)((V16Unsigned)v2 >= 0xF0)) << 32 |
            (guint64)v16_bits((V16)((V16Unsigned)v3 >= 0xF0)) << 48;
  }
  block->conts = conts;
  block->fours = fours;
}

/* Builds the block index of DOC's well-formed original in its arena, over the whole text at
 * once (a few instructions a block where it is ASCII); the last block, partial or empty, is read
 * from a copy padded with zeros. */
G_NO_INLINE static void
build_blocks(CopydeskDocument *doc)
{
  gsize n = doc->original_len / UNIT_BLOCK + 1; /* the blocks that start up to the end */
  CopydeskUnitCounts *blocks = arena_alloc(doc, n * sizeof(CopydeskUnitCounts));
  gsize codepoints = 0, utf16 = 0;
  for (gsize j = 0; j < n; j++) {
    const guchar *p = (const guchar *)doc->original + j * UNIT_BLOCK;
    CopydeskUnitCounts *block = &blocks[j];
    block->codepoints = codepoints;
    block->utf16 = utf16;
    if (j + 1 < n) {
      mark_whole_block(block, p);
    } else { /* the last block's bytes, then ASCII zeros */
      guchar last[UNIT_BLOCK] = {0};
      memcpy(last, p, doc->original_len % UNIT_BLOCK);
      mark_whole_block(block, last);
    }
    if ((block->conts | block->fours) == 0) { /* one character a byte */
      codepoints += UNIT_BLOCK;
      utf16 += UNIT_BLOCK;
      continue;
    }
    guint conts = popcount64(block->conts);
    codepoints += UNIT_BLOCK - conts;
    utf16 += UNIT_BLOCK - conts + (block->fours != 0 ? popcount64(block->fours) : 0);
  }
  doc->blocks = blocks;
}

/* The counts of DOC's well-formed original text that is not all ASCII before byte B (at most
 * its length), in code points or (UTF16) UTF-16 units, from the block index (made before). */
static inline gsize
well_formed_units(const CopydeskDocument *doc, gsize b, gboolean utf16)
{
  gsize r = b % UNIT_BLOCK;
  const CopydeskUnitCounts *a = &doc->blocks[b / UNIT_BLOCK];
  guint64 below = ((guint64)1 << r) - 1; /* the bytes of the block before B */
  guint64 conts = a->conts & below;
  if (!utf16)
    return a->codepoints + r - (conts != 0 ? popcount64(conts) : 0);
  guint64 fours = a->fours & below;
  if (G_LIKELY((conts | fours) == 0))
    return a->utf16 + r; /* one unit a byte */
  return a->utf16 + r - popcount64(conts) + popcount64(fours);
}

/* ---- Unit counts of ill-formed text ------------------------------------------ */

/* Advances CP over the ill-formed original text up to byte TARGET, counting the characters
 * that start before TARGET (an ill-formed byte is one character). */
static void
count_units_until(const CopydeskDocument *doc, CopydeskUnitCheckpoint *cp, gsize target)
{
  const guchar *p = (const guchar *)doc->original;
  gsize len = doc->original_len;
  while (cp->byte < target && cp->byte < len) {
    if (cp->byte + 8 <= target && cp->byte + 8 <= len && copydesk_ascii8(p + cp->byte)) {
      cp->byte += 8; /* eight ASCII bytes at once */
      cp->codepoints += 8;
      cp->utf16 += 8;
      continue;
    }
    if (p[cp->byte] < 0x80) {
      cp->byte++;
      cp->codepoints++;
      cp->utf16++;
      continue;
    }
    gsize n = copydesk_utf8_sequence_length(p + cp->byte, len - cp->byte);
    if (n == 0)
      n = 1;
    cp->byte += n;
    cp->codepoints++;
    cp->utf16 += (n == 4) ? 2 : 1;
  }
}

/* Extends the checkpoint index of ill-formed text up to byte TARGET (at most the end): records
 * the counts at the first character boundary at or after every multiple of UNIT_STRIDE the
 * frontier passes (up to 3 bytes past), and leaves the frontier at TARGET (or just past it,
 * inside a character). */
static void
extend_units(CopydeskDocument *doc, gsize target)
{
  gsize len = doc->original_len;
  if (doc->units == NULL) {
    doc->n_units = len / UNIT_STRIDE + 1; /* the multiples of the stride up to the end */
    doc->units = g_new(CopydeskUnitCheckpoint, doc->n_units);
    doc->units[0] = (CopydeskUnitCheckpoint){0, 0, 0};
    doc->n_built = 1;
    doc->frontier = doc->units[0];
  }
  target = MIN(target, len);
  for (gsize next = doc->n_built * UNIT_STRIDE; next <= target && doc->n_built < doc->n_units;
       next += UNIT_STRIDE) {
    count_units_until(doc, &doc->frontier, next);
    doc->units[doc->n_built++] = doc->frontier;
  }
  count_units_until(doc, &doc->frontier, target);
}

/* copydesk_document_original_offset() in ill-formed text, in code points or UTF-16 units.
 * The index is built as far as the furthest offset asked for, so offsets asked in increasing
 * order are counted from the one before (each byte once); an offset behind that is counted
 * from the nearer of the checkpoint before it and the last such answer. */
G_NO_INLINE static gsize
ill_formed_units(const CopydeskDocument *doc, gsize byte_offset, CopydeskOffsetUnit unit)
{
  /* The index is a cache: building it does not change what the document holds. */
  CopydeskDocument *mutable_doc = (CopydeskDocument *)doc;
  CopydeskUnitCheckpoint cp;
  if (doc->units == NULL || byte_offset >= doc->frontier.byte) {
    extend_units(mutable_doc, byte_offset);
    cp = doc->frontier;
  } else {
    const CopydeskUnitCheckpoint *units = doc->units;
    /* The checkpoint before BYTE_OFFSET is built, but one that stopped a few bytes past a
     * multiple of the stride may be past BYTE_OFFSET. */
    gsize k = MIN(byte_offset / UNIT_STRIDE, doc->n_built - 1);
    if (units[k].byte > byte_offset)
      k--; /* that checkpoint went past a character that starts before BYTE_OFFSET */
    if (k + 1 < doc->n_built) {
      const CopydeskUnitCheckpoint *a = &units[k], *b = &units[k + 1];
      gsize bytes = b->byte - a->byte;
      if (b->codepoints - a->codepoints == bytes && b->utf16 - a->utf16 == bytes) {
        /* Every character between the two checkpoints is one byte. */
        gsize d = byte_offset - a->byte;
        return unit == COPYDESK_UNIT_UTF16 ? a->utf16 + d : a->codepoints + d;
      }
    }
    cp = units[k];
    if (doc->cursor.byte > cp.byte && doc->cursor.byte <= byte_offset)
      cp = doc->cursor; /* nearer */
    count_units_until(doc, &cp, byte_offset);
    mutable_doc->cursor = cp;
  }
  return unit == COPYDESK_UNIT_UTF16 ? cp.utf16 : cp.codepoints;
}

gsize
copydesk_document_original_offset(const CopydeskDocument *doc, gsize byte_offset,
                                  CopydeskOffsetUnit unit)
{
  gsize b = MIN(byte_offset, doc->original_len);
  if (unit == COPYDESK_UNIT_BYTES || doc->original_ascii)
    return b; /* every character one byte, one unit */
  if (doc->n_invalid > 0)
    return ill_formed_units(doc, b, unit);
  if (G_UNLIKELY(doc->blocks == NULL))
    build_blocks((CopydeskDocument *)doc); /* the index is a cache */
  return well_formed_units(doc, b, unit == COPYDESK_UNIT_UTF16);
}

/* TRUE while DOC's text is as it was read (its map one identity segment over the whole
 * original): each current offset is its own original byte offset, up to the length. */
static inline gboolean
map_unchanged(const CopydeskDocument *doc)
{
  const CopydeskOffsetMap *map = &doc->map;
  const CopydeskSegment *seg = copydesk_offset_map_segs(map);
  gsize len = doc->original_len;
  return map->n_segs == 1 && seg->identity && seg->cur_start == 0 && seg->orig_start == 0 &&
         seg->cur_end == len && map->cur_len == len;
}

/* original_bytes() while map_unchanged(DOC): the offsets themselves, at most the length. */
static inline void
unchanged_bytes(const CopydeskDocument *doc, gsize start, gsize end, CopydeskOriginalRange *range)
{
  gsize len = doc->original_len;
  range->byte_start = MIN(start, len);
  range->byte_end = MAX(MIN(end, len), range->byte_start);
}

/* RANGE's original byte offsets for the current range [START, END) of DOC: those of
 * copydesk_document_original_start() and _end(), at most the original's length, the end never
 * before the start. */
static inline void
original_bytes(const CopydeskDocument *doc, gsize start, gsize end, CopydeskOriginalRange *range)
{
  gsize bs, be, len = doc->original_len;
  copydesk_offset_map_range_inline(&doc->map, start, end, &bs, &be);
  bs = MIN(bs, len);
  range->byte_start = bs;
  range->byte_end = MAX(MIN(be, len), bs);
}

/* original_bytes() for ranges asked mostly by increasing start: *AT is the segment of DOC's
 * map that held the start asked before (the first at first), walked forward from there, or
 * searched for when START lies before it. */
static inline void
original_bytes_walk(const CopydeskDocument *doc, guint *at, gsize start, gsize end,
                    CopydeskOriginalRange *range)
{
  const CopydeskOffsetMap *map = &doc->map;
  if (G_LIKELY(start < end && end <= map->cur_len)) {
    /* as copydesk_offset_map_range_inline(): the segment holding START (some segment does,
     * as START is inside the text), when it also holds the byte before END */
    const CopydeskSegment *segs = copydesk_offset_map_segs(map);
    guint h = *at;
    if (segs[h].cur_start > start)
      h = copydesk_offset_map_search(map, start);
    else
      while (segs[h].cur_end <= start)
        h++;
    *at = h;
    const CopydeskSegment *seg = &segs[h];
    if (end <= seg->cur_end) {
      gsize bs = seg->orig_start, be = seg->orig_end, len = doc->original_len;
      if (seg->identity) {
        bs = seg->orig_start + (start - seg->cur_start);
        be = seg->orig_start + (end - seg->cur_start);
      }
      bs = MIN(bs, len);
      range->byte_start = bs;
      range->byte_end = MAX(MIN(be, len), bs);
      return;
    }
  }
  original_bytes(doc, start, end, range);
}

/* How DOC's original byte offsets become offsets in a unit. */
typedef enum {
  UNITS_ARE_BYTES,   /* the unit is bytes, or every character is one byte */
  UNITS_WELL_FORMED, /* from the block index (made here if need be) */
  UNITS_ILL_FORMED,  /* from the checkpoints of text with invalid bytes */
} UnitCounting;

/* How DOC's offsets are counted in UNIT; makes the block index when they need it. */
static inline UnitCounting
unit_counting(const CopydeskDocument *doc, CopydeskOffsetUnit unit)
{
  if (unit == COPYDESK_UNIT_BYTES || doc->original_ascii)
    return UNITS_ARE_BYTES;
  if (G_LIKELY(doc->n_invalid == 0)) {
    if (G_UNLIKELY(doc->blocks == NULL))
      build_blocks((CopydeskDocument *)doc); /* the index is a cache */
    return UNITS_WELL_FORMED;
  }
  return UNITS_ILL_FORMED;
}

/* Sets RANGE's offsets in UNIT from its byte offsets, counted as HOW (unit_counting()) says. */
static inline void
range_units(const CopydeskDocument *doc, UnitCounting how, CopydeskOffsetUnit unit,
            CopydeskOriginalRange *range)
{
  if (how == UNITS_ARE_BYTES) {
    range->start = range->byte_start;
    range->end = range->byte_end;
  } else if (G_LIKELY(how == UNITS_WELL_FORMED)) {
    /* each unit its own copy of well_formed_units() */
    if (unit == COPYDESK_UNIT_UTF16) {
      range->start = well_formed_units(doc, range->byte_start, TRUE);
      range->end = well_formed_units(doc, range->byte_end, TRUE);
    } else {
      range->start = well_formed_units(doc, range->byte_start, FALSE);
      range->end = well_formed_units(doc, range->byte_end, FALSE);
    }
  } else {
    range->start = ill_formed_units(doc, range->byte_start, unit);
    range->end = ill_formed_units(doc, range->byte_end, unit);
  }
}

void
copydesk_document_original_range(const CopydeskDocument *doc, gsize start, gsize end,
                                 CopydeskOffsetUnit unit, CopydeskOriginalRange *range)
{
  if (map_unchanged(doc))
    unchanged_bytes(doc, start, end, range);
  else
    original_bytes(doc, start, end, range);
  range_units(doc, unit_counting(doc, unit), unit, range);
}

gboolean
copydesk_layer_original_ranges(const CopydeskLayer *layer, CopydeskOffsetUnit unit,
                               CopydeskOriginalRange *ranges)
{
  if (layer->n_spans == 0)
    return TRUE; /* (and no index made for nothing) */
  const CopydeskDocument *doc = layer->doc;
  UnitCounting how = unit_counting(doc, unit);
  gboolean unchanged = map_unchanged(doc);
  gboolean in_order = TRUE;
  gsize before_start = 0, before_end = G_MAXSIZE; /* the span before (none before the first) */
  guint at = 0; /* original_bytes_walk()'s segment */
  for (gsize i = 0; i < layer->n_spans; i++) {
    const CopydeskSpan *span = layer->spans[i];
    gsize start = span->start, end = span->end;
    /* out of copydesk_layer_sort()'s order: a later start, or the same start and shorter */
    if (before_start > start || (before_start == start && before_end < end))
      in_order = FALSE;
    before_start = start;
    before_end = end;
    if (unchanged)
      unchanged_bytes(doc, start, end, &ranges[i]);
    else
      original_bytes_walk(doc, &at, start, end, &ranges[i]);
    range_units(doc, how, unit, &ranges[i]);
  }
  return in_order;
}

/* ---- Fields --------------------------------------------------------------- */

guint
copydesk_document_n_fields(const CopydeskDocument *doc)
{
  return doc->fields.n;
}

const char *
copydesk_document_field_key(const CopydeskDocument *doc, guint i)
{
  g_return_val_if_fail(i < doc->fields.n, NULL);
  return ((CopydeskField *)doc->fields.v[i])->key;
}

const char *
copydesk_document_field_json(const CopydeskDocument *doc, guint i)
{
  g_return_val_if_fail(i < doc->fields.n, NULL);
  return ((CopydeskField *)doc->fields.v[i])->json;
}

const char *
copydesk_document_get_field(const CopydeskDocument *doc, const char *key)
{
  CopydeskField *f = find_field(doc, key);
  return f != NULL ? f->json : NULL;
}

void
copydesk_document_set_field(CopydeskDocument *doc, const char *key, const char *json)
{
  CopydeskField *f = find_field(doc, key);
  if (f != NULL) {
    char *copy = g_strdup(json);
    if (f->borrowed) { /* from now on the field owns its strings */
      f->key = g_strdup(f->key);
      f->borrowed = FALSE;
    } else {
      g_free(f->json);
    }
    f->json = copy;
    return;
  }
  add_field(doc, key, arena_strndup(doc, json, strlen(json)));
}

void
copydesk_document_set_field_string(CopydeskDocument *doc, const char *key, const char *value)
{
  gsize len = value != NULL ? strlen(value) : 0;
  const guchar *p = (const guchar *)(value != NULL ? value : "");
  if (json_plain_prefix(p, p + len, NULL) == len && find_field(doc, key) == NULL) {
    /* the JSON string of plain bytes is those bytes in quotes (copydesk_json_append_string()) */
    char *json = arena_alloc(doc, len + 3);
    json[0] = '"';
    memcpy(json + 1, p, len);
    json[len + 1] = '"';
    json[len + 2] = '\0';
    add_field(doc, key, json);
    return;
  }
  GString *json = g_string_new(NULL);
  copydesk_json_append_string(json, value, -1);
  copydesk_document_set_field(doc, key, json->str);
  g_string_free(json, TRUE);
}

/* ---- Errors --------------------------------------------------------------- */

void
copydesk_document_add_error(CopydeskDocument *doc, const char *stage, const char *message)
{
  if (doc->errors == NULL)
    doc->errors = g_ptr_array_new();
  CopydeskDocError *e = g_new(CopydeskDocError, 1);
  e->stage = g_strdup(stage ? stage : "");
  e->message = g_strdup(message ? message : "");
  g_ptr_array_add(doc->errors, e);
}

guint
copydesk_document_n_errors(const CopydeskDocument *doc)
{
  return doc->errors ? doc->errors->len : 0;
}

const char *
copydesk_document_error_stage(const CopydeskDocument *doc, guint i)
{
  g_return_val_if_fail(i < copydesk_document_n_errors(doc), NULL);
  return ((CopydeskDocError *)doc->errors->pdata[i])->stage;
}

const char *
copydesk_document_error_message(const CopydeskDocument *doc, guint i)
{
  g_return_val_if_fail(i < copydesk_document_n_errors(doc), NULL);
  return ((CopydeskDocError *)doc->errors->pdata[i])->message;
}

/* ---- Layers --------------------------------------------------------------- */

CopydeskLayer *
copydesk_document_layer(const CopydeskDocument *doc, const char *name)
{
  /* most names differ from NAME at their first byte: compared before any call */
  for (guint i = 0; i < doc->layers.n; i++) {
    CopydeskLayer *layer = doc->layers.v[i];
    if (layer->name[0] == name[0] && strcmp(layer->name, name) == 0)
      return layer;
  }
  return NULL;
}

CopydeskLayer *
copydesk_document_ensure_layer(CopydeskDocument *doc, const char *name)
{
  CopydeskLayer *layer = copydesk_document_layer(doc, name);
  if (layer)
    return layer;
  layer = arena_alloc(doc, sizeof(CopydeskLayer));
  memset(layer, 0, sizeof(CopydeskLayer));
  layer->doc = doc;
  layer->name = arena_strndup(doc, name, strlen(name));
  arena_ptrs_add(doc, &doc->layers, layer);
  return layer;
}

guint
copydesk_document_n_layers(const CopydeskDocument *doc)
{
  return doc->layers.n;
}

CopydeskLayer *
copydesk_document_nth_layer(const CopydeskDocument *doc, guint i)
{
  g_return_val_if_fail(i < doc->layers.n, NULL);
  return doc->layers.v[i];
}

const char *
copydesk_layer_name(const CopydeskLayer *layer)
{
  return layer->name;
}

gsize
copydesk_layer_n_spans(const CopydeskLayer *layer)
{
  return layer->n_spans;
}

CopydeskSpan *
copydesk_layer_span(const CopydeskLayer *layer, gsize i)
{
  g_return_val_if_fail(i < layer->n_spans, NULL);
  return layer->spans[i];
}

void
copydesk_layer_bounds(const CopydeskLayer *layer, gsize *bounds)
{
  for (gsize i = 0; i < layer->n_spans; i++) {
    bounds[2 * i] = layer->spans[i]->start;
    bounds[2 * i + 1] = layer->spans[i]->end;
  }
}

/* Up to WANT (> 0) consecutive new spans of DOC's blocks: returns the first, *GOT how many.
 * A new block holds all WANT when that is more than the next block size. */
static CopydeskSpan *
allocate_spans(CopydeskDocument *doc, gsize want, gsize *got)
{
  if (doc->span_block == NULL || doc->block_used == doc->block_cap) {
    gsize cap = MAX(span_block_size(doc->n_span_blocks), want);
    doc->span_block = arena_alloc(doc, cap * sizeof(CopydeskSpan));
    doc->block_cap = cap;
    doc->block_used = 0;
    doc->n_span_blocks++;
  }
  *got = MIN(want, doc->block_cap - doc->block_used);
  CopydeskSpan *first = &doc->span_block[doc->block_used];
  doc->block_used += *got;
  return first;
}

/* A fresh span from the document's blocks (its fields are not set). */
static CopydeskSpan *
allocate_span(CopydeskDocument *doc)
{
  gsize got;
  return allocate_spans(doc, 1, &got);
}

/* The slot of DOC's memo for strings passed at STR's address. */
static inline guint
intern_memo_slot(const char *str)
{
  guintptr address = (guintptr)str;
  return (guint)((address ^ (address >> 6)) & (COPYDESK_INTERN_MEMO - 1));
}

/* Whether SLOT of MEMO holds STR, passed at the same address and still spelled the same. */
static inline gboolean
memo_holds(const CopydeskInternMemo *memo, guint slot, const char *str)
{
  return memo[slot].given == str && strcmp(memo[slot].interned, str) == 0;
}

/* intern_memo() when the memo it looks at first does not hold STR: interns it, in the thread's
 * shared strings when DOC has them and they have it or room for it, else in DOC, and remembers
 * it in SLOT of the memo of the table that holds it (the shared memo never holds DOC's own
 * strings: it outlives DOC).  A string the shared table once had no room for never goes there
 * (it only fills up), so DOC's memo is asked first for it. */
G_NO_INLINE static const char *
intern_memo_miss(CopydeskDocument *doc, const char *str, guint slot)
{
  CopydeskSharedIntern *shared = doc->shared_intern;
  if (shared != NULL) {
    if (memo_holds(doc->intern_memo, slot, str))
      return doc->intern_memo[slot].interned;
    const char *interned = shared_intern(shared, str);
    if (interned != NULL) {
      shared->memo[slot] = (CopydeskInternMemo){str, interned};
      return interned;
    }
  }
  const char *interned = intern_string(doc, str);
  doc->intern_memo[slot] = (CopydeskInternMemo){str, interned};
  return interned;
}

/* STR interned in DOC, found first in the memo of the strings last passed at STR's address
 * (the bytes there compared, as they may have changed): DOC's, or the thread's shared one. */
static inline const char *
intern_memo(CopydeskDocument *doc, const char *str)
{
  const CopydeskInternMemo *memo =
      doc->shared_intern != NULL ? doc->shared_intern->memo : doc->intern_memo;
  guint slot = intern_memo_slot(str);
  if (G_LIKELY(memo_holds(memo, slot, str)))
    return memo[slot].interned;
  return intern_memo_miss(doc, str, slot);
}

/* LABEL interned in LAYER's document. */
static inline const char *
intern_label(CopydeskLayer *layer, const char *label)
{
  return intern_memo(layer->doc, label);
}

/* TRUE when [START, END) is a range of the LEN bytes of TEXT (NUL-terminated) on character
 * boundaries: neither START nor END a continuation byte (TEXT[LEN], the NUL, is none), both
 * tested at once. */
static inline gboolean
range_ok(const char *text, gsize len, gsize start, gsize end)
{
  if (start > end || end > len)
    return FALSE;
  return ((((guchar)text[start] & 0xC0) != 0x80) & (((guchar)text[end] & 0xC0) != 0x80)) != 0;
}

/* TRUE when [START, END) is a range of LAYER's text on character boundaries; otherwise
 * FALSE with ERROR naming the span and the layer. */
static gboolean
check_range(CopydeskLayer *layer, gsize start, gsize end, GError **error)
{
  CopydeskDocument *doc = layer->doc;
  gsize len = copydesk_doc_text_len(doc);
  if (range_ok(copydesk_doc_text(doc), len, start, end))
    return TRUE;
  if (start > end || end > len) {
    g_set_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_RANGE,
                "span [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") of layer '%s' is outside the "
                "text (%" G_GSIZE_FORMAT " bytes)",
                start, end, layer->name, len);
    return FALSE;
  }
  g_set_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_BOUNDARY,
              "span [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") of layer '%s' cuts a UTF-8 "
              "character",
              start, end, layer->name);
  return FALSE;
}

/* Room for N more spans in LAYER's span array: exactly N for an empty layer's first spans (at
 * least 16), else twice as many as it holds.  An array for up to SPANS_IN_ARENA spans lies in
 * the document's arena (a smaller one it replaced stays there), a larger one on the heap. */
static void
reserve_spans(CopydeskLayer *layer, gsize n)
{
  if (layer->n_spans + n <= layer->cap_spans)
    return;
  gsize cap = layer->cap_spans ? layer->cap_spans * 2 : MAX(n, 16);
  while (cap < layer->n_spans + n)
    cap *= 2;
  if (layer->cap_spans > SPANS_IN_ARENA) {
    layer->spans = g_renew(CopydeskSpan *, layer->spans, cap);
  } else {
    CopydeskSpan **spans = cap <= SPANS_IN_ARENA
                               ? arena_alloc(layer->doc, cap * sizeof(CopydeskSpan *))
                               : g_new(CopydeskSpan *, cap);
    if (layer->n_spans > 0)
      memcpy(spans, layer->spans, layer->n_spans * sizeof(CopydeskSpan *));
    layer->spans = spans;
  }
  layer->cap_spans = cap;
}

/* Makes SPAN (fresh from the blocks) [START, END) with the interned LABEL, at INDEX of its
 * LAYER. */
static inline void
init_span(CopydeskSpan *span, CopydeskLayer *layer, gsize start, gsize end,
          const char *interned, gsize index)
{
  span->layer = layer;
  span->start = start;
  span->end = end;
  span->label = interned;
  span->index = index;
  span->n_attrs = span->cap_attrs = 0;
  span->attrs = NULL;
}

CopydeskSpan *
copydesk_layer_add(CopydeskLayer *layer, gsize start, gsize end, const char *label,
                   GError **error)
{
  if (!check_range(layer, start, end, error))
    return NULL;
  reserve_spans(layer, 1);
  CopydeskSpan *span = allocate_span(layer->doc);
  init_span(span, layer, start, end, label ? intern_label(layer, label) : NULL, layer->n_spans);
  layer->spans[layer->n_spans++] = span;
  return span;
}

gboolean
copydesk_layer_add_spans(CopydeskLayer *layer, const CopydeskSpanInit *spans, gsize n,
                         GError **error)
{
  if (n == 0)
    return TRUE;
  const char *text = copydesk_doc_text(layer->doc);
  gsize len = copydesk_doc_text_len(layer->doc);
  reserve_spans(layer, n);
  /* The caller's label strings cannot change during this call, so a label pointer seen
   * before has the same interned form: the last one and a few others are remembered. */
  enum { SEEN = 8 };
  const char *seen[SEEN], *interned[SEEN];
  guint n_seen = 0, next_slot = 0;
  const char *last = NULL, *last_interned = NULL;
  CopydeskSpan **slot = layer->spans + layer->n_spans;
  gsize index = layer->n_spans;
  /* One pass checks and makes the spans; the layer takes them (N_SPANS) only when all are
   * good, so a bad one leaves it as it was (the spans made stay unused in the arena). */
  for (gsize i = 0; i < n;) {
    gsize room;
    CopydeskSpan *span = allocate_spans(layer->doc, n - i, &room);
    for (gsize stop = i + room; i < stop; i++, span++) {
      gsize start = spans[i].start, end = spans[i].end;
      if (G_UNLIKELY(!range_ok(text, len, start, end)))
        return check_range(layer, start, end, error); /* sets ERROR */
      const char *label = spans[i].label;
      if (label != last) {
        guint j = 0;
        while (j < n_seen && seen[j] != label)
          j++;
        if (j < n_seen) {
          last_interned = interned[j];
        } else {
          last_interned = label ? intern_label(layer, label) : NULL;
          seen[next_slot] = label;
          interned[next_slot] = last_interned;
          next_slot = (next_slot + 1) % SEEN;
          n_seen = MIN(n_seen + 1, SEEN);
        }
        last = label;
      }
      init_span(span, layer, start, end, last_interned, index++);
      *slot++ = span;
    }
  }
  layer->n_spans = index;
  return TRUE;
}

static gint
compare_spans(gconstpointer a, gconstpointer b)
{
  const CopydeskSpan *x = *(CopydeskSpan *const *)a;
  const CopydeskSpan *y = *(CopydeskSpan *const *)b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end > y->end ? -1 : 1; /* longer first */
  return x->index < y->index ? -1 : (x->index > y->index);
}

void
copydesk_layer_sort(CopydeskLayer *layer)
{
  /* Ties keep insertion order: the comparison ends on the old index. */
  if (layer->n_spans > 1)
    qsort(layer->spans, layer->n_spans, sizeof(CopydeskSpan *), compare_spans);
  for (gsize i = 0; i < layer->n_spans; i++)
    layer->spans[i]->index = i;
}

void
copydesk_layer_clear(CopydeskLayer *layer)
{
  for (gsize i = 0; i < layer->n_spans; i++)
    layer->spans[i]->layer = NULL;
  layer->n_spans = 0;
}

/* ---- Spans ---------------------------------------------------------------- */

gsize
copydesk_span_start(const CopydeskSpan *span)
{
  return span->start;
}

gsize
copydesk_span_end(const CopydeskSpan *span)
{
  return span->end;
}

const char *
copydesk_span_label(const CopydeskSpan *span)
{
  return span->label;
}

void
copydesk_span_set_label(CopydeskSpan *span, const char *label)
{
  g_return_if_fail(span->layer != NULL);
  span->label = label ? intern_label(span->layer, label) : NULL;
}

CopydeskLayer *
copydesk_span_layer(const CopydeskSpan *span)
{
  return span->layer;
}

gsize
copydesk_span_index(const CopydeskSpan *span)
{
  return span->index;
}

const char *
copydesk_span_text(const CopydeskSpan *span, gsize *len)
{
  if (len)
    *len = span->end - span->start;
  if (span->layer == NULL)
    return "";
  return copydesk_doc_text(span->layer->doc) + span->start;
}

/* The attribute KEY of SPAN, or NULL. */
static CopydeskAttr *
find_attr(const CopydeskSpan *span, const char *key)
{
  /* most keys differ from KEY at their first byte: compared before any call */
  for (guint i = 0; i < span->n_attrs; i++)
    if (span->attrs[i].key[0] == key[0] && strcmp(span->attrs[i].key, key) == 0)
      return &span->attrs[i];
  return NULL;
}

/* The attribute KEY of SPAN, added (unset) when absent. */
static CopydeskAttr *
ensure_attr(CopydeskSpan *span, const char *key)
{
  /* keys are interned: once KEY is, the span's keys compare by address */
  CopydeskDocument *doc = span->layer->doc;
  const char *interned = intern_memo(doc, key);
  for (guint i = 0; i < span->n_attrs; i++)
    if (span->attrs[i].key == interned)
      return &span->attrs[i];
  CopydeskAttr *attr;
  if (span->n_attrs == span->cap_attrs) {
    /* Room for six at first (a quote's speaker, its name and entity, its cue, confidence and
     * reason); the old array stays in the arena until the document goes. */
    span->cap_attrs = span->cap_attrs ? span->cap_attrs * 2 : 6;
    CopydeskAttr *attrs = arena_alloc(doc, span->cap_attrs * sizeof(CopydeskAttr));
    if (span->n_attrs > 0)
      memcpy(attrs, span->attrs, span->n_attrs * sizeof(CopydeskAttr));
    span->attrs = attrs;
  }
  attr = &span->attrs[span->n_attrs++];
  attr->key = interned;
  attr->type = COPYDESK_ATTR_NONE;
  return attr;
}

void
copydesk_span_set_string(CopydeskSpan *span, const char *key, const char *value)
{
  g_return_if_fail(span->layer != NULL);
  CopydeskAttr *attr = ensure_attr(span, key);
  if (value == NULL) {
    attr->type = COPYDESK_ATTR_NONE;
    return;
  }
  attr->type = COPYDESK_ATTR_STRING;
  attr->v.s = arena_strndup(span->layer->doc, value, strlen(value));
}

void
copydesk_span_set_int(CopydeskSpan *span, const char *key, gint64 value)
{
  g_return_if_fail(span->layer != NULL);
  CopydeskAttr *attr = ensure_attr(span, key);
  attr->type = COPYDESK_ATTR_INT;
  attr->v.i = value;
}

void
copydesk_span_set_double(CopydeskSpan *span, const char *key, double value)
{
  g_return_if_fail(span->layer != NULL);
  CopydeskAttr *attr = ensure_attr(span, key);
  attr->type = COPYDESK_ATTR_DOUBLE;
  attr->v.d = value;
}

void
copydesk_span_set_bool(CopydeskSpan *span, const char *key, gboolean value)
{
  g_return_if_fail(span->layer != NULL);
  CopydeskAttr *attr = ensure_attr(span, key);
  attr->type = COPYDESK_ATTR_BOOL;
  attr->v.b = value ? TRUE : FALSE;
}

void
copydesk_span_set_link(CopydeskSpan *span, const char *key, CopydeskSpan *target)
{
  g_return_if_fail(span->layer != NULL);
  g_return_if_fail(target == NULL ||
                   (target->layer != NULL && target->layer->doc == span->layer->doc));
  CopydeskAttr *attr = ensure_attr(span, key);
  attr->type = target ? COPYDESK_ATTR_LINK : COPYDESK_ATTR_NONE;
  attr->v.link = target;
}

CopydeskAttrType
copydesk_span_attr_type(const CopydeskSpan *span, const char *key)
{
  CopydeskAttr *attr = find_attr(span, key);
  if (attr == NULL)
    return COPYDESK_ATTR_NONE;
  if (attr->type == COPYDESK_ATTR_LINK && attr->v.link->layer == NULL)
    return COPYDESK_ATTR_NONE; /* the target was cleared */
  return attr->type;
}

const char *
copydesk_span_get_string(const CopydeskSpan *span, const char *key)
{
  CopydeskAttr *attr = find_attr(span, key);
  return (attr && attr->type == COPYDESK_ATTR_STRING) ? attr->v.s : NULL;
}

gint64
copydesk_span_get_int(const CopydeskSpan *span, const char *key, gint64 fallback)
{
  CopydeskAttr *attr = find_attr(span, key);
  return (attr && attr->type == COPYDESK_ATTR_INT) ? attr->v.i : fallback;
}

double
copydesk_span_get_double(const CopydeskSpan *span, const char *key, double fallback)
{
  CopydeskAttr *attr = find_attr(span, key);
  if (attr && attr->type == COPYDESK_ATTR_DOUBLE)
    return attr->v.d;
  if (attr && attr->type == COPYDESK_ATTR_INT)
    return (double)attr->v.i;
  return fallback;
}

gboolean
copydesk_span_get_bool(const CopydeskSpan *span, const char *key, gboolean fallback)
{
  CopydeskAttr *attr = find_attr(span, key);
  return (attr && attr->type == COPYDESK_ATTR_BOOL) ? attr->v.b : fallback;
}

CopydeskSpan *
copydesk_span_get_link(const CopydeskSpan *span, const char *key)
{
  CopydeskAttr *attr = find_attr(span, key);
  if (attr && attr->type == COPYDESK_ATTR_LINK && attr->v.link->layer != NULL)
    return attr->v.link;
  return NULL;
}

guint
copydesk_span_n_attrs(const CopydeskSpan *span)
{
  return span->n_attrs;
}

const char *
copydesk_span_attr_key(const CopydeskSpan *span, guint i)
{
  g_return_val_if_fail(i < span->n_attrs, NULL);
  return span->attrs[i].key;
}

/* ---- Moving spans after an edit ----------------------------------------- */

void
copydesk_document_move_spans(CopydeskDocument *doc, CopydeskPositionMapper map_start,
                             CopydeskPositionMapper map_end, gpointer data)
{
  for (guint l = 0; l < doc->layers.n; l++) {
    CopydeskLayer *layer = doc->layers.v[l];
    for (gsize i = 0; i < layer->n_spans; i++) {
      CopydeskSpan *span = layer->spans[i];
      gsize start = map_start(data, span->start);
      gsize end = map_end(data, span->end);
      span->start = start;
      span->end = MAX(start, end);
    }
  }
}
