/* copydesk — allocator settings for a process that handles one document after another.
 *
 * A document allocates its layers, spans and scratch arrays and frees them all when its
 * record is written.  With glibc's defaults, freeing that much memory at the top of the
 * heap gives it back to the system (trim threshold 128 KiB) and blocks over 128 KiB come
 * from mmap and go back with munmap; the next document then faults every page in again.
 * On news articles of 10–100 KB that costs more system time than the work itself.  Freed
 * memory is kept instead, up to TRIM_THRESHOLD above what is in use: the peak resident
 * size does not change (it is still the largest document's), only how often the same
 * pages are handed back and forth.
 */
#include <stdlib.h>
#include <string.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "allocator.h"

#define TRIM_THRESHOLD (64 * 1024 * 1024)
#define MMAP_THRESHOLD (32 * 1024 * 1024) /* glibc's largest allowed value on 64-bit */

void
copydesk_allocator_tune(void)
{
#ifdef __GLIBC__
  const char *tunables = getenv("GLIBC_TUNABLES");
  if (tunables && strstr(tunables, "glibc.malloc."))
    return; /* the user chose */
  mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
  mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
#endif
}
