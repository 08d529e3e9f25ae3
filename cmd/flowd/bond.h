/* bond: a bond port: several member devices that together are one port
 * of the bridge, on either datapath.
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
 * On the userspace datapath members are chosen per packet when it is
 * sent, so its flows just say "output to the bond" and need no extra match
 * fields. On the kernel datapath (dp-kernel.c) each member is a vport and
 * the choice is made in translation, per flow, with bond_choose_member():
 * the fields the hash reads go into the flow's mask instead.
 *
 * Carrier is the kernel's IFF_RUNNING on the member device, read by
 * bond_run() (periodically, and at once when portd reports a link event).
 * A bond of the userspace datapath opens its members' AF_PACKET sockets
 * itself; one of the kernel datapath is given bond_ops instead, which say
 * whether a member's vport is attached and send its LACPDUs.
 *
 * With lacp=active or passive the bond speaks LACP (802.1AX) on each
 * member: it asks the far side for LACPDUs every second (short timeout),
 * takes a member into use only once the far side reports it in sync and
 * collecting, and drops it when three seconds pass without an LACPDU.
 * All members share one system id and key, so the far side puts them in
 * one aggregator. Slow-protocol frames are always consumed by the bond,
 * never forwarded.
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
#include "lacp.h"

struct netdev;

/* How a bond whose members belong to someone else (the kernel datapath's
 * vports) reaches them. */
struct bond_ops {
    /* Whether member 'index' is attached (its device exists). */
    bool (*member_present)(void *aux, size_t index);
    /* Sends 'packet' (an LACPDU) on member 'index'; 0 or an errno. */
    int (*send)(void *aux, size_t index, const struct dp_packet *packet);
    /* Why member 'index' is not attached, or NULL. */
    const char *(*member_error)(void *aux, size_t index);
};

enum bond_mode { BOND_ACTIVE_BACKUP, BOND_BALANCE_SLB, BOND_BALANCE_TCP };

struct bond_member {
    char *name;                 /* Device name. */
    struct netdev *netdev;      /* NULL while absent, or with bond_ops. */
    bool present;               /* Its device is there (opened, or with
                                 * bond_ops: its vport attached). */
    bool carrier;               /* Device present with carrier (for as
                                 * long as bond_updelay/downdelay ask). */
    bool link;                  /* The device's own carrier, undelayed. */
    long long link_changed;     /* When 'link' last changed. */
    bool enabled;               /* Carries traffic: carrier, and with LACP
                                 * the partner collecting in sync. */
    /* LACP. */
    struct lacp_info partner;   /* What the far side last said of itself. */
    bool partner_current;       /* An LACPDU came within the timeout. */
    long long partner_expires;  /* When the partner info goes stale. */
    long long next_tx;          /* When the next LACPDU is due. */
    uint8_t sent_state;         /* Actor state of the last LACPDU sent. */
    uint64_t lacp_rx, lacp_tx, lacp_rx_errors;
    char *error;                /* Why it is not open, or NULL. */
    long long next_retry;       /* When to try opening it again. */
};

struct bond {
    char *name;                 /* The bond port's name, for the log. */
    enum bond_mode mode;
    struct bond_member *members;
    size_t n_members;
    int active;                 /* Index of the active member, -1 if none. */
    unsigned int updelay_msec;  /* bond_updelay: carrier up this long... */
    unsigned int downdelay_msec; /* bond_downdelay: ...or down, to count. */
    bool lacp;                  /* Speaks LACP (lacp=active|passive). */
    bool lacp_active;           /* Sends LACPDUs before hearing any. */
    uint8_t lacp_sys_id[6];     /* Our system id (a local MAC). */
    uint16_t lacp_key;          /* Our key, the same on every member. */
    const struct bond_ops *ops; /* NULL: members are our own netdevs. */
    void *ops_aux;              /* For 'ops'. */
    char *state_path;           /* Where the active member's name is kept
                                 * across restarts, or NULL. */
};

/* Parses "active-backup" etc. ('s' NULL: active-backup). */
bool bond_mode_from_string(const char *s, enum bond_mode *);
const char *bond_mode_to_string(enum bond_mode);

struct bond *bond_create(const char *name, enum bond_mode, char **members, size_t n);
void bond_destroy(struct bond *);

/* Makes 'ops' reach the members instead of netdevs of the bond's own
 * (before the first bond_run()). */
void bond_set_ops(struct bond *, const struct bond_ops *ops, void *aux);

/* Why member 'index' is absent (its device could not be opened or added
 * to the datapath), or NULL. */
const char *bond_member_error(const struct bond *, size_t index);

/* Keeps the active member's name in 'path' from now on, and takes the
 * member named there (by a previous flowd) as the active one for as long
 * as it has carrier: a restart does not move traffic back to the first
 * member, which the far side (an active-backup bond, which takes nothing
 * in on its backups either) would not follow. Call before the first
 * bond_run(). */
void bond_set_state_path(struct bond *, const char *path);
/* The same with flowd's file for bond 'bond' of bridge 'bridge':
 * RUNDIR/BRIDGE.BOND.bond-active. */
void bond_keep_active_in_rundir(struct bond *, const char *bridge);
/* Removes that file of bond 'bond' of bridge 'bridge': for a bond that
 * is deleted, not for one that only goes with flowd. */
void bond_forget_active_in_rundir(const char *bridge, const char *bond);

/* bond_updelay and bond_downdelay, in milliseconds (0: at once). */
void bond_set_delays(struct bond *, unsigned int updelay_msec, unsigned int downdelay_msec);
/* Turns LACP on ('mode' "active" or "passive") or off (NULL or "off");
 * 'key' is the bond's port number, unique on the bridge. */
void bond_set_lacp(struct bond *, const char *mode, uint16_t key);
/* Handles a slow-protocol frame received on member 'index'. Returns true
 * if that changed the members in use or the active one. */
bool bond_lacp_receive(struct bond *, size_t index, const struct dp_packet *, long long now);
/* Our actor information for member 'index', as we send it. */
void bond_lacp_actor(const struct bond *, size_t index, struct lacp_info *);

/* Opens absent members, reopens replaced ones, reads carriers and picks
 * the active member. Returns true if anything changed (a carrier, the
 * members in use, the active one). */
bool bond_run(struct bond *, long long now);
/* Makes the next bond_run() try absent members at once. */
void bond_retry_now(struct bond *);

/* The member to send 'p' on, or NULL if none has carrier. */
struct netdev *bond_choose_tx(const struct bond *, const struct dp_packet *p);
/* Whether a packet received on member 'index' is taken in. */
bool bond_accept_rx(const struct bond *, size_t index, const struct dp_packet *p);

/* The same two choices for the kernel datapath's translation, on a flow
 * key: the index of the member a packet of 'key' goes out on (-1 if none
 * may carry it), and whether member 'index' takes in a packet of 'key'.
 * Each ORs into 'mask' (if nonnull) the fields its answer depended on, so
 * that a megaflow holds only packets that get the same answer. */
int bond_choose_member(const struct bond *, const struct flowkey *key, struct flowkey *mask);
bool bond_member_accepts(const struct bond *, size_t index, const struct flowkey *key,
                         struct flowkey *mask);

/* Pure parts, for tests. 'up' says which members have carrier. */
int bond_choose_active(const bool *up, size_t n, int current);
int bond_pick_member(const bool *up, size_t n, uint32_t hash);
uint32_t bond_hash_slb(const uint8_t eth_src[6], uint16_t vlan);
uint32_t bond_hash_tcp(const struct flowkey *);

#endif
