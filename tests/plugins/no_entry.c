/* A shared object without the entry symbol: the loader must refuse it. */
int no_entry_answer(void);
__attribute__((visibility("default"))) int no_entry_answer(void) { return 42; }
