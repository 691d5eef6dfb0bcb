/* copydesk — option values filled from a plugin's option table and a pipeline file
 * (internal). */
#pragma once

#include <copydesk/options.h>

#include "config_tree.h"

/* TRUE when SPECS is a well-formed option table: valid, unique names, known types, defaults
 * that parse, choices where an enum needs them.  ERROR names PLUGIN and the bad entry. */
gboolean copydesk_option_specs_validate(const CopydeskOptionSpec *specs, const char *plugin,
                                        GError **error);
/* A fresh option set for SPECS with every default filled in; paths resolve against BASE_DIR. */
CopydeskOptions *copydesk_options_new(const CopydeskOptionSpec *specs, const char *base_dir);
/* Sets the options given in MAPPING (a node of FILENAME) after checking each against the table:
 * unknown key, wrong type, out of range, not a choice are errors naming FILENAME:LINE:COLUMN. */
gboolean copydesk_options_apply(CopydeskOptions *options, const CopydeskConfigNode *mapping,
                                const char *filename, const char *plugin, GError **error);
/* Frees OPTIONS. */
void copydesk_options_free(CopydeskOptions *options);
/* The name of TYPE as `copydesk describe` prints it: "bool", "int", "string list" … */
const char *copydesk_option_type_name(CopydeskOptionType type);
