package org.sipedge.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS key store is opened before the container starts: the generated one, and what a configured one gets wrong. */
class KeyMaterialTest {
    @TempDir
    static Path shared;
    /** One operator-made store (CN=sip.example.com, password s3cret) for every test: keytool is slow to start. */
    static Path configuredStore;

    @TempDir
    Path dir;

    @BeforeAll
    static void operatorStore() throws Exception {
        configuredStore = shared.resolve("edge.p12");
        keytool("-genkeypair", "-alias", "k", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=sip.example.com",
                "-validity", "30", "-storetype", "PKCS12", "-keystore", configuredStore.toString(),
                "-storepass", "s3cret", "-keypass", "s3cret");
    }

    @Test
    void selfSignedIsGeneratedOnceAndDescribed() throws Exception {
        KeyMaterial first = KeyMaterial.selfSigned(dir);
        KeyMaterial again = KeyMaterial.selfSigned(dir);

        assertTrue(first.generated());
        assertEquals(dir.resolve("tls/self-signed.p12"), first.keystore());
        assertEquals(first.fingerprint(), again.fingerprint(), "the second start reuses the certificate");
        assertTrue(first.fingerprint().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), first.fingerprint());
        String line = first.describe();
        assertTrue(line.startsWith("CN=localhost, O=SIP Edge self-signed (names localhost, 127.0.0.1), SHA-256 "
                + first.fingerprint() + ", valid until "), line);
        assertTrue(line.endsWith(", self-signed, generated in " + first.keystore() + " (tls.keystore is empty)"), line);
    }

    @Test
    void anExpiredGeneratedCertificateIsReplaced() throws Exception {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        keytool("-genkeypair", "-alias", "old", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=old",
                "-startdate", "-10d", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", tls.resolve("self-signed.p12").toString(), "-storepass", "oldpass", "-keypass", "oldpass");
        Files.writeString(tls.resolve("self-signed.password"), "oldpass\n");
        KeyMaterial old = KeyMaterial.configured(tls.resolve("self-signed.p12"), "oldpass");
        assertTrue(old.expired());
        assertTrue(old.describe().contains(", EXPIRED on "), old.describe());

        KeyMaterial renewed = KeyMaterial.selfSigned(dir);
        assertFalse(renewed.expired());
        assertNotEquals(old.fingerprint(), renewed.fingerprint());
        assertTrue(renewed.describe().startsWith("CN=localhost"), renewed.describe());
    }

    @Test
    void aConfiguredStoreIsDescribedByWhereItCameFrom() throws Exception {
        KeyMaterial k = KeyMaterial.configured(configuredStore, "s3cret");
        assertFalse(k.generated());
        assertTrue(k.describe().startsWith("CN=sip.example.com, SHA-256 " + k.fingerprint()), k.describe());
        assertTrue(k.describe().endsWith(", self-signed, from tls.keystore=" + configuredStore), k.describe());
    }

    @Test
    void aWrongOrMissingPasswordNamesThePasswordKey() {
        KeyMaterial.KeyStoreProblem wrong = assertThrows(KeyMaterial.KeyStoreProblem.class,
                () -> KeyMaterial.configured(configuredStore, "guess"));
        assertEquals(ContainerParam.KEYSTORE_PASSWORD, wrong.key());
        assertEquals("does not open " + configuredStore + " (wrong password)", wrong.getMessage());
        KeyMaterial.KeyStoreProblem none = assertThrows(KeyMaterial.KeyStoreProblem.class,
                () -> KeyMaterial.configured(configuredStore, ""));
        assertEquals(ContainerParam.KEYSTORE_PASSWORD, none.key());
        assertEquals("does not open " + configuredStore + " (no password given)", none.getMessage());
    }

    @Test
    void somethingThatIsNotAServerKeyStoreNamesTheStoreKey() throws Exception {
        Path pem = Files.writeString(dir.resolve("edge.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        KeyMaterial.KeyStoreProblem notPkcs12 = assertThrows(KeyMaterial.KeyStoreProblem.class,
                () -> KeyMaterial.configured(pem, "x"));
        assertEquals(ContainerParam.KEYSTORE, notPkcs12.key());
        assertTrue(notPkcs12.getMessage().startsWith(pem + " is not a PKCS12 key store"), notPkcs12.getMessage());

        // a trust store: the server's certificate without its key
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(configuredStore)) {
            keys.load(in, "s3cret".toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", keys.getCertificate("k"));
        Path trustFile = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(trustFile)) {
            trust.store(out, "trustpass".toCharArray());
        }
        KeyMaterial.KeyStoreProblem noKey = assertThrows(KeyMaterial.KeyStoreProblem.class,
                () -> KeyMaterial.configured(trustFile, "trustpass"));
        assertEquals(ContainerParam.KEYSTORE, noKey.key());
        assertTrue(noKey.getMessage().contains("holds no private key"), noKey.getMessage());

        KeyMaterial.KeyStoreProblem missing = assertThrows(KeyMaterial.KeyStoreProblem.class,
                () -> KeyMaterial.configured(dir.resolve("missing.p12"), "trustpass"));
        assertEquals(ContainerParam.KEYSTORE, missing.key());
        assertEquals("cannot read " + dir.resolve("missing.p12"), missing.getMessage());
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool finished");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
