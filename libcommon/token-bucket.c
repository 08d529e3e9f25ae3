/* token-bucket: see token-bucket.h. */
#include "token-bucket.h"

#define MICRO_BITS_PER_BYTE 8000000ULL
#define MICRO_BITS_PER_KBIT 1000000000ULL

void
token_bucket_init(struct token_bucket *tb, uint32_t rate_kbps, uint32_t burst_kbit,
                  uint64_t now_ns)
{
    tb->rate_kbps = rate_kbps;
    tb->capacity = (uint64_t) (burst_kbit ? burst_kbit : TOKEN_BUCKET_DEFAULT_BURST_KBIT)
                   * MICRO_BITS_PER_KBIT;
    tb->tokens = tb->capacity;
    tb->last_ns = now_ns;
}

static void
token_bucket_refill(struct token_bucket *tb, uint64_t now_ns)
{
    uint64_t elapsed, room;

    if (now_ns <= tb->last_ns) {
        return;                 /* Time did not move (or went back). */
    }
    elapsed = now_ns - tb->last_ns;
    tb->last_ns = now_ns;
    room = tb->capacity - tb->tokens;
    /* Compare before multiplying: a long idle time must not overflow. */
    if (!tb->rate_kbps || elapsed >= room / tb->rate_kbps + 1) {
        tb->tokens = tb->rate_kbps ? tb->capacity : tb->tokens;
    } else {
        tb->tokens += elapsed * tb->rate_kbps;
    }
}

bool
token_bucket_withdraw(struct token_bucket *tb, uint32_t size, uint64_t now_ns)
{
    uint64_t cost = size * MICRO_BITS_PER_BYTE;

    token_bucket_refill(tb, now_ns);
    if (tb->tokens < cost) {
        return false;
    }
    tb->tokens -= cost;
    return true;
}
