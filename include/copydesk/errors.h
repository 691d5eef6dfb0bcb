/* copydesk — error domains.  Codes are only ever appended, never renumbered. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Errors in a pipeline file (syntax, limits, schema, option values). */
#define COPYDESK_CONFIG_ERROR (copydesk_config_error_quark())
GQuark copydesk_config_error_quark(void);
typedef enum {
  COPYDESK_CONFIG_ERROR_IO = 1,        /* cannot read the file */
  COPYDESK_CONFIG_ERROR_SYNTAX,        /* not YAML */
  COPYDESK_CONFIG_ERROR_NOT_UTF8,      /* bytes that are not UTF-8 */
  COPYDESK_CONFIG_ERROR_TOO_LARGE,     /* file, or alias expansion, past the bound */
  COPYDESK_CONFIG_ERROR_TOO_DEEP,      /* nesting past the bound */
  COPYDESK_CONFIG_ERROR_ALIAS,         /* an alias to an unknown anchor */
  COPYDESK_CONFIG_ERROR_DUPLICATE_KEY, /* a key given twice in one mapping */
  COPYDESK_CONFIG_ERROR_UNKNOWN_KEY,   /* a key the schema or option table does not know */
  COPYDESK_CONFIG_ERROR_WRONG_TYPE,    /* e.g. a mapping where a string belongs */
  COPYDESK_CONFIG_ERROR_BAD_VALUE,     /* out of range, not one of the choices, unparsable */
  COPYDESK_CONFIG_ERROR_MISSING_KEY,   /* a required key is absent */
} CopydeskConfigError;

/* Errors finding, loading or instantiating plugins. */
#define COPYDESK_PLUGIN_ERROR (copydesk_plugin_error_quark())
GQuark copydesk_plugin_error_quark(void);
typedef enum {
  COPYDESK_PLUGIN_ERROR_NOT_FOUND = 1, /* no plugin of that name on the search path */
  COPYDESK_PLUGIN_ERROR_BAD_NAME,      /* not a bare identifier */
  COPYDESK_PLUGIN_ERROR_OPEN,          /* dlopen failed (not a shared object, missing library) */
  COPYDESK_PLUGIN_ERROR_NO_ENTRY,      /* no copydesk_plugin_describe symbol */
  COPYDESK_PLUGIN_ERROR_ABI,           /* ABI version or descriptor size does not fit */
  COPYDESK_PLUGIN_ERROR_NAME_MISMATCH, /* descriptor name differs from the name asked for */
  COPYDESK_PLUGIN_ERROR_INVALID,       /* descriptor is malformed (kind, callbacks, options) */
  COPYDESK_PLUGIN_ERROR_INSECURE,      /* plugin file or folder writable by others */
  COPYDESK_PLUGIN_ERROR_CREATE,        /* the plugin's create callback failed */
  COPYDESK_PLUGIN_ERROR_KIND,          /* a plugin of the wrong kind for its place */
} CopydeskPluginError;

/* Errors in the shape of a pipeline (stage order, layers). */
#define COPYDESK_PIPELINE_ERROR (copydesk_pipeline_error_quark())
GQuark copydesk_pipeline_error_quark(void);
typedef enum {
  COPYDESK_PIPELINE_ERROR_MISSING_LAYER = 1, /* a stage requires a layer no earlier stage provides */
  COPYDESK_PIPELINE_ERROR_NO_OUTPUT,         /* no output plugin */
} CopydeskPipelineError;

/* Errors on one document (input record or a stage's work). */
#define COPYDESK_DOCUMENT_ERROR (copydesk_document_error_quark())
GQuark copydesk_document_error_quark(void);
typedef enum {
  COPYDESK_DOCUMENT_ERROR_RANGE = 1, /* a span or edit outside the text */
  COPYDESK_DOCUMENT_ERROR_BOUNDARY,  /* a position inside a UTF-8 character */
  COPYDESK_DOCUMENT_ERROR_ORDER,     /* edits out of order or overlapping */
  COPYDESK_DOCUMENT_ERROR_UTF8,      /* replacement text that is not UTF-8 */
  COPYDESK_DOCUMENT_ERROR_INPUT,     /* an input record that cannot be read (bad JSON, no text) */
  COPYDESK_DOCUMENT_ERROR_FAILED,    /* a stage's own failure */
} CopydeskDocumentError;

/* Errors reading input or writing output. */
#define COPYDESK_IO_ERROR (copydesk_io_error_quark())
GQuark copydesk_io_error_quark(void);
typedef enum {
  COPYDESK_IO_ERROR_READ = 1,
  COPYDESK_IO_ERROR_WRITE,
} CopydeskIoError;

G_END_DECLS
