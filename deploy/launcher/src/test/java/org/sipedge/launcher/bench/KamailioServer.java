package org.sipedge.launcher.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Kamailio ({@code /usr/sbin/kamailio}) as the benchmark's reference server: the generated
 * {@code kamailio-compare.cfg} (registrar + usrloc in memory, record-routing stateful proxy, dispatcher hashing
 * the conference id) on a free UDP port of 127.0.0.1, in the foreground ({@code -DD -E}) with its pid file,
 * runtime dir and log in a directory of its own; stopped by its PID (SIGTERM: the main process ends its workers).
 */
final class KamailioServer implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/kamailio");
    private static final List<String> MODULE_DIRS = List.of("/usr/lib/x86_64-linux-gnu/kamailio/modules",
            "/usr/lib/aarch64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules");

    private final Process process;
    private final int port;
    private final Path log;

    private KamailioServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts Kamailio with {@code children} UDP workers, {@code shmMib} of shared memory for usrloc and
     * transactions, the dispatcher's set 1 read from {@code dispatcherList} and {@code extraArgs} added to its
     * command line; returns once it answers OPTIONS.
     */
    static KamailioServer start(Path dir, int children, int shmMib, Path dispatcherList, List<String> extraArgs)
            throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " not found: bench compare runs Debian's Kamailio; install it"
                    + " with apt-get install -y kamailio (./sipedge bench compare does when it can)");
        }
        int port = freeUdpPort();
        Path cfg = dir.resolve("kamailio.cfg");
        Files.writeString(cfg, template().replace("@CHILDREN@", Integer.toString(children))
                .replace("@PORT@", Integer.toString(port)).replace("@MPATH@", moduleDir() + "/")
                .replace("@DISPATCHER_LIST@", dispatcherList.toString()));
        Path log = dir.resolve("kamailio.log");
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "-DD", "-E", "-f", cfg.toString(),
                "-P", dir.resolve("kamailio.pid").toString(), "-Y", dir.toString(),
                "-m", Integer.toString(shmMib), "-M", "16"));
        cmd.addAll(extraArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        KamailioServer k = new KamailioServer(p, port, log);
        try {
            k.awaitAnswering(Duration.ofSeconds(15));
        } catch (IOException | RuntimeException e) {
            k.close();
            throw e;
        }
        return k;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** {@code kamailio -v}'s version, e.g. "5.6.3", or "?" */
    static String version() {
        try {
            Process p = new ProcessBuilder(BINARY.toString(), "-v").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("kamailio (\\d+\\.\\d+\\.\\d+)").matcher(out);
            return m.find() ? m.group(1) : "?";
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /** Kamailio binds first and forks its workers after: wait until one answers an OPTIONS (bounded). */
    private void awaitAnswering(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket s = new DatagramSocket(0, lo)) {
            s.setSoTimeout(200);
            byte[] options = ("OPTIONS sip:127.0.0.1:" + port + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + s.getLocalPort() + ";branch=z9hG4bK-probe;rport\r\n"
                    + "From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: probe-" + port + "\r\n"
                    + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] buf = new byte[4096];
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("kamailio exited with " + process.exitValue() + ":\n"
                            + Files.readString(log));
                }
                s.send(new DatagramPacket(options, options.length, lo, port));
                try {
                    s.receive(new DatagramPacket(buf, buf.length));
                    return;
                } catch (SocketTimeoutException e) {
                    // not yet
                }
            }
        }
        throw new IllegalStateException("kamailio did not answer on 127.0.0.1:" + port + " within " + timeout
                + ":\n" + Files.readString(log));
    }

    private static String template() throws IOException {
        try (InputStream in = KamailioServer.class.getResourceAsStream("/kamailio/kamailio-compare.cfg")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String moduleDir() {
        for (String d : MODULE_DIRS) {
            if (new File(d, "dispatcher.so").isFile() && new File(d, "registrar.so").isFile()) {
                return d;
            }
        }
        throw new IllegalStateException("Kamailio's modules (dispatcher.so, registrar.so) not found in " + MODULE_DIRS
                + ": install the Debian package kamailio");
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket d = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return d.getLocalPort();
        }
    }

    /** SIGTERM to the process started here (by PID), then SIGKILL to it and its own workers if it lingers. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> workers = process.toHandle().descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        workers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
