/* bond: see bond.h. */
#include "bond.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cfg.h"
#include "hash.h"
#include "log.h"
#include "netdev.h"
#include "packet.h"
#include "util.h"

#define BOND_RETRY_MSEC 1000
#define LACP_FAST_MSEC 1000         /* Periodic LACPDUs, short timeout. */
#define LACP_SLOW_MSEC 30000        /* Periodic LACPDUs, long timeout. */
#define LACP_SHORT_TIMEOUT_MSEC 3000 /* We ask for fast LACPDUs: 3 missed. */
#define LACP_PRIORITY 65534         /* System and port priority. */

static const char *const bond_mode_names[] = {
    [BOND_ACTIVE_BACKUP] = "active-backup",
    [BOND_BALANCE_SLB] = "balance-slb",
    [BOND_BALANCE_TCP] = "balance-tcp",
};

bool
bond_mode_from_string(const char *s, enum bond_mode *mode)
{
    for (size_t i = 0; i < ARRAY_SIZE(bond_mode_names); i++) {
        if (!s || !strcmp(s, bond_mode_names[i])) {
            *mode = s ? (enum bond_mode) i : BOND_ACTIVE_BACKUP;
            return true;
        }
    }
    return false;
}

const char *
bond_mode_to_string(enum bond_mode mode)
{
    return mode < ARRAY_SIZE(bond_mode_names) ? bond_mode_names[mode] : "?";
}

struct bond *
bond_create(const char *name, enum bond_mode mode, char **members, size_t n)
{
    struct bond *bond = xzalloc(sizeof *bond);

    bond->name = xstrdup(name);
    bond->mode = mode;
    bond->members = xcalloc(n ? n : 1, sizeof *bond->members);
    bond->n_members = n;
    bond->active = -1;
    for (size_t i = 0; i < n; i++) {
        bond->members[i].name = xstrdup(members[i]);
    }
    return bond;
}

void
bond_destroy(struct bond *bond)
{
    if (!bond) {
        return;
    }
    for (size_t i = 0; i < bond->n_members; i++) {
        netdev_close(bond->members[i].netdev);
        free(bond->members[i].name);
        free(bond->members[i].error);
    }
    free(bond->members);
    free(bond->name);
    free(bond->state_path);
    free(bond);
}

/* ---- pure logic ------------------------------------------------------------ */

/* Keeps the current active member while it is up (no flapping back when a
 * former one returns); otherwise the first member that is up. */
int
bond_choose_active(const bool *up, size_t n, int current)
{
    if (current >= 0 && (size_t) current < n && up[current]) {
        return current;
    }
    for (size_t i = 0; i < n; i++) {
        if (up[i]) {
            return i;
        }
    }
    return -1;
}

/* The 'hash % k'th of the k members that are up, -1 if none. Stateless:
 * when a member goes down or comes back, flows may move between the
 * others too (Open vSwitch keeps a rebalanced hash table instead; not
 * needed for correctness). */
int
bond_pick_member(const bool *up, size_t n, uint32_t hash)
{
    size_t n_up = 0, target;

    for (size_t i = 0; i < n; i++) {
        n_up += up[i];
    }
    if (!n_up) {
        return -1;
    }
    target = hash % n_up;
    for (size_t i = 0; i < n; i++) {
        if (up[i] && target-- == 0) {
            return i;
        }
    }
    return -1;
}

uint32_t
bond_hash_slb(const uint8_t eth_src[6], uint16_t vlan)
{
    uint32_t hash = hash_bytes(eth_src, 6, 0);

    return hash_finish(hash_add(hash, vlan), 10);
}

/* Symmetric in the two directions of a connection is not needed (each
 * side picks its own link), but stable per connection is. */
uint32_t
bond_hash_tcp(const struct flowkey *key)
{
    uint32_t hash = 0;

    if (key->eth_type == ETH_TYPE_IP) {
        hash = hash_add(hash, key->ipv4_src);
        hash = hash_add(hash, key->ipv4_dst);
    } else if (key->eth_type == ETH_TYPE_IPV6) {
        hash = hash_add(hash, hash_bytes(key->ipv6_src, 16, 0));
        hash = hash_add(hash, hash_bytes(key->ipv6_dst, 16, 0));
    } else {
        return bond_hash_slb(key->eth_src, key->vlans[0].tci & 0xfff);
    }
    hash = hash_add(hash, key->nw_proto);
    hash = hash_add(hash, ((uint32_t) key->tp_src << 16) | key->tp_dst);
    return hash_finish(hash, 13);
}

/* ---- members ----------------------------------------------------------------- */

/* IFF_RUNNING of device 'name': present, up, with carrier. */
static bool
device_has_carrier(const char *name)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    bool running = false;

    if (fd >= 0) {
        memset(&ifr, 0, sizeof ifr);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
        running = !ioctl(fd, SIOCGIFFLAGS, &ifr) && (ifr.ifr_flags & IFF_RUNNING)
                  && (ifr.ifr_flags & IFF_UP);
        close(fd);
    }
    return running;
}

/* Opens, reopens (device replaced) or closes member 'm'; reads its
 * carrier. Returns true if its carrier changed. */
/* Sets 'm->carrier' from the device's 'link', which must hold for
 * bond_updelay (up) or bond_downdelay (down) first, as in Open vSwitch: a
 * link that flaps, or a peer that needs a moment after its link comes up,
 * does not make the bond move traffic back and forth. A member whose
 * device is gone is down at once. */
static void
bond_member_debounce(const struct bond *bond, struct bond_member *m, bool link,
                     long long now)
{
    long long delay = link ? bond->updelay_msec : bond->downdelay_msec;

    if (link != m->link) {
        m->link = link;
        m->link_changed = now;
    }
    if (link == m->carrier) {
        return;
    } else if (!m->present || now - m->link_changed >= delay) {
        m->carrier = link;
    }
}

static bool
bond_member_run(const struct bond *bond, size_t index, long long now)
{
    struct bond_member *m = &bond->members[index];
    bool was_up = m->carrier;

    if (bond->ops) {
        bool present = bond->ops->member_present(bond->ops_aux, index);

        if (m->present && !present) {
            LOG_INFO("bond %s: member %s: device went away", bond->name, m->name);
        }
        m->present = present;
    } else if (m->netdev && (int) if_nametoindex(m->name) != netdev_ifindex(m->netdev)) {
        LOG_INFO("bond %s: member %s: device went away", bond->name, m->name);
        netdev_close(m->netdev);
        m->netdev = NULL;
        m->next_retry = now;
    }
    if (!bond->ops && !m->netdev && now >= m->next_retry) {
        struct buf error = BUF_INITIALIZER;

        free(m->error);
        m->error = NULL;
        if (netdev_open(m->name, NETDEV_AFPACKET, &m->netdev, &error)) {
            m->error = buf_steal_cstr(&error);
            m->next_retry = now + BOND_RETRY_MSEC;
        }
        buf_uninit(&error);
    }
    if (!bond->ops) {
        m->present = m->netdev != NULL;
    }
    bond_member_debounce(bond, m, m->present && device_has_carrier(m->name), now);
    if (m->carrier != was_up) {
        LOG_INFO("bond %s: member %s: carrier %s%s", bond->name, m->name,
                 m->carrier ? "up" : "down",
                 m->carrier && bond->updelay_msec ? " (after bond_updelay)"
                 : !m->carrier && bond->downdelay_msec && m->present
                 ? " (after bond_downdelay)" : "");
    }
    return m->carrier != was_up;
}

/* ---- LACP ------------------------------------------------------------------ */

const char *
bond_member_error(const struct bond *bond, size_t index)
{
    return (bond->ops ? bond->ops->member_error(bond->ops_aux, index)
            : bond->members[index].error);
}

void
bond_set_state_path(struct bond *bond, const char *path)
{
    char name[IF_NAMESIZE + 2];
    FILE *file;

    free(bond->state_path);
    bond->state_path = xstrdup(path);
    file = fopen(path, "re");
    if (file && fgets(name, sizeof name, file)) {
        name[strcspn(name, "\n")] = '\0';
        for (size_t i = 0; i < bond->n_members; i++) {
            if (!strcmp(bond->members[i].name, name)) {
                LOG_INFO("bond %s: member %s was active before: it stays so while up",
                         bond->name, name);
                bond->active = i;   /* bond_run() keeps it if it is up. */
            }
        }
    }
    if (file) {
        fclose(file);
    }
}

static char *
bond_state_path_in_rundir(const char *bridge, const char *bond)
{
    return xasprintf("%s/%s.%s.bond-active", sy_rundir(), bridge, bond);
}

void
bond_keep_active_in_rundir(struct bond *bond, const char *bridge)
{
    char *path = bond_state_path_in_rundir(bridge, bond->name);

    bond_set_state_path(bond, path);
    free(path);
}

void
bond_forget_active_in_rundir(const char *bridge, const char *bond)
{
    char *path = bond_state_path_in_rundir(bridge, bond);

    if (unlink(path) && errno != ENOENT) {
        LOG_WARN("bond %s: cannot remove %s: %s", bond, path, strerror(errno));
    }
    free(path);
}

/* Makes member 'active' (-1: none) the active one, and keeps its name. */
static void
bond_set_active(struct bond *bond, int active)
{
    bond->active = active;
    if (bond->state_path && active >= 0) {
        struct buf error = BUF_INITIALIZER;
        char *line = xasprintf("%s\n", bond->members[active].name);

        if (cfg_write_atomic(bond->state_path, line, strlen(line), &error)) {
            LOG_WARN("bond %s: %s", bond->name, buf_cstr(&error));
        }
        free(line);
        buf_uninit(&error);
    }
}

void
bond_set_ops(struct bond *bond, const struct bond_ops *ops, void *aux)
{
    bond->ops = ops;
    bond->ops_aux = aux;
}

void
bond_set_delays(struct bond *bond, unsigned int updelay_msec, unsigned int downdelay_msec)
{
    bond->updelay_msec = updelay_msec;
    bond->downdelay_msec = downdelay_msec;
}

void
bond_set_lacp(struct bond *bond, const char *mode, uint16_t key)
{
    uint32_t hash = hash_string(bond->name, 0x1acb);

    bond->lacp = mode && strcmp(mode, "off");
    bond->lacp_active = bond->lacp && !strcmp(mode, "active");
    bond->lacp_key = key;
    /* A locally administered unicast MAC derived from the bond's name: the
     * same across restarts, so the far side keeps its aggregator. */
    bond->lacp_sys_id[0] = 0x02;
    bond->lacp_sys_id[1] = 0x5c;
    memcpy(bond->lacp_sys_id + 2, &hash, 4);
}

/* Whether member 'm' may aggregate with us: we heard its partner lately,
 * and that partner is the same system and key as the other members'
 * (links to two different switches never share an aggregator). */
static bool
lacp_member_attached(const struct bond *bond, const struct bond_member *m)
{
    if (!m->carrier || !m->partner_current || !(m->partner.state & LACP_STATE_AGGREGATION)) {
        return false;
    }
    for (size_t i = 0; i < bond->n_members; i++) {
        const struct bond_member *first = &bond->members[i];

        if (first->carrier && first->partner_current) {
            return first == m || (!memcmp(first->partner.sys_id, m->partner.sys_id, 6)
                                  && first->partner.key == m->partner.key);
        }
    }
    return false;
}

void
bond_lacp_actor(const struct bond *bond, size_t index, struct lacp_info *actor)
{
    const struct bond_member *m = &bond->members[index];

    memset(actor, 0, sizeof *actor);
    actor->sys_priority = LACP_PRIORITY;
    memcpy(actor->sys_id, bond->lacp_sys_id, 6);
    actor->key = bond->lacp_key;
    actor->port_priority = LACP_PRIORITY;
    actor->port = index + 1;
    actor->state = LACP_STATE_TIMEOUT | LACP_STATE_AGGREGATION;
    if (bond->lacp_active) {
        actor->state |= LACP_STATE_ACTIVITY;
    }
    if (lacp_member_attached(bond, m)) {
        actor->state |= LACP_STATE_SYNC | LACP_STATE_COLLECTING | LACP_STATE_DISTRIBUTING;
    } else if (!m->partner_current) {
        actor->state |= LACP_STATE_DEFAULTED;
    }
}

static void
lacp_send(struct bond *bond, size_t index, long long now)
{
    struct bond_member *m = &bond->members[index];
    uint8_t frame[LACP_FRAME_SIZE];
    struct dp_packet packet;
    struct lacp_pdu pdu;

    memset(&pdu, 0, sizeof pdu);
    bond_lacp_actor(bond, index, &pdu.actor);
    if (m->partner_current) {
        pdu.partner = m->partner;
    }
    lacp_pdu_encode(&pdu, bond->lacp_sys_id, frame);
    memset(&packet, 0, sizeof packet);
    packet.data = frame;
    packet.size = sizeof frame;
    if (!(bond->ops ? bond->ops->send(bond->ops_aux, index, &packet)
                    : netdev_send(m->netdev, &packet))) {
        m->lacp_tx++;
    }
    m->sent_state = pdu.actor.state;
    /* The partner's TIMEOUT bit says how often it wants to hear from us. */
    m->next_tx = now + (m->partner_current && !(m->partner.state & LACP_STATE_TIMEOUT)
                        ? LACP_SLOW_MSEC : LACP_FAST_MSEC);
}

/* 802.1AX: with both ends passive nobody transmits (the Periodic machine
 * rests in NO_PERIODIC, which silences the Transmit machine too), so two
 * passive ends never form an aggregator. A passive end answers an active
 * partner only. */
static bool
lacp_may_send(const struct bond *bond, const struct bond_member *m)
{
    return bond->lacp_active
           || (m->partner_current && (m->partner.state & LACP_STATE_ACTIVITY));
}

/* Member states from LACP, and the LACPDUs that are due: periodic ones,
 * and one at once whenever what we would say changed. */
static void
bond_lacp_run(struct bond *bond, long long now)
{
    for (size_t i = 0; i < bond->n_members; i++) {
        struct bond_member *m = &bond->members[i];
        struct lacp_info actor;
        bool enabled;

        if (!bond->lacp) {
            m->enabled = m->carrier;
            continue;
        }
        if (m->partner_current && (now >= m->partner_expires || !m->carrier)) {
            LOG_INFO("bond %s: member %s: LACP partner %s", bond->name, m->name,
                     m->carrier ? "timed out" : "lost with carrier");
            m->partner_current = false;
        }
        enabled = lacp_member_attached(bond, m)
                  && (m->partner.state & LACP_STATE_SYNC)
                  && (m->partner.state & LACP_STATE_COLLECTING);
        if (enabled != m->enabled) {
            LOG_INFO("bond %s: member %s: %s", bond->name, m->name,
                     enabled ? "in use (LACP partner in sync and collecting)"
                             : "out of use (LACP)");
            m->enabled = enabled;
        }
        bond_lacp_actor(bond, i, &actor);
        if (m->present && m->carrier && lacp_may_send(bond, m)
            && (now >= m->next_tx || actor.state != m->sent_state)) {
            lacp_send(bond, i, now);
        }
    }
}

/* Bit i: member i is in use. */
static uint64_t
enabled_members(const struct bond *bond)
{
    uint64_t bits = 0;

    for (size_t i = 0; i < bond->n_members && i < 64; i++) {
        bits |= (uint64_t) bond->members[i].enabled << i;
    }
    return bits;
}

bool
bond_lacp_receive(struct bond *bond, size_t index, const struct dp_packet *p, long long now)
{
    struct bond_member *m = &bond->members[index];
    uint64_t was_enabled = enabled_members(bond);
    int was_active = bond->active;
    struct lacp_pdu pdu;
    bool was_current = m->partner_current;

    if (!bond->lacp || lacp_pdu_decode(p->data, p->size, &pdu)) {
        m->lacp_rx_errors += bond->lacp;    /* Marker PDUs etc. count too. */
        return false;
    }
    m->lacp_rx++;
    m->partner = pdu.actor;
    m->partner_current = true;
    m->partner_expires = now + LACP_SHORT_TIMEOUT_MSEC;
    if (!was_current) {
        LOG_INFO("bond %s: member %s: LACP partner %02x:%02x:%02x:%02x:%02x:%02x "
                 "key %u port %u", bond->name, m->name, pdu.actor.sys_id[0],
                 pdu.actor.sys_id[1], pdu.actor.sys_id[2], pdu.actor.sys_id[3],
                 pdu.actor.sys_id[4], pdu.actor.sys_id[5], pdu.actor.key, pdu.actor.port);
    }
    /* Answer at once if that changes what we say, and re-pick members. */
    bond_lacp_run(bond, now);
    if (bond->active < 0 || !bond->members[bond->active].enabled) {
        bool up[bond->n_members];

        for (size_t i = 0; i < bond->n_members; i++) {
            up[i] = bond->members[i].enabled;
        }
        bond_set_active(bond, bond_choose_active(up, bond->n_members, bond->active));
    }
    return bond->active != was_active || enabled_members(bond) != was_enabled;
}

void
bond_retry_now(struct bond *bond)
{
    for (size_t i = 0; i < bond->n_members; i++) {
        bond->members[i].next_retry = 0;
    }
}

bool
bond_run(struct bond *bond, long long now)
{
    bool up[bond->n_members ? bond->n_members : 1];
    uint64_t was_enabled = enabled_members(bond);
    bool changed = false;
    int active;

    for (size_t i = 0; i < bond->n_members; i++) {
        changed |= bond_member_run(bond, i, now);
    }
    bond_lacp_run(bond, now);
    changed |= enabled_members(bond) != was_enabled;
    for (size_t i = 0; i < bond->n_members; i++) {
        up[i] = bond->members[i].enabled;
    }
    active = bond_choose_active(up, bond->n_members, bond->active);
    if (active != bond->active) {
        if (active >= 0) {
            LOG_INFO("bond %s: active member is now %s", bond->name,
                     bond->members[active].name);
        } else {
            LOG_WARN("bond %s: no member has carrier", bond->name);
        }
        bond_set_active(bond, active);
        changed = true;
    }
    return changed;
}

static bool
is_multicast(const struct dp_packet *p)
{
    return p->size >= ETH_HEADER_LEN && (p->data[0] & 1);
}

/* The fields bond_hash_slb() and bond_hash_tcp() read for 'key', into
 * 'mask'. */
static void
mask_add_hash_fields(enum bond_mode mode, const struct flowkey *key, struct flowkey *mask)
{
    if (mode == BOND_BALANCE_TCP && key->eth_type == ETH_TYPE_IP) {
        mask->ipv4_src = mask->ipv4_dst = UINT32_MAX;
    } else if (mode == BOND_BALANCE_TCP && key->eth_type == ETH_TYPE_IPV6) {
        memset(mask->ipv6_src, 0xff, sizeof mask->ipv6_src);
        memset(mask->ipv6_dst, 0xff, sizeof mask->ipv6_dst);
    } else {
        memset(mask->eth_src, 0xff, sizeof mask->eth_src);
        mask->vlans[0].tci |= FLOWKEY_VLAN_VID_MASK;
        return;
    }
    mask->nw_proto = UINT8_MAX;
    mask->tp_src = mask->tp_dst = UINT16_MAX;
}

int
bond_choose_member(const struct bond *bond, const struct flowkey *key, struct flowkey *mask)
{
    bool up[bond->n_members ? bond->n_members : 1];
    uint32_t hash;

    if (bond->active < 0 || bond->mode == BOND_ACTIVE_BACKUP) {
        return bond->active;
    }
    if (mask) {
        mask->eth_dst[0] |= 0x01;
    }
    if (key->eth_dst[0] & 0x01) {
        return bond->active;        /* Floods: the active member only. */
    }
    for (size_t i = 0; i < bond->n_members; i++) {
        up[i] = bond->members[i].enabled;
    }
    if (mask) {
        mask_add_hash_fields(bond->mode, key, mask);
    }
    hash = bond->mode == BOND_BALANCE_TCP ? bond_hash_tcp(key)
                                          : bond_hash_slb(key->eth_src,
                                                          key->vlans[0].tci & 0xfff);
    return bond_pick_member(up, bond->n_members, hash);
}

struct netdev *
bond_choose_tx(const struct bond *bond, const struct dp_packet *p)
{
    struct flowkey key;
    int member;

    if (bond->active < 0) {
        return NULL;
    } else if (bond->mode == BOND_ACTIVE_BACKUP || is_multicast(p) || p->size < ETH_HEADER_LEN) {
        return bond->members[bond->active].netdev;
    }
    flowkey_extract(p->data, p->size, 0, &key, NULL);
    member = bond_choose_member(bond, &key, NULL);
    return member >= 0 ? bond->members[member].netdev : NULL;
}

/* With LACP, every member in use takes everything in: the partner knows
 * the links are one aggregate (it hashes its floods onto any of them) and
 * never hands our own floods back, as Open vSwitch assumes too. Without,
 * a backup takes nothing in, and a balancing bond takes unicast on every
 * member but floods only on the active one. */
static bool
member_accepts(const struct bond *bond, size_t index, bool multicast)
{
    if (bond->lacp) {
        return bond->members[index].enabled;
    } else if ((int) index == bond->active) {
        return true;
    }
    return bond->mode != BOND_ACTIVE_BACKUP && bond->members[index].enabled && !multicast;
}

bool
bond_accept_rx(const struct bond *bond, size_t index, const struct dp_packet *p)
{
    return member_accepts(bond, index, is_multicast(p));
}

bool
bond_member_accepts(const struct bond *bond, size_t index, const struct flowkey *key,
                    struct flowkey *mask)
{
    if (mask && !bond->lacp && bond->mode != BOND_ACTIVE_BACKUP) {
        mask->eth_dst[0] |= 0x01;
    }
    return member_accepts(bond, index, key->eth_dst[0] & 0x01);
}
