/* copydesk — --stats: per-stage time and throughput, printed on stderr after a run. */
#include "stats.h"

CopydeskStats *
copydesk_stats_new(guint n_stages)
{
  CopydeskStats *stats = g_new0(CopydeskStats, 1);
  stats->n_stages = n_stages;
  stats->stage_ns = g_new0(gint64, n_stages + 1);
  return stats;
}

void
copydesk_stats_free(CopydeskStats *stats)
{
  if (stats == NULL)
    return;
  g_free(stats->stage_ns);
  g_free(stats);
}

void
copydesk_stats_add(CopydeskStats *into, const CopydeskStats *from)
{
  g_return_if_fail(into->n_stages == from->n_stages);
  for (guint i = 0; i <= into->n_stages; i++)
    into->stage_ns[i] += from->stage_ns[i];
  into->input_ns += from->input_ns;
  into->write_ns += from->write_ns;
  into->documents += from->documents;
  into->bytes += from->bytes;
}

/* One row: NAME, SECONDS, its share of TOTAL_NS, and MB / SECONDS. */
static void
print_row(FILE *out, const char *name, gint64 ns, gint64 total_ns, double mb)
{
  double seconds = ns / 1e9;
  double share = total_ns > 0 ? 100.0 * ns / total_ns : 0.0;
  if (ns > 0)
    fprintf(out, "  %-24s %9.3f %6.1f%% %10.1f\n", name, seconds, share, mb / seconds);
  else
    fprintf(out, "  %-24s %9.3f %6.1f%% %10s\n", name, seconds, share, "-");
}

void
copydesk_stats_print(const CopydeskStats *stats, const CopydeskPipeline *pipeline, guint jobs,
                     gint64 wall_ns, FILE *out)
{
  double mb = stats->bytes / 1e6;
  gint64 total = stats->input_ns + stats->write_ns;
  for (guint i = 0; i <= stats->n_stages; i++)
    total += stats->stage_ns[i];
  fprintf(out,
          "copydesk: %" G_GUINT64_FORMAT " documents, %.2f MB in %.3f s (%.2f MB/s, %u thread%s)\n",
          stats->documents, mb, wall_ns / 1e9, wall_ns > 0 ? mb / (wall_ns / 1e9) : 0.0, jobs,
          jobs == 1 ? "" : "s");
  fprintf(out, "  %-24s %9s %7s %10s\n", "stage", "seconds", "share", "MB/s");
  print_row(out, "input (read, parse)", stats->input_ns, total, mb);
  for (guint i = 0; i < stats->n_stages; i++) {
    const CopydeskStage *stage = pipeline->stages->pdata[i];
    print_row(out, stage->name, stats->stage_ns[i], total, mb);
  }
  char *output = g_strdup_printf("output %s (format)", pipeline->output->name);
  print_row(out, output, stats->stage_ns[stats->n_stages], total, mb);
  g_free(output);
  print_row(out, "write", stats->write_ns, total, mb);
  fprintf(out, "  seconds are summed over threads; MB/s is the input's MB over a stage's seconds\n");
}
