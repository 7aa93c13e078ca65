package org.sipedge.launcher.bench;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SIP Edge's relay for the benchmark, started as {@code ./sipedge relay} starts it (the launcher's class path, the
 * script's default JVM options) on a free ng port with its own media range, logging warnings only (as rtpengine runs
 * with {@code --log-level=4} beside it). Stopped by its PID.
 */
final class RelayUnderTest implements AutoCloseable {
    private final Process process;
    private final InetSocketAddress ng;
    private final Path log;

    private RelayUnderTest(Process process, InetSocketAddress ng, Path log) {
        this.process = process;
        this.ng = ng;
        this.log = log;
    }

    static RelayUnderTest start(List<String> settings) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bench-relay");
        Path logging = dir.resolve("logging.properties");
        Files.writeString(logging, "handlers=java.util.logging.ConsoleHandler\n.level=WARNING\n"
                + "java.util.logging.ConsoleHandler.level=ALL\norg.sipedge.level=WARNING\n");
        int port;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = s.getLocalPort();
        }
        String cp = Files.readString(Path.of(System.getProperty("sipedge.launcher.classpath"))).trim();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx1g", "-XX:+UseParallelGC", "-Djava.util.logging.config.file=" + logging,
                "-Drelay.ng-listen=127.0.0.1:" + port, "-Drelay.port-min=44000", "-Drelay.port-max=47999",
                "-Drelay.delete-delay=0"));
        for (String kv : settings) {
            cmd.add("-D" + kv);
        }
        cmd.addAll(List.of("-cp", cp, "org.sipedge.relay.RelayMain", "relay"));
        Path log = dir.resolve("relay.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).contains("sipedge relay ready")) {
                return new RelayUnderTest(p, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), log);
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IllegalStateException("the relay did not start:\n" + Files.readString(log));
    }

    InetSocketAddress ng() {
        return ng;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return "SIP Edge relay pid " + pid() + " ng udp:127.0.0.1:" + ng.getPort() + " media 44000-47999, log " + log;
    }
}
