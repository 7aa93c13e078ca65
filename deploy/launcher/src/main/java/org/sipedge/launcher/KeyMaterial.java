package org.sipedge.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The TLS key store for TLS and WSS: the configured one, or a self-signed one generated once in the work dir. */
record KeyMaterial(Path keystore, String password) {

    static KeyMaterial selfSigned(Path work) throws IOException {
        Path dir = work.resolve("tls");
        Path store = dir.resolve("self-signed.p12");
        Path pass = dir.resolve("self-signed.password");
        if (Files.isRegularFile(store) && Files.isRegularFile(pass)) {
            return new KeyMaterial(store, Files.readString(pass).trim());
        }
        Files.createDirectories(dir);
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        String password = HexFormat.of().formatHex(b);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Files.deleteIfExists(store);
        List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-alias", "sipedge", "-keyalg", "RSA", "-keysize", "2048",
                "-sigalg", "SHA256withRSA", "-validity", "825",
                "-dname", "CN=localhost, O=SIP Edge self-signed", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
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
        return new KeyMaterial(store, password);
    }
}
