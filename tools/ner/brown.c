/* copydesk — make-clusters: Brown word clusters from unlabelled text, for the entity tagger.
 *
 *   make-clusters -c 300 -m 3 /tmp/ner-text.txt > clusters.txt
 *
 * The input is text with one token sequence a line, tokens separated by spaces (what
 * tools/ner/cluster-text.py writes).  The output has one line per word, as Liang's
 * wcluster writes it: the bit string of the word's cluster (its path from the root of the
 * cluster tree, 0 = left, 1 = right), a tab, the word, a tab, its count.  train-ner reads
 * it (--clusters) and embeds the table in the model.
 *
 * The algorithm is Brown et al. (1992) with Liang's (2005) window: the C most frequent words
 * start as clusters; each next word (by frequency) is added as a new cluster and the pair of
 * clusters whose merge loses the least average mutual information between adjacent clusters
 * is merged; when every word is in, the C clusters are merged down to one, and the order of
 * those merges is the tree.  Merge losses are kept for every pair of clusters and updated
 * in O(1) per pair after each merge, so a merge costs O(C²).  Unigram probabilities are the
 * words' whole-corpus frequencies; bigrams count between words already in the window.
 * Ties go to the lowest cluster slots and words are ordered by count, then bytes, so the
 * same input gives the same output.
 */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  guint32 w;
  guint32 n;
} Edge;

typedef struct {
  char *word;
  guint64 count;
} Word;

static int compare_words(const void *a, const void *b) {
  const Word *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return strcmp(x->word, y->word);
}

static int compare_edges(const void *a, const void *b) {
  const Edge *x = a, *y = b;
  return x->w < y->w ? -1 : x->w > y->w;
}

/* ---- The cluster state ------------------------------------------------------------------ */

static guint K;           /* slots: C + 1 */
static double *P;         /* K × K: bigram probability between slots (left row, right col) */
static double *Q;         /* K × K: P log(P / (p_l p_r)) */
static double *L;         /* K × K (upper triangle used, s < t): MI lost by merging s and t */
static double *pu;        /* K: unigram probability of each slot */
static double *S;         /* K: Σ_t Q[s][t] + Σ_t Q[t][s] − Q[s][s] */
static gboolean *active;  /* K */

#define AT(m, s, t) (m)[(gsize)(s) * K + (t)]

static inline double qf(double p, double pl, double pr) {
  return p > 0 ? p * log(p / (pl * pr)) : 0;
}

/* The MI terms, involving cluster E, of clusters s and t before and after merging s and t:
 * q(s,e) + q(e,s) + q(t,e) + q(e,t) − q(st,e) − q(e,st). */
static inline double terms(guint s, guint t, guint e) {
  double pst = pu[s] + pu[t];
  double a = AT(P, s, e) + AT(P, t, e), b = AT(P, e, s) + AT(P, e, t);
  double r = AT(Q, s, e) + AT(Q, e, s) + AT(Q, t, e) + AT(Q, e, t);
  if (a > 0) r -= qf(a, pst, pu[e]);
  if (b > 0) r -= qf(b, pu[e], pst);
  return r;
}

/* Loss of merging s and t, from scratch: O(K). */
static double loss(guint s, guint t) {
  double pst = pu[s] + pu[t];
  double r = S[s] + S[t] - AT(Q, s, t) - AT(Q, t, s);
  for (guint e = 0; e < K; e++) {
    if (!active[e] || e == s || e == t) continue;
    double a = AT(P, s, e) + AT(P, t, e), b = AT(P, e, s) + AT(P, e, t);
    if (a > 0) r -= qf(a, pst, pu[e]);
    if (b > 0) r -= qf(b, pu[e], pst);
  }
  double self = AT(P, s, s) + AT(P, s, t) + AT(P, t, s) + AT(P, t, t);
  if (self > 0) r -= qf(self, pst, pst);
  return r;
}

static void set_q_row(guint s) {
  for (guint e = 0; e < K; e++) {
    if (!active[e]) {
      AT(Q, s, e) = AT(Q, e, s) = 0;
      continue;
    }
    AT(Q, s, e) = qf(AT(P, s, e), pu[s], pu[e]);
    AT(Q, e, s) = qf(AT(P, e, s), pu[e], pu[s]);
  }
}

static void set_s(guint s) {
  double r = 0;
  for (guint e = 0; e < K; e++)
    if (active[e]) r += AT(Q, s, e) + AT(Q, e, s);
  S[s] = r - AT(Q, s, s);
}

/* The active pair with the smallest loss (lowest slots on ties). */
static void best_pair(guint *ba, guint *bb) {
  double best = INFINITY;
  *ba = *bb = 0;
  for (guint s = 0; s < K; s++) {
    if (!active[s]) continue;
    for (guint t = s + 1; t < K; t++) {
      if (!active[t]) continue;
      double l = AT(L, s, t);
      if (l < best) {
        best = l;
        *ba = s;
        *bb = t;
      }
    }
  }
}

static double *old; /* merge()'s copy of two rows and columns */
static guint old_k;

static void merge_free(void) {
  g_free(old);
  old = NULL;
  old_k = 0;
}

/* Merges slot b into slot a (a < b); b becomes free. */
static void merge(guint a, guint b) {
  if (old_k != K) {
    g_free(old);
    old = g_new(double, 8 * (gsize)K);
    old_k = K;
  }
  /* the rows and columns of a and b before the merge */
  double *Par = old, *Pac = old + K, *Pbr = old + 2 * K, *Pbc = old + 3 * K;
  double *Qar = old + 4 * K, *Qac = old + 5 * K, *Qbr = old + 6 * K, *Qbc = old + 7 * K;
  for (guint e = 0; e < K; e++) {
    Par[e] = AT(P, a, e);
    Pac[e] = AT(P, e, a);
    Pbr[e] = AT(P, b, e);
    Pbc[e] = AT(P, e, b);
    Qar[e] = AT(Q, a, e);
    Qac[e] = AT(Q, e, a);
    Qbr[e] = AT(Q, b, e);
    Qbc[e] = AT(Q, e, b);
  }
  double pa = pu[a], pb = pu[b];
  /* the merged cluster's probabilities, in slot a */
  for (guint e = 0; e < K; e++) {
    if (!active[e] || e == a || e == b) continue;
    AT(P, a, e) += AT(P, b, e);
    AT(P, e, a) += AT(P, e, b);
  }
  AT(P, a, a) += AT(P, a, b) + AT(P, b, a) + AT(P, b, b);
  pu[a] = pa + pb;
  for (guint e = 0; e < K; e++) {
    /* S of the others: drop their terms with a and b, add those with a∪b below */
    if (active[e] && e != a && e != b) S[e] -= Qac[e] + Qar[e] + Qbc[e] + Qbr[e];
    AT(P, b, e) = AT(P, e, b) = 0;
  }
  active[b] = FALSE;
  set_q_row(a);
  for (guint e = 0; e < K; e++)
    if (active[e] && e != a) S[e] += AT(Q, e, a) + AT(Q, a, e);
  set_s(a);
  /* the losses of other pairs (s, t): their terms with a and b go, those with a∪b come */
  double pm = pu[a];
  for (guint s = 0; s < K; s++) {
    if (!active[s] || s == a) continue;
    const double *Ps = P + (gsize)s * K, *Qs = Q + (gsize)s * K;
    for (guint t = s + 1; t < K; t++) {
      if (!active[t] || t == a) continue;
      double pst = pu[s] + pu[t];
      const double *Pt = P + (gsize)t * K, *Qt = Q + (gsize)t * K;
      /* old a */
      double d = -(Qar[s] + Qac[s] + Qar[t] + Qac[t]);
      double x = Pac[s] + Pac[t], y = Par[s] + Par[t];
      if (x > 0) d += qf(x, pst, pa);
      if (y > 0) d += qf(y, pa, pst);
      /* old b */
      d -= Qbr[s] + Qbc[s] + Qbr[t] + Qbc[t];
      x = Pbc[s] + Pbc[t];
      y = Pbr[s] + Pbr[t];
      if (x > 0) d += qf(x, pst, pb);
      if (y > 0) d += qf(y, pb, pst);
      /* the merged cluster */
      d += Qs[a] + Qt[a] + AT(Q, a, s) + AT(Q, a, t);
      x = Ps[a] + Pt[a];
      y = AT(P, a, s) + AT(P, a, t);
      if (x > 0) d -= qf(x, pst, pm);
      if (y > 0) d -= qf(y, pm, pst);
      AT(L, s, t) += d;
    }
  }
  /* the merged cluster's losses with every other */
  for (guint e = 0; e < K; e++) {
    if (!active[e] || e == a) continue;
    AT(L, MIN(a, e), MAX(a, e)) = loss(MIN(a, e), MAX(a, e));
  }
}

/* Puts word W (its edges) into free slot F, whose probabilities are all zero. */
static void add_word(guint f, guint w, const guint64 *count, double total, Edge *const *right,
                     const guint *n_right, Edge *const *left, const guint *n_left,
                     const int *slot_of, double n_bigrams) {
  pu[f] = (double)count[w] / total;
  active[f] = TRUE;
  for (guint k = 0; k < n_right[w]; k++) {
    int s = slot_of[right[w][k].w];
    if (right[w][k].w == w) AT(P, f, f) += right[w][k].n / n_bigrams;
    else if (s >= 0) AT(P, f, s) += right[w][k].n / n_bigrams;
  }
  for (guint k = 0; k < n_left[w]; k++) {
    int s = slot_of[left[w][k].w];
    if (left[w][k].w != w && s >= 0) AT(P, s, f) += left[w][k].n / n_bigrams;
  }
  set_q_row(f);
  for (guint e = 0; e < K; e++)
    if (active[e] && e != f) S[e] += AT(Q, e, f) + AT(Q, f, e);
  set_s(f);
  /* the other pairs gain the terms with F */
  for (guint s = 0; s < K; s++) {
    if (!active[s] || s == f) continue;
    for (guint t = s + 1; t < K; t++) {
      if (!active[t] || t == f) continue;
      AT(L, s, t) += terms(s, t, f);
    }
  }
  for (guint e = 0; e < K; e++) {
    if (!active[e] || e == f) continue;
    AT(L, MIN(e, f), MAX(e, f)) = loss(MIN(e, f), MAX(e, f));
  }
}

int main(int argc, char **argv) {
  int n_clusters = 300, min_count = 3;
  gboolean verbose = FALSE;
  GOptionEntry entries[] = {
      {"clusters", 'c', 0, G_OPTION_ARG_INT, &n_clusters, "Number of clusters (300)", "C"},
      {"min-count", 'm', 0, G_OPTION_ARG_INT, &min_count, "Cluster words seen this often (3)",
       "N"},
      {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Report progress on stderr", NULL},
      {NULL}};
  GOptionContext *ctx = g_option_context_new("TEXT... - Brown clusters of the words of TEXT");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc < 2 || n_clusters < 2) {
    fprintf(stderr, "make-clusters: %s\n",
            error ? error->message : "usage: make-clusters [-c C] [-m N] TEXT...");
    return 2;
  }
  g_option_context_free(ctx);

  /* 1. words and counts */
  GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
  GArray *words = g_array_new(FALSE, FALSE, sizeof(Word));
  GArray *seq = g_array_new(FALSE, FALSE, sizeof(guint32)); /* token ids, G_MAXUINT32 = break */
  for (int a = 1; a < argc; a++) {
    char *text;
    gsize len;
    if (!g_file_get_contents(argv[a], &text, &len, &error)) {
      fprintf(stderr, "make-clusters: %s\n", error->message);
      return 2;
    }
    for (char *line = text, *next; line && *line; line = next) {
      next = strchr(line, '\n');
      if (next) *next++ = '\0';
      for (char *tok = strtok(line, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
        gpointer v;
        guint32 id;
        if (g_hash_table_lookup_extended(ids, tok, NULL, &v)) {
          id = GPOINTER_TO_UINT(v);
        } else {
          Word w = {g_strdup(tok), 0};
          id = words->len;
          g_array_append_val(words, w);
          g_hash_table_insert(ids, w.word, GUINT_TO_POINTER(id));
        }
        g_array_index(words, Word, id).count++;
        g_array_append_val(seq, id);
      }
      guint32 brk = G_MAXUINT32;
      g_array_append_val(seq, brk);
    }
    g_free(text);
  }
  /* order by count, then bytes; keep the words seen MIN_COUNT times */
  guint n_all = words->len;
  Word *sorted = g_new(Word, n_all ? n_all : 1);
  memcpy(sorted, words->data, sizeof(Word) * n_all);
  qsort(sorted, n_all, sizeof(Word), compare_words);
  guint V = 0;
  while (V < n_all && sorted[V].count >= (guint64)min_count) V++;
  guint32 *rank_of = g_new(guint32, n_all ? n_all : 1); /* old id → rank, or MAX */
  for (guint i = 0; i < n_all; i++) rank_of[i] = G_MAXUINT32;
  for (guint r = 0; r < V; r++)
    rank_of[GPOINTER_TO_UINT(g_hash_table_lookup(ids, sorted[r].word))] = r;
  guint64 *count = g_new(guint64, V ? V : 1);
  double total = 0;
  for (guint r = 0; r < V; r++) {
    count[r] = sorted[r].count;
    total += (double)count[r];
  }

  /* 2. bigrams between kept words, as sorted edge lists (right and left neighbours) */
  GHashTable *pairs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  GArray *pair_keys = g_array_new(FALSE, FALSE, sizeof(guint64));
  GArray *pair_counts = g_array_new(FALSE, FALSE, sizeof(guint32));
  double n_bigrams = 0;
  for (guint i = 0; i + 1 < seq->len; i++) {
    guint32 a = g_array_index(seq, guint32, i), b = g_array_index(seq, guint32, i + 1);
    if (a == G_MAXUINT32 || b == G_MAXUINT32) continue;
    a = rank_of[a];
    b = rank_of[b];
    if (a == G_MAXUINT32 || b == G_MAXUINT32) continue;
    n_bigrams++;
    guint64 key = (guint64)a << 32 | b;
    gpointer v;
    if (g_hash_table_lookup_extended(pairs, &key, NULL, &v)) {
      g_array_index(pair_counts, guint32, GPOINTER_TO_UINT(v))++;
    } else {
      guint idx = pair_keys->len;
      g_array_append_val(pair_keys, key);
      guint32 one = 1;
      g_array_append_val(pair_counts, one);
      g_hash_table_insert(pairs, g_memdup2(&key, sizeof key), GUINT_TO_POINTER(idx));
    }
  }
  guint *n_right = g_new0(guint, V ? V : 1), *n_left = g_new0(guint, V ? V : 1);
  for (guint k = 0; k < pair_keys->len; k++) {
    guint64 key = g_array_index(pair_keys, guint64, k);
    n_right[key >> 32]++;
    n_left[key & 0xffffffffu]++;
  }
  Edge **right = g_new(Edge *, V ? V : 1), **left = g_new(Edge *, V ? V : 1);
  for (guint w = 0; w < V; w++) {
    right[w] = g_new(Edge, n_right[w] ? n_right[w] : 1);
    left[w] = g_new(Edge, n_left[w] ? n_left[w] : 1);
    n_right[w] = n_left[w] = 0;
  }
  for (guint k = 0; k < pair_keys->len; k++) {
    guint64 key = g_array_index(pair_keys, guint64, k);
    guint32 a = (guint32)(key >> 32), b = (guint32)key, n = g_array_index(pair_counts, guint32, k);
    right[a][n_right[a]++] = (Edge){b, n};
    left[b][n_left[b]++] = (Edge){a, n};
  }
  for (guint w = 0; w < V; w++) {
    qsort(right[w], n_right[w], sizeof(Edge), compare_edges);
    qsort(left[w], n_left[w], sizeof(Edge), compare_edges);
  }
  if (verbose)
    fprintf(stderr, "make-clusters: %u tokens, %u words, %u seen %d+ times, %u bigram types\n",
            seq->len, n_all, V, min_count, pair_keys->len);

  /* 3. the window: C clusters, plus one slot for the next word */
  guint C = MIN((guint)n_clusters, V);
  K = C + 1;
  P = g_new0(double, (gsize)K * K);
  Q = g_new0(double, (gsize)K * K);
  L = g_new0(double, (gsize)K * K);
  pu = g_new0(double, K);
  S = g_new0(double, K);
  active = g_new0(gboolean, K);
  int *slot_of = g_new(int, V ? V : 1);
  for (guint w = 0; w < V; w++) slot_of[w] = -1;
  /* members of each slot: a linked list of words */
  int *first = g_new(int, K), *next_word = g_new(int, V ? V : 1);
  for (guint s = 0; s < K; s++) first[s] = -1;

  gint64 t0 = g_get_monotonic_time();
  guint w = 0;
  for (; w < C; w++) { /* the first C words, each its own cluster */
    add_word(w, w, count, total, right, n_right, left, n_left, slot_of, n_bigrams);
    slot_of[w] = (int)w;
    next_word[w] = first[w];
    first[w] = (int)w;
  }
  for (; w < V; w++) {
    guint f = 0;
    while (active[f]) f++;
    add_word(f, w, count, total, right, n_right, left, n_left, slot_of, n_bigrams);
    slot_of[w] = (int)f;
    next_word[w] = first[f];
    first[f] = (int)w;
    guint a, b;
    best_pair(&a, &b);
    merge(a, b);
    /* the words of b now belong to a */
    for (int x = first[b]; x >= 0;) {
      int nx = next_word[x];
      slot_of[x] = (int)a;
      next_word[x] = first[a];
      first[a] = x;
      x = nx;
    }
    first[b] = -1;
    if (verbose && (w - C) % 2000 == 0)
      fprintf(stderr, "make-clusters: %u of %u words, %.0f s\n", w, V,
              (double)(g_get_monotonic_time() - t0) / 1e6);
  }

  /* 4. the tree: merge the C clusters down to one; node ids: slots 0..K-1 are leaves */
  guint n_nodes = 2 * K;
  int *parent = g_new(int, n_nodes), *left_child = g_new(int, n_nodes);
  int *node_of_slot = g_new(int, K);
  for (guint i = 0; i < n_nodes; i++) parent[i] = left_child[i] = -1;
  for (guint s = 0; s < K; s++) node_of_slot[s] = (int)s;
  guint next_node = K, n_active = 0;
  for (guint s = 0; s < K; s++) n_active += active[s];
  while (n_active > 1) {
    guint a, b;
    best_pair(&a, &b);
    merge(a, b);
    int node = (int)next_node++;
    parent[node_of_slot[a]] = node;
    parent[node_of_slot[b]] = node;
    left_child[node] = node_of_slot[a];
    node_of_slot[a] = node;
    n_active--;
  }

  /* 5. each word: the path from the root to its leaf (0 = left child, 1 = right child) */
  /* the slot each word ended in before the tree phase is slot_of[] (tree merges did not
   * move words), so walk up from that leaf */
  for (guint x = 0; x < V; x++) {
    char path[512];
    int n = 0;
    for (int node = slot_of[x]; parent[node] >= 0 && n < (int)sizeof path - 1; node = parent[node])
      path[n++] = left_child[parent[node]] == node ? '0' : '1';
    char out[512];
    for (int k = 0; k < n; k++) out[k] = path[n - 1 - k];
    out[n] = '\0';
    printf("%s\t%s\t%" G_GUINT64_FORMAT "\n", n ? out : "0", sorted[x].word, count[x]);
  }
  if (verbose)
    fprintf(stderr, "make-clusters: %u clusters of %u words in %.0f s\n", C, V,
            (double)(g_get_monotonic_time() - t0) / 1e6);

  merge_free();
  g_free(parent);
  g_free(left_child);
  g_free(node_of_slot);
  g_free(first);
  g_free(next_word);
  g_free(slot_of);
  g_free(P);
  g_free(Q);
  g_free(L);
  g_free(pu);
  g_free(S);
  g_free(active);
  for (guint x = 0; x < V; x++) {
    g_free(right[x]);
    g_free(left[x]);
  }
  g_free(right);
  g_free(left);
  g_free(n_right);
  g_free(n_left);
  g_hash_table_destroy(pairs);
  g_array_free(pair_keys, TRUE);
  g_array_free(pair_counts, TRUE);
  g_free(count);
  g_free(rank_of);
  g_free(sorted);
  for (guint i = 0; i < words->len; i++) g_free(g_array_index(words, Word, i).word);
  g_array_free(words, TRUE);
  g_array_free(seq, TRUE);
  g_hash_table_destroy(ids);
  return 0;
}
