/* copydesk — `copydesk new-plugin`: writes a ready-to-build plugin folder (internal to the CLI).
 *
 * The folder DIR/NAME holds NAME.c (a working plugin of the chosen kind), test_NAME.c (a
 * g_test program that runs the installed copydesk with a pipeline using the plugin),
 * meson.build (dependency('copydesk') through pkg-config) and README.md.  The templates are
 * compiled into the binary from core/templates/.
 */
#pragma once

/* Writes the plugin NAME of KIND ("annotate", "transform" or "output"; NULL: annotate) into a
 * new folder DIR/NAME (DIR NULL: the current folder; created when missing).  Refuses a bad
 * name, a bad kind or an existing DIR/NAME with one line on stderr and exit status 2; a write
 * error gives 3.  Prints what it wrote and how to build it on stdout. */
int copydesk_command_new_plugin(const char *name, const char *kind, const char *dir);
