package org.sipedge.rtpengine.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.sipedge.ng.CookieGenerator;
import org.sipedge.ng.NgCodecException;
import org.sipedge.ng.NgMessage;

/**
 * A real rtpengine for one test class: its own ng port and media port range on 127.0.0.1 (probed free, so parallel
 * runs do not collide), its log in {@code target/rtpengine-<ngport>.log}, ready when it answers ping, stopped by
 * destroying its own process in {@link #close()}.
 *
 * <pre>
 * try (RtpengineDaemon rtpengine = RtpengineDaemon.start()) {
 *     settings: rtpengine.engines = rtpengine.engineSpec()     // "udp:127.0.0.1:PORT"
 * }
 * </pre>
 *
 * A missing binary is a failure, not a skip: set {@code -Drtpengine.binary=PATH} or install the Debian package
 * {@code rtpengine-daemon}.
 */
public final class RtpengineDaemon implements AutoCloseable {
    /** Media ports reserved per daemon (4 per plain call, more with ICE/RTCP: dozens of calls). */
    public static final int DEFAULT_PORT_COUNT = 200;
    private static final int LOWEST_PORT = 20000;
    private static final int HIGHEST_PORT = 59999;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final int ngPort;
    private final int portMin;
    private final int portMax;
    private final Path logFile;
    private final List<String> command;
    private final Thread shutdownHook;
    private final CookieGenerator cookies = new CookieGenerator();

    private RtpengineDaemon(Process process, int ngPort, int portMin, int portMax, Path logFile, List<String> command) {
        this.process = process;
        this.ngPort = ngPort;
        this.portMin = portMin;
        this.portMax = portMax;
        this.logFile = logFile;
        this.command = command;
        this.shutdownHook = new Thread(process::destroy, "rtpengine-" + ngPort + "-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a daemon logging to {@code target/} (relative to the working directory, i.e. the module). */
    public static RtpengineDaemon start() {
        return start(Path.of(System.getProperty("rtpengine.logDir", "target")), DEFAULT_PORT_COUNT);
    }

    /**
     * Starts a daemon with {@code portCount} media ports; {@code extraArgs} are appended to the command line
     * (e.g. {@code --timeout=5}).
     */
    public static RtpengineDaemon start(Path logDir, int portCount, String... extraArgs) {
        String binary = findBinary();
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                return startOnce(binary, logDir, portCount, extraArgs);
            } catch (IllegalStateException e) {
                last = e; // a port taken between probe and start; try another range
            }
        }
        throw last;
    }

    private static RtpengineDaemon startOnce(String binary, Path logDir, int portCount, String... extraArgs) {
        int[] range = freeRange(portCount);
        int ngPort = freeNgPort(range);
        Path log = logDir.resolve("rtpengine-" + ngPort + ".log");
        List<String> cmd = new ArrayList<>(List.of(binary, "--config-file=none", "--table=-1",
                "--interface=127.0.0.1", "--listen-ng=127.0.0.1:" + ngPort, "--port-min=" + range[0],
                "--port-max=" + range[1], "--foreground", "--log-stderr", "--log-level=6", "--delete-delay=0"));
        cmd.addAll(List.of(extraArgs));
        Process p;
        try {
            Files.createDirectories(logDir);
            Files.writeString(log, String.join(" ", cmd) + System.lineSeparator());
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        RtpengineDaemon d = new RtpengineDaemon(p, ngPort, range[0], range[1], log, cmd);
        try {
            d.awaitPing(READY_TIMEOUT);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    private static String findBinary() {
        String configured = System.getProperty("rtpengine.binary", System.getenv("RTPENGINE_BINARY"));
        if (configured != null && !configured.isBlank()) {
            if (!new File(configured).canExecute()) {
                throw new IllegalStateException("rtpengine.binary=" + configured + " is not an executable file");
            }
            return configured;
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"));
        for (String dir : dirs) {
            File f = new File(dir, "rtpengine");
            if (f.isFile() && f.canExecute()) {
                return f.getPath();
            }
        }
        throw new IllegalStateException("rtpengine binary not found on PATH (nor in /usr/bin, /usr/sbin): these tests "
                + "need the real daemon. Install it (Debian/Ubuntu: apt-get install rtpengine-daemon) or point "
                + "-Drtpengine.binary=/path/to/rtpengine at it.");
    }

    /** A random range of free UDP ports on 127.0.0.1, checked by binding every port once. */
    public static int[] freeRange(int count) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int min = LOWEST_PORT + ThreadLocalRandom.current().nextInt(HIGHEST_PORT - LOWEST_PORT - count);
            if (allFree(min, min + count - 1)) {
                return new int[] {min, min + count - 1};
            }
        }
        throw new IllegalStateException("no free range of " + count + " UDP ports in " + LOWEST_PORT + ".." + HIGHEST_PORT);
    }

    private static boolean allFree(int min, int max) {
        List<DatagramSocket> probes = new ArrayList<>();
        try {
            for (int port = min; port <= max; port++) {
                probes.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            }
            return true;
        } catch (SocketException e) {
            return false;
        } finally {
            probes.forEach(DatagramSocket::close);
        }
    }

    private static int freeNgPort(int[] mediaRange) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                int port = s.getLocalPort();
                if (port < mediaRange[0] || port > mediaRange[1]) {
                    return port;
                }
            } catch (SocketException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free UDP port for ng outside the media range");
    }

    private void awaitPing(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("rtpengine exited with " + process.exitValue() + " before answering ping; "
                        + "command: " + String.join(" ", command) + System.lineSeparator() + "log " + logFile + ":"
                        + System.lineSeparator() + logTail());
            }
            Map<String, Object> reply = request(Map.of("command", "ping"), Duration.ofMillis(100));
            if (reply != null && "pong".equals(reply.get("result"))) {
                return;
            }
        }
        throw new IllegalStateException("rtpengine did not answer ping within " + max.toSeconds() + " s; log "
                + logFile + ":" + System.lineSeparator() + logTail());
    }

    /**
     * One ng request straight to this daemon (one datagram, a fresh cookie); the reply dictionary, or null when
     * none came within {@code wait}. For test assertions such as {@code query} and {@code list}.
     */
    public Map<String, Object> request(Map<String, Object> dictionary, Duration wait) {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            String cookie = cookies.next();
            byte[] out = new NgMessage(cookie, new LinkedHashMap<>(dictionary)).encode();
            socket.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), ngPort));
            socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
            byte[] in = new byte[65535];
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                DatagramPacket p = new DatagramPacket(in, in.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                try {
                    NgMessage reply = NgMessage.decode(p.getData(), p.getOffset(), p.getLength());
                    if (reply.cookie().equals(cookie)) {
                        return reply.dictionary();
                    }
                } catch (NgCodecException e) {
                    // not ours; keep waiting
                }
            }
            return null;
        } catch (java.net.PortUnreachableException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code udp:127.0.0.1:PORT}, the value for {@code rtpengine.engines}. */
    public String engineSpec() {
        return "udp:127.0.0.1:" + ngPort;
    }

    public String ngHost() {
        return "127.0.0.1";
    }

    public int ngPort() {
        return ngPort;
    }

    public int portMin() {
        return portMin;
    }

    public int portMax() {
        return portMax;
    }

    public Path logFile() {
        return logFile;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The whole log so far. */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private String logTail() {
        String all = log();
        return all.length() <= 4000 ? all : all.substring(all.length() - 4000);
    }

    /** Stops the daemon: SIGTERM to its own process, SIGKILL if it has not exited after 5 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or ran
        }
    }

    @Override
    public String toString() {
        return "rtpengine pid " + pid() + " ng " + engineSpec() + " media " + portMin + "-" + portMax;
    }
}
