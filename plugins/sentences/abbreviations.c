/* copydesk — sentences: the static word lists behind the sentence rules.
 *
 * Every table is sorted by strcmp() (so no word is in one twice); the word lists are
 * searched by binary search, the abbreviations in a hash table.  sentences_tables_init()
 * verifies the order (and that every abbreviation is short enough and starts with an ASCII
 * byte) and fills the hash table and the table of the abbreviations' first bytes, lengths
 * and last bytes when the plugin is created.
 */
#include <string.h>

#include "sentences.h"

typedef struct {
  const char *word; /* without the final period; internal periods kept ("U.S", "a.m") */
  AbbrevClass cls;
} Abbreviation;

/* Abbreviations whose final period belongs to the word.  Case matters ("No" is one,
 * "no" and "st" are not); an all-capitals form is looked up as "Xxx" too. */
static const Abbreviation abbreviations[] = {
    {"A.M", ABBR_TIME},     {"Adm", ABBR_TITLE},    {"Ala", ABBR_GENERAL},  {"Amb", ABBR_TITLE},
    {"Apr", ABBR_MONTH},    {"Apt", ABBR_NUMBER},   {"Ariz", ABBR_GENERAL}, {"Ark", ABBR_GENERAL},
    {"Art", ABBR_NUMBER},   {"Assn", ABBR_GENERAL}, {"Assoc", ABBR_SUFFIX}, {"Atty", ABBR_TITLE},
    {"Aug", ABBR_MONTH},    {"Ave", ABBR_GENERAL},  {"B.A", ABBR_GENERAL},  {"Bldg", ABBR_GENERAL},
    {"Blvd", ABBR_GENERAL}, {"Brig", ABBR_TITLE},   {"Bros", ABBR_SUFFIX},  {"Calif", ABBR_GENERAL},
    {"Capt", ABBR_TITLE},   {"Ch", ABBR_NUMBER},    {"Cmdr", ABBR_TITLE},   {"Co", ABBR_SUFFIX},
    {"Col", ABBR_TITLE},    {"Colo", ABBR_GENERAL}, {"Cols", ABBR_TITLE},   {"Conn", ABBR_GENERAL},
    {"Corp", ABBR_SUFFIX},  {"Cos", ABBR_SUFFIX},   {"Cpl", ABBR_TITLE},    {"D.C", ABBR_GENERAL},
    {"Dec", ABBR_MONTH},    {"Del", ABBR_GENERAL},  {"Dept", ABBR_GENERAL}, {"Det", ABBR_TITLE},
    {"Dr", ABBR_TITLE},     {"Drs", ABBR_TITLE},    {"E.U", ABBR_GENERAL},  {"Esq", ABBR_SUFFIX},
    {"Feb", ABBR_MONTH},    {"Fig", ABBR_NUMBER},   {"Figs", ABBR_NUMBER},  {"Fla", ABBR_GENERAL},
    {"Fr", ABBR_TITLE},     {"Ft", ABBR_TITLE},     {"Ga", ABBR_GENERAL},   {"Gen", ABBR_TITLE},
    {"Gens", ABBR_TITLE},   {"Gov", ABBR_TITLE},    {"Govs", ABBR_TITLE},   {"Govt", ABBR_GENERAL},
    {"Hon", ABBR_TITLE},    {"Hwy", ABBR_NUMBER},   {"Ill", ABBR_GENERAL},  {"Inc", ABBR_SUFFIX},
    {"Ind", ABBR_GENERAL},  {"Insp", ABBR_TITLE},   {"Intl", ABBR_SUFFIX},  {"Jan", ABBR_MONTH},
    {"Jr", ABBR_SUFFIX},    {"Jul", ABBR_MONTH},    {"Jun", ABBR_MONTH},    {"Kan", ABBR_GENERAL},
    {"Ky", ABBR_GENERAL},   {"La", ABBR_GENERAL},   {"Lt", ABBR_TITLE},     {"Ltd", ABBR_SUFFIX},
    {"M.A", ABBR_GENERAL},  {"M.D", ABBR_GENERAL},  {"Maj", ABBR_TITLE},    {"Mar", ABBR_MONTH},
    {"Mass", ABBR_GENERAL}, {"Md", ABBR_GENERAL},   {"Messrs", ABBR_TITLE}, {"Mfg", ABBR_SUFFIX},
    {"Mich", ABBR_GENERAL}, {"Minn", ABBR_GENERAL}, {"Mlle", ABBR_TITLE},   {"Mme", ABBR_TITLE},
    {"Mmes", ABBR_TITLE},   {"Mo", ABBR_GENERAL},   {"Mont", ABBR_GENERAL}, {"Mr", ABBR_TITLE},
    {"Mrs", ABBR_TITLE},    {"Ms", ABBR_TITLE},     {"Msgr", ABBR_TITLE},   {"Mt", ABBR_TITLE},
    {"N.C", ABBR_GENERAL},  {"N.D", ABBR_GENERAL},  {"N.H", ABBR_GENERAL},  {"N.J", ABBR_GENERAL},
    {"N.M", ABBR_GENERAL},  {"N.Y", ABBR_GENERAL},  {"Neb", ABBR_GENERAL},  {"Nev", ABBR_GENERAL},
    {"No", ABBR_NUMBER},    {"Nos", ABBR_NUMBER},   {"Nov", ABBR_MONTH},    {"Oct", ABBR_MONTH},
    {"Okla", ABBR_GENERAL}, {"Op", ABBR_NUMBER},    {"Ore", ABBR_GENERAL},  {"P.M", ABBR_TIME},
    {"Pa", ABBR_GENERAL},   {"Para", ABBR_NUMBER},  {"Ph.D", ABBR_GENERAL}, {"Plc", ABBR_SUFFIX},
    {"Pres", ABBR_TITLE},   {"Prof", ABBR_TITLE},   {"Profs", ABBR_TITLE},  {"Pvt", ABBR_TITLE},
    {"R.I", ABBR_GENERAL},  {"Rd", ABBR_GENERAL},   {"Ref", ABBR_NUMBER},   {"Rep", ABBR_TITLE},
    {"Reps", ABBR_TITLE},   {"Rev", ABBR_TITLE},    {"Revs", ABBR_TITLE},   {"Rt", ABBR_NUMBER},
    {"Rte", ABBR_NUMBER},   {"S.C", ABBR_GENERAL},  {"S.D", ABBR_GENERAL},  {"Sec", ABBR_NUMBER},
    {"Sen", ABBR_TITLE},    {"Sens", ABBR_TITLE},   {"Sep", ABBR_MONTH},    {"Sept", ABBR_MONTH},
    {"Sgt", ABBR_TITLE},    {"Spc", ABBR_TITLE},    {"Sr", ABBR_SUFFIX},    {"St", ABBR_TITLE},
    {"Ste", ABBR_TITLE},    {"Supt", ABBR_TITLE},   {"Tel", ABBR_NUMBER},   {"Tenn", ABBR_GENERAL},
    {"U.K", ABBR_GENERAL},  {"U.N", ABBR_GENERAL},  {"U.S", ABBR_GENERAL},  {"U.S.A", ABBR_GENERAL},
    {"Univ", ABBR_GENERAL}, {"Va", ABBR_GENERAL},   {"Vol", ABBR_NUMBER},   {"Vols", ABBR_NUMBER},
    {"Vt", ABBR_GENERAL},   {"W.Va", ABBR_GENERAL}, {"Wash", ABBR_GENERAL}, {"Wis", ABBR_GENERAL},
    {"Wyo", ABBR_GENERAL},  {"a.m", ABBR_TIME},     {"al", ABBR_SUFFIX},    {"approx", ABBR_ALWAYS},
    {"cf", ABBR_ALWAYS},    {"e.g", ABBR_ALWAYS},   {"est", ABBR_GENERAL},  {"etc", ABBR_GENERAL},
    {"fig", ABBR_NUMBER},   {"i.e", ABBR_ALWAYS},   {"incl", ABBR_ALWAYS},  {"p.m", ABBR_TIME},
    {"pp", ABBR_NUMBER},    {"ref", ABBR_NUMBER},   {"tel", ABBR_NUMBER},   {"viz", ABBR_ALWAYS},
    {"vol", ABBR_NUMBER},   {"vs", ABBR_ALWAYS},
};

/* Capitalised words that usually start a sentence rather than continue a name
 * ("... the U.S. The ..." splits; "... the U.S. Treasury ..." does not). */
static const char *const starters[] = {
    "A",          "After",        "All",      "Also",        "Although",  "Among",  "An",
    "And",        "Another",      "Any",      "Are",         "As",        "Asked",  "At",
    "Because",    "Before",       "Both",     "But",         "By",        "Can",    "Could",
    "Despite",    "Did",          "Do",       "Does",        "During",    "Each",   "Earlier",
    "Either",     "Even",         "Every",    "Few",         "Finally",   "First",  "For",
    "From",       "Furthermore",  "Had",      "Has",         "Have",      "He",     "Hence",
    "Her",        "Here",         "His",      "How",         "However",   "I",      "If",
    "In",         "Indeed",       "Instead",  "Is",          "It",        "Its",    "Just",
    "Last",       "Later",        "Let",      "Like",        "Many",      "May",    "Meanwhile",
    "Might",      "More",         "Moreover", "Most",        "Much",      "Must",   "My",
    "Neither",    "Nevertheless", "Next",     "Nonetheless", "Nor",       "Not",    "Note",
    "Now",        "Of",           "On",       "Once",        "One",       "Only",   "Or",
    "Other",      "Otherwise",    "Our",      "Over",        "Overall",   "Please", "Second",
    "Separately", "Several",      "Shall",    "She",         "Should",    "Since",  "So",
    "Some",       "Still",        "Such",     "That",        "The",       "Their",  "Then",
    "There",      "These",        "They",     "Third",       "This",      "Those",  "Though",
    "Thus",       "To",           "Today",    "Tomorrow",    "Two",       "Under",  "Unlike",
    "Until",      "Was",          "We",       "Were",        "What",      "When",   "Where",
    "Which",      "While",        "Who",      "Whom",        "Whose",     "Why",    "Will",
    "With",       "Without",      "Would",    "Yes",         "Yesterday", "Yet",    "You",
    "Your",
};

/* Time zones that follow a.m./p.m. without starting a sentence. */
static const char *const time_zones[] = {
    "AEDT", "AEST", "BST", "CDT", "CEST", "CET", "CST", "CT",  "EDT", "EST", "ET",  "GMT",
    "HKT",  "IST",  "JST", "MDT", "MST",  "MT",  "PDT", "PST", "PT",  "SGT", "UTC",
};

/* Days and months that follow a.m./p.m. without starting a sentence ("10 a.m. Monday"). */
static const char *const dates[] = {
    "Apr",    "April", "Aug",       "August", "Dec",      "December", "Feb",       "February",
    "Friday", "Jan",   "January",   "Jul",    "July",     "Jun",      "June",      "Mar",
    "March",  "May",   "Monday",    "Nov",    "November", "Oct",      "October",   "Saturday",
    "Sep",    "Sept",  "September", "Sunday", "Thursday", "Tuesday",  "Wednesday", "local",
};

/* strcmp() of the LEN bytes at S (as a string) with WORD. */
static inline int compare_word(const char *s, gsize len, const char *word) {
  for (gsize k = 0; k < len; k++) {
    guchar a = (guchar)s[k], b = (guchar)word[k];
    if (b == '\0') return 1; /* WORD is a prefix of S */
    if (a != b) return a < b ? -1 : 1;
  }
  return word[len] == '\0' ? 0 : -1;
}

/* TRUE when the LEN bytes at S are one of the N sorted words of LIST.  An inline binary
 * search: bsearch()'s callback and strncmp() cost more than the comparisons themselves. */
static gboolean in_list(const char *const *list, gsize n, const char *s, gsize len) {
  if (len == 0 || len > 32) return FALSE;
  gsize lo = 0, hi = n;
  while (lo < hi) {
    gsize mid = lo + (hi - lo) / 2;
    int c = compare_word(s, len, list[mid]);
    if (c == 0) return TRUE;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return FALSE;
}

/* The LEN bytes at S (1 to ABBREVIATION_MAX) as one number, the first byte lowest: words
 * without a NUL byte have equal numbers only when they are equal. */
static inline guint64 word_key(const char *s, gsize len) {
  guint64 key = 0;
  for (gsize k = len; k-- > 0;) key = key << 8 | (guchar)s[k];
  return key;
}

/* The abbreviations by word_key(), hashed with open addressing into a table that is at most
 * a third full (filled once by sentences_tables_init()): each slot's key (0: empty) and
 * class. */
enum { ABBREVIATION_SLOT_BITS = 9, ABBREVIATION_SLOTS = 1 << ABBREVIATION_SLOT_BITS };
G_STATIC_ASSERT(G_N_ELEMENTS(abbreviations) * 3 <= ABBREVIATION_SLOTS);
static guint64 abbreviation_keys[ABBREVIATION_SLOTS];
static guint8 abbreviation_classes[ABBREVIATION_SLOTS];

/* The slot where the search for KEY starts (Fibonacci hashing: the top bits of a product). */
static inline gsize key_slot(guint64 key) {
  return (gsize)((key * G_GUINT64_CONSTANT(0x9E3779B97F4A7C15)) >> (64 - ABBREVIATION_SLOT_BITS));
}

/* The class of the LEN bytes at S (1 to ABBREVIATION_MAX), or ABBR_NONE. */
static inline AbbrevClass abbreviation_class(const char *s, gsize len) {
  guint64 key = word_key(s, len);
  for (gsize i = key_slot(key);; i = (i + 1) % ABBREVIATION_SLOTS) {
    if (abbreviation_keys[i] == key) return (AbbrevClass)abbreviation_classes[i];
    if (abbreviation_keys[i] == 0) return ABBR_NONE;
  }
}

guint32 sentences_abbreviation_shapes[128][ABBREVIATION_MAX + 1];

AbbrevClass sentences_abbreviation(const char *s, gsize len) {
  if (len == 0 || len > ABBREVIATION_MAX || !sentences_abbreviation_shape(s, len)) return ABBR_NONE;
  AbbrevClass cls = abbreviation_class(s, len);
  if (cls != ABBR_NONE) return cls;
  /* "MR" and "SEN" in all-capitals text: try "Mr", "Sen". */
  gboolean upper = len >= 2;
  for (gsize i = 0; i < len && upper; i++) upper = g_ascii_isupper(s[i]) || s[i] == '.';
  if (!upper) return ABBR_NONE;
  char buf[ABBREVIATION_MAX];
  for (gsize i = 0; i < len; i++) buf[i] = i == 0 ? s[i] : g_ascii_tolower(s[i]);
  return abbreviation_class(buf, len);
}

gboolean sentences_is_starter(const char *s, gsize len) {
  return in_list(starters, G_N_ELEMENTS(starters), s, len);
}

gboolean sentences_is_time_zone(const char *s, gsize len) {
  return in_list(time_zones, G_N_ELEMENTS(time_zones), s, len);
}

gboolean sentences_is_date_word(const char *s, gsize len) {
  return in_list(dates, G_N_ELEMENTS(dates), s, len);
}

static gboolean sorted(const char *const *list, gsize n) {
  for (gsize i = 1; i < n; i++)
    if (strcmp(list[i - 1], list[i]) >= 0) return FALSE;
  return TRUE;
}

gboolean sentences_tables_init(void) {
  static gsize shapes_done = 0;
  for (gsize i = 0; i < G_N_ELEMENTS(abbreviations); i++) {
    gsize len = strlen(abbreviations[i].word);
    if (len == 0 || len > ABBREVIATION_MAX || (guchar)abbreviations[i].word[0] >= 128)
      return FALSE;
  }
  for (gsize i = 1; i < G_N_ELEMENTS(abbreviations); i++)
    if (strcmp(abbreviations[i - 1].word, abbreviations[i].word) >= 0) return FALSE;
  if (!sorted(starters, G_N_ELEMENTS(starters)) || !sorted(time_zones, G_N_ELEMENTS(time_zones)) ||
      !sorted(dates, G_N_ELEMENTS(dates)))
    return FALSE;
  if (g_once_init_enter(&shapes_done)) {
    for (gsize i = 0; i < G_N_ELEMENTS(abbreviations); i++) {
      const char *word = abbreviations[i].word;
      gsize len = strlen(word);
      sentences_abbreviation_shapes[(guchar)word[0]][len] |= 1u << ((guchar)word[len - 1] & 31);
      guint64 key = word_key(word, len);
      gsize slot = key_slot(key);
      while (abbreviation_keys[slot] != 0) slot = (slot + 1) % ABBREVIATION_SLOTS;
      abbreviation_keys[slot] = key;
      abbreviation_classes[slot] = (guint8)abbreviations[i].cls;
    }
    g_once_init_leave(&shapes_done, 1);
  }
  return TRUE;
}
