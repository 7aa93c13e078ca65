package org.sipedge.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What outbound TLS trusts: the JDK's default CAs (a server with a public CA's certificate is no longer refused),
 * the node's own certificate, and tls.truststore; a store that does not open names the key to fix.
 */
class TrustMaterialTest {
    @TempDir
    Path work;

    private static KeyStore open(TrustMaterial t) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(t.store())) {
            ks.load(in, t.password().toCharArray());
        }
        return ks;
    }

    @Test
    void theJdkCasAndTheNodesOwnCertificate() throws Exception {
        KeyMaterial keys = KeyMaterial.selfSigned(work);
        TrustMaterial t = TrustMaterial.build(work.resolve("tls"), keys, "", "");
        X509Certificate[] jdk = TrustMaterial.jdkDefaultCas();
        assertTrue(jdk.length > 50, "the JDK's cacerts: " + jdk.length);
        KeyStore ks = open(t);
        assertEquals(jdk.length + 1, ks.size());
        assertEquals(jdk.length + 1, t.anchors());
        assertNotNull(ks.getCertificateAlias(keys.certificate()), "the node's own certificate");
        for (X509Certificate ca : jdk) {
            assertNotNull(ks.getCertificateAlias(ca), ca.getSubjectX500Principal().getName());
        }
    }

    @Test
    void extraCasFromTlsTruststore() throws Exception {
        Path other = Files.createDirectories(work.resolve("other"));
        KeyMaterial peer = KeyMaterial.selfSigned(other); // a PKCS12 with a key entry: its certificate is trusted
        KeyMaterial keys = KeyMaterial.selfSigned(work);
        TrustMaterial t = TrustMaterial.build(work.resolve("tls"), keys, peer.keystore().toString(), peer.password());
        assertEquals(1, t.extra());
        KeyStore ks = open(t);
        assertNotNull(ks.getCertificateAlias(peer.certificate()), "tls.truststore's certificate");
        assertTrue(t.describe().contains("1 from tls.truststore"), t.describe());
        assertTrue(Collections.list(ks.aliases()).stream().allMatch(a -> {
            try {
                return ks.isCertificateEntry(a);
            } catch (Exception e) {
                return false;
            }
        }), "certificates only, no keys");
    }

    @Test
    void aStoreThatDoesNotOpenNamesTheKey() throws Exception {
        KeyMaterial keys = KeyMaterial.selfSigned(work);
        Path other = Files.createDirectories(work.resolve("other"));
        KeyMaterial peer = KeyMaterial.selfSigned(other);
        TrustMaterial.TrustStoreProblem wrong = assertThrows(TrustMaterial.TrustStoreProblem.class,
                () -> TrustMaterial.build(work.resolve("tls"), keys, peer.keystore().toString(), "not-it"));
        assertEquals(ContainerParam.TRUSTSTORE_PASSWORD, wrong.key(), wrong.getMessage());
        TrustMaterial.TrustStoreProblem missing = assertThrows(TrustMaterial.TrustStoreProblem.class,
                () -> TrustMaterial.build(work.resolve("tls"), keys, work.resolve("nope.p12").toString(), ""));
        assertEquals(ContainerParam.TRUSTSTORE, missing.key());
        Path garbage = Files.writeString(work.resolve("garbage.p12"), "not a key store");
        TrustMaterial.TrustStoreProblem notAStore = assertThrows(TrustMaterial.TrustStoreProblem.class,
                () -> TrustMaterial.build(work.resolve("tls"), keys, garbage.toString(), ""));
        assertEquals(ContainerParam.TRUSTSTORE, notAStore.key(), notAStore.getMessage());
    }
}
