/* Tests of the work-set pool reentrant plugins keep their scratch in
 * (plugins/common/work_pool.c): a set is held by one document at a time, sets come back for
 * the next documents, and every set is freed once. */
#include <glib.h>

#include "work_pool.h"

/* A work set: who holds it now, and how many sets are alive. */
typedef struct {
  gint held;
} Set;

static gint sets_alive;

static void set_free(gpointer p) {
  g_free(p);
  g_atomic_int_add(&sets_alive, -1);
}

static Set *set_new(void) {
  g_atomic_int_inc(&sets_alive);
  return g_new0(Set, 1);
}

/* One thread: take a set (or make one), hold it, give it back, many times. */
static gpointer churn(gpointer data) {
  WorkPool *pool = data;
  for (int i = 0; i < 20000; i++) {
    Set *s = work_pool_take(pool);
    if (!s) s = set_new();
    /* no other thread holds it */
    g_assert_cmpint(g_atomic_int_add(&s->held, 1), ==, 0);
    g_thread_yield();
    g_assert_cmpint(g_atomic_int_add(&s->held, -1), ==, 1);
    work_pool_give(pool, s, i % 97 != 0); /* now and then a set too large to keep */
  }
  return NULL;
}

/* One thread: the set given back is the one taken next; a set not kept is freed. */
static void test_one_thread(void) {
  WorkPool pool;
  work_pool_init(&pool, set_free);
  g_assert_null(work_pool_take(&pool));
  Set *a = set_new(), *b = set_new(), *c = set_new();
  work_pool_give(&pool, a, TRUE);
  work_pool_give(&pool, b, TRUE);
  work_pool_give(&pool, c, FALSE);
  g_assert_cmpint(sets_alive, ==, 2);
  Set *x = work_pool_take(&pool), *y = work_pool_take(&pool);
  g_assert_true((x == a && y == b) || (x == b && y == a));
  g_assert_null(work_pool_take(&pool));
  work_pool_give(&pool, x, TRUE);
  work_pool_give(&pool, y, TRUE);
  work_pool_clear(&pool);
  g_assert_cmpint(sets_alive, ==, 0);
}

/* Four threads at once: no set is held twice, and clearing frees every set left. */
static void test_threads(void) {
  WorkPool pool;
  work_pool_init(&pool, set_free);
  GThread *threads[4];
  for (int i = 0; i < 4; i++) threads[i] = g_thread_new("churn", churn, &pool);
  for (int i = 0; i < 4; i++) g_thread_join(threads[i]);
  g_assert_cmpint(sets_alive, >=, 1);
  g_assert_cmpint(sets_alive, <=, 4);
  work_pool_clear(&pool);
  g_assert_cmpint(sets_alive, ==, 0);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/work_pool/one_thread", test_one_thread);
  g_test_add_func("/work_pool/threads", test_threads);
  return g_test_run();
}
