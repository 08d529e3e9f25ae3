/* ofpact: lists of decoded OpenFlow actions and instructions (see
 * ofpact.h). Entries are zeroed when put, so that two lists compare with
 * memcmp per entry, except for the nested lists of write_actions. */
#include "ofpact.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
ofpacts_init(struct ofpacts *a)
{
    a->acts = NULL;
    a->n = 0;
    a->allocated = 0;
}

void
ofpacts_uninit(struct ofpacts *a)
{
    if (!a) {
        return;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (a->acts[i].type == OFPACT_WRITE_ACTIONS && a->acts[i].nested) {
            ofpacts_uninit(a->acts[i].nested);
            free(a->acts[i].nested);
        }
    }
    free(a->acts);
    ofpacts_init(a);
}

void
ofpacts_clone(struct ofpacts *dst, const struct ofpacts *src)
{
    ofpacts_init(dst);
    /* Exactly the size needed: a rule keeps its copy for its lifetime, and
     * ofpacts_put()'s growth would leave room for at least four. */
    if (src->n) {
        dst->acts = xmalloc(src->n * sizeof *dst->acts);
        dst->allocated = src->n;
    }
    for (size_t i = 0; i < src->n; i++) {
        struct ofpact *a = ofpacts_put(dst, src->acts[i].type);
        struct ofpacts *nested = a->type == OFPACT_WRITE_ACTIONS ? a->nested : NULL;

        *a = src->acts[i];
        if (nested) {
            /* Keep the fresh list ofpacts_put() made, not the source's. */
            a->nested = nested;
            if (src->acts[i].nested) {
                ofpacts_clone(nested, src->acts[i].nested);
            }
        }
    }
}

struct ofpact *
ofpacts_put(struct ofpacts *a, enum ofpact_type type)
{
    struct ofpact *act;

    if (a->n >= a->allocated) {
        a->acts = x2nrealloc(a->acts, &a->allocated, a->n + 1, sizeof *a->acts);
    }
    act = &a->acts[a->n++];
    memset(act, 0, sizeof *act);
    act->type = type;
    if (type == OFPACT_WRITE_ACTIONS) {
        act->nested = xmalloc(sizeof *act->nested);
        ofpacts_init(act->nested);
    }
    return act;
}

static bool
ofpact_equal(const struct ofpact *a, const struct ofpact *b)
{
    if (a->type != b->type) {
        return false;
    } else if (a->type == OFPACT_WRITE_ACTIONS) {
        return ofpacts_equal(a->nested, b->nested);
    }
    return !memcmp(a, b, sizeof *a);
}

bool
ofpacts_equal(const struct ofpacts *a, const struct ofpacts *b)
{
    if (a->n != b->n) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (!ofpact_equal(&a->acts[i], &b->acts[i])) {
            return false;
        }
    }
    return true;
}

bool
ofpacts_output_to(const struct ofpacts *a, uint32_t port)
{
    for (size_t i = 0; i < a->n; i++) {
        const struct ofpact *act = &a->acts[i];

        if ((act->type == OFPACT_OUTPUT && act->output.port == port)
            || (act->type == OFPACT_CONTROLLER && port == OFPP13_CONTROLLER)
            || (act->type == OFPACT_WRITE_ACTIONS && act->nested
                && ofpacts_output_to(act->nested, port))) {
            return true;
        }
    }
    return false;
}
