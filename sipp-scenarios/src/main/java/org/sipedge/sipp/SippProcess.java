package org.sipedge.sipp;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A running sipp process started by {@link Sipp.Builder#start()}: wait for it with
 * {@link #await()}, or end it early with {@link #stop()}. Typical use is a sipp server (e.g. the
 * built-in {@code uas}) that a client run then targets on {@link #localPort()}.
 *
 * <p>The process is only ever ended through its own {@link Process} handle. Processes still
 * running when the JVM exits are destroyed by a shutdown hook. The run directory of a run whose
 * result is {@link SippResult#ok() ok} is deleted when the JVM exits (unless
 * {@link Sipp.Builder#keepWorkDir(boolean)} or {@code -Dsipedge.sipp.keep=true}); directories of
 * failed runs stay for inspection.
 */
public final class SippProcess implements AutoCloseable {

    static final String STAT_FILE = "stat.csv";
    static final String ERROR_FILE = "errors.log";
    static final String STDOUT_FILE = "stdout.log";
    static final String STDERR_FILE = "stderr.log";

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final Set<Path> DELETE_AT_EXIT = ConcurrentHashMap.newKeySet();
    private static final Duration TERM_GRACE = Duration.ofSeconds(5);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : LIVE) {
                p.destroyForcibly();
            }
            for (Path dir : DELETE_AT_EXIT) {
                deleteTree(dir);
            }
        }, "sipp-harness-cleanup"));
    }

    private final String name;
    private final List<String> command;
    private final Path workDir;
    private final int localPort;
    private final Process process;
    private final boolean keepWorkDir;
    private final long startNanos;
    private final long deadlineNanos;
    private volatile boolean killed;
    private volatile SippResult result;
    private volatile long endNanos;

    private SippProcess(String name, List<String> command, Path workDir, int localPort, Process process,
                        long startNanos, Duration hardTimeout, boolean keepWorkDir) {
        this.name = name;
        this.keepWorkDir = keepWorkDir;
        this.command = command;
        this.workDir = workDir;
        this.localPort = localPort;
        this.process = process;
        this.startNanos = startNanos;
        this.deadlineNanos = startNanos + hardTimeout.toNanos();
    }

    static SippProcess launch(String name, List<String> command, Path workDir, int localPort, Duration hardTimeout,
                              boolean keepWorkDir) {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(workDir.resolve(STDOUT_FILE).toFile())
                .redirectError(workDir.resolve(STDERR_FILE).toFile());
        pb.environment().put("TERM", "dumb");
        long start = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        try {
            p.getOutputStream().close(); // sipp runs with -nostdin; give it an empty stdin anyway
        } catch (IOException ignored) {
            // nothing to do
        }
        return new SippProcess(name, command, workDir, localPort, p, start, hardTimeout, keepWorkDir);
    }

    /**
     * Waits until sipp has written its first statistics row (it does so right after binding its
     * sockets) or has exited, at most {@code max}.
     */
    void awaitReady(Duration max) {
        long until = System.nanoTime() + max.toNanos();
        Path stat = workDir.resolve(STAT_FILE);
        while (System.nanoTime() < until && process.isAlive()) {
            if (hasDataRow(stat)) {
                return;
            }
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean hasDataRow(Path stat) {
        if (!Files.isRegularFile(stat)) {
            return false;
        }
        try {
            int newlines = 0;
            for (byte b : Files.readAllBytes(stat)) {
                if (b == '\n' && ++newlines >= 2) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The scenario name of this run. */
    public String name() {
        return name;
    }

    /** The full command line. */
    public List<String> command() {
        return command;
    }

    /** The run's private directory. */
    public Path workDir() {
        return workDir;
    }

    /** The local SIP port sipp listens on ({@code -p}). */
    public int localPort() {
        return localPort;
    }

    /** The RTP port sipp uses ({@code -mp}). */
    public int mediaPort() {
        return Integer.parseInt(command.get(command.indexOf("-mp") + 1));
    }

    /** The process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether sipp is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** sipp's exit code; -1 while it runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /**
     * Waits for sipp to exit, at most until the hard timeout (sipp's {@code -timeout} +
     * {@link Sipp#HARD_TIMEOUT_GRACE}) after which the process is destroyed, and returns the result.
     * Calling it again returns the same result.
     */
    public SippResult await() {
        SippResult r = result;
        if (r != null) {
            return r;
        }
        synchronized (this) {
            if (result == null) {
                long left = deadlineNanos - System.nanoTime();
                boolean exited = false;
                try {
                    exited = left > 0 && process.waitFor(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (!exited) {
                    destroy();
                }
                result = collect();
                if (result.ok() && !keepWorkDir) {
                    DELETE_AT_EXIT.add(workDir);
                }
            }
            return result;
        }
    }

    /** Ends sipp now (through its process handle), then returns the result. */
    public SippResult stop() {
        synchronized (this) {
            if (result == null && process.isAlive()) {
                destroy();
            }
        }
        return await();
    }

    /** {@link #stop() Stops} sipp if it still runs. */
    @Override
    public void close() {
        stop();
    }

    private void destroy() {
        killed = process.isAlive();
        process.destroy();
        try {
            if (!process.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private SippResult collect() {
        endNanos = System.nanoTime();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
        int exit = process.isAlive() ? -1 : process.exitValue();
        if (killed) {
            exit = -1;
        }
        Path stat = workDir.resolve(STAT_FILE);
        SippStats stats = SippStats.parse(stat);
        Path errorLog = workDir.resolve(ERROR_FILE);
        String errors = readTail(errorLog, Sipp.MAX_LOG_CHARS);
        String stderr = readTail(workDir.resolve(STDERR_FILE), Sipp.MAX_LOG_CHARS);
        double rate = stats.has(SippStats.CALL_RATE) ? stats.callRate()
                : (elapsedMs > 0 ? stats.totalCreated() * 1000.0 / elapsedMs : 0);
        return new SippResult(name, command, workDir, exit, killed,
                stats.successfulCalls(), stats.failedCalls(), stats.retransmissions(), stats.timeouts(),
                stats.totalCreated(), elapsedMs, rate, stat, stats, errorLog, errors, stderr,
                workDir.resolve(STDOUT_FILE));
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort at JVM exit
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort at JVM exit
        }
    }

    /** The last {@code maxChars} characters of a file, or "" if it does not exist. */
    static String readTail(Path f, int maxChars) {
        if (!Files.isRegularFile(f)) {
            return "";
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            long len = raf.length();
            long from = Math.max(0, len - maxChars);
            byte[] buf = new byte[(int) (len - from)];
            raf.seek(from);
            raf.readFully(buf);
            return new String(buf, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(cannot read " + f + ": " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "SippProcess[" + name + ", pid=" + process.pid() + ", port=" + localPort + ", dir=" + workDir + "]";
    }
}
