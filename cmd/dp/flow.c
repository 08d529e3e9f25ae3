/* flow: dp's flow commands for kernel datapaths (dump-flows, add-flow,
 * mod-flow, get-flow, del-flow, del-flows). Flows are read and printed in
 * the datapath text format of odp.c, the same that the userspace datapath
 * prints through flowd. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dp.h"
#include "json.h"
#include "odp.h"
#include "util.h"

struct flow_printer {
    struct buf *out;            /* Where text goes. */
    struct json_writer *json;   /* NULL for text. */
    const char *dp_name;        /* For JSON's "datapath". */
};

static void
print_flow_json(const struct flow_printer *p, const struct dpif_netlink_flow *flow)
{
    struct json_writer *w = p->json;
    struct buf text = BUF_INITIALIZER;

    json_object_begin(w);
    json_kv_string(w, "datapath", p->dp_name);
    odp_format_key(&text, &flow->key, &flow->mask);
    json_kv_string(w, "match", buf_cstr(&text));
    buf_clear(&text);
    odp_format_actions(&text, flow->actions, flow->actions_size);
    json_kv_string(w, "actions", buf_cstr(&text));
    json_kv_uint(w, "packets", flow->stats.packets);
    json_kv_uint(w, "bytes", flow->stats.bytes);
    json_key(w, "used_ms");
    if (flow->stats.used_msec >= 0) {
        json_int(w, flow->stats.used_msec);
    } else {
        json_null(w);
    }
    json_kv_uint(w, "tcp_flags", flow->stats.tcp_flags);
    json_object_end(w);
    buf_uninit(&text);
}

static void
print_flow(const struct dpif_netlink_flow *flow, void *p_)
{
    const struct flow_printer *p = p_;

    if (flow->key_error) {
        /* Say so rather than print a broader flow than the kernel has. */
        fprintf(stderr, "dp: a flow could not be shown: %s\n", strerror(flow->key_error));
    } else if (p->json) {
        print_flow_json(p, flow);
    } else {
        odp_format_flow(p->out, &flow->key, &flow->mask, &flow->stats, flow->actions,
                        flow->actions_size);
        buf_put_char(p->out, '\n');
    }
}

int
dp_kernel_dump_flows(struct dpif_netlink *dn, int argc, char *argv[],
                     const struct dp_options *opt)
{
    struct buf out = BUF_INITIALIZER;
    struct dpif_netlink_dp dp;
    struct json_writer w;
    struct flow_printer p = { &out, opt->json ? &w : NULL, NULL };
    int error;

    if (dp_kernel_find(dn, argc ? argv[0] : NULL, &dp)) {
        return 1;
    }
    p.dp_name = dp.name;
    json_writer_init(&w, &out);
    if (opt->json) {
        json_array_begin(&w);
    }
    error = dpif_netlink_flow_dump(dn, dp.ifindex, print_flow, &p);
    if (opt->json) {
        json_array_end(&w);
        buf_put_char(&out, '\n');
    }
    if (!error) {
        fputs(buf_cstr(&out), stdout);
    }
    buf_uninit(&out);
    return error ? dp_kernel_fail("dump-flows", error) : 0;
}

/* Parses FLOW (key and actions) or, when 'actions' is NULL, a KEY (a whole
 * flow line with statistics and actions is accepted too, for pasting). */
static int
parse_flow_arg(const char *cmd, const char *text, struct flowkey *key, struct flowkey *mask,
               struct dp_actions *actions)
{
    struct dp_actions scratch = DP_ACTIONS_INITIALIZER;
    struct buf error = BUF_INITIALIZER;
    int retval;

    if (actions) {
        retval = odp_parse_flow(text, key, mask, actions, &error);
    } else {
        retval = odp_parse_key(text, key, mask, &error);
        if (retval && !odp_parse_flow(text, key, mask, &scratch, &error)) {
            retval = 0;
        }
    }
    if (retval) {
        fprintf(stderr, "dp: %s: bad flow: %s\n", cmd, buf_cstr(&error));
    }
    dp_actions_uninit(&scratch);
    buf_uninit(&error);
    return retval ? 2 : 0;
}

static int
put_flow(struct dpif_netlink *dn, const char *cmd, char *argv[], unsigned int flags)
{
    struct dp_actions actions = DP_ACTIONS_INITIALIZER;
    struct flowkey key, mask;
    struct dpif_netlink_dp dp;
    int status, error;

    status = parse_flow_arg(cmd, argv[1], &key, &mask, &actions);
    if (!status && dp_kernel_find(dn, argv[0], &dp)) {
        status = 1;
    }
    if (!status) {
        error = dpif_netlink_flow_put(dn, dp.ifindex, &key, &mask, actions.data,
                                      actions.size, NULL, flags);
        if (error == EEXIST) {
            fprintf(stderr, "dp: %s: the flow exists (use mod-flow to change it)\n", cmd);
            status = 1;
        } else if (error == ENOENT) {
            fprintf(stderr, "dp: %s: no such flow (use add-flow)\n", cmd);
            status = 1;
        } else if (error == EINVAL) {
            fprintf(stderr, "dp: %s: the kernel refused the flow (a mask it cannot "
                    "match, or actions it does not know)\n", cmd);
            status = 1;
        } else if (error) {
            status = dp_kernel_fail(cmd, error);
        }
    }
    dp_actions_uninit(&actions);
    return status;
}

int
dp_kernel_add_flow(struct dpif_netlink *dn, int argc, char *argv[],
                   const struct dp_options *opt)
{
    return put_flow(dn, "add-flow", argv, DPIF_NETLINK_PUT_CREATE);
}

int
dp_kernel_mod_flow(struct dpif_netlink *dn, int argc, char *argv[],
                   const struct dp_options *opt)
{
    return put_flow(dn, "mod-flow", argv,
                    DPIF_NETLINK_PUT_MODIFY | (opt->clear ? DPIF_NETLINK_PUT_ZERO_STATS : 0));
}

/* The flow named by KEY in argv[1]: get-flow prints it, del-flow deletes
 * it and prints its last statistics with -s. */
static int
one_flow(struct dpif_netlink *dn, const char *cmd, char *argv[], const struct dp_options *opt,
         bool delete)
{
    struct flowkey key, mask;
    struct dpif_netlink_dp dp;
    struct dpif_netlink_flow flow;
    struct flow_printer p = { NULL, NULL, NULL };
    struct buf out = BUF_INITIALIZER;
    struct json_writer w;
    int status, error;

    status = parse_flow_arg(cmd, argv[1], &key, &mask, NULL);
    if (status) {
        return status;
    } else if (dp_kernel_find(dn, argv[0], &dp)) {
        return 1;
    }
    memset(&flow, 0, sizeof flow);
    error = (delete
             ? dpif_netlink_flow_del(dn, dp.ifindex, &key, &mask, NULL, &flow.stats)
             : dpif_netlink_flow_get(dn, dp.ifindex, &key, &mask, NULL, &flow));
    if (error == ENOENT) {
        fprintf(stderr, "dp: %s: no such flow in %s\n", cmd, dp.name);
        return 1;
    } else if (error) {
        return dp_kernel_fail(cmd, error);
    }
    p.out = &out;
    p.dp_name = dp.name;
    json_writer_init(&w, &out);
    p.json = opt->json ? &w : NULL;
    if (!delete) {
        print_flow(&flow, &p);
    } else if (opt->stats) {
        buf_printf(&out, "packets:%llu, bytes:%llu\n",
                   (unsigned long long) flow.stats.packets,
                   (unsigned long long) flow.stats.bytes);
    }
    if (p.json && !delete) {
        buf_put_char(&out, '\n');
    }
    fputs(buf_cstr(&out), stdout);
    buf_uninit(&out);
    return 0;
}

int
dp_kernel_get_flow(struct dpif_netlink *dn, int argc, char *argv[],
                   const struct dp_options *opt)
{
    return one_flow(dn, "get-flow", argv, opt, false);
}

int
dp_kernel_del_flow(struct dpif_netlink *dn, int argc, char *argv[],
                   const struct dp_options *opt)
{
    return one_flow(dn, "del-flow", argv, opt, true);
}

int
dp_kernel_del_flows(struct dpif_netlink *dn, int argc, char *argv[],
                    const struct dp_options *opt)
{
    struct dpif_netlink_dp dp;
    int error;

    if (dp_kernel_find(dn, argc ? argv[0] : NULL, &dp)) {
        return 1;
    }
    error = dpif_netlink_flow_flush(dn, dp.ifindex);
    return error ? dp_kernel_fail("del-flows", error) : 0;
}
