package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import com.google.gson.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mapping table, row by row, with a stand-in that answers a canned envelope and exit status, and
 * the migration verbs' results as the contract shapes them (the real ones are in MigrationTest).
 */
class ExitMappingTest extends TestSupport {

    private DpdkHelperClient canned(String stdout, int exit) throws Exception {
        Path p = cannedHelper(tmp, stdout, exit);
        return new DpdkHelperClient(p.toString(), DpdkHelperOptions.builder().timeout(Duration.ofSeconds(10)).build());
    }

    private static String error(String verb, String code, String field) {
        return "{\"error\": {\"code\": \"" + code + "\", \"field\": " + (field == null ? "null" : "\"" + field + "\"")
                + ", \"message\": \"what went wrong\"}, \"ok\": false, \"verb\": \"" + verb + "\", \"warnings\": []}";
    }

    private static String ok(String verb, String result) {
        return "{\"ok\": true, \"result\": " + result + ", \"verb\": \"" + verb + "\", \"warnings\": [\"careful\"]}";
    }

    @ParameterizedTest(name = "exit {0} {1} -> {2}")
    @CsvSource({
        "64, usage,               DpdkHelperException",
        "64, unknown_verb,        DpdkHelperException",
        "65, invalid_mode,        DpdkHelperException",
        "65, missing_interface,   DpdkHelperException",
        "69, ovsdb_unavailable,   DpdkHelperUnavailableException",
        "69, libvirt_unavailable, DpdkHelperUnavailableException",
        "70, internal,            DpdkHelperException",
        "70, ovsdb_error,         DpdkHelperException",
        "75, timeout,             DpdkHelperRetryableException",
        "75, port_conflict,       DpdkHelperRetryableException",
    })
    void eachErrorExitStatusMapsToItsException(int exit, String code, String exceptionClass) throws Exception {
        DpdkHelperClient c = canned(error("plug", code, "nics[0].mac"), exit);
        DpdkHelperException e = assertThrows(DpdkHelperException.class, () -> c.plug(new PlugRequest()));
        assertEquals(exceptionClass, e.getClass().getSimpleName());
        assertEquals(code, e.getCode());
        assertEquals("nics[0].mac", e.getField());
        assertEquals("what went wrong", e.getHelperMessage());
        assertEquals(exit, e.getExitStatus());
        assertTrue(e.isFromHelper());
        assertEquals("plug", e.getVerb());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ok false with exit 0        | 0  | {\"error\": {\"code\": \"internal\", \"field\": null, \"message\": \"m\"}, \"ok\": false, \"verb\": \"plug\", \"warnings\": []}",
        "ok true with exit 65        | 65 | {\"ok\": true, \"result\": {}, \"verb\": \"plug\", \"warnings\": []}",
        "exit 1 for plug             | 1  | {\"ok\": true, \"result\": {}, \"verb\": \"plug\", \"warnings\": []}",
        "an error with exit 2        | 2  | {\"error\": {\"code\": \"internal\", \"field\": null, \"message\": \"m\"}, \"ok\": false, \"verb\": \"plug\", \"warnings\": []}",
        "another verb's envelope     | 0  | {\"ok\": true, \"result\": {}, \"verb\": \"unplug\", \"warnings\": []}",
        "no result                   | 0  | {\"ok\": true, \"verb\": \"plug\", \"warnings\": []}",
        "an error without a code     | 65 | {\"error\": {\"field\": null, \"message\": \"m\"}, \"ok\": false, \"verb\": \"plug\", \"warnings\": []}",
        "a result of the wrong shape | 0  | {\"ok\": true, \"result\": {\"ports\": \"csdpdk-1\"}, \"verb\": \"plug\", \"warnings\": []}",
        "warnings not a list         | 0  | {\"ok\": true, \"result\": {}, \"verb\": \"plug\", \"warnings\": \"w\"}",
        "ok true without a verb      | 0  | {\"ok\": true, \"result\": {}, \"verb\": null, \"warnings\": []}",
    })
    void anEnvelopeThatContradictsItsExitStatusIsBadOutput(String what, int exit, String stdout) throws Exception {
        DpdkHelperClient c = canned(stdout, exit);
        DpdkHelperUnavailableException e = assertThrows(DpdkHelperUnavailableException.class,
                () -> c.plug(new PlugRequest()), what);
        assertEquals(DpdkHelperException.HELPER_BAD_OUTPUT, e.getCode(), what);
        assertEquals(exit, e.getExitStatus());
        assertFalse(e.isFromHelper());
    }

    @Test
    void anUnknownVerbEnvelopeHasANullVerb() throws Exception {
        DpdkHelperClient c = canned("{\"error\": {\"code\": \"unknown_verb\", \"field\": null, \"message\": \"m\"},"
                + " \"ok\": false, \"verb\": null, \"warnings\": []}", 64);
        DpdkHelperException e = assertThrows(DpdkHelperException.class, () -> c.abortMigration("op-1"));
        assertEquals("unknown_verb", e.getCode());
        assertEquals(64, e.getExitStatus());
    }

    @Test
    void exit1FromCapabilitiesIsANegativeResult() throws Exception {
        CapabilitiesResult r = canned(ok("capabilities", "{\"capability\": \"\", \"dpdk\": false, \"reasons\": "
                + "[{\"code\": \"no_hugepages\", \"message\": \"none\"}], \"checks\": [], \"ovs\": null}"), 1)
                .capabilities();
        assertFalse(r.isDpdkCapable());
        assertEquals("", r.getCapabilityToken());
        assertEquals(List.of("no_hugepages"), r.getReasonCodes());
        assertEquals(List.of("careful"), r.getWarnings());
        assertTrue(r.getOvs().isJsonNull());
    }

    @Test
    void capabilitiesThatDisagreeWithThemselvesAreNotCapable() throws Exception {
        // dpdk true but capability empty: any disagreement counts as not capable.
        CapabilitiesResult r = canned(ok("capabilities", "{\"capability\": \"\", \"dpdk\": true, \"reasons\": []}"), 0)
                .capabilities();
        assertFalse(r.isDpdkCapable());
        CapabilitiesResult yes = canned(ok("capabilities", "{\"capability\": \"dpdk\", \"dpdk\": true}"), 0)
                .capabilities();
        assertTrue(yes.isDpdkCapable());
        assertEquals("dpdk", yes.getCapabilityToken());
    }

    // ---------------------------------------------------------------- migration, as the contract shapes it

    private static final String MAC1 = "02:00:18:91:00:10";
    private static final String MAC2 = "02:00:18:91:00:11";

    private static MigratePrepareRequest prepareRequest(String opId) {
        return new MigratePrepareRequest(opId, new VmSpec(randomUuid()),
                List.of(new NicSpec(MAC1, "br0", 100), new NicSpec(MAC2, "br0", null)), details("client"));
    }

    private static final String CHECKS = "[{\"detail\": \"2048 free 2 MiB pages on node 0\", \"id\": \"hugepages\", "
            + "\"ok\": true, \"side\": \"destination\"}, {\"detail\": \"br0 exists\", \"id\": \"bridges\", "
            + "\"ok\": true, \"side\": \"destination\"}]";

    @Test
    void prepareForMigrationReturnsTheMappingByMac() throws Exception {
        String result = "{\"eligible\": true, \"checks\": " + CHECKS + ", \"mapping\": {\""
                + MAC1 + "\": {\"mode\": \"server\", \"path\": \"/var/run/openvswitch\", \"port\": \"csdpdk-7\"}, \""
                + MAC2 + "\": {\"mode\": \"server\", \"path\": \"/var/run/openvswitch\", \"port\": \"csdpdk-8\"}},"
                + " \"ports\": [{\"mac\": \"" + MAC1 + "\", \"port\": \"csdpdk-7\", \"created\": true}],"
                + " \"interfaces\": [\"<interface/>\"], \"numa\": \"<cpu/>\", \"hugepages\": \"<memoryBacking/>\"}";
        DpdkHelperClient c = canned(ok("migrate-prepare", result), 0);
        Map<String, DpdkTo> map = c.prepareForMigration(prepareRequest("op:1"));
        assertEquals(2, map.size());
        assertEquals(new DpdkTo("/var/run/openvswitch", "csdpdk-7", "server"), map.get(MAC1));
        assertEquals("/var/run/openvswitch/csdpdk-8", map.get(MAC2).getSocketPath());

        JsonObject sent = Json.parseTrusted(recordedStdin(tmp)).getAsJsonObject();
        assertEquals("op:1", sent.get("op_id").getAsString());
        assertEquals(2, sent.getAsJsonArray("nics").size());
        assertTrue(sent.has("details") && sent.has("vm"));
        List<String> argv = recordedArgv(tmp);
        assertEquals("migrate-prepare", argv.get(argv.size() - 1));

        MigratePrepareResult full = c.migratePrepare(prepareRequest("op:1"));
        assertTrue(full.isEligible());
        assertEquals(2, full.getChecks().size());
        assertEquals("destination", full.getChecks().get(0).getSide());
        assertEquals(List.of("csdpdk-7"), full.getPortNames());
        assertEquals(1, full.getInterfaces().size());
    }

    @Test
    void aDestinationThatIsNotEligibleIsAResultOrANotEligibleException() throws Exception {
        String result = "{\"eligible\": false, \"checks\": [{\"detail\": \"no free 2 MiB pages on node 0\", "
                + "\"id\": \"hugepages\", \"ok\": false, \"side\": \"destination\"}], \"mapping\": {}, \"ports\": [],"
                + " \"interfaces\": []}";
        DpdkHelperClient c = canned(ok("migrate-prepare", result), 1);
        MigratePrepareResult r = c.migratePrepare(prepareRequest("op-2"));
        assertFalse(r.isEligible());
        assertEquals(1, r.getExitStatus());
        assertTrue(r.getMapping().isEmpty());

        DpdkHelperNotEligibleException e = assertThrows(DpdkHelperNotEligibleException.class,
                () -> c.prepareForMigration(prepareRequest("op-2")));
        assertEquals(DpdkHelperNotEligibleException.NOT_ELIGIBLE, e.getCode());
        assertEquals(1, e.getExitStatus());
        assertEquals("hugepages", e.getFailedChecks().get(0).getId());
        assertTrue(e.getMessage().contains("no free 2 MiB pages"), e.getMessage());
    }

    @Test
    void anEligibleMappingWithoutEveryNicIsBadOutput() throws Exception {
        String result = "{\"eligible\": true, \"checks\": [], \"mapping\": {\"" + MAC1.toUpperCase()
                + "\": {\"mode\": \"server\", \"path\": \"/run/ovs\", \"port\": \"csdpdk-7\"}}}";
        DpdkHelperUnavailableException e = assertThrows(DpdkHelperUnavailableException.class,
                () -> canned(ok("migrate-prepare", result), 0).prepareForMigration(prepareRequest("op-3")));
        assertEquals(DpdkHelperException.HELPER_BAD_OUTPUT, e.getCode());
        assertTrue(e.getMessage().contains(MAC2), e.getMessage());
    }

    @Test
    void checkMigrationReturnsTheVerdictEitherWay() throws Exception {
        String no = "{\"eligible\": false, \"checks\": [{\"detail\": \"csdpdk-3 is not connected\", \"id\": "
                + "\"ports_connected\", \"ok\": false, \"side\": \"source\"}, {\"detail\": null, \"id\": \"numa\", "
                + "\"ok\": true, \"side\": \"destination\"}]}";
        DpdkHelperClient c = canned(ok("migrate-check", no), 1);
        JsonObject report = Json.parseTrusted("{\"eligible\": true, \"mapping\": {}}").getAsJsonObject();
        MigrateCheckResult r = c.checkMigration(new MigrateCheckRequest("<domain/>")
                .setDestination("qemu+tls://10.0.0.2/system").setDestinationReport(report));
        assertFalse(r.isEligible());
        assertEquals(1, r.getFailedChecks().size());
        assertEquals("source", r.getFailedChecks().get(0).getSide());
        assertNull(r.getChecks().get(1).getDetail());
        JsonObject sent = Json.parseTrusted(recordedStdin(tmp)).getAsJsonObject();
        assertEquals("<domain/>", sent.get("domain_xml").getAsString());
        assertEquals("qemu+tls://10.0.0.2/system", sent.get("destination").getAsString());
        assertEquals(report, sent.get("destination_report"));

        DpdkHelperClient yes = canned(ok("migrate-check", "{\"eligible\": true, \"checks\": []}"), 0);
        assertTrue(yes.checkMigration("<domain/>", null, null).isEligible());
        JsonObject minimal = Json.parseTrusted(recordedStdin(tmp)).getAsJsonObject();
        assertEquals(1, minimal.entrySet().size(), "unset fields are left out: " + minimal);
    }

    @Test
    void rewriteForMigrationSendsTheMappingInDpdkToShape() throws Exception {
        DpdkHelperClient c = canned(ok("migrate-rewrite", "{\"domain_xml\": \"<domain>new</domain>\"}"), 0);
        Map<String, DpdkTo> mapping = new LinkedHashMap<>();
        mapping.put(MAC1, new DpdkTo("/var/run/openvswitch", "csdpdk-7", "server"));
        assertEquals("<domain>new</domain>", c.rewriteForMigration("<domain>old</domain>", mapping));
        JsonObject sent = Json.parseTrusted(recordedStdin(tmp)).getAsJsonObject();
        assertEquals(Json.parseTrusted("{\"" + MAC1 + "\": {\"path\": \"/var/run/openvswitch\", "
                + "\"port\": \"csdpdk-7\", \"mode\": \"server\"}}"), sent.get("mapping"));
        assertEquals("<domain>old</domain>", sent.get("domain_xml").getAsString());
    }

    @Test
    void aMacMissingFromTheMappingIsMissingInterface() throws Exception {
        DpdkHelperClient c = canned(error("migrate-rewrite", "missing_interface", "domain_xml"), 65);
        DpdkHelperException e = assertThrows(DpdkHelperException.class,
                () -> c.rewriteForMigration("<domain/>", Map.of()));
        assertEquals("missing_interface", e.getCode());
        assertEquals(65, e.getExitStatus());
    }

    @Test
    void abortAndFinishSendTheOperationId() throws Exception {
        DpdkHelperClient abort = canned(ok("migrate-abort", "{\"removed\": [\"csdpdk-7\", \"csdpdk-8\"]}"), 0);
        assertEquals(List.of("csdpdk-7", "csdpdk-8"), abort.abortMigration("op-9").getRemoved());
        assertEquals("{\"op_id\":\"op-9\"}", recordedStdin(tmp));

        DpdkHelperClient finish = canned(ok("migrate-finish", "{\"ports\": [\"csdpdk-7\"]}"), 0);
        assertEquals(List.of("csdpdk-7"), finish.finishMigration("op-9").getPorts());
        List<String> argv = recordedArgv(tmp);
        assertEquals("migrate-finish", argv.get(argv.size() - 1));
    }

    @Test
    void exit1IsNotAVerdictForAbortOrRewrite() throws Exception {
        DpdkHelperClient c = canned(ok("migrate-abort", "{\"removed\": []}"), 1);
        assertEquals(DpdkHelperException.HELPER_BAD_OUTPUT,
                     assertThrows(DpdkHelperUnavailableException.class, () -> c.abortMigration("x")).getCode());
    }
}
