/* copydesk — typed plugin options.
 *
 * A plugin declares its options in a table of CopydeskOptionSpec.  The core
 * validates the pipeline file against it (unknown key, wrong type, out of range,
 * not one of the choices: file:line:column errors), fills defaults, and prints
 * help from it.  Plugins never parse YAML; they read values with the getters.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CopydeskOptions CopydeskOptions;

/* The type of an option's value. */
typedef enum {
  COPYDESK_OPTION_BOOL = 1,        /* true/false (YAML 1.1 yes/no/on/off also accepted) */
  COPYDESK_OPTION_INT = 2,         /* 64-bit integer; range [min, max] when min < max */
  COPYDESK_OPTION_DOUBLE = 3,      /* number; range [min, max] when min < max */
  COPYDESK_OPTION_STRING = 4,      /* any string */
  COPYDESK_OPTION_ENUM = 5,        /* one of choices */
  COPYDESK_OPTION_STRING_LIST = 6, /* a YAML sequence of strings (each one of choices if given);
                                      default written comma-separated */
  COPYDESK_OPTION_PATH = 7,        /* a file path, resolved against the pipeline file's folder */
} CopydeskOptionType;

/* One declared option.  The size of this struct is fixed for ABI major 1. */
typedef struct {
  const char *name;             /* NULL ends the table */
  CopydeskOptionType type;
  const char *default_value;    /* as written in YAML; NULL: no default (getters return 0/NULL) */
  double min, max;              /* numeric range, used when min < max */
  const char *const *choices;   /* ENUM / STRING_LIST: NULL-terminated allowed values */
  const char *help;             /* one line */
  void *reserved[4];
} CopydeskOptionSpec;

/* Boolean option NAME. */
gboolean copydesk_options_get_bool(const CopydeskOptions *options, const char *name);
/* Integer option NAME. */
gint64 copydesk_options_get_int(const CopydeskOptions *options, const char *name);
/* Number option NAME. */
double copydesk_options_get_double(const CopydeskOptions *options, const char *name);
/* String, enum or path option NAME (paths come back resolved), or NULL when unset. */
const char *copydesk_options_get_string(const CopydeskOptions *options, const char *name);
/* String-list option NAME as a NULL-terminated array (never NULL). */
const char *const *copydesk_options_get_strv(const CopydeskOptions *options, const char *name);
/* TRUE when NAME was given in the pipeline file rather than taken from its default. */
gboolean copydesk_options_is_set(const CopydeskOptions *options, const char *name);
/* The folder the pipeline file lives in (relative data files are found there). */
const char *copydesk_options_base_dir(const CopydeskOptions *options);

G_END_DECLS
