package org.sipedge.sipp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Finds the sipp executable and reads its version (once per executable). */
final class SippBinary {
    private static final Map<Path, String> VERSIONS = new ConcurrentHashMap<>();

    private SippBinary() {
    }

    /**
     * The sipp executable: the {@value Sipp#Sipp.BINARY_PROPERTY} system property if set, else {@code sipp}
     * on the PATH.
     *
     * @throws IllegalStateException with {@link Sipp#Sipp.NOT_FOUND_MESSAGE} if there is none
     */
    static Path binary() {
        String override = System.getProperty(Sipp.BINARY_PROPERTY);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
            throw new IllegalStateException(Sipp.NOT_FOUND_MESSAGE + " [-D" + Sipp.BINARY_PROPERTY + "=" + override
                    + " is not an executable file]");
        }
        return findOnPath("sipp").orElseThrow(() -> new IllegalStateException(Sipp.NOT_FOUND_MESSAGE));
    }

    /** An executable named {@code name} in one of the PATH directories. */
    static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The version line of {@code sipp -v}, e.g. {@code SIPp v3.6.1-SCTP-PCAP-RTPSTREAM}. */
    static String version() {
        return VERSIONS.computeIfAbsent(binary(), SippBinary::readVersion);
    }

    private static String readVersion(Path bin) {
        try {
            Process p = new ProcessBuilder(bin.toString(), "-v").redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(8192);
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            for (String line : new String(out, StandardCharsets.ISO_8859_1).split("\n")) {
                String l = line.strip();
                if (l.startsWith("SIPp v")) {
                    return l.endsWith(".") ? l.substring(0, l.length() - 1) : l;
                }
            }
            return "unknown";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + bin + " -v", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
