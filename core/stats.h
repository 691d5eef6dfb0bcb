/* copydesk — --stats: where a run's time goes, stage by stage (internal). */
#pragma once

#include <stdio.h>
#include <time.h>

#include <glib.h>

#include "pipeline.h"

/* Times of one worker, or of a whole run once the workers' are summed. */
typedef struct CopydeskStats {
  guint n_stages;    /* transform/annotate stages; stage_ns has one more slot: the output */
  gint64 *stage_ns;  /* time inside each stage's process (then the output's format), summed */
  gint64 input_ns;   /* reading and parsing the input (by whichever thread reads) */
  gint64 write_ns;   /* writing the output (by whichever thread writes) */
  guint64 documents; /* documents processed */
  guint64 bytes;     /* their original text, in bytes */
} CopydeskStats;

/* Zeroed times for a pipeline of N_STAGES stages (plus its output). */
CopydeskStats *copydesk_stats_new(guint n_stages);
/* Frees STATS (NULL: nothing). */
void copydesk_stats_free(CopydeskStats *stats);
/* Adds FROM's times and counts to INTO (same number of stages). */
void copydesk_stats_add(CopydeskStats *into, const CopydeskStats *from);
/* Prints the table of STATS for PIPELINE, run with JOBS threads in WALL_NS, to OUT. */
void copydesk_stats_print(const CopydeskStats *stats, const CopydeskPipeline *pipeline, guint jobs,
                          gint64 wall_ns, FILE *out);

/* A monotonic clock in nanoseconds. */
static inline gint64
copydesk_stats_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
