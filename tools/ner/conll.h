/* copydesk — tools/ner: reading CoNLL-format files (token first, NE tag last). */
#pragma once

#include <glib.h>

#include "ner.h"

typedef struct {
  char *buffer;      /* the file's bytes, tokens point into it (NUL-terminated lines) */
  GArray *tokens;    /* NerToken */
  GArray *lines;     /* char *: each token's whole input line */
  GArray *gold;      /* guint8 BILOU tags (IOB1, IO and IOB2 input all read) */
  GArray *sent;      /* gsize: first token of each sentence */
  GArray *doc;       /* gsize: first sentence of each document */
} ConllCorpus;

/* Reads PATH; "-DOCSTART-" lines start documents, blank lines end sentences. */
ConllCorpus *conll_read(const char *path, GError **error);
/* The same, with tag types named otherwise mapped by MAP ("per=PER,geo=LOC,tim=O,…"; NULL:
 * none), and, when the file has no -DOCSTART- line and DOC_SENTENCES > 0, documents made of
 * DOC_SENTENCES consecutive sentences. */
ConllCorpus *conll_read_mapped(const char *path, const char *map, guint doc_sentences,
                               GError **error);
void conll_free(ConllCorpus *c);
gsize conll_n_docs(const ConllCorpus *c);
/* Document D: its tokens are [*tok_first, *tok_first + *n_tok), its sentences' starts (rebased
 * to the document's first token) are written to a new array *SENT of *N_SENT entries. */
void conll_doc(const ConllCorpus *c, gsize d, gsize *tok_first, gsize *n_tok, gsize **sent,
               gsize *n_sent);

/* Entity-level scores of PRED against GOLD (exact spans and types), CoNLL style. */
typedef struct {
  guint correct[NER_N_TYPES], gold[NER_N_TYPES], pred[NER_N_TYPES];
} ConllScore;
void conll_score_add(ConllScore *s, const guint8 *gold, const guint8 *pred, gsize n);
double conll_score_f1(const ConllScore *s, int type); /* type -1: overall */
