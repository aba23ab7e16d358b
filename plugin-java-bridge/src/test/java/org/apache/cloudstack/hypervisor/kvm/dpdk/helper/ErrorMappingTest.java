package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import org.junit.jupiter.api.Test;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each class of exit status, produced by the real csdpdk, and what the bridge makes of it. */
class ErrorMappingTest extends TestSupport {

    @Test
    void exit65InvalidRequestIsAPlainException() {
        DpdkHelperClient c = new DpdkHelperClient(csdpdk());
        DpdkHelperException e = assertThrows(DpdkHelperException.class,
                () -> c.call("status", Map.of("bogus_key", 1), StatusResult.class));
        assertSame(DpdkHelperException.class, e.getClass());
        assertEquals("invalid_request", e.getCode());
        assertEquals("bogus_key", e.getField());
        assertEquals(65, e.getExitStatus());
        assertTrue(e.isFromHelper());
    }

    @Test
    void exit64UnknownVerbAndUsageArePlainExceptions() {
        DpdkHelperClient c = new DpdkHelperClient(csdpdk());
        DpdkHelperException unknown = assertThrows(DpdkHelperException.class,
                () -> c.call("no-such-verb", null, VersionResult.class));
        assertSame(DpdkHelperException.class, unknown.getClass());
        assertEquals("unknown_verb", unknown.getCode());
        assertEquals(64, unknown.getExitStatus());

        DpdkHelperException usage = assertThrows(DpdkHelperException.class,
                () -> c.call("version", null, VersionResult.class, "--dry-run"));
        assertEquals("usage", usage.getCode());
        assertEquals(64, usage.getExitStatus());
    }

    @Test
    void exit69OvsdbUnavailableWithANonexistentSocket() {
        DpdkHelperClient c = new DpdkHelperClient(csdpdk(), DpdkHelperOptions.builder()
                .ovsdb("unix:" + tmp.resolve("nonexistent.sock")).build());
        DpdkHelperUnavailableException e = assertThrows(DpdkHelperUnavailableException.class, c::status);
        assertEquals("ovsdb_unavailable", e.getCode());
        assertEquals(69, e.getExitStatus());
        assertTrue(e.isFromHelper());
        assertNull(e.getField());

        DpdkHelperUnavailableException plug = assertThrows(DpdkHelperUnavailableException.class,
                () -> c.plug(new PlugRequest(vm(randomUuid()), List.of(new NicSpec(randomMac(), "br0", 1)),
                                             details("client"))));
        assertEquals("ovsdb_unavailable", plug.getCode());
    }

    /**
     * An OVSDB that accepts the connection and never answers: csdpdk gives up at its own
     * {@code --timeout} and says {@code timeout} (exit 75) before the bridge's timeout.
     */
    @Test
    void exit75TimeoutFromCsdpdkItself() throws Exception {
        Path sock = tmp.resolve("silent.sock");
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(sock));
            DpdkHelperClient c = new DpdkHelperClient(csdpdk(), DpdkHelperOptions.builder()
                    .timeout(Duration.ofSeconds(10)).helperTimeout(Duration.ofMillis(1500))
                    .ovsdb("unix:" + sock).build());
            long start = System.nanoTime();
            DpdkHelperRetryableException e = assertThrows(DpdkHelperRetryableException.class, c::status);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals("timeout", e.getCode());
            assertEquals(75, e.getExitStatus());
            assertTrue(e.isFromHelper());
            assertFalse(e.isKilledOnTimeout(), "csdpdk reported it; the bridge did not have to kill it");
            assertTrue(ms >= 1400 && ms < 5000, "took " + ms + " ms");
        }
    }

    @Test
    void exit75WithTheDefaultMarginStillComesFromCsdpdk() throws Exception {
        Path sock = tmp.resolve("silent.sock");
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(sock));
            DpdkHelperOptions o = DpdkHelperOptions.builder().timeout(Duration.ofSeconds(4))
                    .ovsdb("unix:" + sock).build();
            DpdkHelperRetryableException e = assertThrows(DpdkHelperRetryableException.class,
                    () -> new DpdkHelperClient(csdpdk(), o).status());
            assertEquals("timeout", e.getCode(), "csdpdk's --timeout " + o.getEffectiveHelperTimeout()
                    + " is below the bridge's 4 s");
        }
    }

    @Test
    void exit1CapabilitiesNotCapableIsAResult() throws Exception {
        try (OvsdbServer ovs = OvsdbServer.start("br0")) {
            DpdkHelperClient c = new DpdkHelperClient(csdpdk(), ovs.options()
                    .agentProperties(tmp.resolve("no-agent.properties").toString()).build());
            CapabilitiesResult r = c.capabilities();
            assertEquals(1, r.getExitStatus());
            assertFalse(r.isDpdkCapable());
            assertEquals("", r.getCapabilityToken());
            assertTrue(r.getReasonCodes().contains("agent_properties_missing"), r.getReasonCodes().toString());
            assertTrue(r.getReasonCodes().contains("dpdk_not_initialized"), r.getReasonCodes().toString());
            assertFalse(r.getChecks().isEmpty());
            assertTrue(r.getOvs().isJsonObject(), "OVSDB answered");
        }
    }

    /** A host that passes every check, fabricated: OVSDB's row, a pidfile, sysfs, mounts, qemu.conf. */
    @Test
    void exit0CapabilitiesCapableGivesTheDpdkToken() throws Exception {
        try (OvsdbServer ovs = OvsdbServer.start("br0")) {
            DpdkHelperClient c = new DpdkHelperClient(csdpdk(), ovs.makeCapable(tmp).build());
            CapabilitiesResult r = c.capabilities();
            assertTrue(r.getReasons().isEmpty(), r.getReasons().toString());
            assertEquals(0, r.getExitStatus());
            assertTrue(r.isDpdkCapable());
            assertEquals("dpdk", r.getCapabilityToken());
            assertEquals(1, r.getNumaNodes());
            assertEquals(1024L, r.getHugepages().get(0).getTotal());
        }
    }
}
