/* copydesk — reading documents from files or standard input (internal).
 *
 * text: each file is one document; a line holding only a form feed separates several
 * documents in one stream.  jsonl: each non-blank line is one record; its text field becomes
 * the document text and every field passes through as raw JSON.  conll: see docs/layers.md.
 * A record that cannot be read
 * still yields a document (with empty text and an "input" error), so nothing is lost.
 */
#pragma once

#include <copydesk/copydesk.h>

#include "pipeline.h"

typedef struct CopydeskInput CopydeskInput;

/* Reads FILES in order ("-" is standard input; NULL or empty: standard input) as FORMAT. */
CopydeskInput *copydesk_input_new(CopydeskInputFormat format, const char *text_field,
                                  const char *id_field, const char *const *files);
/* The next document, or NULL at the end of all input.  NULL with ERROR set when a file cannot
 * be opened or read (COPYDESK_IO_ERROR); calling again goes on with the next file.  LOCATION
 * (may be NULL) receives "FILE", "FILE#PART" or "FILE:LINE" of the document, for messages: the
 * input's own string, valid until the next call. */
CopydeskDocument *copydesk_input_next(CopydeskInput *input, const char **location,
                                      GError **error);
/* TRUE when the next document (or the end of all input) can be had without waiting: the
 * open file is a regular file with more to read, or a JSONL record is already read whole.
 * FALSE when getting it may wait: on a pipe or terminal, or to open the next file.  Reads
 * nothing, but remembers where the next line ends, and the answer until the next read. */
gboolean copydesk_input_next_is_buffered(CopydeskInput *input);
/* Bytes read so far. */
guint64 copydesk_input_bytes_read(const CopydeskInput *input);
/* Closes the current file and frees INPUT. */
void copydesk_input_free(CopydeskInput *input);
