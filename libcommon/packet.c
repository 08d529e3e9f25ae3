/* packet: Ethernet address text and Internet checksums (RFC 1071 sums,
 * RFC 1624 incremental updates, TCP/UDP pseudo headers). The flow key
 * parser (flowkey.c) and the action executor use these; odp.c uses the
 * address text helpers.
 *
 * Checksum values are kept exactly as they sit in memory (network byte
 * order): the one's complement sum is byte-order independent (RFC 1071,
 * section 2(B)), so summing 16-bit words as loaded natively and storing the
 * result back natively gives the right bytes on any host. */
#include "packet.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

/* Parses one or two hex digits at '*s' into '*byte' and advances '*s'. */
static bool
eth_addr_parse_byte(const char **s, uint8_t *byte)
{
    unsigned int value = 0;
    int digits = 0;

    while (digits < 2 && isxdigit((unsigned char) **s)) {
        char c = *(*s)++;

        value = value * 16 + (isdigit((unsigned char) c) ? c - '0'
                              : tolower((unsigned char) c) - 'a' + 10);
        digits++;
    }
    *byte = value;
    return digits > 0;
}

bool
eth_addr_from_string(const char *s, uint8_t addr[6])
{
    uint8_t parsed[6];

    if (!s) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        if (i && *s++ != ':') {
            return false;
        }
        if (!eth_addr_parse_byte(&s, &parsed[i])) {
            return false;
        }
    }
    if (*s) {
        return false;
    }
    memcpy(addr, parsed, 6);
    return true;
}

void
eth_addr_format(struct buf *b, const uint8_t addr[6])
{
    buf_printf(b, ETH_ADDR_FMT, ETH_ADDR_ARGS(addr));
}

/* Folds a wide one's complement sum into 32 bits without losing carries. */
static uint32_t
csum_fold64(uint64_t sum)
{
    sum = (sum & 0xffffffff) + (sum >> 32);
    sum = (sum & 0xffffffff) + (sum >> 32);
    return sum;
}

/* Adds 'size' bytes at 'data' to 'sum'. Only the last chunk of a checksummed
 * area may have an odd size: an odd byte is summed as if followed by zero. */
uint32_t
csum_partial(const void *data, size_t size, uint32_t sum)
{
    const uint8_t *p = data;
    uint64_t acc = sum;

    /* 32-bit loads: the 64-bit accumulator cannot overflow below 2^32
     * words, far beyond any packet. */
    for (; size >= 4; p += 4, size -= 4) {
        uint32_t word;

        memcpy(&word, p, 4);
        acc += word;
    }
    if (size >= 2) {
        uint16_t half;

        memcpy(&half, p, 2);
        acc += half;
        p += 2;
        size -= 2;
    }
    if (size) {
        uint16_t last = 0;

        memcpy(&last, p, 1);
        acc += last;
    }
    return csum_fold64(acc);
}

uint16_t
csum_finish(uint32_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return ~sum & 0xffff;
}

uint16_t
csum(const void *data, size_t size)
{
    return csum_finish(csum_partial(data, size, 0));
}

/* RFC 1624 equation 3: HC' = ~(~HC + ~m + m'). Unlike equation 2 it never
 * produces -0 (0xffff is only returned for an all-ones input sum). */
uint16_t
csum_update16(uint16_t csum_, uint16_t old, uint16_t new_)
{
    uint32_t sum = (uint16_t) ~csum_;

    sum += (uint16_t) ~old;
    sum += new_;
    return csum_finish(sum);
}

uint16_t
csum_update32(uint16_t csum_, uint32_t old, uint32_t new_)
{
    uint32_t sum = (uint16_t) ~csum_;

    sum += (uint16_t) ~(old & 0xffff);
    sum += (uint16_t) ~(old >> 16);
    sum += new_ & 0xffff;
    sum += new_ >> 16;
    return csum_finish(sum);
}

uint32_t
csum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_size)
{
    uint64_t sum = 0;

    sum += (src & 0xffff) + (src >> 16);
    sum += (dst & 0xffff) + (dst >> 16);
    sum += htons(proto);
    sum += htons(l4_size);
    return csum_fold64(sum);
}

uint32_t
csum_pseudo_ipv6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
                 uint32_t l4_size)
{
    uint32_t size_be = htonl(l4_size);
    uint64_t sum;

    sum = csum_partial(src, 16, 0);
    sum += csum_partial(dst, 16, 0);
    sum += (size_be & 0xffff) + (size_be >> 16);
    sum += htons(proto);
    return csum_fold64(sum);
}

uint32_t
crc32c(const void *data_, size_t size)
{
    const uint8_t *data = data_;
    uint32_t crc = 0xffffffff;

    /* Bitwise, reflected polynomial 0x1EDC6F41: SCTP rewrites are rare, so
     * no table is kept. */
    for (size_t i = 0; i < size; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
        }
    }
    return ~crc;
}
