package org.sipedge.launcher.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.sipedge.relay.RelayFixture;

/**
 * A standalone media relay started the way {@code ./sipedge relay} starts it (same class path as the node), as a
 * child process: ng on a free loopback port, media on 127.0.0.1 in a free range of its own. Output is captured.
 */
final class RelayProcess implements AutoCloseable {
    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final int ngPort;
    private final int[] range;

    private RelayProcess(Map<String, String> settings, int ports) throws IOException {
        this.ngPort = RelayFixture.freeUdpPort();
        this.range = RelayFixture.freeRange(ports);
        Map<String, String> all = new LinkedHashMap<>();
        all.put("relay.ng-listen", "127.0.0.1:" + ngPort);
        all.put("relay.port-min", Integer.toString(range[0]));
        all.put("relay.port-max", Integer.toString(range[1]));
        all.putAll(settings);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xms128m", "-Xmx512m"));
        cmd.add("-Dio.netty.leakDetection.level=simple"); // off in production (RelayMain.productionNetty)
        cmd.add("-Djava.util.logging.config.file=" + EdgeProcess.confDir().resolve("logging.properties"));
        all.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-cp", EdgeProcess.classPath(), "org.sipedge.relay.RelayMain", "relay"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    if (line.startsWith("sipedge relay ready in ")) {
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            } finally {
                ready.countDown();
            }
        }, "relay-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!ready.await(60, TimeUnit.SECONDS) || !process.isAlive()) {
                process.destroyForcibly();
                throw new IllegalStateException("relay did not become ready:\n" + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a relay with these settings (beside its ng port and port range). */
    static RelayProcess start(Map<String, String> settings) throws IOException {
        return new RelayProcess(settings, 200);
    }

    /** {@code udp:127.0.0.1:PORT}: its id in the proxies' engine set and in the cluster's announcements. */
    String engineId() {
        return "udp:127.0.0.1:" + ngPort;
    }

    int ngPort() {
        return ngPort;
    }

    boolean owns(int mediaPort) {
        return mediaPort >= range[0] && mediaPort <= range[1];
    }

    String range() {
        return range[0] + "-" + range[1];
    }

    long pid() {
        return process.pid();
    }

    String output() {
        return String.join("\n", output);
    }

    /** SIGKILL: no goodbye, no withdrawn announcement. */
    void kill() throws Exception {
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "relay pid " + pid() + " " + engineId() + " media " + range();
    }
}
