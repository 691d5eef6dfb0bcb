/* copydesk — a pool of per-document work sets, for reentrant plugins (internal: compiled
 * into each plugin that uses it).
 *
 * A reentrant plugin processes documents on several threads at once, so its scratch
 * arrays cannot live in the instance; allocating them per document costs more than the
 * work on short articles.  The pool keeps the sets of finished documents for the next
 * ones: a thread takes one (or makes one when the pool is empty) and gives it back.  A set
 * given back while the spare slot is empty waits there, taken again without the lock (one
 * atomic exchange), which is all a pool needs while one thread uses it.
 */
#pragma once

#include <glib.h>

typedef struct {
  gpointer spare;           /* a set given back, or NULL (atomic) */
  GMutex lock;              /* guards SETS */
  GPtrArray *sets;          /* the sets given back, ready for another document */
  GDestroyNotify free_set;  /* frees one set */
} WorkPool;

/* Makes POOL empty; FREE_SET frees the sets it still holds when cleared. */
void work_pool_init(WorkPool *pool, GDestroyNotify free_set);
/* A set given back earlier, or NULL when there is none (the caller then makes one). */
gpointer work_pool_take(WorkPool *pool);
/* Gives SET back for another document; a set grown too large (KEEP FALSE) is freed. */
void work_pool_give(WorkPool *pool, gpointer set, gboolean keep);
/* Frees every set POOL holds (the spare one too), and its lock; no thread may use POOL then. */
void work_pool_clear(WorkPool *pool);
