/* flowgen: issue 3's flow-setup traffic, the same for every switch.
 *
 *   flowgen send IFACE SRC_MAC DST_MAC SRC_IP DST_IP PORT N_PORTS PPS SECONDS
 *   flowgen sink IP PORT N_PORTS
 *
 * "send" writes UDP frames (60 bytes, no UDP checksum) to IFACE through an
 * AF_PACKET socket, paced at PPS (0: as fast as it can) for SECONDS, each
 * with a 5-tuple not used before in the run: the source port walks
 * 1024..65535, and each time it wraps the destination port moves to the
 * next of PORT..PORT+N_PORTS-1. Through a switch whose datapath flows
 * match the L4 ports, every frame is a new flow. Prints "SENT SECONDS"
 * (frames the device took, wall time spent sending).
 *
 * "sink" binds N_PORTS UDP sockets on IP, ports PORT.., with small receive
 * buffers that it never reads, and waits for a signal: the receiver drops
 * what it cannot queue cheaply in UDP instead of answering every frame
 * with an ICMP port unreachable, so both switches carry only the stream.
 *
 * Built by bench/run.sh with the Makefile's flags; no switchyard code. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FG_FRAME_SIZE 60            /* Ethernet minimum without the FCS. */
#define FG_BATCH 32                 /* Frames per sendmmsg(). */
#define FG_FIRST_SPORT 1024
#define FG_N_SPORTS (65536 - FG_FIRST_SPORT)
#define FG_MAX_SINKS 1024

/* What "send" was asked to do. */
struct fg_send_args {
    int ifindex;                    /* Device to write to. */
    uint8_t src_mac[6];             /* Ethernet source. */
    uint8_t dst_mac[6];             /* Ethernet destination. */
    struct in_addr src_ip;          /* IPv4 source. */
    struct in_addr dst_ip;          /* IPv4 destination. */
    unsigned int first_dport;       /* First destination port. */
    unsigned int n_dports;          /* Destination ports to walk. */
    double pps;                     /* Offered rate; 0: unpaced. */
    double seconds;                 /* How long to send. */
};

static void
usage(void)
{
    fprintf(stderr,
            "usage: flowgen send IFACE SRC_MAC DST_MAC SRC_IP DST_IP PORT N_PORTS PPS SECONDS\n"
            "       flowgen sink IP PORT N_PORTS\n");
    exit(2);
}

static double
now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool
parse_mac(const char *s, uint8_t mac[6])
{
    unsigned int b[6];
    char extra;

    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
               &extra) != 6) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        if (b[i] > 0xff) {
            return false;
        }
        mac[i] = b[i];
    }
    return true;
}

static bool
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;

    errno = 0;
    *out = strtoul(s, &end, 10);
    return !errno && end != s && !*end && *out <= max && s[0] != '-';
}

static bool
parse_double(const char *s, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    return !errno && end != s && !*end && *out >= 0;
}

static uint16_t
ip_checksum(const uint8_t *hdr, size_t size)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < size; i += 2) {
        sum += (uint32_t) hdr[i] << 8 | hdr[i + 1];
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

/* The frame every packet starts from: Ethernet, IPv4 (checksummed), UDP
 * with ports 0 and checksum 0 ("none"), a zero payload. */
static void
build_template(const struct fg_send_args *a, uint8_t frame[FG_FRAME_SIZE])
{
    uint8_t *ip = frame + 14, *udp = ip + 20;
    uint16_t csum;

    memset(frame, 0, FG_FRAME_SIZE);
    memcpy(frame, a->dst_mac, 6);
    memcpy(frame + 6, a->src_mac, 6);
    frame[12] = 0x08;               /* IPv4. */
    ip[0] = 0x45;
    ip[2] = 0;
    ip[3] = FG_FRAME_SIZE - 14;     /* Total length. */
    ip[6] = 0x40;                   /* Don't fragment. */
    ip[8] = 64;                     /* TTL. */
    ip[9] = IPPROTO_UDP;
    memcpy(ip + 12, &a->src_ip, 4);
    memcpy(ip + 16, &a->dst_ip, 4);
    csum = ip_checksum(ip, 20);
    ip[10] = csum >> 8;
    ip[11] = csum & 0xff;
    udp[4] = 0;
    udp[5] = FG_FRAME_SIZE - 14 - 20; /* UDP length. */
}

/* Writes the ports of the 'seq'th 5-tuple of the run into 'frame'. */
static void
set_ports(const struct fg_send_args *a, uint64_t seq, uint8_t frame[FG_FRAME_SIZE])
{
    uint8_t *udp = frame + 14 + 20;
    unsigned int sport = FG_FIRST_SPORT + seq % FG_N_SPORTS;
    unsigned int dport = a->first_dport + (seq / FG_N_SPORTS) % a->n_dports;

    udp[0] = sport >> 8;
    udp[1] = sport & 0xff;
    udp[2] = dport >> 8;
    udp[3] = dport & 0xff;
}

static int
open_packet_socket(int ifindex)
{
    struct sockaddr_ll sll;
    int fd = socket(AF_PACKET, SOCK_RAW, 0);   /* Protocol 0: send only. */
    int one = 1;

    if (fd < 0) {
        perror("flowgen: socket(AF_PACKET)");
        return -1;
    }
    /* Straight to the device: the stream is the switch's load, not ours. */
    (void) setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = ifindex;
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        perror("flowgen: bind");
        close(fd);
        return -1;
    }
    return fd;
}

/* Sleeps until 'sent' frames are due at the offered rate. */
static void
pace(const struct fg_send_args *a, double start, uint64_t sent)
{
    double due = start + sent / a->pps;
    double wait = due - now_sec();

    if (wait > 0) {
        struct timespec ts = { (time_t) wait, (long) ((wait - (time_t) wait) * 1e9) };

        nanosleep(&ts, NULL);
    }
}

static int
do_send(const struct fg_send_args *a)
{
    uint8_t frames[FG_BATCH][FG_FRAME_SIZE];
    struct iovec iov[FG_BATCH];
    struct mmsghdr msgs[FG_BATCH];
    uint64_t sent = 0, max_seq = (uint64_t) FG_N_SPORTS * a->n_dports;
    double start, end;
    int fd = open_packet_socket(a->ifindex);

    if (fd < 0) {
        return 1;
    }
    for (int i = 0; i < FG_BATCH; i++) {
        build_template(a, frames[i]);
        iov[i].iov_base = frames[i];
        iov[i].iov_len = FG_FRAME_SIZE;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    start = now_sec();
    end = start + a->seconds;
    while (now_sec() < end) {
        int n;

        if (sent + FG_BATCH > max_seq) {
            fprintf(stderr, "flowgen: all %" PRIu64 " 5-tuples used; give more ports\n",
                    max_seq);
            break;
        }
        for (int i = 0; i < FG_BATCH; i++) {
            set_ports(a, sent + i, frames[i]);
        }
        n = sendmmsg(fd, msgs, FG_BATCH, 0);
        if (n < 0) {
            if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
                continue;           /* The device is full: try again. */
            }
            perror("flowgen: sendmmsg");
            close(fd);
            return 1;
        }
        sent += n;
        if (a->pps > 0) {
            pace(a, start, sent);
        }
    }
    printf("%" PRIu64 " %.3f\n", sent, now_sec() - start);
    close(fd);
    return 0;
}

static int
cmd_send(int argc, char *argv[])
{
    struct fg_send_args a;
    unsigned long port, n_ports;

    if (argc != 10) {
        usage();
    }
    memset(&a, 0, sizeof a);
    a.ifindex = if_nametoindex(argv[1]);
    if (!a.ifindex) {
        fprintf(stderr, "flowgen: no device %s\n", argv[1]);
        return 1;
    }
    if (!parse_mac(argv[2], a.src_mac) || !parse_mac(argv[3], a.dst_mac)
        || inet_pton(AF_INET, argv[4], &a.src_ip) != 1
        || inet_pton(AF_INET, argv[5], &a.dst_ip) != 1
        || !parse_uint(argv[6], 65535, &port) || !parse_uint(argv[7], 65535, &n_ports)
        || !n_ports || port + n_ports > 65536
        || !parse_double(argv[8], &a.pps) || !parse_double(argv[9], &a.seconds)) {
        fprintf(stderr, "flowgen: bad argument (MACs aa:bb:.., IPv4 addresses, "
                "ports 0-65535, PPS and SECONDS >= 0)\n");
        return 2;
    }
    a.first_dport = port;
    a.n_dports = n_ports;
    return do_send(&a);
}

static int
cmd_sink(int argc, char *argv[])
{
    struct sockaddr_in sin;
    unsigned long port, n_ports;
    int rcvbuf = 4096;
    sigset_t set;
    int sig;

    if (argc != 4) {
        usage();
    }
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1
        || !parse_uint(argv[2], 65535, &port) || !parse_uint(argv[3], FG_MAX_SINKS, &n_ports)
        || !n_ports || port + n_ports > 65536) {
        fprintf(stderr, "flowgen: bad argument (IPv4 address, port, 1-%d ports)\n",
                FG_MAX_SINKS);
        return 2;
    }
    /* Block the signals first, so one that arrives early still ends us. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (unsigned long i = 0; i < n_ports; i++) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);

        sin.sin_port = htons(port + i);
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0
            || bind(fd, (struct sockaddr *) &sin, sizeof sin) < 0) {
            fprintf(stderr, "flowgen: UDP port %lu: %s\n", port + i, strerror(errno));
            return 1;
        }
        /* Kept open until we exit. */
    }
    printf("listening\n");
    fflush(stdout);
    sigwait(&set, &sig);
    return 0;
}

int
main(int argc, char *argv[])
{
    if (argc < 2) {
        usage();
    }
    if (!strcmp(argv[1], "send")) {
        return cmd_send(argc - 1, argv + 1);
    } else if (!strcmp(argv[1], "sink")) {
        return cmd_sink(argc - 1, argv + 1);
    }
    usage();
    return 2;
}
