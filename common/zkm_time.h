/* Wall-clock timing for the figures zkm reports. */
#ifndef ZKM_TIME_H
#define ZKM_TIME_H

/* Seconds on the monotonic clock (an arbitrary origin: subtract two). */
double zkm_now(void);

#endif
