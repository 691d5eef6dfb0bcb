/* copydesk — offsets into the original text in code points or UTF-16 units, counted forwards.
 *
 * The json and jsonl records convert two or more byte offsets per span, mostly in
 * increasing order.  For a well-formed original the cursor counts them itself, from the
 * last offset asked for to the next one, sixteen bytes a step and with no call into the
 * core, and keeps the count at every kilobyte it passes (for the first 64 KB); a step
 * back, or a long step forwards over marks already set, counts from the nearest of the
 * kilobyte mark below and the last offset.  Other long steps back, and an original with
 * invalid bytes, go to copydesk_document_original_offset(), which gives the same numbers.
 *
 * Compiled into both plugin modules; nothing here is exported.
 */
#pragma once

#include <copydesk/copydesk.h>

G_BEGIN_DECLS

#define UNIT_CURSOR_MARK_STRIDE 1024 /* bytes between marks */
#define UNIT_CURSOR_MARKS 64         /* marks kept: the first 64 KB of the original */

typedef struct {
  const CopydeskDocument *doc;
  const guchar *text;      /* the original bytes */
  gsize len;               /* their count */
  CopydeskOffsetUnit unit; /* what an offset counts */
  gboolean counts_here;    /* the original is well-formed UTF-8 and UNIT is not bytes */
  gboolean utf16;          /* UNIT is UTF-16 units */
  gsize byte;              /* the last offset asked for ... */
  gsize units;             /* ... and its value: the characters (or UTF-16 units) before it */
  gsize next_mark;         /* the byte of the next mark to set (G_MAXSIZE: no more) */
  guint n_marks;           /* marks[k] holds the units before byte k * UNIT_CURSOR_MARK_STRIDE */
  gsize marks[UNIT_CURSOR_MARKS];
} UnitCursor;

/* Starts a cursor over DOC's original text for offsets in UNIT. */
void unit_cursor_init(UnitCursor *cursor, const CopydeskDocument *doc, CopydeskOffsetUnit unit);
/* The offset in the cursor's unit of byte BYTE of the original (clamped to its length). */
gsize unit_cursor_offset(UnitCursor *cursor, gsize byte);

G_END_DECLS
