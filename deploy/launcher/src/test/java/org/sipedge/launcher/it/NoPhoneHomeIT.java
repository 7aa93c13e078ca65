package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing phones home: the product runs under strace through start, REGISTERs over UDP, TCP and WS, and a clean
 * SIGTERM stop (when Mobicents' statistics reporter would POST to an outside host), and every connect/sendto/sendmsg
 * with an address goes to loopback, a Unix socket or netlink. A DNS lookup would show as a connect or sendto to port
 * 53 of a non-loopback address. Run with each store: an embedded Hazelcast or Infinispan member (with a listed
 * peer that is not up, so it keeps trying to join) must not reach out either (no multicast, no phone-home).
 */
class NoPhoneHomeIT {
    private static final Pattern SYSCALL = Pattern.compile("\\b(connect|sendto|sendmsg)\\(");
    private static final Pattern FAMILY = Pattern.compile("sa_family=(AF_[A-Z0-9]+)");
    private static final Pattern INET4 = Pattern.compile("inet_addr\\(\"([^\"]*)\"\\)");
    private static final Pattern INET6 = Pattern.compile("inet_pton\\(AF_INET6,\\s*\"([^\"]*)\"");
    /** DNS, even to a loopback stub resolver (127.0.0.53): a name lookup leaves the machine through it. */
    private static final Pattern DNS_PORT = Pattern.compile("sin6?_port=htons\\(53\\)");

    @ParameterizedTest(name = "store={0}")
    @ValueSource(strings = {"memory", "hazelcast", "infinispan"})
    void everyAddressTheProcessSendsToIsLoopback(String store, @TempDir Path dir) throws Exception {
        String strace = onPath("strace")
                .orElseGet(() -> fail("strace missing: apt-get install -y strace (./sipedge test installs it)"));
        Path trace = dir.resolve("strace.out");
        EdgeProcess.Builder builder = EdgeProcess.builder()
                .prefix(strace, "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", trace.toString());
        if (!store.equals("memory")) {
            int[] ports = freePorts(2);
            builder.set("store", store).set("store.port", Integer.toString(ports[0]))
                    .set("store.members", "127.0.0.1:" + ports[1]);
        }
        EdgeProcess edge = builder.start();
        ProcessHandle jvm = null;
        try {
            jvm = tracedJvm(edge);
            // the setting took; the REGISTERs below get 200 only if the registrar, and so its store, started
            assertTrue(edge.output().contains("store=" + store), "runs with store=" + store + ":\n" + edge.output());
            int port = edge.sipPort();
            SipProbe.Response udp = SipProbe.udp(port, SipProbe.register("home-udp", port, "home-udp-1", 1,
                    "Contact: <sip:home-udp@127.0.0.1:5099>", "Expires: 600"));
            assertNotNull(udp, "UDP answered");
            assertEquals(200, udp.status(), udp.raw());
            SipProbe.Response tcp = SipProbe.tcp(port, SipProbe.register("home-tcp", port, "home-tcp-1", 1,
                    "Contact: <sip:home-tcp@127.0.0.1:5099;transport=tcp>", "Expires: 600"));
            assertNotNull(tcp, "TCP answered");
            assertEquals(200, tcp.status(), tcp.raw());
            try (WsSipClient ws = WsSipClient.connect(WsSipClient.plainClient(),
                    URI.create("ws://127.0.0.1:" + edge.wsPort() + "/"))) {
                ws.send(WsSipClient.browserRegister("home-ws", "127.0.0.1", UUID.randomUUID().toString(), 1, 1,
                        "home-ws-1", 600));
                SipProbe.Response r = ws.awaitFinal(Duration.ofSeconds(5));
                assertNotNull(r, "WS answered");
                assertEquals(200, r.status(), r.raw());
                ws.closeNormally(Duration.ofSeconds(3));
            }

            // strace started with -o FILE blocks SIGTERM for itself, so the operator's SIGTERM goes to the JVM it
            // traces; strace then ends with it and stop() collects both
            jvm.destroy();
            long stopMs = edge.stop();
            assertTrue(edge.output().contains("sipedge stopped in"), "clean stop logged:\n" + edge.output());
            assertTrue(stopMs >= 0, "stop time reported");

            List<String> lines = Files.readAllLines(trace, StandardCharsets.UTF_8);
            if (Boolean.getBoolean("sipedge.it.echo")) {
                lines.forEach(l -> System.out.println("[strace] " + l));
            }
            List<String> offending = new ArrayList<>();
            int loopback = 0;
            for (String line : lines) {
                Verdict v = judge(line);
                if (v == Verdict.OUTSIDE) {
                    offending.add(line);
                } else if (v == Verdict.LOOPBACK) {
                    loopback++;
                }
            }
            System.out.println("NoPhoneHomeIT (store=" + store + "): " + lines.size() + " traced lines, " + loopback
                    + " to loopback addresses, " + offending.size() + " elsewhere; stop in " + stopMs + " ms");
            assertTrue(loopback > 0, "the trace saw the process's own loopback traffic (is strace tracing it?): "
                    + lines.size() + " lines in " + trace);
            assertTrue(offending.isEmpty(), "traffic to non-loopback addresses:\n" + String.join("\n", offending));
        } finally {
            if (jvm != null && jvm.isAlive()) {
                jvm.destroy();
                ProcessHandle exited = jvm.onExit().completeOnTimeout(null, 20, TimeUnit.SECONDS).join();
                if (exited == null && jvm.isAlive()) {
                    jvm.destroyForcibly();
                }
            }
            edge.close();
        }
    }

    private static int[] freePorts(int n) throws java.io.IOException {
        java.net.ServerSocket[] held = new java.net.ServerSocket[n];
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                held[i] = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                ports[i] = held[i].getLocalPort();
            }
        } finally {
            for (java.net.ServerSocket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }

    enum Verdict { NOT_ADDRESSED, LOOPBACK, LOCAL_IPC, OUTSIDE }

    /** One strace line: is it a send/connect, and where to. */
    static Verdict judge(String line) {
        if (!SYSCALL.matcher(line).find()) {
            return Verdict.NOT_ADDRESSED; // resumed halves, signals, exits
        }
        if (DNS_PORT.matcher(line).find()) {
            return Verdict.OUTSIDE;
        }
        Matcher f = FAMILY.matcher(line);
        Verdict verdict = Verdict.NOT_ADDRESSED; // sendto(fd, ..., NULL, 0): connected socket, judged at connect
        while (f.find()) {
            String family = f.group(1);
            switch (family) {
                case "AF_UNIX", "AF_NETLINK", "AF_UNSPEC" -> {
                    if (verdict == Verdict.NOT_ADDRESSED) {
                        verdict = Verdict.LOCAL_IPC;
                    }
                }
                case "AF_INET" -> {
                    if (!allMatch(INET4, line, a -> a.startsWith("127."))) {
                        return Verdict.OUTSIDE;
                    }
                    verdict = Verdict.LOOPBACK;
                }
                case "AF_INET6" -> {
                    if (!allMatch(INET6, line, a -> a.equals("::1") || a.startsWith("::ffff:127."))) {
                        return Verdict.OUTSIDE;
                    }
                    verdict = Verdict.LOOPBACK;
                }
                default -> {
                    return Verdict.OUTSIDE;
                }
            }
        }
        return verdict;
    }

    /** True when the line has at least one address of the pattern and all pass. */
    private static boolean allMatch(Pattern p, String line, java.util.function.Predicate<String> ok) {
        Matcher m = p.matcher(line);
        boolean any = false;
        while (m.find()) {
            any = true;
            if (!ok.test(m.group(1))) {
                return false;
            }
        }
        return any;
    }

    /** The JVM strace started (its child); the process SIGTERM must reach. */
    private static ProcessHandle tracedJvm(EdgeProcess edge) {
        ProcessHandle strace = ProcessHandle.of(edge.pid()).orElseThrow(() -> new AssertionError("strace gone"));
        List<ProcessHandle> children = strace.children().toList();
        assertEquals(1, children.size(), "strace runs exactly one child, the JVM: " + children);
        ProcessHandle jvm = children.get(0);
        String cmd = jvm.info().command().orElse("");
        assertTrue(cmd.endsWith(File.separator + "java"), "strace's child is the JVM: " + cmd);
        return jvm;
    }

    private static Optional<String> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String d : path.split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }
}
