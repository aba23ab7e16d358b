/* The verb table: csdpdk's API, one row per verb (docs/design.md section 5). */
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
                "       extraconfig-dpdk-interface-NAME. A near miss (one of these in another\n"
                "       case, any other extraconfig-dpdk-*) is invalid_request; other keys are\n"
                "       ignored and listed in ignored.\n"
                "  The VM's value wins over the offering's on the same key.\n"
                "Result: dpdk (true iff numa and hugepages are both set), mode, port_type,\n"
                "  guest_mode, numa, hugepages (normalised XML or null), interface_extra\n"
                "  (KEY -> XML), sources (KEY -> vm | offering | default), ignored (keys).\n",
        .flags = VERB_REQUEST,
        .run = verb_decode_run,
    },
    {
        .name = "capabilities",
        .summary = "can this host run DPDK VMs? Each fact, and a reason for each failure",
        .help = "Reads no request. Facts from agent.properties (--agent-properties), OVSDB\n"
                "(--ovsdb), sysfs and /proc (--sysfs, --proc: NUMA nodes, hugepages, hugetlbfs),\n"
                "the socket directory, libvirt (--libvirt) and qemu.conf (--qemu-conf).\n"
                "Result: dpdk, capability (\"dpdk\" or \"\"), reasons[] (code, message), checks[]\n"
                "  (id, title, status, detail, code, fix), agent, ovs, hugepages[] (node,\n"
                "  size_kib, total, free), numa_nodes, hugetlbfs[], socket_dir, libvirt,\n"
                "  libvirt_hook (path: hooks/qemu.d/csdpdk beside --qemu-conf, state:\n"
                "  installed | missing | not_executable; a warning unless installed),\n"
                "  numa[] (node, cpus, hugepages_free_kib, pmd_cores, isolated_pmd_cores,\n"
                "  dpdk_memory: socket_mem_mb, socket_limit_mb, allocatable; physical_ports),\n"
                "  pmd_source (ovs-vswitchd | pmd-cpu-mask | default | null). A node a VM\n"
                "  could use with no PMD or no DPDK memory is a warning naming the setting.\n"
                "Exit 0 when capable, 1 when not. --format text is a doctor's report.\n",
        .flags = VERB_OVSDB | VERB_LIBVIRT,
        .run = verb_capabilities_run,
        .text = verb_capabilities_text,
    },
    {
        .name = "agent-config",
        .summary = "what agent.properties needs for csdpdk's VIF driver in a stock CloudStack agent",
        .help = "Reads no request. Reads agent.properties (--agent-properties) as the agent\n"
                "  does, and OVSDB (--ovsdb), when it answers, for where Open vSwitch puts\n"
                "  server-mode sockets (its run directory and other_config:vhost-sock-dir).\n"
                "  Required: network.bridge.type=openvswitch, openvswitch.dpdk.enabled=true (or\n"
                "  yes, y, on, 1, any case), openvswitch.dpdk.ovs.path=DIR (where Open vSwitch\n"
                "  puts server-mode sockets),\n"
                "  libvirt.vif.driver=org.csdpdk.cloudstack.agent.CsdpdkVifDriver.\n"
                "  Recommended, never against the verdict:\n"
                "  agent.hooks.libvirt_vm_xml_transformer.script=csdpdk-xml-transformer.groovy.\n"
                "  Optional, the driver's: csdpdk.path (an executable), csdpdk.ovsdb (an OVSDB\n"
                "  URL), csdpdk.libvirt (a libvirt URI), csdpdk.qemu.conf (a path),\n"
                "  csdpdk.capable.required (true | false), csdpdk.timeout (seconds); a bad value\n"
                "  is wrong. OVSDB not answering is a warning; a missing agent.properties is\n"
                "  usage (exit 64). Changes nothing.\n"
                "Result: ready, keys[] (key, expected, actual or null, state: ok | missing |\n"
                "  wrong | recommended | optional, reason), lines[] (to add or change, in the\n"
                "  order of keys), file, ovs_socket_dir (or null). Exit 0 when ready, 1 when\n"
                "  not. --format text: the verdict, one line per key, the lines to paste.\n",
        .flags = VERB_OVSDB,
        .run = verb_agent_config_run,
        .text = verb_agent_config_text,
    },
    {
        .name = "plug",
        .summary = "create (or find) the OVS vhost-user ports of a VM's DPDK NICs",
        .help = "Request: {\"vm\": {\"uuid\": UUID, \"name\", \"vcpus\", \"memory_kib\"},\n"
                "          \"nics\": [{\"mac\": MAC, \"bridge\": BRIDGE, \"vlan\": 1..4094 | null,\n"
                "                    \"model\": \"virtio\", \"queues\": N, \"uuid\": NIC-UUID}, ...],\n"
                "          \"details\": {as for decode},\n"
                "          \"domain_xml\": \"<domain>...\" (optional), \"reconnect\": SECONDS (default 1),\n"
                "          \"wait\": true (default) | false}\n"
                "  Without vm.uuid (or vm) every NIC needs its uuid: the ports are the NICs',\n"
                "  bound to their VM when its domain starts (the libvirt hook) or by adopt; a\n"
                "  plug with the VM binds them too. A plug by NIC whose port is bound to a VM\n"
                "  that runs here (asked of --libvirt) is port_conflict: a start of a running\n"
                "  VM, whose failure path would unplug that VM's port.\n"
                "  All new ports are created in one OVSDB transaction, named csdpdk-N; the\n"
                "  same VM and MAC again returns its port with created: false, unless a\n"
                "  migration to this host made it less than an hour ago (port_conflict), or\n"
                "  the port is removed before plug could tag it (port_conflict: plug again).\n"
                "  The socket directory is openvswitch.dpdk.ovs.path of --agent-properties.\n"
                "  With wait, plug returns once ovs-vswitchd has made the new ports (it says\n"
                "  so through Open_vSwitch cur_cfg), within --timeout: a port it refused is\n"
                "  port_refused, a switch that does not answer is timeout; either way the new\n"
                "  ports are removed again. No ovs-vswitchd running beside OVSDB: a warning,\n"
                "  no wait.\n"
                "Result: ports[] (mac, port, bridge, type, socket, guest_mode, vlan, created),\n"
                "  mode, interfaces[] (XML), numa, hugepages, domain_xml (when given one),\n"
                "  locality (vm_nodes, source: numatune | null, pmd_nodes, verdict:\n"
                "  local | cross_numa | unknown, notes[]): where OVS will poll the NICs, from\n"
                "  domain_xml's <numatune> (and vCPU pinning, for a warning); cross-NUMA is a\n"
                "  warning; a switch that cannot poll or buffer them at all is numa_refused\n"
                "  (exit 69), before anything changes.\n",
        .flags = VERB_REQUEST | VERB_MUTATES | VERB_OVSDB | VERB_LIBVIRT,
        .run = verb_plug_run,
    },
    {
        .name = "render",
        .summary = "the domain XML of a VM whose ports are known, without touching OVSDB",
        .help = "Request: as for plug, with \"port\": \"csdpdk-N\" in every NIC.\n"
                "  Renders one <interface type='vhostuser'> per NIC (socket, mode, virtio,\n"
                "  queues, target dev, reconnect when QEMU is the socket client, the interface\n"
                "  details), checks the NUMA cells (shared memory, CPUs within the vCPUs,\n"
                "  memory adding up, <page nodeset> naming cells that exist) and merges it\n"
                "  all into domain_xml when given. With \"host_report\" (a host's capabilities\n"
                "  result), judges the VM's NUMA locality there from domain_xml as plug does\n"
                "  (cross-NUMA a warning, numa_refused exit 69).\n"
                "Result: mode, interfaces[] (XML), numa, hugepages, domain_xml (when given one),\n"
                "  locality (with host_report). --format text prints the XML itself (and the\n"
                "  locality's verdict).\n",
        .flags = VERB_REQUEST,
        .run = verb_render_run,
        .text = verb_render_text,
    },
    {
        .name = "domain-complete",
        .summary = "complete the vhost-user interfaces of a domain about to start, as render writes them",
        .help = "Request: {\"domain_xml\": \"<domain>...</domain>\"} (the whole domain, as CloudStack's\n"
                "          agent hands it to its XML transformer hook at a VM's start).\n"
                "  Each <interface type='vhostuser'> whose socket names a csdpdk port of this\n"
                "  host (the port named as the socket's file, else the client-mode port whose\n"
                "  vhost-server-path it is; doubled '/' ignored) that serves it (not another\n"
                "  VM's or MAC's, its type fitting <source mode>, the same socket) gets <target\n"
                "  dev='PORT'/>, its socket path without doubled '/', and <reconnect\n"
                "  enabled='yes' timeout='1'/> in <source> with mode='client' (QEMU the\n"
                "  socket's client), none with mode='server' (libvirt refuses one there); a\n"
                "  <reconnect> already there in client mode is kept. Other interfaces, with no\n"
                "  port or not csdpdk's, are left alone and listed with the reason: not an\n"
                "  error. An interface with more than one <driver> (libvirt reads the first)\n"
                "  is a warning. The rest of the document is kept as libxml2 reads it; nothing\n"
                "  changed: the input byte for byte. Reads OVSDB (--ovsdb) and the socket\n"
                "  directory (--agent-properties) only when there is a vhost-user interface;\n"
                "  changes nothing.\n"
                "Result: domain_xml, changed, interfaces[] (mac, port or null, changes[]:\n"
                "  path | reconnect | target, reason: null, or why it is left alone).\n"
                "  --format text: one line per interface, then the domain.\n",
        .flags = VERB_REQUEST | VERB_OVSDB,
        .run = verb_domain_complete_run,
        .text = verb_domain_complete_text,
    },
    {
        .name = "unplug",
        .summary = "remove a VM's ports, or named csdpdk-N ports",
        .help = "Request: {\"vm\": {\"uuid\": UUID}} and/or {\"ports\": [\"csdpdk-N\", ...]}\n"
                "  With both, a named port of another VM is a port_conflict. An absent port\n"
                "  is a warning, not an error. {\"vm\": ..., \"macs\": [MAC, ...]}: the VM's ports\n"
                "  for these MACs, found by MAC whatever the number of ports (a MAC on another\n"
                "  VM's port is a port_conflict; a MAC without a port, a warning).\n"
                "Result: removed[], absent[] (port names).\n",
        .flags = VERB_REQUEST | VERB_MUTATES | VERB_OVSDB,
        .run = verb_unplug_run,
    },
    {
        .name = "status",
        .summary = "VM -> MAC -> port -> socket -> OVS link state",
        .help = "Request (optional): {\"vm\": {\"uuid\": UUID}}; without it, every vhost-user port.\n"
                "Result: ports[] (port, bridge, type, mode, owner, mac, socket, connected,\n"
                "  numa, queues, error, link_state, ofport, op_id, owned_by: vm | nic | none,\n"
                "  nic, adopted, rxqs[] (queue, enabled, pmd_core, pmd_numa), cross_numa,\n"
                "  unpolled, counters (rx_packets, rx_bytes, rx_dropped, tx_packets, tx_bytes,\n"
                "  tx_dropped)), pmds[] (core, numa, isolated) or null, pmd_error. owner is\n"
                "  the VM (null for a NIC's port not bound to its VM yet, and for a port\n"
                "  csdpdk does not own). numa is the node OVS placed the vhost device on;\n"
                "  rxqs, cross_numa and unpolled come from ovs-vswitchd's\n"
                "  dpif-netdev/pmd-rxq-show (null when it does not answer: pmd_error says\n"
                "  why). --format text: a table in 100 columns (port, VM, MAC, mode,\n"
                "  connected, queues, polling); with --verbose the bridge, link, ofport,\n"
                "  node, PMDs, counters, socket, error and migration under each port.\n"
                "  --format prometheus: metrics for node_exporter's textfile collector.\n",
        .flags = VERB_REQUEST | VERB_REQUEST_OPTIONAL | VERB_OVSDB,
        .run = verb_status_run,
        .text = verb_status_text,
        .prometheus = verb_status_prometheus,
    },
    {
        .name = "gc",
        .summary = "find (and with --apply remove) csdpdk's ports whose VM no longer runs",
        .help = "Reads no request. A VM's port counts when libvirt (--libvirt) does not know or\n"
                "  does not run its VM (asked only when there is such a port); ports of an\n"
                "  in-flight migration are kept, and so is, for an hour, a port that a plug\n"
                "  handed out for a start (csdpdk-plug-time; a VM is plugged before its domain\n"
                "  starts). A NIC's port not bound to its VM yet is kept for an hour after it\n"
                "  was made, then counts when no running domain uses its socket or MAC. With\n"
                "  --foreign, so does a vhost-user port on a netdev bridge that csdpdk does not\n"
                "  own (CloudStack's; what adopt reports as an orphan). --apply removes them\n"
                "  only if none was retagged or removed meanwhile, else judges again;\n"
                "  port_conflict (exit 75) after three tries.\n"
                "Result: orphans[] (port, vm, nic, bridge, domain: missing | inactive | none,\n"
                "  owned_by: vm | nic | none), removed[], kept[] (port, vm, reason).\n",
        .flags = VERB_MUTATES | VERB_APPLY | VERB_FOREIGN | VERB_OVSDB | VERB_LIBVIRT,
        .run = verb_gc_run,
    },
    {
        .name = "adopt",
        .summary = "take CloudStack's own vhost-user ports under csdpdk's care, by the domain using each",
        .help = "Reads no request. Finds the vhost-user ports csdpdk does not own (CloudStack's\n"
                "  csdpdk-N, any other on a netdev bridge) and the NICs' ports not bound to\n"
                "  their VM yet, and matches each to the running domains libvirt (--libvirt)\n"
                "  knows by socket (openvswitch.dpdk.ovs.path of --agent-properties for a\n"
                "  server-mode port) and MAC. A dry run unless --apply: then one transaction\n"
                "  tags each port one running domain alone uses (vm-id, attached-mac,\n"
                "  iface-id, csdpdk-adopted), and the naming hint moves past the highest\n"
                "  csdpdk-N. Never removes, renames or reconfigures a port; safe to repeat.\n"
                "Result: ports[] (port, bridge, type, verdict: adopted | bound | csdpdk |\n"
                "  orphan | ambiguous | ignored, vm, domain, mac, reason), applied, tagged,\n"
                "  next_port (with --apply). An ambiguous port is also a warning.\n"
                "  --format text: a line per port in 100 columns (a longer name on a line of\n"
                "  its own), its reason under it.\n",
        .flags = VERB_MUTATES | VERB_APPLY | VERB_OVSDB | VERB_LIBVIRT,
        .run = verb_adopt_run,
        .text = verb_adopt_text,
    },
    {
        .name = "migrate-prepare",
        .summary = "destination: check this host can take the VM, then create its ports for op_id",
        .help = "Request: as for plug, with \"op_id\": ID (1 to 64 of A-Z a-z 0-9 . _ : -).\n"
                "  Checks this host's DPDK capability, the VM's netdev bridges and free\n"
                "  hugepages of the VM's page size (on the nodes domain_xml's <numatune> binds\n"
                "  memory to, for that memory), its NUMA locality here (check numa: as\n"
                "  plug judges it); only when all hold creates (or finds) the\n"
                "  ports, tagged with op_id, and waits as plug does until the switch has them\n"
                "  (a migration into a missing backend would hang). Not eligible: exit 1,\n"
                "  nothing created.\n"
                "Result: eligible, checks[] (id, side, ok, detail), mapping (MAC -> path, port,\n"
                "  mode: CloudStack's DpdkTO), op_id, locality (as plug's, or null), host\n"
                "  (numa, ovs.other_config, pmd_source: this host's NUMA facts as capabilities\n"
                "  has them; default_page_kib: its default hugepage size; the source's\n"
                "  migrate-check judges the VM's placement and pages with them), and plug's\n"
                "  result (ports[], mode, interfaces[], numa, hugepages, domain_xml when given)\n"
                "  when eligible. --format text: the verdict, the checks and the mapping, one\n"
                "  aligned line each.\n",
        .flags = VERB_REQUEST | VERB_MUTATES | VERB_OVSDB | VERB_LIBVIRT,
        .run = verb_migrate_prepare_run,
        .text = verb_migrate_prepare_text,
    },
    {
        .name = "migrate-check",
        .summary = "source: check both ends before migrating a DPDK VM",
        .help = "Request: {\"domain_xml\": the running domain, \"destination\": libvirt URI,\n"
                "          \"destination_report\": the destination's migrate-prepare or\n"
                "          capabilities result} (destination and/or destination_report).\n"
                "  domain_xml is what libvirt gives of the running VM (VIR_DOMAIN_XML_MIGRATABLE;\n"
                "  <target dev=''/>: each port is found by its socket's name).\n"
                "  Source: the VM is DPDK-enabled, each vhost-user port exists and is\n"
                "  connected. Destination: libvirt answers and has free pages of the VM's page\n"
                "  size (on the cells its <numatune> binds memory to, for that memory); the\n"
                "  report says eligible (or dpdk) and maps every MAC. A destination\n"
                "  libvirt that cannot be reached is libvirt_unavailable (exit 69), one that\n"
                "  does not answer within --timeout is timeout (exit 75).\n"
                "  NUMA: each port's polling on the source now (as status has it), and the\n"
                "  destination's locality (judged from the report's numa, capabilities' or\n"
                "  migrate-prepare's host.numa, with domain_xml's placement; else the report's\n"
                "  own locality):\n"
                "  cross-NUMA is a warning; a destination that cannot poll the VM fails numa.\n"
                "Result: eligible, checks[] (id, side, ok, detail), locality (source_ports[]:\n"
                "  port, mac, numa, rxqs, cross_numa, unpolled; destination: as plug's, or\n"
                "  null). Exit 1 when not eligible.\n"
                "  --format text: the verdict, then one aligned line per check.\n",
        .flags = VERB_REQUEST | VERB_OVSDB | VERB_LIBVIRT,
        .run = verb_migrate_check_run,
        .text = verb_migrate_check_text,
    },
    {
        .name = "migrate-rewrite",
        .summary = "point the domain XML at the destination's ports",
        .help = "Request: {\"domain_xml\": ..., \"mapping\": {MAC: {\"path\": DIR, \"port\": \"csdpdk-N\",\n"
                "          \"mode\": \"client\" | \"server\"}}, \"reconnect\": SECONDS (default 1)}\n"
                "  Each vhost-user interface, by MAC: target dev, source path DIR/port and\n"
                "  mode; <reconnect> when QEMU becomes the socket client. A MAC missing from\n"
                "  the mapping is missing_interface.\n"
                "Result: domain_xml.\n",
        .flags = VERB_REQUEST,
        .run = verb_migrate_rewrite_run,
    },
    {
        .name = "migrate-abort",
        .summary = "destination: remove exactly the ports of op_id",
        .help = "Request: {\"op_id\": ID}. Safe to repeat.\n"
                "Result: removed[] (port names).\n",
        .flags = VERB_REQUEST | VERB_MUTATES | VERB_OVSDB,
        .run = verb_migrate_abort_run,
    },
    {
        .name = "migrate-finish",
        .summary = "destination: after a migration, check the VM's NICs work, make the ports ordinary",
        .help = "Request: {\"op_id\": ID, \"verify\": true (default) | false}.\n"
                "  With verify, waits (within --timeout) until each port of op_id is connected\n"
                "  with the virtio features its guest negotiated (Interface status:features)\n"
                "  and every vring of each queue set up (status:vring_N_size).\n"
                "  A device set up again without them (the switch restarted while the VM\n"
                "  moved: libvirt still reports success) is port_broken (exit 70): the VM's NIC\n"
                "  needs a restart of the VM; a port not connected in time is timeout (exit\n"
                "  75); nothing is changed (do not migrate-abort a VM that runs here). Then\n"
                "  removes the migration tags (csdpdk-op-id, csdpdk-op-time) so that gc and\n"
                "  unplug treat the ports as the VM's own.\n"
                "Result: ports[] (port names), verified, queues (port -> queue pairs, when\n"
                "  verified).\n",
        .flags = VERB_REQUEST | VERB_MUTATES | VERB_OVSDB,
        .run = verb_migrate_finish_run,
    },
    {
        .name = "sockets-clean",
        .summary = "remove the stale sockets of server-mode ports, before ovs-vswitchd starts",
        .help = "Reads no request. In OVS's socket directory (the run directory of --ovsdb's\n"
                "  socket plus other_config:vhost-sock-dir), removes each file that is a socket\n"
                "  (lstat: a symbolic link is never followed), is named after an Interface of\n"
                "  type dpdkvhostuser, and that nobody holds: what a switch killed with -9\n"
                "  leaves, and the next one cannot bind. A running ovs-vswitchd's sockets are\n"
                "  judged from its /proc/PID/net/unix, never by connecting (OVS would tear the\n"
                "  port's device down); without a switch, connect() must be refused. Keeps\n"
                "  all else. Safe at any time; run by the ovs-vswitchd.service drop-in before\n"
                "  every start of the switch.\n"
                "Result: socket_dir, removed[] (names), kept[] (name, reason) for every socket\n"
                "  and every dpdkvhostuser port's file kept.\n",
        .flags = VERB_MUTATES | VERB_OVSDB,
        .run = verb_sockets_clean_run,
    },
    {
        .name = "offering build",
        .summary = "the details of a DPDK service offering, encoded, with a ready CloudMonkey command",
        .help = "Request: {\"vcpus\": N, \"memory_mib\": N, \"page_size_kib\": 2048 (default) | 1048576,\n"
                "          \"mode\": \"server\" (default) | \"client\",\n"
                "          \"cells\": [{\"cpus\": \"0-1\", \"memory_mib\": N}, ...] (default: one cell\n"
                "          with every vCPU and all memory), \"queues\": N (<driver queues> on\n"
                "          every vhost-user NIC), \"name\": TEXT, \"cpu_speed_mhz\": N (default 1000)}\n"
                "  Memory must be a whole number of pages, in each cell too; the cells must\n"
                "  add up to memory_mib and hold only CPUs below vcpus. The details then go\n"
                "  through decode and render's checks, so plug accepts what is printed.\n"
                "Result: details (key -> value as CloudStack's API takes it: snippets\n"
                "  URL-encoded as Java's URLEncoder writes them, the mode as is), decoded\n"
                "  (key -> value as the agent receives it), cloudmonkey (a 'create\n"
                "  serviceoffering' command line), api_query (as sent, before signing),\n"
                "  name, management_server (the CloudStack settings the snippets would need as\n"
                "  VM details, which offering details do not: allow_list (every element name\n"
                "  they use), settings[] (name, value, scope, needed_for, why), cloudmonkey[],\n"
                "  api_queries[], notes[]). --format text prints them for a person to paste.\n",
        .flags = VERB_REQUEST,
        .run = verb_offering_build_run,
        .text = verb_offering_build_text,
    },
    {
        .name = "offering check",
        .summary = "check a service offering's DPDK details, naming every problem",
        .help = "Request: {\"details\": {KEY: VALUE, ...}} (URL-encoded or not, as given to the\n"
                "          API) or {\"cloudmonkey\": \"create serviceoffering ...\"} (its\n"
                "          serviceofferingdetails[N].key/value, cpunumber and memory), and\n"
                "          optionally \"vcpus\", \"memory_mib\" to check the cells against.\n"
                "  Each detail is checked on its own, so every bad one is named: its\n"
                "  encoding (a snippet not URL-encoded is a warning, an error when decoding\n"
                "  would change it), then decode of it. Then both snippets must be there\n"
                "  (not_dpdk otherwise) and, with vcpus or memory, the cells must fit.\n"
                "Result: usable, problems[] (severity, field, code, message), decode (decode's\n"
                "  result for the details without a problem, or null), details (key ->\n"
                "  decoded value), management_server (as offering build's, from every\n"
                "  snippet that decodes; empty lists without one). Exit 1 when not usable.\n"
                "  --format text: one line each, then the settings.\n",
        .flags = VERB_REQUEST,
        .run = verb_offering_check_run,
        .text = verb_offering_check_text,
    },
};

const size_t n_verbs = ARRAY_SIZE(verbs);

const struct global_option global_options[] = {
    {"ovsdb", "URL", "OVSDB server (default unix:/var/run/openvswitch/db.sock)"},
    {"libvirt", "URI", "libvirt connection (default qemu:///system)"},
    {"agent-properties", "FILE",
     "CloudStack agent settings\n(default /etc/cloudstack/agent/agent.properties)"},
    {"sysfs", "DIR", "sysfs root (default /sys)"},
    {"proc", "DIR", "procfs root, for mounts (default /proc)"},
    {"qemu-conf", "FILE", "libvirt's qemu.conf, for QEMU's user\n(default /etc/libvirt/qemu.conf)"},
    {"request", "FILE", "read the request from FILE instead of stdin"},
    {"format", "json|text|prometheus",
     "json (default when stdout is not a terminal), text, or prometheus (status's metrics)"},
    {"timeout", "SECONDS", "bound on every wait for OVSDB or libvirt (default 30)"},
    {"dry-run", NULL, "(verbs that change the host) report, change nothing"},
    {"apply", NULL, "(gc) remove what is found; (adopt) tag what is found"},
    {"foreign", NULL, "(gc) judge the vhost-user ports csdpdk does not own too"},
    {"verbose", NULL, "log to stderr; with --format text, the details too"},
    {"help", NULL, "this help; 'csdpdk VERB --help' for one verb"},
    {"version", NULL, "same as the verb 'version'"},
};

const size_t n_global_options = ARRAY_SIZE(global_options);
