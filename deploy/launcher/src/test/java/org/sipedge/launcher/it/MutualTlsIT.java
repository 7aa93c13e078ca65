package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on the SIP TLS port ({@code tls.client-auth=need}): a peer whose certificate is in
 * {@code tls.truststore} (a trunk) connects and its OPTIONS is answered; a client without a certificate, and one
 * with a certificate nobody here trusts, get no answer. The node then trusts no JDK CA: start-up says so.
 */
class MutualTlsIT {
    @TempDir
    static Path dir;
    private static EdgeProcess edge;

    @BeforeAll
    static void start() throws Exception {
        keytool("-genkeypair", "-alias", "trunk", "-keyalg", "EC", "-dname", "CN=trunk.test", "-validity", "2",
                "-keystore", "trunk.p12", "-storetype", "PKCS12", "-storepass", "trunk-pass");
        keytool("-genkeypair", "-alias", "stranger", "-keyalg", "EC", "-dname", "CN=stranger.test", "-validity", "2",
                "-keystore", "stranger.p12", "-storetype", "PKCS12", "-storepass", "stranger-pass");
        keytool("-exportcert", "-alias", "trunk", "-keystore", "trunk.p12", "-storepass", "trunk-pass", "-rfc",
                "-file", "trunk.crt");
        keytool("-importcert", "-noprompt", "-alias", "trunk", "-file", "trunk.crt", "-keystore", "peers.p12",
                "-storetype", "PKCS12", "-storepass", "peers-pass");
        edge = EdgeProcess.builder().set("tls.client-auth", "need")
                .set("tls.truststore", dir.resolve("peers.p12").toString()).set("tls.truststore-password", "peers-pass")
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    private static void keytool(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("keytool " + String.join(" ", args) + ":\n" + out);
        }
    }

    /** The first line the node answers to an OPTIONS over TLS with this client key store (null: none), or null. */
    private static String options(String keystore, String password) throws Exception {
        KeyManager[] keys = null;
        if (keystore != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(dir.resolve(keystore).toFile())) {
                ks.load(in, password.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password.toCharArray());
            keys = kmf.getKeyManagers();
        }
        TrustManager any = new X509TrustManager() { // the node's self-signed certificate: not what is tested here
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        };
        SSLContext ctx = SSLContext.getInstance("TLSv1.2");
        ctx.init(keys, new TrustManager[] {any}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", edge.tlsPort())) {
            s.setSoTimeout(4000);
            s.startHandshake();
            String req = "OPTIONS sip:127.0.0.1:" + edge.tlsPort() + " SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:"
                    + s.getLocalPort() + ";branch=z9hG4bK-mtls" + System.nanoTime() + "\r\nMax-Forwards: 70\r\n"
                    + "From: <sip:trunk@127.0.0.1>;tag=m1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: mtls-" + System.nanoTime()
                    + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] buf = new byte[4096];
            int n = s.getInputStream().read(buf);
            return n <= 0 ? null : new String(buf, 0, n, StandardCharsets.US_ASCII).split("\r\n", 2)[0];
        } catch (IOException e) {
            return null; // refused: handshake alert, reset or close
        }
    }

    @Test
    void aTrustedPeerCertificateIsAnswered() throws Exception {
        assertEquals("SIP/2.0 200 OK", options("trunk.p12", "trunk-pass"), "the trunk's certificate is trusted");
    }

    @Test
    void noCertificateOrAnUntrustedOneGetsNoAnswer() throws Exception {
        assertEquals(null, options(null, null), "without a client certificate");
        assertEquals(null, options("stranger.p12", "stranger-pass"), "with a certificate nobody trusts");
        assertEquals("SIP/2.0 200 OK", options("trunk.p12", "trunk-pass"), "and the port still serves the trunk");
    }

    @Test
    void startUpSaysNoJdkCaIsTrusted() {
        String line = edge.output().lines().filter(l -> l.startsWith("sipedge tls trust: ")).findFirst().orElse("");
        assertTrue(line.contains("no JDK CAs: tls.client-auth is on"), line);
    }
}
