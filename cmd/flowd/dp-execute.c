/* dp-execute: the userspace datapath's action executor. It runs a list of
 * kernel-format datapath actions (see dpactions.h) over one packet, in
 * order, modifying the packet in place: VLAN push/pop, masked header sets
 * with checksum fix-ups, and output to ports. */
#include "dp-user.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "packet.h"
#include "tunnel.h"

static void
push_vlan(struct dp_packet *p, const struct ovs_action_push_vlan *push)
{
    uint16_t tci = ntohs(push->vlan_tci) & ~0x1000;
    uint16_t tag[2] = { push->vlan_tpid, htons(tci) };

    if (p->size < 12 || !dp_packet_push(p, VLAN_HEADER_LEN)) {
        return;
    }
    memmove(p->data, p->data + VLAN_HEADER_LEN, 12);
    memcpy(p->data + 12, tag, sizeof tag);
}

static void
pop_vlan(struct dp_packet *p)
{
    uint16_t tpid;

    if (p->size < 12 + VLAN_HEADER_LEN + 2) {
        return;
    }
    memcpy(&tpid, p->data + 12, 2);
    tpid = ntohs(tpid);
    if (tpid != ETH_TYPE_VLAN && tpid != ETH_TYPE_QINQ) {
        return;
    }
    memmove(p->data + VLAN_HEADER_LEN, p->data, 12);
    dp_packet_pull(p, VLAN_HEADER_LEN);
}

static void
apply_masked_bytes(uint8_t *dst, const uint8_t *value, const uint8_t *mask, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = (dst[i] & ~mask[i]) | (value[i] & mask[i]);
    }
}

/* Offset of the L4 checksum field for 'proto', or 0 if it has none we fix.
 * ICMPv6's checksum covers a pseudo-header; ICMPv4's does not. */
static size_t
l4_csum_offset(uint8_t proto)
{
    return proto == IP_PROTO_TCP ? 16
           : proto == IP_PROTO_UDP ? 6
           : proto == IP_PROTO_ICMPV6 ? 2 : 0;
}

static void
update_l4_csum32(struct dp_packet *p, const struct flowkey_layout *layout, uint8_t proto,
                 uint32_t old, uint32_t new_)
{
    size_t ofs = l4_csum_offset(proto);
    uint16_t csum_field;

    if (!ofs || layout->l4 == FLOWKEY_OFS_NONE || layout->l4 + ofs + 2 > p->size) {
        return;
    }
    memcpy(&csum_field, p->data + layout->l4 + ofs, 2);
    if (p->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        /* The field holds the pseudo-header sum, not yet complemented:
         * the same update, seen through the complement. */
        csum_field = ~csum_update32(~csum_field, old, new_);
    } else if (proto == IP_PROTO_UDP && !csum_field) {
        return;                     /* UDP over IPv4 without a checksum. */
    } else {
        csum_field = csum_update32(csum_field, old, new_);
    }
    memcpy(p->data + layout->l4 + ofs, &csum_field, 2);
}

static void
set_ipv4(struct dp_packet *p, const struct ovs_key_ipv4 *value,
         const struct ovs_key_ipv4 *mask)
{
    struct flowkey_layout layout;
    struct flowkey key;
    uint8_t *ip;
    uint32_t old_src, old_dst, new_src, new_dst;
    uint16_t ip_csum, old_word, new_word;

    flowkey_extract(p->data, p->size, p->in_port, &key, &layout);
    if (key.eth_type != ETH_TYPE_IP || layout.l3 == FLOWKEY_OFS_NONE
        || layout.l3 + 20u > p->size) {
        return;
    }
    ip = p->data + layout.l3;
    memcpy(&ip_csum, ip + 10, 2);
    memcpy(&old_src, ip + 12, 4);
    memcpy(&old_dst, ip + 16, 4);
    new_src = (old_src & ~mask->ipv4_src) | (value->ipv4_src & mask->ipv4_src);
    new_dst = (old_dst & ~mask->ipv4_dst) | (value->ipv4_dst & mask->ipv4_dst);
    ip_csum = csum_update32(csum_update32(ip_csum, old_src, new_src), old_dst, new_dst);
    if (!(key.nw_frag & FLOWKEY_FRAG_LATER)) {
        update_l4_csum32(p, &layout, key.nw_proto, old_src, new_src);
        update_l4_csum32(p, &layout, key.nw_proto, old_dst, new_dst);
    }
    memcpy(ip + 12, &new_src, 4);
    memcpy(ip + 16, &new_dst, 4);

    /* TOS and TTL: update the 16-bit words that hold them. */
    memcpy(&old_word, ip, 2);
    ip[1] = (ip[1] & ~mask->ipv4_tos) | (value->ipv4_tos & mask->ipv4_tos);
    memcpy(&new_word, ip, 2);
    ip_csum = csum_update16(ip_csum, old_word, new_word);
    memcpy(&old_word, ip + 8, 2);
    ip[8] = (ip[8] & ~mask->ipv4_ttl) | (value->ipv4_ttl & mask->ipv4_ttl);
    memcpy(&new_word, ip + 8, 2);
    ip_csum = csum_update16(ip_csum, old_word, new_word);
    memcpy(ip + 10, &ip_csum, 2);
}

static void
set_l4_ports(struct dp_packet *p, uint8_t proto, const uint16_t value[2],
             const uint16_t mask[2])
{
    struct flowkey_layout layout;
    struct flowkey key;
    uint16_t ports[2], csum_field;
    size_t csum_ofs = l4_csum_offset(proto);

    flowkey_extract(p->data, p->size, p->in_port, &key, &layout);
    if (key.nw_proto != proto || layout.l4 == FLOWKEY_OFS_NONE
        || layout.l4 + 4u > p->size || key.nw_frag & FLOWKEY_FRAG_LATER) {
        return;
    }
    memcpy(ports, p->data + layout.l4, 4);
    for (int i = 0; i < 2; i++) {
        uint16_t new_port = (ports[i] & ~mask[i]) | (value[i] & mask[i]);

        /* A partial checksum covers only the pseudo-header so far: the
         * ports are summed later, wherever the checksum is completed. */
        if (csum_ofs && layout.l4 + csum_ofs + 2 <= p->size
            && !(p->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
            memcpy(&csum_field, p->data + layout.l4 + csum_ofs, 2);
            if (proto != IP_PROTO_UDP || csum_field) {
                csum_field = csum_update16(csum_field, ports[i], new_port);
                memcpy(p->data + layout.l4 + csum_ofs, &csum_field, 2);
            }
        }
        ports[i] = new_port;
    }
    memcpy(p->data + layout.l4, ports, 4);
}

/* 'addr' (16 bytes in the packet) becomes 'value' under 'mask'; the L4
 * checksum follows through the pseudo-header, 32 bits at a time. */
static void
set_ipv6_addr(struct dp_packet *p, const struct flowkey_layout *layout, uint8_t proto,
              bool fix_l4, uint8_t *addr, const uint8_t *value, const uint8_t *mask)
{
    for (int i = 0; i < 16; i += 4) {
        uint32_t old, new_, v, m;

        memcpy(&old, addr + i, 4);
        memcpy(&v, value + i, 4);
        memcpy(&m, mask + i, 4);
        new_ = (old & ~m) | (v & m);
        if (fix_l4) {
            update_l4_csum32(p, layout, proto, old, new_);
        }
        memcpy(addr + i, &new_, 4);
    }
}

static void
set_ipv6(struct dp_packet *p, const struct ovs_key_ipv6 *value,
         const struct ovs_key_ipv6 *mask)
{
    struct flowkey_layout layout;
    struct flowkey key;
    uint32_t first, m_label, tclass, m_tclass;
    bool fix_l4;
    uint8_t *ip;

    flowkey_extract(p->data, p->size, p->in_port, &key, &layout);
    if (key.eth_type != ETH_TYPE_IPV6 || layout.l3 == FLOWKEY_OFS_NONE
        || layout.l3 + 40u > p->size) {
        return;
    }
    ip = p->data + layout.l3;
    /* Only the first fragment carries the L4 header. */
    fix_l4 = !(key.nw_frag & FLOWKEY_FRAG_LATER);
    set_ipv6_addr(p, &layout, key.nw_proto, fix_l4, ip + 8,
                  (const uint8_t *) value->ipv6_src, (const uint8_t *) mask->ipv6_src);
    set_ipv6_addr(p, &layout, key.nw_proto, fix_l4, ip + 24,
                  (const uint8_t *) value->ipv6_dst, (const uint8_t *) mask->ipv6_dst);

    /* Version (4 bits), traffic class (8), flow label (20): no IPv6 header
     * checksum, and none of these is in the pseudo-header. */
    memcpy(&first, ip, 4);
    first = ntohl(first);
    m_label = ntohl(mask->ipv6_label) & 0xfffff;
    first = (first & ~m_label) | (ntohl(value->ipv6_label) & m_label);
    m_tclass = mask->ipv6_tclass;
    tclass = ((first >> 20) & 0xff & ~m_tclass) | (value->ipv6_tclass & m_tclass);
    first = (first & ~(0xffu << 20)) | tclass << 20;
    first = htonl(first);
    memcpy(ip, &first, 4);
    ip[7] = (ip[7] & ~mask->ipv6_hlimit) | (value->ipv6_hlimit & mask->ipv6_hlimit);
}

/* ARP for Ethernet and IPv4 (the only kind flowkey parses). */
static void
set_arp(struct dp_packet *p, const struct ovs_key_arp *value, const struct ovs_key_arp *mask)
{
    struct flowkey_layout layout;
    struct flowkey key;
    uint8_t *arp;

    flowkey_extract(p->data, p->size, p->in_port, &key, &layout);
    if (key.eth_type != ETH_TYPE_ARP || layout.l3 == FLOWKEY_OFS_NONE
        || layout.l3 + 28u > p->size) {
        return;
    }
    arp = p->data + layout.l3;
    apply_masked_bytes(arp + 6, (const uint8_t *) &value->arp_op,
                       (const uint8_t *) &mask->arp_op, 2);
    apply_masked_bytes(arp + 8, value->arp_sha, mask->arp_sha, 6);
    apply_masked_bytes(arp + 14, (const uint8_t *) &value->arp_sip,
                       (const uint8_t *) &mask->arp_sip, 4);
    apply_masked_bytes(arp + 18, value->arp_tha, mask->arp_tha, 6);
    apply_masked_bytes(arp + 24, (const uint8_t *) &value->arp_tip,
                       (const uint8_t *) &mask->arp_tip, 4);
}

/* End of the L4 payload: the IP header's own length, not the frame's
 * (which may carry Ethernet padding). */
static size_t
l4_end(const struct dp_packet *p, const struct flowkey *key,
       const struct flowkey_layout *layout)
{
    const uint8_t *ip = p->data + layout->l3;
    size_t end = p->size;
    uint16_t len;

    if (key->eth_type == ETH_TYPE_IP && layout->l3 + 20u <= p->size) {
        memcpy(&len, ip + 2, 2);
        end = layout->l3 + (size_t) ntohs(len);
    } else if (key->eth_type == ETH_TYPE_IPV6 && layout->l3 + 40u <= p->size) {
        memcpy(&len, ip + 4, 2);
        end = layout->l3 + 40 + (size_t) ntohs(len);
    }
    return end < p->size ? end : p->size;
}

static uint32_t
sctp_crc(uint8_t *sctp, size_t size)
{
    uint8_t saved[4];
    uint32_t crc;

    memcpy(saved, sctp + 8, 4);
    memset(sctp + 8, 0, 4);
    crc = crc32c(sctp, size);
    memcpy(sctp + 8, saved, 4);
    return crc;
}

static uint32_t
sctp_stored_crc(const uint8_t *sctp)
{
    return sctp[8] | sctp[9] << 8 | sctp[10] << 16 | (uint32_t) sctp[11] << 24;
}

/* SCTP's CRC32c is not incremental: it is recomputed over the packet, but
 * only if it was right before, so a corrupt packet stays detectably so. */
static void
set_sctp_ports(struct dp_packet *p, const uint16_t value[2], const uint16_t mask[2])
{
    struct flowkey_layout layout;
    struct flowkey key;
    size_t end, size;
    uint8_t *sctp;
    uint16_t ports[2];
    bool crc_ok;
    uint32_t crc;

    flowkey_extract(p->data, p->size, p->in_port, &key, &layout);
    if (key.nw_proto != IP_PROTO_SCTP || layout.l4 == FLOWKEY_OFS_NONE
        || layout.l4 + 12u > p->size || key.nw_frag & FLOWKEY_FRAG_LATER) {
        return;
    }
    end = l4_end(p, &key, &layout);
    if (end < layout.l4 + 12u) {
        return;
    }
    sctp = p->data + layout.l4;
    size = end - layout.l4;
    crc_ok = !(key.nw_frag & FLOWKEY_FRAG_ANY) && sctp_crc(sctp, size) == sctp_stored_crc(sctp);
    memcpy(ports, sctp, 4);
    for (int i = 0; i < 2; i++) {
        ports[i] = (ports[i] & ~mask[i]) | (value[i] & mask[i]);
    }
    memcpy(sctp, ports, 4);
    if (crc_ok) {
        crc = sctp_crc(sctp, size);
        for (int i = 0; i < 4; i++) {
            sctp[8 + i] = crc >> (8 * i);
        }
    }
}

static void
set_masked(struct dp_user *dp, struct dp_packet *p, const struct nlattr *nested)
{
    DP_ACTIONS_FOR_EACH (nla, dp_nla_data(nested), dp_nla_size(nested)) {
        const uint8_t *value = dp_nla_data(nla);
        size_t half = dp_nla_size(nla) / 2;
        const uint8_t *mask = value + half;

        switch (dp_nla_type(nla)) {
        case OVS_KEY_ATTR_ETHERNET:
            if (half == sizeof(struct ovs_key_ethernet) && p->size >= ETH_HEADER_LEN) {
                const struct ovs_key_ethernet *v = (const void *) value;
                const struct ovs_key_ethernet *m = (const void *) mask;

                apply_masked_bytes(p->data, v->eth_dst, m->eth_dst, 6);
                apply_masked_bytes(p->data + 6, v->eth_src, m->eth_src, 6);
            }
            break;
        case OVS_KEY_ATTR_IPV4:
            if (half == sizeof(struct ovs_key_ipv4)) {
                set_ipv4(p, (const void *) value, (const void *) mask);
            }
            break;
        case OVS_KEY_ATTR_IPV6:
            if (half == sizeof(struct ovs_key_ipv6)) {
                set_ipv6(p, (const void *) value, (const void *) mask);
            }
            break;
        case OVS_KEY_ATTR_ARP:
            if (half == sizeof(struct ovs_key_arp)) {
                set_arp(p, (const void *) value, (const void *) mask);
            }
            break;
        case OVS_KEY_ATTR_SCTP:
            if (half == 4) {
                uint16_t v[2], m[2];

                memcpy(v, value, 4);
                memcpy(m, mask, 4);
                set_sctp_ports(p, v, m);
            }
            break;
        case OVS_KEY_ATTR_TCP:
        case OVS_KEY_ATTR_UDP:
            if (half == 4) {
                uint16_t v[2], m[2];

                memcpy(v, value, 4);
                memcpy(m, mask, 4);
                set_l4_ports(p, dp_nla_type(nla) == OVS_KEY_ATTR_TCP ? IP_PROTO_TCP
                                                                     : IP_PROTO_UDP, v, m);
            }
            break;
        default:
            if (log_ratelimit_allow(&dp->warn_rl)) {
                LOG_WARN("set of key attribute %u not supported by the userspace "
                         "datapath; ignored", dp_nla_type(nla));
            }
            break;
        }
    }
}

static void
userspace(struct dp_user *dp, const struct dp_packet *p, const struct nlattr *nested)
{
    if (!dp->up.userspace) {
        return;
    }
    DP_ACTIONS_FOR_EACH (nla, dp_nla_data(nested), dp_nla_size(nested)) {
        if (dp_nla_type(nla) == OVS_USERSPACE_ATTR_USERDATA) {
            dp->up.userspace(dp->up.upcall_aux, p, dp_nla_data(nla), dp_nla_size(nla));
            return;
        }
    }
    dp->up.userspace(dp->up.upcall_aux, p, NULL, 0);
}

/* Room for headers pushed onto a packet that crossed a patch port. */
#define PATCH_HEADROOM 128

/* Hands a copy of 'p' to the patch peer's datapath, which looks it up in
 * its own flow table (its pipeline on a miss) as if it had arrived on the
 * peer port. A copy, because the actions after this output may still
 * change 'p', and outputs queued here point at its bytes. */
static void
output_patch(struct dp_user *dp, const struct dp_packet *p, struct dp_port *port)
{
    struct dp_user *peer = port->peer_dp;
    struct dp_port *peer_port = peer ? dp_user_port(peer, port->peer_port_no) : NULL;
    struct dp_packet copy;
    uint8_t *buf;

    if (!peer_port || peer_port->admin_down) {
        return;
    } else if (peer->patch_depth >= DP_USER_PATCH_MAX_DEPTH) {
        if (log_ratelimit_allow(&dp->warn_rl)) {
            LOG_WARN("%s: port %s: packet dropped: it looped through patch ports "
                     "into %s %d times", dp->up.name, port->name, peer->up.name,
                     DP_USER_PATCH_MAX_DEPTH);
        }
        return;
    }
    buf = xmalloc(PATCH_HEADROOM + p->size);
    copy = *p;
    copy.data = buf + PATCH_HEADROOM;
    copy.headroom = PATCH_HEADROOM;
    copy.in_port = port->peer_port_no;
    memcpy(copy.data, p->data, p->size);
    port->patch_tx_packets++;
    port->patch_tx_bytes += p->size;
    peer_port->patch_rx_packets++;
    peer_port->patch_rx_bytes += p->size;

    peer->patch_depth++;
    dp_user_patch_receive(peer, &copy);
    peer->patch_depth--;
    free(buf);
}

/* set(tunnel(...)): the outer header fields of later tunnel outputs. */
static bool
set_tunnel(const struct nlattr *key_attr, struct tnl_md *md)
{
    memset(md, 0, sizeof *md);
    DP_ACTIONS_FOR_EACH (nla, dp_nla_data(key_attr), dp_nla_size(key_attr)) {
        const uint8_t *data = dp_nla_data(nla);
        size_t size = dp_nla_size(nla);

        switch (dp_nla_type(nla)) {
        case OVS_TUNNEL_KEY_ATTR_ID:
            if (size == 8) {
                uint64_t id;

                memcpy(&id, data, 8);
                md->tun_id = be64toh(id);
                md->flags |= FLOWKEY_TUN_KEY;
            }
            break;
        case OVS_TUNNEL_KEY_ATTR_IPV4_SRC:
            if (size == 4) {
                memcpy(&md->ip_src, data, 4);
            }
            break;
        case OVS_TUNNEL_KEY_ATTR_IPV4_DST:
            if (size == 4) {
                memcpy(&md->ip_dst, data, 4);
            }
            break;
        case OVS_TUNNEL_KEY_ATTR_TOS:
            md->tos = size == 1 ? data[0] : 0;
            break;
        case OVS_TUNNEL_KEY_ATTR_TTL:
            md->ttl = size == 1 ? data[0] : 0;
            break;
        case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT:
            md->flags |= FLOWKEY_TUN_DF;
            break;
        case OVS_TUNNEL_KEY_ATTR_CSUM:
            md->flags |= FLOWKEY_TUN_CSUM;
            break;
        case OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS:
            /* Points into the actions, which outlive the outputs. */
            if (size % 4 == 0 && size <= TNL_GENEVE_MAX_OPTS) {
                md->geneve_opts = size ? data : NULL;
                md->geneve_opts_size = size;
            }
            break;
        default:
            break;
        }
    }
    return true;
}

static void
output(struct dp_user *dp, struct dp_packet *p, uint32_t port_no, const struct tnl_md *md)
{
    struct dp_port *port = dp_user_port(dp, port_no);
    struct netdev *netdev;

    if (port && port->tunnel && !port->admin_down) {
        /* Sent at once from its own header buffer: 'p' is not changed. */
        tunnels_send(dp->tunnels, port->tunnel, p, md);
        return;
    }
    if (!port || port->admin_down) {
        return;
    } else if (port->patch) {
        output_patch(dp, p, port);
        return;
    }
    netdev = port->bond ? bond_choose_tx(port->bond, p) : port->netdev;
    if (!netdev) {
        return;
    }
    if (!netdev_has_queued(netdev)) {
        dp->tx_pending = x2nrealloc(dp->tx_pending, &dp->allocated_tx_pending,
                                    dp->n_tx_pending + 1, sizeof *dp->tx_pending);
        dp->tx_pending[dp->n_tx_pending++] = netdev;
    }
    netdev_send_queued(netdev, p);
}

void
dp_user_flush(struct dp_user *dp)
{
    for (size_t i = 0; i < dp->n_tx_pending; i++) {
        netdev_flush(dp->tx_pending[i]);
    }
    dp->n_tx_pending = 0;
}

/* Outputs already queued point at the packet's bytes: send them before an
 * action rewrites those bytes in place. */
static bool
action_modifies_packet(uint16_t type)
{
    return type == OVS_ACTION_ATTR_PUSH_VLAN || type == OVS_ACTION_ATTR_POP_VLAN
           || type == OVS_ACTION_ATTR_SET_MASKED;
}

void
dp_user_execute(struct dp_user *dp, struct dp_packet *p, const void *actions,
                size_t size)
{
    struct tnl_md tunnel;
    bool has_tunnel = false;

    DP_ACTIONS_FOR_EACH (nla, actions, size) {
        if (dp->n_tx_pending && action_modifies_packet(dp_nla_type(nla))) {
            dp_user_flush(dp);
        }
        switch (dp_nla_type(nla)) {
        case OVS_ACTION_ATTR_OUTPUT:
            if (dp_nla_size(nla) == 4) {
                uint32_t port_no;

                memcpy(&port_no, dp_nla_data(nla), 4);
                output(dp, p, port_no, has_tunnel ? &tunnel : NULL);
            }
            break;
        case OVS_ACTION_ATTR_PUSH_VLAN:
            if (dp_nla_size(nla) == sizeof(struct ovs_action_push_vlan)) {
                push_vlan(p, dp_nla_data(nla));
            }
            break;
        case OVS_ACTION_ATTR_POP_VLAN:
            pop_vlan(p);
            break;
        case OVS_ACTION_ATTR_SET_MASKED:
            set_masked(dp, p, nla);
            break;
        case OVS_ACTION_ATTR_SET:
            if (dp_nla_size(nla) >= NLA_HDRLEN) {
                const struct nlattr *key_attr = dp_nla_data(nla);

                if (key_attr->nla_len >= NLA_HDRLEN
                    && key_attr->nla_len <= dp_nla_size(nla)
                    && dp_nla_type(key_attr) == OVS_KEY_ATTR_TUNNEL) {
                    has_tunnel = set_tunnel(key_attr, &tunnel);
                }
            }
            break;
        case OVS_ACTION_ATTR_USERSPACE:
            userspace(dp, p, nla);
            break;
        default:
            if (log_ratelimit_allow(&dp->warn_rl)) {
                LOG_WARN("datapath action %u not supported by the userspace "
                         "datapath; ignored", dp_nla_type(nla));
            }
            break;
        }
    }
}
