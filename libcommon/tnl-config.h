/* tnl-config: the settings of a tunnel port (type=vxlan|geneve|gre), parsed
 * and checked from the port's key=value options.
 *
 * swconfig keeps a tunnel port's settings verbatim in its options; this
 * module is the one place that knows what they mean, so portd (which
 * refuses bad ones before writing), swconfig (which refuses them in a
 * file) and flowd (which builds and matches outer headers from them) agree.
 *
 *   remote_ip=IPv4|flow   peer address; "flow" takes it from tun_dst
 *   local_ip=IPv4         outer source; default: the route's source
 *   key=N|flow            VNI (VXLAN, Geneve: 0..16777215) or GRE key
 *                         (0..4294967295); "flow": set per packet (tun_id)
 *   in_key=, out_key=     the same for one direction only
 *   dst_port=N            UDP port (VXLAN 4789, Geneve 6081); not for GRE
 *   tos=N|inherit         outer TOS (default 0); inherit copies the inner
 *   ttl=N|inherit         outer TTL 1..255 (default 64)
 *   csum=true|false       outer UDP checksum, GRE checksum (default false)
 *   df_default=true|false don't-fragment bit on the outer header (default
 *                         true) */
#ifndef SY_TNL_CONFIG_H
#define SY_TNL_CONFIG_H 1

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "swconfig.h"

#define TNL_VXLAN_PORT 4789
#define TNL_GENEVE_PORT 6081
#define TNL_VNI_MAX 0xffffff
#define TNL_DEFAULT_TTL 64

/* One direction's key. */
struct tnl_key {
    bool flow;                  /* Set per packet from tun_id. */
    bool present;               /* GRE: a key field is sent/expected. */
    uint32_t value;             /* VNI or GRE key, when !flow. */
};

struct tnl_config {
    enum sw_port_type type;     /* SW_PORT_VXLAN, _GENEVE or _GRE. */
    bool remote_flow;           /* remote_ip=flow: from tun_dst. */
    uint32_t remote_ip;         /* Network order; 0 with remote_flow. */
    uint32_t local_ip;          /* Network order; 0: the route's source. */
    struct tnl_key in_key;      /* Expected on received packets. */
    struct tnl_key out_key;     /* Sent. */
    uint16_t dst_port;          /* UDP destination port; 0 for GRE. */
    bool tos_inherit;           /* Outer TOS from the inner IP header. */
    uint8_t tos;
    bool ttl_inherit;           /* Outer TTL from the inner IP header. */
    uint8_t ttl;
    bool csum;                  /* Outer checksum. */
    bool df;                    /* Don't fragment. */
};

static inline bool
tnl_port_type_is_tunnel(enum sw_port_type type)
{
    return type == SW_PORT_VXLAN || type == SW_PORT_GENEVE || type == SW_PORT_GRE;
}

/* Parses the tunnel settings of 'port' (a tunnel port). Returns 0, or
 * EINVAL with a message naming the key, the value and what is expected. */
int tnl_config_from_port(const struct sw_port *port, struct tnl_config *,
                         struct buf *error);

/* True if packets received with the same outer addresses and key could
 * belong to either of 'a' and 'b' (which the receive side could not tell
 * apart). */
bool tnl_config_overlaps(const struct tnl_config *a, const struct tnl_config *b);

/* True if 'ip' (IPv4, network order) is an address of this host (in the
 * network namespace it runs in). */
bool tnl_address_is_local(uint32_t ip);

/* Appends "vxlan remote_ip=... key=..." style text for people. */
void tnl_config_format(const struct tnl_config *, struct buf *);

#endif
