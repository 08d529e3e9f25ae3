/* tunnel: VXLAN, Geneve and GRE ports. Tunnels land with their own issue;
 * until then this program says so plainly instead of pretending. */
#include <stdio.h>
#include <string.h>

int
main(int argc, char *argv[])
{
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("tunnel (switchyard) %s\n", SY_VERSION);
        return 0;
    }
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: tunnel add|del|list|show ...\n"
               "Tunnel ports. Not implemented in this version. See tunnel(8).\n");
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr, "tunnel: usage: tunnel add|del|list|show ... (see tunnel --help)\n");
        return 2;
    }
    fprintf(stderr, "tunnel: tunnel ports are not implemented in this version of "
            "switchyard\n");
    return 1;
}
