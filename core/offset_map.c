/* copydesk — offset map from current to original text positions. */
#include "offset_map.h"

void
copydesk_offset_map_init_empty(CopydeskOffsetMap *map, gsize orig_len)
{
  map->segs = NULL;
  map->n_segs = map->cap_segs = 0;
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
  g_free(map->segs);
  map->segs = NULL;
  map->n_segs = map->cap_segs = 0;
  map->cur_len = 0;
}

/* copydesk_offset_map_append() without the call (copydesk_offset_map_append_image() makes
 * one for each segment it copies). */
static inline void
append_segment(CopydeskOffsetMap *map, gsize cur_len, gsize orig_start, gsize orig_end,
               gboolean identity)
{
  if (cur_len == 0)
    return;
  if (identity && map->n_segs > 0) {
    CopydeskSegment *last = (map->segs != NULL ? map->segs : &map->first) + map->n_segs - 1;
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
  map->cur_len += cur_len;
  if (map->n_segs == 0) {
    map->first = seg;
    map->n_segs = 1;
    return;
  }
  if (map->segs == NULL) { /* the second segment: both go to the heap */
    map->cap_segs = 8;
    map->segs = g_new(CopydeskSegment, map->cap_segs);
    map->segs[0] = map->first;
  } else if (map->n_segs == map->cap_segs) {
    map->cap_segs *= 2;
    map->segs = g_renew(CopydeskSegment, map->segs, map->cap_segs);
  }
  map->segs[map->n_segs++] = seg;
}

void
copydesk_offset_map_append(CopydeskOffsetMap *map, gsize cur_len, gsize orig_start,
                           gsize orig_end, gboolean identity)
{
  append_segment(map, cur_len, orig_start, orig_end, identity);
}

/* The binary search behind copydesk_offset_map_segment(). */
guint
copydesk_offset_map_search(const CopydeskOffsetMap *map, gsize pos)
{
  const CopydeskSegment *segs = copydesk_offset_map_segs(map);
  guint lo = 0, hi = map->n_segs;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (segs[mid].cur_end > pos)
      hi = mid;
    else
      lo = mid + 1;
  }
  if (lo < map->n_segs)
    ((CopydeskOffsetMap *)map)->hint = lo; /* the hint is a cache */
  return lo;
}

gsize
copydesk_offset_map_start(const CopydeskOffsetMap *map, gsize pos)
{
  return copydesk_offset_map_start_inline(map, pos);
}

gsize
copydesk_offset_map_end(const CopydeskOffsetMap *map, gsize pos)
{
  return copydesk_offset_map_end_inline(map, pos);
}

void
copydesk_offset_map_append_image(CopydeskOffsetMap *out, const CopydeskOffsetMap *map,
                                 gsize cur_start, gsize cur_end)
{
  if (cur_start >= cur_end)
    return;
  const CopydeskSegment *segs = copydesk_offset_map_segs(map);
  for (guint i = copydesk_offset_map_segment(map, cur_start); i < map->n_segs; i++) {
    const CopydeskSegment *seg = &segs[i];
    if (seg->cur_start >= cur_end)
      break;
    gsize a = MAX(cur_start, seg->cur_start);
    gsize b = MIN(cur_end, seg->cur_end);
    if (seg->identity)
      append_segment(out, b - a, seg->orig_start + (a - seg->cur_start),
                     seg->orig_start + (b - seg->cur_start), TRUE);
    else
      append_segment(out, b - a, seg->orig_start, seg->orig_end, FALSE);
  }
}
