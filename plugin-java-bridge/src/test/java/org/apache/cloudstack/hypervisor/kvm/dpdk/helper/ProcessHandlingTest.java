package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the bridge runs a process, with stand-in executables that misbehave on purpose: one that never
 * answers, one that is missing, one that prints garbage, one that writes on both streams.
 */
class ProcessHandlingTest extends TestSupport {
    private static final String OK_VERSION = "{\"ok\": true, \"result\": {\"csdpdk\": \"9.9.9\"}, \"verb\": \"version\","
            + " \"warnings\": []}\n";

    private static DpdkHelperClient client(Path binary, Duration timeout) {
        return new DpdkHelperClient(binary.toString(), DpdkHelperOptions.builder().timeout(timeout).build());
    }

    @Test
    void aHelperThatNeverAnswersIsKilledWithinTheTimeoutPlusOneSecond() throws Exception {
        String marker = "1000." + System.nanoTime() % 1000000;
        Path hang = standIn(tmp, "csdpdk-hang", "echo $$ > '" + tmp.resolve("sh.pid") + "'\nsleep " + marker);
        DpdkHelperClient c = client(hang, Duration.ofSeconds(2));

        long start = System.nanoTime();
        DpdkHelperRetryableException e = assertThrows(DpdkHelperRetryableException.class, c::version);
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertEquals(DpdkHelperException.HELPER_TIMEOUT, e.getCode());
        assertTrue(e.isKilledOnTimeout());
        assertFalse(e.isFromHelper());
        assertEquals(DpdkHelperException.NO_EXIT_STATUS, e.getExitStatus());
        assertTrue(ms >= 2000 && ms < 3000, "killed after " + ms + " ms; the timeout is 2000 ms");
        long shPid = Long.parseLong(Files.readString(tmp.resolve("sh.pid")).trim());
        assertFalse(isRunning(shPid), "the stand-in itself is dead");
        assertTrue(goneSoon(marker), "its child 'sleep " + marker + "' is dead too");
    }

    @Test
    void aHelperThatNeverReadsItsStdinIsKilledToo() throws Exception {
        // A request larger than a pipe's buffer, to a helper that never reads it: the bridge's writer
        // must not hold the call past the timeout.
        String marker = "1000." + System.nanoTime() % 1000000;
        Path hang = standIn(tmp, "csdpdk-deaf", "sleep " + marker);
        Map<String, String> big = new LinkedHashMap<>();
        big.put("x", "y".repeat(1 << 20));
        long start = System.nanoTime();
        DpdkHelperRetryableException e = assertThrows(DpdkHelperRetryableException.class,
                () -> client(hang, Duration.ofSeconds(1)).decode(DpdkDetails.decoded(null, big)));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(DpdkHelperException.HELPER_TIMEOUT, e.getCode());
        assertTrue(ms < 2000, "took " + ms + " ms");
        assertTrue(goneSoon(marker));
    }

    @Test
    void anInterruptedCallerKillsTheHelper() throws Exception {
        String marker = "1000." + System.nanoTime() % 1000000;
        Path hang = standIn(tmp, "csdpdk-hang", "sleep " + marker);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        AtomicBoolean flagKept = new AtomicBoolean();
        try {
            Future<DpdkHelperException> f = pool.submit(() -> {
                try {
                    client(hang, Duration.ofSeconds(60)).version();
                    return null;
                } catch (DpdkHelperException e) {
                    flagKept.set(Thread.currentThread().isInterrupted());
                    return e;
                }
            });
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (processesWithArgument(marker).isEmpty() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            f.cancel(true);
            pool.shutdown();
            assertTrue(pool.awaitTermination(3, TimeUnit.SECONDS), "the call returned after the interrupt");
            assertTrue(flagKept.get(), "the interrupt flag is set again");
            assertTrue(goneSoon(marker), "the helper was killed");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMissingBinaryIsUnavailable() {
        DpdkHelperClient c = client(tmp.resolve("no-such-csdpdk"), Duration.ofSeconds(5));
        DpdkHelperUnavailableException e = assertThrows(DpdkHelperUnavailableException.class, c::version);
        assertEquals(DpdkHelperException.HELPER_NOT_FOUND, e.getCode());
        assertEquals(DpdkHelperException.NO_EXIT_STATUS, e.getExitStatus());
        assertFalse(e.isFromHelper());
    }

    @Test
    void aBinaryThatIsNotExecutableIsUnavailable() throws Exception {
        Path file = tmp.resolve("csdpdk-noexec");
        Files.writeString(file, "#!/bin/sh\nexit 0\n");
        DpdkHelperUnavailableException e = assertThrows(DpdkHelperUnavailableException.class,
                () -> client(file, Duration.ofSeconds(5)).version());
        assertEquals(DpdkHelperException.HELPER_NOT_EXECUTABLE, e.getCode());
        DpdkHelperUnavailableException dir = assertThrows(DpdkHelperUnavailableException.class,
                () -> client(tmp, Duration.ofSeconds(5)).version());
        assertEquals(DpdkHelperException.HELPER_NOT_EXECUTABLE, dir.getCode());
    }

    @Test
    void garbageOnStdoutIsUnavailable() throws Exception {
        Path garbage = standIn(tmp, "csdpdk-garbage", "echo 'Segmentation fault? no: just text'\nexit 0");
        DpdkHelperUnavailableException e = assertThrows(DpdkHelperUnavailableException.class,
                () -> client(garbage, Duration.ofSeconds(5)).version());
        assertEquals(DpdkHelperException.HELPER_BAD_OUTPUT, e.getCode());
        assertEquals(0, e.getExitStatus());
        assertTrue(e.getMessage().contains("just text"), e.getMessage());
    }

    @Test
    void twoDocumentsOnStdoutAreUnavailable() throws Exception {
        String twice = OK_VERSION.replace("\n", "") + OK_VERSION;
        Path two = cannedHelper(tmp, twice, 0);
        DpdkHelperUnavailableException e = assertThrows(DpdkHelperUnavailableException.class,
                () -> client(two, Duration.ofSeconds(5)).version());
        assertEquals(DpdkHelperException.HELPER_BAD_OUTPUT, e.getCode());
        assertTrue(e.getMessage().contains("one JSON document"), e.getMessage());
    }

    @Test
    void emptyOutputAndADeathBySignalAreUnavailable() throws Exception {
        Path empty = standIn(tmp, "csdpdk-empty", "exit 0");
        assertEquals(DpdkHelperException.HELPER_BAD_OUTPUT, assertThrows(DpdkHelperUnavailableException.class,
                () -> client(empty, Duration.ofSeconds(5)).version()).getCode());

        Path crash = standIn(tmp, "csdpdk-crash", "printf '{\"ok\": tr'\nkill -SEGV $$");
        DpdkHelperUnavailableException e = assertThrows(DpdkHelperUnavailableException.class,
                () -> client(crash, Duration.ofSeconds(5)).version());
        assertEquals(DpdkHelperException.HELPER_BAD_OUTPUT, e.getCode());
        assertEquals(139, e.getExitStatus());
        assertTrue(e.getMessage().contains("signal 11"), e.getMessage());
    }

    @Test
    void lenientJsonIsNotAnEnvelope() throws Exception {
        // Gson's lenient mode would take these; csdpdk never writes them.
        for (String s : List.of("{ok: true, result: {}, verb: version}", "{\"ok\": true, \"result\": {}, "
                + "\"verb\": \"version\"} // done", "[]", "{\"ok\": \"true\", \"result\": {}, \"verb\": \"version\"}")) {
            Path p = cannedHelper(tmp, s, 0);
            DpdkHelperUnavailableException e = assertThrows(DpdkHelperUnavailableException.class,
                    () -> client(p, Duration.ofSeconds(5)).version(), s);
            assertEquals(DpdkHelperException.HELPER_BAD_OUTPUT, e.getCode(), s);
        }
    }

    /** A System.Logger that records its lines, or throws on each when 'fails'. */
    private static System.Logger logger(List<String> lines, boolean fails) {
        return new System.Logger() {
            @Override
            public String getName() {
                return "test";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String message, Throwable thrown) {
                log(level, bundle, message);
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
                if (fails) {
                    throw new IllegalStateException("this logger fails");
                }
                lines.add(level + " " + java.text.MessageFormat.format(format, params));
            }
        };
    }

    @Test
    void theCallersLoggerGetsTheLinesAndItsFailureCostsNothing() throws Exception {
        Path noisy = standIn(tmp, "csdpdk-noisy", "echo 'noise' >&2\nprintf '%s' '" + OK_VERSION.trim() + "'\nexit 0");
        List<String> lines = new java.util.ArrayList<>();
        DpdkHelperOptions recording = DpdkHelperOptions.builder().timeout(Duration.ofSeconds(5))
                .logger(logger(lines, false)).build();
        assertEquals("9.9.9", new DpdkHelperClient(noisy.toString(), recording).version().getCsdpdk());
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("DEBUG ") && lines.get(0).contains("version -> exit 0 in "), lines.get(0));
        assertEquals("WARNING csdpdk stderr: noise", lines.get(1));
        DpdkHelperOptions failing = DpdkHelperOptions.builder().timeout(Duration.ofSeconds(5))
                .logger(logger(lines, true)).build();
        assertEquals("9.9.9", new DpdkHelperClient(noisy.toString(), failing).version().getCsdpdk(),
                "a logger that throws costs the call nothing");
    }

    @Test
    void stderrIsKeptApartFromStdout() throws Exception {
        Path both = standIn(tmp, "csdpdk-both",
                "echo 'noise on stderr {\"ok\": false}' >&2\nprintf '%s' '" + OK_VERSION.trim() + "'\n"
                + "echo 'more noise' >&2\nexit 0");
        VersionResult v = client(both, Duration.ofSeconds(5)).version();
        assertEquals("9.9.9", v.getCsdpdk());
        assertTrue(v.getStderr().contains("noise on stderr"), v.getStderr());
        assertTrue(v.getStderr().contains("more noise"), v.getStderr());
        assertFalse(v.getRawResultJson().contains("noise"));

        Path failing = standIn(tmp, "csdpdk-both-fail", "echo 'verbose: plug failed' >&2\n"
                + "echo '{\"error\": {\"code\": \"invalid_vlan\", \"field\": \"nics[0].vlan\", \"message\": \"m\"},"
                + " \"ok\": false, \"verb\": \"plug\", \"warnings\": [\"w\"]}'\nexit 65");
        DpdkHelperException e = assertThrows(DpdkHelperException.class,
                () -> client(failing, Duration.ofSeconds(5)).plug(new PlugRequest()));
        assertEquals("invalid_vlan", e.getCode());
        assertEquals("verbose: plug failed\n", e.getStderr());
        assertEquals(List.of("w"), e.getWarnings());
    }

    @Test
    void bigOutputOnBothStreamsAndABigRequestDoNotDeadlock() throws Exception {
        // 1 MiB on stderr before the stand-in reads its 1 MiB stdin, then 2 MiB of result: every pipe
        // fills up unless all three are served at once.
        Path chatty = standIn(tmp, "csdpdk-chatty",
                "head -c 1048576 /dev/zero | tr '\\0' 'e' >&2\n"
                + "cat > '" + tmp.resolve("stdin") + "'\n"
                + "printf '{\"ok\": true, \"result\": {\"csdpdk\": \"1.0\", \"padding\": \"'\n"
                + "head -c 2097152 /dev/zero | tr '\\0' 'p'\n"
                + "printf '\"}, \"verb\": \"version\", \"warnings\": []}\\n'");
        Map<String, String> big = new LinkedHashMap<>();
        big.put("x", "y".repeat(1 << 20));
        DpdkHelperClient c = client(chatty, Duration.ofSeconds(20));
        VersionResult v = c.call("version", DpdkDetails.decoded(null, big), VersionResult.class);
        assertEquals("1.0", v.getCsdpdk());
        assertTrue(Files.size(tmp.resolve("stdin")) > 1 << 20, "the whole request arrived");
        assertEquals(HelperProcess.MAX_STDERR_BYTES + "\n[stderr truncated]".length(), v.getStderr().length());
    }

    @Test
    void stdoutBeyondTheLimitIsUnavailable() throws Exception {
        Path flood = standIn(tmp, "csdpdk-flood", "head -c 100000 /dev/zero | tr '\\0' 'x'");
        DpdkHelperClient c = new DpdkHelperClient(flood.toString(),
                DpdkHelperOptions.builder().maxOutputBytes(4096).build());
        DpdkHelperUnavailableException e = assertThrows(DpdkHelperUnavailableException.class, c::version);
        assertEquals(DpdkHelperException.HELPER_BAD_OUTPUT, e.getCode());
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
    }

    @Test
    void theArgvIsFormatJsonTimeoutGlobalOptionsThenTheVerb() throws Exception {
        Path rec = cannedHelper(tmp, "{\"ok\": true, \"result\": {\"removed\": [], \"absent\": []}, "
                + "\"verb\": \"unplug\", \"warnings\": []}", 0);
        DpdkHelperClient c = new DpdkHelperClient(rec.toString(), DpdkHelperOptions.builder()
                .timeout(Duration.ofSeconds(30)).ovsdb("unix:/x/db.sock").libvirt("qemu:///system")
                .agentProperties("/etc/cloudstack/agent/agent.properties").verbose(true).build());
        c.unplug(UnplugRequest.forVm("6695eb01-f6a4-8304-79aa-97f2502e193f"), true);
        // The stand-in records "$@": the binary itself is argv[0], the rest follows.
        assertEquals(List.of("--format", "json", "--timeout", "27", "--ovsdb", "unix:/x/db.sock",
                             "--libvirt", "qemu:///system", "--agent-properties",
                             "/etc/cloudstack/agent/agent.properties", "--verbose", "unplug", "--dry-run"),
                     recordedArgv(tmp));
        assertEquals("{\"vm\":{\"uuid\":\"6695eb01-f6a4-8304-79aa-97f2502e193f\"}}", recordedStdin(tmp));
    }

    @Test
    void aVerbWithoutARequestGetsAnEmptyStdin() throws Exception {
        Path rec = cannedHelper(tmp, "{\"ok\": true, \"result\": {\"orphans\": [], \"removed\": [], \"kept\": []},"
                + " \"verb\": \"gc\", \"warnings\": []}", 0);
        GcResult r = client(rec, Duration.ofSeconds(5)).gc(true);
        assertTrue(r.getOrphans().isEmpty());
        assertEquals("gc", recordedArgv(tmp).get(recordedArgv(tmp).size() - 2));
        assertEquals("--apply", recordedArgv(tmp).get(recordedArgv(tmp).size() - 1));
        assertEquals("", recordedStdin(tmp));
    }

    @Test
    void callsRunConcurrently() throws Exception {
        Path slow = standIn(tmp, "csdpdk-slow", "sleep 1\nprintf '%s' '" + OK_VERSION.trim() + "'");
        DpdkHelperClient c = client(slow, Duration.ofSeconds(10));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            long start = System.nanoTime();
            List<Future<VersionResult>> fs = pool.invokeAll(List.of(c::version, c::version, c::version, c::version));
            for (Future<VersionResult> f : fs) {
                try {
                    assertEquals("9.9.9", f.get().getCsdpdk());
                } catch (ExecutionException ex) {
                    assertInstanceOf(DpdkHelperException.class, ex.getCause());
                    throw ex;
                }
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 3000, "four 1 s calls took " + ms + " ms");
        } finally {
            pool.shutdownNow();
        }
    }
}
