/* log: one logging path for daemons and clients. Daemons log to stderr by
 * default, or to SY_LOGDIR/PROG.log when that is set, or to syslog after
 * log_use_syslog(). Each line: time, program, level, message. */
#ifndef SY_LOG_H
#define SY_LOG_H 1

#include "util.h"

enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DBG };

/* Sets the program name and opens SY_LOGDIR/PROG.log if SY_LOGDIR is set. */
void log_init(const char *program);
void log_use_syslog(void);
void log_set_level(enum log_level);
bool log_level_from_string(const char *, enum log_level *);
void log_msg(enum log_level, const char *fmt, ...) SY_PRINTF(2, 3);

#define LOG_ERR(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define LOG_WARN(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define LOG_INFO(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define LOG_DBG(...) log_msg(LOG_LEVEL_DBG, __VA_ARGS__)

/* Rate limiting for messages a remote party can trigger (bad packets, bad
 * OpenFlow): at most 'burst' messages, refilled at 'per_minute'. */
struct log_ratelimit {
    long long last_msec;        /* When tokens were last refilled. */
    unsigned int tokens;        /* Messages allowed right now. */
    unsigned int burst;         /* Maximum tokens. */
    unsigned int per_minute;    /* Refill rate. */
    unsigned long long dropped; /* Messages suppressed so far. */
};
#define LOG_RATELIMIT_INIT(PER_MINUTE, BURST) { 0, BURST, BURST, PER_MINUTE, 0 }
bool log_ratelimit_allow(struct log_ratelimit *);

#endif
