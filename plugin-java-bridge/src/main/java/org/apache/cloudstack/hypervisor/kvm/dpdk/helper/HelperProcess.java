package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs one process: argv list (no shell), stdin written by its own thread and closed, stdout and stderr
 * read by their own threads into bounded buffers (so that no pipe fills up and blocks either side), and
 * a deadline after which the process and every descendant are killed with SIGKILL and reaped.
 */
final class HelperProcess {
    /** stderr kept (the first bytes); csdpdk writes a line or two with --verbose. */
    static final int MAX_STDERR_BYTES = 64 * 1024;
    /** How long to wait for the kernel to reap a killed process. */
    private static final long REAP_MILLIS = 500;
    /** How long to wait, after a kill, for the output threads to see end of file. */
    private static final long DRAIN_AFTER_KILL_MILLIS = 300;

    private HelperProcess() {
    }

    /** What happened. */
    static final class Outcome {
        /** The exit status, or {@link DpdkHelperException#NO_EXIT_STATUS} when killed on timeout. */
        final int exitStatus;
        final boolean timedOut;
        final byte[] stdout;
        final boolean stdoutOverflow;
        final String stderr;
        /** False when the output threads had not seen end of file (a descendant still holds the pipes). */
        final boolean outputComplete;
        final long durationMillis;

        Outcome(int exitStatus, boolean timedOut, byte[] stdout, boolean stdoutOverflow, String stderr,
                boolean outputComplete, long durationMillis) {
            this.exitStatus = exitStatus;
            this.timedOut = timedOut;
            this.stdout = stdout;
            this.stdoutOverflow = stdoutOverflow;
            this.stderr = stderr;
            this.outputComplete = outputComplete;
            this.durationMillis = durationMillis;
        }
    }

    /**
     * Runs argv. Throws IOException when the process cannot be started, InterruptedException (after
     * killing it) when the calling thread is interrupted.
     */
    static Outcome run(List<String> argv, byte[] stdin, Duration timeout, int maxStdoutBytes)
            throws IOException, InterruptedException {
        final long start = System.nanoTime();
        final long deadline = start + timeout.toNanos();
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectErrorStream(false);
        Process p = pb.start();
        String name = "csdpdk-" + p.pid();

        Drain out = new Drain(p.getInputStream(), maxStdoutBytes, name + "-stdout");
        Drain err = new Drain(p.getErrorStream(), MAX_STDERR_BYTES, name + "-stderr");
        Thread feeder = new Thread(() -> feed(p.getOutputStream(), stdin), name + "-stdin");
        feeder.setDaemon(true);
        out.start();
        err.start();
        feeder.start();

        boolean exited;
        try {
            exited = p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            killTree(p);
            throw e;
        }
        if (!exited) {
            killTree(p);
        }
        // After a normal exit the pipes close at once unless a descendant kept them: wait for that
        // until the deadline at most. After a kill, only briefly.
        long drainUntil = exited ? Math.max(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100))
                : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_AFTER_KILL_MILLIS);
        try {
            joinUntil(out, drainUntil);
            joinUntil(err, drainUntil);
        } catch (InterruptedException e) {
            killTree(p);
            throw e;
        }
        // When a descendant still holds the pipes, the threads (daemons) end when it lets go; closing
        // the streams here could block on the locks they hold while reading.
        boolean complete = !out.isAlive() && !err.isAlive();
        long durationMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        int status = exited ? p.exitValue() : DpdkHelperException.NO_EXIT_STATUS;
        return new Outcome(status, !exited, out.bytes(), out.overflow(), err.text(), complete, durationMillis);
    }

    /**
     * SIGKILL to the process and to every descendant it has now (a stand-in shell's {@code sleep},
     * for instance, would otherwise keep the pipes open and run on), then reap the process.
     *
     * <p>Through its {@link ProcessHandle}, not {@link Process#destroyForcibly()}: the latter first closes
     * the process's stdin, under the lock that the stdin thread holds while it is blocked writing to a
     * process that does not read, and so would wait forever.
     */
    static void killTree(Process p) {
        List<ProcessHandle> descendants = p.descendants().collect(Collectors.toList());
        p.toHandle().destroyForcibly();
        for (ProcessHandle h : descendants) {
            h.destroyForcibly();
        }
        boolean interrupted = Thread.interrupted();
        try {
            p.waitFor(REAP_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void joinUntil(Thread t, long deadlineNanos) throws InterruptedException {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (ms > 0) {
            t.join(ms);
        }
    }

    private static void feed(OutputStream os, byte[] stdin) {
        try (OutputStream o = os) {
            if (stdin != null && stdin.length > 0) {
                o.write(stdin);
            }
        } catch (IOException e) {
            // The process exited (or was killed) without reading all of its stdin: a verb that reads
            // no request, or a failure its output will tell.
        }
    }

    /** Reads a stream to its end, keeping the first max bytes and counting the rest. */
    private static final class Drain extends Thread {
        private final InputStream in;
        private final int max;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private volatile boolean overflow;

        Drain(InputStream in, int max, String name) {
            super(name);
            setDaemon(true);
            this.in = in;
            this.max = max;
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    synchronized (buffer) {
                        int keep = Math.min(n, max - buffer.size());
                        if (keep > 0) {
                            buffer.write(chunk, 0, keep);
                        }
                        if (keep < n) {
                            overflow = true;
                        }
                    }
                }
            } catch (IOException e) {
                // closed under us after a kill
            }
        }

        byte[] bytes() {
            synchronized (buffer) {
                return buffer.toByteArray();
            }
        }

        boolean overflow() {
            return overflow;
        }

        String text() {
            String s = new String(bytes(), StandardCharsets.UTF_8);
            return overflow ? s + "\n[stderr truncated]" : s;
        }
    }
}
