package org.sipedge.launcher.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real product, started the way {@code ./sipedge run} starts it (same class path, same JVM flags) as a child
 * process on free loopback ports, for the integration tests and benchmarks. Output is captured for assertions.
 */
public final class EdgeProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("sipedge ready in (\\d+) ms");
    private static final Pattern STOPPED = Pattern.compile("sipedge stopped in (\\d+) ms");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final int sipPort;
    private final int tlsPort;
    private final int wsPort;
    private final int wssPort;
    private final long readyMillis;
    private final Path workDir;
    private final boolean prefixed;

    private EdgeProcess(Builder b) throws IOException {
        this.prefixed = !b.prefix.isEmpty();
        this.workDir = b.workDir != null ? b.workDir : Files.createTempDirectory("sipedge-it");
        this.sipPort = freeUdpAndTcpPort();
        this.tlsPort = freeTcpPort();
        this.wsPort = freeTcpPort();
        this.wssPort = freeTcpPort();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("sip.bind-address", "127.0.0.1");
        settings.put("sip.udp-port", Integer.toString(sipPort));
        settings.put("sip.tcp-port", Integer.toString(sipPort));
        settings.put("sip.tls-port", Integer.toString(tlsPort));
        settings.put("sip.ws-port", Integer.toString(wsPort));
        settings.put("sip.wss-port", Integer.toString(wssPort));
        settings.put("sip.work-dir", workDir.toString());
        settings.put("web.port", "0"); // the demo page server stays off unless a test asks (Builder.set)
        settings.put("admin.port", "0"); // and so does the admin listener
        settings.put("sip.warmup-seconds", "0"); // tests start fast; StartupIT and the latency bench turn it on
        settings.putAll(b.settings);
        List<String> cmd = new ArrayList<>(b.prefix);
        cmd.add(Path.of(b.javaHome, "bin", "java").toString());
        cmd.addAll(jvmOptions());
        cmd.add("-Dio.netty.leakDetection.level=simple"); // off in production (RelayMain.productionNetty)
        cmd.add("-Djava.util.logging.config.file=" + confDir().resolve("logging.properties"));
        cmd.addAll(b.jvmArgs);
        cmd.add("-Dsipedge.war=" + required("sipedge.war"));
        for (Map.Entry<String, String> e : settings.entrySet()) {
            cmd.add("-D" + e.getKey() + "=" + e.getValue());
        }
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("org.sipedge.launcher.Main");
        cmd.add("run");
        cmd.addAll(b.args);
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CountDownLatch ready = new CountDownLatch(1);
        long[] readyMs = {-1};
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    if (b.echo) {
                        System.out.println("[edge] " + line);
                    }
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        readyMs[0] = Long.parseLong(m.group(1));
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            } finally {
                ended.countDown();
                ready.countDown();
            }
        }, "edge-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!ready.await(b.startTimeout.toMillis(), TimeUnit.MILLISECONDS) || readyMs[0] < 0) {
                if (b.expectFailure) {
                    readyMillis = -1;
                    return;
                }
                String out = String.join("\n", output);
                process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("SIP Edge did not become ready:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException(e);
        }
        readyMillis = readyMs[0];
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for one start. */
    public static final class Builder {
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>(List.of("-Xms256m", "-Xmx1g"));
        private final List<String> args = new ArrayList<>();
        private final List<String> prefix = new ArrayList<>();
        private String javaHome = System.getProperty("java.home");
        private Duration startTimeout = Duration.ofSeconds(60);
        private boolean expectFailure;
        private boolean echo = Boolean.getBoolean("sipedge.it.echo");
        private Path workDir;

        public Builder set(String key, String value) {
            settings.put(key, value);
            return this;
        }

        public Builder jvmArgs(String... a) {
            jvmArgs.clear();
            jvmArgs.addAll(List.of(a));
            return this;
        }

        public Builder args(String... a) {
            args.addAll(List.of(a));
            return this;
        }

        /** A command the JVM runs under (e.g. strace). */
        public Builder prefix(String... p) {
            prefix.addAll(List.of(p));
            return this;
        }

        public Builder javaHome(String home) {
            javaHome = home;
            return this;
        }

        public Builder workDir(Path dir) {
            workDir = dir;
            return this;
        }

        /** Do not throw when the process exits without becoming ready (start-up failure tests). */
        public Builder expectFailure() {
            expectFailure = true;
            startTimeout = Duration.ofSeconds(60);
            return this;
        }

        public EdgeProcess start() throws IOException {
            return new EdgeProcess(this);
        }
    }

    /**
     * The java command line {@code ./sipedge run} uses (same JVM options file, logging, WAR and class path), up to
     * and including {@code run}, without any SIP Edge setting: for a process started elsewhere (the browser tests
     * start it inside their own network namespace and add the ports there as {@code -Dkey=value} arguments).
     */
    public static List<String> commandLine(String javaHome, List<String> jvmArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(javaHome, "bin", "java").toString());
        cmd.addAll(jvmOptions());
        cmd.add("-Djava.util.logging.config.file=" + confDir().resolve("logging.properties"));
        cmd.addAll(jvmArgs);
        cmd.add("-Dsipedge.war=" + required("sipedge.war"));
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("org.sipedge.launcher.Main");
        cmd.add("run");
        return cmd;
    }

    public static Path confDir() {
        return Path.of(required("sipedge.launcher.classes")).getParent().getParent().resolve("conf");
    }

    static List<String> jvmOptions() throws IOException {
        List<String> opts = new ArrayList<>();
        for (String line : Files.readAllLines(confDir().resolve("jvm.options"))) {
            String t = line.trim();
            if (!t.isEmpty() && !t.startsWith("#")) {
                opts.add(t);
            }
        }
        return opts;
    }

    static String classPath() throws IOException {
        return required("sipedge.launcher.classes") + java.io.File.pathSeparator
                + Files.readString(Path.of(required("sipedge.launcher.classpath"))).trim();
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null) {
            throw new IllegalStateException("system property " + property + " is not set (run through Maven)");
        }
        return v;
    }

    public int sipPort() {
        return sipPort;
    }

    public int tlsPort() {
        return tlsPort;
    }

    public int wsPort() {
        return wsPort;
    }

    public int wssPort() {
        return wssPort;
    }

    public long readyMillis() {
        return readyMillis;
    }

    public Path workDir() {
        return workDir;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String output() {
        return String.join("\n", output);
    }

    /** Waits until a line of output matches, or the timeout passes. */
    public boolean awaitOutput(Predicate<String> match, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (String l : output) {
                if (match.test(l)) {
                    return true;
                }
            }
            if (ended.await(50, TimeUnit.MILLISECONDS)) {
                return output.stream().anyMatch(match);
            }
        }
        return false;
    }

    /** Exit code after the process ended on its own (start-up failures); waits up to the timeout. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("process did not exit:\n" + output());
        }
        ended.await(5, TimeUnit.SECONDS);
        return process.exitValue();
    }

    /** SIGTERM, as an operator's Ctrl-C or systemd would; returns the stop time the process reported (ms). */
    public long stop() throws InterruptedException {
        jvm().destroy(); // SIGTERM; unlike Process.destroy() it leaves our end of stdout open
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("SIP Edge did not stop within 30 s after SIGTERM:\n" + output());
        }
        ended.await(5, TimeUnit.SECONDS);
        for (String l : output) {
            Matcher m = STOPPED.matcher(l);
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        return -1;
    }

    /** The JVM itself: the process, or under a prefix (strace ignores SIGTERM) its java descendant. */
    private ProcessHandle jvm() {
        if (!prefixed) {
            return process.toHandle();
        }
        return process.toHandle().descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst().orElse(process.toHandle());
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            jvm().destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A port free for both UDP and TCP on loopback (SIP uses the same number for both). */
    static int freeUdpAndTcpPort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (DatagramSocket d = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                int p = d.getLocalPort();
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    return p;
                } catch (IOException busy) {
                    // TCP side taken, try another
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP");
    }
}
