/* libFuzzer target for the tunnel decapsulation parsers: the first byte
 * picks VXLAN, Geneve (a UDP payload) or GRE (an IPv4 packet), the rest is
 * the packet. Whatever the bytes, a parser must stay inside them, and what
 * it accepts must leave a whole inner Ethernet header after its header. A
 * frame that we build ourselves around those bytes must parse back to the
 * same key. The Geneve options of an accepted packet go through a TLV map
 * into flow key fields, and those fields must encode back into options
 * that give the same fields. */
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowkey.h"
#include "tnl-header.h"
#include "tun-metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
    fprintf(stderr, "fuzz-tnl-decap: %s\n", what);
    abort();
}

/* Builds a frame of 'type' around 'inner' and checks it parses back. */
static void
check_roundtrip(enum sw_port_type type, const uint8_t *inner, size_t inner_size, uint64_t key)
{
    uint8_t *frame = malloc(TNL_MAX_OUTER_SIZE + inner_size);
    struct tnl_build b;
    struct tnl_md md;
    size_t outer, ofs;

    memset(&b, 0, sizeof b);
    b.type = type;
    b.md.tun_id = type == SW_PORT_GRE ? (uint32_t) key : key & 0xffffff;
    b.md.ip_src = htobe32(0xc0000201);
    b.md.ip_dst = htobe32(0xc0000202);
    b.md.ttl = 64;
    b.md.flags = FLOWKEY_TUN_KEY | (key & 1 ? FLOWKEY_TUN_CSUM : 0);
    b.udp_dst = 4789;
    outer = tnl_build_outer(&b, inner, inner_size, frame);
    if (outer != tnl_outer_size(&b) || outer > TNL_MAX_OUTER_SIZE) {
        fail("outer size");
    }
    memcpy(frame + outer, inner, inner_size);
    if (type == SW_PORT_GRE) {
        if (tnl_parse_gre(frame + 14, outer - 14 + inner_size, &md, &ofs)) {
            fail("our own GRE frame does not parse");
        }
        ofs += 14;
    } else if (tnl_parse_udp_payload(type, frame + 42, outer - 42 + inner_size, &md, &ofs)) {
        fail("our own VXLAN/Geneve frame does not parse");
    } else {
        ofs += 42;
    }
    if (ofs != outer || md.tun_id != b.md.tun_id) {
        fail("our own frame parses to another key or offset");
    }
    free(frame);
}

/* Maps the options of an accepted Geneve packet and checks the round trip
 * through tun_md_to_geneve(). */
static void
check_options(const struct tnl_md *md)
{
    static const struct tun_md_mapping mappings[] = {
        { { 0xffff, 0x80, 4 }, 0 }, { { 0x0102, 0x01, 0 }, 1 }, { { 0x0102, 0x02, 8 }, 7 },
    };
    uint8_t opts[TUN_MD_GENEVE_MAX];
    struct flowkey key, back;
    struct tun_md_map map;
    size_t size;

    memset(&map, 0, sizeof map);
    if (tun_md_map_add(&map, mappings, 3, NULL) != TUN_MD_OK) {
        fail("fixed TLV map refused");
    }
    memset(&key, 0, sizeof key);
    if (tun_md_from_geneve(&map, md->geneve_opts, md->geneve_opts_size, &key)) {
        return;
    }
    size = tun_md_to_geneve(&map, &key, NULL, opts);
    memset(&back, 0, sizeof back);
    if (size > TUN_MD_GENEVE_MAX || !tun_md_geneve_opts_valid(opts, size)
        || tun_md_from_geneve(&map, opts, size, &back)
        || back.tun_md_present != key.tun_md_present
        || memcmp(back.tun_metadata, key.tun_metadata, sizeof key.tun_metadata)) {
        fail("Geneve options do not round-trip through the TLV map");
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum sw_port_type types[] = { SW_PORT_VXLAN, SW_PORT_GENEVE, SW_PORT_GRE };
    enum sw_port_type type;
    struct tnl_md md;
    size_t ofs = 0;
    uint8_t *copy;

    if (!size) {
        return 0;
    }
    type = types[data[0] % 3];
    /* A copy of exactly the bytes, so that ASan sees any read past them. */
    copy = malloc(size - 1 ? size - 1 : 1);
    memcpy(copy, data + 1, size - 1);
    if (type == SW_PORT_GRE ? !tnl_parse_gre(copy, size - 1, &md, &ofs)
                            : !tnl_parse_udp_payload(type, copy, size - 1, &md, &ofs)) {
        if (ofs + 14 > size - 1) {
            fail("accepted a packet without room for an inner Ethernet header");
        }
        if (type == SW_PORT_GENEVE) {
            check_options(&md);
        }
    }
    if (size > 14 + 9) {
        uint64_t key;

        memcpy(&key, data + 1, 8);
        check_roundtrip(type, data + 9, size - 9, key);
    }
    free(copy);
    return 0;
}
