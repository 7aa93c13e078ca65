package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SIP TLS port speaks TLS 1.2 and 1.3 only: OpenSSL as the client (Debian's openssl, its security level lowered
 * so that it does offer TLS 1.0 and 1.1 itself) gets no session with 1.0 or 1.1, and one with 1.2 and 1.3. A client
 * that refuses to offer an old version on its own would prove nothing: the test checks it did send its hello.
 * Start-up prints the trust store for outbound TLS (the JDK's CAs and the node's own certificate).
 */
class TlsVersionsIT {
    private static EdgeProcess edge;

    @BeforeAll
    static void start() throws Exception {
        edge = EdgeProcess.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    /** openssl s_client's report of one handshake attempt with exactly {@code version}. */
    private static String handshake(String version) throws Exception {
        List<String> cmd = List.of("openssl", "s_client", "-connect", "127.0.0.1:" + edge.tlsPort(), "-" + version,
                "-cipher", "DEFAULT:@SECLEVEL=0", "-servername", "localhost");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("openssl is needed (Debian: apt-get install openssl; ./sipedge test installs it): " + e.getMessage());
            return "";
        }
        p.getOutputStream().close(); // no input: s_client ends after the handshake
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("openssl s_client -" + version + " did not finish in 15 s");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void tls10And11AreRefusedByTheServer() throws Exception {
        for (String old : List.of("tls1", "tls1_1")) {
            String out = handshake(old);
            assertFalse(out.contains("no protocols available"), "openssl did not even offer " + old + ":\n" + out);
            assertTrue(out.contains("SSL handshake has read") || out.contains("write:errno")
                    || out.contains("unexpected eof") || out.contains("alert"), "the attempt with " + old
                    + " reached the server:\n" + out);
            assertFalse(out.matches("(?s).*Cipher is (?!\\(NONE\\)).*"), "a session with " + old + ":\n" + out);
        }
    }

    @Test
    void tls12And13Connect() throws Exception {
        assertTrue(handshake("tls1_2").contains("New, TLSv1.2, Cipher is ECDHE-"), "TLS 1.2 with ECDHE");
        String out = handshake("tls1_3");
        assertTrue(out.contains("New, TLSv1.3, Cipher is TLS_AES_"), "TLS 1.3:\n" + out);
    }

    @Test
    void startUpNamesTheTrustStoreForOutboundTls() {
        String line = edge.output().lines().filter(l -> l.startsWith("sipedge tls trust: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'sipedge tls trust:' line:\n" + edge.output()));
        assertTrue(line.matches("sipedge tls trust: \\d{2,} trusted certificates for outbound TLS .*"), line);
    }
}
