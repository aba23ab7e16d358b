/* The verb table: csdpdk's API, one row per verb (DESIGN.md section 5). */
#include "helper/verb.h"

#include "helper/macros.h"

const struct verb verbs[] = {
    {
        .name = "version",
        .summary = "versions of csdpdk and of the libraries it runs with",
        .help = "Reads no request.\n"
                "Result: csdpdk, ovs, libvirt, jansson, libxml2, curl (version strings).\n",
        .run = verb_version_run,
    },
    {
        .name = "decode",
        .summary = "merge, decode and validate a VM's DPDK details",
        .help = "Request: {\"offering\": {KEY: VALUE, ...}, \"vm\": {KEY: VALUE, ...},\n"
                "          \"encoding\": \"url\" (default) | \"none\"}\n"
                "  KEY: DPDK-VHOSTUSER, extraconfig-dpdk-numa, extraconfig-dpdk-hugepages,\n"
                "       extraconfig-dpdk-interface-NAME; other keys are ignored.\n"
                "  The VM's value wins over the offering's on the same key.\n"
                "Result: dpdk (true iff numa and hugepages are both set), mode, port_type,\n"
                "  guest_mode, numa, hugepages (normalised XML or null), interface_extra\n"
                "  (KEY -> XML), sources (KEY -> vm | offering | default), ignored (keys).\n",
        .flags = VERB_REQUEST,
        .run = verb_decode_run,
    },
};

const size_t n_verbs = ARRAY_SIZE(verbs);
