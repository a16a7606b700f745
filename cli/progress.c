#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "zkm_time.h"

#define BAR_WIDTH 30
#define PHASE_MAX 40        /* columns of the phase name shown   */
#define REDRAW_S 0.1        /* at most ten redraws a second      */

void cli_progress_init(cli_progress *p, const char *label)
{
    memset(p, 0, sizeof *p);
    p->label = label;
    p->tty = isatty(STDERR_FILENO);
}

static void draw(cli_progress *p, const char *phase, uint64_t done, uint64_t total)
{
    char bar[BAR_WIDTH + 1], line[128];
    const double frac = total ? (double)(done < total ? done : total) / (double)total : 0;
    const int fill = (int)(frac * BAR_WIDTH);
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    int n = snprintf(line, sizeof line, "%s [%s] %3d%%  %.*s", p->label, bar,
                     (int)(frac * 100), PHASE_MAX, phase ? phase : "");
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (len > p->shown)
        p->shown = len;
    /* padded to the widest line drawn, which blanks a longer previous one */
    fprintf(stderr, "\r%-*s", (int)p->shown, line);
    fflush(stderr);
}

void cli_progress_update(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    cli_progress *p = ctx;
    if (!p || !p->tty)
        return;
    const double now = zkm_now();
    if (p->shown && now - p->last < REDRAW_S)
        return;
    p->last = now;
    draw(p, phase, done, total);
}

void cli_progress_end(cli_progress *p)
{
    if (!p->tty || !p->shown)
        return;
    fputc('\r', stderr);
    for (size_t i = 0; i < p->shown; i++)
        fputc(' ', stderr);
    fputc('\r', stderr);
    fflush(stderr);
    p->shown = 0;
}
