/* copydesk — entities: gazetteers, lists of names matched over runs of tokens.
 *
 * An entry is one or more words ("New York", "Bosnia and Herzegovina").  Each word is
 * hashed lower-cased (so headlines in capitals match), with ’ read as '; an entry is the
 * combined hash of its words, kept in an open-addressing table with the mask of the
 * classes that list it.  Lookups never build strings.
 */
#include <string.h>

#include "ner.h"

static const char *const class_names[NER_GAZ_N_CLASSES] = {
    "country", "region", "city", "demonym", "given_name", "org", "title", "misc",
    "surname", "person", "place",   "team",
};

const char *ner_gaz_class_name(NerGazClass c) { return class_names[c]; }

int ner_gaz_class_parse(const char *s, gsize len) {
  for (int c = 0; c < NER_GAZ_N_CLASSES; c++)
    if (strlen(class_names[c]) == len && memcmp(class_names[c], s, len) == 0) return c;
  return -1;
}

struct NerGazetteer {
  guint64 *keys; /* 0: empty */
  guint32 *masks;
  gsize mask, used;
  guint entries;
  gboolean borrowed; /* KEYS and MASKS belong to someone else (a mapped model file) */
};

NerGazetteer *ner_gazetteer_new(void) {
  NerGazetteer *gaz = g_new0(NerGazetteer, 1);
  gaz->mask = 1023;
  gaz->keys = g_new0(guint64, gaz->mask + 1);
  gaz->masks = g_new0(guint32, gaz->mask + 1);
  return gaz;
}

void ner_gazetteer_free(NerGazetteer *gaz) {
  if (gaz == NULL) return;
  if (!gaz->borrowed) {
    g_free(gaz->keys);
    g_free(gaz->masks);
  }
  g_free(gaz);
}

void ner_gazetteer_table(const NerGazetteer *gaz, const guint64 **keys, const guint32 **masks,
                         gsize *slots) {
  *keys = gaz->keys;
  *masks = gaz->masks;
  *slots = gaz->mask + 1;
}

NerGazetteer *ner_gazetteer_new_view(const guint64 *keys, const guint32 *masks, gsize slots) {
  if (slots == 0 || (slots & (slots - 1)) != 0) return NULL;
  NerGazetteer *gaz = g_new0(NerGazetteer, 1);
  gaz->keys = (guint64 *)keys;
  gaz->masks = (guint32 *)masks;
  gaz->mask = slots - 1;
  gaz->borrowed = TRUE;
  for (gsize j = 0; j < slots; j++) {
    if (keys[j] == 0) continue;
    gaz->used++;
    guint32 m = masks[j] & ~NER_GAZ_PREFIX;
    while (m) {
      gaz->entries += m & 1;
      m >>= 1;
    }
  }
  if (gaz->used >= slots) { /* no empty slot: a lookup might never end */
    g_free(gaz);
    return NULL;
  }
  return gaz;
}

guint ner_gazetteer_size(const NerGazetteer *gaz) { return gaz->entries; }

guint64 ner_gaz_word_hash(const char *word, gsize len) {
  char buf[128];
  gsize o = 0;
  for (gsize i = 0; i < len && o + 4 < sizeof buf;) {
    guchar c = (guchar)word[i];
    if (c < 0x80) {
      buf[o++] = g_ascii_tolower((char)c);
      i++;
      continue;
    }
    gunichar u = g_utf8_get_char_validated(word + i, (gssize)(len - i));
    gsize clen = 1;
    if (u == (gunichar)-1 || u == (gunichar)-2) {
      buf[o++] = (char)c;
      i++;
      continue;
    }
    clen = (gsize)(g_utf8_next_char(word + i) - (word + i));
    if (u == 0x2019 || u == 0x2018)
      buf[o++] = '\'';
    else
      o += (gsize)g_unichar_to_utf8(g_unichar_tolower(u), buf + o);
    i += clen;
  }
  return ner_hash_bytes(buf, o);
}

static guint64 sequence_key(const guint64 *words, guint n) {
  guint64 h = words[0];
  for (guint k = 1; k < n; k++) h = ner_combine(h, words[k]);
  return ner_combine(h, n) | 1;
}

static void grow(NerGazetteer *gaz) {
  gsize old_size = gaz->mask + 1;
  guint64 *old_keys = gaz->keys;
  guint32 *old_masks = gaz->masks;
  gaz->mask = old_size * 2 - 1;
  gaz->keys = g_new0(guint64, gaz->mask + 1);
  gaz->masks = g_new0(guint32, gaz->mask + 1);
  for (gsize i = 0; i < old_size; i++) {
    if (old_keys[i] == 0) continue;
    gsize j = old_keys[i] & gaz->mask;
    while (gaz->keys[j] != 0) j = (j + 1) & gaz->mask;
    gaz->keys[j] = old_keys[i];
    gaz->masks[j] = old_masks[i];
  }
  g_free(old_keys);
  g_free(old_masks);
}

void ner_gazetteer_add(NerGazetteer *gaz, NerGazClass c, const char *entry, gsize len) {
  g_return_if_fail(!gaz->borrowed);
  guint64 words[NER_GAZ_MAX_WORDS];
  guint n = 0;
  gsize i = 0;
  while (i < len) {
    while (i < len && g_ascii_isspace(entry[i])) i++;
    gsize s = i;
    while (i < len && !g_ascii_isspace(entry[i])) i++;
    if (i == s) break;
    if (n == NER_GAZ_MAX_WORDS) return; /* too long to ever match */
    words[n++] = ner_gaz_word_hash(entry + s, i - s);
  }
  if (n == 0) return;
  /* the entry, and its first words marked as the start of a longer entry */
  for (guint k = n; k >= 1; k--) {
    if ((gaz->used + 1) * 2 > gaz->mask + 1) grow(gaz);
    guint64 key = sequence_key(words, k);
    gsize j = key & gaz->mask;
    while (gaz->keys[j] != 0 && gaz->keys[j] != key) j = (j + 1) & gaz->mask;
    if (gaz->keys[j] == 0) {
      gaz->keys[j] = key;
      gaz->used++;
    }
    guint32 bit = k == n ? 1u << c : NER_GAZ_PREFIX;
    if (k == n && !(gaz->masks[j] & bit)) gaz->entries++;
    if ((gaz->masks[j] & bit) && k < n) break; /* its prefixes are marked already */
    gaz->masks[j] |= bit;
  }
}

guint32 ner_gazetteer_lookup(const NerGazetteer *gaz, const guint64 *words, guint n) {
  if (gaz->used == 0) return 0;
  guint64 key = sequence_key(words, n);
  gsize j = key & gaz->mask;
  while (gaz->keys[j] != 0) {
    if (gaz->keys[j] == key) return gaz->masks[j];
    j = (j + 1) & gaz->mask;
  }
  return 0;
}

gboolean ner_gazetteer_add_blob(NerGazetteer *gaz, const char *text, gsize len, GError **error) {
  gsize i = 0;
  guint line = 0;
  while (i < len) {
    gsize e = i;
    while (e < len && text[e] != '\n') e++;
    line++;
    if (e > i && text[i] != '#') {
      const char *tab = memchr(text + i, '\t', e - i);
      int c = tab ? ner_gaz_class_parse(text + i, (gsize)(tab - (text + i))) : -1;
      if (c < 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "gazetteer line %u: expected a known class, a tab and an entry", line);
        return FALSE;
      }
      ner_gazetteer_add(gaz, (NerGazClass)c, tab + 1, (gsize)(text + e - (tab + 1)));
    }
    i = e + 1;
  }
  return TRUE;
}

static int compare_names(gconstpointer a, gconstpointer b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

gboolean ner_gazetteer_add_dir(NerGazetteer *gaz, const char *dir, GString *blob, GError **error) {
  GDir *d = g_dir_open(dir, 0, error);
  if (d == NULL) return FALSE;
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL)
    if (g_str_has_suffix(name, ".txt")) g_ptr_array_add(names, g_strdup(name));
  g_dir_close(d);
  g_ptr_array_sort(names, compare_names);
  gboolean ok = TRUE;
  for (guint k = 0; ok && k < names->len; k++) {
    const char *file = names->pdata[k];
    gsize stem = strlen(file) - 4;
    const char *dash = memchr(file, '-', stem);
    int c = ner_gaz_class_parse(file, dash ? (gsize)(dash - file) : stem);
    if (c < 0) {
      GString *known = g_string_new(NULL); /* the classes, from the one table of them */
      for (int n = 0; n < NER_GAZ_N_CLASSES; n++)
        g_string_append_printf(known, "%s%s", n ? ", " : "", class_names[n]);
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s/%s: the file name does not start with a gazetteer class (%s)", dir, file,
                  known->str);
      g_string_free(known, TRUE);
      ok = FALSE;
      break;
    }
    char *path = g_build_filename(dir, file, NULL);
    char *text;
    gsize len;
    ok = g_file_get_contents(path, &text, &len, error);
    g_free(path);
    if (!ok) break;
    gsize i = 0;
    while (i < len) {
      gsize e = i;
      while (e < len && text[e] != '\n') e++;
      gsize s = i;
      while (s < e && g_ascii_isspace(text[s])) s++;
      gsize t = e;
      while (t > s && g_ascii_isspace(text[t - 1])) t--;
      if (t > s && text[s] != '#') {
        ner_gazetteer_add(gaz, (NerGazClass)c, text + s, t - s);
        if (blob) {
          g_string_append_printf(blob, "%s\t", class_names[c]);
          g_string_append_len(blob, text + s, (gssize)(t - s));
          g_string_append_c(blob, '\n');
        }
      }
      i = e + 1;
    }
    g_free(text);
  }
  g_ptr_array_free(names, TRUE);
  return ok;
}
