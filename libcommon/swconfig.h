/* swconfig: the bridge and port configuration model on top of cfg files.
 *
 *   CONFDIR/bridges/BR/bridge        bridge settings
 *   CONFDIR/bridges/BR/ports/NAME    one file per port
 *   CONFDIR/bridges/BR/mirrors/NAME  one file per mirror (swmirror.h)
 *
 * portd writes these; flowd reads them at start and on "reconfigure". All
 * validation of a setting lives in sw_bridge_set()/sw_port_set(), used for
 * both command-line arguments and file contents, so a value the CLI refuses
 * is refused in a file too (with FILE:LINE), and the other way round.
 *
 * Unknown keys are kept (in 'options') and written back unchanged, so that
 * an older program never drops settings a newer one added. */
#ifndef SY_SWCONFIG_H
#define SY_SWCONFIG_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cfg.h"

#define SW_OFPORT_MAX 65279         /* OFPP_MAX in OpenFlow 1.0. */
#define SW_OFPORT_LOCAL 65534       /* The bridge's own internal port. */
#define SW_VLAN_MAX 4094

enum sw_datapath_type { SW_DP_AUTO, SW_DP_USER, SW_DP_KERNEL };
enum sw_fail_mode { SW_FAIL_STANDALONE, SW_FAIL_SECURE };
enum sw_port_type {
    SW_PORT_SYSTEM, SW_PORT_INTERNAL, SW_PORT_PATCH,
    SW_PORT_VXLAN, SW_PORT_GENEVE, SW_PORT_GRE, SW_PORT_BOND,
};
enum sw_vlan_mode { SW_VLAN_AUTO, SW_VLAN_ACCESS, SW_VLAN_TRUNK,
                    SW_VLAN_NATIVE_TAGGED, SW_VLAN_NATIVE_UNTAGGED };

struct sw_port {
    char *name;                 /* Port (and usually device) name. */
    enum sw_port_type type;
    uint32_t ofport;            /* 1..SW_OFPORT_MAX; 0 until assigned. */
    int tag;                    /* Access VLAN 1..4094, or -1 for none. */
    uint16_t *trunks;           /* Allowed VLANs, sorted, unique; */
    size_t n_trunks;            /* 0 means all VLANs. */
    enum sw_vlan_mode vlan_mode;
    char *peer;                 /* Patch peer port name, or NULL. */
    struct cfg_file options;    /* Every other key=value, kept verbatim. */
};

struct sw_bridge {
    char *name;
    enum sw_datapath_type datapath;
    enum sw_fail_mode fail_mode;
    struct cfg_file options;    /* Every other key=value (controller=...). */
    struct sw_port *ports;      /* Sorted by name. */
    size_t n_ports;
    size_t allocated_ports;
    struct sw_mirror *mirrors;  /* Sorted by name (swmirror.h). */
    size_t n_mirrors;
};

/* Every key a bridge takes (datapath, fail-mode, then the options flowd
 * acts on), NULL-terminated: what "portd add-br" accepts and lists. */
extern const char *const sw_bridge_keys[];

void sw_bridge_init(struct sw_bridge *, const char *name);
void sw_bridge_destroy(struct sw_bridge *);
void sw_port_init(struct sw_port *, const char *name);
void sw_port_destroy(struct sw_port *);

/* Apply one "key=value" to a bridge or port after validating it. Returns 0,
 * or EINVAL with a message in 'error' that names the key, the bad value and
 * what is expected (e.g. "tag=4095: VLAN must be 1..4094"). */
int sw_bridge_set(struct sw_bridge *, const char *key, const char *value, struct buf *error);
int sw_port_set(struct sw_port *, const char *key, const char *value, struct buf *error);
/* Same for a "key=value" word; rejects words without '='. */
int sw_bridge_set_word(struct sw_bridge *, const char *word, struct buf *error);
int sw_port_set_word(struct sw_port *, const char *word, struct buf *error);

/* Checks what no single setting can: combinations within a port (tag and
 * trunks need a native vlan_mode, a patch port needs a peer, valid name),
 * and for a bridge also its name, unique port names and unique ofports.
 * sw_bridge_save() calls sw_bridge_validate() before it writes anything.
 * Returns 0 or EINVAL with a message in 'error'. */
int sw_port_validate(const struct sw_port *, struct buf *error);
int sw_bridge_validate(const struct sw_bridge *, struct buf *error);

/* The entries a bridge's or port's file holds ('out' is initialised here):
 * non-default known keys in a fixed order, then the options. For "show"
 * output and tests as much as for saving. */
void sw_bridge_to_cfg(const struct sw_bridge *, struct cfg_file *out);
void sw_port_to_cfg(const struct sw_port *, struct cfg_file *out);

/* swport-options.c: checks the value of a port option that flowd acts on
 * (admin_state, ingress_policing_rate/burst, egress_shaping_rate/burst,
 * members, bond_mode, lacp, bond_updelay/downdelay); 0 for other keys.
 * Returns 0 or EINVAL with a message in 'error'. */
int sw_port_check_option(const char *key, const char *value, struct buf *error);
/* Splits a bond's "members=a,b,c" into names (always freed with
 * sw_names_free(), also on failure); EINVAL if a name is not valid. */
int sw_split_members(const char *value, char ***names, size_t *n);

/* Parses a bridge's OpenFlow datapath id: 16 hexadecimal digits, optionally
 * after "0x", not all zero. */
bool sw_parse_datapath_id(const char *, uint64_t *dpid);

/* Parses "10,20,30-40" into a sorted, unique array of VLANs in [min, 4094]. */
int sw_parse_vlan_list(const char *, unsigned int min, uint16_t **vlans, size_t *n,
                       struct buf *error);

struct sw_port *sw_bridge_find_port(const struct sw_bridge *, const char *name);
struct sw_port *sw_bridge_find_ofport(const struct sw_bridge *, uint32_t ofport);
/* Adds a port (taking ownership of '*port's contents, which it clears).
 * Returns NULL and takes nothing if 'bridge' already has a port of that
 * name. The pointer returned is valid until the next add or remove. */
struct sw_port *sw_bridge_add_port(struct sw_bridge *, struct sw_port *port);
bool sw_bridge_remove_port(struct sw_bridge *, const char *name);
/* Lowest ofport >= 1 that no port of the bridge uses. */
uint32_t sw_bridge_free_ofport(const struct sw_bridge *);

/* Reads one bridge with all its ports. Returns 0, ENOENT if no such bridge,
 * or EINVAL/errno with "FILE:LINE: ..." messages (one per line) in 'error'.
 * Initialises '*bridge' in every case (empty on failure). */
int sw_bridge_load(const char *confdir, const char *name, struct sw_bridge *,
                   struct buf *error);
/* Reads every bridge. Bridges whose files are bad are left out and each
 * problem appended to 'errors' as a line; the rest load. Returns 0 if all
 * loaded, EINVAL if some were left out. '*bridges' is sorted by name. */
int sw_load_all(const char *confdir, struct sw_bridge **bridges, size_t *n,
                struct buf *errors);
void sw_bridges_free(struct sw_bridge *bridges, size_t n);

/* Writes the bridge file and every port file atomically, and removes port
 * files of ports no longer in 'bridge'. */
int sw_bridge_save(const char *confdir, const struct sw_bridge *, struct buf *error);
int sw_bridge_delete(const char *confdir, const char *name, struct buf *error);
/* Names of the bridges in 'confdir' (sorted); returns 0 or errno. */
int sw_list_bridges(const char *confdir, char ***names, size_t *n, struct buf *error);
void sw_names_free(char **names, size_t n);

const char *sw_datapath_type_to_string(enum sw_datapath_type);
/* What "auto" means on this machine: the kernel datapath when the
 * openvswitch module is loaded (/sys/module/openvswitch), else user. Other
 * types come back unchanged. */
enum sw_datapath_type sw_datapath_resolve(enum sw_datapath_type);
const char *sw_fail_mode_to_string(enum sw_fail_mode);
const char *sw_port_type_to_string(enum sw_port_type);
const char *sw_vlan_mode_to_string(enum sw_vlan_mode);
/* Formats trunks as "10,20,30-40" ("" when all). */
void sw_format_vlan_list(struct buf *, const uint16_t *vlans, size_t n);

#endif
