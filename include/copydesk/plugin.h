/* copydesk — the plugin ABI.
 *
 * Every plugin is a shared object that exports exactly one symbol,
 * COPYDESK_PLUGIN_ENTRY ("copydesk_plugin_describe"), a function returning a
 * pointer to a constant CopydeskPluginDescriptor.  Identity comes from the
 * descriptor, never from the file name.
 *
 * Stability promise: within one ABI major version, fields are only ever appended
 * to the end of the descriptor (taken from the reserved slots), and struct_size
 * tells the core how much of it a plugin knows.  The core loads a plugin whose
 * abi_major equals its own and whose abi_minor is not newer than its own.
 *
 * Write a plugin with COPYDESK_PLUGIN_DEFINE() at the bottom of its one source
 * file; see docs/plugin-guide.md.
 */
#pragma once

#include <glib.h>

#include <copydesk/document.h>
#include <copydesk/options.h>

G_BEGIN_DECLS

#define COPYDESK_ABI_MAJOR 1
#define COPYDESK_ABI_MINOR 1

/* The one exported symbol every plugin defines. */
#define COPYDESK_PLUGIN_ENTRY "copydesk_plugin_describe"

/* What a plugin does to a document. */
typedef enum {
  COPYDESK_KIND_TRANSFORM = 1, /* rewrites the text through CopydeskEdit (may also add spans) */
  COPYDESK_KIND_ANNOTATE = 2,  /* adds spans and fields, never changes the text */
  COPYDESK_KIND_OUTPUT = 3,    /* formats a whole document into bytes */
} CopydeskPluginKind;

/* Plugin flags. */
typedef enum {
  /* One instance may process documents on several threads at once.  Without this flag,
   * the core creates one instance per worker thread. */
  COPYDESK_PLUGIN_REENTRANT = 1 << 0,
} CopydeskPluginFlags;

typedef struct CopydeskPluginDescriptor CopydeskPluginDescriptor;

/* Creates an instance from validated OPTIONS (defaults filled in); NULL with ERROR on failure. */
typedef void *(*CopydeskCreateFunc)(const CopydeskOptions *options, GError **error);
/* Transforms or annotates DOC; FALSE with ERROR when this document failed. */
typedef gboolean (*CopydeskProcessFunc)(void *self, CopydeskDocument *doc, GError **error);
/* Appends DOC, formatted, to OUT; FALSE with ERROR on failure. */
typedef gboolean (*CopydeskFormatFunc)(void *self, const CopydeskDocument *doc, GString *out,
                                       GError **error);
/* Appends the stream's header or footer (e.g. "[" and "]" of a JSON array) to OUT. */
typedef gboolean (*CopydeskFrameFunc)(void *self, GString *out, GError **error);
/* Frees an instance made by create. */
typedef void (*CopydeskDestroyFunc)(void *self);
/* TRUE when this instance reads the layer NAME of the documents it gets (ABI 1.1). */
typedef gboolean (*CopydeskReadsFunc)(void *self, const char *name);

struct CopydeskPluginDescriptor {
  guint32 abi_major;   /* COPYDESK_ABI_MAJOR the plugin was built with */
  guint32 abi_minor;   /* COPYDESK_ABI_MINOR the plugin was built with */
  guint32 struct_size; /* sizeof (CopydeskPluginDescriptor) the plugin was built with */
  guint32 flags;       /* CopydeskPluginFlags */

  const char *name;        /* bare identifier; must equal the name the pipeline asks for */
  const char *version;     /* the plugin's own version, e.g. "1.0.0" */
  const char *summary;     /* one line for `copydesk plugins` */
  const char *description; /* a paragraph for `copydesk describe` (may be NULL) */
  CopydeskPluginKind kind;

  const CopydeskOptionSpec *options; /* terminated by an entry whose name is NULL; may be NULL */
  const char *const *requires;       /* layer names needed, NULL-terminated; may be NULL */
  const char *const *provides;       /* layer names added, NULL-terminated; may be NULL */

  CopydeskCreateFunc create;   /* may be NULL: the instance is then NULL */
  CopydeskProcessFunc process; /* transform and annotate plugins */
  CopydeskFormatFunc format;   /* output plugins */
  CopydeskFrameFunc header;    /* output plugins, optional */
  const char *separator;       /* output plugins, optional: bytes written between documents */
  CopydeskFrameFunc footer;    /* output plugins, optional */
  CopydeskDestroyFunc destroy; /* may be NULL */

  /* ABI 1.1.  Which layers this instance reads, when earlier stages made them: lets
   * them skip layers nobody reads (copydesk_document_layer_wanted).  NULL: the stage
   * may read any layer.  It must give the same answer for a name for the life of the
   * instance (the pipeline keeps the answers). */
  CopydeskReadsFunc reads;

  void *reserved[11]; /* for fields appended by later minor versions; leave zeroed */
};

/* The signature of the entry symbol. */
typedef const CopydeskPluginDescriptor *(*CopydeskDescribeFunc)(void);

/* Makes the entry symbol visible even when the plugin is built with hidden visibility. */
#define COPYDESK_PLUGIN_EXPORT __attribute__((visibility("default")))

/* Defines the entry symbol returning DESCRIPTOR (a static const CopydeskPluginDescriptor). */
#define COPYDESK_PLUGIN_DEFINE(descriptor)                                                 \
  COPYDESK_PLUGIN_EXPORT const CopydeskPluginDescriptor *copydesk_plugin_describe(void);  \
  COPYDESK_PLUGIN_EXPORT const CopydeskPluginDescriptor *copydesk_plugin_describe(void) { \
    return &(descriptor);                                                                  \
  }

/* Fills the ABI header fields of a descriptor initialiser. */
#define COPYDESK_PLUGIN_ABI                                                                   \
  .abi_major = COPYDESK_ABI_MAJOR, .abi_minor = COPYDESK_ABI_MINOR,                           \
  .struct_size = sizeof(CopydeskPluginDescriptor)

G_END_DECLS
