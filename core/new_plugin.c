/* copydesk — `copydesk new-plugin NAME`: a plugin folder that builds and passes its test. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "new_plugin.h"
#include "paths.h"
#include "plugin_loader.h"
#include "runner.h"
#include "templates.h"

typedef struct {
  const char *kind;
  const char *plugin;    /* NAME.c */
  const char *test_body; /* test_pipeline() of test_NAME.c */
  const char *usage;     /* a pipeline using it, for the README */
} KindTemplates;

static const KindTemplates kinds[] = {
    {"annotate", template_plugin_annotate, template_test_annotate,
     "    plugin_path: [path/to/@NAME@/build]\n"
     "    pipeline:\n"
     "      - plugin: sentences       # @NAME@ reads the sentence layer\n"
     "      - plugin: @NAME@\n"
     "        options: {word: copydesk}"},
    {"transform", template_plugin_transform, template_test_transform,
     "    plugin_path: [path/to/@NAME@/build]\n"
     "    pipeline:\n"
     "      - plugin: @NAME@         # transforms go first\n"
     "        options: {from: colour, to: color}\n"
     "      - plugin: sentences\n"
     "    output:\n"
     "      plugin: jsonl\n"
     "      options: {include: [clean_text, sentences]}"},
    {"output", template_plugin_output, template_test_output,
     "    plugin_path: [path/to/@NAME@/build]\n"
     "    pipeline:\n"
     "      - plugin: sentences\n"
     "    output:\n"
     "      plugin: @NAME@\n"
     "      options: {width: 60, header: true}\n"
     "\n"
     "(`copydesk --to @NAME@` also picks it when it is on the search path)"},
};

/* TEMPLATE with every @KEY@ of VARS (KEY, VALUE pairs, NULL-terminated) replaced. */
static char *
expand(const char *template, const char *const *vars)
{
  GString *out = g_string_sized_new(strlen(template) + 256);
  const char *p = template;
  while (*p) {
    const char *at = strchr(p, '@');
    if (at == NULL) {
      g_string_append(out, p);
      break;
    }
    g_string_append_len(out, p, at - p);
    gboolean replaced = FALSE;
    for (guint i = 0; vars[i] && !replaced; i += 2) {
      gsize klen = strlen(vars[i]);
      if (strncmp(at + 1, vars[i], klen) == 0 && at[1 + klen] == '@') {
        g_string_append(out, vars[i + 1]);
        p = at + klen + 2;
        replaced = TRUE;
      }
    }
    if (!replaced) {
      g_string_append_c(out, '@');
      p = at + 1;
    }
  }
  return g_string_free(out, FALSE);
}

/* NAME as a C identifier: '-' becomes '_'. */
static char *
c_identifier(const char *name)
{
  char *ident = g_strdup(name);
  g_strdelimit(ident, "-", '_');
  return ident;
}

/* NAME as a C type name: "my-tagger" → "MyTagger". */
static char *
type_name(const char *name)
{
  GString *out = g_string_new(NULL);
  gboolean upper = TRUE;
  for (const char *p = name; *p; p++) {
    if (*p == '-' || *p == '_') {
      upper = TRUE;
      continue;
    }
    g_string_append_c(out, upper ? g_ascii_toupper(*p) : *p);
    upper = FALSE;
  }
  return g_string_free(out, FALSE);
}

/* Creates FOLDER/FILE with CONTENTS; never replaces an existing file. */
static gboolean
write_new_file(const char *folder, const char *file, const char *contents)
{
  char *path = g_build_filename(folder, file, NULL);
  int fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  gboolean ok = fd >= 0;
  gsize len = strlen(contents), done = 0;
  while (ok && done < len) {
    gssize n = write(fd, contents + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    ok = n > 0;
    done += ok ? (gsize)n : 0;
  }
  if (fd >= 0 && close(fd) != 0)
    ok = FALSE;
  if (!ok)
    g_printerr("copydesk: cannot write %s: %s\n", path, g_strerror(errno));
  g_free(path);
  return ok;
}

/* The folder holding the copydesk.pc of this installed copydesk, when pkg-config would not look
 * there by itself (a prefix other than /usr); NULL otherwise. */
static char *
pkgconfig_hint(void)
{
  char *plugin_dir = copydesk_paths_plugin_dir(); /* LIBDIR/copydesk/plugins */
  char *pc_dir = g_build_filename(plugin_dir, "..", "..", "pkgconfig", NULL);
  char *pc = g_build_filename(pc_dir, "copydesk.pc", NULL);
  char *resolved = NULL;
  if (g_file_test(pc, G_FILE_TEST_IS_REGULAR))
    resolved = g_canonicalize_filename(pc_dir, NULL);
  if (resolved && (g_str_has_prefix(resolved, "/usr/lib/") ||
                   g_str_has_prefix(resolved, "/usr/share/")))
    g_clear_pointer(&resolved, g_free);
  g_free(pc);
  g_free(pc_dir);
  g_free(plugin_dir);
  return resolved;
}

int
copydesk_command_new_plugin(const char *name, const char *kind, const char *dir)
{
  if (!copydesk_plugin_name_is_valid(name)) {
    g_printerr("copydesk: new-plugin: '%s' is not a plugin name: start with a letter, then use "
               "letters, digits, '_' or '-' (at most 64)\n", name);
    return COPYDESK_EXIT_USAGE;
  }
  const KindTemplates *chosen = NULL;
  for (guint i = 0; i < G_N_ELEMENTS(kinds); i++)
    if (strcmp(kinds[i].kind, kind ? kind : "annotate") == 0)
      chosen = &kinds[i];
  if (chosen == NULL) {
    g_printerr("copydesk: new-plugin: --kind must be annotate, transform or output, not '%s'\n",
               kind);
    return COPYDESK_EXIT_USAGE;
  }
  const char *parent = dir ? dir : ".";
  char *folder = dir ? g_build_filename(dir, name, NULL) : g_strdup(name);
  if (g_mkdir_with_parents(parent, 0755) != 0 || g_mkdir(folder, 0755) != 0) {
    int saved = errno;
    if (saved == EEXIST)
      g_printerr("copydesk: new-plugin: %s already exists; not overwriting it (pick another "
                 "NAME or --dir)\n", folder);
    else
      g_printerr("copydesk: new-plugin: cannot create %s: %s\n", folder, g_strerror(saved));
    g_free(folder);
    return saved == EEXIST ? COPYDESK_EXIT_USAGE : COPYDESK_EXIT_IO;
  }

  char *ident = c_identifier(name);
  char *type = type_name(name);
  const char *names[] = {"NAME", name, "ident", ident, "Ident", type, "KIND", chosen->kind, NULL};
  char *usage = expand(chosen->usage, names);
  const char *test_vars[] = {"TEST_BODY", chosen->test_body, NULL};
  char *test_template = expand(template_test, test_vars);
  char *source_file = g_strconcat(name, ".c", NULL);
  char *test_file = g_strconcat("test_", ident, ".c", NULL);
  const char *vars[] = {"NAME", name, "ident", ident, "Ident", type, "KIND", chosen->kind,
                        "USAGE", usage, NULL};
  struct {
    const char *file;
    const char *template;
  } files[] = {
      {source_file, chosen->plugin},
      {test_file, test_template},
      {"meson.build", template_meson_build},
      {"README.md", template_readme},
  };
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < G_N_ELEMENTS(files); i++) {
    char *text = expand(files[i].template, vars);
    ok = write_new_file(folder, files[i].file, text);
    g_free(text);
  }
  if (ok) {
    char *dir_hint = pkgconfig_hint();
    char *hint = dir_hint ? g_shell_quote(dir_hint) : NULL;
    char *quoted = g_shell_quote(folder);
    printf("copydesk: wrote %s/ (%s %s plugin): %s, %s, meson.build, README.md\n", folder,
           chosen->kind[0] == 't' ? "a" : "an", chosen->kind, source_file, test_file);
    printf("Build and test it:\n  cd %s && %s%s%smeson setup build && meson test -C build\n",
           quoted, hint ? "PKG_CONFIG_PATH=" : "", hint ? hint : "", hint ? " " : "");
    g_free(quoted);
    g_free(hint);
    g_free(dir_hint);
  }
  g_free(test_file);
  g_free(source_file);
  g_free(test_template);
  g_free(usage);
  g_free(type);
  g_free(ident);
  g_free(folder);
  return ok ? COPYDESK_EXIT_OK : COPYDESK_EXIT_IO;
}
