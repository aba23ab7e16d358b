package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private ovsdb-server in a temporary directory, started and stopped by PID: the database csdpdk
 * plugs into during the tests. Nothing touches the host's own Open vSwitch.
 */
final class OvsdbServer implements AutoCloseable {
    private static final String SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";

    final Path dir;
    final Path socket;
    /** The vhost-user socket directory, as agent.properties sets it. */
    final Path socketDir;
    final Path agentProperties;
    private long pid = -1;

    private OvsdbServer(Path dir) {
        this.dir = dir;
        this.socket = dir.resolve("db.sock");
        this.socketDir = dir.resolve("vhost");
        this.agentProperties = dir.resolve("agent.properties");
    }

    /** Starts one with bridges (datapath_type=netdev) and an agent.properties pointing at its socket directory. */
    static OvsdbServer start(String... bridges) throws IOException, InterruptedException {
        OvsdbServer s = new OvsdbServer(TestSupport.newTempDir());
        try {
            s.boot(bridges);
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void boot(String[] bridges) throws IOException, InterruptedException {
        Files.createDirectories(socketDir);
        Files.writeString(agentProperties, "network.bridge.type=openvswitch\nopenvswitch.dpdk.enabled=true\n"
                + "openvswitch.dpdk.ovs.path=" + socketDir + "\n", StandardCharsets.UTF_8);
        run("ovsdb-tool", "create", dir.resolve("conf.db").toString(), SCHEMA);
        run("ovsdb-server", "--detach", "--no-chdir", "--pidfile=" + dir.resolve("ovsdb.pid"),
            "--log-file=" + dir.resolve("ovsdb.log"), "--unixctl=" + dir.resolve("ovsdb.ctl"),
            "--remote=punix:" + socket, dir.resolve("conf.db").toString());
        pid = Long.parseLong(Files.readString(dir.resolve("ovsdb.pid")).trim());
        vsctl("init");
        for (String b : bridges) {
            addBridge(b);
        }
    }

    String url() {
        return "unix:" + socket;
    }

    void addBridge(String name) throws IOException, InterruptedException {
        vsctl("add-br", name, "--", "set", "bridge", name, "datapath_type=netdev");
    }

    /** ovs-vsctl against this server; its stdout, trimmed. */
    String vsctl(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--db=" + url(), "--no-wait", "--timeout=10"));
        argv.addAll(Arrays.asList(args));
        return run(argv.toArray(new String[0]));
    }

    /** {@code ovs-vsctl list-ports BRIDGE}. */
    List<String> ports(String bridge) throws IOException, InterruptedException {
        String out = vsctl("list-ports", bridge);
        return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
    }

    /** Client options for this server: its OVSDB, its agent.properties, libvirt's test driver. */
    DpdkHelperOptions.Builder options() {
        return DpdkHelperOptions.builder().timeout(Duration.ofSeconds(20)).ovsdb(url())
                .agentProperties(agentProperties.toString()).libvirt("test:///default");
    }

    /**
     * Makes this a host that passes every capability check, fabricated: the Open_vSwitch row a running
     * DPDK switch writes, a live PID in its pidfile (the check is about the pidfile), a socket directory
     * everyone can write, and under {@code root} a sysfs with 1024 free 2 MiB pages on one node, a
     * hugetlbfs mount and a qemu.conf. Returns the client options for it.
     */
    DpdkHelperOptions.Builder makeCapable(Path root) throws IOException, InterruptedException {
        vsctl("set", "Open_vSwitch", ".", "dpdk_initialized=true",
              "iface_types=[dpdk,dpdkvhostuser,dpdkvhostuserclient,internal,system]",
              "datapath_types=[netdev,system]", "other_config:dpdk-init=true",
              "other_config:vhost-sock-dir=" + socketDir.getFileName());
        Files.writeString(dir.resolve("ovs-vswitchd.pid"), ProcessHandle.current().pid() + "\n");
        Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path node = root.resolve("sys/devices/system/node/node0");
        Files.createDirectories(node.resolve("hugepages/hugepages-2048kB"));
        Files.writeString(node.resolve("cpulist"), "0-1\n");
        Files.writeString(node.resolve("hugepages/hugepages-2048kB/nr_hugepages"), "1024\n");
        Files.writeString(node.resolve("hugepages/hugepages-2048kB/free_hugepages"), "1024\n");
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/mounts"), "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n");
        Files.writeString(root.resolve("qemu.conf"), "user = \"daemon\"\ngroup = \"daemon\"\n");
        return options().sysfs(root.resolve("sys").toString()).proc(root.resolve("proc").toString())
                .qemuConf(root.resolve("qemu.conf").toString());
    }

    private String run(String... argv) throws IOException, InterruptedException {
        Path out = dir.resolve("cmd.out");
        Path err = dir.resolve("cmd.err");
        Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new IOException(String.join(" ", argv) + ": did not finish in 20 s");
        }
        String stdout = Files.readString(out).trim();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + ": exit " + p.exitValue() + ": " + Files.readString(err));
        }
        return stdout;
    }

    /** Stops the server by its PID (TERM, then KILL after 5 s) and removes the directory. */
    @Override
    public void close() throws IOException {
        if (pid > 0) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isPresent()) {
                h.get().destroy();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (TestSupport.isRunning(pid) && System.nanoTime() < until) {
                    sleep(20);
                }
                if (TestSupport.isRunning(pid)) {
                    h.get().destroyForcibly();
                    while (TestSupport.isRunning(pid) && System.nanoTime() < until + TimeUnit.SECONDS.toNanos(5)) {
                        sleep(20);
                    }
                }
            }
            pid = -1;
        }
        TestSupport.deleteTree(dir);
    }

    long pid() {
        return pid;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
