/* token-bucket: a token bucket for policing, in exact integer arithmetic.
 *
 * The rate is in kbit/s and the burst in kbit (1 kbit = 1000 bits), the
 * units of Open vSwitch's ingress_policing_rate and ingress_policing_burst.
 * Tokens are counted in millionths of a bit, so that one nanosecond at
 * RATE kbit/s earns exactly RATE tokens: no rounding is lost, however
 * often the bucket is refilled. The caller passes the time (one clock read
 * per batch of packets): the bucket itself never makes a system call. */
#ifndef SY_TOKEN_BUCKET_H
#define SY_TOKEN_BUCKET_H 1

#include <stdbool.h>
#include <stdint.h>

struct token_bucket {
    uint64_t rate_kbps;         /* Refill rate, kbit/s. */
    uint64_t capacity;          /* Burst, in micro-bits. */
    uint64_t tokens;            /* Now in the bucket, in micro-bits. */
    uint64_t last_ns;           /* Time of the last refill. */
};

/* Used when the burst is 0, as in Open vSwitch: 8000 kbit. */
#define TOKEN_BUCKET_DEFAULT_BURST_KBIT 8000

/* A full bucket at 'now_ns'. 'burst_kbit' 0 means the default. */
void token_bucket_init(struct token_bucket *, uint32_t rate_kbps, uint32_t burst_kbit,
                       uint64_t now_ns);
/* Takes the tokens for a packet of 'size' bytes at 'now_ns'; false (and
 * nothing taken) if there are not enough: the packet exceeds the rate. */
bool token_bucket_withdraw(struct token_bucket *, uint32_t size, uint64_t now_ns);

#endif
