/* ofp-errors: OpenFlow error names and the mapping between the OpenFlow 1.3
 * numbering that the codec uses everywhere (OFPERR values, ofp-msgs.h) and
 * the numbers on an OpenFlow 1.0 wire, where fewer types exist and some
 * codes differ. */
#include "ofp-msgs.h"

#include <stdio.h>

#include "util.h"

struct ofp_error_type_desc {
    const char *name;           /* "OFPET_BAD_MATCH". */
    const char *const *codes;   /* Code names by number. */
    size_t n_codes;
};

static const char *const hello_codes[] = { "OFPHFC_INCOMPATIBLE", "OFPHFC_EPERM" };
static const char *const request_codes[] = {
    "OFPBRC_BAD_VERSION", "OFPBRC_BAD_TYPE", "OFPBRC_BAD_MULTIPART", "OFPBRC_BAD_EXPERIMENTER",
    "OFPBRC_BAD_EXP_TYPE", "OFPBRC_EPERM", "OFPBRC_BAD_LEN", "OFPBRC_BUFFER_EMPTY",
    "OFPBRC_BUFFER_UNKNOWN", "OFPBRC_BAD_TABLE_ID", "OFPBRC_IS_SLAVE", "OFPBRC_BAD_PORT",
    "OFPBRC_BAD_PACKET", "OFPBRC_MULTIPART_BUFFER_OVERFLOW",
};
static const char *const action_codes[] = {
    "OFPBAC_BAD_TYPE", "OFPBAC_BAD_LEN", "OFPBAC_BAD_EXPERIMENTER", "OFPBAC_BAD_EXP_TYPE",
    "OFPBAC_BAD_OUT_PORT", "OFPBAC_BAD_ARGUMENT", "OFPBAC_EPERM", "OFPBAC_TOO_MANY",
    "OFPBAC_BAD_QUEUE", "OFPBAC_BAD_OUT_GROUP", "OFPBAC_MATCH_INCONSISTENT",
    "OFPBAC_UNSUPPORTED_ORDER", "OFPBAC_BAD_TAG", "OFPBAC_BAD_SET_TYPE", "OFPBAC_BAD_SET_LEN",
    "OFPBAC_BAD_SET_ARGUMENT",
};
static const char *const inst_codes[] = {
    "OFPBIC_UNKNOWN_INST", "OFPBIC_UNSUP_INST", "OFPBIC_BAD_TABLE_ID",
    "OFPBIC_UNSUP_METADATA", "OFPBIC_UNSUP_METADATA_MASK", "OFPBIC_BAD_EXPERIMENTER",
    "OFPBIC_BAD_EXP_TYPE", "OFPBIC_BAD_LEN", "OFPBIC_EPERM",
};
static const char *const match_codes[] = {
    "OFPBMC_BAD_TYPE", "OFPBMC_BAD_LEN", "OFPBMC_BAD_TAG", "OFPBMC_BAD_DL_ADDR_MASK",
    "OFPBMC_BAD_NW_ADDR_MASK", "OFPBMC_BAD_WILDCARDS", "OFPBMC_BAD_FIELD", "OFPBMC_BAD_VALUE",
    "OFPBMC_BAD_MASK", "OFPBMC_BAD_PREREQ", "OFPBMC_DUP_FIELD", "OFPBMC_EPERM",
};
static const char *const flow_mod_codes[] = {
    "OFPFMFC_UNKNOWN", "OFPFMFC_TABLE_FULL", "OFPFMFC_BAD_TABLE_ID", "OFPFMFC_OVERLAP",
    "OFPFMFC_EPERM", "OFPFMFC_BAD_TIMEOUT", "OFPFMFC_BAD_COMMAND", "OFPFMFC_BAD_FLAGS",
};
static const char *const group_mod_codes[] = {
    "OFPGMFC_GROUP_EXISTS", "OFPGMFC_INVALID_GROUP", "OFPGMFC_WEIGHT_UNSUPPORTED",
    "OFPGMFC_OUT_OF_GROUPS", "OFPGMFC_OUT_OF_BUCKETS", "OFPGMFC_CHAINING_UNSUPPORTED",
    "OFPGMFC_WATCH_UNSUPPORTED", "OFPGMFC_LOOP", "OFPGMFC_UNKNOWN_GROUP",
    "OFPGMFC_CHAINED_GROUP", "OFPGMFC_BAD_TYPE", "OFPGMFC_BAD_COMMAND", "OFPGMFC_BAD_BUCKET",
    "OFPGMFC_BAD_WATCH", "OFPGMFC_EPERM",
};
static const char *const port_mod_codes[] = {
    "OFPPMFC_BAD_PORT", "OFPPMFC_BAD_HW_ADDR", "OFPPMFC_BAD_CONFIG", "OFPPMFC_BAD_ADVERTISE",
    "OFPPMFC_EPERM",
};
static const char *const table_mod_codes[] = {
    "OFPTMFC_BAD_TABLE", "OFPTMFC_BAD_CONFIG", "OFPTMFC_EPERM",
};
static const char *const queue_codes[] = { "OFPQOFC_BAD_PORT", "OFPQOFC_BAD_QUEUE", "OFPQOFC_EPERM" };
static const char *const config_codes[] = {
    "OFPSCFC_BAD_FLAGS", "OFPSCFC_BAD_LEN", "OFPSCFC_EPERM",
};
static const char *const role_codes[] = { "OFPRRFC_STALE", "OFPRRFC_UNSUP", "OFPRRFC_BAD_ROLE" };
static const char *const meter_codes[] = {
    "OFPMMFC_UNKNOWN", "OFPMMFC_METER_EXISTS", "OFPMMFC_INVALID_METER",
    "OFPMMFC_UNKNOWN_METER", "OFPMMFC_BAD_COMMAND", "OFPMMFC_BAD_FLAGS", "OFPMMFC_BAD_RATE",
    "OFPMMFC_BAD_BURST", "OFPMMFC_BAD_BAND", "OFPMMFC_BAD_BAND_VALUE", "OFPMMFC_OUT_OF_METERS",
    "OFPMMFC_OUT_OF_BANDS",
};

#define TYPE(NAME, CODES) { NAME, CODES, ARRAY_SIZE(CODES) }
static const struct ofp_error_type_desc types[] = {
    TYPE("OFPET_HELLO_FAILED", hello_codes), TYPE("OFPET_BAD_REQUEST", request_codes),
    TYPE("OFPET_BAD_ACTION", action_codes), TYPE("OFPET_BAD_INSTRUCTION", inst_codes),
    TYPE("OFPET_BAD_MATCH", match_codes), TYPE("OFPET_FLOW_MOD_FAILED", flow_mod_codes),
    TYPE("OFPET_GROUP_MOD_FAILED", group_mod_codes),
    TYPE("OFPET_PORT_MOD_FAILED", port_mod_codes),
    TYPE("OFPET_TABLE_MOD_FAILED", table_mod_codes), TYPE("OFPET_QUEUE_OP_FAILED", queue_codes),
    TYPE("OFPET_SWITCH_CONFIG_FAILED", config_codes),
    TYPE("OFPET_ROLE_REQUEST_FAILED", role_codes), TYPE("OFPET_METER_MOD_FAILED", meter_codes),
};

const char *
ofp_error_type_name(int type)
{
    if (type >= 0 && (size_t) type < ARRAY_SIZE(types)) {
        return types[type].name;
    }
    return type == OFPET_EXPERIMENTER ? "OFPET_EXPERIMENTER" : NULL;
}

const char *
ofp_error_code_name(int type, int code, char scratch[16])
{
    if (type >= 0 && (size_t) type < ARRAY_SIZE(types) && code >= 0
        && (size_t) code < types[type].n_codes) {
        return types[type].codes[code];
    }
    snprintf(scratch, 16, "%d", code);
    return scratch;
}

void
ofp_error_format(struct buf *b, int ofperr)
{
    int type = OFPERR_TYPE(ofperr), code = OFPERR_CODE(ofperr);
    const char *type_name = ofp_error_type_name(type);
    char scratch[16];

    if (type_name) {
        buf_printf(b, "%s (%s)", ofp_error_code_name(type, code, scratch), type_name);
    } else {
        buf_printf(b, "error type %d code %d", type, code);
    }
}

/* OpenFlow 1.0 codes for the 1.3 FLOW_MOD_FAILED codes. */
static uint16_t
flow_mod_code_to_10(int code)
{
    switch (code) {
    case 1: return 0;           /* TABLE_FULL -> ALL_TABLES_FULL. */
    case 3: return 1;           /* OVERLAP. */
    case 4: return 2;           /* EPERM. */
    case 5: return 3;           /* BAD_TIMEOUT -> BAD_EMERG_TIMEOUT. */
    case 6: return 4;           /* BAD_COMMAND. */
    default: return 5;          /* UNSUPPORTED. */
    }
}

void
ofp_error_to_wire(uint8_t version, int ofperr, uint16_t *type, uint16_t *code)
{
    int t = OFPERR_TYPE(ofperr), c = OFPERR_CODE(ofperr);

    *type = t;
    *code = c;
    if (version != OFP10_VERSION) {
        return;
    }
    switch (t) {
    case OFPET_HELLO_FAILED:
        break;
    case OFPET_BAD_REQUEST:
        *code = c <= 8 ? c : 5;                 /* Newer codes -> EPERM. */
        break;
    case OFPET_BAD_ACTION:
        *code = c <= 8 ? c : 5;                 /* Newer codes -> BAD_ARGUMENT. */
        break;
    case OFPET_FLOW_MOD_FAILED:
        *type = 3;
        *code = flow_mod_code_to_10(c);
        break;
    case OFPET_PORT_MOD_FAILED:
        *type = 4;
        *code = c <= 1 ? c : 0;
        break;
    case OFPET_QUEUE_OP_FAILED:
        *type = 5;
        break;
    default:
        /* No such type in 1.0 (matches, instructions, ...): the closest
         * is "flow mod unsupported" for flow problems, else EPERM. */
        if (t == OFPET_BAD_MATCH || t == OFPET_BAD_INSTRUCTION) {
            *type = 3;
            *code = 5;
        } else {
            *type = OFPET_BAD_REQUEST;
            *code = 5;
        }
        break;
    }
}

int
ofp_error_from_wire(uint8_t version, uint16_t type, uint16_t code)
{
    static const uint8_t flow_mod_from_10[] = { 1, 3, 4, 5, 6, 0 };

    if (version != OFP10_VERSION) {
        return type == OFPET_EXPERIMENTER ? 0 : OFPERR(type & 0x3fff, code);
    }
    switch (type) {
    case 0: case 1: case 2:
        return OFPERR(type, code);
    case 3:
        return OFPERR(OFPET_FLOW_MOD_FAILED, code < 6 ? flow_mod_from_10[code] : 0);
    case 4:
        return OFPERR(OFPET_PORT_MOD_FAILED, code);
    case 5:
        return OFPERR(OFPET_QUEUE_OP_FAILED, code);
    default:
        return 0;
    }
}
