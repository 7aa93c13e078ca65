package org.sipedge.sipp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS: certificate generation, and a TLS run (or a clear error when sipp has no TLS). */
class TlsTest {

    @Test
    void opensslGeneratesAMatchingPemPair(@TempDir Path dir) throws Exception {
        assertMatchingPair(SelfSignedCert.withOpenssl(dir));
    }

    @Test
    void keytoolGeneratesAMatchingPemPair(@TempDir Path dir) throws Exception {
        assertMatchingPair(SelfSignedCert.withKeytool(dir));
    }

    @Test
    void tlsRunWorksOrExplainsThatSippHasNoTls() {
        if (Sipp.supportsTls()) {
            try (SippProcess server = SippTestSupport.uas("uas-register.xml", SippTransport.TLS, 2).start()) {
                SippResult r = SippTestSupport.client("register-bench", server, SippTransport.TLS).calls(2).run();
                SippResult s = server.await();
                assertTrue(r.ok(), r::describe);
                assertEquals(2, s.successfulCalls(), s::describe);
                assertTrue(r.command().contains("-tls_cert"), r.command()::toString);
            }
        } else {
            // Debian 12's sip-tester 3.6.1 is built without OpenSSL
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Sipp.scenario("register-bench").workDirIn(SippTestSupport.RUNS).remote("127.0.0.1", Ports.freePort("127.0.0.1"))
                            .transport(SippTransport.TLS).start());
            assertTrue(e.getMessage().contains("built without TLS"), e.getMessage());
        }
    }

    private static void assertMatchingPair(SelfSignedCert pair) throws Exception {
        String certPem = Files.readString(pair.cert(), StandardCharsets.US_ASCII);
        String keyPem = Files.readString(pair.key(), StandardCharsets.US_ASCII);
        assertTrue(certPem.startsWith("-----BEGIN CERTIFICATE-----"), certPem);
        assertTrue(keyPem.startsWith("-----BEGIN PRIVATE KEY-----"), "unencrypted PKCS#8 PEM expected: " + keyPem);
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(pair.cert())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        cert.checkValidity();
        assertTrue(cert.getSubjectX500Principal().getName().contains("sipp.sipedge.test"));
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der(keyPem)));
        byte[] data = "sipp".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(key);
        signer.update(data);
        byte[] sig = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(cert.getPublicKey());
        verifier.update(data);
        assertTrue(verifier.verify(sig), "key does not belong to the certificate");
    }

    private static byte[] der(String pem) throws IOException {
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(b64);
    }
}
