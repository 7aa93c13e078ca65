package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippResult;
import org.sipedge.sipp.SippTransport;

/**
 * The README's standalone recipe, followed literally: a stock Tomcat 7.0.64 distribution from Maven Central, the
 * container jars in its {@code lib/}, the configuration files the launcher generates in its {@code conf/}, the
 * built {@code sipedge.war} in {@code webapps/}, started with {@code Bootstrap} — then real sipp registers over UDP
 * and TCP, the registrar answers, and SIGTERM stops the server.
 */
class StandaloneTomcatIT {

    @Test
    void theSameWarRunsInAStockTomcat() throws Exception {
        Path tarball = Path.of(required("sipedge.tomcat.tarball"));
        Path war = Path.of(required("sipedge.war.file"));
        assertTrue(Files.isRegularFile(tarball), "Tomcat distribution missing: " + tarball);
        assertTrue(Files.isRegularFile(war), "WAR missing (mvn package): " + war);

        // 1. the launcher writes the configuration for the chosen ports; run it once and stop it
        Path gen = Files.createTempDirectory("sipedge-gen");
        int sipPort;
        try (EdgeProcess e = EdgeProcess.builder().workDir(gen).start()) {
            sipPort = e.sipPort();
            e.stop();
        }

        // 2. unpack the stock distribution
        Path root = Files.createTempDirectory("sipedge-standalone");
        run(root, "tar", "xzf", tarball.toString());
        Path home = root.resolve("apache-tomcat-7.0.64");
        assertTrue(Files.isDirectory(home.resolve("lib")), "unpacked Tomcat has lib/");

        Files.copy(gen.resolve("conf/server.xml"), home.resolve("conf/server.xml"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(gen.resolve("conf/mss-sip-stack.properties"), home.resolve("conf/mss-sip-stack.properties"));
        Files.createDirectories(home.resolve("conf/dars"));
        Files.copy(gen.resolve("conf/dars/sipedge-dar.properties"), home.resolve("conf/dars/sipedge-dar.properties"));

        // 3. container jars into lib/: everything the launcher runs with, except Tomcat's own (the distribution has
        //    them) and what the WAR carries itself
        Set<String> inWar;
        try (ZipFile z = new ZipFile(war.toFile())) {
            inWar = z.stream().map(en -> en.getName()).filter(n -> n.startsWith("WEB-INF/lib/"))
                    .map(n -> n.substring("WEB-INF/lib/".length())).collect(Collectors.toSet());
        }
        int copied = 0;
        for (String entry : Files.readString(Path.of(required("sipedge.launcher.classpath"))).trim()
                .split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            String name = jar.getFileName().toString();
            if (!name.endsWith(".jar") || inWar.contains(name) || entry.contains("/org/apache/tomcat/")) {
                continue;
            }
            Files.copy(jar, home.resolve("lib").resolve(name), StandardCopyOption.REPLACE_EXISTING);
            copied++;
        }
        assertTrue(copied > 20, "container jars copied: " + copied);
        assertTrue(Files.exists(home.resolve("lib").resolve(containerExtJar(home))), "sipedge-container-ext in lib/");

        // 4. the WAR, unpacked by the Host
        Files.copy(war, home.resolve("webapps/sipedge.war"));

        // 5. start with Bootstrap and the launcher's JVM options
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(EdgeProcess.jvmOptions());
        cmd.add("-Dcatalina.base=" + home);
        cmd.add("-Dcatalina.home=" + home);
        cmd.add("-Djava.io.tmpdir=" + home.resolve("temp"));
        cmd.add("-Xmx512m");
        int adminPort = EdgeProcess.freeTcpPort();
        cmd.add("-Dadmin.port=" + adminPort); // the WAR's admin listener (ops), on a free port
        cmd.add("-Dadmin.token=standalone");
        cmd.add("-cp");
        cmd.add(home.resolve("bin/bootstrap.jar") + java.io.File.pathSeparator + home.resolve("bin/tomcat-juli.jar"));
        cmd.add("org.apache.catalina.startup.Bootstrap");
        cmd.add("start");
        Process tomcat = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true).start();
        List<String> out = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(tomcat.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    out.add(l);
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "tomcat-output");
        reader.setDaemon(true);
        reader.start();
        try {
            final int port = sipPort;
            SipProbe.Response first = Poll.until(Duration.ofSeconds(90), Duration.ofMillis(250),
                    () -> tomcat.isAlive() ? SipProbe.udp(port, SipProbe.register("standalone0", port, "sa-" + System.nanoTime(), 1)) : null,
                    r -> r != null || !tomcat.isAlive());
            assertNotNull(first, "standalone Tomcat answered REGISTER over UDP; output:\n" + String.join("\n", out));
            assertEquals(200, first.status(), first.raw());

            for (SippTransport t : List.of(SippTransport.UDP, SippTransport.TCP)) {
                String user = "standalone-" + t.name().toLowerCase();
                SippResult r = Sipp.scenario("register").remote("127.0.0.1", sipPort).transport(t)
                        .injection(List.of(user + ";127.0.0.1;900"), true).calls(1).rate(10)
                        .timeout(Duration.ofSeconds(30)).run();
                assertTrue(r.ok() && r.successfulCalls() == 1, t + ": " + r.describe());
                SipProbe.Response q = SipProbe.udp(sipPort, SipProbe.register(user, sipPort, "q-" + System.nanoTime(), 1));
                assertNotNull(q, "query answered");
                assertEquals(1, q.contacts().size(), q.raw());
            }
            // the admin listener runs in the stock container too, and lists what sipp registered
            java.net.http.HttpResponse<String> regs = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort
                            + "/api/registrations?q=standalone-")).header("Authorization", "Bearer standalone").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, regs.statusCode(), regs.body());
            assertTrue(regs.body().contains("\"total\":2"), regs.body());
        } finally {
            tomcat.destroy(); // SIGTERM: Tomcat's shutdown hook stops the server
            boolean stopped = tomcat.waitFor(30, TimeUnit.SECONDS);
            if (!stopped) {
                tomcat.destroyForcibly();
            }
            assertTrue(stopped, "standalone Tomcat stopped within 30 s of SIGTERM");
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String containerExtJar(Path home) throws IOException {
        try (Stream<Path> s = Files.list(home.resolve("lib"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("sipedge-container-ext"))
                    .findFirst().orElse("sipedge-container-ext (missing)");
        }
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " finished");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + o);
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null) {
            throw new IllegalStateException("system property " + property + " is not set (run through Maven)");
        }
        return v;
    }
}
