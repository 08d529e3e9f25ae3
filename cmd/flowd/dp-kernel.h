/* dp-kernel: the kernel provider of dpif.h. A bridge with datapath=kernel
 * runs on the Linux openvswitch module: a kernel datapath named after the
 * bridge, one vport per bridge port (netdev for an existing device,
 * internal for one the kernel creates; port 0 is the datapath's own
 * internal port; one per member of a bond, one shared per tunnel type),
 * all through libcommon/dpif-netlink.c.
 *
 * Per packet the kernel forwards by its megaflows. A miss comes up as an
 * OVS_PACKET_CMD_MISS upcall on the netlink socket of the vport it arrived
 * on (one socket per vport, polled in flowd's main loop): flowd runs the
 * bridge's pipeline on the upcall's key, installs the resulting megaflow
 * (OVS_FLOW_CMD_NEW with key, mask and a UFID derived from both) and sends
 * the packet on with OVS_PACKET_CMD_EXECUTE. A userspace() action comes up
 * as OVS_PACKET_CMD_ACTION on the socket whose id the action names, and
 * becomes a packet-in.
 *
 * flowd keeps its own record of the flows it installed in dpif.flows, with
 * the OpenFlow rules and MAC learning behind each. Once a second it dumps
 * the kernel's flows: counters go into that record (for OpenFlow rule
 * counters, NetFlow, idle expiry, MAC refresh), flows the kernel lost are
 * forgotten, and flows flowd does not know are revalidated: run through the
 * pipeline again and kept when it still gives the same actions under a mask
 * no wider than theirs, deleted otherwise. That is how a restarted flowd
 * takes over what the previous one installed: the datapath, its vports and
 * its flows stay in the kernel when flowd exits, and forwarding goes on in
 * between; only misses wait for the new flowd. */
#ifndef FLOWD_DP_KERNEL_H
#define FLOWD_DP_KERNEL_H 1

#include "bond.h"
#include "buf.h"
#include "dpif.h"
#include "tnl-config.h"

/* Opens the kernel datapath 'name', creating it if it does not exist.
 * Returns NULL, with the reason in 'errors', without the openvswitch
 * module or on a kernel failure. */
struct dpif *dp_kernel_create(const char *name, dp_upcall_func *, void *aux,
                              struct buf *errors);

/* Adds tunnel port 'port_no' ('name', settings 'cfg') to kernel datapath
 * 'dpif'. It has no vport of its own: it sends and receives through the
 * datapath's vport for its type and UDP port (vxlan_sys_4789, genev_sys_6081,
 * gre_sys, numbered from 65280 up), which the first such port creates and
 * the last one deletes. Packets from that vport go to the tunnel port their
 * outer addresses and key select, as on the userspace datapath. */
void dp_kernel_tunnel_port_add(struct dpif *, uint32_t port_no, const char *name,
                               const struct tnl_config *cfg);

/* Adds bond port 'port_no' ('name', 'mode', 'lacp' as for bond.h) to
 * kernel datapath 'dpif'. It has no vport of its own: each of its 'n'
 * 'members' is a netdev vport (numbered from 65407 up), whose packets the
 * pipeline sees as the bond's; outputs to the bond go to the member it
 * chooses, chosen per flow in translation (the fields the choice read go
 * into the flow's mask). Members' LACPDUs come up by a userspace() action
 * and go out by OVS_PACKET_CMD_EXECUTE; when the members in use change,
 * ports_run() says so and the bridge replaces its flows. */
void dp_kernel_bond_port_add(struct dpif *, uint32_t port_no, const char *name,
                             enum bond_mode mode, const char *lacp, char **members, size_t n,
                             unsigned int updelay_msec, unsigned int downdelay_msec);

#endif
