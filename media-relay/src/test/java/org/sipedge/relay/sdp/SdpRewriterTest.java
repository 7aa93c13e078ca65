package org.sipedge.relay.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture in {@code src/test/resources/sdp/daemon/}: an SDP as sent to the real rtpengine 10.5, the options
 * of that offer or answer, the relay's ports per m= line as rtpengine chose them, and the SDP rtpengine replied
 * with (captured by {@code capture-fixtures.py}, from the reference transcripts and from experiments). The rewrite
 * must give rtpengine's reply byte for byte, except lines a fixture names in {@code ignoreExpected} with its reason
 * (keys, fingerprints and candidates rtpengine generates: WebRTC termination is a later part).
 */
class SdpRewriterTest {
    private static final Path FIXTURES = fixtures();

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rewritesAsRtpengineDoes(String name) throws IOException {
        Path dir = FIXTURES.resolve(name);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("case.properties"), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        SessionDescription in = SessionDescription.parse(wire(dir.resolve("input.sdp")));
        SdpRewriter.RewriteOptions options = options(p.getProperty("options", ""));
        List<SdpRewriter.LocalMedia> local = new ArrayList<>();
        for (int i = 1; i <= in.media().size(); i++) {
            String l = p.getProperty("local." + i, "").trim();
            if (l.isEmpty() || l.equals("rejected")) {
                local.add(null);
                continue;
            }
            String[] f = l.split("\\s+");
            local.add(new SdpRewriter.LocalMedia(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    f.length > 4 && f[4].equals("mux")));
        }
        String out;
        if ("answer".equals(p.getProperty("command")) && Files.exists(dir.resolve("offer.sdp"))) {
            out = SdpRewriter.rewriteAnswer(in, SessionDescription.parse(wire(dir.resolve("offer.sdp"))), options,
                    local);
        } else {
            out = SdpRewriter.rewrite(in, options, local);
        }
        String expected = wire(dir.resolve("expected.sdp"));
        String ignore = p.getProperty("ignoreExpected");
        if (ignore != null) { // whole lines, with their own line ending
            String pattern = ignore.startsWith("^") ? ignore.substring(1) : ignore;
            pattern = pattern.endsWith("$") ? pattern.substring(0, pattern.length() - 1) : pattern;
            expected = Pattern.compile("(?m)^(?:" + pattern + ")\\r?\\n").matcher(expected).replaceAll("");
        }
        assertEquals(expected, out, p.getProperty("description") + " (" + p.getProperty("source") + ")");
    }

    /** rtpengine answers "Failed to parse SDP" to such bodies: the parser says why, and nothing but SdpException. */
    @Test
    void notSdpIsRefusedWithAReason() {
        for (String bad : List.of("hello", "", "v=0\r\nm=audio x RTP/AVP 0\r\n", "x=0\r\n", "v=0\r\no=\r\n")) {
            SdpException e = assertThrows(SdpException.class, () -> SessionDescription.parse(bad), bad);
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void anSdpWithoutMediaParsesSoTheCallerCanRefuseIt() {
        SessionDescription s = SessionDescription.parse("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        assertTrue(s.media().isEmpty());
    }

    /** Mutated SDPs (bytes flipped, lines cut, dropped and repeated) either parse and rewrite, or fail cleanly. */
    @Test
    void mutatedSdpNeverThrowsAnythingElse() throws IOException {
        List<String> seeds = new ArrayList<>();
        for (String c : cases().toList()) {
            seeds.add(wire(FIXTURES.resolve(c).resolve("input.sdp")));
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            String seed = seeds.get(r.nextInt(seeds.size()));
            String sdp = mutate(seed, r);
            try {
                SessionDescription s = SessionDescription.parse(sdp);
                List<SdpRewriter.LocalMedia> local = new ArrayList<>();
                for (int m = 0; m < s.media().size(); m++) {
                    local.add(SdpRewriter.LocalMedia.of("127.0.0.1", "IP4", 30000 + 2 * m));
                }
                SdpRewriter.rewrite(s, SdpRewriter.RewriteOptions.builder().generateMid(r.nextBoolean())
                        .iceRemove(true).build(), local);
            } catch (SdpException expected) {
                // a clean refusal
            }
        }
    }

    private static String mutate(String s, SplittableRandom r) {
        List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
        switch (r.nextInt(5)) {
            case 0 -> {
                char[] c = s.toCharArray();
                for (int k = r.nextInt(1, 6); k > 0 && c.length > 0; k--) {
                    c[r.nextInt(c.length)] = (char) r.nextInt(256);
                }
                return new String(c);
            }
            case 1 -> {
                return s.substring(0, r.nextInt(s.length() + 1));
            }
            case 2 -> {
                if (!lines.isEmpty()) {
                    lines.remove(r.nextInt(lines.size()));
                }
            }
            case 3 -> {
                if (!lines.isEmpty()) {
                    lines.add(r.nextInt(lines.size()), lines.get(r.nextInt(lines.size())));
                }
            }
            default -> {
                int at = r.nextInt(lines.size());
                String l = lines.get(at);
                lines.set(at, l.substring(0, r.nextInt(l.length() + 1)) + "=" + ":/ 0".charAt(r.nextInt(4)));
            }
        }
        return String.join("\n", lines);
    }

    /** The fixtures' option words: {@code replaceOrigin iceRemove codecStrip=PCMA,opus transportProtocol=RTP/AVP}. */
    private static SdpRewriter.RewriteOptions options(String words) {
        SdpRewriter.RewriteOptions.Builder b = SdpRewriter.RewriteOptions.builder();
        for (String w : words.trim().split("\\s+")) {
            if (w.isEmpty()) {
                continue;
            }
            int eq = w.indexOf('=');
            String key = eq < 0 ? w : w.substring(0, eq);
            String value = eq < 0 ? "" : w.substring(eq + 1);
            Set<String> list = new LinkedHashSet<>(List.of(value.split(",")));
            switch (key) {
                case "replaceOrigin" -> b.replaceOrigin(true);
                case "replaceSessionConnection" -> b.replaceSessionConnection(true);
                case "transportProtocol" -> b.transportProtocol(value);
                case "iceRemove" -> b.iceRemove(true);
                case "generateMid" -> b.generateMid(true);
                case "stripExtmap" -> b.stripExtmap(true);
                case "noRtcpAttribute" -> b.noRtcpAttribute(true);
                case "fullRtcpAttribute" -> b.fullRtcpAttribute(true);
                case "originalSendrecv" -> b.originalSendrecv(true);
                case "sdesOff" -> b.sdesOff(true);
                case "codecStrip" -> b.codecStrip(list);
                case "codecMask" -> b.codecMask(list);
                case "codecExcept" -> b.codecExcept(list);
                default -> throw new IllegalArgumentException("unknown option word in a fixture: " + w);
            }
        }
        return b.build();
    }

    private static String wire(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
    }

    private static Path fixtures() {
        try {
            return Path.of(SdpRewriterTest.class.getResource("/sdp/daemon").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
