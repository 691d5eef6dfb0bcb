/* copydesk — helpers for plugins that write JSON. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends S (LEN bytes, -1: NUL-terminated) to OUT as a quoted JSON string.  Escapes '"', '\\',
 * control characters, U+2028 and U+2029; an invalid UTF-8 byte becomes \ufffd and a NUL \u0000,
 * so the result is always valid JSON. */
void copydesk_json_append_string(GString *out, const char *s, gssize len);

/* Appends the number VALUE to OUT in the shortest form that reads back exactly
 * (non-finite values become null). */
void copydesk_json_append_double(GString *out, double value);

G_END_DECLS
