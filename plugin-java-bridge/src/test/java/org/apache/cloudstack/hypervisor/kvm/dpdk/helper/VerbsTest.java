package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bridge and csdpdk agree on the verbs: every verb the bridge calls is in csdpdk's verb table. */
class VerbsTest extends TestSupport {

    @Test
    void everyVerbTheBridgeCallsIsInCsdpdksHelp() throws Exception {
        HelpResult help = new DpdkHelperClient(csdpdk()).help();
        assertEquals("help", help.getVerb());
        List<String> listed = help.getVerbNames();
        List<String> missing = DpdkHelperClient.VERBS.stream().filter(v -> !listed.contains(v))
                .collect(Collectors.toList());
        assertTrue(missing.isEmpty(), "csdpdk --help --format json lacks " + missing + " (it lists " + listed + ")");
    }

    @Test
    void theVerbsThatChangeTheHostAreTheOnesTheBridgeTreatsSo() throws Exception {
        HelpResult help = new DpdkHelperClient(csdpdk()).help();
        for (VerbInfo v : help.getVerbs()) {
            assertFalse(v.getSummary() == null || v.getSummary().isEmpty(), v.getName());
            if (List.of("plug", "unplug", "gc", "migrate-prepare", "migrate-abort", "migrate-finish")
                    .contains(v.getName())) {
                assertTrue(v.mutates(), v.getName() + " changes the host");
            }
            if (List.of("version", "capabilities", "gc").contains(v.getName())) {
                assertFalse(v.readsRequest(), v.getName() + " reads no request");
            }
        }
    }
}
