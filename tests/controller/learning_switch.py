"""learning_switch.py: an OpenFlow 1.3 learning switch for os-ken.

    /usr/bin/python3 /usr/bin/osken-manager --ofp-tcp-listen-port PORT \
        tests/controller/learning_switch.py

The controller of tests/bats/controller-osken.bats. os-ken (Debian's
python3-os-ken) ships no sample applications, so the test brings this one.
It programs every switch that connects the way a reactive controller does,
without the switch's own NORMAL action:

  - on connect, it clears the flows it owns (its cookie) and installs the
    table-miss entry: priority 0, send the whole packet to the controller;
  - on each PACKET_IN it learns "source MAC is behind the input port" for
    that switch, then either installs a flow for (input port, source MAC,
    destination MAC) towards the learned port and sends the packet there,
    or, for an unknown or broadcast destination, floods the packet with a
    PACKET_OUT and installs nothing.

Each switch (datapath id) has its own MAC table, forgotten when the switch
disconnects. Every event the test relies on is logged on one line at INFO,
in key=value form, so the test can compare the log with what the switches
report (`ofctl dump-flows`).
"""

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import (CONFIG_DISPATCHER, DEAD_DISPATCHER,
                                       MAIN_DISPATCHER, set_ev_cls)
from os_ken.lib.packet import ethernet, ether_types, packet
from os_ken.ofproto import ofproto_v1_3

# The cookie of every flow this application installs, so that it removes
# only its own flows when a switch reconnects.
COOKIE = 0x5e1f
# Learned flows expire when idle, so a MAC that moves is learned anew.
IDLE_TIMEOUT = 60
LEARNED_PRIORITY = 10


class LearningSwitch(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # datapath id -> {MAC: OpenFlow port number}
        self.mac_tables = {}

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def switch_features(self, ev):
        dp = ev.msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser

        self.mac_tables[dp.id] = {}
        # Start from a known state: none of our flows from a previous
        # connection may point to ports learned then.
        dp.send_msg(parser.OFPFlowMod(
            dp, cookie=COOKIE, cookie_mask=0xffffffffffffffff,
            table_id=ofp.OFPTT_ALL, command=ofp.OFPFC_DELETE,
            out_port=ofp.OFPP_ANY, out_group=ofp.OFPG_ANY))
        # Table miss: the whole packet to the controller (no buffering).
        self.add_flow(dp, 0, parser.OFPMatch(),
                      [parser.OFPActionOutput(ofp.OFPP_CONTROLLER,
                                              ofp.OFPCML_NO_BUFFER)])
        self.logger.info("switch-connected dpid=%016x", dp.id)

    @set_ev_cls(ofp_event.EventOFPStateChange, DEAD_DISPATCHER)
    def switch_gone(self, ev):
        dp = ev.datapath
        if dp.id is not None and self.mac_tables.pop(dp.id, None) is not None:
            self.logger.info("switch-disconnected dpid=%016x", dp.id)

    def add_flow(self, dp, priority, match, actions, idle_timeout=0):
        ofp, parser = dp.ofproto, dp.ofproto_parser
        inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
        dp.send_msg(parser.OFPFlowMod(
            dp, cookie=COOKIE, priority=priority, match=match,
            instructions=inst, idle_timeout=idle_timeout))

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        in_port = msg.match['in_port']

        eth = packet.Packet(msg.data).get_protocol(ethernet.ethernet)
        if eth is None or eth.ethertype == ether_types.ETH_TYPE_LLDP:
            return
        table = self.mac_tables.setdefault(dp.id, {})
        if table.get(eth.src) != in_port:
            self.logger.info("learned dpid=%016x mac=%s port=%d",
                             dp.id, eth.src, in_port)
        table[eth.src] = in_port

        out_port = table.get(eth.dst, ofp.OFPP_FLOOD)
        actions = [parser.OFPActionOutput(out_port)]
        if out_port != ofp.OFPP_FLOOD:
            match = parser.OFPMatch(in_port=in_port, eth_src=eth.src,
                                    eth_dst=eth.dst)
            self.add_flow(dp, LEARNED_PRIORITY, match, actions, IDLE_TIMEOUT)
            self.logger.info("flow-mod dpid=%016x in_port=%d dl_src=%s "
                             "dl_dst=%s output=%d",
                             dp.id, in_port, eth.src, eth.dst, out_port)

        # The packet itself: from the switch's buffer if it kept one, else
        # the bytes the PACKET_IN carried.
        data = msg.data if msg.buffer_id == ofp.OFP_NO_BUFFER else None
        dp.send_msg(parser.OFPPacketOut(
            dp, buffer_id=msg.buffer_id, in_port=in_port, actions=actions,
            data=data))
