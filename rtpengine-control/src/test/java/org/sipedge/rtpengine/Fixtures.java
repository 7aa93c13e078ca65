package org.sipedge.rtpengine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test fixtures: browser and phone SDPs from the ng reference transcripts, and captured datagrams. */
public final class Fixtures {
    private Fixtures() {
    }

    /** An SDP from {@code src/test/resources/sdp/} (CRLF line ends, as captured). */
    public static String sdp(String name) {
        return new String(bytes("/sdp/" + name + ".sdp"), StandardCharsets.UTF_8);
    }

    /** A captured datagram from {@code src/test/resources/ng-golden/}. */
    public static byte[] datagram(String name) {
        return bytes("/ng-golden/" + name + ".bin");
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
