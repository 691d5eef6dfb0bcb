/* copydesk — tests of the quotes plugin, run through the real loader.
 *
 * Table-driven: a made-up text in the style of wire copy → the quotes expected, each
 * with its exact text (marks excluded), kind, speaker name and cue.  Then apostrophes,
 * titles and scare quotes, unbalanced marks, long runs of marks (linear time), and, when
 * the shared evaluation data is there (COPYDESK_SHARED_DATA), the seed article.
 */
#include <copydesk/copydesk.h>

#include <string.h>

#include "harness.h"

#define MAX_QUOTES 6

static const char *const with_indirect =
    "pipeline:\n  - plugin: sentences\n  - plugin: quotes\noutput: {plugin: jsonl}\n";
static const char *const without_indirect =
    "pipeline:\n  - plugin: sentences\n  - plugin: quotes\n    options: {indirect: false}\n"
    "output: {plugin: jsonl}\n";

typedef struct {
  const char *text;
  const char *kind;
  const char *speaker; /* NULL: no speaker */
  const char *cue;     /* NULL: no cue */
} Expected;

typedef struct {
  const char *rule;
  gboolean indirect; /* run with indirect speech on */
  const char *text;
  Expected quotes[MAX_QUOTES]; /* every quote the plugin must report, in text order */
} QuoteCase;

static const QuoteCase cases[] = {
    {"“Q,” X said", FALSE, "“We will not back down,” Jane Holloway said on Tuesday.",
     {{"We will not back down,", "direct", "Jane Holloway", "said"}}},
    {"“Q,” said X, the appositive", FALSE,
     "“The deal is done,” said Peter Marsh, the union’s chief negotiator.",
     {{"The deal is done,", "direct", "Peter Marsh", "said"}}},
    {"X said: “Q”", FALSE, "Finance Minister Carla Rossi said: “Inflation has peaked.”",
     {{"Inflation has peaked.", "direct", "Carla Rossi", "said"}}},
    {"X said “Q” (partial)", FALSE, "Mayor Tom Reyes said the budget was “balanced and fair” after the vote.",
     {{"balanced and fair", "partial", "Tom Reyes", "said"}}},
    {"“Q,” X told CBS", FALSE, "“We saw movement,” Senator Alan Price told CBS on Sunday.",
     {{"We saw movement,", "direct", "Alan Price", "told"}}},
    {"X, the minister, said", FALSE,
     "“There is no crisis,” Omar Haddad, the interior minister, said on Monday.",
     {{"There is no crisis,", "direct", "Omar Haddad", "said"}}},
    {"said X, who …", FALSE, "“It was a mistake,” said Laura Chen, who chairs the committee.",
     {{"It was a mistake,", "direct", "Laura Chen", "said"}}},
    {"according to X", FALSE, "“The talks collapsed at midnight,” according to Mark Olsen.",
     {{"The talks collapsed at midnight,", "direct", "Mark Olsen", "according to"}}},
    {"X wrote on social media", FALSE,
     "Governor Dana Wells wrote on social media: “We are ready for the storm.”",
     {{"We are ready for the storm.", "direct", "Dana Wells", "wrote"}}},
    {"in a statement, the company said", FALSE,
     "Acme Corp. cut 300 jobs on Monday. In a statement, the company said: “These decisions were "
     "difficult.”",
     {{"These decisions were difficult.", "direct", "the company", "said"}}},
    {"surname linked to the fullest name", FALSE,
     "Marco Rubio arrived in Miami on Friday.\n\n“We are ready,” Rubio said.",
     {{"We are ready,", "direct", "Marco Rubio", "said"}}},
    {"titles stripped", FALSE, "“Nothing has changed,” U.S. Secretary of State Marco Rubio said.",
     {{"Nothing has changed,", "direct", "Marco Rubio", "said"}}},
    {"he: the nearest subject, not the nearest name", FALSE,
     "Steve Mills, an aide to Governor Ann Park, briefed reporters on Friday.\n\n"
     "“We expect a vote next week,” he said.",
     {{"We expect a vote next week,", "direct", "Steve Mills", "said"}}},
    {"she: gender from the given name", FALSE,
     "Maria Lopez met David Kerr in Madrid on Friday.\n\n“We are close to an agreement,” she said.",
     {{"We are close to an agreement,", "direct", "Maria Lopez", "said"}}},
    {"she: gender from earlier pronoun use", FALSE,
     "Dr. Kiran Sato leads the team. She joined in 2019.\n\n“The data is clear,” she said.",
     {{"The data is clear,", "direct", "Kiran Sato", "said"}}},
    {"interrupted by the attribution", FALSE,
     "Coach Ben Alder spoke after the game.\n\n“We tried,” he said. “We failed.”",
     {{"We tried,", "direct", "Ben Alder", "said"}, {"We failed.", "direct", "Ben Alder", NULL}}},
    {"continuation in the next paragraph", FALSE,
     "“We will rebuild,” said Mayor Ana Ruiz.\n\n“It will take years, but we will do it.”",
     {{"We will rebuild,", "direct", "Ana Ruiz", "said"},
      {"It will take years, but we will do it.", "direct", "Ana Ruiz", NULL}}},
    {"a quote over two paragraphs", FALSE,
     "“The first part of the plan is simple.\n\n“The second part is harder,” said Ruth Byrne.",
     {{"The first part of the plan is simple.\n\n“The second part is harder,", "direct", "Ruth Byrne",
       "said"}}},
    {"nested quotes", FALSE, "“He told me ‘never again’ and left,” Sam Ortiz said.",
     {{"He told me ‘never again’ and left,", "direct", "Sam Ortiz", "said"}}},
    {"straight double quotes", FALSE, "\"Go home,\" the officer said.",
     {{"Go home,", "direct", "the officer", "said"}}},
    {"straight single quotes and apostrophes", FALSE, "'We won't quit,' Joe Park said.",
     {{"We won't quit,", "direct", "Joe Park", "said"}}},
    {"NYT-style `` and ''", FALSE, "``We are done,'' Ms. Ann Bell said.",
     {{"We are done,", "direct", "Ann Bell", "said"}}},
    {"'' as an opening mark", FALSE, "''We are done,'' said Ann Bell.",
     {{"We are done,", "direct", "Ann Bell", "said"}}},
    {"guillemets", FALSE, "«Nous sommes prêts», said Pierre Duval.",
     {{"Nous sommes prêts", "direct", "Pierre Duval", "said"}}},
    {"low-high German marks", FALSE, "„Wir sind bereit“, said Anna Weber.",
     {{"Wir sind bereit", "direct", "Anna Weber", "said"}}},
    {"partial quote with called", FALSE,
     "Senator Alan Price called the plan “dead on arrival” on Monday.",
     {{"dead on arrival", "partial", "Alan Price", "called"}}},
    {"no source in the text", FALSE, "The crowd fell silent.\n\n“Welcome home, everyone.”",
     {{"Welcome home, everyone.", "direct", NULL, NULL}}},
    {"indirect: X said …", TRUE, "Rubio said the talks had narrowed down the key issues.",
     {{"the talks had narrowed down the key issues", "indirect", "Rubio", "said"}}},
    {"indirect: according to X, …", TRUE,
     "According to officials, the bridge will reopen in May.",
     {{"the bridge will reopen in May", "indirect", "officials", "According to"}}},
    {"indirect: …, X said", TRUE, "The bridge will reopen in May, the ministry said.",
     {{"The bridge will reopen in May", "indirect", "the ministry", "said"}}},
    /* Attribution patterns added with the PolNeAR work */
    {"a name after a dash", FALSE, "“We will win this fight.” ― Ana Diaz\n\n“Not this year.” — Paul Ruiz.",
     {{"We will win this fight.", "direct", "Ana Diaz", NULL}, {"Not this year.", "direct", "Paul Ruiz", NULL}}},
    {"a party tag after the name", FALSE, "“We will act,” Rep. John Moss (D-Ore.) said Friday.",
     {{"We will act,", "direct", "John Moss", "said"}}},
    {"a sentence of attribution after a closed quote", FALSE, "“We won the vote.” Marta Kell said.",
     {{"We won the vote.", "direct", "Marta Kell", "said"}}},
    {"not an attribution: a new clause after the quote", TRUE,
     "“We won the vote.” Marta Kell said the count would take days.",
     {{"We won the vote.", "direct", NULL, NULL}, {"the count would take days", "indirect", "Marta Kell", "said"}}},
    {"the outer cue of the sentence, not the nearer one", FALSE,
     "Mayor Lena Ortiz says she admired their courage in what she calls a “war of words.”",
     {{"war of words.", "partial", "Lena Ortiz", "says"}}},
    {"a participle: the subject of the sentence", FALSE,
     "Governor Paul Hart toured the flooded towns on Monday, arguing that the cuts were “reckless and cruel.”",
     {{"reckless and cruel.", "partial", "Paul Hart", "arguing"}}},
    {"a relative pronoun as the speaker, named by its antecedent", FALSE,
     "Senator Ruth Bell, who called the bill “a disgrace,” voted against it.",
     {{"a disgrace,", "partial", "Ruth Bell", "called"}}},
    {"according to X outranks the quoted speaker", FALSE,
     "“We will sue,” Tom Reed said, according to the Daily Herald.",
     {{"We will sue,", "direct", "Daily Herald", "according to"}}},
    {"he's, she's: not possessives", FALSE,
     "Senator Ruth Bell spoke on Monday.\n\nShe’s calling the bill “a national disgrace.”",
     {{"a national disgrace.", "partial", "Ruth Bell", "calling"}}},
    {"no cue: the subject of the sentence", FALSE,
     "Mayor Ann Cole offered “my deepest thanks to the crews” on Monday.",
     {{"my deepest thanks to the crews", "partial", "Ann Cole", NULL}}},
    {"a description resolved to the named person", FALSE,
     "White House spokeswoman Jen Ruiz spoke on Monday.\n\n“It is over,” the spokeswoman said.",
     {{"It is over,", "direct", "Jen Ruiz", "said"}}},
    {"a surname alone, and she", FALSE,
     "“This just isn’t right,” Warren said. “You squeezed your employees” to lift the price, she said.",
     {{"This just isn’t right,", "direct", "Warren", "said"},
      {"You squeezed your employees", "direct", "Warren", "said"}}},
    {"NYT marks closing on a nested quote", FALSE, "''I would use the word 'old-school,''' said Greg Slay.",
     {{"I would use the word 'old-school,'", "direct", "Greg Slay", "said"}}},
    {"an inverted cue before the quote", FALSE, "Said Dora Poynt, who grew up nearby: “We were all so proud.”",
     {{"We were all so proud.", "direct", "Dora Poynt", "Said"}}},
    {"a clause and a colon", FALSE,
     "Asked about the law, Governor Tim Walsh resisted: “Ohio governors do not have that power.”",
     {{"Ohio governors do not have that power.", "direct", "Tim Walsh", NULL}}},
    {"indirect: a cue with an object closes nothing", TRUE,
     "In her 2003 book, Living History, Clinton noted the clot’s existence.", {{NULL}}},
    {"a title after a possessive, even when attributed", FALSE,
     "On CBS’s “Face the Nation,” Senator Ruth Bell said the bill was dead.", {{NULL}}},
    {"“Q” ― X, then the next quote of a list on the same line", FALSE,
     "“The plan will not work.” ― Rosa Delgado “We deserve better leaders.” ― Omar Fields",
     {{"The plan will not work.", "direct", "Rosa Delgado", NULL},
      /* no sentence break before it: partial by kind, but the speaker is the name after it */
      {"We deserve better leaders.", "partial", "Omar Fields", NULL}}},
    {"a prepositional phrase between the subject and its cue", FALSE,
     "Governor Lena Marsh in her budget speech called the tax cuts “a disaster” for schools.",
     {{"a disaster", "partial", "Lena Marsh", "called"}}},
    {"the object of an introductory phrase is no subject", FALSE,
     "At a rally in Dayton, Ohio, some supporters chanted “lock him up, lock him up” for a minute.",
     {{"lock him up, lock him up", "partial", "some supporters", "chanted"}}},
    {"a signature line after the quote", FALSE,
     "Readers wrote to us.\n\n“The city has never looked better.”\n\n- Nora Quill, Dayton.",
     {{"The city has never looked better.", "direct", "Nora Quill", NULL}}},
    {"a quote paragraph without a cue takes the subject of the paragraph before", FALSE,
     "Mayor Ilse Brand praised the new budget on Monday.\n\n“We kept every promise we made.”",
     {{"We kept every promise we made.", "direct", "Ilse Brand", NULL}}},
    {"a clause of its own after the leftmost cue", FALSE,
     "Mayor Tim Ross said the vote would go ahead, but Senator Ruth Lane called the plan “a reckless "
     "gamble” on Friday.",
     {{"a reckless gamble", "partial", "Ruth Lane", "called"}}},
    {"the leftmost cue when the later one is inside its complement", FALSE,
     "Mayor Tim Ross said that when Ruth Lane called the plan “a reckless gamble” she was wrong.",
     {{"a reckless gamble", "partial", "Tim Ross", "said"}}},
    {"a place inside an appositive is no subject", FALSE,
     "Ella Hart, during a town hall meeting in Dayton, Ohio, said she was “ready to fight for every "
     "job.”",
     {{"ready to fight for every job.", "partial", "Ella Hart", "said"}}},
    {"a cue in a leading subordinate clause is not the sentence's", FALSE,
     "When Paul Dunn spoke about taxes, Ella Hart said the plan was “dead on arrival” in the Senate.",
     {{"dead on arrival", "partial", "Ella Hart", "said"}}},
    {"“Q,” X wrote. “Q2” — the second quote after a wrong-way opening mark", FALSE,
     "Voters rallied.\n\n” … the race is over,” wrote Ann Price. “The count took a week.”",
     {{"… the race is over,", "direct", "Ann Price", "wrote"},
      {"The count took a week.", "direct", "Ann Price", NULL}}},
    {"a dateline is no subject", FALSE,
     "DAYTON - Governor Ella Hart on Saturday tweeted that the bill was “dead on arrival” in the Senate.",
     {{"dead on arrival", "partial", "Ella Hart", "tweeted"}}},
    {"“, X reported.” closing the sentence: the source of record", FALSE,
     "Ella Hart welcomed the vote, saying the deal was “a good start for the city,” the Dayton Herald "
     "reported.",
     {{"a good start for the city,", "partial", "Dayton Herald", "reported"}}},
    {"X, who said …, called it “Q”: the main clause's cue", FALSE,
     "Ella Hart, who says the city needs more buses, called the plan “a waste of money” on Monday.",
     {{"a waste of money", "partial", "Ella Hart", "called"}}},
    {"X issued a statement saying “Q”: the participle after an object", FALSE,
     "On Saturday, Ella Hart issued a statement saying the judge was “a brilliant public servant.”",
     {{"a brilliant public servant.", "partial", "Ella Hart", "saying"}}},
    {"X defended “A,” saying … “B”: what follows the participle is no speaker", FALSE,
     "Mayor Tom Reyes gave a spirited defence of “harbour values,” saying the port embodied the "
     "“spirit of the coast.”",
     {{"harbour values,", "partial", "Tom Reyes", "saying"},
      {"spirit of the coast.", "partial", "Tom Reyes", "saying"}}},
    {"the deadly floods: an -ly modifier makes the cue word a noun", FALSE,
     "Ella Hart blamed the council, much like she did after the deadly floods in May, calling it "
     "“weak.”",
     {{"weak.", "partial", "Ella Hart", "blamed"}}},
    {"A HEADLINE - X: “Q”: the name after the dash", FALSE,
     "HIGHER THAN EXPECTED TURNOUT IN OHIO DOESN’T RAISE HOPES IN OTHER STATES - Ella M. Hart: "
     "“The lines were longer than in any year I remember.”",
     {{"The lines were longer than in any year I remember.", "direct", "Ella M. Hart", NULL}}},
    {"X made a case: “Q” — the noun phrase before the colon is an object", FALSE,
     "Ella Hart made a simple case: “The city cannot wait another year.”",
     {{"The city cannot wait another year.", "direct", "Ella Hart", NULL}}},
    {"“A,” X said, suggesting …, “B”: the participle's subject after the first quote", FALSE,
     "“We are close,” Ella Hart said, suggesting a few changes, including, “a later start for the "
     "count.”",
     {{"We are close,", "direct", "Ella Hart", "said"},
      {"a later start for the count.", "partial", "Ella Hart", "suggesting"}}},
    {"“Q” inside the writer's sentence, \", X said.\" closing it", FALSE,
     "Turnout was “lower than anyone expected” as voters stayed home in the rain, Ella Hart said.",
     {{"lower than anyone expected", "partial", "Ella Hart", "said"}}},
    {"X, whom Y described as “Q”: the relative clause's own subject", FALSE,
     "Ella Hart praised the marchers, whom Paul Dunn described as “peaceful and orderly.”",
     {{"peaceful and orderly.", "partial", "Paul Dunn", "described"}}},
    {"the writer's sentence in the quote's paragraph before the speaker of the one before", FALSE,
     "“We will win,” Paul Dunn said.\n\nElla Hart also backed the new rules -- “They are long "
     "overdue.”",
     {{"We will win,", "direct", "Paul Dunn", "said"},
      {"They are long overdue.", "partial", "Ella Hart", NULL}}},
    {"an age and a place between commas before the cue", FALSE,
     "Cory Dale, 22, of Flint, Mich., said he still hoped for a “surprise at the convention.”",
     {{"surprise at the convention.", "partial", "Cory Dale", "said"}}},
    {"with X V-ing: the absolute construction's own subject", FALSE,
     "At a rally in Mobile, Alabama, on Saturday, supporters booed a protester, with Ella Hart "
     "reportedly yelling: “Get him out of here!”",
     {{"Get him out of here!", "direct", "Ella Hart", "yelling"}}},
    {"a capitalised common word opening the sentence is a description, not a name", FALSE,
     "Police closed the square at dusk. Protesters marching through the streets chanted “What "
     "curfew?” and kept going until 2 a.m. Some protesters stayed until dawn.",
     {{"What curfew?", "direct", "Protesters", "chanted"}}},
    {"Mr. King: a surname that is also a title, named by the full name before", FALSE,
     "“We will get 90 percent of the vote,” said Charlie King, a New York strategist.\n\n"
     "“It is all about enthusiasm,” Mr. King added.",
     {{"We will get 90 percent of the vote,", "direct", "Charlie King", "said"},
      {"It is all about enthusiasm,", "direct", "Charlie King", "added"}}},
    {"she after \"widow X\": a lowercase title gives the gender", FALSE,
     "“The rationales do not hold weight,” said Paul Dunn, a lawyer.\n\n“They are wrong,” said "
     "9/11 widow Terry Strada.\n\nShe continued, “All we want is justice.”",
     {{"The rationales do not hold weight,", "direct", "Paul Dunn", "said"},
      {"They are wrong,", "direct", "Terry Strada", "said"},
      {"All we want is justice.", "direct", "Terry Strada", "continued"}}},
    {"a colon that opens the text, then a quote paragraph: nothing before the colon", FALSE,
     ":\n\n“We will win.”", {{"We will win.", "direct", NULL, NULL}}},
    /* Marks that are not quotations */
    {"apostrophes", FALSE,
     "The ’90s were kind to Reuters’ editors, and they don’t forget it. Rock ’n’ roll, O’Brien said.",
     {{NULL}}},
    {"show titles", FALSE, "Rubio told the “Face the Nation” show on Sunday that talks went well.",
     {{NULL}}},
    {"title after a possessive", FALSE, "She spoke on NBC’s “Meet the Press.”", {{NULL}}},
    {"so-called scare quote", FALSE, "The so-called “peace plan” drew criticism in Kyiv.", {{NULL}}},
    {"short scare quote without a cue", FALSE, "The “reform” passed quietly in the night.", {{NULL}}},
    {"nickname in title case", FALSE, "Trump again mocked “Crooked Hillary” at the rally.", {{NULL}}},
    /* Unbalanced marks are repaired within the paragraph */
    {"unclosed quote ends with its paragraph", FALSE,
     "“This never closes, said Tom Hart to the crowd.\n\nThe next paragraph has no quotes at all, "
     "and it must not be swallowed.",
     {{"This never closes, said Tom Hart to the crowd.", "direct", NULL, NULL}}},
    {"a stray closing mark", FALSE,
     "Prices rose 4” overnight.\n\n“Markets are calm,” said Lee Chang.",
     {{"Markets are calm,", "direct", "Lee Chang", "said"}}},
    /* Words the scanner's fast path for plain ASCII words leaves to the general one
     * (Sen., committee's, We're, O’Neill, ’90s), and a text that ends in a word */
    {"an abbreviation and a possessive", FALSE,
     "“The deal is off,” said Sen. Maria Lopez, the committee's chairwoman.",
     {{"The deal is off,", "direct", "Maria Lopez", "said"}}},
    {"contractions with straight marks", FALSE, "\"We're ready,\" said Mr. Okafor, who didn't elaborate.",
     {{"We're ready,", "direct", "Okafor", "said"}}},
    {"apostrophes inside names and before a year", FALSE,
     "“It’s the ’90s again,” Dr. Paul O’Neill, the committee’s chairman, told reporters on Tuesday",
     {{"It’s the ’90s again,", "direct", "Paul O’Neill", "told"}}},
    {"a long cue that ends the text", FALSE,
     "“We acknowledge the shortfall,” Representative Alexandria Ocasio-Cortez acknowledged",
     {{"We acknowledge the shortfall,", "direct", "Alexandria Ocasio-Cortez", "acknowledged"}}},
};

/* The speaker name the output would show: speaker_name, else the speaker span's text. */
static char *speaker_name(CopydeskSpan *q) {
  const char *name = copydesk_span_get_string(q, "speaker_name");
  if (name) return g_strdup(name);
  CopydeskSpan *sp = copydesk_span_get_link(q, "speaker");
  if (!sp) return NULL;
  gsize len;
  const char *t = copydesk_span_text(sp, &len);
  return g_strndup(t, len);
}

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

static void check_case(const QuoteCase *c) {
  g_test_message("case: %s", c->rule);
  CopydeskDocument *doc = run(c->indirect ? with_indirect : without_indirect, c->text);
  CopydeskLayer *layer = copydesk_document_layer(doc, COPYDESK_LAYER_QUOTE);
  g_assert_nonnull(layer);
  copydesk_layer_sort(layer);
  guint expected = 0;
  while (expected < MAX_QUOTES && c->quotes[expected].text) expected++;
  gsize n = copydesk_layer_n_spans(layer);
  for (gsize i = 0; i < n; i++) {
    CopydeskSpan *q = copydesk_layer_span(layer, i);
    gsize len;
    const char *t = copydesk_span_text(q, &len);
    char *sp = speaker_name(q);
    g_test_message("  got %s [%.*s] speaker=%s reason=%s", copydesk_span_label(q), (int)len, t,
                   sp ? sp : "(null)", copydesk_span_get_string(q, "reason"));
    g_free(sp);
  }
  g_assert_cmpuint(n, ==, expected);
  for (guint i = 0; i < expected; i++) {
    const Expected *e = &c->quotes[i];
    CopydeskSpan *q = copydesk_layer_span(layer, i);
    gsize len;
    const char *t = copydesk_span_text(q, &len);
    char *text = g_strndup(t, len);
    g_assert_cmpstr(text, ==, e->text);
    g_free(text);
    g_assert_cmpstr(copydesk_span_label(q), ==, e->kind);
    char *sp = speaker_name(q);
    g_assert_cmpstr(sp, ==, e->speaker);
    g_free(sp);
    CopydeskSpan *cue = copydesk_span_get_link(q, "cue");
    char *cue_text = NULL;
    if (cue) {
      const char *ct = copydesk_span_text(cue, &len); /* sets LEN before it is used */
      cue_text = g_strndup(ct, len);
    }
    g_assert_cmpstr(cue_text, ==, e->cue);
    g_free(cue_text);
    double conf = copydesk_span_get_double(q, "confidence", -1);
    g_assert_cmpfloat(conf, >, 0.0);
    g_assert_cmpfloat(conf, <=, 1.0);
    g_assert_nonnull(copydesk_span_get_string(q, "reason"));
  }
  copydesk_document_free(doc);
}

static void test_cases(void) {
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) check_case(&cases[i]);
}

/* Rejected titles say why in the test log only; kept quotes carry a reason and confidence
 * in the JSON output. */
static void test_json_output(void) {
  CopydeskHarness *h = copydesk_harness_new(without_indirect);
  char *out = copydesk_harness_run(h, "“We saw movement,” Senator Alan Price told CBS on Sunday.");
  g_assert_nonnull(strstr(out, "\"kind\":\"direct\""));
  g_assert_nonnull(strstr(out, "\"name\":\"Alan Price\""));
  g_assert_nonnull(strstr(out, "\"cue\":{\"text\":\"told\""));
  g_assert_nonnull(strstr(out, "\"reason\":"));
  g_assert_nonnull(strstr(out, "\"confidence\":"));
  g_free(out);
  copydesk_harness_free(h);
}

/* Long runs of marks in one paragraph stay linear: each finishes well under a second. */
static void test_many_marks(void) {
  const char *units[] = {"“", "”", "\"", "'", "‘", "“a” ", "“", "«", "''"};
  CopydeskHarness *h = copydesk_harness_new(with_indirect);
  for (guint u = 0; u < G_N_ELEMENTS(units); u++) {
    GString *s = g_string_new("“Start,” said Ann Lee. ");
    for (guint i = 0; i < 10000; i++) g_string_append(s, units[u]);
    if (u == 6) /* the same marks, each in its own paragraph */
      for (guint i = 0; i < 10000; i++) g_string_append(s, "\n\n“x");
    g_string_append(s, " she said.");
    GTimer *timer = g_timer_new();
    CopydeskDocument *doc = copydesk_harness_process(h, s->str, (gssize)s->len);
    double secs = g_timer_elapsed(timer, NULL);
    g_test_message("10000 × %s: %.3f s", units[u], secs);
    g_assert_cmpfloat(secs, <, 2.0);
    g_assert_cmpuint(copydesk_document_n_errors(doc), ==, 0);
    g_timer_destroy(timer);
    copydesk_document_free(doc);
    g_string_free(s, TRUE);
  }
  copydesk_harness_free(h);
}

/* The speaker of the one quote in TEXT (through the pipeline without indirect speech). */
static char *only_speaker(const char *text) {
  CopydeskDocument *doc = run(without_indirect, text);
  CopydeskLayer *layer = copydesk_document_layer(doc, COPYDESK_LAYER_QUOTE);
  g_assert_nonnull(layer);
  g_assert_cmpuint(copydesk_layer_n_spans(layer), ==, 1);
  char *sp = speaker_name(copydesk_layer_span(layer, 0));
  copydesk_document_free(doc);
  return sp;
}

/* A capitalised sentence start that the text writes in lowercase far away is still told
 * from a name when thousands of other sentence starts are candidates too, many of them
 * with its first letter and length; without the lowercase use it stays a name. */
static void test_common_word_among_many(void) {
  GString *starts = g_string_new(NULL);
  for (guint i = 0; i < 4000; i++) {
    /* distinct ten-letter words from P, as "Protesters" is */
    char w[11] = "Pqq";
    for (guint d = 0, v = i; d < 7; d++, v /= 26) w[3 + d] = (char)('a' + v % 26);
    w[10] = '\0';
    g_string_append_printf(starts, "%s waited. ", w);
  }
  const char *scene = "Police closed the square at dusk. Protesters marching through the streets chanted "
                      "“What curfew?” and kept going until 2 a.m. ";
  char *with_lower = g_strconcat(starts->str, scene, starts->str, "Some protesters stayed until dawn.", NULL);
  char *without = g_strconcat(starts->str, scene, starts->str, "Some stayed until dawn.", NULL);
  char *sp = only_speaker(with_lower);
  g_assert_cmpstr(sp, ==, "Protesters");
  g_free(sp);
  sp = only_speaker(without);
  g_assert_cmpstr(sp, ==, "the streets");
  g_free(sp);
  g_free(with_lower);
  g_free(without);
  g_string_free(starts, TRUE);
}

/* Thousands of people of one surname in one document: each "Smith said" is the Smith
 * named in full just before, and a name met again after many others is still found. */
static void test_many_people_of_one_surname(void) {
  enum { PEOPLE = 3000 };
  GString *s = g_string_new(NULL);
  char names[PEOPLE][6];
  for (guint i = 0; i < PEOPLE; i++) {
    names[i][0] = 'Q';
    for (guint d = 0, v = i; d < 4; d++, v /= 26) names[i][1 + d] = (char)('a' + v % 26);
    names[i][5] = '\0';
    g_string_append_printf(s, "“We are ready,” %s Smith said. “We will win,” Smith said.\n\n", names[i]);
  }
  g_string_append(s, "“One more thing,” Qaaaa Smith said. “It is over,” Smith said.");
  CopydeskDocument *doc = run(without_indirect, s->str);
  CopydeskLayer *layer = copydesk_document_layer(doc, COPYDESK_LAYER_QUOTE);
  g_assert_nonnull(layer);
  copydesk_layer_sort(layer);
  g_assert_cmpuint(copydesk_layer_n_spans(layer), ==, 2 * PEOPLE + 2);
  for (guint i = 0; i <= PEOPLE; i += PEOPLE / 6) {
    char *want = g_strdup_printf("%s Smith", names[i < PEOPLE ? i : 0]);
    for (guint j = 0; j < 2; j++) {
      char *got = speaker_name(copydesk_layer_span(layer, 2 * i + j));
      g_assert_cmpstr(got, ==, want);
      g_free(got);
    }
    g_free(want);
  }
  copydesk_document_free(doc);
  g_string_free(s, TRUE);
}

/* The seed article (shared data): every spoken quote found, the two show titles not. */
static void test_seed_article(void) {
  const char *shared = g_getenv("COPYDESK_SHARED_DATA");
  char *path = shared ? g_build_filename(shared, "articles", "seed-reuters-2025.txt", NULL) : NULL;
  char *text = NULL;
  if (!path || !g_file_get_contents(path, &text, NULL, NULL)) {
    g_test_skip("seed-reuters-2025.txt not found (COPYDESK_SHARED_DATA)");
    g_free(path);
    return;
  }
  CopydeskDocument *doc = run(with_indirect, text);
  CopydeskLayer *layer = copydesk_document_layer(doc, COPYDESK_LAYER_QUOTE);
  guint quoted = 0, with_speaker = 0;
  for (gsize i = 0; i < copydesk_layer_n_spans(layer); i++) {
    CopydeskSpan *q = copydesk_layer_span(layer, i);
    gsize len;
    const char *t = copydesk_span_text(q, &len);
    char *s = g_strndup(t, len);
    g_assert_cmpstr(s, !=, "Face the Nation");
    g_assert_cmpstr(s, !=, "Sunday Morning Futures");
    g_free(s);
    if (g_strcmp0(copydesk_span_label(q), "indirect") == 0) continue;
    quoted++;
    char *sp = speaker_name(q);
    if (sp && (strcmp(sp, "Marco Rubio") == 0 || strcmp(sp, "Donald Trump") == 0 ||
               strcmp(sp, "Steve Witkoff") == 0))
      with_speaker++;
    g_free(sp);
  }
  g_test_message("seed: %u quotes in marks, %u with a known speaker", quoted, with_speaker);
  g_assert_cmpuint(quoted, >=, 7);
  g_assert_cmpuint(with_speaker, >=, 7);
  copydesk_document_free(doc);
  g_free(text);
  g_free(path);
}

/* With the entity layer: a description names the organisation it spells ("the DNC"), "the
 * campaign" is no newspaper named before it (its name is its own words), and "they" is no
 * place (an unresolved pronoun has no name). */
static void check_entity_names(const char *text, guint n, const char *const *want) {
  static const char *const pipeline =
      "pipeline:\n  - plugin: sentences\n  - plugin: entities\n  - plugin: quotes\n"
      "    options: {indirect: false}\noutput: {plugin: jsonl}\n";
  CopydeskDocument *doc = run(pipeline, text);
  CopydeskLayer *layer = copydesk_document_layer(doc, COPYDESK_LAYER_QUOTE);
  g_assert_nonnull(layer);
  copydesk_layer_sort(layer);
  g_assert_cmpuint(copydesk_layer_n_spans(layer), ==, n);
  for (guint i = 0; i < n; i++) {
    CopydeskSpan *q = copydesk_layer_span(layer, i);
    const char *name = copydesk_span_get_string(q, "speaker_name");
    g_test_message("quote %u: speaker_name %s", i, name ? name : "(none)");
    g_assert_cmpstr(name, ==, want[i]);
  }
  copydesk_document_free(doc);
}

static void test_entity_descriptions(void) {
  const char *const want1[] = {"the campaign", "Democratic National Committee"};
  check_entity_names("Hillary Clinton spoke in Chicago on Monday, The New York Times reported.\n\n"
                     "“We are proud of the plan,” the campaign said.\n\n"
                     "The Democratic National Committee met in Philadelphia. “The vote is final,” the DNC said.",
                     2, want1);
  const char *const want3[] = {"a spokeswoman for the hotels"};
  check_entity_names("The hotels closed on Friday.\n\n“We will appeal,” a spokeswoman for the hotels said.", 1,
                     want3);
  const char *const want2[] = {NULL};
  check_entity_names("Thousands of voters gathered in Chicago on Monday.\n\n“We will be back,” they said.", 1,
                     want2);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/quotes/cases", test_cases);
  g_test_add_func("/quotes/json", test_json_output);
  g_test_add_func("/quotes/many-marks", test_many_marks);
  g_test_add_func("/quotes/common-word-among-many", test_common_word_among_many);
  g_test_add_func("/quotes/many-people-of-one-surname", test_many_people_of_one_surname);
  g_test_add_func("/quotes/seed-article", test_seed_article);
  g_test_add_func("/quotes/entity-descriptions", test_entity_descriptions);
  return g_test_run();
}
