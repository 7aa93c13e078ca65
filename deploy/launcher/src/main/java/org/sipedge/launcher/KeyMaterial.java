package org.sipedge.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TLS key store for TLS and WSS: the configured one ({@code tls.keystore}), or a self-signed one generated once
 * in the work dir. Either is opened before the container starts, so a wrong password or a store without a key
 * stops start-up naming the key instead of failing deep inside the SIP stack; {@link #describe()} is the line that
 * tells the operator which certificate clients will see.
 *
 * @param keystore    the PKCS12 file
 * @param password    its password (the key's too: the stack opens both with it)
 * @param generated   true for the self-signed certificate the launcher made
 * @param certificate the certificate of the store's first key entry, the one clients get
 * @param keyEntries  how many key entries the store holds
 */
record KeyMaterial(Path keystore, String password, boolean generated, X509Certificate certificate, int keyEntries) {
    static final String GENERATED_STORE = "self-signed.p12";
    static final String GENERATED_PASSWORD = "self-signed.password";
    private static final String GENERATED_SUBJECT = "CN=localhost, O=SIP Edge self-signed";
    private static final long RENEW_BEFORE_EXPIRY_MILLIS = TimeUnit.DAYS.toMillis(1);

    /** A key store that cannot serve TLS; {@code key} is the setting to fix. */
    static final class KeyStoreProblem extends Exception {
        private final ContainerParam key;

        KeyStoreProblem(ContainerParam key, String message) {
            super(message);
            this.key = key;
        }

        ContainerParam key() {
            return key;
        }
    }

    /** Opens the configured store; the problem names tls.keystore or tls.keystore-password. */
    static KeyMaterial configured(Path store, String password) throws KeyStoreProblem {
        if (!Files.isRegularFile(store) || !Files.isReadable(store)) {
            throw new KeyStoreProblem(ContainerParam.KEYSTORE, "cannot read " + store);
        }
        KeyStore ks;
        try (InputStream in = Files.newInputStream(store)) {
            ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
        } catch (IOException e) {
            if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
                throw new KeyStoreProblem(ContainerParam.KEYSTORE_PASSWORD, "does not open " + store
                        + (password.isEmpty() ? " (no password given)" : " (wrong password)"));
            }
            throw new KeyStoreProblem(ContainerParam.KEYSTORE, store + " is not a PKCS12 key store ("
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + "); convert it with: keytool -importkeystore -srckeystore FILE -destkeystore FILE.p12"
                    + " -deststoretype PKCS12");
        } catch (GeneralSecurityException e) {
            throw new KeyStoreProblem(ContainerParam.KEYSTORE, "cannot read " + store + ": " + e.getMessage());
        }
        return of(ks, store, password);
    }

    /**
     * The self-signed store in {@code work/tls/}: generated on first start, reused after, generated anew when it
     * cannot be opened or its certificate has expired (or will within a day).
     */
    static KeyMaterial selfSigned(Path work) throws IOException {
        Path dir = work.resolve("tls");
        Path store = dir.resolve(GENERATED_STORE);
        Path pass = dir.resolve(GENERATED_PASSWORD);
        if (Files.isRegularFile(store) && Files.isRegularFile(pass)) {
            try {
                KeyMaterial k = configured(store, Files.readString(pass).trim());
                if (k.certificate().getNotAfter().getTime() - System.currentTimeMillis() > RENEW_BEFORE_EXPIRY_MILLIS) {
                    return k.asGenerated();
                }
            } catch (KeyStoreProblem e) {
                // unreadable or damaged: make a new one below
            }
        }
        Files.createDirectories(dir);
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        String password = HexFormat.of().formatHex(b);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Files.deleteIfExists(store);
        List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-alias", "sipedge", "-keyalg", "RSA", "-keysize", "2048",
                "-sigalg", "SHA256withRSA", "-validity", "825",
                "-dname", GENERATED_SUBJECT, "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", password, "-keypass", password);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool failed: " + new String(p.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating the certificate", e);
        }
        Files.writeString(pass, password + "\n");
        try {
            return configured(store, password).asGenerated();
        } catch (KeyStoreProblem e) {
            throw new IOException("the generated " + store + " does not open: " + e.getMessage(), e);
        }
    }

    private KeyMaterial asGenerated() {
        return new KeyMaterial(keystore, password, true, certificate, keyEntries);
    }

    private static KeyMaterial of(KeyStore ks, Path store, String password) throws KeyStoreProblem {
        try {
            List<String> keys = new ArrayList<>();
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
            if (keys.isEmpty()) {
                throw new KeyStoreProblem(ContainerParam.KEYSTORE, store + " holds no private key (a trust store?); "
                        + "TLS and WSS need the server's key with its certificate chain");
            }
            String first = keys.get(0);
            try {
                ks.getKey(first, password.toCharArray());
            } catch (java.security.UnrecoverableKeyException e) {
                throw new KeyStoreProblem(ContainerParam.KEYSTORE_PASSWORD, "opens " + store + " but not the key \""
                        + first + "\" in it; the key needs the same password as the store");
            }
            if (!(ks.getCertificate(first) instanceof X509Certificate cert)) {
                throw new KeyStoreProblem(ContainerParam.KEYSTORE, "the key \"" + first + "\" in " + store
                        + " has no X.509 certificate");
            }
            return new KeyMaterial(store, password, false, cert, keys.size());
        } catch (GeneralSecurityException e) {
            throw new KeyStoreProblem(ContainerParam.KEYSTORE, "cannot read " + store + ": " + e.getMessage());
        }
    }

    /** SHA-256 of the certificate (DER), as browsers and {@code openssl x509 -fingerprint -sha256} show it. */
    String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean expired() {
        return certificate.getNotAfter().toInstant().isBefore(Instant.now());
    }

    /**
     * One line for the operator: subject, names, fingerprint, expiry, issuer, and where the store is, e.g.
     * {@code CN=localhost, O=SIP Edge self-signed (names localhost, 127.0.0.1), SHA-256 3F:…:9A, valid until
     * 2029-03-07T01:59:27Z, self-signed, generated in /…/.sipedge/tls/self-signed.p12 (tls.keystore is empty)}.
     */
    String describe() {
        StringBuilder b = new StringBuilder(certificate.getSubjectX500Principal().getName(
                javax.security.auth.x500.X500Principal.RFC2253).replace(",", ", "));
        List<String> names = subjectAltNames();
        if (!names.isEmpty()) {
            b.append(" (names ").append(String.join(", ", names)).append(')');
        }
        b.append(", SHA-256 ").append(fingerprint());
        b.append(expired() ? ", EXPIRED on " : ", valid until ").append(certificate.getNotAfter().toInstant());
        boolean selfSigned = certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
        b.append(selfSigned ? ", self-signed" : ", issued by " + certificate.getIssuerX500Principal().getName());
        if (generated) {
            b.append(", generated in ").append(keystore.toAbsolutePath()).append(" (")
                    .append(ContainerParam.KEYSTORE.key()).append(" is empty)");
        } else {
            b.append(", from ").append(ContainerParam.KEYSTORE.key()).append('=').append(keystore);
        }
        if (keyEntries > 1) {
            b.append("; the store holds ").append(keyEntries).append(" keys: the TLS stack picks one by key type");
        }
        return b.toString();
    }

    private List<String> subjectAltNames() {
        List<String> names = new ArrayList<>();
        try {
            var sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() > 1 && (Integer.valueOf(2).equals(san.get(0)) || Integer.valueOf(7).equals(san.get(0)))) {
                        names.add(String.valueOf(san.get(1))); // dNSName, iPAddress
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no names to show
        }
        return names;
    }
}
