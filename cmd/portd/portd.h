/* portd: shared declarations of the port/config daemon and its client.
 *
 * Every command is a ctl handler. The daemon serves them on portd.ctl; when
 * no daemon answers, main.c calls the very same handlers in-process on the
 * configuration files. So a command behaves the same either way, and a
 * struct ctl_reply carries its output and error in both. */
#ifndef PORTD_H
#define PORTD_H 1

#include <stdbool.h>
#include <stddef.h>

#include "ctl.h"
#include "swconfig.h"

/* Timeout for portd's calls to flowd.ctl. */
#define PORTD_CALL_TIMEOUT_MS 10000
/* Default timeout of a client's call to portd.ctl: longer than the daemon
 * may itself wait (for the store's lock, then for flowd), so that a slow
 * success is not reported as a failure. */
#define PORTD_CLIENT_TIMEOUT_MS 30000

/* Where a command finds the configuration and the sockets; the 'aux' of
 * every handler. */
struct portd_env {
    const char *confdir;        /* Configuration store (SY_CONFDIR). */
    const char *rundir;         /* Sockets and pid files (SY_RUNDIR). */
};

/* main.c: the command table, shared by the daemon and the offline path. */
extern const struct ctl_command portd_commands[];
extern const size_t portd_n_commands;

/* store.c: serialized access to the configuration store. */
struct portd_lock {
    int fd;                     /* Open CONFDIR/.lock holding flock(), or -1. */
};
int portd_lock(const struct portd_env *, bool exclusive, struct portd_lock *,
               struct ctl_reply *);
void portd_unlock(struct portd_lock *);
bool portd_check_name(struct ctl_reply *, const char *what, const char *name);
bool portd_bridge_exists(const struct portd_env *, const char *name);
int portd_load_bridge(const struct portd_env *, const char *name, struct sw_bridge *,
                      struct ctl_reply *);
int portd_save_bridge(const struct portd_env *, const struct sw_bridge *,
                      struct ctl_reply *);
int portd_find_port_owner(const struct portd_env *, const char *port, const char *skip,
                          char **owner, struct ctl_reply *);
void portd_notify_flowd(const struct portd_env *, struct ctl_reply *);
enum sw_datapath_type portd_resolve_datapath(enum sw_datapath_type);
bool portd_split_word(const char *word, char **key, const char **value);
bool portd_check_keys(struct ctl_reply *, const char *what, int n, char *words[],
                      const char *const known[]);
bool portd_check_values(struct ctl_reply *, int n, char *words[]);
/* A tunnel port's settings, that it does not lead to this host itself, and
 * that no other tunnel port receives the same packets (tunnel-check.c);
 * true for other ports. */
bool portd_check_tunnel(const struct portd_env *, const struct sw_bridge *,
                        const struct sw_port *, struct ctl_reply *);

/* bridge.c */
ctl_handler_func bridge_add_cmd, bridge_del_cmd, bridge_list_cmd, bridge_set_cmd;
/* port.c */
ctl_handler_func port_add_cmd, port_del_cmd, port_list_cmd, port_set_cmd,
                 port_add_bond_cmd;
/* mirror.c */
struct json_writer;
ctl_handler_func mirror_add_cmd, mirror_del_cmd;
/* The bridge's mirrors in "show", with flowd's counters when it runs. */
void mirror_show_text(struct ctl_reply *, const struct portd_env *, const struct sw_bridge *);
void mirror_show_json(struct json_writer *, const struct portd_env *,
                      const struct sw_bridge *);
/* export.c: the flow exports' counters in "show", when flowd runs. */
void export_show_text(struct ctl_reply *, const struct portd_env *, const struct sw_bridge *);
void export_show_json(struct json_writer *, const struct portd_env *,
                      const struct sw_bridge *);
/* show.c */
ctl_handler_func show_cmd;
/* linkwatch.c: rtnetlink link events of the devices of ports. */
enum linkwatch_state { LINKWATCH_UNKNOWN, LINKWATCH_GONE, LINKWATCH_NO_CARRIER, LINKWATCH_UP };
struct linkwatch {
    int fd;                     /* NETLINK_ROUTE socket (RTMGRP_LINK), or -1. */
    struct linkwatch_device {
        char name[16];          /* Device name (IF_NAMESIZE). */
        enum linkwatch_state state; /* As last logged. */
    } *devices;                 /* Devices of ports seen in events. */
    size_t n_devices, allocated_devices;
};
/* Opens the socket ('lw->fd' stays -1 on failure, logged); 'lw' must be
 * zeroed with fd -1 first. */
void linkwatch_open(struct linkwatch *);
void linkwatch_close(struct linkwatch *);
/* Handles the events waiting on 'lw->fd'. */
void linkwatch_run(struct linkwatch *, const struct portd_env *);
/* daemon.c: "portd run"; returns the exit status. */
int daemon_run(const struct portd_env *, int argc, char *argv[]);

#endif
