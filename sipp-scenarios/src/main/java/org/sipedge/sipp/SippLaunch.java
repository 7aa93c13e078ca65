package org.sipedge.sipp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Turns a {@link Sipp.Builder} into a running sipp: its directory, its files, its command line, port retries. */
final class SippLaunch {
    private static final int BIND_ATTEMPTS = 4;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);

    private SippLaunch() {
    }

    /** Starts the run {@code b} describes (see {@link Sipp.Builder#start()}). */
    static SippProcess start(Sipp.Builder b) {
        Path bin = Sipp.binary();
        if (b.transport == SippTransport.TLS && !Sipp.supportsTls()) {
            throw new IllegalStateException("sipp at " + bin + " was built without TLS ('" + Sipp.version()
                    + "' has no -TLS): -t l1 needs a sipp compiled with OpenSSL (cmake -DUSE_SSL=1)");
        }
        Path dir = createWorkDir(b);
        Path scenarioPath = null;
        if (b.resource != null) {
            scenarioPath = Sipp.extractScenario(b.resource, dir);
        } else if (b.file != null) {
            scenarioPath = b.file.toAbsolutePath();
        }
        Path csv = null;
        if (b.injection != null) {
            csv = dir.resolve("injection.csv");
            List<String> lines = new ArrayList<>();
            lines.add(b.sequential ? "SEQUENTIAL" : "RANDOM");
            lines.addAll(b.injection);
            write(csv, String.join("\n", lines) + "\n");
        }
        Path cert = b.tlsCert;
        Path key = b.tlsKey;
        if (b.transport == SippTransport.TLS && cert == null) {
            SelfSignedCert generated = SelfSignedCert.generate(dir);
            cert = generated.cert();
            key = generated.key();
        }
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            Path runDir = attempt == 1 ? dir : subDir(dir, "attempt-" + attempt);
            int sipPort = b.localPort > 0 ? b.localPort : Ports.freePort(b.localIp);
            int rtpPort = b.mediaPort > 0 ? b.mediaPort : Ports.freeMediaPort(b.localIp);
            int ctlPort = b.controlPort > 0 ? b.controlPort : Ports.freePort(b.localIp);
            List<String> cmd = command(b, bin, scenarioPath, csv, cert, key, runDir, sipPort, rtpPort, ctlPort);
            for (Map.Entry<String, byte[]> f : b.files.entrySet()) {
                try {
                    Files.write(runDir.resolve(f.getKey()), f.getValue());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + f.getKey() + " for sipp", e);
                }
            }
            SippProcess p = SippProcess.launch(b.name, cmd, runDir, sipPort, hardTimeout(b), b.keepWorkDir);
            p.awaitReady(READY_TIMEOUT);
            boolean portsAuto = b.localPort == 0 || b.mediaPort == 0 || b.controlPort == 0;
            if (!p.isAlive() && p.exitCode() == SippResult.EXIT_BIND_ERROR && portsAuto && attempt < BIND_ATTEMPTS) {
                last = new IllegalStateException("sipp could not bind its ports: " + p.await().describe());
                continue;
            }
            return p;
        }
        throw last;
    }

    private static Duration hardTimeout(Sipp.Builder b) {
        return Duration.ofSeconds(timeoutSeconds(b)).plus(b.hardTimeoutGrace);
    }

    private static long timeoutSeconds(Sipp.Builder b) {
        long ms = b.timeout.toMillis();
        return Math.max(1, (ms + 999) / 1000);
    }

    private static List<String> command(Sipp.Builder b, Path bin, Path scenarioPath, Path csv, Path cert, Path key, Path runDir,
                                 int sipPort, int rtpPort, int ctlPort) {
        List<String> c = new ArrayList<>();
        c.add(bin.toString());
        if (b.remoteHost != null) {
            String host = b.remoteHost.contains(":") && !b.remoteHost.startsWith("[") ? "[" + b.remoteHost + "]" : b.remoteHost;
            c.add(host + ":" + b.remotePort);
        }
        if (b.builtin != null) {
            c.add("-sn");
            c.add(b.builtin);
        } else {
            c.add("-sf");
            c.add(scenarioPath.toString());
        }
        c.addAll(List.of("-t", b.transport.sippMode(), "-i", b.localIp, "-p", Integer.toString(sipPort),
                "-bind_local", "-mp", Integer.toString(rtpPort),
                "-ci", b.localIp, "-cp", Integer.toString(ctlPort), "-nostdin"));
        c.add("-default_behaviors");
        c.add(b.defaultBehaviors);
        if (csv != null) {
            c.add("-inf");
            c.add(csv.toString());
        }
        for (Map.Entry<String, String> e : b.keys.entrySet()) {
            c.addAll(List.of("-key", e.getKey(), e.getValue()));
        }
        for (Map.Entry<String, String> e : b.sets.entrySet()) {
            c.addAll(List.of("-set", e.getKey(), e.getValue()));
        }
        Integer m = b.calls;
        if (m == null && b.remoteHost != null) {
            m = b.injection != null ? b.injection.size() : 1;
        }
        if (m != null) {
            c.add("-m");
            c.add(Integer.toString(m));
        }
        if (b.rate != null) {
            c.addAll(List.of("-r", Integer.toString(b.rate), "-rp", "1000"));
        }
        if (b.maxOutstanding != null) {
            c.add("-l");
            c.add(Integer.toString(b.maxOutstanding));
        }
        c.addAll(List.of("-timeout", timeoutSeconds(b) + "s", "-timeout_error"));
        c.addAll(List.of("-d", Long.toString(b.hold.toMillis())));
        if (b.recvTimeout != null) {
            c.add("-recv_timeout");
            c.add(Math.max(1, b.recvTimeout.toMillis()) + "ms");
        }
        if (cert != null) {
            c.addAll(List.of("-tls_cert", cert.toString(), "-tls_key", key.toString()));
        }
        if (b.transport == SippTransport.TLS && b.tlsVersion != null) {
            c.addAll(List.of("-tls_version", b.tlsVersion));
        }
        c.addAll(List.of("-trace_stat", "-stf", runDir.resolve(SippProcess.STAT_FILE).toString(), "-fd", "1"));
        c.addAll(List.of("-trace_err", "-error_file", runDir.resolve(SippProcess.ERROR_FILE).toString()));
        if (b.traceMessages) {
            c.addAll(List.of("-trace_msg", "-message_file", runDir.resolve("messages.log").toString()));
        }
        c.addAll(b.extraArgs);
        return Collections.unmodifiableList(c);
    }

    private static Path createWorkDir(Sipp.Builder b) {
        try {
            String prefix = "sipp-" + b.name.replaceAll("[^A-Za-z0-9._-]", "_") + "-";
            return b.baseDir == null ? Files.createTempDirectory(prefix)
                    : Files.createTempDirectory(Files.createDirectories(b.baseDir), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a sipp work directory", e);
        }
    }

    private static Path subDir(Path dir, String name) {
        try {
            return Files.createDirectories(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path f, String content) {
        try {
            Files.writeString(f, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f, e);
        }
    }
}
