/* copydesk — a pool of per-document work sets (see work_pool.h). */
#include "work_pool.h"

void work_pool_init(WorkPool *pool, GDestroyNotify free_set) {
  pool->spare = NULL;
  g_mutex_init(&pool->lock);
  pool->sets = g_ptr_array_new();
  pool->free_set = free_set;
}

gpointer work_pool_take(WorkPool *pool) {
  gpointer set = g_atomic_pointer_exchange(&pool->spare, NULL);
  if (set) return set;
  g_mutex_lock(&pool->lock);
  if (pool->sets->len > 0) set = g_ptr_array_steal_index_fast(pool->sets, pool->sets->len - 1);
  g_mutex_unlock(&pool->lock);
  return set;
}

void work_pool_give(WorkPool *pool, gpointer set, gboolean keep) {
  if (!keep) {
    pool->free_set(set);
    return;
  }
  if (g_atomic_pointer_compare_and_exchange(&pool->spare, NULL, set)) return;
  g_mutex_lock(&pool->lock);
  g_ptr_array_add(pool->sets, set);
  g_mutex_unlock(&pool->lock);
}

void work_pool_clear(WorkPool *pool) {
  if (pool->spare) pool->free_set(pool->spare);
  pool->spare = NULL;
  g_ptr_array_set_free_func(pool->sets, pool->free_set);
  g_ptr_array_free(pool->sets, TRUE);
  g_mutex_clear(&pool->lock);
}
