package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code decode} and {@code version} through the real csdpdk: pure verbs, no daemon needed. */
class DecodeTest extends TestSupport {
    private static final String DOC_NUMA_XML = "<cpu mode=\"host-passthrough\"><numa><cell id=\"0\" cpus=\"0\" "
            + "memory=\"9437184\" unit=\"KiB\" memAccess=\"shared\"/></numa></cpu>";
    private static final String DOC_HUGEPAGES_XML = "<memoryBacking><hugepages/></memoryBacking>";

    private DpdkHelperClient client() {
        return new DpdkHelperClient(csdpdk());
    }

    private static Map<String, String> documentedOffering() {
        Map<String, String> offering = new LinkedHashMap<>();
        offering.put(DpdkDetails.KEY_HUGEPAGES, DOC_HUGEPAGES);
        offering.put(DpdkDetails.KEY_NUMA, DOC_NUMA);
        return offering;
    }

    @Test
    void documentedOfferingValuesDecodeOnce() throws Exception {
        DecodeResult r = client().decode(DpdkDetails.urlEncoded(documentedOffering(), null));
        assertTrue(r.isDpdk());
        assertEquals(DOC_NUMA_XML, r.getNuma());
        assertEquals(DOC_HUGEPAGES_XML, r.getHugepages());
        assertEquals("server", r.getMode(), "absent DPDK-VHOSTUSER means server");
        assertEquals("dpdkvhostuser", r.getPortType());
        assertEquals("client", r.getGuestMode());
        assertEquals("offering", r.getSources().get(DpdkDetails.KEY_NUMA));
        assertEquals("offering", r.getSources().get(DpdkDetails.KEY_HUGEPAGES));
        assertEquals("default", r.getSources().get(DpdkDetails.KEY_MODE));
        assertTrue(r.getInterfaceExtra().isEmpty());
        assertEquals(0, r.getExitStatus());
        assertEquals("decode", r.getVerb());
        assertTrue(r.getStderr().isEmpty(), "stderr stays empty without --verbose");
    }

    @Test
    void theVmsValueWinsOverTheOfferings() throws Exception {
        Map<String, String> offering = documentedOffering();
        offering.put(DpdkDetails.KEY_MODE, "server");
        Map<String, String> vm = new LinkedHashMap<>();
        vm.put(DpdkDetails.KEY_MODE, "CLIENT");
        vm.put(DpdkDetails.KEY_NUMA, "%3Ccpu%3E%3Cnuma%3E%3Ccell+id%3D%220%22+cpus%3D%220-1%22+memory%3D%222097152%22"
                + "+memAccess%3D%22shared%22%2F%3E%3C%2Fnuma%3E%3C%2Fcpu%3E");
        vm.put("rootDiskController", "scsi");
        DecodeResult r = client().decode(offering, vm, DpdkDetails.ENCODING_URL);
        assertTrue(r.isDpdk());
        assertEquals("client", r.getMode());
        assertEquals("dpdkvhostuserclient", r.getPortType());
        assertEquals("server", r.getGuestMode());
        assertEquals("vm", r.getSources().get(DpdkDetails.KEY_MODE));
        assertEquals("vm", r.getSources().get(DpdkDetails.KEY_NUMA));
        assertEquals("offering", r.getSources().get(DpdkDetails.KEY_HUGEPAGES));
        assertEquals("<cpu><numa><cell id=\"0\" cpus=\"0-1\" memory=\"2097152\" memAccess=\"shared\"/></numa></cpu>",
                     r.getNuma(), "'+' is a space, as Java's URLDecoder has it");
        assertTrue(r.getIgnored().contains("rootDiskController"));
        assertFalse(r.getWarnings().isEmpty(), "each override with another value is a warning");
    }

    @Test
    void onlyOneOfNumaAndHugepagesIsNotDpdk() throws Exception {
        Map<String, String> offering = Map.of(DpdkDetails.KEY_HUGEPAGES, DOC_HUGEPAGES);
        DecodeResult r = client().decode(DpdkDetails.urlEncoded(offering, null));
        assertFalse(r.isDpdk());
        assertNull(r.getNuma());
        assertFalse(r.getWarnings().isEmpty());
    }

    @Test
    void anInvalidModeIsAnExceptionNamingTheField() {
        Map<String, String> vm = Map.of(DpdkDetails.KEY_MODE, "bogus");
        DpdkHelperException e = assertThrows(DpdkHelperException.class,
                () -> client().decode(DpdkDetails.urlEncoded(documentedOffering(), vm)));
        assertSame(DpdkHelperException.class, e.getClass(), "an invalid request is neither retryable nor unavailable");
        assertEquals("invalid_mode", e.getCode());
        assertEquals("vm.DPDK-VHOSTUSER", e.getField());
        assertEquals(65, e.getExitStatus());
        assertTrue(e.isFromHelper());
        assertEquals("decode", e.getVerb());
        assertTrue(e.getHelperMessage().contains("bogus"), e.getHelperMessage());
        assertTrue(e.getMessage().contains("invalid_mode"), e.getMessage());
    }

    @Test
    void aModeWithBlanksIsInvalidToo() {
        Map<String, String> vm = Map.of(DpdkDetails.KEY_MODE, " client");
        DpdkHelperException e = assertThrows(DpdkHelperException.class,
                () -> client().decode(DpdkDetails.urlEncoded(documentedOffering(), vm)));
        assertEquals("invalid_mode", e.getCode());
    }

    @Test
    void aBadEscapeIsInvalidEncoding() {
        Map<String, String> vm = Map.of(DpdkDetails.KEY_HUGEPAGES, "%3CmemoryBacking%zz");
        DpdkHelperException e = assertThrows(DpdkHelperException.class,
                () -> client().decode(DpdkDetails.urlEncoded(documentedOffering(), vm)));
        assertEquals("invalid_encoding", e.getCode());
        assertEquals("vm.extraconfig-dpdk-hugepages", e.getField());
        assertEquals(65, e.getExitStatus());
    }

    @Test
    void aForbiddenElementIsForbiddenXml() {
        Map<String, String> vm = Map.of(DpdkDetails.KEY_HUGEPAGES,
                "<memoryBacking><hugepages/><hostdev/></memoryBacking>");
        DpdkHelperException e = assertThrows(DpdkHelperException.class,
                () -> client().decode(DpdkDetails.decoded(null, vm)));
        assertEquals("forbidden_xml", e.getCode());
        assertEquals(65, e.getExitStatus());
    }

    @Test
    void versionNamesCsdpdkAndItsLibraries() throws Exception {
        VersionResult v = client().version();
        assertNotNull(v.getCsdpdk());
        assertTrue(v.getCsdpdk().matches("\\d+\\.\\d+\\.\\d+.*"), v.getCsdpdk());
        assertNotNull(v.getOvs());
        assertNotNull(v.getLibxml2());
        assertTrue(v.getRawResult().has("jansson"));
    }
}
