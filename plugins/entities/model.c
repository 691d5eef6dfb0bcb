/* copydesk — entities: the model file.
 *
 * Little-endian, every section 8-byte aligned:
 *
 *   0   char[8]  magic "CDNERMDL"
 *   8   u32      format version (NER_MODEL_FORMAT); a newer one is refused
 *   12  u32      header size (64)
 *   16  u32      feature set (NER_FEATURE_SET): what the hashed feature ids mean; bit 16
 *                (NER_MODEL_VITERBI) set: the weights are for the first-order decoder
 *   20  u32      number of tags (9)
 *   24  u32      hash bits B: the table has 2^B buckets of one row each
 *   28  u32      rows stored (buckets with a non-zero weight)
 *   32  f32      scale: weight difference = int16 value × scale
 *   36  u32      description length (UTF-8 text: how the model was made)
 *   40  u32      gazetteer length ("class<TAB>entry" lines the model was trained with)
 *   44  u32      tag set length ("O B-PER I-PER …", NUL-terminated)
 *   48  u64      payload size: the bytes between the header and the checksum
 *   56  u32      word cluster slots W (0, or a power of two)
 *   60  u32      gazetteer table slots G (0, or a power of two)
 *   64  payload: tag set, description, gazetteer (each padded to 8), the word clusters
 *                (W u64 keys, then W u32 values, padded to 8: see NerClusterTable), the
 *                gazetteer's hash table (G u64 keys, G u32 class masks, padded: the table
 *                gazetteer.c builds from the gazetteer lines, stored so loading is fast), the
 *                bucket index (2^B / 32 blocks of a u32 rank — the rows stored before the
 *                block — and a u32 bitmap of its 32 buckets, the rank first), then the rows
 *                (rows × (tags − 1) int16: each tag's weight minus O's, padded)
 *
 * Format 1 (no word clusters, BIO tags) is refused: its features are not this build's.
 *   end u32      CRC-32 of everything before it
 *
 * A lookup reads one 8-byte block and counts bits; the file is mapped read-only and shared by every
 * thread (and every process) that uses it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ner.h"
#include "v16.h" /* popcount64() */

#define HEADER_SIZE 64
#define TAGSET                                                                              \
  "O B-PER I-PER L-PER U-PER B-ORG I-ORG L-ORG U-ORG B-LOC I-LOC L-LOC U-LOC B-MISC I-MISC "     \
  "L-MISC U-MISC"
/* A row holds the weight of each tag but O minus that of O (only differences count). */
#define NER_ROW (NER_N_TAGS - 1)
#define MIN_BITS 8
#define MAX_BITS 28

struct NerModel {
  GMappedFile *file;
  const guint8 *data;
  gsize size;
  guint hash_bits;
  guint64 mask;
  gsize n_rows;
  float scale;
  const guint32 *index; /* blocks of (rank, bitmap of 32 buckets) */
  const gint16 *rows;
  char *description;
  const char *gaz_blob;
  gsize gaz_len;
  NerGazetteer *gazetteer;
  NerClusterTable clusters;
  guint64 serial; /* this process's number for the model, never reused */
  gboolean viterbi; /* trained for the first-order decoder */
};

/* ---- CRC-32 ----------------------------------------------------------------------- */

static guint32 crc_table[8][256];

static gpointer init_crc_table(gpointer unused) {
  for (guint32 i = 0; i < 256; i++) {
    guint32 c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[0][i] = c;
  }
  for (guint32 i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++)
      crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
  return NULL;
}

guint32 ner_crc32(guint32 crc, const void *data, gsize len) {
  static GOnce once = G_ONCE_INIT;
  g_once(&once, init_crc_table, NULL);
  const guint8 *p = data;
  crc = ~crc;
  while (len >= 8) { /* slicing-by-8 */
    guint32 a = crc ^ ((guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 |
                       (guint32)p[3] << 24);
    crc = crc_table[7][a & 0xFF] ^ crc_table[6][(a >> 8) & 0xFF] ^
          crc_table[5][(a >> 16) & 0xFF] ^ crc_table[4][a >> 24] ^ crc_table[3][p[4]] ^
          crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
    p += 8;
    len -= 8;
  }
  while (len--) crc = crc_table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

/* ---- Writing ------------------------------------------------------------------------ */

static void put_u32(GByteArray *b, gsize at, guint32 v) {
  for (int k = 0; k < 4; k++) b->data[at + k] = (guint8)(v >> (8 * k));
}

static void put_u64(GByteArray *b, gsize at, guint64 v) {
  for (int k = 0; k < 8; k++) b->data[at + k] = (guint8)(v >> (8 * k));
}

static void append_padded(GByteArray *b, const void *data, gsize len) {
  if (len) g_byte_array_append(b, data, (guint)len);
  static const guint8 zeros[8] = {0};
  if (b->len % 8) g_byte_array_append(b, zeros, 8 - b->len % 8);
}

gboolean ner_model_write(const NerModelSpec *spec, const char *path, gsize *n_rows_out,
                         GError **error) {
  g_return_val_if_fail(G_BYTE_ORDER == G_LITTLE_ENDIAN, FALSE);
  gsize buckets = (gsize)1 << spec->hash_bits;
  gsize n_weights = buckets * NER_N_TAGS;
  float max_abs = 0;
  for (gsize i = 0; i < n_weights; i += NER_N_TAGS)
    for (guint t = 1; t < NER_N_TAGS; t++)
      max_abs = MAX(max_abs, fabsf(spec->weights[i + t] - spec->weights[i]));
  float scale = max_abs > 0 ? max_abs / 32767.0f : 1.0f;

  gsize n_blocks = buckets / 32;
  guint32 *index = g_new0(guint32, n_blocks * 2);
  GArray *rows = g_array_new(FALSE, FALSE, sizeof(gint16));
  gsize n_rows = 0;
  for (gsize b = 0; b < buckets; b++) {
    gint16 q[NER_ROW];
    gboolean any = FALSE;
    const float *w = spec->weights + b * NER_N_TAGS;
    for (guint t = 0; t < NER_ROW; t++) {
      double v = floor((double)(w[t + 1] - w[0]) / scale + 0.5);
      q[t] = (gint16)CLAMP(v, -32767, 32767);
      any |= q[t] != 0;
    }
    if (b % 32 == 0) index[b / 32 * 2] = (guint32)n_rows;
    if (!any) continue;
    index[b / 32 * 2 + 1] |= (guint32)1 << (b % 32);
    g_array_append_vals(rows, q, NER_ROW);
    n_rows++;
  }

  GByteArray *out = g_byte_array_sized_new(HEADER_SIZE + (guint)(n_rows * NER_ROW * 2) +
                                           (guint)(n_blocks * 8) + 4096);
  guint8 header[HEADER_SIZE] = {0};
  g_byte_array_append(out, header, HEADER_SIZE);
  memcpy(out->data, NER_MODEL_MAGIC, 8);
  gsize desc_len = spec->description ? strlen(spec->description) : 0;
  put_u32(out, 8, NER_MODEL_FORMAT);
  put_u32(out, 12, HEADER_SIZE);
  put_u32(out, 16, NER_FEATURE_SET | (spec->viterbi ? NER_MODEL_VITERBI : 0));
  put_u32(out, 20, NER_N_TAGS);
  put_u32(out, 24, spec->hash_bits);
  put_u32(out, 28, (guint32)n_rows);
  guint32 scale_bits;
  memcpy(&scale_bits, &scale, 4);
  put_u32(out, 32, scale_bits);
  put_u32(out, 36, (guint32)desc_len);
  put_u32(out, 40, (guint32)spec->gazetteer_len);
  put_u32(out, 44, sizeof TAGSET);
  append_padded(out, TAGSET, sizeof TAGSET);
  append_padded(out, spec->description, desc_len);
  append_padded(out, spec->gazetteer_blob, spec->gazetteer_len);
  gsize cl_slots = spec->clusters && spec->clusters->mask ? spec->clusters->mask + 1 : 0;
  put_u32(out, 56, (guint32)cl_slots);
  if (cl_slots) {
    append_padded(out, spec->clusters->keys, cl_slots * 8);
    append_padded(out, spec->clusters->vals, cl_slots * 4);
  }
  if (spec->gazetteer && ner_gazetteer_size(spec->gazetteer) > 0) {
    const guint64 *gk;
    const guint32 *gm;
    gsize gslots;
    ner_gazetteer_table(spec->gazetteer, &gk, &gm, &gslots);
    put_u32(out, 60, (guint32)gslots);
    append_padded(out, gk, gslots * 8);
    append_padded(out, gm, gslots * 4);
  }
  append_padded(out, index, n_blocks * 8);
  append_padded(out, rows->data, n_rows * NER_ROW * 2);
  put_u64(out, 48, out->len - HEADER_SIZE);
  guint32 crc = ner_crc32(0, out->data, out->len);
  guint8 crc_bytes[4] = {(guint8)crc, (guint8)(crc >> 8), (guint8)(crc >> 16),
                         (guint8)(crc >> 24)};
  g_byte_array_append(out, crc_bytes, 4);

  gboolean ok = g_file_set_contents(path, (const char *)out->data, out->len, error);
  g_byte_array_free(out, TRUE);
  g_array_free(rows, TRUE);
  g_free(index);
  if (n_rows_out) *n_rows_out = n_rows;
  return ok;
}

/* ---- Loading -------------------------------------------------------------------------- */

static guint32 get_u32(const guint8 *p) {
  return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static guint64 get_u64(const guint8 *p) { return get_u32(p) | (guint64)get_u32(p + 4) << 32; }

static gsize pad8(gsize n) { return (n + 7) & ~(gsize)7; }

#define FAIL(...)                                                                         \
  do {                                                                                    \
    char *msg_ = g_strdup_printf(__VA_ARGS__);                                            \
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "model %s: %s", path, msg_);     \
    g_free(msg_);                                                                         \
    ner_model_free(m);                                                                    \
    return NULL;                                                                          \
  } while (0)

NerModel *ner_model_load(const char *path, GError **error) {
  NerModel *m = NULL;
  if (G_BYTE_ORDER != G_LITTLE_ENDIAN) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "model %s: this build reads models on little-endian machines only", path);
    return NULL;
  }
  GError *local = NULL;
  GMappedFile *file = g_mapped_file_new(path, FALSE, &local);
  if (file == NULL) {
    g_set_error(error, G_FILE_ERROR, local->code, "model %s: cannot read it: %s", path,
                local->code == G_FILE_ERROR_NOENT ? "no such file" : local->message);
    g_error_free(local);
    return NULL;
  }
  static gsize serials; /* atomic */
  m = g_new0(NerModel, 1);
  m->serial = (guint64)g_atomic_pointer_add(&serials, 1) + 1;
  m->file = file;
  m->data = (const guint8 *)g_mapped_file_get_contents(file);
  m->size = g_mapped_file_get_length(file);
  const guint8 *d = m->data;
  if (m->size < 8 || memcmp(d, NER_MODEL_MAGIC, 8) != 0)
    FAIL("not a copydesk entity model (wrong magic number)");
  if (m->size < HEADER_SIZE + 4) FAIL("truncated (%zu bytes, shorter than the header)", m->size);
  guint32 format = get_u32(d + 8);
  if (format > NER_MODEL_FORMAT)
    FAIL("format version %u is newer than this build reads (up to %u); upgrade copydesk",
         format, NER_MODEL_FORMAT);
  if (format < NER_MODEL_FORMAT)
    FAIL("format version %u is older than this build reads (%u); retrain it", format,
         NER_MODEL_FORMAT);
  if (get_u32(d + 12) != HEADER_SIZE) FAIL("bad header size %u", get_u32(d + 12));
  guint64 payload = get_u64(d + 48);
  if (payload > m->size - HEADER_SIZE - 4 || HEADER_SIZE + payload + 4 < m->size) {
    if (HEADER_SIZE + payload + 4 > m->size)
      FAIL("truncated (%zu bytes, the header promises %" G_GUINT64_FORMAT ")", m->size,
           HEADER_SIZE + payload + 4);
    FAIL("%zu bytes of trailing garbage", (gsize)(m->size - HEADER_SIZE - payload - 4));
  }
  guint32 stored_crc = get_u32(d + m->size - 4);
  guint32 crc = ner_crc32(0, d, m->size - 4);
  if (crc != stored_crc)
    FAIL("checksum mismatch (stored %08x, computed %08x): the file is corrupt", stored_crc, crc);
  if ((get_u32(d + 16) & ~NER_MODEL_VITERBI) != NER_FEATURE_SET)
    FAIL("made for feature set %u, this build computes feature set %u; retrain it",
         get_u32(d + 16) & ~NER_MODEL_VITERBI, NER_FEATURE_SET);
  m->viterbi = (get_u32(d + 16) & NER_MODEL_VITERBI) != 0;
  if (get_u32(d + 20) != NER_N_TAGS) FAIL("%u tags, expected %u", get_u32(d + 20), NER_N_TAGS);
  m->hash_bits = get_u32(d + 24);
  if (m->hash_bits < MIN_BITS || m->hash_bits > MAX_BITS)
    FAIL("hash bits %u out of range", m->hash_bits);
  m->mask = ((guint64)1 << m->hash_bits) - 1;
  m->n_rows = get_u32(d + 28);
  guint32 scale_bits = get_u32(d + 32);
  memcpy(&m->scale, &scale_bits, 4);
  gsize desc_len = get_u32(d + 36), gaz_len = get_u32(d + 40), tags_len = get_u32(d + 44);
  gsize n_blocks = ((gsize)1 << m->hash_bits) / 32;
  gsize cl_slots = get_u32(d + 56);
  if (cl_slots != 0 && ((cl_slots & (cl_slots - 1)) != 0 || cl_slots > ((gsize)1 << 26)))
    FAIL("bad word cluster table size %zu", cl_slots);
  gsize gz_slots = get_u32(d + 60);
  if (gz_slots != 0 && ((gz_slots & (gz_slots - 1)) != 0 || gz_slots > ((gsize)1 << 26)))
    FAIL("bad gazetteer table size %zu", gz_slots);
  gsize need = pad8(tags_len) + pad8(desc_len) + pad8(gaz_len) + cl_slots * 8 +
               pad8(cl_slots * 4) + gz_slots * 8 + pad8(gz_slots * 4) + n_blocks * 8 +
               pad8(m->n_rows * NER_ROW * 2);
  if (need != payload) FAIL("section sizes disagree with the payload size");
  gsize at = HEADER_SIZE;
  if (tags_len != sizeof TAGSET || memcmp(d + at, TAGSET, sizeof TAGSET) != 0)
    FAIL("unexpected tag set");
  at += pad8(tags_len);
  m->description = g_strndup((const char *)d + at, desc_len);
  at += pad8(desc_len);
  m->gaz_blob = (const char *)d + at;
  m->gaz_len = gaz_len;
  at += pad8(gaz_len);
  if (cl_slots) {
    m->clusters.keys = (const guint64 *)(d + at);
    at += cl_slots * 8;
    m->clusters.vals = (const guint32 *)(d + at);
    at += pad8(cl_slots * 4);
    m->clusters.mask = cl_slots - 1;
  }
  const guint64 *gz_keys = (const guint64 *)(d + at);
  at += gz_slots * 8;
  const guint32 *gz_masks = (const guint32 *)(d + at);
  at += pad8(gz_slots * 4);
  m->index = (const guint32 *)(d + at);
  at += n_blocks * 8;
  m->rows = (const gint16 *)(d + at);
  /* the index must agree with the row count, so no lookup can read past the rows */
  gsize count = 0;
  for (gsize w = 0; w < n_blocks; w++) {
    if (m->index[2 * w] != count) FAIL("inconsistent bucket index");
    count += popcount64(m->index[2 * w + 1]);
  }
  if (count != m->n_rows) FAIL("inconsistent bucket index");
  if (gz_slots) {
    m->gazetteer = ner_gazetteer_new_view(gz_keys, gz_masks, gz_slots);
    if (m->gazetteer == NULL) FAIL("malformed gazetteer table");
  } else {
    m->gazetteer = ner_gazetteer_new();
    if (!ner_gazetteer_add_blob(m->gazetteer, m->gaz_blob, m->gaz_len, &local)) {
      char *msg = g_strdup(local->message);
      g_error_free(local);
      FAIL("embedded %s", msg);
    }
  }
  return m;
}

void ner_model_free(NerModel *m) {
  if (m == NULL) return;
  if (m->file) g_mapped_file_unref(m->file);
  g_free(m->description);
  ner_gazetteer_free(m->gazetteer);
  g_free(m);
}

guint ner_model_hash_bits(const NerModel *m) { return m->hash_bits; }
guint64 ner_model_serial(const NerModel *m) { return m->serial; }
gboolean ner_model_viterbi(const NerModel *m) { return m->viterbi; }

void ner_model_column_max(const NerModel *m, gint32 *max) {
  for (guint t = 0; t < NER_ROW; t++) max[t] = 0;
  for (gsize r = 0; r < m->n_rows; r++)
    for (guint t = 0; t < NER_ROW; t++) max[t] = MAX(max[t], m->rows[r * NER_ROW + t]);
}
gsize ner_model_n_rows(const NerModel *m) { return m->n_rows; }
gsize ner_model_file_size(const NerModel *m) { return m->size; }
const char *ner_model_description(const NerModel *m) { return m->description; }
const NerGazetteer *ner_model_gazetteer(const NerModel *m) { return m->gazetteer; }
const NerClusterTable *ner_model_clusters(const NerModel *m) { return &m->clusters; }

gboolean ner_clusters_read(const char *path, NerClusterTable *t, GError **error) {
  char *text;
  gsize len;
  memset(t, 0, sizeof *t);
  if (!g_file_get_contents(path, &text, &len, error)) return FALSE;
  gsize n_lines = 0;
  for (gsize i = 0; i < len; i++) n_lines += text[i] == '\n';
  gsize slots = 16;
  while (slots < (n_lines + 1) * 2) slots *= 2;
  guint64 *keys = g_new0(guint64, slots);
  guint32 *vals = g_new0(guint32, slots);
  guint lineno = 0;
  gboolean ok = TRUE;
  for (char *line = text, *next; ok && line < text + len; line = next) {
    next = memchr(line, '\n', (gsize)(text + len - line));
    next = next ? next + 1 : text + len;
    lineno++;
    char *tab = memchr(line, '\t', (gsize)(next - line));
    char *tab2 = tab ? memchr(tab + 1, '\t', (gsize)(next - tab - 1)) : NULL;
    if (tab == NULL || tab2 == NULL || tab == line || tab - line > 30) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s:%u: expected bits, a tab, a word, a tab and a count", path, lineno);
      ok = FALSE;
      break;
    }
    guint32 v = 1;
    for (char *p = line; p < tab; p++) {
      if (*p != '0' && *p != '1') {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: bad bit string", path,
                    lineno);
        ok = FALSE;
        break;
      }
      v = v << 1 | (guint32)(*p - '0');
    }
    guint64 key = ner_cluster_key(tab + 1, (gsize)(tab2 - tab - 1)) | 1;
    gsize j = key & (slots - 1);
    while (keys[j] != 0 && keys[j] != key) j = (j + 1) & (slots - 1);
    if (keys[j] == 0) { /* the first line of a form wins (the file lists frequent ones first) */
      keys[j] = key;
      vals[j] = v;
    }
  }
  g_free(text);
  if (!ok) {
    g_free(keys);
    g_free(vals);
    return FALSE;
  }
  t->keys = keys;
  t->vals = vals;
  t->mask = slots - 1;
  return TRUE;
}

const char *ner_model_gazetteer_blob(const NerModel *m, gsize *len) {
  *len = m->gaz_len;
  return m->gaz_blob;
}

static inline __attribute__((always_inline)) const gint16 *row_of(const NerModel *m, guint64 f) {
  guint64 b = f & m->mask;
  const guint32 *block = m->index + 2 * (b >> 5);
  guint32 bits = block[1], bit = (guint32)1 << (b & 31);
  if (!(bits & bit)) return NULL;
  gsize idx = block[0] + (gsize)__builtin_popcount(bits & (bit - 1));
  return m->rows + idx * NER_ROW;
}

/* x86-64 machines with a popcount instruction get a version that uses it (chosen once, when
 * the plugin loads); the others the portable bit count. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define WITH_POPCNT_CLONE __attribute__((target_clones("default", "popcnt")))
#else
#define WITH_POPCNT_CLONE
#endif

WITH_POPCNT_CLONE
guint ner_model_rows(const NerModel *m, const guint64 *f, guint n, const gint16 **rows) {
  guint nr = 0;
  for (guint k = 0; k < n; k++) {
    const gint16 *row = row_of(m, f[k]);
    if (row == NULL) continue;
    __builtin_prefetch(row);
    rows[nr++] = row;
  }
  return nr;
}

void ner_model_sum_rows(const gint16 *const *rows, guint n, gint32 *sums) {
#if defined(__SSE2__)
  G_STATIC_ASSERT(NER_ROW == 16);
  __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
  for (guint k = 0; k < n; k++) {
    __m128i lo = _mm_loadu_si128((const __m128i *)rows[k]);
    __m128i hi = _mm_loadu_si128((const __m128i *)(rows[k] + 8));
    /* sign-extend the int16 lanes to int32 and add */
    a0 = _mm_add_epi32(a0, _mm_srai_epi32(_mm_unpacklo_epi16(lo, lo), 16));
    a1 = _mm_add_epi32(a1, _mm_srai_epi32(_mm_unpackhi_epi16(lo, lo), 16));
    a2 = _mm_add_epi32(a2, _mm_srai_epi32(_mm_unpacklo_epi16(hi, hi), 16));
    a3 = _mm_add_epi32(a3, _mm_srai_epi32(_mm_unpackhi_epi16(hi, hi), 16));
  }
  _mm_storeu_si128((__m128i *)sums, a0);
  _mm_storeu_si128((__m128i *)(sums + 4), a1);
  _mm_storeu_si128((__m128i *)(sums + 8), a2);
  _mm_storeu_si128((__m128i *)(sums + 12), a3);
#else
  for (guint t = 0; t < NER_ROW; t++) sums[t] = 0;
  for (guint k = 0; k < n; k++)
    for (guint t = 0; t < NER_ROW; t++) sums[t] += rows[k][t];
#endif
}

void ner_model_add_rows(const gint16 *const *rows, guint n, gint32 *scores) {
  gint32 acc[NER_ROW];
  ner_model_sum_rows(rows, n, acc);
  for (guint t = 0; t < NER_ROW; t++) scores[t + 1] += acc[t];
}

void ner_model_sum(const NerModel *m, const guint64 *f, guint n, gint32 *sums) {
  const gint16 *rows[NER_MAX_FEATS + NER_MAX_DYN_FEATS];
  ner_model_sum_rows(rows, ner_model_rows(m, f, n, rows), sums);
}

void ner_model_score(const NerModel *m, const guint64 *f, guint n, gint32 *scores) {
  const gint16 *rows[NER_MAX_FEATS + NER_MAX_DYN_FEATS];
  ner_model_add_rows(rows, ner_model_rows(m, f, n, rows), scores);
}

void ner_model_prefetch(const NerModel *m, const guint64 *f, guint n) {
  for (guint k = 0; k < n; k++) __builtin_prefetch(m->index + 2 * ((f[k] & m->mask) >> 5));
}
