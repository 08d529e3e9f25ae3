#!/usr/bin/env python3
"""hostile-frames.py: what a misbehaving VM sends, written straight to a
device with an AF_PACKET socket (no kernel stack in the way).

    hostile-frames.py malformed DEV COUNT [DST_MAC]
        COUNT frames cycling through every malformed kind below (truncated
        Ethernet/VLAN/IPv4/IPv6/TCP/ARP headers, bad IHL and lengths, bogus
        IPv6 extension chains, long 802.1Q/802.1ad stacks, zero-length,
        jumbo and random frames), each with random variations.
    hostile-frames.py flows DEV COUNT DST_MAC DST_IP
        COUNT UDP packets, each a new flow: a new source MAC, source and
        destination address and ports, as fast as the socket takes them.

Prints what it sent per kind, and the send errors. Some refusals are
expected: the kernel takes no frame shorter than an Ethernet header onto
a veth (zero-length and truncated_eth frames are refused with EINVAL; the
flow-key fuzz target covers those), nor a jumbo frame above the MTU. The
seed is fixed so that a failure can be replayed."""

import random
import socket
import struct
import sys

ETH_P_ALL = 0x0003


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_header(src, dst, proto, payload_len, ihl=5, total=None, frag=0, options=b""):
    total = 4 * ihl + payload_len if total is None else total
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | (ihl & 0xF), 0, total & 0xFFFF, 1, frag, 64,
                      proto, 0, src, dst) + options
    return hdr[:10] + struct.pack("!H", checksum(hdr[:20])) + hdr[12:]


class Frames:
    """Builds the malformed kinds; 'rng' varies their details."""

    def __init__(self, src, dst, rng):
        self.src, self.dst, self.rng = src, dst, rng

    def eth(self, ethertype):
        return self.dst + self.src + struct.pack("!H", ethertype)

    def rand(self, n):
        return bytes(self.rng.getrandbits(8) for _ in range(n))

    def ip4(self):
        return bytes([10, 77, self.rng.randrange(256), self.rng.randrange(1, 255)])

    def truncated_eth(self):
        return (self.dst + self.src + b"\x08\x00")[: self.rng.randrange(1, 14)]

    def truncated_ipv4(self):
        udp = struct.pack("!HHHH", 1000, 2000, 28, 0) + b"x" * 20
        frame = self.eth(0x0800) + ipv4_header(self.ip4(), self.ip4(), 17, len(udp)) + udp
        return frame[: self.rng.randrange(14, 14 + 28)]

    def truncated_tcp(self):
        tcp = struct.pack("!HHIIBBHHH", 1234, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)
        frame = self.eth(0x0800) + ipv4_header(self.ip4(), self.ip4(), 6, len(tcp)) + tcp
        return frame[: self.rng.randrange(34, len(frame))]

    def truncated_arp(self):
        arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + self.src + self.ip4() + bytes(6) \
            + self.ip4()
        return (self.eth(0x0806) + arp)[: self.rng.randrange(14, 14 + 28)]

    def bad_ihl(self):
        ihl = self.rng.choice([0, 1, 4, 6, 15])
        payload = self.rand(self.rng.randrange(0, 64))
        total = self.rng.choice([None, 0, 19, 65535, 4 * ihl - 1])
        opts = self.rand(max(0, 4 * ihl - 20)) if ihl > 5 and self.rng.random() < 0.5 else b""
        ip = ipv4_header(self.ip4(), self.ip4(), self.rng.choice([1, 6, 17, 132, 255]),
                         len(payload), ihl=ihl, total=total, options=opts)
        return self.eth(0x0800) + ip + payload

    def bad_fragment(self):
        frag = self.rng.choice([0x2000, 0x1FFF, 0x3FFF, 0x0001])
        payload = self.rand(self.rng.randrange(0, 16))
        return self.eth(0x0800) + ipv4_header(self.ip4(), self.ip4(), 6, len(payload),
                                               frag=frag) + payload

    def ipv6(self, next_header, payload, plen=None):
        plen = len(payload) if plen is None else plen
        return self.eth(0x86DD) + struct.pack("!IHBB", 0x60000000, plen & 0xFFFF,
                                              next_header, 64) \
            + b"\xfe\x80" + bytes(13) + b"\x01" + b"\xfe\x80" + bytes(13) + b"\x02" + payload

    def bogus_ipv6_chain(self):
        kind = self.rng.randrange(5)
        if kind == 0:       # Hop-by-hop whose length runs past the packet.
            return self.ipv6(0, bytes([17, 255]) + bytes(6))
        if kind == 1:       # A long chain of destination-options headers.
            n = self.rng.randrange(10, 80)
            chain = b"".join(bytes([60, 0]) + bytes(6) for _ in range(n - 1))
            return self.ipv6(60, chain + bytes([6, 0]) + bytes(6) + self.rand(8))
        if kind == 2:       # Fragment headers, the later one truncated.
            return self.ipv6(44, bytes([44, 0, 0, 1, 0, 0, 0, 1]) + bytes([17, 0]))
        if kind == 3:       # Payload length larger than the frame.
            return self.ipv6(17, struct.pack("!HHHH", 1, 2, 8, 0), plen=60000)
        return self.ipv6(self.rng.choice([0, 43, 44, 51, 60, 135, 139, 253]),
                         self.rand(self.rng.randrange(0, 40)))

    def tag_stack(self):
        n = self.rng.randrange(2, 40)
        tags = b"".join(struct.pack("!HH", self.rng.choice([0x8100, 0x88A8]),
                                    self.rng.randrange(4096)) for _ in range(n))
        inner = self.rng.choice([b"", b"\x08", b"\x08\x00" + bytes(3), b"\x86\xdd"
                                 + self.rand(30), b"\x81\x00"])
        return self.dst + self.src + tags + inner

    def llc(self):
        length = self.rng.choice([0, 3, 8, 1500, 1535])
        return self.dst + self.src + struct.pack("!H", length) \
            + self.rng.choice([b"\xaa", b"\xaa\xaa\x03", b"\xaa\xaa\x03\x00\x00\x00\x08",
                               b"\x42\x42\x03"])

    def zero_length(self):
        return b""

    def jumbo(self):
        payload = self.rand(16) * (self.rng.randrange(4000, 9000) // 16)
        udp = struct.pack("!HHHH", 1000, 2000, (8 + len(payload)) & 0xFFFF, 0) + payload
        return self.eth(0x0800) + ipv4_header(self.ip4(), self.ip4(), 17, len(udp)) + udp

    def random_bytes(self):
        return self.rand(self.rng.randrange(1, 1515))

    KINDS = ["truncated_eth", "truncated_ipv4", "truncated_tcp", "truncated_arp", "bad_ihl",
             "bad_fragment", "bogus_ipv6_chain", "tag_stack", "llc", "zero_length", "jumbo",
             "random_bytes"]


def open_socket(dev):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((dev, 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    return sock


def local_mac(dev):
    with open("/sys/class/net/%s/address" % dev) as f:
        return f.read().strip()


def send(sock, frame, errors):
    try:
        sock.send(frame)
        return 1
    except OSError as e:
        errors[e.strerror] = errors.get(e.strerror, 0) + 1
        return 0


def malformed(dev, count, dst):
    rng = random.Random(1)
    frames = Frames(mac_bytes(local_mac(dev)), mac_bytes(dst), rng)
    sock = open_socket(dev)
    sent = {k: 0 for k in Frames.KINDS}
    errors = {}
    for i in range(count):
        kind = Frames.KINDS[i % len(Frames.KINDS)]
        sent[kind] += send(sock, getattr(frames, kind)(), errors)
    print("sent " + " ".join("%s:%d" % kv for kv in sent.items()))
    print("send errors: " + (" ".join("%s:%d" % kv for kv in errors.items()) or "none"))


def flows(dev, count, dst, dst_ip):
    rng = random.Random(2)
    sock = open_socket(dev)
    dst_mac, ip_dst = mac_bytes(dst), socket.inet_aton(dst_ip)
    errors = {}
    sent = 0
    payload = b"flood"
    for i in range(count):
        src_mac = bytes([0x02, 0x66]) + struct.pack("!I", i)
        src_ip = bytes([10, 66, (i >> 8) & 0xFF, i & 0xFF])
        udp = struct.pack("!HHHH", rng.randrange(1024, 65536), rng.randrange(1, 65536),
                          8 + len(payload), 0) + payload
        frame = dst_mac + src_mac + b"\x08\x00" + ipv4_header(src_ip, ip_dst, 17,
                                                              len(udp)) + udp
        sent += send(sock, frame, errors)
    print("sent %d new flows" % sent)
    print("send errors: " + (" ".join("%s:%d" % kv for kv in errors.items()) or "none"))


def main(argv):
    if len(argv) >= 4 and argv[1] == "malformed":
        malformed(argv[2], int(argv[3]), argv[4] if len(argv) > 4 else "ff:ff:ff:ff:ff:ff")
    elif len(argv) == 6 and argv[1] == "flows":
        flows(argv[2], int(argv[3]), argv[4], argv[5])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
