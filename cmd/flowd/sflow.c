/* sflow: sFlow v5 flow and counter samples. See sflow.h. */
#include "sflow.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "bridge.h"
#include "collectors.h"
#include "log.h"
#include "util.h"

#define IFTYPE_ETHERNET 6

/* Sequence numbers of one data source (a port). */
struct sflow_source {
    uint32_t ifindex;               /* OpenFlow port number. */
    uint32_t flow_sequence;         /* Flow samples sent. */
    uint32_t counter_sequence;      /* Counter samples sent. */
};

struct sflow {
    struct bridge *br;              /* Owner. */
    char *targets;                  /* sflow= as configured. */
    struct collectors *collectors;  /* NULL if none resolved. */
    uint32_t sampling_rate;         /* 1 in N. */
    long long polling_msec;         /* Counter sample interval. */
    long long next_poll;            /* When counters are due. */
    struct sflow_agent agent;
    bool agent_configured;          /* sflow-agent= given. */
    uint64_t rng;                   /* xorshift64* state. */
    uint32_t skip;                  /* Countdown the datapath runs now. */
    bool in_actions;                /* The datapath cannot sample: flows
                                     * carry sample actions instead. */
    uint64_t sample_pool;           /* Packets the sampler has seen. */
    uint32_t datagram_sequence;     /* Datagrams sent. */
    struct sflow_source *sources;
    size_t n_sources;
    long long start_msec;           /* Agent uptime's zero. */
    uint8_t samples[SFLOW_MAX_DATAGRAM]; /* Pending samples. */
    size_t samples_size;
    uint32_t n_samples;
};

/* ---- encoding -------------------------------------------------------------- */

static uint8_t *
put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
    return p + 4;
}

static uint8_t *
put64(uint8_t *p, uint64_t v)
{
    return put32(put32(p, v >> 32), v);
}

/* XDR opaque data: the bytes, zero-padded to a multiple of 4. */
static uint8_t *
put_opaque(uint8_t *p, const void *data, size_t size)
{
    size_t padded = (size + 3) & ~(size_t) 3;

    memcpy(p, data, size);
    memset(p + size, 0, padded - size);
    return p + padded;
}

size_t
sflow_encode_datagram_header(uint8_t *out, const struct sflow_agent *agent,
                             uint32_t sub_agent_id, uint32_t sequence,
                             uint32_t uptime_msec, uint32_t n_samples)
{
    uint8_t *p = out;

    p = put32(p, 5);                /* Version. */
    if (agent->family == AF_INET6) {
        p = put32(p, 2);
        p = put_opaque(p, agent->addr, 16);
    } else {
        p = put32(p, 1);
        p = put_opaque(p, agent->addr, 4);
    }
    p = put32(p, sub_agent_id);
    p = put32(p, sequence);
    p = put32(p, uptime_msec);
    p = put32(p, n_samples);
    return p - out;
}

size_t
sflow_encode_flow_sample(uint8_t *out, const struct sflow_flow_sample *s)
{
    uint32_t header_size = MIN(s->header_size, SFLOW_HEADER_BYTES);
    uint32_t record_size = 16 + ((header_size + 3) & ~3u);
    uint8_t *p = out;

    p = put32(p, 1);                /* flow_sample, enterprise 0. */
    p = put32(p, SFLOW_FLOW_SAMPLE_SIZE(header_size) - 8);
    p = put32(p, s->sequence);
    p = put32(p, s->source_id);
    p = put32(p, s->sampling_rate);
    p = put32(p, s->sample_pool);
    p = put32(p, s->drops);
    p = put32(p, s->input);
    p = put32(p, s->output);
    p = put32(p, 1);                /* One flow record: */
    p = put32(p, 1);                /* raw packet header, */
    p = put32(p, record_size);
    p = put32(p, 1);                /* of Ethernet (ISO 8802-3). */
    p = put32(p, s->frame_length);
    p = put32(p, 0);                /* Stripped: no FCS to strip. */
    p = put32(p, header_size);
    p = put_opaque(p, s->header, header_size);
    return p - out;
}

size_t
sflow_encode_counter_sample(uint8_t *out, uint32_t sequence, uint32_t source_id,
                            const struct sflow_if_counters *c)
{
    uint8_t *p = out;

    p = put32(p, 2);                /* counter_sample, enterprise 0. */
    p = put32(p, SFLOW_COUNTER_SAMPLE_SIZE - 8);
    p = put32(p, sequence);
    p = put32(p, source_id);
    p = put32(p, 1);                /* One counter record: */
    p = put32(p, 1);                /* generic interface counters. */
    p = put32(p, 88);
    p = put32(p, c->if_index);
    p = put32(p, c->if_type);
    p = put64(p, c->if_speed);
    p = put32(p, c->if_direction);
    p = put32(p, c->if_status);
    p = put64(p, c->in_octets);
    p = put32(p, c->in_ucast_pkts);
    p = put32(p, c->in_multicast_pkts);
    p = put32(p, c->in_broadcast_pkts);
    p = put32(p, c->in_discards);
    p = put32(p, c->in_errors);
    p = put32(p, c->in_unknown_protos);
    p = put64(p, c->out_octets);
    p = put32(p, c->out_ucast_pkts);
    p = put32(p, c->out_multicast_pkts);
    p = put32(p, c->out_broadcast_pkts);
    p = put32(p, c->out_discards);
    p = put32(p, c->out_errors);
    p = put32(p, c->promiscuous_mode);
    return p - out;
}

/* The ifIndex of datapath port 'dp_port': its OpenFlow port number, 65534
 * (OpenFlow 1.0's LOCAL) for the bridge's own port. */
static uint32_t
ifindex_of_dp(const struct bridge *br, uint32_t dp_port)
{
    uint32_t ofport = bridge_ofport_of_dp(br, dp_port);

    return ofport == OFPP13_LOCAL ? SW_OFPORT_LOCAL : ofport & 0x3fffffff;
}

uint32_t
sflow_output_of_actions(const struct bridge *br, const void *actions, size_t size)
{
    uint32_t dp_port = 0, n_outputs = 0;

    DP_ACTIONS_FOR_EACH (nla, actions, size) {
        if (dp_nla_type(nla) == OVS_ACTION_ATTR_OUTPUT && dp_nla_size(nla) == 4) {
            memcpy(&dp_port, dp_nla_data(nla), 4);
            n_outputs++;
        }
    }
    if (!n_outputs) {
        return SFLOW_OUTPUT_DISCARDED;
    } else if (n_outputs > 1) {
        return SFLOW_OUTPUT_MULTIPLE | MIN(n_outputs, 0x3fffffffu);
    }
    return ifindex_of_dp(br, dp_port);
}

/* ---- sending -------------------------------------------------------------- */

static void
send_pending(struct sflow *sf)
{
    uint8_t datagram[SFLOW_DATAGRAM_HEADER_SIZE(AF_INET6) + SFLOW_MAX_DATAGRAM];
    size_t size;

    if (!sf->n_samples) {
        return;
    }
    size = sflow_encode_datagram_header(datagram, &sf->agent, 0, ++sf->datagram_sequence,
                                        time_msec() - sf->start_msec, sf->n_samples);
    memcpy(datagram + size, sf->samples, sf->samples_size);
    if (sf->collectors) {
        collectors_send(sf->collectors, datagram, size + sf->samples_size);
    }
    sf->samples_size = 0;
    sf->n_samples = 0;
}

/* Room for a sample of 'size' bytes in the pending datagram. */
static uint8_t *
reserve_sample(struct sflow *sf, size_t size)
{
    uint8_t *p;

    if (sf->samples_size + size > sizeof sf->samples) {
        send_pending(sf);
    }
    p = sf->samples + sf->samples_size;
    sf->samples_size += size;
    sf->n_samples++;
    return p;
}

static struct sflow_source *
get_source(struct sflow *sf, uint32_t ifindex)
{
    for (size_t i = 0; i < sf->n_sources; i++) {
        if (sf->sources[i].ifindex == ifindex) {
            return &sf->sources[i];
        }
    }
    sf->sources = xrealloc(sf->sources, (sf->n_sources + 1) * sizeof *sf->sources);
    memset(&sf->sources[sf->n_sources], 0, sizeof *sf->sources);
    sf->sources[sf->n_sources].ifindex = ifindex;
    return &sf->sources[sf->n_sources++];
}

/* ---- sampling ----------------------------------------------------------- */

static uint64_t
next_random(struct sflow *sf)
{
    sf->rng ^= sf->rng >> 12;
    sf->rng ^= sf->rng << 25;
    sf->rng ^= sf->rng >> 27;
    return sf->rng * 0x2545f4914f6cdd1dULL;
}

/* A skip with mean 'sampling_rate': uniform in 1..2N-1. */
static uint32_t
random_skip(struct sflow *sf)
{
    uint64_t span = 2 * (uint64_t) sf->sampling_rate - 1;

    return MIN(1 + next_random(sf) % span, UINT32_MAX);
}

/* Adds a flow sample of 'p' to the pending datagram; 'pool' packets went
 * by since the last one. */
static void
add_flow_sample(struct sflow *sf, uint32_t input, uint32_t output, const struct dp_packet *p,
                uint32_t pool)
{
    struct sflow_flow_sample s;
    struct sflow_source *source;

    sf->sample_pool += pool;
    source = get_source(sf, input);
    memset(&s, 0, sizeof s);
    s.sequence = ++source->flow_sequence;
    s.source_id = input;
    s.sampling_rate = sf->sampling_rate;
    s.sample_pool = sf->sample_pool;
    s.input = input;
    s.output = output;
    s.frame_length = p->size;
    s.header = p->data;
    s.header_size = MIN(p->size, SFLOW_HEADER_BYTES);
    sflow_encode_flow_sample(reserve_sample(sf, SFLOW_FLOW_SAMPLE_SIZE(s.header_size)), &s);
}

static uint32_t
sample_cb(void *aux, const struct dp_packet *p, const void *actions, size_t size)
{
    struct sflow *sf = aux;

    add_flow_sample(sf, ifindex_of_dp(sf->br, p->in_port),
                    sflow_output_of_actions(sf->br, actions, size), p, sf->skip);
    sf->skip = random_skip(sf);
    return sf->skip;
}

uint32_t
sflow_probability(uint32_t rate)
{
    rate = MAX(rate, 1);
    return ((uint64_t) UINT32_MAX + rate / 2) / rate;
}

void
sflow_xlate(struct bridge *br, const struct flowkey *key, struct dp_upcall_result *r,
            struct buf *trace)
{
    const struct sflow *sf = br->sflow;
    struct sflow_cookie cookie;
    struct dp_actions actions;
    uint32_t probability;
    size_t sample, nested;

    if (!sf || !sf->in_actions) {
        return;
    }
    memset(&cookie, 0, sizeof cookie);
    cookie.type = SFLOW_COOKIE_TYPE;
    cookie.input = ifindex_of_dp(br, key->in_port);
    cookie.output = sflow_output_of_actions(br, r->actions.data + r->mirror_size,
                                            r->actions.size - r->mirror_size);
    probability = sflow_probability(sf->sampling_rate);
    if (trace) {
        buf_printf(trace, "sFlow: a sample action, 1 in %"PRIu32" packets (input %"PRIu32
                   ", output %#"PRIx32")\n", sf->sampling_rate, cookie.input, cookie.output);
    }
    dp_actions_init(&actions);
    sample = dp_actions_start_nested(&actions, OVS_ACTION_ATTR_SAMPLE);
    dp_actions_put(&actions, OVS_SAMPLE_ATTR_PROBABILITY, &probability, sizeof probability);
    nested = dp_actions_start_nested(&actions, OVS_SAMPLE_ATTR_ACTIONS);
    dp_actions_put_userspace(&actions, dpif_upcall_pid(br->dp, key->in_port), &cookie,
                             sizeof cookie);
    dp_actions_end_nested(&actions, nested);
    dp_actions_end_nested(&actions, sample);
    r->mirror_size += actions.size;
    DP_ACTIONS_FOR_EACH (nla, r->actions.data, r->actions.size) {
        dp_actions_put(&actions, nla->nla_type, dp_nla_data(nla), dp_nla_size(nla));
    }
    dp_actions_uninit(&r->actions);
    r->actions = actions;
}

bool
sflow_received(struct sflow *sf, const struct dp_packet *p, const void *userdata,
               size_t size)
{
    struct sflow_cookie cookie;

    if (!sf || size != sizeof cookie) {
        return false;
    }
    memcpy(&cookie, userdata, sizeof cookie);
    if (cookie.type != SFLOW_COOKIE_TYPE) {
        return false;
    }
    /* The kernel says not how many packets went by: N on average. */
    add_flow_sample(sf, cookie.input, cookie.output, p, sf->sampling_rate);
    return true;
}

/* ---- counters ------------------------------------------------------------- */

static void
port_counters(const struct sflow *sf, const struct bridge_port *port,
              struct sflow_if_counters *c)
{
    const struct netdev_stats *stats = NULL;
    struct dpif_port_status status;

    memset(c, 0, sizeof *c);
    c->if_index = ifindex_of_dp(sf->br, port->dp_port);
    c->if_type = IFTYPE_ETHERNET;
    c->if_direction = 1;
    if (dpif_port_status(sf->br->dp, port->dp_port, &status) && status.present) {
        stats = status.has_stats ? &status.stats : NULL;
        c->if_status = 3;
        c->promiscuous_mode = 1;
    }
    c->in_multicast_pkts = c->in_broadcast_pkts = SFLOW_COUNTER_UNKNOWN;
    c->out_multicast_pkts = c->out_broadcast_pkts = SFLOW_COUNTER_UNKNOWN;
    c->in_unknown_protos = SFLOW_COUNTER_UNKNOWN;
    if (stats) {
        c->in_octets = stats->rx_bytes;
        c->in_ucast_pkts = stats->rx_packets;
        c->in_discards = stats->rx_dropped;
        c->out_octets = stats->tx_bytes;
        c->out_ucast_pkts = stats->tx_packets;
        c->out_discards = stats->tx_dropped;
        c->out_errors = stats->tx_errors;
    }
}

/* The first IPv4 address of the bridge's own device, if any. */
static bool
local_port_address(const char *name, struct sflow_agent *agent)
{
    struct ifaddrs *ifas, *ifa;
    bool found = false;

    if (getifaddrs(&ifas)) {
        return false;
    }
    for (ifa = ifas; ifa && !found; ifa = ifa->ifa_next) {
        if (ifa->ifa_addr && ifa->ifa_addr->sa_family == AF_INET
            && !strcmp(ifa->ifa_name, name)) {
            const struct sockaddr_in *sin = (const void *) ifa->ifa_addr;

            agent->family = AF_INET;
            memcpy(agent->addr, &sin->sin_addr, 4);
            found = true;
        }
    }
    freeifaddrs(ifas);
    return found;
}

static void
update_agent(struct sflow *sf)
{
    if (sf->agent_configured || local_port_address(sf->br->name, &sf->agent)) {
        return;
    }
    memset(&sf->agent, 0, sizeof sf->agent);
    sf->agent.family = AF_INET;
    sf->agent.addr[0] = 127;
    sf->agent.addr[3] = 1;
}

static void
poll_counters(struct sflow *sf)
{
    const struct bridge *br = sf->br;

    update_agent(sf);
    for (size_t i = 0; i < br->n_ports; i++) {
        struct sflow_if_counters c;
        struct sflow_source *source;

        port_counters(sf, &br->ports[i], &c);
        source = get_source(sf, c.if_index);
        sflow_encode_counter_sample(reserve_sample(sf, SFLOW_COUNTER_SAMPLE_SIZE),
                                    ++source->counter_sequence, c.if_index, &c);
    }
}

/* ---- life cycle ------------------------------------------------------------ */

/* Resolves the collectors (names may block: only on reconfiguration, never
 * from the periodic work). */
static void
resolve_collectors(struct sflow *sf, struct buf *errors)
{
    char *what = xasprintf("%s: sflow", sf->br->name);

    collectors_destroy(sf->collectors);
    sf->collectors = collectors_create(sf->targets, what, errors);
    free(what);
}

void
sflow_run(struct sflow *sf, long long now)
{
    if (!sf) {
        return;
    }
    if (now >= sf->next_poll) {
        sf->next_poll = MAX(sf->next_poll + sf->polling_msec, now);
        poll_counters(sf);
    }
    send_pending(sf);
}

void
sflow_destroy(struct sflow *sf)
{
    if (!sf) {
        return;
    }
    dpif_set_sampler(sf->br->dp, NULL, NULL, 0);
    send_pending(sf);
    collectors_destroy(sf->collectors);
    free(sf->sources);
    free(sf->targets);
    free(sf);
}

static struct sflow *
sflow_create(struct bridge *br)
{
    struct sflow *sf = xzalloc(sizeof *sf);

    sf->br = br;
    sf->start_msec = time_msec();
    sf->next_poll = sf->start_msec;
    if (getrandom(&sf->rng, sizeof sf->rng, GRND_NONBLOCK) != sizeof sf->rng) {
        sf->rng = (uint64_t) time_wall_msec();
    }
    sf->rng |= 1;                   /* xorshift's state must not be zero. */
    return sf;
}

static unsigned int
option_number(const struct sw_bridge *cfg, const char *key, unsigned int default_)
{
    const char *value = cfg_file_get(&cfg->options, key);
    unsigned int n;

    return value && str_to_uint(value, 1, UINT32_MAX, &n) ? n : default_;
}

void
sflow_bridge_reconfigure(struct bridge *br, const struct sw_bridge *cfg,
                         struct buf *errors)
{
    const char *targets = cfg_file_get(&cfg->options, "sflow");
    const char *agent = cfg_file_get(&cfg->options, "sflow-agent");
    struct sflow *sf = br->sflow;
    uint32_t rate;

    if (!targets) {
        if (sf) {
            bool in_actions = sf->in_actions;

            br->sflow = NULL;
            sflow_destroy(sf);
            if (in_actions) {
                bridge_flush_flows(br);     /* Their sample actions go. */
            }
            LOG_INFO("%s: sFlow off", br->name);
        }
        return;
    }
    if (!sf) {
        sf = br->sflow = sflow_create(br);
    }
    sf->polling_msec = 1000LL * option_number(cfg, "sflow-polling", SFLOW_DEFAULT_POLLING);
    sf->next_poll = MIN(sf->next_poll, time_msec() + sf->polling_msec);
    memset(&sf->agent, 0, sizeof sf->agent);
    sf->agent_configured = false;
    if (agent && inet_pton(AF_INET, agent, sf->agent.addr) == 1) {
        sf->agent.family = AF_INET;
        sf->agent_configured = true;
    } else if (agent && inet_pton(AF_INET6, agent, sf->agent.addr) == 1) {
        sf->agent.family = AF_INET6;
        sf->agent_configured = true;
    }
    update_agent(sf);
    rate = option_number(cfg, "sflow-sampling", SFLOW_DEFAULT_SAMPLING);
    if (rate != sf->sampling_rate) {
        sf->sampling_rate = rate;
        sf->skip = random_skip(sf);
        sf->in_actions = !dpif_set_sampler(br->dp, sample_cb, sf, sf->skip);
        if (sf->in_actions) {
            /* The flows' sample actions carry the probability. */
            bridge_flush_flows(br);
        }
    }
    if (!sf->targets || strcmp(sf->targets, targets) || !sf->collectors) {
        free(sf->targets);
        sf->targets = xstrdup(targets);
        send_pending(sf);
        resolve_collectors(sf, errors);
        LOG_INFO("%s: sFlow to %s, sampling 1 in %u, polling every %llds", br->name,
                 targets, rate, sf->polling_msec / 1000);
    }
}

void
sflow_get_stats(const struct sflow *sflow, struct export_stats *stats)
{
    collectors_get_stats(sflow->collectors, stats);
    stats->records = 0;
    for (size_t i = 0; i < sflow->n_sources; i++) {
        stats->records += sflow->sources[i].flow_sequence + sflow->sources[i].counter_sequence;
    }
}
