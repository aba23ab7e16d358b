package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The migration verbs through the real csdpdk, on a fabricated DPDK-capable host (a private
 * ovsdb-server). Each test is skipped while the csdpdk under test lacks a verb it needs; VerbsTest
 * fails meanwhile, so the gap stays visible.
 *
 * <p>The tests tagged {@value #REAL_HOSTS} are the agent's side of a real live migration: they run only
 * when tests/integration/live-migration.sh, which starts two hosts (libvirtd, OVSDB and a DPDK switch
 * each) and a VM, calls them ({@code make -C plugin-java-bridge real-hosts}) with the hosts described in
 * the file named by {@code -Dcsdpdk.realHosts}; {@code make check} leaves them out.
 */
class MigrationTest extends TestSupport {
    private static OvsdbServer ovs;
    private static java.nio.file.Path hostDir;
    private static DpdkHelperClient client;
    private static HelpResult help;

    @BeforeAll
    static void startHost() throws Exception {
        ovs = OvsdbServer.start("br0");
        hostDir = newTempDir();
        client = new DpdkHelperClient(csdpdk(), ovs.makeCapable(hostDir).build());
        help = client.help();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (ovs != null) {
            ovs.close();
        }
        deleteTree(hostDir);
    }

    private static void needs(String... verbs) {
        for (String v : verbs) {
            assumeTrue(help.hasVerb(v), "csdpdk has no verb " + v + " yet");
        }
    }

    private static MigratePrepareRequest prepareRequest(String opId, String uuid, String... macs) {
        MigratePrepareRequest r = new MigratePrepareRequest();
        r.setOpId(opId);
        r.setVm(vm(uuid));
        r.setDetails(details("client"));
        for (String mac : macs) {
            r.addNic(new NicSpec(mac, "br0", 100));
        }
        return r;
    }

    @Test
    void prepareTagsThePortsAndFinishMakesThemOrdinary() throws Exception {
        needs("migrate-prepare", "migrate-finish");
        String uuid = randomUuid();
        String mac1 = randomMac();
        String mac2 = randomMac();
        String opId = DpdkHelperClient.newOperationId();
        try {
            Map<String, DpdkTo> map = client.prepareForMigration(prepareRequest(opId, uuid, mac1, mac2));
            assertEquals(2, map.size(), map.toString());
            for (String mac : List.of(mac1, mac2)) {
                DpdkTo to = map.get(mac);
                assertEquals(ovs.socketDir.toString(), to.getPath());
                assertTrue(to.getPort().matches("csdpdk-\\d+"), to.getPort());
                assertEquals("server", to.getMode(), "client mode: QEMU owns the socket, libvirt mode server");
                StatusResult.PortStatus s = client.status(uuid).findByMac(mac).orElseThrow();
                assertEquals(to.getPort(), s.getPort());
                assertEquals(opId, s.getOpId());
            }
            assertTrue(ovs.ports("br0").contains(map.get(mac1).getPort()));

            // No VM runs on this fabricated host: verifying finds no link (a retryable timeout,
            // nothing changed); without verifying, the tags are cleared.
            DpdkHelperClient impatient = client.withOptions(client.getOptions().toBuilder()
                    .timeout(java.time.Duration.ofSeconds(4)).build());
            DpdkHelperRetryableException noLink = assertThrows(DpdkHelperRetryableException.class,
                    () -> impatient.finishMigration(opId));
            assertEquals("timeout", noLink.getCode());
            assertEquals(opId, client.status(uuid).findByMac(mac1).orElseThrow().getOpId(), "still tagged");
            MigrateFinishResult finish = client.finishMigration(opId, false);
            assertFalse(finish.isVerified());
            assertEquals(map.values().stream().map(DpdkTo::getPort).sorted().toList(),
                         finish.getPorts().stream().sorted().toList());
            assertTrue(client.status(uuid).getPorts().stream().allMatch(p -> p.getOpId() == null));
            assertTrue(client.finishMigration(opId, false).getPorts().isEmpty(), "finishing twice finds nothing");
        } finally {
            client.unplug(uuid);
        }
    }

    @Test
    void abortRemovesExactlyTheOperationsPorts() throws Exception {
        needs("migrate-prepare", "migrate-abort");
        String bystander = randomUuid();
        String migrating = randomUuid();
        String opId = DpdkHelperClient.newOperationId();
        try {
            String kept = client.plug(new PlugRequest(vm(bystander), List.of(new NicSpec(randomMac(), "br0", 100)),
                                                      details("client"))).getPortNames().get(0);
            MigratePrepareResult prepared = client.migratePrepare(prepareRequest(opId, migrating, randomMac()));
            assertTrue(prepared.isEligible(), prepared.getChecks().toString());
            String port = prepared.getMapping().values().iterator().next().getPort();
            GcResult gc = client.gc(false);
            assertTrue(gc.getKept().stream().anyMatch(k -> k.getPort().equals(port) && k.getVm().equals(migrating)
                                                           && k.getReason().equals("migration in flight")),
                       "gc keeps the ports of a migration in flight: " + gc.getKept());

            MigrateAbortResult abort = client.abortMigration(opId);
            assertEquals(List.of(port), abort.getRemoved());
            assertFalse(ovs.ports("br0").contains(port));
            assertTrue(ovs.ports("br0").contains(kept), "another VM's port stays");

            MigrateAbortResult again = client.abortMigration(opId);
            assertTrue(again.getRemoved().isEmpty(), "abort is idempotent");
        } finally {
            client.unplug(bystander);
            client.unplug(migrating);
        }
    }

    @Test
    void aDestinationThatIsNotCapableIsNotEligibleAndCreatesNothing() throws Exception {
        needs("migrate-prepare");
        try (OvsdbServer plain = OvsdbServer.start("br0")) {
            DpdkHelperClient c = new DpdkHelperClient(csdpdk(), plain.options().build());
            String uuid = randomUuid();
            String opId = DpdkHelperClient.newOperationId();
            MigratePrepareResult r = c.migratePrepare(prepareRequest(opId, uuid, randomMac()));
            assertFalse(r.isEligible());
            assertEquals(1, r.getExitStatus());
            assertTrue(r.getChecks().stream().anyMatch(ch -> !ch.isOk()), r.getChecks().toString());
            assertTrue(plain.ports("br0").isEmpty(), "no port when not eligible");

            DpdkHelperNotEligibleException e = assertThrows(DpdkHelperNotEligibleException.class,
                    () -> c.prepareForMigration(prepareRequest(opId, uuid, randomMac())));
            assertFalse(e.getFailedChecks().isEmpty());
        }
    }

    @Test
    void rewritePointsTheDomainAtTheDestinationsPorts() throws Exception {
        needs("migrate-rewrite");
        String uuid = randomUuid();
        String mac = randomMac();
        String domain = "<domain type=\"kvm\"><name>i-2-9-VM</name><memory>1048576</memory><vcpu>1</vcpu>"
                + "<devices/></domain>";
        String source = client.render(new PlugRequest(vm(uuid), List.of(new NicSpec(mac, "br0", 100)
                .setPort("csdpdk-3")), details("client")).setDomainXml(domain)).getDomainXml();
        assertTrue(source.contains("csdpdk-3"), source);

        Map<String, DpdkTo> mapping = new LinkedHashMap<>();
        mapping.put(mac, new DpdkTo("/var/run/openvswitch", "csdpdk-41", "client"));
        String rewritten = client.rewriteForMigration(source, mapping);
        assertTrue(rewritten.contains("/var/run/openvswitch/csdpdk-41"), rewritten);
        assertTrue(rewritten.contains("dev=\"csdpdk-41\"") || rewritten.contains("dev='csdpdk-41'"), rewritten);
        assertFalse(rewritten.contains("csdpdk-3\""), rewritten);

        DpdkHelperException e = assertThrows(DpdkHelperException.class,
                () -> client.rewriteForMigration(source, Map.of(randomMac(), new DpdkTo("/run", "csdpdk-1", "client"))));
        assertEquals("missing_interface", e.getCode());
        assertEquals(65, e.getExitStatus());
    }

    /**
     * The whole flow between two "hosts" (two private ovsdb-servers, both fabricated capable), as the
     * agent runs it: plug on the source, prepare on the destination, check and rewrite on the source,
     * finish on the destination, unplug the old ports on the source. Without ovs-vswitchd the source's
     * ports have no link, so the check's verdict is "not eligible" for that reason alone.
     */
    @Test
    void theFlowBetweenTwoHosts() throws Exception {
        needs("migrate-check", "migrate-prepare", "migrate-rewrite", "migrate-finish");
        java.nio.file.Path destDir = newTempDir();
        try (OvsdbServer destOvs = OvsdbServer.start("br0")) {
            DpdkHelperClient dest = new DpdkHelperClient(csdpdk(), destOvs.makeCapable(destDir).build());
            String uuid = randomUuid();
            String mac = randomMac();
            String opId = DpdkHelperClient.operationIdFor(uuid);

            PlugResult source = client.plug(new PlugRequest(vm(uuid), List.of(new NicSpec(mac, "br0", 100)),
                    details("client")).setDomainXml("<domain type=\"kvm\"><name>i-2-9-VM</name>"
                    + "<memory>1048576</memory><vcpu>1</vcpu><devices/></domain>"));
            String oldPort = source.getPortNames().get(0);

            MigratePrepareResult prepared = dest.migratePrepare(prepareRequest(opId, uuid, mac));
            assertTrue(prepared.isEligible(), prepared.getChecks().toString());
            assertEquals(opId, prepared.getOpId());
            DpdkTo to = prepared.getMapping().get(mac);
            assertEquals(destOvs.socketDir.toString(), to.getPath());

            MigrateCheckResult check = client.checkMigration(new MigrateCheckRequest(source.getDomainXml())
                    .setDestinationReportJson(prepared.getRawResultJson()));
            check.getChecks().forEach(c -> System.out.println("  check: " + c));
            assertTrue(check.getChecks().stream().anyMatch(c -> "destination".equals(c.getSide())));
            assertTrue(check.getChecks().stream().filter(c -> "destination".equals(c.getSide()))
                    .allMatch(MigrationCheck::isOk), "the destination's report holds: " + check.getChecks());
            assertTrue(check.getFailedChecks().stream().allMatch(c -> "source".equals(c.getSide())
                    && c.getDetail() != null && c.getDetail().contains(oldPort)),
                    "only the source's unlinked port fails: " + check.getFailedChecks());
            assertFalse(check.isEligible());
            assertEquals(1, check.getExitStatus());

            // What CloudStack's MigrateCommand carries: only the DpdkTO map.
            MigrateCheckResult fromMap = client.checkMigration(new MigrateCheckRequest(source.getDomainXml())
                    .setDestinationMapping(prepared.getMapping()));
            // The whole report also carries the destination's NUMA facts (host), judged with the
            // running domain: the check numa; otherwise the same verdict.
            assertTrue(check.getChecks().stream().anyMatch(c -> "numa".equals(c.getId())),
                       "the whole report's NUMA facts are judged: " + check.getChecks());
            assertEquals(check.getChecks().stream().filter(c -> !"numa".equals(c.getId()))
                                 .map(MigrationCheck::toString).collect(Collectors.toList()).toString(),
                         fromMap.getChecks().toString(), "the same verdict as with the whole report, NUMA aside");
            assertTrue(fromMap.getChecks().stream().anyMatch(c -> "mapping".equals(c.getId()) && c.isOk()));

            // Through the destination's libvirt too (the test driver: its free-page numbers are made up,
            // so only that it answered is asserted).
            MigrateCheckResult viaLibvirt = client.checkMigration(source.getDomainXml(), "test:///default", prepared);
            assertTrue(viaLibvirt.getChecks().stream().anyMatch(c -> "destination".equals(c.getSide())
                    && "libvirt".equals(c.getId()) && c.isOk()), viaLibvirt.getChecks().toString());

            String rewritten = client.rewriteForMigration(source.getDomainXml(), prepared.getMapping());
            assertTrue(rewritten.contains("path=\"" + to.getSocketPath() + "\""), rewritten);
            assertTrue(rewritten.contains("<target dev=\"" + to.getPort() + "\"/>"), rewritten);

            assertEquals(List.of(to.getPort()), dest.finishMigration(opId, false).getPorts());
            assertEquals(List.of(oldPort), client.unplugPorts(List.of(oldPort)).getRemoved());
            assertNull(dest.status(uuid).findByMac(mac).orElseThrow().getOpId());
            assertTrue(destOvs.ports("br0").contains(to.getPort()));
        } finally {
            deleteTree(destDir);
        }
    }

    static final String REAL_HOSTS = "real-hosts";

    /** The hosts and the VM of live-migration.sh, from the file named by -Dcsdpdk.realHosts. */
    private static Properties realHosts() throws Exception {
        String file = System.getProperty("csdpdk.realHosts");
        assertTrue(file != null && !file.isEmpty(), "-Dcsdpdk.realHosts names no file: run through live-migration.sh");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Paths.get(file), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    private static DpdkHelperClient realHost(Properties p, String side) {
        return new DpdkHelperClient(csdpdk(), DpdkHelperOptions.builder()
                .ovsdb(p.getProperty(side + ".ovsdb"))
                .agentProperties(p.getProperty(side + ".agentProperties"))
                .libvirt(p.getProperty(side + ".libvirt"))
                .build());
    }

    private static MigratePrepareRequest realRequest(Properties p) {
        List<NicSpec> nics = new ArrayList<>();
        for (int i = 0; p.getProperty("nic." + i) != null; i++) {
            String[] f = p.getProperty("nic." + i).split(" ");
            nics.add(new NicSpec(f[0], f[1], f.length > 2 ? Integer.valueOf(f[2]) : null));
        }
        Map<String, String> vm = new LinkedHashMap<>();
        vm.put(DpdkDetails.KEY_MODE, p.getProperty("mode"));
        vm.put(DpdkDetails.KEY_NUMA, p.getProperty("numa"));
        vm.put(DpdkDetails.KEY_HUGEPAGES, p.getProperty("hugepages"));
        return new MigratePrepareRequest(p.getProperty("opId"),
                new VmSpec(p.getProperty("vm.uuid"), p.getProperty("vm.name"), null,
                           Long.valueOf(p.getProperty("vm.memoryKib"))),
                nics, DpdkDetails.decoded(null, vm));
    }

    /**
     * Before the move, as the agent does it: migrate-prepare on the destination; on the source,
     * migrate-check of the running domain's migratable XML (as libvirt gives it: {@code <target dev=''/>})
     * against the destination's libvirtd and its report, then migrate-rewrite. Writes the destination XML
     * to {@code destXml} for live-migration.sh to migrate with.
     */
    @Tag(REAL_HOSTS)
    @Test
    void realHostsPrepareCheckRewrite() throws Exception {
        Properties p = realHosts();
        DpdkHelperClient source = realHost(p, "src");
        DpdkHelperClient destination = realHost(p, "dst");
        String domain = Files.readString(Paths.get(p.getProperty("migratableXml")), StandardCharsets.UTF_8);
        assertTrue(domain.contains("<target dev=''/>"), "libvirt's migratable XML names no port");

        MigratePrepareResult prepared = destination.migratePrepare(realRequest(p));
        assertTrue(prepared.isEligible(), prepared.getChecks().toString());
        assertEquals(realRequest(p).getNics().size(), prepared.getMapping().size());

        MigrateCheckResult check = source.checkMigration(domain, p.getProperty("dst.libvirt"), prepared);
        check.getChecks().forEach(c -> System.out.println("  check: " + c));
        assertTrue(check.isEligible(), check.getFailedChecks().toString());
        assertTrue(check.getChecks().stream().anyMatch(c -> "hugepages".equals(c.getId())
                && "destination".equals(c.getSide()) && c.isOk()), "the destination's libvirtd was asked");

        String rewritten = source.rewriteForMigration(domain, prepared.getMapping());
        for (DpdkTo to : prepared.getMapping().values()) {
            assertTrue(rewritten.contains("path=\"" + to.getSocketPath() + "\""), rewritten);
        }
        Files.writeString(Paths.get(p.getProperty("destXml")), rewritten, StandardCharsets.UTF_8);
    }

    /**
     * After libvirt moved the VM: migrate-finish on the destination verifies that the VM's NICs work on
     * the new ports, then the source's old ports go.
     */
    @Tag(REAL_HOSTS)
    @Test
    void realHostsFinishAndUnplug() throws Exception {
        Properties p = realHosts();
        MigrateFinishResult finish = realHost(p, "dst").finishMigration(p.getProperty("opId"));
        assertTrue(finish.isVerified());
        assertEquals(realRequest(p).getNics().size(), finish.getPorts().size(), finish.getPorts().toString());
        UnplugResult unplug = realHost(p, "src").unplug(p.getProperty("vm.uuid"));
        assertEquals(realRequest(p).getNics().size(), unplug.getRemoved().size(), unplug.getRemoved().toString());
        Path done = Paths.get(p.getProperty("destXml") + ".finished");
        Files.writeString(done, String.join(" ", finish.getPorts()) + "\n", StandardCharsets.UTF_8);
    }
}
