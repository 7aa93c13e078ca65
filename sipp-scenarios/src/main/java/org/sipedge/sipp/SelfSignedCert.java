package org.sipedge.sipp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away self-signed certificate and its unencrypted private key, both PEM files, for
 * sipp's TLS transport.
 *
 * <p>sipp 3.6.1 ({@code sslsocket.cpp}, {@code TLS_init_context}) always loads a certificate
 * ({@code -tls_cert}, default {@code cacert.pem} in the working directory) and a private key
 * ({@code -tls_key}, default {@code cakey.pem}) into both its server and its client SSL context,
 * so a TLS <em>client</em> needs them too; it aborts with
 * "TLS_init_context: SSL_CTX_use_certificate_file failed" otherwise. The files must be PEM; the
 * key must not need a passphrase. Peer verification only happens when {@code -tls_ca} is given.
 *
 * <p>Generated with {@code openssl req -x509} when {@code openssl} is on the PATH, else with the
 * JDK's {@code keytool} (PKCS12) whose key is then written out as PKCS#8 PEM.
 *
 * @param cert the certificate, PEM ({@code -----BEGIN CERTIFICATE-----})
 * @param key  the private key, unencrypted PEM
 */
public record SelfSignedCert(Path cert, Path key) {

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    /** Generates {@code sipp-cert.pem} and {@code sipp-key.pem} in {@code dir}, with openssl if available, else keytool. */
    public static SelfSignedCert generate(Path dir) {
        return Sipp.findOnPath("openssl").isPresent() ? withOpenssl(dir) : withKeytool(dir);
    }

    /** Generates the pair with {@code openssl req -x509 -newkey rsa:2048 -nodes}. */
    public static SelfSignedCert withOpenssl(Path dir) {
        Path openssl = Sipp.findOnPath("openssl")
                .orElseThrow(() -> new IllegalStateException("openssl not found on PATH"));
        Path cert = dir.resolve("sipp-cert.pem");
        Path key = dir.resolve("sipp-key.pem");
        run(dir, List.of(openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2",
                "-subj", "/CN=sipp.sipedge.test"));
        check(cert, key);
        return new SelfSignedCert(cert, key);
    }

    /** Generates the pair with the JDK's {@code keytool} (no openssl needed). */
    public static SelfSignedCert withKeytool(Path dir) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            keytool = Sipp.findOnPath("keytool")
                    .orElseThrow(() -> new IllegalStateException("keytool not found in java.home or on PATH"));
        }
        Path p12 = dir.resolve("sipp-cert.p12");
        Path cert = dir.resolve("sipp-cert.pem");
        Path key = dir.resolve("sipp-key.pem");
        String pass = "sipp-harness";
        run(dir, List.of(keytool.toString(), "-genkeypair", "-alias", "sipp", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-dname", "CN=sipp.sipedge.test",
                "-storetype", "PKCS12", "-keystore", p12.toString(),
                "-storepass", pass, "-keypass", pass, "-noprompt"));
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, pass.toCharArray());
            Key k = ks.getKey("sipp", pass.toCharArray());
            if (!(k instanceof PrivateKey)) {
                throw new IllegalStateException("keytool produced no private key");
            }
            Files.writeString(key, pem("PRIVATE KEY", k.getEncoded()), StandardCharsets.US_ASCII);
            Files.writeString(cert, pem("CERTIFICATE", ks.getCertificate("sipp").getEncoded()),
                    StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the keytool keystore " + p12, e);
        }
        check(cert, key);
        return new SelfSignedCert(cert, key);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void check(Path cert, Path key) {
        if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
            throw new IllegalStateException("certificate generation produced no " + cert + " / " + key);
        }
    }

    private static void run(Path dir, List<String> cmd) {
        Path log = dir.resolve("certgen.log");
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Process p;
        try {
            p = pb.start();
            p.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd.get(0), e);
        }
        try {
            if (!p.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd.get(0) + " did not finish within " + TOOL_TIMEOUT);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating a certificate", e);
        }
        if (p.exitValue() != 0) {
            String out;
            try {
                out = Files.readString(log, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                out = "";
            }
            throw new IllegalStateException(cmd.get(0) + " failed with exit code " + p.exitValue() + ": " + out);
        }
    }
}
