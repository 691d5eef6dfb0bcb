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
  GArray *segments; /* CopydeskSegment, contiguous over [0, cur_len) */
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
/* Both at once: *ORIG_START receives the original position of a span starting at current
 * position START, *ORIG_END that of one ending at END. */
void copydesk_offset_map_range(const CopydeskOffsetMap *map, gsize start, gsize end,
                               gsize *orig_start, gsize *orig_end);
/* Appends to OUT the image under MAP of the current range [CUR_START, CUR_END), which is copied
 * unchanged into the new text (its segments clipped). */
void copydesk_offset_map_append_image(CopydeskOffsetMap *out, const CopydeskOffsetMap *map,
                                      gsize cur_start, gsize cur_end);
