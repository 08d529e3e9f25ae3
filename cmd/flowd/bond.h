/* bond: a bond port of the userspace datapath: several member devices
 * that together are one port of the bridge.
 *
 * Modes, as in Open vSwitch:
 *   active-backup  one member (the active one) carries everything; when its
 *                  carrier goes, the next member with carrier takes over.
 *   balance-slb    each source MAC (and VLAN) is hashed onto one member with
 *                  carrier; floods go out of, and are taken in only from,
 *                  the active member, so the switch on the far side cannot
 *                  hand our own broadcasts back to us on another member.
 *   balance-tcp    each L4 connection (addresses, protocol, ports) is
 *                  hashed onto a member; floods as balance-slb.
 * Members are chosen per packet when it is sent, so the datapath's flows
 * just say "output to the bond" and need no extra match fields.
 *
 * Carrier is the kernel's IFF_RUNNING on the member device, read by
 * bond_run() (periodically, and at once when portd reports a link event).
 * The pure parts (hashing, member choice) have unit tests
 * (tests/unit/test-flowd-bond.c). */
#ifndef FLOWD_BOND_H
#define FLOWD_BOND_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dp-packet.h"
#include "flowkey.h"

struct netdev;

enum bond_mode { BOND_ACTIVE_BACKUP, BOND_BALANCE_SLB, BOND_BALANCE_TCP };

struct bond_member {
    char *name;                 /* Device name. */
    struct netdev *netdev;      /* NULL while absent. */
    bool carrier;               /* Device present with carrier. */
    char *error;                /* Why it is not open, or NULL. */
    long long next_retry;       /* When to try opening it again. */
};

struct bond {
    char *name;                 /* The bond port's name, for the log. */
    enum bond_mode mode;
    struct bond_member *members;
    size_t n_members;
    int active;                 /* Index of the active member, -1 if none. */
};

/* Parses "active-backup" etc. ('s' NULL: active-backup). */
bool bond_mode_from_string(const char *s, enum bond_mode *);
const char *bond_mode_to_string(enum bond_mode);

struct bond *bond_create(const char *name, enum bond_mode, char **members, size_t n);
void bond_destroy(struct bond *);

/* Opens absent members, reopens replaced ones, reads carriers and picks
 * the active member. Returns true if anything changed. */
bool bond_run(struct bond *, long long now);
/* Makes the next bond_run() try absent members at once. */
void bond_retry_now(struct bond *);

/* The member to send 'p' on, or NULL if none has carrier. */
struct netdev *bond_choose_tx(const struct bond *, const struct dp_packet *p);
/* Whether a packet received on member 'index' is taken in. */
bool bond_accept_rx(const struct bond *, size_t index, const struct dp_packet *p);

/* Pure parts, for tests. 'up' says which members have carrier. */
int bond_choose_active(const bool *up, size_t n, int current);
int bond_pick_member(const bool *up, size_t n, uint32_t hash);
uint32_t bond_hash_slb(const uint8_t eth_src[6], uint16_t vlan);
uint32_t bond_hash_tcp(const struct flowkey *);

#endif
