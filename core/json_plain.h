/* copydesk — the bytes of a JSON string that stand for themselves, found eight at a time
 * (internal: shared by the JSONL reader and the JSON writer). */
#pragma once

#include <glib.h>
#include <string.h>

/* TRUE for a byte that stands for itself inside a JSON string and needs no UTF-8 check. */
static inline gboolean json_is_plain(guchar c)
{
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

#define JSON_ONES G_GUINT64_CONSTANT(0x0101010101010101)
#define JSON_HIGHS G_GUINT64_CONSTANT(0x8080808080808080)

/* For the eight bytes of V (the first byte lowest): zero when all are plain, else a mask whose
 * lowest set bit is the high bit of the first byte that is not (a quote, a backslash, a control
 * character or a byte >= 0x80).  Bytes after that one may be flagged wrongly: a borrow runs up
 * only from a special byte. */
static inline guint64 json_block_special(guint64 v)
{
  return (((v ^ (JSON_ONES * '"')) - JSON_ONES) | ((v ^ (JSON_ONES * '\\')) - JSON_ONES) | (v - JSON_ONES * 0x20) | v) &
         JSON_HIGHS;
}

/* The position (0-7) in its block of the first special byte of MASK (nonzero). */
static inline gsize json_first_special(guint64 mask)
{
  return (gsize)__builtin_ctzll(mask) / 8;
}

/* How many bytes from P on (up to END) are plain, looked at sixteen and eight at a time.  With O
 * non-NULL, also copies them to O, in whole blocks of eight: up to seven bytes more than the
 * count may be written (never more than END - P). */
static inline gsize json_plain_prefix(const guchar *p, const guchar *end, char *o)
{
  const guchar *start = p;
  while (end - p >= 16) {
    guint64 a, b;
    memcpy(&a, p, sizeof a);
    memcpy(&b, p + 8, sizeof b);
    if (o != NULL) {
      memcpy(o + (p - start), &a, sizeof a);
      memcpy(o + (p - start) + 8, &b, sizeof b);
    }
    guint64 mask_a = json_block_special(GUINT64_FROM_LE(a));
    guint64 mask_b = json_block_special(GUINT64_FROM_LE(b));
    if (mask_a != 0)
      return (gsize)(p - start) + json_first_special(mask_a);
    if (mask_b != 0)
      return (gsize)(p - start) + 8 + json_first_special(mask_b);
    p += 16;
  }
  if (end - p >= 8) {
    guint64 a;
    memcpy(&a, p, sizeof a);
    if (o != NULL)
      memcpy(o + (p - start), &a, sizeof a);
    guint64 mask = json_block_special(GUINT64_FROM_LE(a));
    if (mask != 0)
      return (gsize)(p - start) + json_first_special(mask);
    p += 8;
  }
  while (p < end && json_is_plain(*p)) {
    if (o != NULL)
      o[p - start] = (char)*p;
    p++;
  }
  return (gsize)(p - start);
}

/* Copies the N-byte (2-4) UTF-8 sequence at P to O. */
static inline void json_copy_sequence(char *o, const guchar *p, gsize n)
{
  o[0] = (char)p[0];
  o[1] = (char)p[1];
  if (n > 2)
    o[2] = (char)p[2];
  if (n > 3)
    o[3] = (char)p[3];
}
