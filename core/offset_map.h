/* copydesk — the offset map from current-text positions to original-text positions
 * (internal).
 *
 * The current text is a sequence of segments, each either an identity copy of an
 * original range (same length, mapped byte for byte) or a replacement of an original
 * range (any lengths; a position inside maps to the whole original range).  Only
 * segments with a non-empty current range are kept: deleted original text needs no
 * segment, positions on either side of it already map around it.
 */
#pragma once

#include <glib.h>

typedef struct {
  gsize cur_start, cur_end;   /* range in the current text (never empty) */
  gsize orig_start, orig_end; /* range in the original text */
  gboolean identity;          /* a byte-for-byte copy */
} CopydeskSegment;

typedef struct {
  /* The segments, contiguous over [0, cur_len): N_SEGS of them, in SEGS (room for CAP_SEGS,
   * on the heap), or, while SEGS is NULL, none or the one in FIRST (most texts have one). */
  CopydeskSegment *segs;
  CopydeskSegment first;
  guint n_segs, cap_segs;
  gsize cur_len;
  gsize orig_len;
  guint hint; /* the segment the last look-up found (a cache: positions asked in order) */
} CopydeskOffsetMap;

/* Initialises MAP as the identity over LEN bytes. */
void copydesk_offset_map_init_identity(CopydeskOffsetMap *map, gsize len);
/* Initialises MAP with no segments yet, over an original text of ORIG_LEN bytes. */
void copydesk_offset_map_init_empty(CopydeskOffsetMap *map, gsize orig_len);
/* Releases MAP's storage. */
void copydesk_offset_map_clear(CopydeskOffsetMap *map);
/* Appends a segment (merging with the previous one when both are contiguous identities). */
void copydesk_offset_map_append(CopydeskOffsetMap *map, gsize cur_len, gsize orig_start,
                                gsize orig_end, gboolean identity);
/* Original position of a span starting at current position POS. */
gsize copydesk_offset_map_start(const CopydeskOffsetMap *map, gsize pos);
/* Original position of a span ending at current position POS. */
gsize copydesk_offset_map_end(const CopydeskOffsetMap *map, gsize pos);
/* Appends to OUT the image under MAP of the current range [CUR_START, CUR_END), which is copied
 * unchanged into the new text (its segments clipped). */
void copydesk_offset_map_append_image(CopydeskOffsetMap *out, const CopydeskOffsetMap *map,
                                      gsize cur_start, gsize cur_end);

/* ---- Look-ups, inline for the core's hot paths ----------------------------- */

/* The segments of MAP (N_SEGS of them). */
static inline const CopydeskSegment *
copydesk_offset_map_segs(const CopydeskOffsetMap *map)
{
  return map->segs != NULL ? map->segs : &map->first;
}

/* Index of the first segment of MAP whose cur_end is greater than POS (n_segs if none), by
 * binary search; remembered in MAP's hint. */
guint copydesk_offset_map_search(const CopydeskOffsetMap *map, gsize pos);

/* Index of the first segment whose cur_end is greater than POS (n_segs if none). */
static inline guint
copydesk_offset_map_segment(const CopydeskOffsetMap *map, gsize pos)
{
  /* Positions are mostly asked for in increasing order: the segment found last time, or the
   * next one, holds POS. */
  const CopydeskSegment *segs = copydesk_offset_map_segs(map);
  guint n = map->n_segs, h = map->hint;
  if (G_LIKELY(h < n && segs[h].cur_start <= pos)) {
    if (pos < segs[h].cur_end)
      return h;
    if (h + 1 < n && pos < segs[h + 1].cur_end)
      return ((CopydeskOffsetMap *)map)->hint = h + 1; /* the hint is a cache */
  }
  return copydesk_offset_map_search(map, pos);
}

/* copydesk_offset_map_start() without the call. */
static inline gsize
copydesk_offset_map_start_inline(const CopydeskOffsetMap *map, gsize pos)
{
  if (pos >= map->cur_len)
    return map->orig_len;
  guint i = copydesk_offset_map_segment(map, pos);
  const CopydeskSegment *seg = &copydesk_offset_map_segs(map)[i];
  return seg->identity ? seg->orig_start + (pos - seg->cur_start) : seg->orig_start;
}

/* copydesk_offset_map_end() without the call. */
static inline gsize
copydesk_offset_map_end_inline(const CopydeskOffsetMap *map, gsize pos)
{
  if (pos == 0)
    return copydesk_offset_map_start_inline(map, 0);
  if (pos > map->cur_len)
    pos = map->cur_len;
  /* The segment holding the byte just before POS. */
  guint i = copydesk_offset_map_segment(map, pos - 1);
  const CopydeskSegment *seg = &copydesk_offset_map_segs(map)[i];
  return seg->identity ? seg->orig_start + (pos - seg->cur_start) : seg->orig_end;
}

/* Both ends at once: *ORIG_START receives the original position of a span starting at
 * current position START, *ORIG_END that of one ending at END. */
static inline void
copydesk_offset_map_range_inline(const CopydeskOffsetMap *map, gsize start, gsize end,
                                 gsize *orig_start, gsize *orig_end)
{
  if (G_LIKELY(start < end && end <= map->cur_len)) {
    /* Most ranges lie in one segment: the one holding START holds the byte before END. */
    guint i = copydesk_offset_map_segment(map, start);
    const CopydeskSegment *seg = &copydesk_offset_map_segs(map)[i];
    if (end <= seg->cur_end) {
      if (seg->identity) {
        *orig_start = seg->orig_start + (start - seg->cur_start);
        *orig_end = seg->orig_start + (end - seg->cur_start);
      } else {
        *orig_start = seg->orig_start;
        *orig_end = seg->orig_end;
      }
      return;
    }
  }
  *orig_start = copydesk_offset_map_start_inline(map, start);
  *orig_end = copydesk_offset_map_end_inline(map, end);
}
