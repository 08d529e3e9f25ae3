/* byteorder: big-endian (network order) reads and writes of 16-, 32- and
 * 64-bit fields at any alignment, as packets and wire messages hold them. */
#ifndef SY_BYTEORDER_H
#define SY_BYTEORDER_H 1

#include <stdint.h>

static inline uint16_t
rd16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static inline uint64_t
rd64(const uint8_t *p)
{
    return (uint64_t) rd32(p) << 32 | rd32(p + 4);
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
    wr16(p, v >> 16);
    wr16(p + 2, v);
}

static inline void
wr64(uint8_t *p, uint64_t v)
{
    wr32(p, v >> 32);
    wr32(p + 4, v);
}

#endif /* byteorder.h */
