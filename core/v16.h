/* copydesk — sixteen bytes at a time, for the core's and the plugins' scans (internal: a
 * header only).
 *
 * The vectors are GCC/Clang generic vectors: portable C that the compiler turns into SSE2 on
 * x86-64 and NEON on arm64.  Comparing two gives, in each byte, 0xFF where true and 0 where
 * false; v16_bits() makes that a mask, one bit a byte.
 */
#pragma once

#include <glib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Sixteen bytes read as signed (those from 0x80 are below 0), and the result of comparing
 * them. */
typedef gint8 V16 __attribute__((vector_size(16)));
/* The same sixteen bytes read as unsigned. */
typedef guchar V16Unsigned __attribute__((vector_size(16)));
/* The same sixteen bytes as two 64-bit words. */
typedef guint64 V2x64 __attribute__((vector_size(16)));

/* One bit for each of the sixteen bytes of M (0xFF or 0), the first byte lowest: SSE2's
 * movemask, or the high bits of each 64-bit half (read little-endian) gathered by a
 * multiplication, which carries nowhere. */
static inline guint v16_bits(V16 m) {
#if defined(__SSE2__)
  return (guint)_mm_movemask_epi8((__m128i)m);
#else
  const guint64 highs = G_GUINT64_CONSTANT(0x8080808080808080);
  const guint64 gather = G_GUINT64_CONSTANT(0x0002040810204081);
  V2x64 w = (V2x64)m;
  guint64 lo = GUINT64_FROM_LE(w[0]) & highs, hi = GUINT64_FROM_LE(w[1]) & highs;
  return (guint)((lo * gather) >> 56) | (guint)(((hi * gather) >> 56) << 8);
#endif
}

/* How many bits of X are set, without relying on a popcount instruction (x86-64's baseline
 * has none, and __builtin_popcountll() would then be a call). */
static inline guint popcount64(guint64 x) {
  x = x - ((x >> 1) & G_GUINT64_CONSTANT(0x5555555555555555));
  x = (x & G_GUINT64_CONSTANT(0x3333333333333333)) + ((x >> 2) & G_GUINT64_CONSTANT(0x3333333333333333));
  x = (x + (x >> 4)) & G_GUINT64_CONSTANT(0x0F0F0F0F0F0F0F0F);
  return (guint)((x * G_GUINT64_CONSTANT(0x0101010101010101)) >> 56);
}
