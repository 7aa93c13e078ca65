package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The product must also run on JDK 25: the same build (class files for 17), started on the JDK 25 named by the
 * environment variable {@code SIPEDGE_JDK25} (a JDK home), registers over UDP and TCP and stops cleanly. It runs
 * only where one is named: {@code ./sipedge test} names the first JDK 25 under /usr/lib/jvm and says when there is
 * none; a plain {@code mvn verify} runs it when the variable is set.
 */
@EnabledIfEnvironmentVariable(named = "SIPEDGE_JDK25", matches = ".+")
class Jdk25IT {

    static Path jdk25() {
        Path home = Path.of(System.getenv("SIPEDGE_JDK25"));
        if (!Files.isExecutable(home.resolve("bin/java"))) {
            throw new IllegalStateException("SIPEDGE_JDK25=" + home + " has no bin/java");
        }
        return home;
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
