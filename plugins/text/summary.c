/* copydesk — helpers shared by the text and html output plugins. */
#include "summary.h"

#include <stdlib.h>
#include <string.h>

/* ---- Sorted layers ---------------------------------------------------------- */

typedef struct {
  CopydeskSpan *span;
  gsize start, end, index;
} SortRef;

static int sort_ref_cmp(const void *a, const void *b) {
  const SortRef *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->end != y->end) return x->end > y->end ? -1 : 1; /* longer first */
  return x->index < y->index ? -1 : (x->index > y->index);
}

void span_array_init(SpanArray *a, const CopydeskLayer *layer) {
  a->v = NULL;
  a->n = 0;
  if (layer == NULL) return;
  gsize n = copydesk_layer_n_spans(layer);
  if (n == 0) return;
  SortRef *refs = g_new(SortRef, n);
  for (gsize i = 0; i < n; i++) {
    CopydeskSpan *span = copydesk_layer_span(layer, i);
    refs[i] = (SortRef){span, copydesk_span_start(span), copydesk_span_end(span), i};
  }
  qsort(refs, n, sizeof *refs, sort_ref_cmp);
  a->v = g_new(CopydeskSpan *, n);
  for (gsize i = 0; i < n; i++) a->v[i] = refs[i].span;
  a->n = n;
  g_free(refs);
}

void span_array_clear(SpanArray *a) {
  g_clear_pointer(&a->v, g_free);
  a->n = 0;
}

/* ---- Text --------------------------------------------------------------------- */

char *span_text_collapsed(const CopydeskSpan *span) {
  gsize len;
  const char *s = copydesk_span_text(span, &len);
  GString *out = g_string_sized_new(len);
  gboolean space = FALSE;
  const char *end = s + len;
  for (const char *p = s; p < end; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (g_unichar_isspace(c) || c == 0x2028 || c == 0x2029 || c == 0x85) {
      space = TRUE;
      continue;
    }
    if (space && out->len > 0) g_string_append_c(out, ' ');
    space = FALSE;
    g_string_append_len(out, p, g_utf8_next_char(p) - p);
  }
  return g_string_free(out, FALSE);
}

/* ---- Entity groups ------------------------------------------------------------ */

static void group_free(gpointer p) {
  EntityGroup *g = p;
  g_free(g->name);
  g_free(g);
}

void entity_groups_init(EntityGroups *g, const SpanArray *mentions) {
  g->groups = g_ptr_array_new_with_free_func(group_free);
  g->by_id = g_hash_table_new(g_str_hash, g_str_equal);
  /* Mentions without an id are grouped by "label\x1ftext"; the keys are owned here. */
  GHashTable *by_text = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (gsize i = 0; i < mentions->n; i++) {
    const CopydeskSpan *span = mentions->v[i];
    const char *id = copydesk_span_get_string(span, "entity");
    const char *label = copydesk_span_label(span);
    EntityGroup *e;
    if (id != NULL) {
      e = g_hash_table_lookup(g->by_id, id);
    } else {
      char *text = span_text_collapsed(span);
      char *key = g_strdup_printf("%s\x1f%s", label ? label : "", text);
      g_free(text);
      e = g_hash_table_lookup(by_text, key);
      if (e == NULL) {
        e = g_new0(EntityGroup, 1);
        g_hash_table_insert(by_text, key, e);
      } else {
        g_free(key);
      }
    }
    if (e == NULL || e->count == 0) {
      if (e == NULL) {
        e = g_new0(EntityGroup, 1);
        e->id = id;
        g_hash_table_insert(g->by_id, (gpointer)id, e);
      }
      e->label = label;
      e->first = i;
      g_ptr_array_add(g->groups, e);
    }
    e->count++;
    const char *name = copydesk_span_get_string(span, "name");
    gsize *best = &e->name_len;
    if (name != NULL) {
      if (*best != G_MAXSIZE) {
        g_free(e->name);
        e->name = g_strdup(name);
        *best = G_MAXSIZE; /* a name attribute wins over every mention text */
      }
    } else if (*best != G_MAXSIZE) {
      gsize len;
      copydesk_span_text(span, &len);
      if (e->name == NULL || len > *best) {
        g_free(e->name);
        e->name = span_text_collapsed(span);
        *best = len;
      }
    }
  }
  g_hash_table_destroy(by_text);
}

void entity_groups_clear(EntityGroups *g) {
  g_clear_pointer(&g->by_id, g_hash_table_destroy);
  g_clear_pointer(&g->groups, g_ptr_array_unref);
}

const EntityGroup *entity_groups_find(const EntityGroups *g, const char *id) {
  if (g == NULL || g->by_id == NULL || id == NULL) return NULL;
  return g_hash_table_lookup(g->by_id, id);
}

static gint by_count_cmp(gconstpointer a, gconstpointer b) {
  const EntityGroup *x = *(EntityGroup *const *)a, *y = *(EntityGroup *const *)b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return x->first < y->first ? -1 : (x->first > y->first);
}

GPtrArray *entity_groups_by_count(const EntityGroups *g) {
  GPtrArray *sorted = g_ptr_array_sized_new(g->groups ? g->groups->len : 0);
  for (guint i = 0; g->groups != NULL && i < g->groups->len; i++)
    g_ptr_array_add(sorted, g->groups->pdata[i]);
  g_ptr_array_sort(sorted, by_count_cmp);
  return sorted;
}

/* ---- Speakers ------------------------------------------------------------------ */

char *quote_speaker_name(const CopydeskSpan *quote, const EntityGroups *groups) {
  const char *name = copydesk_span_get_string(quote, "speaker_name");
  if (name != NULL) return g_strdup(name);
  const CopydeskSpan *sp = copydesk_span_get_link(quote, "speaker");
  if (sp != NULL && (name = copydesk_span_get_string(sp, "name")) != NULL) return g_strdup(name);
  const char *entity = copydesk_span_get_string(quote, "speaker_entity");
  if (entity == NULL && sp != NULL) entity = copydesk_span_get_string(sp, "entity");
  const EntityGroup *g = entity_groups_find(groups, entity);
  if (g != NULL && g->name != NULL) return g_strdup(g->name);
  if (sp != NULL) return span_text_collapsed(sp);
  return NULL;
}

const char *entity_label_noun(const char *label) {
  if (label == NULL) return "other";
  if (strcmp(label, "PERSON") == 0 || strcmp(label, "PER") == 0) return "person";
  if (strcmp(label, "ORG") == 0) return "organisation";
  if (strcmp(label, "LOC") == 0 || strcmp(label, "GPE") == 0) return "place";
  return "other";
}
