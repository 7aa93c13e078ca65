package org.sipedge.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collections;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The CAs outbound TLS trusts (the node as a TLS client: a dispatcher destination, a trunk or another node over
 * TLS): the JDK's default CAs, this node's own certificate (nodes sharing a generated or configured certificate
 * trust each other), and the certificates of {@code tls.truststore} when set. Written into the work directory as a
 * PKCS12 trust store with a password of its own, because the SIP stack takes one store. Before this the node's key
 * store was its trust store, so a server with a public CA's certificate was refused.
 *
 * <p>The stack checks client certificates (mutual TLS, {@code tls.client-auth}) against the same store. Then the
 * JDK's CAs are left out: a peer must not pass just by holding any public CA's certificate. Outbound TLS to a
 * public-CA server then needs that CA in {@code tls.truststore}.
 *
 * @param store    the written trust store
 * @param password its password (random; only the stack's properties carry it)
 * @param anchors  how many certificates it holds
 * @param extra    how many of them came from tls.truststore
 */
record TrustMaterial(Path store, String password, int anchors, int extra, boolean jdkCas) {
    static final String STORE = "truststore.p12";

    /** A trust store that cannot be read; {@code key} is the setting to fix. */
    static final class TrustStoreProblem extends Exception {
        private final ContainerParam key;

        TrustStoreProblem(ContainerParam key, String message) {
            super(message);
            this.key = key;
        }

        ContainerParam key() {
            return key;
        }
    }

    /**
     * Writes {@code dir/truststore.p12}.
     *
     * @param extraPath     {@code tls.truststore} (PKCS12 or JKS), or empty
     * @param extraPassword {@code tls.truststore-password}
     */
    static TrustMaterial build(Path dir, KeyMaterial keys, String extraPath, String extraPassword)
            throws TrustStoreProblem, IOException {
        return build(dir, keys, extraPath, extraPassword, true);
    }

    /** @param withJdkCas false with mutual TLS: only this node's certificate and tls.truststore are trusted */
    static TrustMaterial build(Path dir, KeyMaterial keys, String extraPath, String extraPassword, boolean withJdkCas)
            throws TrustStoreProblem, IOException {
        try {
            KeyStore out = KeyStore.getInstance("PKCS12");
            out.load(null, null);
            int n = 0;
            for (X509Certificate ca : withJdkCas ? jdkDefaultCas() : new X509Certificate[0]) {
                out.setCertificateEntry("jdk-" + (n++), ca);
            }
            if (keys != null && keys.certificate() != null) {
                out.setCertificateEntry("own", keys.certificate());
                n++;
            }
            int extra = 0;
            if (!extraPath.isEmpty()) {
                for (Certificate c : extraCertificates(Path.of(extraPath), extraPassword)) {
                    out.setCertificateEntry("extra-" + (extra++), c);
                }
                if (extra == 0) {
                    throw new TrustStoreProblem(ContainerParam.TRUSTSTORE, extraPath + " holds no certificate");
                }
            }
            byte[] secret = new byte[18];
            new SecureRandom().nextBytes(secret);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            Files.createDirectories(dir);
            Path store = dir.resolve(STORE);
            try (OutputStream o = Files.newOutputStream(store)) {
                out.store(o, password.toCharArray());
            }
            return new TrustMaterial(store, password, n + extra, extra, withJdkCas);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the trust store: " + e.getMessage(), e);
        }
    }

    /** The CAs the JDK trusts by default (its cacerts, or what javax.net.ssl.trustStore names for the JVM). */
    static X509Certificate[] jdkDefaultCas() throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init((KeyStore) null);
        for (TrustManager m : f.getTrustManagers()) {
            if (m instanceof X509TrustManager x) {
                return x.getAcceptedIssuers();
            }
        }
        return new X509Certificate[0];
    }

    private static java.util.List<Certificate> extraCertificates(Path path, String password)
            throws TrustStoreProblem {
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new TrustStoreProblem(ContainerParam.TRUSTSTORE, "cannot read " + path);
        }
        KeyStore ks;
        try (InputStream in = Files.newInputStream(path)) {
            ks = KeyStore.getInstance("PKCS12"); // reads JKS too (keystore.type.compat)
            ks.load(in, password.isEmpty() ? null : password.toCharArray());
        } catch (IOException e) {
            boolean badPassword = e.getCause() instanceof java.security.UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("password");
            throw new TrustStoreProblem(badPassword ? ContainerParam.TRUSTSTORE_PASSWORD : ContainerParam.TRUSTSTORE,
                    "does not open " + path + (badPassword ? " (wrong password?)" : " as PKCS12 or JKS: "
                    + e.getMessage()));
        } catch (GeneralSecurityException e) {
            throw new TrustStoreProblem(ContainerParam.TRUSTSTORE, "does not open " + path + ": " + e.getMessage());
        }
        java.util.List<Certificate> out = new java.util.ArrayList<>();
        try {
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isCertificateEntry(alias)) {
                    out.add(ks.getCertificate(alias));
                } else if (ks.getCertificateChain(alias) != null) {
                    Certificate[] chain = ks.getCertificateChain(alias);
                    out.add(chain[chain.length - 1]); // a key entry: trust the top of its chain
                }
            }
        } catch (GeneralSecurityException e) {
            throw new TrustStoreProblem(ContainerParam.TRUSTSTORE, "cannot list " + path + ": " + e.getMessage());
        }
        return out;
    }

    String describe() {
        return anchors + " trusted certificates for outbound TLS" + (jdkCas ? "" : " and client certificates") + " ("
                + (jdkCas ? "the JDK's CAs, " : "no JDK CAs: tls.client-auth is on; ") + "this node's own"
                + (extra > 0 ? ", " + extra + " from " + ContainerParam.TRUSTSTORE.key() : "") + ")";
    }
}
