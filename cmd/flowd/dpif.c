/* dpif: what the datapath providers share. See dpif.h. */
#include "dpif.h"

#include <stdlib.h>
#include <string.h>

#include "dp-kernel.h"
#include "dp-user.h"
#include "util.h"

/* A flow leaves 'flows': out of the datapath first (its last counters come
 * back with it), then to the bridge, which credits and reports it. */
static void
dpif_flow_leaving(struct dpflow *flow, void *dpif_)
{
    struct dpif *dpif = dpif_;

    if (dpif->class->flow_uninstall) {
        dpif->class->flow_uninstall(dpif, flow);
    }
    if (dpif->flow_removed) {
        dpif->flow_removed(flow, dpif->flow_removed_aux);
    }
}

void
dpif_init(struct dpif *dpif, const struct dpif_class *class, const char *name,
          dp_upcall_func *upcall, void *aux)
{
    memset(dpif, 0, sizeof *dpif);
    dpif->class = class;
    dpif->name = xstrdup(name);
    dpflow_table_init(&dpif->flows);
    dpif->flows.on_remove = dpif_flow_leaving;
    dpif->flows.on_remove_aux = dpif;
    dpif->flow_limit = DPIF_DEFAULT_FLOW_LIMIT;
    dpif->upcall = upcall;
    dpif->upcall_aux = aux;
}

void
dpif_uninit(struct dpif *dpif)
{
    dpflow_table_destroy(&dpif->flows);
    free(dpif->name);
}

struct dpif *
dpif_create(enum sw_datapath_type type, const char *name, dp_upcall_func *upcall, void *aux,
            struct buf *errors)
{
    if (sw_datapath_resolve(type) == SW_DP_KERNEL) {
        return dp_kernel_create(name, upcall, aux, errors);
    }
    return dp_user_create(name, upcall, aux);
}

void
dpif_destroy(struct dpif *dpif, bool keep)
{
    if (dpif) {
        dpif->class->destroy(dpif, keep);
    }
}

const char *
dpif_type(const struct dpif *dpif)
{
    return dpif->class->type;
}

void
dpif_set_flow_removed(struct dpif *dpif, dp_flow_removed_func *cb, void *aux)
{
    dpif->flow_removed = cb;
    dpif->flow_removed_aux = aux;
}

bool
dpif_port_status(struct dpif *dpif, uint32_t port_no, struct dpif_port_status *status)
{
    memset(status, 0, sizeof *status);
    return dpif->class->port_status(dpif, port_no, status);
}
