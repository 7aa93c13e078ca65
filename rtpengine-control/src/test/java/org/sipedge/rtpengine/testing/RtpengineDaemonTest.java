package org.sipedge.rtpengine.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Without the binary the helper fails loudly (ITs must never pass by skipping). */
class RtpengineDaemonTest {

    @Test
    void aMissingBinaryIsAClearFailure() {
        String before = System.getProperty("rtpengine.binary");
        System.setProperty("rtpengine.binary", "target/no-such-rtpengine");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> RtpengineDaemon.start(Path.of("target"), 10));
            assertTrue(e.getMessage().contains("no-such-rtpengine"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("rtpengine.binary");
            } else {
                System.setProperty("rtpengine.binary", before);
            }
        }
    }
}
