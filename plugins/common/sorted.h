/* copydesk — plugins: searching a sorted array of offsets. */
#pragma once

#include <glib.h>

/* The index of the first of the N sorted values V at or after KEY (N when there is none). */
static inline gsize sorted_first_at_least(const gsize *v, gsize n, gsize key) {
  gsize lo = 0, hi = n;
  while (lo < hi) {
    gsize mid = lo + (hi - lo) / 2;
    if (v[mid] < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}
