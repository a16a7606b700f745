/* A one-line progress bar on stderr for long library calls:
 *
 *   prove [###############...............]  53%  prove
 *
 * Drawn only when stderr is a terminal, at most about ten times a second,
 * and wiped by cli_progress_end so that what follows starts on a clean
 * line.  Otherwise every call does nothing, so pipes and logs stay clean. */
#ifndef ZKM_CLI_PROGRESS_H
#define ZKM_CLI_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *label; /* first word of the line ("prove")          */
    int tty;           /* stderr is a terminal                      */
    double last;       /* zkm_now() of the last redraw              */
    size_t shown;      /* columns drawn on the line; 0: none        */
} cli_progress;

void cli_progress_init(cli_progress *p, const char *label);

/* A zkm_progress_fn (net.h): ctx is the cli_progress. */
void cli_progress_update(void *ctx, const char *phase, uint64_t done, uint64_t total);

/* Wipe the bar, if one was drawn. */
void cli_progress_end(cli_progress *p);

#endif
