package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every test class shares: the csdpdk under test ({@code -Dcsdpdk.path}), a private temporary
 * directory per test (removed afterwards), stand-in executables, fresh MACs and UUIDs (so that no test
 * depends on another's ports), and the test's name printed first.
 */
abstract class TestSupport {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** This test's own directory, removed after it. */
    protected Path tmp;

    @BeforeEach
    void announceAndMakeTempDir(TestInfo info) throws IOException {
        System.out.println("[test] " + info.getTestClass().map(Class::getSimpleName).orElse("?") + " > "
                + info.getDisplayName());
        tmp = newTempDir();
    }

    @AfterEach
    void removeTempDir() throws IOException {
        deleteTree(tmp);
    }

    /** The csdpdk binary under test, absolute. */
    static String csdpdk() {
        String p = System.getProperty("csdpdk.path", "../build/csdpdk");
        Path path = Paths.get(p).toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(path), "csdpdk under test is not executable: " + path
                + " (make check CSDPDK=/path/to/csdpdk)");
        return path.toString();
    }

    /** Under /tmp with a short name: unix socket paths must fit in 107 bytes. */
    static Path newTempDir() throws IOException {
        return Files.createTempDirectory(Paths.get("/tmp"), "csdpdk-jb-");
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * A stand-in executable for csdpdk: {@code #!/bin/sh} and {@code body}. Only the tests use a shell,
     * to play a misbehaving helper; the bridge executes it like any binary, by argv.
     */
    static Path standIn(Path dir, String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /**
     * A stand-in that records its argv (one per line) and stdin in {@code dir}, then prints
     * {@code stdout} and exits with {@code exit}.
     */
    static Path cannedHelper(Path dir, String stdout, int exit) throws IOException {
        Path out = dir.resolve("canned-stdout.json");
        Files.writeString(out, stdout, StandardCharsets.UTF_8);
        return standIn(dir, "csdpdk-canned",
                "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + dir.resolve("argv") + "'\n"
                + "cat > '" + dir.resolve("stdin") + "'\n"
                + "cat '" + out + "'\n"
                + "exit " + exit);
    }

    static List<String> recordedArgv(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve("argv"), StandardCharsets.UTF_8);
    }

    static String recordedStdin(Path dir) throws IOException {
        return Files.readString(dir.resolve("stdin"), StandardCharsets.UTF_8);
    }

    /** A locally administered unicast MAC nobody else uses. */
    static String randomMac() {
        byte[] b = new byte[5];
        RANDOM.nextBytes(b);
        StringBuilder sb = new StringBuilder("02");
        for (byte x : b) {
            sb.append(String.format(Locale.ROOT, ":%02x", x & 0xff));
        }
        return sb.toString();
    }

    static String randomUuid() {
        return UUID.randomUUID().toString();
    }

    /** True when the process exists and is not a zombie (PID 1 here may not reap orphans). */
    static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            String afterName = stat.substring(stat.lastIndexOf(')') + 2);
            char state = afterName.charAt(0);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** PIDs of running processes whose argv contains this exact argument. */
    /**
     * Whether every process with {@code argument} is gone within a second: a process sent SIGKILL
     * is gone only once the kernel has torn it down, which a loaded machine may take a moment to
     * do (an assertion right after the kill failed once in CI for that reason).
     */
    static boolean goneSoon(String argument) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!processesWithArgument(argument).isEmpty()) {
            if (System.nanoTime() > until) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    static List<Long> processesWithArgument(String argument) {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Paths.get("/proc"))) {
            procs.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    for (String arg : cmdline.split("\0")) {
                        if (arg.equals(argument)) {
                            long pid = Long.parseLong(p.getFileName().toString());
                            if (isRunning(pid)) {
                                pids.add(pid);
                            }
                            break;
                        }
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return pids;
    }

    /** CloudStack's documented offering values, URL-encoded as the API receives them. */
    static final String DOC_HUGEPAGES = "%3CmemoryBacking%3E%20%3Chugepages%2F%3E%20%3C%2FmemoryBacking%3E";
    static final String DOC_NUMA = "%3Ccpu%20mode%3D%22host-passthrough%22%3E%20%3Cnuma%3E%20%3Ccell%20id%3D%220%22"
            + "%20cpus%3D%220%22%20memory%3D%229437184%22%20unit%3D%22KiB%22%20memAccess%3D%22shared%22%2F%3E"
            + "%20%3C%2Fnuma%3E%20%3C%2Fcpu%3E";

    /** Decoded details of a 1-vCPU, 1 GiB VM in the given mode. */
    static DpdkDetails details(String mode) {
        java.util.Map<String, String> vm = new java.util.LinkedHashMap<>();
        if (mode != null) {
            vm.put(DpdkDetails.KEY_MODE, mode);
        }
        vm.put(DpdkDetails.KEY_NUMA,
               "<cpu><numa><cell id='0' cpus='0' memory='1048576' memAccess='shared'/></numa></cpu>");
        vm.put(DpdkDetails.KEY_HUGEPAGES, "<memoryBacking><hugepages/></memoryBacking>");
        return DpdkDetails.decoded(null, vm);
    }

    static VmSpec vm(String uuid) {
        return new VmSpec(uuid, "i-2-" + uuid.substring(0, 4) + "-VM", 1, 1048576L);
    }
}
