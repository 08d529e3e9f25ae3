/* netflow: NetFlow v5 records from datapath flows. See netflow.h. */
#include "netflow.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "collectors.h"
#include "log.h"
#include "packet.h"
#include "util.h"


struct netflow {
    struct bridge *br;              /* Owner. */
    char *targets;                  /* netflow= as configured. */
    struct collectors *collectors;  /* NULL if none resolved. */
    long long active_timeout_msec;  /* Report long flows this often. */
    uint8_t engine_type;
    uint8_t engine_id;
    uint32_t flow_sequence;         /* Records sent so far. */
    struct netflow_v5_record records[NETFLOW_V5_MAX_RECORDS]; /* Pending. */
    size_t n_records;
};

/* The sysuptime clock's zero, shared by every bridge. */
static long long boot_msec;

/* ---- encoding -------------------------------------------------------------- */

static uint8_t *
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
    return p + 2;
}

static uint8_t *
put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
    return p + 4;
}

/* An address already in network byte order. */
static uint8_t *
put_be32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
    return p + 4;
}

size_t
netflow_v5_encode(const struct netflow_v5_header *h, const struct netflow_v5_record *records,
                  size_t n, uint8_t *out)
{
    uint8_t *p = out;

    n = MIN(n, NETFLOW_V5_MAX_RECORDS);
    p = put16(p, 5);                /* Version. */
    p = put16(p, n);
    p = put32(p, h->sys_uptime);
    p = put32(p, h->unix_secs);
    p = put32(p, h->unix_nsecs);
    p = put32(p, h->flow_sequence);
    *p++ = h->engine_type;
    *p++ = h->engine_id;
    p = put16(p, 0);                /* Sampling interval: every packet. */
    for (size_t i = 0; i < n; i++) {
        const struct netflow_v5_record *r = &records[i];

        p = put_be32(p, r->src_addr);
        p = put_be32(p, r->dst_addr);
        p = put32(p, 0);            /* Next hop: a switch has none. */
        p = put16(p, r->input);
        p = put16(p, r->output);
        p = put32(p, r->packets);
        p = put32(p, r->bytes);
        p = put32(p, r->first);
        p = put32(p, r->last);
        p = put16(p, r->src_port);
        p = put16(p, r->dst_port);
        *p++ = 0;                   /* Pad. */
        *p++ = r->tcp_flags;
        *p++ = r->protocol;
        *p++ = r->tos;
        p = put16(p, 0);            /* Source AS. */
        p = put16(p, 0);            /* Destination AS. */
        *p++ = 0;                   /* Source prefix length. */
        *p++ = 0;                   /* Destination prefix length. */
        p = put16(p, 0);            /* Pad. */
    }
    return p - out;
}

bool
netflow_v5_record_from_key(const struct flowkey *key, struct netflow_v5_record *r)
{
    memset(r, 0, sizeof *r);
    if (key->eth_type != ETH_TYPE_IP) {
        return false;
    }
    r->src_addr = key->ipv4_src;
    r->dst_addr = key->ipv4_dst;
    r->protocol = key->nw_proto;
    r->tos = key->nw_tos;
    if (key->nw_frag & FLOWKEY_FRAG_LATER) {
        return true;                /* No transport header. */
    }
    if (key->nw_proto == IP_PROTO_ICMP) {
        r->dst_port = (key->tp_src << 8) | (key->tp_dst & 0xff);
    } else {
        r->src_port = key->tp_src;
        r->dst_port = key->tp_dst;
    }
    if (key->nw_proto == IP_PROTO_TCP) {
        r->tcp_flags = key->tcp_flags;
    }
    return true;
}

uint64_t
netflow_l3_bytes(const struct flowkey *key, uint64_t packets, uint64_t frame_bytes)
{
    uint64_t l2 = ETH_HEADER_LEN;

    for (int i = 0; i < FLOWKEY_MAX_VLANS; i++) {
        if (key->vlans[i].tci & FLOWKEY_VLAN_PRESENT) {
            l2 += VLAN_HEADER_LEN;
        }
    }
    l2 *= packets;
    return frame_bytes > l2 ? frame_bytes - l2 : 0;
}

void
netflow_mask_wc(const struct flowkey *key, struct flowkey *mask)
{
    mask->in_port = UINT32_MAX;
    if (key->eth_type != ETH_TYPE_IP) {
        return;
    }
    mask->ipv4_src = UINT32_MAX;
    mask->ipv4_dst = UINT32_MAX;
    mask->nw_proto = UINT8_MAX;
    mask->nw_tos = UINT8_MAX;
    mask->nw_frag = UINT8_MAX;
    mask->tp_src = UINT16_MAX;
    mask->tp_dst = UINT16_MAX;
}

uint16_t
netflow_output_iface(const struct bridge *br, const void *actions, size_t size)
{
    uint32_t dp_port = 0;
    size_t n_outputs = 0;

    DP_ACTIONS_FOR_EACH (nla, actions, size) {
        if (dp_nla_type(nla) == OVS_ACTION_ATTR_OUTPUT && dp_nla_size(nla) == 4) {
            memcpy(&dp_port, dp_nla_data(nla), 4);
            n_outputs++;
        }
    }
    if (!n_outputs) {
        return NETFLOW_IFACE_NONE;
    } else if (n_outputs > 1) {
        return NETFLOW_IFACE_MULTIPLE;
    }
    return bridge_ofport_of_dp(br, dp_port);
}

/* ---- exporting ---------------------------------------------------------- */

static uint32_t
uptime(long long msec)
{
    return msec > boot_msec ? (uint32_t) (msec - boot_msec) : 0;
}

static void
send_pending(struct netflow *nf)
{
    struct netflow_v5_header h;
    uint8_t datagram[NETFLOW_V5_MAX_SIZE];
    struct timespec ts;
    size_t size;

    if (!nf->n_records) {
        return;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    memset(&h, 0, sizeof h);
    h.sys_uptime = uptime(time_msec());
    h.unix_secs = ts.tv_sec;
    h.unix_nsecs = ts.tv_nsec;
    h.flow_sequence = nf->flow_sequence;
    h.engine_type = nf->engine_type;
    h.engine_id = nf->engine_id;
    size = netflow_v5_encode(&h, nf->records, nf->n_records, datagram);
    if (nf->collectors) {
        collectors_send(nf->collectors, datagram, size);
    }
    nf->flow_sequence += nf->n_records;
    nf->n_records = 0;
}

/* Reports the packets 'flow' carried since its previous record. */
static void
export_flow(struct netflow *nf, struct dpflow *flow, long long now)
{
    uint64_t packets = flow->packets - flow->nf_packets;
    uint64_t bytes = flow->bytes - flow->nf_bytes;
    long long first = flow->nf_start ? flow->nf_start : flow->created;
    long long last = flow->used > 0 ? flow->used : first;
    struct netflow_v5_record *r;
    const void *own_actions;
    size_t own_size;

    flow->nf_packets = flow->packets;
    flow->nf_bytes = flow->bytes;
    flow->nf_start = now;
    if (!packets || flow->key.eth_type != ETH_TYPE_IP) {
        return;
    }
    r = &nf->records[nf->n_records];
    netflow_v5_record_from_key(&flow->key, r);
    r->input = bridge_ofport_of_dp(nf->br, dpif_flow_in_port(nf->br->dp, flow->key.in_port));
    own_actions = dpflow_own_actions(flow, &own_size);
    r->output = netflow_output_iface(nf->br, own_actions, own_size);
    r->packets = MIN(packets, UINT32_MAX);
    r->bytes = MIN(netflow_l3_bytes(&flow->key, packets, bytes), UINT32_MAX);
    r->first = uptime(first);
    r->last = uptime(MAX(first, last));
    if (flow->key.nw_proto == IP_PROTO_TCP) {
        r->tcp_flags = flow->tcp_flags;
    }
    if (++nf->n_records == NETFLOW_V5_MAX_RECORDS) {
        send_pending(nf);
    }
}

void
netflow_flow_removed(struct netflow *nf, struct dpflow *flow)
{
    if (nf) {
        export_flow(nf, flow, time_msec());
    }
}

/* Calls export_flow() for each flow of the bridge's datapath, or for those
 * whose record has been open for an active timeout. */
static void
export_flows(struct netflow *nf, long long now, bool all)
{
    struct dpflow_table *flows = &nf->br->dp->flows;

    for (size_t i = 0; i < flows->n_subtables; i++) {
        struct dpflow *flow;

        HMAP_FOR_EACH (flow, node, &flows->subtables[i]->flows) {
            long long start = flow->nf_start ? flow->nf_start : flow->created;

            if (all || now - start >= nf->active_timeout_msec) {
                export_flow(nf, flow, now);
            }
        }
    }
}

/* Resolves the collectors (names may block: only on reconfiguration, never
 * from the periodic work). */
static void
resolve_collectors(struct netflow *nf, struct buf *errors)
{
    char *what = xasprintf("%s: netflow", nf->br->name);

    collectors_destroy(nf->collectors);
    nf->collectors = collectors_create(nf->targets, what, errors);
    free(what);
}

void
netflow_run(struct netflow *nf, long long now)
{
    if (!nf) {
        return;
    }
    export_flows(nf, now, false);
    send_pending(nf);
}

static struct netflow *
netflow_create(struct bridge *br)
{
    struct netflow *nf = xzalloc(sizeof *nf);

    if (!boot_msec) {
        boot_msec = time_msec() - 1;
    }
    nf->br = br;
    return nf;
}

void
netflow_destroy(struct netflow *nf)
{
    if (!nf) {
        return;
    }
    export_flows(nf, time_msec(), true);
    send_pending(nf);
    collectors_destroy(nf->collectors);
    free(nf->targets);
    free(nf);
}

static unsigned int
option_number(const struct sw_bridge *cfg, const char *key, unsigned int max,
              unsigned int default_)
{
    const char *value = cfg_file_get(&cfg->options, key);
    unsigned int n;

    return value && str_to_uint(value, 0, max, &n) ? n : default_;
}

void
netflow_bridge_reconfigure(struct bridge *br, const struct sw_bridge *cfg,
                           struct buf *errors)
{
    const char *targets = cfg_file_get(&cfg->options, "netflow");
    struct netflow *nf = br->netflow;

    if (!targets) {
        if (nf) {
            br->netflow = NULL;
            netflow_destroy(nf);
            bridge_flush_flows(br);
            LOG_INFO("%s: NetFlow off", br->name);
        }
        return;
    }
    if (!nf) {
        /* Flows installed so far may cover several 5-tuples each. */
        bridge_flush_flows(br);
        nf = br->netflow = netflow_create(br);
    }
    nf->active_timeout_msec = 1000LL * option_number(cfg, "netflow-active-timeout", 3600,
                                                     NETFLOW_DEFAULT_ACTIVE_TIMEOUT);
    nf->engine_type = option_number(cfg, "netflow-engine-type", 255, 0);
    nf->engine_id = option_number(cfg, "netflow-engine-id", 255, 0);
    if (!nf->targets || strcmp(nf->targets, targets) || !nf->collectors) {
        free(nf->targets);
        nf->targets = xstrdup(targets);
        send_pending(nf);
        resolve_collectors(nf, errors);
        LOG_INFO("%s: NetFlow to %s, active timeout %llds", br->name, targets,
                 nf->active_timeout_msec / 1000);
    }
}

void
netflow_get_stats(const struct netflow *nf, struct export_stats *stats)
{
    collectors_get_stats(nf->collectors, stats);
    stats->records = nf->flow_sequence;
}
