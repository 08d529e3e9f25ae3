/* dp: shared declarations of the datapath tool. main.c holds the command
 * table and decides, per command, whether the userspace datapath (flowd,
 * over its control socket) or the kernel datapath (dpif-netlink) serves
 * it; kernel.c holds the kernel datapath and vport commands, flow.c the
 * kernel flow commands. */
#ifndef SY_DP_H
#define SY_DP_H 1

#include <stdbool.h>
#include <stdio.h>

#include "dpif-netlink.h"

/* Options every kernel command may take, anywhere after the command. */
struct dp_options {
    bool json;                  /* -j, --format=json. */
    bool stats;                 /* -s, --statistics. */
    bool clear;                 /* --clear (mod-flow: zero statistics). */
};

/* A kernel command: 'argc'/'argv' are the words after the command name,
 * options already taken out. Returns the exit status (0, 1, 2). */
typedef int dp_kernel_fn(struct dpif_netlink *, int argc, char *argv[],
                         const struct dp_options *);

/* kernel.c */
dp_kernel_fn dp_kernel_add_dp, dp_kernel_del_dp, dp_kernel_show;
dp_kernel_fn dp_kernel_add_if, dp_kernel_del_if;
/* "system@NAME" -> "NAME"; other names unchanged. */
const char *dp_kernel_name(const char *);
/* Finds datapath 'name' (NULL: the only one there is), printing why not. */
int dp_kernel_find(struct dpif_netlink *, const char *name, struct dpif_netlink_dp *);
/* Exit status for errno 'error' after printing "dp: WHAT: strerror". */
int dp_kernel_fail(const char *what, int error);

/* main.c */
enum dp_route { DP_ROUTE_AUTO, DP_ROUTE_KERNEL, DP_ROUTE_USER };
/* Runs one command, 'argv[0]' its name; 'argv' must be writable and is
 * rearranged. Returns the exit status. */
int dp_dispatch(enum dp_route, int argc, char *argv[]);
/* The name of command 'i' of the table, NULL past the end. */
const char *dp_command_name(size_t i);
void dp_print_commands(FILE *);

/* shell.c: the interactive shell; 'default_dp' may be NULL. */
int dp_shell(enum dp_route, const char *default_dp);

/* flow.c */
dp_kernel_fn dp_kernel_dump_flows, dp_kernel_add_flow, dp_kernel_mod_flow;
dp_kernel_fn dp_kernel_get_flow, dp_kernel_del_flow, dp_kernel_del_flows;

#endif
