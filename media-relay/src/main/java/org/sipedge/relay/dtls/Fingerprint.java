package org.sipedge.relay.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * A certificate fingerprint as SDP carries it ({@code a=fingerprint:sha-256 AB:CD:...}, RFC 8122): the hash function
 * and the hash of the DER certificate. The DTLS peer's certificate must match the one its SDP named.
 */
public record Fingerprint(String algorithm, byte[] hash) {
    private static final Map<String, String> JDK_NAMES = Map.of("sha-1", "SHA-1", "sha-224", "SHA-224",
            "sha-256", "SHA-256", "sha-384", "SHA-384", "sha-512", "SHA-512");

    public Fingerprint {
        algorithm = algorithm.toLowerCase(Locale.ROOT);
        if (!JDK_NAMES.containsKey(algorithm)) {
            throw new IllegalArgumentException("unsupported fingerprint hash function '" + algorithm + "'");
        }
        hash = hash.clone();
    }

    /** The fingerprint of {@code der} with {@code algorithm} (an RFC 8122 name: sha-1, sha-256, ...). */
    public static Fingerprint of(String algorithm, byte[] der) {
        String name = JDK_NAMES.get(algorithm.toLowerCase(Locale.ROOT));
        if (name == null) {
            throw new IllegalArgumentException("unsupported fingerprint hash function '" + algorithm + "'");
        }
        try {
            return new Fingerprint(algorithm, MessageDigest.getInstance(name).digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses the value of an {@code a=fingerprint} line: {@code sha-256 AB:CD:...}. */
    public static Fingerprint parse(String sdpValue) {
        String[] parts = sdpValue.trim().split("\\s+");
        if (parts.length != 2) {
            throw new IllegalArgumentException("a=fingerprint wants 'hash-function XX:XX:...', got '" + sdpValue + "'");
        }
        String hex = parts[1].replace(":", "");
        try {
            return new Fingerprint(parts[0], HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a=fingerprint: bad hex '" + parts[1] + "'", e);
        }
    }

    /** Whether {@code der} hashes to this fingerprint. */
    public boolean matches(byte[] der) {
        return MessageDigest.isEqual(of(algorithm, der).hash, hash);
    }

    /** The SDP value: {@code sha-256 AB:CD:...}. */
    @Override
    public String toString() {
        return algorithm + " " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(hash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && f.algorithm.equals(algorithm) && MessageDigest.isEqual(f.hash, hash);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode() * 31 + java.util.Arrays.hashCode(hash);
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }
}
