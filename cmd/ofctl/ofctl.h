/* ofctl: shared state and helpers of the OpenFlow client's command files
 * (main.c holds options and the command table; flows.c, show.c and
 * packet.c hold the commands). */
#ifndef SY_OFCTL_H
#define SY_OFCTL_H 1

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "ofp-conn.h"
#include "ofp-msgs.h"
#include "ofp-parse.h"

/* Exit statuses. */
#define OFCTL_OK 0
#define OFCTL_FAILED 1
#define OFCTL_USAGE 2

struct ofctl {
    uint32_t versions;          /* -O: allowed versions (bitmap). */
    bool strict;                /* --strict. */
    bool names;                 /* --names: ports by name. */
    bool json;                  /* --format=json. */
    int timeout_ms;             /* --timeout. */
    struct ofp_ssl_config ssl;  /* --private-key, --certificate, --ca-cert. */

    /* Set by ofctl_open(). */
    const char *switch_name;    /* SWITCH as given. */
    struct ofp_conn *conn;
    uint8_t version;            /* Negotiated. */
    uint32_t next_xid;
    struct ofp_port_map ports;  /* For --names (owned 'ports' array). */
    bool flow_mod_table_id;     /* OpenFlow 1.0: NXT_FLOW_MOD_TABLE_ID sent. */
};

typedef int ofctl_handler(struct ofctl *, int argc, char *argv[]);

struct ofctl_command {
    const char *name;
    int min_args, max_args;     /* After the command name, SWITCH included. */
    ofctl_handler *handler;
    const char *usage;
};

/* The command table (main.c). */
const struct ofctl_command *ofctl_find_command(const char *name);
const struct ofctl_command *ofctl_commands(size_t *n);
void ofctl_print_commands(FILE *);
/* Runs one command, 'argv[0]' its name, and closes the connection it
 * opened; returns its exit status. */
int ofctl_run(struct ofctl *, int argc, char *argv[]);
/* The interactive shell (shell.c); 'default_switch' may be NULL. */
int ofctl_shell(struct ofctl *, const char *default_switch);

/* Prints "ofctl: MESSAGE" to stderr; returns 'status'. */
int ofctl_error(int status, const char *fmt, ...) SY_PRINTF(2, 3);

/* Connects to SWITCH (bridge name, unix:, tcp:, ssl:) and negotiates. */
int ofctl_open(struct ofctl *, const char *switch_name);
void ofctl_close(struct ofctl *);

/* Sends 'request' and collects its replies (all parts of a multipart reply)
 * into 'replies' (an array of decoded messages the caller frees with
 * ofctl_free_replies()). An ERROR reply is reported and fails. */
int ofctl_transact(struct ofctl *, struct ofp_msg *request, struct ofp_msg **replies,
                   size_t *n_replies);
void ofctl_free_replies(struct ofp_msg *, size_t n);
/* The same, handing each reply to 'visit' as it arrives (it owns the
 * message: it uninits it); a nonzero return from 'visit' stops and is
 * returned. A reply of many parts is then never all in memory at once. */
int ofctl_transact_each(struct ofctl *, struct ofp_msg *request,
                        int (*visit)(struct ofp_msg *reply, void *aux), void *aux);
/* Where the messages of a batch came from, for its errors: message i
 * (xid first_xid + i) is line lines[i] of 'file' ("FILE:LINE: error"; line
 * 0: no label). */
struct ofctl_labels {
    const char *file;
    const unsigned int *lines;
};
/* Sends 'encoded' (any number of messages, e.g. flow mods, with
 * consecutive xids from 'first_xid'; it is left empty) then one BARRIER,
 * reading errors as they come; 'labels' (may be NULL) names the messages
 * in errors. */
int ofctl_send_batch(struct ofctl *, struct buf *encoded, size_t n_msgs, uint32_t first_xid,
                     const struct ofctl_labels *labels);
uint32_t ofctl_xid(struct ofctl *);
/* Fetches port descriptions (for --names, mod-port, dump-port-desc). */
int ofctl_get_ports(struct ofctl *, struct ofp_port **, size_t *n);
const struct ofp_port_map *ofctl_port_map(struct ofctl *);

/* Commands. */
int ofctl_add_flow(struct ofctl *, int argc, char *argv[]);
int ofctl_add_flows(struct ofctl *, int argc, char *argv[]);
int ofctl_mod_flows(struct ofctl *, int argc, char *argv[]);
int ofctl_del_flows(struct ofctl *, int argc, char *argv[]);
int ofctl_replace_flows(struct ofctl *, int argc, char *argv[]);
int ofctl_diff_flows(struct ofctl *, int argc, char *argv[]);
int ofctl_dump_flows(struct ofctl *, int argc, char *argv[]);
int ofctl_dump_aggregate(struct ofctl *, int argc, char *argv[]);
int ofctl_show(struct ofctl *, int argc, char *argv[]);
int ofctl_dump_ports(struct ofctl *, int argc, char *argv[]);
int ofctl_dump_port_desc(struct ofctl *, int argc, char *argv[]);
int ofctl_dump_tables(struct ofctl *, int argc, char *argv[]);
int ofctl_mod_port(struct ofctl *, int argc, char *argv[]);
int ofctl_packet_out(struct ofctl *, int argc, char *argv[]);
int ofctl_monitor(struct ofctl *, int argc, char *argv[]);
int ofctl_snoop(struct ofctl *, int argc, char *argv[]);
int ofctl_add_tlv_map(struct ofctl *, int argc, char *argv[]);
int ofctl_del_tlv_map(struct ofctl *, int argc, char *argv[]);
int ofctl_dump_tlv_map(struct ofctl *, int argc, char *argv[]);

#endif
