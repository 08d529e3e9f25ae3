/* tnl-header: see tnl-header.h. Multi-byte fields are written and read
 * with memcpy in network byte order: buffers need no alignment. */
#include "tnl-header.h"

#include <errno.h>
#include <string.h>

#include "byteorder.h"
#include "flowkey.h"
#include "packet.h"
#include "tnl-config.h"
#include "tun-metadata.h"

#define ETH_SIZE 14
#define IPV4_SIZE 20
#define UDP_SIZE 8
#define IP_PROTO_UDP_ 17
#define IPV4_DF 0x4000

#define VXLAN_FLAG_I 0x08
#define GENEVE_OAM 0x80
#define GENEVE_CRITICAL 0x40
#define GRE_CSUM 0x8000
#define GRE_ROUTING 0x4000
#define GRE_KEY 0x2000
#define GRE_SEQ 0x1000
#define GRE_VERSION 0x0007

static size_t
gre_size(const struct tnl_build *b)
{
    return (4 + (b->md.flags & FLOWKEY_TUN_CSUM ? 4 : 0)
            + (b->md.flags & FLOWKEY_TUN_KEY ? 4 : 0));
}

/* Bytes of the Geneve options that go out: whole 4-byte words, at most
 * TNL_GENEVE_MAX_OPTS. */
static size_t
geneve_opts_size(const struct tnl_build *b)
{
    size_t size = b->md.geneve_opts ? b->md.geneve_opts_size : 0;

    return size % 4 || size > TNL_GENEVE_MAX_OPTS ? 0 : size;
}

/* Bytes of the tunnel's own header (with VXLAN's or Geneve's) plus UDP
 * or GRE. */
static size_t
tunnel_header_size(const struct tnl_build *b)
{
    return (b->type == SW_PORT_VXLAN ? TNL_VXLAN_HEADER_SIZE
            : TNL_GENEVE_HEADER_SIZE + geneve_opts_size(b));
}

static size_t
l4_size(const struct tnl_build *b)
{
    return b->type == SW_PORT_GRE ? gre_size(b) : UDP_SIZE + tunnel_header_size(b);
}

size_t
tnl_outer_size(const struct tnl_build *b)
{
    return ETH_SIZE + IPV4_SIZE + l4_size(b);
}

static void
build_ipv4(const struct tnl_build *b, uint8_t proto, size_t total, uint8_t *ip)
{
    uint16_t checksum;

    ip[0] = 0x45;
    ip[1] = b->md.tos;
    wr16(ip + 2, total);
    wr16(ip + 4, b->ip_id);
    wr16(ip + 6, b->md.flags & FLOWKEY_TUN_DF ? IPV4_DF : 0);
    ip[8] = b->md.ttl;
    ip[9] = proto;
    memset(ip + 10, 0, 2);
    memcpy(ip + 12, &b->md.ip_src, 4);
    memcpy(ip + 16, &b->md.ip_dst, 4);
    checksum = csum(ip, IPV4_SIZE);
    memcpy(ip + 10, &checksum, 2);
}

/* The C bit: set when one of the options is critical. */
static bool
geneve_opts_critical(const uint8_t *opts, size_t size)
{
    for (size_t ofs = 0; ofs + 4 <= size; ofs += 4 + (size_t) (opts[ofs + 3] & 0x1f) * 4) {
        if (opts[ofs + 2] & TUN_MD_CRITICAL) {
            return true;
        }
    }
    return false;
}

/* VXLAN or Geneve header: both have 8 bytes with the VNI in bytes 4..6;
 * Geneve's options follow. */
static void
build_vxlan_geneve(const struct tnl_build *b, uint8_t *h)
{
    memset(h, 0, 8);
    if (b->type == SW_PORT_VXLAN) {
        h[0] = VXLAN_FLAG_I;
    } else {
        size_t opts_size = geneve_opts_size(b);

        h[0] = opts_size / 4;           /* Version 0. */
        if (opts_size) {
            memcpy(h + TNL_GENEVE_HEADER_SIZE, b->md.geneve_opts, opts_size);
            h[1] = geneve_opts_critical(b->md.geneve_opts, opts_size) ? GENEVE_CRITICAL : 0;
        }
        wr16(h + 2, TNL_ETH_P_TEB);
    }
    wr32(h + 4, (uint32_t) (b->md.tun_id & TNL_VNI_MAX) << 8);
}

static void
build_udp(const struct tnl_build *b, const uint8_t *inner, size_t inner_size, uint8_t *udp)
{
    size_t udp_len = UDP_SIZE + tunnel_header_size(b) + inner_size;

    wr16(udp, b->udp_src);
    wr16(udp + 2, b->udp_dst);
    wr16(udp + 4, udp_len);
    memset(udp + 6, 0, 2);
    build_vxlan_geneve(b, udp + UDP_SIZE);
    if (b->md.flags & FLOWKEY_TUN_CSUM) {
        uint32_t sum = csum_pseudo_ipv4(b->md.ip_src, b->md.ip_dst, IP_PROTO_UDP_, udp_len);
        uint16_t checksum;

        sum = csum_partial(udp, UDP_SIZE + tunnel_header_size(b), sum);
        checksum = csum_finish(csum_partial(inner, inner_size, sum));
        if (!checksum) {
            checksum = 0xffff;      /* 0 means "no checksum" in UDP. */
        }
        memcpy(udp + 6, &checksum, 2);
    }
}

static void
build_gre(const struct tnl_build *b, const uint8_t *inner, size_t inner_size, uint8_t *gre)
{
    uint16_t flags = 0;
    size_t ofs = 4;

    flags |= b->md.flags & FLOWKEY_TUN_CSUM ? GRE_CSUM : 0;
    flags |= b->md.flags & FLOWKEY_TUN_KEY ? GRE_KEY : 0;
    wr16(gre, flags);
    wr16(gre + 2, TNL_ETH_P_TEB);
    if (flags & GRE_CSUM) {
        memset(gre + ofs, 0, 4);        /* Checksum and reserved. */
        ofs += 4;
    }
    if (flags & GRE_KEY) {
        wr32(gre + ofs, (uint32_t) b->md.tun_id);
        ofs += 4;
    }
    if (flags & GRE_CSUM) {
        uint16_t checksum;

        checksum = csum_finish(csum_partial(inner, inner_size, csum_partial(gre, ofs, 0)));
        memcpy(gre + 4, &checksum, 2);
    }
}

size_t
tnl_build_outer(const struct tnl_build *b, const uint8_t *inner, size_t inner_size,
                uint8_t *out)
{
    size_t l4 = l4_size(b);

    memcpy(out, b->eth_dst, 6);
    memcpy(out + 6, b->eth_src, 6);
    wr16(out + 12, ETH_TYPE_IP);
    if (b->type == SW_PORT_GRE) {
        build_gre(b, inner, inner_size, out + ETH_SIZE + IPV4_SIZE);
    } else {
        build_udp(b, inner, inner_size, out + ETH_SIZE + IPV4_SIZE);
    }
    build_ipv4(b, b->type == SW_PORT_GRE ? TNL_IP_PROTO_GRE : IP_PROTO_UDP_,
               IPV4_SIZE + l4 + inner_size, out + ETH_SIZE);
    return ETH_SIZE + IPV4_SIZE + l4;
}

/* ---- parsing ------------------------------------------------------------- */

static int
parse_vxlan(const uint8_t *data, size_t size, struct tnl_md *md, size_t *header_size)
{
    if (size < TNL_VXLAN_HEADER_SIZE + ETH_SIZE || !(data[0] & VXLAN_FLAG_I)) {
        return EINVAL;
    }
    md->tun_id = rd32(data + 4) >> 8;
    md->flags |= FLOWKEY_TUN_KEY;
    *header_size = TNL_VXLAN_HEADER_SIZE;
    return 0;
}

/* The option list is checked here (each option's length must end inside
 * it, and the C bit must agree with the options' critical bits); whether
 * the options are understood is for the TLV map (tun-metadata.h). */
static int
parse_geneve(const uint8_t *data, size_t size, struct tnl_md *md, size_t *header_size)
{
    size_t opts_size, total;
    const uint8_t *opts;

    if (size < TNL_GENEVE_HEADER_SIZE || data[0] >> 6 != 0) {
        return EINVAL;
    }
    opts_size = (size_t) (data[0] & 0x3f) * 4;
    total = TNL_GENEVE_HEADER_SIZE + opts_size;
    if (size < total + ETH_SIZE || rd16(data + 2) != TNL_ETH_P_TEB) {
        return EINVAL;
    }
    md->tun_id = rd32(data + 4) >> 8;
    md->flags |= FLOWKEY_TUN_KEY;
    opts = data + TNL_GENEVE_HEADER_SIZE;
    if (!tun_md_geneve_opts_valid(opts, opts_size)
        || !(data[1] & GENEVE_CRITICAL) != !geneve_opts_critical(opts, opts_size)) {
        return EBADMSG;
    }
    md->geneve_opts = opts_size ? opts : NULL;
    md->geneve_opts_size = opts_size;
    *header_size = total;
    return 0;
}

int
tnl_parse_udp_payload(enum sw_port_type type, const uint8_t *data, size_t size,
                      struct tnl_md *md, size_t *header_size)
{
    md->tun_id = 0;
    md->flags = 0;
    md->geneve_opts = NULL;
    md->geneve_opts_size = 0;
    if (type == SW_PORT_VXLAN) {
        return parse_vxlan(data, size, md, header_size);
    } else if (type == SW_PORT_GENEVE) {
        return parse_geneve(data, size, md, header_size);
    }
    return EINVAL;
}

/* Checks an IPv4 header; returns its length, or 0 if it is not one to
 * decapsulate (malformed, or a fragment, which the raw socket would have
 * reassembled already). */
static size_t
parse_ipv4(const uint8_t *ip, size_t size, struct tnl_md *md)
{
    size_t ihl;

    if (size < IPV4_SIZE || ip[0] >> 4 != 4) {
        return 0;
    }
    ihl = (size_t) (ip[0] & 0x0f) * 4;
    if (ihl < IPV4_SIZE || ihl > size || rd16(ip + 6) & 0x3fff) {
        return 0;
    }
    md->tos = ip[1];
    md->ttl = ip[8];
    memcpy(&md->ip_src, ip + 12, 4);
    memcpy(&md->ip_dst, ip + 16, 4);
    md->flags = rd16(ip + 6) & IPV4_DF ? FLOWKEY_TUN_DF : 0;
    return ihl;
}

int
tnl_parse_gre(const uint8_t *ip, size_t size, struct tnl_md *md, size_t *inner_offset)
{
    size_t ihl, ofs, gre_len;
    const uint8_t *gre;
    uint16_t flags;

    memset(md, 0, sizeof *md);
    ihl = parse_ipv4(ip, size, md);
    if (!ihl || ip[9] != TNL_IP_PROTO_GRE || size - ihl < 4) {
        return EINVAL;
    }
    gre = ip + ihl;
    gre_len = size - ihl;
    flags = rd16(gre);
    if (flags & (GRE_ROUTING | GRE_VERSION) || rd16(gre + 2) != TNL_ETH_P_TEB) {
        return EINVAL;
    }
    ofs = 4 + (flags & GRE_CSUM ? 4 : 0) + (flags & GRE_KEY ? 4 : 0)
          + (flags & GRE_SEQ ? 4 : 0);
    if (gre_len < ofs + ETH_SIZE) {
        return EINVAL;
    }
    if (flags & GRE_CSUM) {
        if (csum(gre, gre_len)) {
            return EINVAL;          /* Sums to 0 (complemented) when right. */
        }
        md->flags |= FLOWKEY_TUN_CSUM;
    }
    if (flags & GRE_KEY) {
        md->tun_id = rd32(gre + 4 + (flags & GRE_CSUM ? 4 : 0));
        md->flags |= FLOWKEY_TUN_KEY;
    }
    *inner_offset = ihl + ofs;
    return 0;
}
