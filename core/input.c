/* copydesk — input framing: text files (form-feed separated) and JSON Lines. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "document_private.h"
#include "input.h"
#include "jsonl_record.h"

/* Input is read in pieces of this size: text and CoNLL through stdio, whose setvbuf() only
 * honours a size with a buffer of the caller's (given NULL, glibc uses the file's block size,
 * 4 KB); JSONL by read(2) into the reader's own block (read_block_line()). */
#define READ_BUFFER_SIZE (1 << 20)

/* stdin's buffer: it must outlive every input, and stdin's buffer can only be set once,
 * before it is first read. */
static char stdin_buffer[READ_BUFFER_SIZE];

static void
buffer_stdin(void)
{
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    setvbuf(stdin, stdin_buffer, _IOFBF, sizeof stdin_buffer);
    g_once_init_leave(&done, 1);
  }
}

struct CopydeskInput {
  CopydeskInputFormat format;
  char *text_field;
  char *id_field;
  char **files;
  guint next_file;
  FILE *fp;           /* the open file, or NULL between files */
  char *name;         /* its name for ids and messages ("stdin" for -) */
  guint64 line_no;    /* lines read from the open file */
  guint part;         /* text: documents read from the open file */
  gboolean at_separator; /* text: the last line read was a form-feed separator */
  char *buffer;       /* text, CoNLL: the files' stdio buffer (READ_BUFFER_SIZE), made for the first */
  char *line;         /* getline buffer */
  size_t line_cap;
  char *block;        /* jsonl: the bytes read and not yet handed out are [block_start, block_end) */
  gsize block_cap, block_start, block_end;
  gboolean block_eof; /* jsonl: the open file has nothing more to read */
  gsize scanned;      /* jsonl: bytes from block_start known to hold no newline */
  gsize line_len;     /* jsonl: the length of the line at block_start with its newline, once
                       * found (block_line_length()); 0 until then */
  gboolean regular;   /* the open file is a regular file: reading it never waits */
  guint64 file_size, file_read; /* jsonl, regular: its size and the bytes read of it */
  guint64 bytes_read;
  gint buffered;      /* copydesk_input_next_is_buffered()'s answer until the next read, or -1 */
  /* Where the document last read came from (copydesk_input_next()): LOCATION_LEN bytes and a
   * NUL, in a buffer of LOCATION_CAP kept between documents. */
  char *location;
  gsize location_len, location_cap;
  GArray *fields;     /* jsonl: the fields of the record being read (CopydeskJsonField) */
};

CopydeskInput *
copydesk_input_new(CopydeskInputFormat format, const char *text_field, const char *id_field,
                   const char *const *files)
{
  CopydeskInput *input = g_new0(CopydeskInput, 1);
  input->format = format;
  input->buffered = -1;
  input->text_field = g_strdup(text_field ? text_field : "text");
  input->id_field = g_strdup(id_field ? id_field : "id");
  if (files && files[0])
    input->files = g_strdupv((char **)files);
  else
    input->files = g_strsplit("-", ",", -1);
  return input;
}

static void
close_file(CopydeskInput *input)
{
  if (input->fp && input->fp != stdin)
    fclose(input->fp);
  input->fp = NULL;
  g_clear_pointer(&input->name, g_free);
}

void
copydesk_input_free(CopydeskInput *input)
{
  if (input == NULL)
    return;
  close_file(input);
  g_free(input->buffer);
  free(input->line);
  g_free(input->block);
  if (input->fields)
    g_array_unref(input->fields);
  g_strfreev(input->files);
  g_free(input->location);
  g_free(input->text_field);
  g_free(input->id_field);
  g_free(input);
}

guint64
copydesk_input_bytes_read(const CopydeskInput *input)
{
  return input->bytes_read;
}

/* Opens the next file; FALSE at the end of the list, or with ERROR when it cannot be opened. */
static gboolean
open_next(CopydeskInput *input, GError **error)
{
  if (input->files[input->next_file] == NULL)
    return FALSE;
  const char *file = input->files[input->next_file++];
  gboolean stdio = input->format != COPYDESK_INPUT_JSONL; /* JSONL: read_block_line() */
  if (strcmp(file, "-") == 0) {
    input->fp = stdin;
    if (stdio)
      buffer_stdin();
    input->name = g_strdup("stdin");
  } else {
    input->fp = fopen(file, "rb");
    if (input->fp == NULL) {
      int saved = errno;
      g_set_error(error, COPYDESK_IO_ERROR, COPYDESK_IO_ERROR_READ, "%s: cannot open: %s", file,
                  g_strerror(saved));
      return FALSE;
    }
    if (stdio) {
      if (input->buffer == NULL)
        input->buffer = g_malloc(READ_BUFFER_SIZE);
      setvbuf(input->fp, input->buffer, _IOFBF, READ_BUFFER_SIZE);
    }
    input->name = g_strdup(file);
  }
  input->line_no = 0;
  input->part = 0;
  input->at_separator = FALSE;
  input->block_start = input->block_end = input->scanned = input->line_len = 0;
  input->block_eof = FALSE;
  struct stat st;
  input->regular = fstat(fileno(input->fp), &st) == 0 && S_ISREG(st.st_mode);
  input->file_size = input->regular ? (guint64)st.st_size : 0;
  input->file_read = 0;
  return TRUE;
}

/* Reads one line (with its newline) into input->line; its length, or -1 at the end of the file
 * or on a read error (ERROR set). */
static gssize
read_line(CopydeskInput *input, GError **error)
{
  errno = 0;
  gssize n = getline(&input->line, &input->line_cap, input->fp);
  if (n < 0) {
    if (ferror(input->fp)) {
      g_set_error(error, COPYDESK_IO_ERROR, COPYDESK_IO_ERROR_READ, "%s: read error: %s",
                  input->name, g_strerror(errno ? errno : EIO));
    }
    return -1;
  }
  input->line_no++;
  input->bytes_read += n;
  return n;
}

/* The length of the JSONL line at the block's start with its newline, or 0 when the block
 * holds no newline after it yet.  Only the bytes read since the last look are searched (a long
 * line comes 64 KB at a time from a pipe), and a length found is kept until the line is handed
 * out, so that copydesk_input_next_is_buffered() and read_block_line() search a line once. */
static gsize
block_line_length(CopydeskInput *input)
{
  if (input->line_len == 0) {
    char *start = input->block + input->block_start;
    gsize avail = input->block_end - input->block_start;
    char *newline = avail > input->scanned
                        ? memchr(start + input->scanned, '\n', avail - input->scanned)
                        : NULL;
    if (newline != NULL)
      input->line_len = (gsize)(newline - start) + 1;
    else
      input->scanned = avail;
  }
  return input->line_len;
}

/* Reads the next line of a JSONL file (with its newline, if any) where it lies in the reader's
 * own block: *LINE points there, and the bytes are the caller's to change until the next call.
 * Its length, or -1 at the end of the file or on a read error (ERROR set).  The block is filled
 * by read(2) on the file's descriptor (stdio is not used for JSONL), up to READ_BUFFER_SIZE
 * bytes or more at a time but never waiting for more than one read gives, so a line is parsed
 * where it was read instead of copied out as getline() does; a line left unfinished at the
 * end of the block moves to its front first, and one longer than half the block doubles it. */
static gssize
read_block_line(CopydeskInput *input, char **line, GError **error)
{
  for (;;) {
    char *start = input->block + input->block_start;
    gsize avail = input->block_end - input->block_start;
    gsize n = block_line_length(input);
    if (n == 0 && input->block_eof)
      n = avail; /* the last line, without a newline */
    if (n > 0) {
      input->scanned = input->line_len = 0;
      input->block_start += n;
      input->line_no++;
      input->bytes_read += n;
      *line = start;
      return (gssize)n;
    }
    if (input->block_eof)
      return -1;
    /* Make room for READ_BUFFER_SIZE more bytes after the unfinished line (SCANNED counts
     * from its start, wherever it lies). */
    if (input->block_start > 0) {
      memmove(input->block, start, avail);
      input->block_start = 0;
      input->block_end = avail;
    }
    if (input->block_cap - input->block_end < READ_BUFFER_SIZE) {
      input->block_cap = MAX(2 * READ_BUFFER_SIZE, 2 * input->block_cap);
      input->block = g_realloc(input->block, input->block_cap);
    }
    gssize got;
    do
      got = read(fileno(input->fp), input->block + input->block_end,
                 input->block_cap - input->block_end);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
      int saved = errno;
      g_set_error(error, COPYDESK_IO_ERROR, COPYDESK_IO_ERROR_READ, "%s: read error: %s",
                  input->name, g_strerror(saved));
      return -1;
    }
    if (got == 0)
      input->block_eof = TRUE;
    input->block_end += (gsize)got;
    input->file_read += (guint64)got;
  }
}

/* TRUE when LINE (N bytes) is a lone form feed, optionally followed by CR and LF. */
static gboolean
is_separator(const char *line, gssize n)
{
  return (n == 1 && line[0] == '\f') || (n == 2 && memcmp(line, "\f\n", 2) == 0) ||
         (n == 3 && memcmp(line, "\f\r\n", 3) == 0);
}

/* Sets the input's location to the open file's name, followed by SEPARATOR and NUMBER in
 * decimal unless SEPARATOR is 0 ("NAME:LINE", "NAME#PART"), without going through printf and
 * in the buffer kept for it. */
static void
set_location(CopydeskInput *input, char separator, guint64 number)
{
  char digits[24];
  char *d = digits + sizeof digits;
  do {
    *--d = (char)('0' + number % 10);
    number /= 10;
  } while (number != 0);
  gsize name_len = strlen(input->name), n_digits = (gsize)(digits + sizeof digits - d);
  gsize len = separator != 0 ? name_len + 1 + n_digits : name_len;
  if (len + 1 > input->location_cap) {
    input->location_cap = MAX(len + 1, 64);
    g_free(input->location);
    input->location = g_malloc(input->location_cap);
  }
  memcpy(input->location, input->name, name_len);
  if (separator != 0) {
    input->location[name_len] = separator;
    memcpy(input->location + name_len + 1, d, n_digits);
  }
  input->location[len] = '\0';
  input->location_len = len;
}

/* The next text document from the open file, or NULL at its end. */
static CopydeskDocument *
next_text(CopydeskInput *input, GError **error)
{
  GString *text = g_string_new(NULL);
  gboolean separated = FALSE, got_any = FALSE;
  gssize n;
  while ((n = read_line(input, error)) >= 0) {
    got_any = TRUE;
    if (is_separator(input->line, n)) {
      separated = TRUE;
      break;
    }
    g_string_append_len(text, input->line, n);
  }
  if (n < 0 && error && *error) {
    g_string_free(text, TRUE);
    return NULL;
  }
  /* A file yields at least one document; a separator at the very end adds no empty one. */
  if (!got_any && (input->part > 0 || input->at_separator)) {
    g_string_free(text, TRUE);
    return NULL;
  }
  input->at_separator = separated;
  input->part++;
  set_location(input, input->part > 1 ? '#' : 0, input->part);
  CopydeskDocument *doc = copydesk_document_new(input->location, text->str, text->len);
  g_string_free(text, TRUE);
  return doc;
}

/* TRUE when the N bytes of LINE are only JSON whitespace. */
static gboolean
is_blank(const char *line, gssize n)
{
  for (gssize i = 0; i < n; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\n' && line[i] != '\r')
      return FALSE;
  return TRUE;
}

/* Completes DOC (made for a line of LINE_LEN bytes) from the record just parsed into
 * input->fields; TEXT_LEN is the length of its decoded text, already in DOC, or G_MAXSIZE when
 * the text field is missing or no string; the input's location is FILE:LINE.  Returns the
 * document (it may have moved). */
static CopydeskDocument *
document_from_record(CopydeskInput *input, CopydeskDocument *doc, gsize line_len, gsize text_len)
{
  const char *where = input->location;
  char *problem = NULL;
  if (text_len == G_MAXSIZE) {
    if (copydesk_json_fields_find(input->fields, input->text_field) == NULL)
      problem = g_strdup_printf("has no '%s' field; name the field that holds the article with "
                                "input.text_field", input->text_field);
    else
      problem = g_strdup_printf("has a '%s' field that is not a string", input->text_field);
  }

  /* The id: the id field when it is a string or a number, else FILE:LINE.  A string without
   * escapes is the bytes inside its quotes (the record was read as valid JSON); one with them
   * is decoded, up to a NUL that an escape made. */
  char *decoded_id = NULL;
  const char *id = where;
  gsize id_len = input->location_len;
  const CopydeskJsonField *id_field = copydesk_json_fields_find(input->fields, input->id_field);
  if (id_field && id_field->json[0] == '"') {
    if (memchr(id_field->json, '\\', id_field->json_len) == NULL) {
      id = id_field->json + 1;
      id_len = id_field->json_len - 2;
    } else if ((decoded_id = copydesk_json_string_decode(id_field->json, NULL)) != NULL) {
      id = decoded_id;
      id_len = strlen(decoded_id);
    }
  } else if (id_field && (g_ascii_isdigit(id_field->json[0]) || id_field->json[0] == '-')) {
    id = id_field->json;
    id_len = id_field->json_len;
  }
  doc = copydesk_document_finish_record(
      doc, line_len, id, id_len, problem ? 0 : text_len,
      (const CopydeskJsonField *)(const void *)input->fields->data, input->fields->len);
  if (problem) {
    char *full = g_strdup_printf("%s: the record %s", where, problem);
    copydesk_document_add_error(doc, "input", full);
    g_free(full);
    g_free(problem);
  }
  g_free(decoded_id);
  return doc;
}

/* The next JSONL document from the open file, or NULL at its end.  The line is parsed in place
 * and its text decoded straight into the new document in the same pass. */
static CopydeskDocument *
next_jsonl(CopydeskInput *input, GError **error)
{
  gssize n;
  char *line;
  while ((n = read_block_line(input, &line, error)) >= 0) {
    if (is_blank(line, n))
      continue;
    set_location(input, ':', input->line_no);
    const char *where = input->location;
    if (input->fields == NULL)
      input->fields = g_array_new(FALSE, FALSE, sizeof(CopydeskJsonField));
    char *text; /* the text is never longer than its line */
    CopydeskDocument *doc = copydesk_document_new_for_record((gsize)n, &text);
    GError *bad = NULL;
    gsize text_len = G_MAXSIZE;
    if (copydesk_json_record_parse_in_place(line, (gsize)n, input->fields, input->text_field,
                                            text, &text_len, &bad)) {
      doc = document_from_record(input, doc, (gsize)n, text_len);
    } else {
      doc = copydesk_document_finish_record(doc, (gsize)n, where, input->location_len, 0, NULL, 0);
      char *message = g_strdup_printf("%s: not a JSON object: %s", where, bad->message);
      copydesk_document_add_error(doc, "input", message);
      g_free(message);
      g_error_free(bad);
    }
    return doc;
  }
  return NULL;
}

/* TRUE when LINE is a -DOCSTART- line. */
static gboolean
is_docstart(const char *line, gssize n)
{
  return n >= 10 && strncmp(line, "-DOCSTART-", 10) == 0 &&
         (n == 10 || g_ascii_isspace(line[10]));
}

/* Builds a document from CoNLL TOKENS (the lines, NULL marking a sentence end): text is the
 * first columns joined by spaces, sentences by newlines; the token and sentence layers are
 * filled, each token keeping its line in the `conll` attribute. */
static CopydeskDocument *
conll_document(const char *id, GPtrArray *lines)
{
  GString *text = g_string_new(NULL);
  GArray *bounds = g_array_new(FALSE, FALSE, sizeof(gsize)); /* start, end per token */
  for (guint i = 0; i < lines->len; i++) {
    const char *line = lines->pdata[i];
    if (line == NULL) { /* end of a sentence */
      if (text->len > 0 && text->str[text->len - 1] == ' ')
        text->str[text->len - 1] = '\n';
      continue;
    }
    gsize n = strcspn(line, " \t");
    char *token = g_utf8_make_valid(line, n);
    gsize start = text->len;
    g_string_append(text, token);
    gsize end = text->len;
    g_array_append_val(bounds, start);
    g_array_append_val(bounds, end);
    g_string_append_c(text, ' ');
    g_free(token);
  }
  if (text->len > 0)
    g_string_truncate(text, text->len - 1);
  CopydeskDocument *doc = copydesk_document_new(id, text->str, text->len);
  CopydeskLayer *tokens = copydesk_document_ensure_layer(doc, COPYDESK_LAYER_TOKEN);
  CopydeskLayer *sentences = copydesk_document_ensure_layer(doc, COPYDESK_LAYER_SENTENCE);
  gsize t = 0, sentence_start = G_MAXSIZE, sentence_end = 0;
  for (guint i = 0; i < lines->len; i++) {
    const char *line = lines->pdata[i];
    if (line == NULL) {
      if (sentence_start != G_MAXSIZE)
        copydesk_layer_add(sentences, sentence_start, sentence_end, "sentence", NULL);
      sentence_start = G_MAXSIZE;
      continue;
    }
    gsize start = g_array_index(bounds, gsize, 2 * t), end = g_array_index(bounds, gsize, 2 * t + 1);
    t++;
    CopydeskSpan *span = copydesk_layer_add(tokens, start, end, "word", NULL);
    copydesk_span_set_string(span, "conll", line);
    if (sentence_start == G_MAXSIZE)
      sentence_start = start;
    sentence_end = end;
  }
  if (sentence_start != G_MAXSIZE)
    copydesk_layer_add(sentences, sentence_start, sentence_end, "sentence", NULL);
  g_array_free(bounds, TRUE);
  g_string_free(text, TRUE);
  return doc;
}

/* The next CoNLL document from the open file (up to the next -DOCSTART- line), or NULL. */
static CopydeskDocument *
next_conll(CopydeskInput *input, GError **error)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
  gboolean have_tokens = FALSE;
  gssize n;
  while ((n = read_line(input, error)) >= 0) {
    while (n > 0 && (input->line[n - 1] == '\n' || input->line[n - 1] == '\r'))
      n--;
    if (is_docstart(input->line, n)) {
      if (have_tokens)
        break;
      continue;
    }
    if (is_blank(input->line, n)) {
      if (lines->len > 0 && lines->pdata[lines->len - 1] != NULL)
        g_ptr_array_add(lines, NULL);
      continue;
    }
    g_ptr_array_add(lines, g_strndup(input->line, n));
    have_tokens = TRUE;
  }
  CopydeskDocument *doc = NULL;
  if (have_tokens && !(error && *error)) {
    g_ptr_array_add(lines, NULL);
    input->part++;
    set_location(input, '#', input->part);
    doc = conll_document(input->location, lines);
  }
  g_ptr_array_free(lines, TRUE);
  return doc;
}

/* copydesk_input_next_is_buffered() worked out from the state of INPUT. */
static gboolean
next_is_buffered(CopydeskInput *input)
{
  gboolean last_file = input->files[input->next_file] == NULL;
  if (input->fp == NULL) /* between files: opening the next may wait (stdin) */
    return last_file;
  if (input->format != COPYDESK_INPUT_JSONL) /* stdio: at its end, the next file is opened */
    return input->regular && (!feof(input->fp) || last_file);
  /* the file is read to its end: what the block holds is all that is left of it */
  gboolean at_end = input->block_eof || (input->regular && input->file_read >= input->file_size);
  const char *p = input->block + input->block_start, *end = input->block + input->block_end;
  while (p < end) {
    /* the first line's end is kept for read_block_line() */
    const char *newline = p == input->block + input->block_start
                              ? (block_line_length(input) > 0 ? p + input->line_len - 1 : NULL)
                              : memchr(p, '\n', (gsize)(end - p));
    if (newline == NULL)
      return at_end ? !is_blank(p, end - p) || last_file /* the last line */ : input->regular;
    if (!is_blank(p, newline - p)) /* a blank line is skipped, so the one after it counts */
      return TRUE;
    p = newline + 1;
  }
  return at_end ? last_file : input->regular;
}

gboolean
copydesk_input_next_is_buffered(CopydeskInput *input)
{
  /* Only reading changes the answer (copydesk_input_next() forgets it), and the runner asks up
   * to three times between two reads. */
  if (input->buffered < 0)
    input->buffered = next_is_buffered(input);
  return input->buffered;
}

CopydeskDocument *
copydesk_input_next(CopydeskInput *input, const char **location, GError **error)
{
  input->buffered = -1;
  for (;;) {
    if (input->fp == NULL && !open_next(input, error))
      return NULL;
    GError *local = NULL;
    CopydeskDocument *doc = input->format == COPYDESK_INPUT_JSONL   ? next_jsonl(input, &local)
                            : input->format == COPYDESK_INPUT_CONLL ? next_conll(input, &local)
                                                                    : next_text(input, &local);
    if (doc) {
      if (location)
        *location = input->location;
      return doc;
    }
    close_file(input);
    if (local) {
      g_propagate_error(error, local);
      return NULL;
    }
  }
}
