/* copydesk — offset map from current to original text positions. */
#include "offset_map.h"

void
copydesk_offset_map_init_empty(CopydeskOffsetMap *map, gsize orig_len)
{
  map->segments = g_array_sized_new(FALSE, FALSE, sizeof(CopydeskSegment), 1);
  map->cur_len = 0;
  map->orig_len = orig_len;
  map->hint = 0;
}

void
copydesk_offset_map_init_identity(CopydeskOffsetMap *map, gsize len)
{
  copydesk_offset_map_init_empty(map, len);
  if (len > 0)
    copydesk_offset_map_append(map, len, 0, len, TRUE);
}

void
copydesk_offset_map_clear(CopydeskOffsetMap *map)
{
  if (map->segments)
    g_array_free(map->segments, TRUE);
  map->segments = NULL;
  map->cur_len = 0;
}

void
copydesk_offset_map_append(CopydeskOffsetMap *map, gsize cur_len, gsize orig_start,
                           gsize orig_end, gboolean identity)
{
  if (cur_len == 0)
    return;
  if (identity && map->segments->len > 0) {
    CopydeskSegment *last =
        &g_array_index(map->segments, CopydeskSegment, map->segments->len - 1);
    if (last->identity && last->orig_end == orig_start) {
      last->cur_end += cur_len;
      last->orig_end = orig_end;
      map->cur_len += cur_len;
      return;
    }
  }
  CopydeskSegment seg = {
      .cur_start = map->cur_len,
      .cur_end = map->cur_len + cur_len,
      .orig_start = orig_start,
      .orig_end = orig_end,
      .identity = identity,
  };
  g_array_append_val(map->segments, seg);
  map->cur_len += cur_len;
}

/* Index of the first segment whose cur_end is greater than POS (segments->len if none), by
 * binary search; remembered in MAP's hint. */
G_NO_INLINE static guint
search_segments(const CopydeskOffsetMap *map, gsize pos)
{
  guint lo = 0, hi = map->segments->len;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (g_array_index(map->segments, CopydeskSegment, mid).cur_end > pos)
      hi = mid;
    else
      lo = mid + 1;
  }
  if (lo < map->segments->len)
    ((CopydeskOffsetMap *)map)->hint = lo; /* the hint is a cache */
  return lo;
}

/* Index of the first segment whose cur_end is greater than POS (segments->len if none). */
static inline guint
first_segment_ending_after(const CopydeskOffsetMap *map, gsize pos)
{
  /* Positions are mostly asked for in increasing order: the segment found last time, or the
   * next one, holds POS. */
  const CopydeskSegment *segs = (const CopydeskSegment *)(const void *)map->segments->data;
  guint n = map->segments->len, h = map->hint;
  if (G_LIKELY(h < n && segs[h].cur_start <= pos)) {
    if (pos < segs[h].cur_end)
      return h;
    if (h + 1 < n && pos < segs[h + 1].cur_end)
      return ((CopydeskOffsetMap *)map)->hint = h + 1; /* the hint is a cache */
  }
  return search_segments(map, pos);
}

/* copydesk_offset_map_start() without the call. */
static inline gsize
map_start(const CopydeskOffsetMap *map, gsize pos)
{
  if (pos >= map->cur_len)
    return map->orig_len;
  guint i = first_segment_ending_after(map, pos);
  const CopydeskSegment *seg = &g_array_index(map->segments, CopydeskSegment, i);
  return seg->identity ? seg->orig_start + (pos - seg->cur_start) : seg->orig_start;
}

/* copydesk_offset_map_end() without the call. */
static inline gsize
map_end(const CopydeskOffsetMap *map, gsize pos)
{
  if (pos == 0)
    return map_start(map, 0);
  if (pos > map->cur_len)
    pos = map->cur_len;
  /* The segment holding the byte just before POS. */
  guint i = first_segment_ending_after(map, pos - 1);
  const CopydeskSegment *seg = &g_array_index(map->segments, CopydeskSegment, i);
  return seg->identity ? seg->orig_start + (pos - seg->cur_start) : seg->orig_end;
}

gsize
copydesk_offset_map_start(const CopydeskOffsetMap *map, gsize pos)
{
  return map_start(map, pos);
}

gsize
copydesk_offset_map_end(const CopydeskOffsetMap *map, gsize pos)
{
  return map_end(map, pos);
}

void
copydesk_offset_map_range(const CopydeskOffsetMap *map, gsize start, gsize end,
                          gsize *orig_start, gsize *orig_end)
{
  if (G_LIKELY(start < end && end <= map->cur_len)) {
    /* Most ranges lie in one segment: the one holding START holds the byte before END. */
    guint i = first_segment_ending_after(map, start);
    const CopydeskSegment *seg = &g_array_index(map->segments, CopydeskSegment, i);
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
  *orig_start = map_start(map, start);
  *orig_end = map_end(map, end);
}

void
copydesk_offset_map_append_image(CopydeskOffsetMap *out, const CopydeskOffsetMap *map,
                                 gsize cur_start, gsize cur_end)
{
  if (cur_start >= cur_end)
    return;
  for (guint i = first_segment_ending_after(map, cur_start); i < map->segments->len; i++) {
    const CopydeskSegment *seg = &g_array_index(map->segments, CopydeskSegment, i);
    if (seg->cur_start >= cur_end)
      break;
    gsize a = MAX(cur_start, seg->cur_start);
    gsize b = MIN(cur_end, seg->cur_end);
    if (seg->identity)
      copydesk_offset_map_append(out, b - a, seg->orig_start + (a - seg->cur_start),
                                 seg->orig_start + (b - seg->cur_start), TRUE);
    else
      copydesk_offset_map_append(out, b - a, seg->orig_start, seg->orig_end, FALSE);
  }
}
