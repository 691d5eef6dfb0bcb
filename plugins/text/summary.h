/* copydesk — helpers shared by the text and html output plugins (internal).
 *
 * Sorted views of a layer, entity groups (mentions grouped by their `entity` id, named
 * by their `name` attribute), and the speaker name of a quote, resolved the way
 * docs/output-contract.md resolves it for the json record.  Compiled into both modules;
 * nothing here is exported.
 */
#pragma once

#include <copydesk/copydesk.h>

G_BEGIN_DECLS

/* The spans of a layer, sorted by start, then the longer first, then insertion order. */
typedef struct {
  CopydeskSpan **v;
  gsize n;
} SpanArray;

/* Fills A with LAYER's spans, sorted (LAYER NULL: empty).  Never modifies the layer. */
void span_array_init(SpanArray *a, const CopydeskLayer *layer);
void span_array_clear(SpanArray *a);

/* One thing the article mentions: the mentions sharing an `entity` id, or, for mentions
 * without one, those with the same label and text. */
typedef struct {
  const char *id;    /* the `entity` id, or NULL */
  const char *label; /* label of the first mention (may be NULL) */
  char *name;        /* the first `name` attribute, else the longest mention text (cleaned) */
  gsize count;       /* mentions */
  gsize first;       /* index of the first mention in the sorted mentions */
  gsize name_len;    /* internal: length of the mention text used as name; G_MAXSIZE: a name attribute */
} EntityGroup;

typedef struct {
  GPtrArray *groups; /* EntityGroup *, in order of first mention */
  GHashTable *by_id; /* entity id -> EntityGroup * */
} EntityGroups;

/* Groups the sorted MENTIONS. */
void entity_groups_init(EntityGroups *g, const SpanArray *mentions);
void entity_groups_clear(EntityGroups *g);
/* The group of entity id ID, or NULL. */
const EntityGroup *entity_groups_find(const EntityGroups *g, const char *id);
/* The groups sorted by mention count (most first), then first mention; g_ptr_array_unref(). */
GPtrArray *entity_groups_by_count(const EntityGroups *g);

/* The name of QUOTE's speaker (newly allocated), or NULL when none is known: the quote's
 * `speaker_name`, else the speaker span's `name`, else the name of the entity group of
 * `speaker_entity` (or of the speaker span's `entity`), else the speaker span's text. */
char *quote_speaker_name(const CopydeskSpan *quote, const EntityGroups *groups);

/* The cleaned text of SPAN with every run of whitespace made one space and the ends
 * trimmed (newly allocated). */
char *span_text_collapsed(const CopydeskSpan *span);

/* A human name of entity LABEL for one thing ("person", "organisation", "place", "other"). */
const char *entity_label_noun(const char *label);

G_END_DECLS
