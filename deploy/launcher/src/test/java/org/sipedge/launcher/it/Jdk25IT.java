package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The product must also run on JDK 25: the same build (class files for 17), started on a JDK 25 found under
 * /usr/lib/jvm (or named by -Dsipedge.it.jdk25), registers over UDP and TCP and stops cleanly.
 */
class Jdk25IT {

    static Path jdk25() throws IOException {
        String named = System.getProperty("sipedge.it.jdk25");
        if (named != null) {
            return Path.of(named);
        }
        try (Stream<Path> dirs = Files.list(Path.of("/usr/lib/jvm"))) {
            return dirs.filter(d -> d.getFileName().toString().matches(".*-25(\\D.*)?")
                            && Files.isExecutable(d.resolve("bin/java")))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "no JDK 25 under /usr/lib/jvm: install one or name it with -Dsipedge.it.jdk25=DIR"));
        }
    }

    @Test
    void runsOnJdk25() throws Exception {
        Path home = jdk25();
        try (EdgeProcess edge = EdgeProcess.builder().javaHome(home.toString()).start()) {
            assertTrue(edge.output().contains("java=25"), edge.output());
            for (boolean tcp : new boolean[] {false, true}) {
                String req = SipProbe.register("jdk25-" + tcp, edge.sipPort(), "c-jdk25-" + tcp, 1,
                        "Contact: <sip:jdk25@127.0.0.1:5099>", "Expires: 600");
                SipProbe.Response r = tcp ? SipProbe.tcp(edge.sipPort(), req) : SipProbe.udp(edge.sipPort(), req);
                assertNotNull(r);
                assertEquals(200, r.status(), r.raw());
            }
            long stop = edge.stop();
            assertTrue(stop >= 0 && stop <= 2000, "clean stop on JDK 25 in " + stop + " ms:\n" + edge.output());
        }
    }
}
