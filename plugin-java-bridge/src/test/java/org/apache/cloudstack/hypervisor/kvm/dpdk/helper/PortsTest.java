package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * plug, status, render, unplug and gc through the real csdpdk against a private ovsdb-server. Every
 * test uses its own VM UUIDs and MACs and removes its ports, so none depends on another.
 */
class PortsTest extends TestSupport {
    private static OvsdbServer ovs;
    private static DpdkHelperClient client;

    @BeforeAll
    static void startOvsdb() throws Exception {
        ovs = OvsdbServer.start("br0", "br1");
        client = new DpdkHelperClient(csdpdk(), ovs.options().build());
    }

    @AfterAll
    static void stopOvsdb() throws Exception {
        if (ovs != null) {
            ovs.close();
        }
    }

    private static String unquote(String s) {
        return s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    @Test
    void plugStatusUnplugRoundTrip() throws Exception {
        String uuid = randomUuid();
        String mac1 = randomMac();
        String mac2 = randomMac();
        PlugRequest req = new PlugRequest(vm(uuid), List.of(new NicSpec(mac1, "br0", 100),
                new NicSpec(mac2, "br1", null).setQueues(2).setUuid(randomUuid())), details("client"));

        PlugResult plug = client.plug(req);
        assertEquals(2, plug.getPorts().size());
        assertEquals("client", plug.getMode());
        for (PortInfo p : plug.getPorts()) {
            assertTrue(p.isCreated());
            assertTrue(p.getPort().matches("csdpdk-\\d+"), p.getPort());
            assertEquals("dpdkvhostuserclient", p.getType());
            assertEquals("server", p.getGuestMode());
            assertEquals(ovs.socketDir.resolve(p.getPort()).toString(), p.getSocket());
        }
        PortInfo p1 = plug.getPorts().get(0);
        PortInfo p2 = plug.getPorts().get(1);
        assertEquals(mac1, p1.getMac());
        assertEquals(Integer.valueOf(100), p1.getVlan());
        assertNull(p2.getVlan());
        assertNotEquals(p1.getPort(), p2.getPort());
        assertEquals(List.of(p1.getPort(), p2.getPort()), plug.getPortNames());

        // The interfaces: one per NIC, with the socket and the mode libvirt needs.
        assertEquals(2, plug.getInterfaces().size());
        String xml1 = plug.getInterfaces().get(0);
        assertTrue(xml1.startsWith("<interface type=\"vhostuser\">"), xml1);
        assertTrue(xml1.contains("<mac address=\"" + mac1 + "\"/>"), xml1);
        assertTrue(xml1.contains("path=\"" + p1.getSocket() + "\" mode=\"server\""), xml1);
        assertTrue(xml1.contains("<target dev=\"" + p1.getPort() + "\"/>"), xml1);
        assertTrue(plug.getInterfaces().get(1).contains("<driver queues=\"2\"/>"));
        assertTrue(plug.getNuma().contains("memAccess=\"shared\""));

        // What OVSDB holds.
        assertTrue(ovs.ports("br0").contains(p1.getPort()));
        assertTrue(ovs.ports("br1").contains(p2.getPort()));
        assertEquals("dpdkvhostuserclient", ovs.vsctl("get", "Interface", p1.getPort(), "type"));
        assertEquals(uuid, unquote(ovs.vsctl("get", "Interface", p1.getPort(), "external_ids:vm-id")));
        assertEquals(mac1, unquote(ovs.vsctl("get", "Interface", p1.getPort(), "external_ids:attached-mac")));
        assertEquals(p1.getSocket(), unquote(ovs.vsctl("get", "Interface", p1.getPort(), "options:vhost-server-path")));
        assertEquals("100", ovs.vsctl("get", "Port", p1.getPort(), "tag"));
        assertEquals("[]", ovs.vsctl("get", "Port", p2.getPort(), "tag"));

        // The same plug again finds the ports and writes nothing.
        PlugResult again = client.plug(req);
        assertEquals(plug.getPortNames(), again.getPortNames());
        assertTrue(again.getPorts().stream().noneMatch(PortInfo::isCreated));

        StatusResult status = client.status(uuid);
        assertEquals(2, status.getPorts().size());
        StatusResult.PortStatus s1 = status.findByMac(mac1).orElseThrow();
        assertEquals(p1.getPort(), s1.getPort());
        assertEquals(uuid, s1.getOwner());
        assertEquals("br0", s1.getBridge());
        assertEquals("client", s1.getMode());
        assertEquals(p1.getSocket(), s1.getSocket());
        assertNull(s1.getOpId());
        assertTrue(client.status().findByPort(p2.getPort()).isPresent(), "status of every port lists it too");

        UnplugResult unplug = client.unplug(uuid);
        assertEquals(List.of(p1.getPort(), p2.getPort()).stream().sorted().toList(),
                     unplug.getRemoved().stream().sorted().toList());
        assertFalse(ovs.ports("br0").contains(p1.getPort()));
        assertFalse(ovs.ports("br1").contains(p2.getPort()));
        assertTrue(client.status(uuid).getPorts().isEmpty());

        UnplugResult twice = client.unplug(uuid);
        assertTrue(twice.getRemoved().isEmpty(), "unplugging twice succeeds and removes nothing");
    }

    @Test
    void serverModeAndRenderGiveTheSameInterface() throws Exception {
        String uuid = randomUuid();
        String mac = randomMac();
        PlugRequest req = new PlugRequest(vm(uuid), List.of(new NicSpec(mac, "br0", 42)), details(null));
        try {
            PlugResult plug = client.plug(req);
            PortInfo p = plug.getPorts().get(0);
            assertEquals("dpdkvhostuser", p.getType());
            assertEquals("client", p.getGuestMode());
            assertEquals("dpdkvhostuser", ovs.vsctl("get", "Interface", p.getPort(), "type"));

            PlugRequest known = new PlugRequest(vm(uuid), List.of(new NicSpec(mac, "br0", 42).setPort(p.getPort())),
                                                details(null));
            RenderResult render = client.render(known);
            assertEquals(plug.getInterfaces(), render.getInterfaces());
            assertTrue(render.getInterfaces().get(0).contains("<reconnect enabled=\"yes\" timeout=\"1\"/>"),
                       "QEMU is the socket client: it reconnects");
        } finally {
            client.unplug(uuid);
        }
    }

    @Test
    void plugMergesIntoTheDomainXml() throws Exception {
        String uuid = randomUuid();
        String mac = randomMac();
        String domain = "<domain type=\"kvm\"><name>i-2-9-VM</name><memory>1048576</memory><vcpu>1</vcpu>"
                + "<devices><interface type=\"bridge\"><mac address=\"" + mac + "\"/><source bridge=\"br0\"/>"
                + "</interface></devices></domain>";
        PlugRequest req = new PlugRequest(vm(uuid), List.of(new NicSpec(mac, "br0", 7)), details("client"))
                .setDomainXml(domain);
        try {
            PlugResult plug = client.plug(req);
            String merged = plug.getDomainXml();
            assertTrue(merged.contains("<interface type=\"vhostuser\">"), merged);
            assertFalse(merged.contains("type=\"bridge\""), "the NIC's bridge interface was replaced");
            assertTrue(merged.contains("<memoryBacking><hugepages/></memoryBacking>"), merged);
            assertTrue(merged.contains("memAccess=\"shared\""), merged);
        } finally {
            client.unplug(uuid);
        }
    }

    @Test
    void aDryRunCreatesNothing() throws Exception {
        String uuid = randomUuid();
        PlugRequest req = new PlugRequest(vm(uuid), List.of(new NicSpec(randomMac(), "br0", null)), details("client"));
        PlugResult dry = client.plug(req, true);
        assertEquals(1, dry.getPorts().size());
        assertFalse(ovs.ports("br0").contains(dry.getPorts().get(0).getPort()));
        assertTrue(client.status(uuid).getPorts().isEmpty());
    }

    @Test
    void anotherVmsMacIsARetryablePortConflict() throws Exception {
        String owner = randomUuid();
        String other = randomUuid();
        String mac = randomMac();
        try {
            PlugResult mine = client.plug(new PlugRequest(vm(owner), List.of(new NicSpec(mac, "br0", 10)),
                                                          details("client")));
            DpdkHelperRetryableException e = assertThrows(DpdkHelperRetryableException.class,
                    () -> client.plug(new PlugRequest(vm(other), List.of(new NicSpec(mac, "br0", 10)),
                                                      details("client"))));
            assertEquals("port_conflict", e.getCode());
            assertEquals(75, e.getExitStatus());
            assertEquals("nics[0].mac", e.getField());
            assertFalse(e.isKilledOnTimeout());
            String port = mine.getPorts().get(0).getPort();
            assertEquals(owner, client.status().findByPort(port).orElseThrow().getOwner(), "the port is untouched");
        } finally {
            client.unplug(owner);
            client.unplug(other);
        }
    }

    @Test
    void anUnknownBridgeCreatesNothing() throws Exception {
        String uuid = randomUuid();
        DpdkHelperException e = assertThrows(DpdkHelperException.class, () -> client.plug(new PlugRequest(vm(uuid),
                List.of(new NicSpec(randomMac(), "br0", 5), new NicSpec(randomMac(), "nosuchbr", 5)),
                details("client"))));
        assertSame(DpdkHelperException.class, e.getClass());
        assertEquals("unknown_bridge", e.getCode());
        assertEquals(65, e.getExitStatus());
        assertTrue(client.status(uuid).getPorts().isEmpty(), "all or nothing");
    }

    @Test
    void anInvalidVlanIsRefusedBeforeOvsdb() {
        DpdkHelperException e = assertThrows(DpdkHelperException.class, () -> client.plug(new PlugRequest(
                vm(randomUuid()), List.of(new NicSpec(randomMac(), "br0", 4095)), details("client"))));
        assertEquals("invalid_vlan", e.getCode());
        assertEquals("nics[0].vlan", e.getField());
    }

    @Test
    void unplugOfAnAbsentPortIsAWarning() throws Exception {
        UnplugResult r = client.unplugPorts(List.of("csdpdk-4000000000"));
        assertEquals(List.of("csdpdk-4000000000"), r.getAbsent());
        assertFalse(r.getWarnings().isEmpty());
        DpdkHelperException e = assertThrows(DpdkHelperException.class,
                () -> client.unplugPorts(List.of("vnet0")));
        assertEquals("invalid_port_name", e.getCode());
    }

    @Test
    void gcKeepsAFreshPlugThenListsAndRemovesPortsOfVmsLibvirtDoesNotKnow() throws Exception {
        try (OvsdbServer own = OvsdbServer.start("br0")) {
            DpdkHelperClient c = new DpdkHelperClient(csdpdk(), own.options().build());
            String uuid = randomUuid();
            String port = c.plug(new PlugRequest(vm(uuid), List.of(new NicSpec(randomMac(), "br0", null)),
                                                 details("client"))).getPortNames().get(0);
            GcResult fresh = c.gc(true);
            assertTrue(fresh.getKept().stream().anyMatch(k -> port.equals(k.getPort())
                                                             && k.getReason().startsWith("plugged less than")),
                       "a VM plugged just now may not have started yet: kept " + fresh.getKept());
            assertTrue(fresh.getRemoved().isEmpty());

            // The plug two hours back, past gc's grace: the VM never started.
            String mark = Long.toString(System.currentTimeMillis() / 1000 - 7200);
            own.vsctl("set", "Interface", port, "external_ids:csdpdk-plug-time=" + mark,
                      "--", "set", "Port", port, "external_ids:csdpdk-plug-time=" + mark);
            GcResult listed = c.gc(false);
            GcResult.Orphan orphan = listed.getOrphans().stream().filter(o -> port.equals(o.getPort()))
                    .findFirst().orElseThrow();
            assertEquals(uuid, orphan.getVm());
            assertEquals("missing", orphan.getDomain());
            assertTrue(listed.getRemoved().isEmpty());
            assertTrue(own.ports("br0").contains(port), "without apply nothing is removed");

            GcResult applied = c.gc(true);
            assertEquals(List.of(port), applied.getRemoved());
            assertFalse(own.ports("br0").contains(port));
        }
    }
}
