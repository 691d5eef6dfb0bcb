/* copydesk — how the command line sets up the C library's allocator (internal). */
#pragma once

/* Keeps freed memory in the process between documents instead of returning it to the
 * system after each one (glibc's defaults trim the heap and unmap large blocks on every
 * free, and the next document pays a page fault for every page again).  Does nothing when
 * the user set malloc tunables in GLIBC_TUNABLES, or on a C library other than glibc. */
void copydesk_allocator_tune(void);
