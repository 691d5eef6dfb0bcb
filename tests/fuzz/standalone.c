/* copydesk — runs a fuzz target over files without libFuzzer, so every seed corpus is also a
 * plain regression test: `fuzz_config_standalone tests/fuzz/corpus/config`. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds FILE to the target; a folder is walked one level deep. */
static guint
run_path(const char *path)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
    GDir *dir = g_dir_open(path, 0, NULL);
    guint n = 0;
    const char *name;
    while (dir && (name = g_dir_read_name(dir)) != NULL) {
      char *child = g_build_filename(path, name, NULL);
      n += run_path(child);
      g_free(child);
    }
    if (dir)
      g_dir_close(dir);
    return n;
  }
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &data, &len, NULL)) {
    fprintf(stderr, "cannot read %s\n", path);
    return 0;
  }
  LLVMFuzzerTestOneInput((const uint8_t *)data, len);
  g_free(data);
  return 1;
}

int
main(int argc, char **argv)
{
  guint n = 0;
  for (int i = 1; i < argc; i++)
    n += run_path(argv[i]);
  printf("1..1\nok 1 - %u inputs ran without a crash\n", n);
  return 0;
}
