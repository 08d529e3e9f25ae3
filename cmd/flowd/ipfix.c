/* ipfix: IPFIX records from datapath flows. See ipfix.h. */
#include "ipfix.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "collectors.h"
#include "log.h"
#include "netflow.h"
#include "packet.h"
#include "util.h"

#define IPFIX_MAX_PENDING 64            /* Records held before sending. */

/* ---- encoding -------------------------------------------------------------- */

/* IANA information elements the templates use. */
enum {
    IE_OCTET_DELTA_COUNT = 1,
    IE_PACKET_DELTA_COUNT = 2,
    IE_PROTOCOL_IDENTIFIER = 4,
    IE_IP_CLASS_OF_SERVICE = 5,
    IE_TCP_CONTROL_BITS = 6,
    IE_SOURCE_TRANSPORT_PORT = 7,
    IE_SOURCE_IPV4_ADDRESS = 8,
    IE_INGRESS_INTERFACE = 10,
    IE_DESTINATION_TRANSPORT_PORT = 11,
    IE_DESTINATION_IPV4_ADDRESS = 12,
    IE_EGRESS_INTERFACE = 14,
    IE_SOURCE_IPV6_ADDRESS = 27,
    IE_DESTINATION_IPV6_ADDRESS = 28,
    IE_ICMP_TYPE_CODE_IPV4 = 32,
    IE_VLAN_ID = 58,
    IE_FLOW_END_REASON = 136,
    IE_ICMP_TYPE_CODE_IPV6 = 139,
    IE_FLOW_START_MILLISECONDS = 152,
    IE_FLOW_END_MILLISECONDS = 153,
};

struct ipfix_field {
    uint16_t id;                    /* Information element. */
    uint16_t size;                  /* Bytes in a record. */
};

#define COMMON_FIELDS                                                          \
    { IE_PROTOCOL_IDENTIFIER, 1 }, { IE_IP_CLASS_OF_SERVICE, 1 },              \
    { IE_SOURCE_TRANSPORT_PORT, 2 }, { IE_DESTINATION_TRANSPORT_PORT, 2 }

#define COUNTER_FIELDS                                                         \
    { IE_TCP_CONTROL_BITS, 2 }, { IE_VLAN_ID, 2 },                             \
    { IE_INGRESS_INTERFACE, 4 }, { IE_EGRESS_INTERFACE, 4 },                   \
    { IE_PACKET_DELTA_COUNT, 8 }, { IE_OCTET_DELTA_COUNT, 8 },                 \
    { IE_FLOW_START_MILLISECONDS, 8 }, { IE_FLOW_END_MILLISECONDS, 8 },        \
    { IE_FLOW_END_REASON, 1 }

static const struct ipfix_field ipv4_fields[] = {
    { IE_SOURCE_IPV4_ADDRESS, 4 }, { IE_DESTINATION_IPV4_ADDRESS, 4 },
    COMMON_FIELDS, { IE_ICMP_TYPE_CODE_IPV4, 2 }, COUNTER_FIELDS,
};

static const struct ipfix_field ipv6_fields[] = {
    { IE_SOURCE_IPV6_ADDRESS, 16 }, { IE_DESTINATION_IPV6_ADDRESS, 16 },
    COMMON_FIELDS, { IE_ICMP_TYPE_CODE_IPV6, 2 }, COUNTER_FIELDS,
};

struct ipfix_template {
    uint16_t id;
    const struct ipfix_field *fields;
    size_t n_fields;
};

static const struct ipfix_template ipfix_templates[] = {
    { IPFIX_TEMPLATE_IPV4, ipv4_fields, ARRAY_SIZE(ipv4_fields) },
    { IPFIX_TEMPLATE_IPV6, ipv6_fields, ARRAY_SIZE(ipv6_fields) },
};

static const struct ipfix_template *
template_of(const struct ipfix_record *r)
{
    return &ipfix_templates[r->ipv6 ? 1 : 0];
}

static size_t
record_size(const struct ipfix_template *t)
{
    size_t size = 0;

    for (size_t i = 0; i < t->n_fields; i++) {
        size += t->fields[i].size;
    }
    return size;
}

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
    p = put16(p, v >> 16);
    return put16(p, v);
}

static uint8_t *
put64(uint8_t *p, uint64_t v)
{
    p = put32(p, v >> 32);
    return put32(p, v);
}

static uint8_t *
put_field(uint8_t *p, const struct ipfix_field *f, const struct ipfix_record *r)
{
    switch (f->id) {
    case IE_SOURCE_IPV4_ADDRESS:
    case IE_SOURCE_IPV6_ADDRESS:
        memcpy(p, r->src, f->size);
        return p + f->size;
    case IE_DESTINATION_IPV4_ADDRESS:
    case IE_DESTINATION_IPV6_ADDRESS:
        memcpy(p, r->dst, f->size);
        return p + f->size;
    case IE_PROTOCOL_IDENTIFIER:
        *p = r->protocol;
        return p + 1;
    case IE_IP_CLASS_OF_SERVICE:
        *p = r->tos;
        return p + 1;
    case IE_SOURCE_TRANSPORT_PORT:
        return put16(p, r->src_port);
    case IE_DESTINATION_TRANSPORT_PORT:
        return put16(p, r->dst_port);
    case IE_ICMP_TYPE_CODE_IPV4:
    case IE_ICMP_TYPE_CODE_IPV6:
        return put16(p, r->icmp_type_code);
    case IE_TCP_CONTROL_BITS:
        return put16(p, r->tcp_flags);
    case IE_VLAN_ID:
        return put16(p, r->vlan);
    case IE_INGRESS_INTERFACE:
        return put32(p, r->ingress);
    case IE_EGRESS_INTERFACE:
        return put32(p, r->egress);
    case IE_PACKET_DELTA_COUNT:
        return put64(p, r->packets);
    case IE_OCTET_DELTA_COUNT:
        return put64(p, r->octets);
    case IE_FLOW_START_MILLISECONDS:
        return put64(p, r->start_msec);
    case IE_FLOW_END_MILLISECONDS:
        return put64(p, r->end_msec);
    case IE_FLOW_END_REASON:
        *p = r->end_reason;
        return p + 1;
    default:
        memset(p, 0, f->size);
        return p + f->size;
    }
}

/* The template set: both templates. */
static uint8_t *
put_template_set(uint8_t *p)
{
    uint8_t *set = p;

    p += 4;
    for (size_t i = 0; i < ARRAY_SIZE(ipfix_templates); i++) {
        const struct ipfix_template *t = &ipfix_templates[i];

        p = put16(p, t->id);
        p = put16(p, t->n_fields);
        for (size_t j = 0; j < t->n_fields; j++) {
            p = put16(p, t->fields[j].id);
            p = put16(p, t->fields[j].size);
        }
    }
    put16(set, IPFIX_SET_TEMPLATE);
    put16(set + 2, p - set);
    return p;
}

size_t
ipfix_encode(const struct ipfix_header *h, bool with_templates,
             const struct ipfix_record *records, size_t n, size_t *n_encoded,
             uint8_t *out)
{
    uint8_t *p = out + IPFIX_HEADER_SIZE, *set = NULL;
    const struct ipfix_template *set_template = NULL;
    uint8_t *end = out + IPFIX_MAX_MESSAGE;
    size_t i;

    if (with_templates) {
        p = put_template_set(p);
    }
    for (i = 0; i < n; i++) {
        const struct ipfix_template *t = template_of(&records[i]);
        size_t size = record_size(t);

        if (t != set_template) {
            if ((size_t) (end - p) < 4 + size) {
                break;
            }
            if (set) {
                put16(set + 2, p - set);
            }
            set = p;
            set_template = t;
            p = put16(p, t->id);
            p += 2;                 /* Length, when the set is complete. */
        } else if ((size_t) (end - p) < size) {
            break;
        }
        for (size_t j = 0; j < t->n_fields; j++) {
            p = put_field(p, &t->fields[j], &records[i]);
        }
    }
    if (set) {
        put16(set + 2, p - set);
    }
    *n_encoded = i;

    put16(out, IPFIX_VERSION);
    put16(out + 2, p - out);
    put32(out + 4, h->export_time);
    put32(out + 8, h->sequence);
    put32(out + 12, h->domain);
    return p - out;
}

bool
ipfix_record_from_key(const struct flowkey *key, struct ipfix_record *r)
{
    bool icmp;

    memset(r, 0, sizeof *r);
    if (key->eth_type == ETH_TYPE_IP) {
        memcpy(r->src, &key->ipv4_src, 4);
        memcpy(r->dst, &key->ipv4_dst, 4);
        icmp = key->nw_proto == IP_PROTO_ICMP;
    } else if (key->eth_type == ETH_TYPE_IPV6) {
        r->ipv6 = true;
        memcpy(r->src, key->ipv6_src, 16);
        memcpy(r->dst, key->ipv6_dst, 16);
        icmp = key->nw_proto == IP_PROTO_ICMPV6;
    } else {
        return false;
    }
    r->protocol = key->nw_proto;
    r->tos = key->nw_tos;
    if (key->vlans[0].tci & FLOWKEY_VLAN_PRESENT) {
        r->vlan = key->vlans[0].tci & FLOWKEY_VLAN_VID_MASK;
    }
    if (key->nw_frag & FLOWKEY_FRAG_LATER) {
        return true;                /* No transport header. */
    }
    if (icmp) {
        r->icmp_type_code = (key->tp_src << 8) | (key->tp_dst & 0xff);
    } else if (key->nw_proto == IP_PROTO_TCP || key->nw_proto == IP_PROTO_UDP
               || key->nw_proto == IP_PROTO_SCTP) {
        r->src_port = key->tp_src;
        r->dst_port = key->tp_dst;
    }
    return true;
}

void
ipfix_mask_wc(const struct flowkey *key, struct flowkey *mask)
{
    mask->in_port = UINT32_MAX;
    if (key->eth_type == ETH_TYPE_IP) {
        mask->ipv4_src = UINT32_MAX;
        mask->ipv4_dst = UINT32_MAX;
    } else if (key->eth_type == ETH_TYPE_IPV6) {
        memset(mask->ipv6_src, 0xff, 16);
        memset(mask->ipv6_dst, 0xff, 16);
    } else {
        return;
    }
    mask->nw_proto = UINT8_MAX;
    mask->nw_tos = UINT8_MAX;
    mask->nw_frag = UINT8_MAX;
    mask->tp_src = UINT16_MAX;
    mask->tp_dst = UINT16_MAX;
    /* The VLAN a record reports. */
    mask->vlans[0].tpid = UINT16_MAX;
    mask->vlans[0].tci |= FLOWKEY_VLAN_PRESENT | FLOWKEY_VLAN_VID_MASK;
}

/* ---- exporting ------------------------------------------------------------- */

struct ipfix {
    struct bridge *br;              /* Owner. */
    char *targets;                  /* ipfix= as configured. */
    struct collectors *collectors;  /* NULL if none resolved. */
    uint32_t domain;                /* Observation domain id. */
    long long active_timeout_msec;  /* Report long flows this often. */
    long long template_interval_msec; /* Resend templates this often. */
    long long next_templates;       /* When templates are due; 0 = now. */
    uint32_t sequence;              /* Data records sent so far. */
    struct ipfix_record *pending;   /* Records not sent yet. */
    size_t n_pending, allocated_pending;
};

/* Wall clock milliseconds of a time_msec() value. */
static uint64_t
wall_msec(long long msec)
{
    long long wall = msec + (time_wall_msec() - time_msec());

    return wall > 0 ? wall : 0;
}

/* Sends the pending records, with the templates first when they are due
 * (then also when no record is pending). */
static void
send_pending(struct ipfix *ipfix, long long now)
{
    size_t done = 0;

    if (!ipfix->collectors) {
        ipfix->n_pending = 0;       /* Nobody to tell; try at the next reconfigure. */
        return;
    }
    do {
        bool templates = !ipfix->next_templates || now >= ipfix->next_templates;
        uint8_t message[IPFIX_MAX_MESSAGE];
        struct ipfix_header h;
        size_t size, n;

        if (!templates && done >= ipfix->n_pending) {
            break;
        }
        h.export_time = time_wall_msec() / 1000;
        h.sequence = ipfix->sequence;
        h.domain = ipfix->domain;
        size = ipfix_encode(&h, templates, ipfix->pending + done, ipfix->n_pending - done,
                            &n, message);
        collectors_send(ipfix->collectors, message, size);
        if (templates) {
            ipfix->next_templates = now + ipfix->template_interval_msec;
        }
        ipfix->sequence += n;
        done += n;
    } while (done < ipfix->n_pending);
    ipfix->n_pending = 0;
}

/* Reports the packets 'flow' carried since its previous record. */
static void
export_flow(struct ipfix *ipfix, struct dpflow *flow, long long now, uint8_t reason)
{
    uint64_t packets = flow->packets - flow->ipfix_packets;
    uint64_t bytes = flow->bytes - flow->ipfix_bytes;
    long long first = flow->ipfix_start ? flow->ipfix_start : flow->created;
    long long last = flow->used > 0 ? MAX(flow->used, first) : first;
    const void *own_actions;
    struct ipfix_record r;
    size_t own_size;

    flow->ipfix_packets = flow->packets;
    flow->ipfix_bytes = flow->bytes;
    flow->ipfix_start = now;
    if (!packets || !ipfix_record_from_key(&flow->key, &r)) {
        return;
    }
    r.ingress = bridge_ofport_of_dp(ipfix->br,
                                    dpif_flow_in_port(ipfix->br->dp, flow->key.in_port));
    own_actions = dpflow_own_actions(flow, &own_size);
    r.egress = netflow_output_iface(ipfix->br, own_actions, own_size);
    r.packets = packets;
    r.octets = netflow_l3_bytes(&flow->key, packets, bytes);
    r.start_msec = wall_msec(first);
    r.end_msec = wall_msec(last);
    r.tcp_flags = flow->key.nw_proto == IP_PROTO_TCP ? flow->tcp_flags : 0;
    r.end_reason = reason;
    ipfix->pending = x2nrealloc(ipfix->pending, &ipfix->allocated_pending,
                                ipfix->n_pending + 1, sizeof *ipfix->pending);
    ipfix->pending[ipfix->n_pending++] = r;
    if (ipfix->n_pending >= IPFIX_MAX_PENDING) {
        send_pending(ipfix, now);
    }
}

void
ipfix_flow_removed(struct ipfix *ipfix, struct dpflow *flow)
{
    if (ipfix) {
        long long now = time_msec();
        long long used = flow->used ? flow->used : flow->created;
        bool idle = now - used >= ipfix->br->idle_msec;

        export_flow(ipfix, flow, now, idle ? IPFIX_END_IDLE : IPFIX_END_FORCED);
    }
}

/* Reports every flow of the bridge's datapath, or those whose record has
 * been open for an active timeout. */
static void
export_flows(struct ipfix *ipfix, long long now, bool all)
{
    struct dpflow_table *flows = &ipfix->br->dp->flows;

    for (size_t i = 0; i < flows->n_subtables; i++) {
        struct dpflow *flow;

        HMAP_FOR_EACH (flow, node, &flows->subtables[i]->flows) {
            long long start = flow->ipfix_start ? flow->ipfix_start : flow->created;

            if (all) {
                export_flow(ipfix, flow, now, IPFIX_END_FORCED);
            } else if (now - start >= ipfix->active_timeout_msec) {
                export_flow(ipfix, flow, now, IPFIX_END_ACTIVE);
            }
        }
    }
}

void
ipfix_run(struct ipfix *ipfix, long long now)
{
    if (ipfix) {
        export_flows(ipfix, now, false);
        send_pending(ipfix, now);
    }
}

void
ipfix_destroy(struct ipfix *ipfix)
{
    if (ipfix) {
        long long now = time_msec();

        export_flows(ipfix, now, true);
        send_pending(ipfix, now);
        collectors_destroy(ipfix->collectors);
        free(ipfix->pending);
        free(ipfix->targets);
        free(ipfix);
    }
}

void
ipfix_get_stats(const struct ipfix *ipfix, struct export_stats *stats)
{
    collectors_get_stats(ipfix->collectors, stats);
    stats->records = ipfix->sequence;
}

static unsigned int
option_number(const struct sw_bridge *cfg, const char *key, unsigned int min,
              unsigned int max, unsigned int default_)
{
    const char *value = cfg_file_get(&cfg->options, key);
    unsigned int n;

    return value && str_to_uint(value, min, max, &n) ? n : default_;
}

void
ipfix_bridge_reconfigure(struct bridge *br, const struct sw_bridge *cfg, struct buf *errors)
{
    const char *targets = cfg_file_get(&cfg->options, "ipfix");
    struct ipfix *ipfix = br->ipfix;
    uint32_t domain;

    if (!targets) {
        if (ipfix) {
            br->ipfix = NULL;
            ipfix_destroy(ipfix);
            bridge_flush_flows(br);
            LOG_INFO("%s: IPFIX off", br->name);
        }
        return;
    }
    if (!ipfix) {
        /* Flows installed so far may cover several 5-tuples each. */
        bridge_flush_flows(br);
        ipfix = br->ipfix = xzalloc(sizeof *ipfix);
        ipfix->br = br;
    }
    ipfix->active_timeout_msec = 1000LL * option_number(cfg, "ipfix-active-timeout", 1, 3600,
                                                        IPFIX_DEFAULT_ACTIVE_TIMEOUT);
    ipfix->template_interval_msec
        = 1000LL * option_number(cfg, "ipfix-template-interval", 1, 3600,
                                 IPFIX_DEFAULT_TEMPLATE_INTERVAL);
    domain = option_number(cfg, "ipfix-obs-domain-id", 0, UINT32_MAX, 0);
    if (domain != ipfix->domain) {
        /* A new observation domain starts its own sequence. */
        send_pending(ipfix, time_msec());
        ipfix->domain = domain;
        ipfix->sequence = 0;
        ipfix->next_templates = 0;
    }
    if (!ipfix->targets || strcmp(ipfix->targets, targets) || !ipfix->collectors) {
        char *what = xasprintf("%s: ipfix", br->name);

        send_pending(ipfix, time_msec());
        free(ipfix->targets);
        ipfix->targets = xstrdup(targets);
        collectors_destroy(ipfix->collectors);
        ipfix->collectors = collectors_create(targets, what, errors);
        ipfix->next_templates = 0;  /* New collectors need the templates. */
        free(what);
        LOG_INFO("%s: IPFIX to %s, observation domain %"PRIu32", active timeout %llds",
                 br->name, targets, domain, ipfix->active_timeout_msec / 1000);
    }
}
