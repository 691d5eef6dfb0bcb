/* copydesk — tests of the sentences plugin, run through the real loader.
 *
 * Table-driven: text → expected sentences, text → expected tokens (and labels).  The
 * texts are made up for these tests in the style of wire copy.  When the shared
 * evaluation data is present, the "golden rules" set is run too and its pass count
 * asserted: at least 47 of the 48 rules, what pySBD, the best published, gets.
 */
#include <copydesk/copydesk.h>

#include <string.h>

#include "harness.h"
#include "jsonl_record.h"
#include "pipeline.h"

#define MAX_EXPECTED 12

/* ---- Helpers -------------------------------------------------------------- */

static const char *const sentences_only =
    "pipeline:\n  - plugin: sentences\noutput: {plugin: jsonl}\n";

static CopydeskDocument *run(const char *pipeline, const char *text) {
  CopydeskHarness *h = copydesk_harness_new(pipeline);
  CopydeskDocument *doc = copydesk_harness_process(h, text, -1);
  copydesk_harness_free(h);
  for (guint e = 0; e < copydesk_document_n_errors(doc); e++)
    g_test_message("stage %s: %s", copydesk_document_error_stage(doc, e),
                   copydesk_document_error_message(doc, e));
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
  return doc;
}

/* The spans of LAYER as "text" strings joined by SEP, each prefixed by "label:" when LABELS. */
static char *layer_string(const CopydeskDocument *doc, const char *name, const char *sep,
                          gboolean labels) {
  CopydeskLayer *layer = copydesk_document_layer(doc, name);
  g_assert_nonnull(layer);
  GString *out = g_string_new(NULL);
  for (gsize i = 0; i < copydesk_layer_n_spans(layer); i++) {
    CopydeskSpan *span = copydesk_layer_span(layer, i);
    gsize len;
    const char *text = copydesk_span_text(span, &len);
    if (i > 0) g_string_append(out, sep);
    if (labels) g_string_append_printf(out, "%s:", copydesk_span_label(span));
    g_string_append_len(out, text, (gssize)len);
  }
  return g_string_free(out, FALSE);
}

static char *join(const char *const *items, const char *sep) {
  GString *out = g_string_new(NULL);
  for (guint i = 0; items[i]; i++) {
    if (i > 0) g_string_append(out, sep);
    g_string_append(out, items[i]);
  }
  return g_string_free(out, FALSE);
}

/* Spans of every layer are in order, inside the text, and tokens do not overlap; every
 * token lies inside one sentence and every sentence inside one paragraph. */
static void assert_layers_consistent(const CopydeskDocument *doc) {
  gsize len;
  copydesk_document_text(doc, &len);
  CopydeskLayer *tokens = copydesk_document_layer(doc, COPYDESK_LAYER_TOKEN);
  CopydeskLayer *sentences = copydesk_document_layer(doc, COPYDESK_LAYER_SENTENCE);
  CopydeskLayer *paragraphs = copydesk_document_layer(doc, COPYDESK_LAYER_PARAGRAPH);
  g_assert_nonnull(tokens);
  g_assert_nonnull(sentences);
  g_assert_nonnull(paragraphs);
  CopydeskLayer *layers[] = {tokens, sentences, paragraphs};
  for (guint l = 0; l < 3; l++) {
    gsize prev_end = 0;
    for (gsize i = 0; i < copydesk_layer_n_spans(layers[l]); i++) {
      CopydeskSpan *s = copydesk_layer_span(layers[l], i);
      g_assert_cmpuint(copydesk_span_start(s), >=, prev_end);
      g_assert_cmpuint(copydesk_span_start(s), <, copydesk_span_end(s));
      g_assert_cmpuint(copydesk_span_end(s), <=, len);
      prev_end = copydesk_span_end(s);
    }
  }
  /* Containment, walking the layers together. */
  gsize si = 0, pi = 0;
  for (gsize ti = 0; ti < copydesk_layer_n_spans(tokens); ti++) {
    CopydeskSpan *t = copydesk_layer_span(tokens, ti);
    while (copydesk_span_end(copydesk_layer_span(sentences, si)) <= copydesk_span_start(t)) si++;
    CopydeskSpan *s = copydesk_layer_span(sentences, si);
    g_assert_cmpuint(copydesk_span_start(s), <=, copydesk_span_start(t));
    g_assert_cmpuint(copydesk_span_end(t), <=, copydesk_span_end(s));
  }
  for (gsize k = 0; k < copydesk_layer_n_spans(sentences); k++) {
    CopydeskSpan *s = copydesk_layer_span(sentences, k);
    while (copydesk_span_end(copydesk_layer_span(paragraphs, pi)) <= copydesk_span_start(s)) pi++;
    CopydeskSpan *p = copydesk_layer_span(paragraphs, pi);
    g_assert_cmpuint(copydesk_span_start(p), <=, copydesk_span_start(s));
    g_assert_cmpuint(copydesk_span_end(s), <=, copydesk_span_end(p));
  }
}

/* ---- Sentences ------------------------------------------------------------- */

typedef struct {
  const char *rule;
  const char *text;
  const char *sentences[MAX_EXPECTED];
} SentenceCase;

static const SentenceCase sentence_cases[] = {
    {"period, question, exclamation",
     "The bill passed. Did the House agree? Not yet! The vote is on Friday.",
     {"The bill passed.", "Did the House agree?", "Not yet!", "The vote is on Friday."}},
    {"runs of ! and ?",
     "The score was 2-1. Fans cheered!! Then they left?! Nobody stayed.",
     {"The score was 2-1.", "Fans cheered!!", "Then they left?!", "Nobody stayed."}},
    {"lowercase after a period does not start a sentence",
     "The plan was approved by the board. and then it stalled.",
     {"The plan was approved by the board. and then it stalled."}},
    {"titles before names",
     "Mr. Smith met Sen. Jane Doe, Gov. Bill Lee and Dr. Ruth Adams on Tuesday.",
     {"Mr. Smith met Sen. Jane Doe, Gov. Bill Lee and Dr. Ruth Adams on Tuesday."}},
    {"military and academic titles",
     "Lt. Gen. Mark Hill, Capt. Ray Ortiz and Prof. Ann Lee spoke. Sgt. Tom Bell did not.",
     {"Lt. Gen. Mark Hill, Capt. Ray Ortiz and Prof. Ann Lee spoke.", "Sgt. Tom Bell did not."}},
    {"Rep. Col. Mrs. Ms. St.",
     "Rep. Ana Ruiz and Col. Ed Park visited St. Louis with Mrs. Park and Ms. Lee.",
     {"Rep. Ana Ruiz and Col. Ed Park visited St. Louis with Mrs. Park and Ms. Lee."}},
    {"company suffix before a name-like word",
     "Apple Inc. Chief Executive Tim Cook spoke. Shares of Acme Corp. rose.",
     {"Apple Inc. Chief Executive Tim Cook spoke.", "Shares of Acme Corp. rose."}},
    {"company suffix at the end of a sentence",
     "He sold his stake in Acme Inc. The shares fell. He also left Pitt & Co. It was over.",
     {"He sold his stake in Acme Inc.", "The shares fell.", "He also left Pitt & Co.",
      "It was over."}},
    {"Jr. and Sr.",
     "John Smith Jr. and John Smith Sr. both voted.",
     {"John Smith Jr. and John Smith Sr. both voted."}},
    {"U.S. before lowercase and proper-noun continuations",
     "The U.S. economy grew. The U.S. Treasury sold bonds to the U.N. Security Council.",
     {"The U.S. economy grew.", "The U.S. Treasury sold bonds to the U.N. Security Council."}},
    {"U.S. at the end of a sentence",
     "He lives in the U.S. He moved from the U.K. in 2010. Talks with the E.U. But not now.",
     {"He lives in the U.S.", "He moved from the U.K. in 2010.", "Talks with the E.U.",
      "But not now."}},
    {"a.m. and p.m.",
     "The meeting starts at 9 a.m. Wednesday and ends at 5 p.m. local time. It ended at 6 p.m. "
     "The crowd left at 7 p.m. EDT on the dot.",
     {"The meeting starts at 9 a.m. Wednesday and ends at 5 p.m. local time.", "It ended at 6 p.m.",
      "The crowd left at 7 p.m. EDT on the dot."}},
    {"months before numbers, No. before numbers",
     "The deal closed on Jan. 5 after No. 3 seed Duke lost on Dec. 12. Then talks resumed.",
     {"The deal closed on Jan. 5 after No. 3 seed Duke lost on Dec. 12.", "Then talks resumed."}},
    {"May is a word",
     "The vote is in May. Lawmakers expect it to pass.",
     {"The vote is in May.", "Lawmakers expect it to pass."}},
    {"vs. and e.g.",
     "It was Smith vs. Jones, e.g. The Case of the Year.",
     {"It was Smith vs. Jones, e.g. The Case of the Year."}},
    {"initials",
     "J.R.R. Tolkien and John F. Kennedy Jr. were both born in May.",
     {"J.R.R. Tolkien and John F. Kennedy Jr. were both born in May."}},
    {"an initial ending a sentence",
     "The winner was Team B. The loser was Team C.",
     {"The winner was Team B.", "The loser was Team C."}},
    {"decimals and money",
     "Prices rose 3.5 percent to $1,250.75. Analysts expected $1.2 billion.",
     {"Prices rose 3.5 percent to $1,250.75.", "Analysts expected $1.2 billion."}},
    {"URLs and e-mail addresses",
     "Visit https://www.example.com/news/story.html. Or write to news.desk@example.com. Editors "
     "read every letter.",
     {"Visit https://www.example.com/news/story.html.", "Or write to news.desk@example.com.",
      "Editors read every letter."}},
    {"ellipsis",
     "He paused... Then he spoke. The plan was … unworkable, he said.",
     {"He paused...", "Then he spoke.", "The plan was … unworkable, he said."}},
    {"an opening quote starts a sentence",
     "\u201CWe will win,\u201D he said. \u201CNobody doubts it.\u201D",
     {"\u201CWe will win,\u201D he said.", "\u201CNobody doubts it.\u201D"}},
    {"a closing quote stays with its sentence",
     "\u201CGo home.\u201D He left.",
     {"\u201CGo home.\u201D", "He left."}},
    {"a period before a closing mark after a long sentence",
     "The talks failed today in the capital of the country, the minister said.\u201D He left.",
     {"The talks failed today in the capital of the country, the minister said.\u201D", "He left."}},
    {"a question inside quotes before a lowercase word",
     "\u201CIs it over?\u201D she asked. \u201CNo!\u201D he said.",
     {"\u201CIs it over?\u201D she asked.", "\u201CNo!\u201D he said."}},
    {"straight quotes",
     "\"Go home.\" He left. She said, \"Stay.\" They stayed.",
     {"\"Go home.\"", "He left.", "She said, \"Stay.\"", "They stayed."}},
    {"a quote that goes on",
     "He said: \u201CThe plan works. It will pass.\u201D Others disagreed.",
     {"He said: \u201CThe plan works.", "It will pass.\u201D", "Others disagreed."}},
    {"brackets",
     "He said (and repeated it twice.) that the vote was final. (Reporting by Ann Lee)",
     {"He said (and repeated it twice.) that the vote was final.", "(Reporting by Ann Lee)"}},
    {"a blank line ends a sentence",
     "The first paragraph has no period\n\nThe second does.",
     {"The first paragraph has no period", "The second does."}},
    {"short lines are sentences",
     "Results by state:\nOhio 52 percent\nIowa 48 percent",
     {"Results by state:", "Ohio 52 percent", "Iowa 48 percent"}},
    {"a hard-wrapped paragraph is not cut at its line breaks",
     "The Senate on Tuesday passed a stopgap spending bill that would fund the\n"
     "federal government through the end of September, averting a partial\n"
     "shutdown. Lawmakers then left Washington for a two-week recess that was\n"
     "scheduled months ago.",
     {"The Senate on Tuesday passed a stopgap spending bill that would fund the\n"
      "federal government through the end of September, averting a partial\nshutdown.",
      "Lawmakers then left Washington for a two-week recess that was\nscheduled months ago."}},
    {"a hard-wrapped paragraph's lines are measured in characters, not bytes",
     "Ministers met on Tuesday to discuss the budget and agreed that the plan\n"
     "και η κυβέρνηση είπε ότι το σχέδιο θα εγκριθεί μέσα στις επόμενες μέρες,\n"
     "would be sent to parliament before the end of the month for a vote.",
     {"Ministers met on Tuesday to discuss the budget and agreed that the plan\n"
      "και η κυβέρνηση είπε ότι το σχέδιο θα εγκριθεί μέσα στις επόμενες μέρες,\n"
      "would be sent to parliament before the end of the month for a vote."}},
    {"paragraphs trimmed",
     "  First para.  \n \n\n  Second para.\n",
     {"First para.", "Second para."}},
    {"clitics and possessives do not split",
     "It's Rubio's plan, and Reuters' too. Don't stop.",
     {"It's Rubio's plan, and Reuters' too.", "Don't stop."}},
    {"state abbreviations",
     "He was born in Springfield, Ill., in 1950. He moved to Atlanta, Ga. The city grew.",
     {"He was born in Springfield, Ill., in 1950.", "He moved to Atlanta, Ga.", "The city grew."}},
    {"digits start sentences",
     "The vote was delayed. 12 senators were absent.",
     {"The vote was delayed.", "12 senators were absent."}},
    {"numbered list items on one line",
     "1. The first item 2. The second item",
     {"1. The first item", "2. The second item"}},
    {"lettered list items",
     "Choose one: a) the plan b) the budget c) neither.",
     {"Choose one:", "a) the plan", "b) the budget", "c) neither."}},
    {"bulleted list items",
     "\u2022 9. Stop smoking \u2022 10. Get some rest",
     {"\u2022 9. Stop smoking", "\u2022 10. Get some rest"}},
    {"numbers in running text are not a list",
     "As payment for 1. above, pay a fee and for 2. above, no fee will be paid.",
     {"As payment for 1. above, pay a fee and for 2. above, no fee will be paid."}},
    {"a time put first goes on; a time at the end ends",
     "At 5 a.m. Mr. Smith went to the bank. He left the bank at 6 P.M. Mr. Smith then went home.",
     {"At 5 a.m. Mr. Smith went to the bank.", "He left the bank at 6 P.M.",
      "Mr. Smith then went home."}},
    {"number signs before numbers",
     "He is no. 5, the shortstop. It is at N\u00B0. 1026.253.553. That is where it is.",
     {"He is no. 5, the shortstop.", "It is at N\u00B0. 1026.253.553.", "That is where it is."}},
    {"an ellipsis in brackets leaves words out",
     "\"Bohr [...] used the analogy of parallel stairways [...]\" (Smith 55). Next one.",
     {"\"Bohr [...] used the analogy of parallel stairways [...]\" (Smith 55).", "Next one."}},
    {"references and footnote numbers stay with their sentence",
     "He was a martyr.[1] The emperor decreed it. It was a gap.11 12 Take the cold.",
     {"He was a martyr.[1]", "The emperor decreed it.", "It was a gap.11 12",
      "Take the cold."}},
    {"a bracket before a lowercase word goes on",
     "He sold it to Pitt & Co. (cited from the WSJ) yesterday.",
     {"He sold it to Pitt & Co. (cited from the WSJ) yesterday."}},
    {"full stops of wide scripts",
     "Test strange period\uFF0EDoes it segment correctly\uFF0E",
     {"Test strange period\uFF0E", "Does it segment correctly\uFF0E"}},
    {"a line that ends in a space before a lowercase word was wrapped",
     "Organising your care early \nmeans you'll have months to build a relationship.",
     {"Organising your care early \nmeans you'll have months to build a relationship."}},
};

static void test_sentence_cases(void) {
  CopydeskHarness *h = copydesk_harness_new(sentences_only);
  guint failures = 0;
  for (guint c = 0; c < G_N_ELEMENTS(sentence_cases); c++) {
    const SentenceCase *sc = &sentence_cases[c];
    CopydeskDocument *doc = copydesk_harness_process(h, sc->text, -1);
    char *got = layer_string(doc, COPYDESK_LAYER_SENTENCE, " || ", FALSE);
    char *want = join(sc->sentences, " || ");
    if (strcmp(got, want) != 0) {
      g_test_message("%s:\n  text: %s\n  want: %s\n  got:  %s", sc->rule, sc->text, want, got);
      failures++;
    }
    assert_layers_consistent(doc);
    g_free(got);
    g_free(want);
    copydesk_document_free(doc);
  }
  copydesk_harness_free(h);
  g_assert_cmpuint(failures, ==, 0);
}

/* ---- Sentence labels ------------------------------------------------------------ */

typedef struct {
  const char *options;
  const char *text;
  const char *labelled; /* "label:text" joined by " || " */
} LabelCase;

static const LabelCase label_cases[] = {
    {NULL,
     "Senate passes budget bill\n\nWASHINGTON (Reuters) - The Senate passed a bill on Tuesday. "
     "It now goes to the House.",
     "headline:Senate passes budget bill || sentence:WASHINGTON (Reuters) - The Senate passed a "
     "bill on Tuesday. || sentence:It now goes to the House."},
    {NULL,
     "Senate passes budget bill\nWASHINGTON, March 3 (Reuters) -\nThe Senate passed a bill on "
     "Tuesday.",
     "headline:Senate passes budget bill || dateline:WASHINGTON, March 3 (Reuters) - || "
     "sentence:The Senate passed a bill on Tuesday."},
    {NULL, "Is the Fed done?\n\nMarkets think so. Economists do not.",
     "headline:Is the Fed done? || sentence:Markets think so. || sentence:Economists do not."},
    {NULL, "The bill passed.\n\nA line without a period\n\nNext.",
     "sentence:The bill passed. || sentence:A line without a period || sentence:Next."},
    {"{headlines: false}", "Senate passes budget bill\nWASHINGTON (Reuters) -\nThe bill passed.",
     "sentence:Senate passes budget bill || sentence:WASHINGTON (Reuters) - || sentence:The bill "
     "passed."},
    {"{line_breaks: never}", "Results by state\nOhio leads. Iowa trails\nas expected.",
     "sentence:Results by state\nOhio leads. || sentence:Iowa trails\nas expected."},
    {"{line_breaks: always}",
     "Ohio leads the nation in the count of new votes this week, and\n"
     "Iowa trails.",
     "headline:Ohio leads the nation in the count of new votes this week, and || "
     "sentence:Iowa trails."},
};

static void test_sentence_labels(void) {
  for (guint c = 0; c < G_N_ELEMENTS(label_cases); c++) {
    const LabelCase *lc = &label_cases[c];
    char *yaml =
        g_strdup_printf("pipeline:\n  - plugin: sentences\n%s%s%soutput: {plugin: jsonl}\n",
                        lc->options ? "    options: " : "", lc->options ? lc->options : "",
                        lc->options ? "\n" : "");
    CopydeskDocument *doc = run(yaml, lc->text);
    char *got = layer_string(doc, COPYDESK_LAYER_SENTENCE, " || ", TRUE);
    g_assert_cmpstr(got, ==, lc->labelled);
    g_free(got);
    g_free(yaml);
    copydesk_document_free(doc);
  }
}

static void test_paragraphs(void) {
  CopydeskDocument *doc = run(sentences_only,
                              "\n  Headline here  \n\n\nFirst paragraph. Two sentences.\r\n"
                              " \t \r\nSecond\nparagraph.\u2029Third.  ");
  char *got = layer_string(doc, COPYDESK_LAYER_PARAGRAPH, " || ", TRUE);
  g_assert_cmpstr(got, ==,
                  "paragraph:Headline here || paragraph:First paragraph. Two sentences. || "
                  "paragraph:Second\nparagraph. || paragraph:Third.");
  g_free(got);
  assert_layers_consistent(doc);
  copydesk_document_free(doc);
  /* Nothing to annotate: empty layers, no error. */
  doc = run(sentences_only, " \n\n ");
  g_assert_cmpuint(copydesk_layer_n_spans(copydesk_document_layer(doc, "paragraph")), ==, 0);
  g_assert_cmpuint(copydesk_layer_n_spans(copydesk_document_layer(doc, "sentence")), ==, 0);
  g_assert_cmpuint(copydesk_layer_n_spans(copydesk_document_layer(doc, "token")), ==, 0);
  copydesk_document_free(doc);
}

/* ---- Tokens -------------------------------------------------------------------- */

typedef struct {
  const char *rule;
  const char *text;
  const char *tokens; /* separated by single spaces */
} TokenCase;

static const TokenCase token_cases[] = {
    {"clitics", "don't it's Rubio's isn't they're I'm we'd you'll can't won't DON'T",
     "do n't it 's Rubio 's is n't they 're I 'm we 'd you 'll ca n't wo n't DO N'T"},
    {"curly apostrophes", "Rubio\u2019s plan, Reuters\u2019 report, don\u2019t",
     "Rubio \u2019s plan , Reuters \u2019 report , do n\u2019t"},
    {"inner hyphens, apostrophes and ampersands",
     "a well-known 20-year-old O'Brien at AT&T and S&P",
     "a well-known 20-year-old O'Brien at AT&T and S&P"},
    {"abbreviations keep their period",
     "Mr. Smith of the U.S. met Jan. 5 at 9 a.m. with J.R.R. Jones",
     "Mr. Smith of the U.S. met Jan. 5 at 9 a.m. with J.R.R. Jones"},
    {"a sentence-final period is its own token", "He left. The end.", "He left . The end ."},
    {"numbers", "1,000.5 people, 10:30, 3/4 and 2,500", "1,000.5 people , 10:30 , 3/4 and 2,500"},
    {"money and percent", "$1.5 million, up 3.5% or \u20AC20",
     "$ 1.5 million , up 3.5 % or \u20AC 20"},
    {"numbers with letters", "the 1990s, the 5th and 3D", "the 1990s , the 5th and 3D"},
    {"URLs", "see https://example.com/a?b=1&c=2, (www.example.org/x) and http://x.com/a_(b).",
     "see https://example.com/a?b=1&c=2 , ( www.example.org/x ) and http://x.com/a_(b) ."},
    {"e-mail addresses", "mail jane.doe+news@example.co.uk. or a@b",
     "mail jane.doe+news@example.co.uk . or a @ b"},
    {"ellipses", "Wait... what\u2026 no.", "Wait ... what \u2026 no ."},
    {"quotes and brackets", "(\u201CYes,\u201D [he] said) \"no\" 'maybe'",
     "( \u201C Yes , \u201D [ he ] said ) \" no \" ' maybe '"},
    {"dashes", "war\u2014and peace \u2013 or -- not - ever",
     "war \u2014 and peace \u2013 or -- not - ever"},
    {"two-character quotes", "''Quote'' ``here''", "'' Quote '' `` here ''"},
    {"hashtags and handles", "#tag @user #1", "#tag @user # 1"},
    {"possessive after an abbreviation", "JFK Jr.'s book", "JFK Jr. 's book"},
    {"non-ASCII words", "na\u00EFve caf\u00E9 \u041C\u043E\u0441\u043A\u0432\u0430 S\u00E3o Paulo",
     "na\u00EFve caf\u00E9 \u041C\u043E\u0441\u043A\u0432\u0430 S\u00E3o Paulo"},
    {"elision", "the '90s", "the '90s"},
    {"the mark after a word of ASCII letters and digits",
     "He said. J. Doe, MR. Smith, etc. 5. Wait.. x.y 1.5 caf\u00E9. 2x. ab:cd 10:30 ab,cd "
     "1,000 ab/cd 3/4 said\u2014then",
     "He said . J. Doe , MR. Smith , etc. 5 . Wait .. x.y 1.5 caf\u00E9 . 2x . ab : cd 10:30 ab "
     ", cd 1,000 ab / cd 3/4 said \u2014 then"},
};

static void test_token_cases(void) {
  CopydeskHarness *h = copydesk_harness_new(sentences_only);
  guint failures = 0;
  for (guint c = 0; c < G_N_ELEMENTS(token_cases); c++) {
    const TokenCase *tc = &token_cases[c];
    CopydeskDocument *doc = copydesk_harness_process(h, tc->text, -1);
    char *got = layer_string(doc, COPYDESK_LAYER_TOKEN, " ", FALSE);
    if (strcmp(got, tc->tokens) != 0) {
      g_test_message("%s:\n  text: %s\n  want: %s\n  got:  %s", tc->rule, tc->text, tc->tokens,
                     got);
      failures++;
    }
    assert_layers_consistent(doc);
    g_free(got);
    copydesk_document_free(doc);
  }
  copydesk_harness_free(h);
  g_assert_cmpuint(failures, ==, 0);
}

static void test_token_labels(void) {
  CopydeskDocument *doc = run(sentences_only,
                              "Mr. Smith paid $5 (50%) at http://x.com or a@b.com \u2014 1,000 "
                              "don't \u00A9");
  char *got = layer_string(doc, COPYDESK_LAYER_TOKEN, " ", TRUE);
  g_assert_cmpstr(got, ==,
                  "word:Mr. word:Smith word:paid symbol:$ number:5 punct:( number:50 symbol:% "
                  "punct:) word:at url:http://x.com word:or email:a@b.com punct:\u2014 "
                  "number:1,000 word:do word:n't symbol:\u00A9");
  g_free(got);
  copydesk_document_free(doc);
}

/* Every ASCII punctuation mark and symbol on its own, from the tokenizer's table. */
static void test_ascii_punctuation_labels(void) {
  CopydeskDocument *doc = run(sentences_only,
                              "x \" $ % & ( ) * + , . / : ; < = > [ \\ ] ^ _ { | } ~ ... .. y");
  char *got = layer_string(doc, COPYDESK_LAYER_TOKEN, " ", TRUE);
  g_assert_cmpstr(got, ==,
                  "word:x punct:\" symbol:$ symbol:% symbol:& punct:( punct:) punct:* symbol:+ "
                  "punct:, punct:. punct:/ punct:: punct:; symbol:< symbol:= symbol:> punct:[ "
                  "punct:\\ punct:] symbol:^ punct:_ punct:{ symbol:| punct:} symbol:~ punct:... "
                  "punct:.. word:y");
  g_free(got);
  copydesk_document_free(doc);
}

static void test_tokens_off(void) {
  CopydeskDocument *doc = run(
      "pipeline:\n  - plugin: sentences\n    options: {tokens: false}\noutput: {plugin: jsonl}\n",
      "One. Two.");
  g_assert_cmpuint(copydesk_layer_n_spans(copydesk_document_layer(doc, "token")), ==, 0);
  g_assert_cmpuint(copydesk_layer_n_spans(copydesk_document_layer(doc, "sentence")), ==, 2);
  copydesk_document_free(doc);
}

/* ---- Without the token layer ------------------------------------------------------- */

/* Without the token layer the tokenizer leaves out stretches that no rule looks at: the
 * sentences (labels included) and paragraphs must be those found on every token. */

static const char *const sparse_pipeline =
    "pipeline:\n  - plugin: sentences\n    options: {tokens: false}\noutput: {plugin: jsonl}\n";

/* Asserts that TEXT gets the same sentences and paragraphs from both harnesses. */
static void assert_same_without_tokens(CopydeskHarness *full, CopydeskHarness *sparse,
                                       const char *text) {
  CopydeskDocument *a = copydesk_harness_process(full, text, -1);
  CopydeskDocument *b = copydesk_harness_process(sparse, text, -1);
  g_assert_cmpuint(copydesk_layer_n_spans(copydesk_document_layer(b, "token")), ==, 0);
  const char *layers[] = {COPYDESK_LAYER_SENTENCE, COPYDESK_LAYER_PARAGRAPH};
  for (guint l = 0; l < G_N_ELEMENTS(layers); l++) {
    char *want = layer_string(a, layers[l], " || ", TRUE);
    char *got = layer_string(b, layers[l], " || ", TRUE);
    if (strcmp(got, want) != 0) g_test_message("text: %s", text);
    g_assert_cmpstr(got, ==, want);
    g_free(want);
    g_free(got);
  }
  copydesk_document_free(a);
  copydesk_document_free(b);
}

/* Texts where the words left out sit next to what a rule counts or looks back at. */
static const char *const sparse_texts[] = {
    /* a time put first, with a word left out between the lead and the number */
    "He left. Around officials 2015 a.m. A crowd came. He left. At first the crowd "
    "came about 9 p.m. Mr. Smith spoke.",
    "He left. Shortly before 9 p.m. Mr. Smith spoke to the people who came from the city.",
    /* a dateline whose ")" is more than 16 tokens from its first word, words left out */
    "PARIS one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "(Reuters)\n\nThe text.",
    "PARIS one two three four five (Reuters)\n\nThe text goes on here for a while.",
    /* a hard-wrapped paragraph of capitalised lines and of plain ones */
    "Senate Passes The Budget Bill After Long Debate Over Spending And Taxes In The House\n"
    "Leaders Of Both Parties Said They Would Support The Plan Put Forward By The Committee\n"
    "members said the vote would come soon, after the recess and before the new year.",
    "the committee said on tuesday that it would take up the measure again after the recess\n"
    "and that members of both parties had agreed to the plan put forward by the chairman of\n"
    "the panel, who said the vote would come soon after that and before the end of the year.",
    /* list items after bullets, and markers among plain words */
    "The plan has parts: one two three four five - 1. Tax cuts for all. - 2. New roads and "
    "bridges for the state. And more words come here for the rest of it.",
    "Items follow here for the reader to see • 9. First item here • 10. Second item there",
    "Two options: a) the first of them with more words about it \u200B b) the second one",
    /* footnote numbers strung after a sentence, then plain words */
    "It was a consultation.11 12 13 14 15 Take the rest of the words here now. Then more.",
    /* tokens only of white space and format marks before the end */
    "The last sentence has words in it one two three four N \u00A0 ",
    "Words here and there one two three four five six \u200B \u00A0 end",
    /* numbers of one to three digits, quotes and brackets among the words */
    "He said 12 of the 300 people and 45 others came \" to the city ' for the day. 5 more",
    "He spoke to the people of the city for an hour ( and then the people left ) after that.",
    /* periods inside words (U.S, 1.5) are no stops, but one after an apostrophe and digits
     * is ('90.5); a ")" far from white space is no stop, one near it may mark a list item */
    "The sales of the firm rose in the '90.5 Then the market fell again for the rest of it.",
    "The rate rose 1.5 percent in the U.S.A and fell 2.25 Then the market went on as before.",
    "Options are listed here extraordinarily a) the first choice b) the second choice",
    "The list goes on here with words wordswordswords(a) then more words and(b) then the end.",
    /* a word and its period before a closing quotation mark (said.”), after words left out;
     * an abbreviation there (Co.”) ends no sentence */
    "\u201CThe talks failed today in the capital of the country,\u201D the minister said.\u201D He left.",
    "They met Smith and Co.\u201D and then the people left the room in the city of Paris.",
    "He said the plan would pass the House on Tuesday.\" Others said it would fail in the Senate.",
};

/* A text made of NWORDS words drawn by RAND from plain words, short numbers and marks. */
static char *random_text(GRand *rand, guint n_words) {
  static const char *const plain[] = {"the", "of", "said", "people", "market", "Minister",
                                      "House", "2015", "1990s", "5th", "Obama", "Senate",
                                      "about", "at", "before", "shortly", "The", "He", "But",
                                      "I", "A", "a", "an", "officials", "Tuesday", "March"};
  static const char *const other[] = {
      "1", "12", "250", "Mr.", "p.m.", "a.m.", "No.", "Jan.", "U.S.", "Inc.", "J.", "etc.",
      "said.", "it!", "why?", "done.\u201D", "said.\"", "(Reuters)", "(", "[", "]", ")",
      "\u201C", "\u201D", "\"", "'", "\u2019", "-", "\u2014", "\u2022", "*", "1.", "2.", "a)",
      "b)", "a.", "[1]", "consultation.11", "[...]", ". . .", ".", ":", "said,", "it's",
      "3.5", "$5", "#tag", "x@example.com", "http://example.com/a.b", "N\u00B0.", "PARIS",
      "\u3002", "\uFF01", "\u00A0", "\u200B", "caf\u00E9."};
  static const char *const seps[] = {"\n", "\n\n", " \n", "\r\n", "\u2028", "\u2029",
                                     "\t", "\f", "\xC2\x85", "  "};
  GString *s = g_string_new(NULL);
  double p_plain = g_rand_double_range(rand, 0.5, 1.0);
  for (guint w = 0; w < n_words; w++) {
    if (g_rand_double(rand) < p_plain)
      g_string_append(s, plain[g_rand_int_range(rand, 0, G_N_ELEMENTS(plain))]);
    else
      g_string_append(s, other[g_rand_int_range(rand, 0, G_N_ELEMENTS(other))]);
    if (g_rand_double(rand) < 0.1)
      g_string_append(s, seps[g_rand_int_range(rand, 0, G_N_ELEMENTS(seps))]);
    else
      g_string_append_c(s, ' ');
  }
  return g_string_free(s, FALSE);
}

static void test_without_tokens(void) {
  CopydeskHarness *full = copydesk_harness_new(sentences_only);
  CopydeskHarness *sparse = copydesk_harness_new(sparse_pipeline);
  for (guint c = 0; c < G_N_ELEMENTS(sentence_cases); c++)
    assert_same_without_tokens(full, sparse, sentence_cases[c].text);
  for (guint c = 0; c < G_N_ELEMENTS(label_cases); c++)
    if (label_cases[c].options == NULL)
      assert_same_without_tokens(full, sparse, label_cases[c].text);
  for (guint c = 0; c < G_N_ELEMENTS(sparse_texts); c++)
    assert_same_without_tokens(full, sparse, sparse_texts[c]);
  GRand *rand = g_rand_new_with_seed(20261127);
  for (guint d = 0; d < 400; d++) {
    char *text = random_text(rand, (guint)g_rand_int_range(rand, 1, 300));
    assert_same_without_tokens(full, sparse, text);
    g_free(text);
  }
  g_rand_free(rand);
  copydesk_harness_free(full);
  copydesk_harness_free(sparse);
}

/* ---- With clean in front ----------------------------------------------------------- */

static void test_after_clean(void) {
  /* Sentences over the cleaned text map back to the bytes of the input. */
  const char *input =
      "Senate&nbsp;passes  bill\r\n\r\n\r\n"
      "The Senate on Tuesday passed a stopgap spending bill that would fund the\r\n"
      "federal government through September. Sen.&nbsp;Ann Lee said &quot;yes.&quot;"
      " It&#8217;s done.";
  CopydeskDocument *doc =
      run("pipeline:\n  - plugin: clean\n  - plugin: sentences\n"
          "output: {plugin: jsonl}\n",
          input);
  char *got = layer_string(doc, COPYDESK_LAYER_SENTENCE, " || ", TRUE);
  g_assert_cmpstr(got, ==,
                  "headline:Senate passes bill || sentence:The Senate on Tuesday passed a stopgap "
                  "spending bill that would fund the federal government through September. || "
                  "sentence:Sen. Ann Lee said \"yes.\" || sentence:It\u2019s done.");
  g_free(got);
  const char *want[] = {
      "Senate&nbsp;passes  bill",
      "The Senate on Tuesday passed a stopgap spending bill that would fund the\r\n"
      "federal government through September.",
      "Sen.&nbsp;Ann Lee said &quot;yes.&quot;",
      "It&#8217;s done.",
  };
  CopydeskLayer *sentences = copydesk_document_layer(doc, COPYDESK_LAYER_SENTENCE);
  const char *original = copydesk_document_original(doc, NULL);
  for (gsize i = 0; i < copydesk_layer_n_spans(sentences); i++) {
    CopydeskSpan *s = copydesk_layer_span(sentences, i);
    gsize os = copydesk_document_original_start(doc, copydesk_span_start(s));
    gsize oe = copydesk_document_original_end(doc, copydesk_span_end(s));
    char *orig = g_strndup(original + os, oe - os);
    g_assert_cmpstr(orig, ==, want[i]);
    g_free(orig);
  }
  assert_layers_consistent(doc);
  copydesk_document_free(doc);
}

/* A second run, like a run on a document read with --from conll, leaves the token and
 * sentence layers it finds alone. */
static void test_rerun_keeps_layers(void) {
  CopydeskDocument *doc =
      run("pipeline:\n  - plugin: sentences\n  - plugin: sentences\n"
          "output: {plugin: jsonl}\n",
          "One. Two.");
  g_assert_cmpuint(copydesk_layer_n_spans(copydesk_document_layer(doc, "sentence")), ==, 2);
  g_assert_cmpuint(copydesk_layer_n_spans(copydesk_document_layer(doc, "token")), ==, 4);
  copydesk_document_free(doc);
}

static void test_given_tokens_kept(void) {
  /* CoNLL input: the reader made the tokens and sentences; sentences must not redo them. */
  GError *error = NULL;
  CopydeskPipelineSettings settings = {.with_installed = FALSE};
  const char *yaml = "pipeline:\n  - plugin: sentences\noutput: {plugin: jsonl}\n";
  CopydeskPipeline *pipeline =
      copydesk_pipeline_load_data("test.yaml", yaml, strlen(yaml), ".", &settings, &error);
  g_assert_no_error(error);
  CopydeskWorker *worker = copydesk_worker_new(pipeline, &error);
  g_assert_no_error(error);
  CopydeskDocument *doc = copydesk_document_new("conll", "U.S. troops left .\nMr. Li said no .", -1);
  CopydeskLayer *tokens = copydesk_document_ensure_layer(doc, COPYDESK_LAYER_TOKEN);
  CopydeskLayer *sentences = copydesk_document_ensure_layer(doc, COPYDESK_LAYER_SENTENCE);
  static const gsize bounds[][2] = {{0, 4}, {5, 11}, {12, 16}, {17, 18},
                                    {19, 22}, {23, 25}, {26, 30}, {31, 33}, {34, 35}};
  for (guint i = 0; i < G_N_ELEMENTS(bounds); i++) {
    CopydeskSpan *span = copydesk_layer_add(tokens, bounds[i][0], bounds[i][1], "word", &error);
    g_assert_no_error(error);
    copydesk_span_set_string(span, "conll", "x");
  }
  g_assert_nonnull(copydesk_layer_add(sentences, 0, 18, "sentence", NULL));
  g_assert_nonnull(copydesk_layer_add(sentences, 19, 35, "sentence", NULL));
  copydesk_worker_process(worker, doc);
  g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
  g_assert_cmpuint(copydesk_layer_n_spans(tokens), ==, G_N_ELEMENTS(bounds));
  g_assert_cmpuint(copydesk_layer_n_spans(sentences), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS(bounds); i++) {
    CopydeskSpan *span = copydesk_layer_span(tokens, i);
    g_assert_cmpuint(copydesk_span_start(span), ==, bounds[i][0]);
    g_assert_cmpstr(copydesk_span_get_string(span, "conll"), ==, "x");
  }
  copydesk_document_free(doc);
  copydesk_worker_free(worker);
  copydesk_pipeline_free(pipeline);
}

static void test_large_document(void) {
  GString *s = g_string_new(NULL);
  while (s->len < 2u << 20)
    g_string_append(s,
                    "WASHINGTON (Reuters) - Sen. Ann Lee said on Jan. 5 that the U.S. economy "
                    "grew 3.5%. \u201CIt\u2019s done,\u201D she said. Mr. Smith didn't agree."
                    "\n\n");
  gint64 t0 = g_get_monotonic_time();
  CopydeskHarness *h = copydesk_harness_new(sentences_only);
  CopydeskDocument *doc = copydesk_harness_process(h, s->str, (gssize)s->len);
  gint64 elapsed = g_get_monotonic_time() - t0;
  guint reps = (guint)copydesk_layer_n_spans(copydesk_document_layer(doc, "paragraph"));
  g_test_message("annotated %" G_GSIZE_FORMAT " bytes (%u paragraphs) in %.1f ms", s->len, reps,
                 elapsed / 1000.0);
  g_assert_cmpuint(copydesk_layer_n_spans(copydesk_document_layer(doc, "sentence")), ==, 3 * reps);
  assert_layers_consistent(doc);
  copydesk_document_free(doc);
  copydesk_harness_free(h);
  g_string_free(s, TRUE);
}

/* ---- The golden rules (shared evaluation data) -------------------------------------- */

/* The strings of the JSON array JSON, decoded. */
static GPtrArray *json_string_array(const char *json) {
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  for (const char *p = json; *p; p++) {
    if (*p != '"') continue;
    const char *q = p + 1;
    while (*q && *q != '"') q += (*q == '\\' && q[1]) ? 2 : 1;
    if (!*q) break;
    char *literal = g_strndup(p, (gsize)(q - p + 1));
    char *decoded = copydesk_json_string_decode(literal, NULL);
    g_free(literal);
    if (decoded) g_ptr_array_add(out, decoded);
    p = q;
  }
  return out;
}

static void test_golden_rules(void) {
  const char *dir = g_getenv("COPYDESK_SHARED_DATA");
  char *path = dir ? g_build_filename(dir, "sentences", "golden_rules_en.jsonl", NULL) : NULL;
  char *data = NULL;
  gsize len = 0;
  if (path == NULL || !g_file_get_contents(path, &data, &len, NULL)) {
    g_test_skip("golden_rules_en.jsonl not found (COPYDESK_SHARED_DATA)");
    g_free(path);
    return;
  }
  CopydeskHarness *h = copydesk_harness_new(sentences_only);
  guint total = 0, passed = 0;
  char **lines = g_strsplit(data, "\n", -1);
  for (guint l = 0; lines[l]; l++) {
    if (*g_strstrip(lines[l]) == '\0') continue;
    GError *error = NULL;
    CopydeskJsonRecord *record = copydesk_json_record_parse(lines[l], strlen(lines[l]), &error);
    g_assert_no_error(error);
    const char *text_json = copydesk_json_record_get(record, "text");
    const char *sentences_json = copydesk_json_record_get(record, "sentences");
    g_assert_nonnull(text_json);
    g_assert_nonnull(sentences_json);
    gsize text_len;
    char *text = copydesk_json_string_decode(text_json, &text_len);
    GPtrArray *want = json_string_array(sentences_json);
    g_ptr_array_add(want, NULL);
    CopydeskDocument *doc = copydesk_harness_process(h, text, (gssize)text_len);
    char *got = layer_string(doc, COPYDESK_LAYER_SENTENCE, " || ", FALSE);
    char *expected = join((const char *const *)want->pdata, " || ");
    total++;
    if (strcmp(got, expected) == 0)
      passed++;
    else
      g_test_message("golden miss: %s\n  want: %s\n  got:  %s", text, expected, got);
    g_free(got);
    g_free(expected);
    g_free(text);
    g_ptr_array_free(want, TRUE);
    copydesk_document_free(doc);
    copydesk_json_record_free(record);
  }
  g_test_message("golden rules: %u of %u pass", passed, total);
  /* pySBD, the best published, gets 47 of 48. */
  g_assert_cmpuint(total, ==, 48);
  g_assert_cmpuint(passed, >=, 47);
  g_strfreev(lines);
  g_free(data);
  g_free(path);
  copydesk_harness_free(h);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sentences/sentences/cases", test_sentence_cases);
  g_test_add_func("/sentences/sentences/labels", test_sentence_labels);
  g_test_add_func("/sentences/paragraphs", test_paragraphs);
  g_test_add_func("/sentences/tokens/cases", test_token_cases);
  g_test_add_func("/sentences/tokens/labels", test_token_labels);
  g_test_add_func("/sentences/tokens/ascii-punctuation", test_ascii_punctuation_labels);
  g_test_add_func("/sentences/tokens/off", test_tokens_off);
  g_test_add_func("/sentences/tokens/off-same-sentences", test_without_tokens);
  g_test_add_func("/sentences/after-clean", test_after_clean);
  g_test_add_func("/sentences/rerun", test_rerun_keeps_layers);
  g_test_add_func("/sentences/given-tokens", test_given_tokens_kept);
  g_test_add_func("/sentences/large-document", test_large_document);
  g_test_add_func("/sentences/golden-rules", test_golden_rules);
  return g_test_run();
}
