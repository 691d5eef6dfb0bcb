/* copydesk — rewriting a document's text while keeping the offset map and spans right.
 *
 * An edit collects replacements in increasing order, then commit builds the new text
 * in one pass, composes the offset map (new → old → original) and moves every span.
 * The cost is linear in the text plus the number of segments and spans.
 */
#include <string.h>

#include <copydesk/errors.h>

#include "document_private.h"
#include "utf8.h"

typedef struct {
  gsize start, end;    /* replaced range of the current text */
  gsize text_offset;   /* where the replacement's bytes start in edit->buffer */
  gsize text_len;
} CopydeskReplacement;

/* The room an edit's replacements and their bytes first have, in the document's arena; past
 * it they move to the heap, where they stay for the document's next edits unless they grew past
 * EDIT_KEEP_BYTES together. */
#define EDIT_FIRST_REPLACEMENTS 16
#define EDIT_FIRST_BYTES 256
#define EDIT_KEEP_BYTES (64 * 1024)

/* A document's edit: made in its arena by its first copydesk_edit_begin() and used again by the
 * next ones (one is open at a time), so that most edits allocate nothing. */
struct _CopydeskEdit {
  CopydeskDocument *doc;
  CopydeskReplacement *replacements; /* N_REPLACEMENTS of CAP_REPLACEMENTS, in order */
  gsize n_replacements, cap_replacements;
  char *buffer; /* all replacement bytes: BUFFER_LEN of BUFFER_CAP */
  gsize buffer_len, buffer_cap;
  gsize last_end;
};

/* How one range of the old text became a range of the new text. */
typedef struct {
  gsize old_start, old_end;
  gsize new_start, new_end;
  gboolean identity;
} CopydeskEditSegment;

typedef struct {
  CopydeskEditSegment *segments; /* N_SEGMENTS, in order over the old text (room for
                                  * 2 x replacements + 1) */
  guint n_segments;
  gsize old_len, new_len;
} CopydeskEditMap;

/* The segments of an edit map that commit keeps on the stack: those of up to eight
 * replacements. */
#define EDIT_STACK_SEGMENTS 17

CopydeskEdit *
copydesk_edit_begin(CopydeskDocument *doc)
{
  g_return_val_if_fail(!doc->editing, NULL);
  CopydeskEdit *edit = doc->edit;
  if (edit == NULL) {
    edit = doc->edit = copydesk_document_arena_alloc(doc, sizeof(CopydeskEdit));
    edit->doc = doc;
    edit->cap_replacements = EDIT_FIRST_REPLACEMENTS;
    edit->replacements =
        copydesk_document_arena_alloc(doc, EDIT_FIRST_REPLACEMENTS * sizeof(CopydeskReplacement));
    edit->buffer_cap = EDIT_FIRST_BYTES;
    edit->buffer = copydesk_document_arena_alloc(doc, EDIT_FIRST_BYTES);
  }
  edit->n_replacements = 0;
  edit->buffer_len = 0;
  edit->last_end = 0;
  doc->editing = TRUE;
  return edit;
}

/* Makes *ARRAY, of *CAP items of SIZE bytes of which N are used, hold at least NEED items, by
 * doubling *CAP: first it lies in the arena with FIRST items; a larger one is on the heap. */
static void
grow_array(void **array, gsize *cap, gsize n, gsize size, gsize first, gsize need)
{
  gsize cap2 = *cap * 2;
  while (cap2 < need)
    cap2 *= 2;
  if (*cap > first) {
    *array = g_realloc_n(*array, cap2, size);
  } else {
    void *heap = g_malloc_n(cap2, size);
    memcpy(heap, *array, n * size);
    *array = heap;
  }
  *cap = cap2;
}

gboolean
copydesk_edit_replace(CopydeskEdit *edit, gsize start, gsize end, const char *text, gssize len,
                      GError **error)
{
  if (!edit->doc->editing) {
    g_set_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_FAILED,
                "edit used after it was committed or aborted; begin a new one with "
                "copydesk_edit_begin()");
    return FALSE;
  }
  const char *cur = copydesk_doc_text(edit->doc);
  gsize cur_len = copydesk_doc_text_len(edit->doc);
  if (len < 0)
    len = text ? (gssize)strlen(text) : 0;
  if (start > end || end > cur_len) {
    g_set_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_RANGE,
                "edit [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") is outside the text (%"
                G_GSIZE_FORMAT " bytes)", start, end, cur_len);
    return FALSE;
  }
  if (start < edit->last_end) {
    g_set_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_ORDER,
                "edit [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") starts before the end of the "
                "previous edit (%" G_GSIZE_FORMAT "); give edits in increasing order",
                start, end, edit->last_end);
    return FALSE;
  }
  if (!copydesk_utf8_is_boundary(cur, cur_len, start) ||
      !copydesk_utf8_is_boundary(cur, cur_len, end)) {
    g_set_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_BOUNDARY,
                "edit [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") cuts a UTF-8 character",
                start, end);
    return FALSE;
  }
  if (len > 0 && !copydesk_utf8_validate(text, len)) {
    g_set_error(error, COPYDESK_DOCUMENT_ERROR, COPYDESK_DOCUMENT_ERROR_UTF8,
                "replacement text for [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") is not "
                "valid UTF-8", start, end);
    return FALSE;
  }
  if (start == end && len == 0)
    return TRUE; /* nothing to do */
  if (edit->n_replacements == edit->cap_replacements)
    grow_array((void **)&edit->replacements, &edit->cap_replacements, edit->n_replacements,
               sizeof(CopydeskReplacement), EDIT_FIRST_REPLACEMENTS, edit->n_replacements + 1);
  if (edit->buffer_cap - edit->buffer_len < (gsize)len)
    grow_array((void **)&edit->buffer, &edit->buffer_cap, edit->buffer_len, 1, EDIT_FIRST_BYTES,
               edit->buffer_len + (gsize)len);
  edit->replacements[edit->n_replacements++] =
      (CopydeskReplacement){start, end, edit->buffer_len, (gsize)len};
  if (len > 0)
    memcpy(edit->buffer + edit->buffer_len, text, (gsize)len);
  edit->buffer_len += (gsize)len;
  edit->last_end = end;
  return TRUE;
}

/* Frees what EDIT (the document's) holds on the heap: all of it when the document goes (ALL),
 * else the arrays once they grew past EDIT_KEEP_BYTES together (new first room for them then
 * comes from the arena). */
static void
release_edit(CopydeskEdit *edit, gboolean all)
{
  gsize replacement_bytes = edit->cap_replacements * sizeof(CopydeskReplacement);
  if (!all && replacement_bytes + edit->buffer_cap <= EDIT_KEEP_BYTES)
    return;
  if (edit->cap_replacements > EDIT_FIRST_REPLACEMENTS) {
    g_free(edit->replacements);
    edit->replacements = all ? NULL
                             : copydesk_document_arena_alloc(
                                   edit->doc, EDIT_FIRST_REPLACEMENTS * sizeof(CopydeskReplacement));
    edit->cap_replacements = EDIT_FIRST_REPLACEMENTS;
  }
  if (edit->buffer_cap > EDIT_FIRST_BYTES) {
    g_free(edit->buffer);
    edit->buffer = all ? NULL : copydesk_document_arena_alloc(edit->doc, EDIT_FIRST_BYTES);
    edit->buffer_cap = EDIT_FIRST_BYTES;
  }
}

void
copydesk_edit_free_document_edit(CopydeskDocument *doc)
{
  if (doc->edit != NULL)
    release_edit(doc->edit, TRUE);
}

/* Ends EDIT: it holds no replacements any more (a commit or replace after its end finds it
 * closed and changes nothing), and its document may begin another. */
static void
end_edit(CopydeskEdit *edit)
{
  edit->doc->editing = FALSE;
  edit->n_replacements = 0;
  edit->buffer_len = 0;
  edit->last_end = 0;
  release_edit(edit, FALSE);
}

void
copydesk_edit_abort(CopydeskEdit *edit)
{
  if (edit == NULL)
    return;
  g_return_if_fail(edit->doc->editing);
  end_edit(edit);
}

/* Adds to EMAP that the old range [OLD_START, OLD_END) became [NEW_START, NEW_END), unless both
 * are empty. */
static void
add_edit_segment(CopydeskEditMap *emap, gsize old_start, gsize old_end, gsize new_start,
                 gsize new_end, gboolean identity)
{
  if (old_start == old_end && new_start == new_end)
    return;
  emap->segments[emap->n_segments++] =
      (CopydeskEditSegment){old_start, old_end, new_start, new_end, identity};
}

/* Index of the first edit segment whose old_end is at least POS (strictly greater when
 * STRICT). */
static guint
edit_segment_search(const CopydeskEditMap *emap, gsize pos, gboolean strict)
{
  guint lo = 0, hi = emap->n_segments;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    gsize old_end = emap->segments[mid].old_end;
    if (strict ? old_end > pos : old_end >= pos)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/* New position of an old span start: text inserted exactly there stays outside the span. */
static gsize
edit_map_start(gpointer data, gsize pos)
{
  const CopydeskEditMap *emap = data;
  if (pos >= emap->old_len)
    return emap->new_len;
  const CopydeskEditSegment *seg = &emap->segments[edit_segment_search(emap, pos, TRUE)];
  return seg->identity ? seg->new_start + (pos - seg->old_start) : seg->new_start;
}

/* New position of an old span end. */
static gsize
edit_map_end(gpointer data, gsize pos)
{
  const CopydeskEditMap *emap = data;
  if (pos == 0)
    return edit_map_start(data, 0);
  if (pos > emap->old_len)
    pos = emap->old_len;
  const CopydeskEditSegment *seg = &emap->segments[edit_segment_search(emap, pos, FALSE)];
  return seg->identity ? seg->new_start + (pos - seg->old_start) : seg->new_end;
}

/* The new text that commit writes: LEN bytes at STR so far, which has room for all. */
typedef struct {
  char *str;
  gsize len;
} NewText;

/* Appends the LEN bytes at BYTES to TEXT, which was made with room for them (no NUL written). */
static inline void
append_bytes(NewText *text, const char *bytes, gsize len)
{
  memcpy(text->str + text->len, bytes, len);
  text->len += len;
}

void
copydesk_edit_commit(CopydeskEdit *edit)
{
  CopydeskDocument *doc = edit->doc;
  g_return_if_fail(doc->editing);
  if (edit->n_replacements == 0) {
    end_edit(edit);
    return;
  }
  const char *old = copydesk_doc_text(doc);
  gsize old_len = copydesk_doc_text_len(doc);
  /* room for every byte the new text can have: appended below without growing it */
  NewText new_text = {g_malloc(old_len + edit->buffer_len + 1), 0}, *text = &new_text;
  CopydeskOffsetMap map;
  copydesk_offset_map_init_empty(&map, doc->map.orig_len);
  /* each replacement adds the unchanged text before it and itself; the rest comes last */
  gsize n_segments = 2 * edit->n_replacements + 1;
  CopydeskEditSegment stack_segments[EDIT_STACK_SEGMENTS];
  CopydeskEditMap emap = {n_segments <= EDIT_STACK_SEGMENTS
                              ? stack_segments
                              : g_new(CopydeskEditSegment, n_segments),
                          0, old_len, 0};

  gsize pos = 0;
  for (gsize i = 0; i < edit->n_replacements; i++) {
    const CopydeskReplacement *r = &edit->replacements[i];
    /* The unchanged text before the replacement. */
    add_edit_segment(&emap, pos, r->start, text->len, text->len + (r->start - pos), TRUE);
    append_bytes(text, old + pos, r->start - pos);
    copydesk_offset_map_append_image(&map, &doc->map, pos, r->start);
    /* The replacement: its bytes stand for the whole original range they replaced. */
    gsize orig_start = copydesk_offset_map_start_inline(&doc->map, r->start);
    gsize orig_end =
        (r->start == r->end) ? orig_start : copydesk_offset_map_end_inline(&doc->map, r->end);
    add_edit_segment(&emap, r->start, r->end, text->len, text->len + r->text_len, FALSE);
    append_bytes(text, edit->buffer + r->text_offset, r->text_len);
    copydesk_offset_map_append(&map, r->text_len, orig_start, orig_end, FALSE);
    pos = r->end;
  }
  add_edit_segment(&emap, pos, old_len, text->len, text->len + (old_len - pos), TRUE);
  append_bytes(text, old + pos, old_len - pos);
  text->str[text->len] = '\0';
  copydesk_offset_map_append_image(&map, &doc->map, pos, old_len);
  emap.new_len = text->len;

  copydesk_document_move_spans(doc, edit_map_start, edit_map_end, &emap);
  if (emap.segments != stack_segments)
    g_free(emap.segments);

  copydesk_offset_map_clear(&doc->map);
  doc->map = map;
  g_free(doc->text);
  doc->text = new_text.str;
  doc->text_len = new_text.len;
  end_edit(edit);
}

gboolean
copydesk_document_replace(CopydeskDocument *doc, gsize start, gsize end, const char *text,
                          gssize len, GError **error)
{
  CopydeskEdit *edit = copydesk_edit_begin(doc);
  if (!copydesk_edit_replace(edit, start, end, text, len, error)) {
    copydesk_edit_abort(edit);
    return FALSE;
  }
  copydesk_edit_commit(edit);
  return TRUE;
}
