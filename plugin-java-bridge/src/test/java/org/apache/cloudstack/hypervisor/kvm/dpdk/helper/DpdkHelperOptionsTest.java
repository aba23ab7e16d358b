package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The options alone: no process runs. */
class DpdkHelperOptionsTest extends TestSupport {

    private static String helperTimeout(long timeoutMillis) {
        return DpdkHelperOptions.formatSeconds(DpdkHelperOptions.builder().timeout(Duration.ofMillis(timeoutMillis))
                .build().getEffectiveHelperTimeout());
    }

    @Test
    void csdpdksTimeoutIsBelowTheBridgesWithRoomForItsWatchdog() {
        assertEquals("27", helperTimeout(30_000));
        assertEquals("8", helperTimeout(10_000));
        assertEquals("3.25", helperTimeout(5_000));
        assertEquals("0.5", helperTimeout(2_000), "never less than a quarter");
        assertEquals("3600", helperTimeout(7_200_000), "csdpdk's maximum");
        for (long t = 200; t < 120_000; t += 100) {
            DpdkHelperOptions o = DpdkHelperOptions.builder().timeout(Duration.ofMillis(t)).build();
            assertTrue(o.getEffectiveHelperTimeout().compareTo(o.getTimeout()) < 0, "at " + t + " ms");
        }
        assertEquals("0.25", DpdkHelperOptions.formatSeconds(DpdkHelperOptions.builder()
                .helperTimeout(Duration.ofMillis(250)).build().getEffectiveHelperTimeout()));
    }

    @Test
    void unsetOptionsAreNotPassed() {
        assertEquals(List.of("--timeout", "27"), DpdkHelperOptions.defaults().globalArgs());
        DpdkHelperOptions all = DpdkHelperOptions.builder().ovsdb("unix:/a").libvirt("test:///default")
                .agentProperties("/b").sysfs("/c").proc("/d").qemuConf("/e").verbose(true).build();
        assertEquals(List.of("--timeout", "27", "--ovsdb", "unix:/a", "--libvirt", "test:///default",
                             "--agent-properties", "/b", "--sysfs", "/c", "--proc", "/d", "--qemu-conf", "/e",
                             "--verbose"), all.globalArgs());
        assertEquals(all.globalArgs(), all.toBuilder().build().globalArgs());
    }

    @Test
    void badTimeoutsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DpdkHelperOptions.builder().timeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                     () -> DpdkHelperOptions.builder().helperTimeout(Duration.ofSeconds(-1)));
    }

    @Test
    void theBinaryIsFoundOnPathElseInUsrBin() throws Exception {
        Path dir = tmp.resolve("bin");
        java.nio.file.Files.createDirectories(dir);
        assertEquals(DpdkHelperClient.DEFAULT_BINARY, DpdkHelperClient.findBinary(dir.toString()));
        standIn(dir, "csdpdk", "exit 0");
        assertEquals(dir.resolve("csdpdk").toString(),
                     DpdkHelperClient.findBinary("/nonexistent:" + dir + ":/usr/bin"));
        assertEquals(DpdkHelperClient.DEFAULT_BINARY, DpdkHelperClient.findBinary(null));
    }

    @Test
    void dpdkToJoinsPathAndPortWithOneSlash() {
        assertEquals("/var/run/openvswitch/csdpdk-7",
                     new DpdkTo("/var/run/openvswitch/", "csdpdk-7", "server").getSocketPath());
        assertEquals("/var/run/openvswitch/csdpdk-7",
                     new DpdkTo("/var/run/openvswitch", "csdpdk-7", "server").getSocketPath());
        assertEquals("/csdpdk-7", new DpdkTo("/", "csdpdk-7", "client").getSocketPath());
    }

    @Test
    void operationIdsAreValidForCsdpdk() {
        for (String id : List.of(DpdkHelperClient.newOperationId(),
                                 DpdkHelperClient.operationIdFor("6695EB01-F6A4-8304-79AA-97F2502E193F"))) {
            assertTrue(id.matches("[A-Za-z0-9._:-]{1,64}"), id);
        }
        assertEquals("migrate-6695eb01-f6a4-8304-79aa-97f2502e193f",
                     DpdkHelperClient.operationIdFor("6695EB01-F6A4-8304-79AA-97F2502E193F"));
    }
}
