/* log: see log.h. The logging configuration is process-wide by nature (like
 * stderr itself), so it lives in this file's static state. */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static struct {
    const char *program;
    enum log_level level;
    FILE *file;
    bool syslog;
} log_state = { "switchyard", LOG_LEVEL_INFO, NULL, false };

static const char *const level_names[] = { "err", "warn", "info", "dbg" };

void
log_init(const char *program)
{
    const char *dir = getenv("SY_LOGDIR");
    const char *level = getenv("SY_LOGLEVEL");
    enum log_level parsed;

    log_state.program = program;
    if (level && log_level_from_string(level, &parsed)) {
        log_state.level = parsed;
    }
    if (dir && *dir) {
        char *path = xasprintf("%s/%s.log", dir, program);
        FILE *file = fopen(path, "a");

        if (file) {
            setvbuf(file, NULL, _IOLBF, 0);
            log_state.file = file;
        } else {
            fprintf(stderr, "%s: cannot open log file %s, logging to stderr\n",
                    program, path);
        }
        free(path);
    }
}

void
log_use_syslog(void)
{
    openlog(log_state.program, LOG_PID, LOG_DAEMON);
    log_state.syslog = true;
}

void
log_set_level(enum log_level level)
{
    log_state.level = level;
}

bool
log_level_from_string(const char *s, enum log_level *level)
{
    for (size_t i = 0; i < ARRAY_SIZE(level_names); i++) {
        if (!strcmp(s, level_names[i])) {
            *level = i;
            return true;
        }
    }
    return false;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
    static const int syslog_levels[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
    va_list args;

    if (level > log_state.level) {
        return;
    }
    va_start(args, fmt);
    if (log_state.syslog && !log_state.file) {
        vsyslog(syslog_levels[level], fmt, args);
    } else {
        FILE *out = log_state.file ? log_state.file : stderr;
        char stamp[32];
        struct tm tm;
        time_t now = time(NULL);

        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", gmtime_r(&now, &tm));
        fprintf(out, "%sZ %s[%d] %s: ", stamp, log_state.program, (int) getpid(),
                level_names[level]);
        vfprintf(out, fmt, args);
        fputc('\n', out);
    }
    va_end(args);
}

bool
log_ratelimit_allow(struct log_ratelimit *rl)
{
    long long now = time_msec();

    if (rl->per_minute && now - rl->last_msec >= 60000 / rl->per_minute) {
        long long refill = (now - rl->last_msec) * rl->per_minute / 60000;

        rl->tokens = MIN((long long) rl->burst, rl->tokens + refill);
        rl->last_msec = now;
    }
    if (rl->tokens) {
        rl->tokens--;
        return true;
    }
    rl->dropped++;
    return false;
}
