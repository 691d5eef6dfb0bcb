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

struct _CopydeskEdit {
  CopydeskDocument *doc;
  GArray *replacements; /* CopydeskReplacement, in order */
  GString *buffer;      /* all replacement bytes */
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

CopydeskEdit *
copydesk_edit_begin(CopydeskDocument *doc)
{
  g_return_val_if_fail(!doc->editing, NULL);
  CopydeskEdit *edit = g_new0(CopydeskEdit, 1);
  edit->doc = doc;
  edit->replacements = g_array_new(FALSE, FALSE, sizeof(CopydeskReplacement));
  edit->buffer = g_string_new(NULL);
  doc->editing = TRUE;
  return edit;
}

gboolean
copydesk_edit_replace(CopydeskEdit *edit, gsize start, gsize end, const char *text, gssize len,
                      GError **error)
{
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
  CopydeskReplacement r = {start, end, edit->buffer->len, (gsize)len};
  g_string_append_len(edit->buffer, text, len);
  g_array_append_val(edit->replacements, r);
  edit->last_end = end;
  return TRUE;
}

static void
free_edit(CopydeskEdit *edit)
{
  edit->doc->editing = FALSE;
  g_array_free(edit->replacements, TRUE);
  g_string_free(edit->buffer, TRUE);
  g_free(edit);
}

void
copydesk_edit_abort(CopydeskEdit *edit)
{
  if (edit)
    free_edit(edit);
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

/* Appends the LEN bytes at BYTES to TEXT, which was made with room for them (no NUL written). */
static inline void
append_bytes(GString *text, const char *bytes, gsize len)
{
  memcpy(text->str + text->len, bytes, len);
  text->len += len;
}

void
copydesk_edit_commit(CopydeskEdit *edit)
{
  CopydeskDocument *doc = edit->doc;
  if (edit->replacements->len == 0) {
    free_edit(edit);
    return;
  }
  const char *old = copydesk_doc_text(doc);
  gsize old_len = copydesk_doc_text_len(doc);
  /* room for every byte the new text can have: appended below without growing it */
  GString *text = g_string_sized_new(old_len + edit->buffer->len + 1);
  CopydeskOffsetMap map;
  copydesk_offset_map_init_empty(&map, doc->map.orig_len);
  /* each replacement adds the unchanged text before it and itself; the rest comes last */
  CopydeskEditMap emap = {g_new(CopydeskEditSegment, 2 * (gsize)edit->replacements->len + 1), 0,
                          old_len, 0};

  gsize pos = 0;
  for (guint i = 0; i < edit->replacements->len; i++) {
    const CopydeskReplacement *r = &g_array_index(edit->replacements, CopydeskReplacement, i);
    /* The unchanged text before the replacement. */
    add_edit_segment(&emap, pos, r->start, text->len, text->len + (r->start - pos), TRUE);
    append_bytes(text, old + pos, r->start - pos);
    copydesk_offset_map_append_image(&map, &doc->map, pos, r->start);
    /* The replacement: its bytes stand for the whole original range they replaced. */
    gsize orig_start = copydesk_offset_map_start_inline(&doc->map, r->start);
    gsize orig_end =
        (r->start == r->end) ? orig_start : copydesk_offset_map_end_inline(&doc->map, r->end);
    add_edit_segment(&emap, r->start, r->end, text->len, text->len + r->text_len, FALSE);
    append_bytes(text, edit->buffer->str + r->text_offset, r->text_len);
    copydesk_offset_map_append(&map, r->text_len, orig_start, orig_end, FALSE);
    pos = r->end;
  }
  add_edit_segment(&emap, pos, old_len, text->len, text->len + (old_len - pos), TRUE);
  append_bytes(text, old + pos, old_len - pos);
  text->str[text->len] = '\0';
  copydesk_offset_map_append_image(&map, &doc->map, pos, old_len);
  emap.new_len = text->len;

  copydesk_document_move_spans(doc, edit_map_start, edit_map_end, &emap);
  g_free(emap.segments);

  copydesk_offset_map_clear(&doc->map);
  doc->map = map;
  if (doc->text != NULL)
    g_string_free(doc->text, TRUE);
  doc->text = text;
  free_edit(edit);
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
