package org.sipedge.relay.sdp;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.sipedge.relay.sdp.SdpRewriter.LocalMedia;
import org.sipedge.relay.sdp.SdpRewriter.RewriteOptions;

/**
 * One fixture of {@code sdp/daemon/} (written by capture-fixtures.py): an SDP, the options sent with it, and what
 * rtpengine 10.5 answered, plus the relay ports it chose so that our rewrite can be compared byte for byte.
 */
record DaemonFixture(String name, String description, String source, boolean answer, String input, String offer,
        String expected, RewriteOptions options, List<LocalMedia> local, Pattern ignoreExpected, String ignoreWhy) {

    static Stream<DaemonFixture> all() throws IOException, URISyntaxException {
        URL root = DaemonFixture.class.getResource("/sdp/daemon");
        if (root == null) {
            throw new IllegalStateException("sdp/daemon fixtures missing from the test classpath");
        }
        List<DaemonFixture> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(Path.of(root.toURI()))) {
            for (Path dir : dirs.sorted().toList()) {
                out.add(load(dir));
            }
        }
        return out.stream();
    }

    static DaemonFixture load(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("case.properties"), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        List<LocalMedia> local = new ArrayList<>();
        for (int i = 1; p.containsKey("local." + i); i++) {
            String[] l = p.getProperty("local." + i).split(" ");
            local.add(l[0].equals("rejected") ? null : new LocalMedia(l[0], l[1], Integer.parseInt(l[2]),
                    Integer.parseInt(l[3]), l.length > 4 && l[4].equals("mux")));
        }
        String ignore = p.getProperty("ignoreExpected");
        return new DaemonFixture(dir.getFileName().toString(), p.getProperty("description"), p.getProperty("source"),
                p.getProperty("command").equals("answer"), wire(dir.resolve("input.sdp")),
                Files.exists(dir.resolve("offer.sdp")) ? wire(dir.resolve("offer.sdp")) : null,
                wire(dir.resolve("expected.sdp")), options(p.getProperty("options", "")), local,
                ignore == null ? null : Pattern.compile(ignore), p.getProperty("ignoreWhy"));
    }

    /** SDP files are bytes; a wire string has one char per byte. */
    static String wire(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    }

    /** The RewriteOptions words of case.properties: "replaceOrigin transportProtocol=RTP/AVP codecStrip=a,b". */
    static RewriteOptions options(String words) {
        RewriteOptions.Builder b = RewriteOptions.builder();
        for (String word : words.trim().isEmpty() ? new String[0] : words.trim().split(" ")) {
            String[] kv = word.split("=", 2);
            Set<String> list = kv.length > 1 ? Set.of(kv[1].split(",")) : Set.of();
            switch (kv[0]) {
                case "replaceOrigin" -> b.replaceOrigin(true);
                case "replaceSessionConnection" -> b.replaceSessionConnection(true);
                case "transportProtocol" -> b.transportProtocol(kv[1]);
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
                default -> throw new IllegalArgumentException("unknown option word " + word);
            }
        }
        return b.build();
    }

    /** Our rewrite of the input. */
    String rewrite() {
        SessionDescription in = SessionDescription.parse(input);
        return answer ? SdpRewriter.rewriteAnswer(in, SessionDescription.parse(offer), options, local)
                : SdpRewriter.rewrite(in, options, local);
    }

    /** rtpengine's output without the lines this package deliberately does not write (ignoreExpected). */
    String expectedWithoutIgnored() {
        if (ignoreExpected == null) {
            return expected;
        }
        StringBuilder out = new StringBuilder();
        for (String line : expected.split("(?<=\n)")) {
            if (!ignoreExpected.matcher(line.replaceAll("\r?\n$", "")).matches()) {
                out.append(line);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return name;
    }
}
