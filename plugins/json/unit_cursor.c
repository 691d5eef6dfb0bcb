/* copydesk — offsets into the original text in code points or UTF-16 units, counted forwards.
 *
 * In well-formed UTF-8 every byte but a continuation byte (10xxxxxx) starts a character,
 * and a character of four bytes (lead byte F0-F4) is two UTF-16 units; an offset inside a
 * character counts the characters that start before it, as the core does.
 */
#include "unit_cursor.h"

#include <string.h>

#define ONES G_GUINT64_CONSTANT(0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT(0x8080808080808080)

void unit_cursor_init(UnitCursor *cursor, const CopydeskDocument *doc, CopydeskOffsetUnit unit)
{
  memset(cursor, 0, sizeof *cursor);
  cursor->doc = doc;
  cursor->text = (const guchar *)copydesk_document_original(doc, &cursor->len);
  cursor->unit = unit;
  cursor->counts_here =
      unit != COPYDESK_UNIT_BYTES && copydesk_document_n_invalid_sequences(doc) == 0;
  cursor->utf16 = unit == COPYDESK_UNIT_UTF16;
  cursor->n_marks = 1; /* no units before byte 0 */
  cursor->next_mark = UNIT_CURSOR_MARK_STRIDE;
}

/* How many bytes of the eight in X (a well-formed UTF-8 fragment) count less than one unit, less
 * those that count two: continuation bytes (10xxxxxx) count none and, in UTF-16, the lead byte
 * of a four-byte character (F0-F4) counts two.  Bytes that are zero count one. */
static inline gssize unit_deficit(guint64 x, gboolean utf16)
{
  guint64 continuation = x & ~(x << 1) & HIGHS;
  gssize deficit = (gssize)(((continuation >> 7) * ONES) >> 56); /* one per flagged byte */
  if (utf16) {
    guint64 four = x & (x << 1) & (x << 2) & (x << 3) & HIGHS;
    deficit -= (gssize)(((four >> 7) * ONES) >> 56);
  }
  return deficit;
}

/* The units of the bytes [FROM, TO) of TEXT, well-formed UTF-8: one a byte, less the deficit of
 * the blocks that are not all ASCII, sixteen bytes a step. */
static G_ALWAYS_INLINE inline gsize count_units(const guchar *text, gsize from, gsize to, gboolean utf16)
{
  gsize n = to - from;
  gssize units = (gssize)n;
  const guchar *p = text + from;
  for (; n >= 16; n -= 16, p += 16) {
    guint64 a, b;
    memcpy(&a, p, sizeof a);
    memcpy(&b, p + 8, sizeof b);
    if (((a | b) & HIGHS) != 0)
      units -= unit_deficit(a, utf16) + unit_deficit(b, utf16);
  }
  if (n >= 8) {
    guint64 a;
    memcpy(&a, p, sizeof a);
    units -= unit_deficit(a, utf16);
    n -= 8;
    p += 8;
  }
  if (n > 0 && to >= 8) {
    /* The last one to seven bytes: the block that ends at TO, the bytes before P shifted out
     * (in their place come zero bytes, which have no deficit). */
    guint64 a;
    memcpy(&a, text + to - 8, sizeof a);
    units -= unit_deficit(GUINT64_FROM_LE(a) >> (8 * (8 - n)), utf16);
  } else {
    for (; n > 0; n--, p++)
      if ((*p & 0xC0) == 0x80)
        units--;
      else if (utf16 && *p >= 0xF0)
        units++;
  }
  return (gsize)units;
}

/* Moves the cursor forwards from where it is to BYTE, setting the marks it passes. */
static void move_forwards(UnitCursor *cursor, gsize byte)
{
  while (cursor->next_mark <= byte) {
    cursor->units += count_units(cursor->text, cursor->byte, cursor->next_mark, cursor->utf16);
    cursor->byte = cursor->next_mark;
    cursor->marks[cursor->n_marks++] = cursor->units;
    cursor->next_mark = cursor->n_marks < UNIT_CURSOR_MARKS
                            ? (gsize)cursor->n_marks * UNIT_CURSOR_MARK_STRIDE
                            : G_MAXSIZE;
  }
  cursor->units += count_units(cursor->text, cursor->byte, byte, cursor->utf16);
  cursor->byte = byte;
}

/* Moves the cursor to BYTE, which is before it or past the next mark to set (kept out of
 * unit_cursor_offset(), whose common case is a short count forwards). */
G_NO_INLINE static void seek(UnitCursor *cursor, gsize byte)
{
  guint k = (guint)MIN(byte / UNIT_CURSOR_MARK_STRIDE, G_MAXUINT);
  gsize mark = (gsize)k * UNIT_CURSOR_MARK_STRIDE;
  gsize from_cursor = byte >= cursor->byte ? byte - cursor->byte : cursor->byte - byte;
  if (k < cursor->n_marks && byte - mark < from_cursor) {
    /* Nearest the mark below: count on from it. */
    cursor->units = cursor->marks[k] + count_units(cursor->text, mark, byte, cursor->utf16);
    cursor->byte = byte;
  } else if (byte >= cursor->byte) {
    move_forwards(cursor, byte);
  } else if (from_cursor <= UNIT_CURSOR_MARK_STRIDE || k < cursor->n_marks) {
    cursor->units -= count_units(cursor->text, byte, cursor->byte, cursor->utf16);
    cursor->byte = byte;
  } else {
    cursor->units = copydesk_document_original_offset(cursor->doc, byte, cursor->unit);
    cursor->byte = byte;
  }
}

gsize unit_cursor_offset(UnitCursor *cursor, gsize byte)
{
  byte = MIN(byte, cursor->len);
  if (!cursor->counts_here) /* bytes, or invalid bytes that count one each: the core knows */
    return cursor->unit == COPYDESK_UNIT_BYTES
               ? byte
               : copydesk_document_original_offset(cursor->doc, byte, cursor->unit);
  if (G_LIKELY(byte >= cursor->byte && byte < cursor->next_mark)) {
    cursor->units += count_units(cursor->text, cursor->byte, byte, cursor->utf16);
    cursor->byte = byte;
  } else {
    seek(cursor, byte);
  }
  return cursor->units;
}
