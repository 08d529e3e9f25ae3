/* swmirror: port mirrors (SPAN and RSPAN) in the configuration model.
 *
 *   CONFDIR/bridges/BR/mirrors/NAME   select-src=P,.. select-dst=P,..
 *                                     select-all=true select-vlan=V,..
 *                                     output-port=P | output-vlan=VID
 *
 * A mirror selects packets by the port they arrive on (select-src), a port
 * they leave by (select-dst), every port (select-all) and/or their VLAN
 * (select-vlan: alone it selects every packet of those VLANs, with other
 * selections it narrows them). It copies them to one port (output-port,
 * SPAN) or, tagged with a VLAN, to every port that carries that VLAN
 * (output-vlan, RSPAN). Ports are named, not numbered: a port that does
 * not exist (any more) is simply not selected; portd refuses unknown
 * names when a mirror is added.
 *
 * swconfig.c loads and saves a bridge's mirrors with its ports, through
 * sw_mirrors_load() and sw_mirrors_save(). */
#ifndef SY_SWMIRROR_H
#define SY_SWMIRROR_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cfg.h"

struct sw_bridge;

#define SW_MIRROR_NAME_MAX 32

struct sw_mirror {
    char *name;
    char **select_src;          /* Port names, sorted, unique. */
    size_t n_select_src;
    char **select_dst;          /* Port names, sorted, unique. */
    size_t n_select_dst;
    bool select_all;            /* Every packet of every port. */
    uint16_t *select_vlan;      /* VLANs, sorted, unique; none = any. */
    size_t n_select_vlan;
    char *output_port;          /* SPAN destination port, or NULL. */
    int output_vlan;            /* RSPAN VLAN 1..4094, or -1. */
    struct cfg_file options;    /* Every other key=value, kept verbatim. */
};

void sw_mirror_init(struct sw_mirror *, const char *name);
void sw_mirror_destroy(struct sw_mirror *);
void sw_mirror_clone(struct sw_mirror *dst, const struct sw_mirror *src);

/* True if 'name' can name a mirror (and its file): 1..32 of [A-Za-z0-9_.-],
 * not starting with '.'. */
bool sw_mirror_valid_name(const char *name);

/* Applies one "key=value" (or word) after validating it; returns 0 or
 * EINVAL with "KEY=VALUE: what is expected" in 'error'. */
int sw_mirror_set(struct sw_mirror *, const char *key, const char *value,
                  struct buf *error);
int sw_mirror_set_word(struct sw_mirror *, const char *word, struct buf *error);

/* Checks what no single setting can: exactly one output, at least one
 * selection, and an output port that is not also selected. Returns 0 or
 * EINVAL with a message; '*key' names the setting to blame. */
int sw_mirror_validate(const struct sw_mirror *, const char **key, struct buf *error);

/* The entries of the mirror's file, in a fixed order. */
void sw_mirror_to_cfg(const struct sw_mirror *, struct cfg_file *out);

/* Whether 'mirror' names 'port' in select-src, select-dst or output-port. */
bool sw_mirror_selects_src(const struct sw_mirror *, const char *port);
bool sw_mirror_selects_dst(const struct sw_mirror *, const char *port);

/* A bridge's mirrors (sorted by name). */
struct sw_mirror *sw_bridge_find_mirror(const struct sw_bridge *, const char *name);
/* Adds a mirror, taking over '*mirror's contents (which it clears); NULL if
 * one of that name exists already (nothing taken then). */
struct sw_mirror *sw_bridge_add_mirror(struct sw_bridge *, struct sw_mirror *mirror);
bool sw_bridge_remove_mirror(struct sw_bridge *, const char *name);
void sw_bridge_clear_mirrors(struct sw_bridge *);

/* Loads BRIDGE_DIR/mirrors/ into 'br' (problems as "PATH:LINE: ..." lines
 * appended to 'errors'); saves 'br''s mirrors there, removing the files of
 * mirrors it no longer has. Return 0 or an errno. */
int sw_mirrors_load(const char *bridge_dir, struct sw_bridge *br, struct buf *errors);
int sw_mirrors_save(const char *bridge_dir, const struct sw_bridge *br, struct buf *error);
int sw_mirrors_validate(const struct sw_bridge *br, struct buf *error);

#endif
