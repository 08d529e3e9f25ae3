/* svc-notify: tells systemd (Type=notify units) how a daemon is doing,
 * with the datagram protocol of sd_notify(3) but without linking
 * libsystemd. flowd and portd say "READY=1" once their control socket
 * listens and the configuration is applied, "STOPPING=1" when they exit. */
#ifndef SY_SVC_NOTIFY_H
#define SY_SVC_NOTIFY_H 1

/* Sends 'state' (e.g. "READY=1") to the AF_UNIX datagram socket named by
 * $NOTIFY_SOCKET (a leading '@' means the abstract namespace). Without
 * that variable, i.e. not under systemd, it does nothing. A failure is
 * logged as a warning and returned as an errno; 0 otherwise. */
int svc_notify(const char *state);

#endif
