/* copydesk — error domains. */
#include <copydesk/errors.h>

G_DEFINE_QUARK(copydesk-config-error-quark, copydesk_config_error)
G_DEFINE_QUARK(copydesk-plugin-error-quark, copydesk_plugin_error)
G_DEFINE_QUARK(copydesk-pipeline-error-quark, copydesk_pipeline_error)
G_DEFINE_QUARK(copydesk-document-error-quark, copydesk_document_error)
G_DEFINE_QUARK(copydesk-io-error-quark, copydesk_io_error)
