/* ofctl: the OpenFlow client (like ovs-ofctl). The OpenFlow protocol lands
 * with its own issue; until then this program says so plainly instead of
 * pretending. */
#include <stdio.h>
#include <string.h>

int
main(int argc, char *argv[])
{
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("ofctl (switchyard) %s\n", SY_VERSION);
        return 0;
    }
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: ofctl [-O OpenFlow10|OpenFlow13] COMMAND SWITCH [ARG...]\n"
               "OpenFlow client. Not implemented in this version: every bridge\n"
               "runs the NORMAL action (a learning switch). See ofctl(8).\n");
        return 0;
    }
    fprintf(stderr, "ofctl: OpenFlow is not implemented in this version of switchyard "
            "(bridges run the NORMAL learning switch)\n");
    return 1;
}
