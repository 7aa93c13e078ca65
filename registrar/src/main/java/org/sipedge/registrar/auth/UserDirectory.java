package org.sipedge.registrar.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The users allowed to register, with their HA1 per digest algorithm. Immutable; reload by building a new one.
 *
 * <p>File format, one user per line: {@code user realm secret}, where secret is either
 * {@code password:<plain>} or one or both of {@code ha1-md5:<32 hex>} and {@code ha1-sha256:<64 hex>}. Lines
 * whose first non-blank character is {@code #} and blank lines are ignored. The plain password is the rest of the
 * line after {@code password:}, verbatim (it may contain spaces and {@code #}; trailing whitespace is dropped).
 * When only HA1 values are stored, an algorithm without its HA1 is unavailable for that user, because HA1 cannot
 * be converted from one hash to another.
 *
 * <p>The map is bounded by the file: requests never add keys to it.
 */
public final class UserDirectory {
    private static final String PASSWORD_PREFIX = "password:";
    private static final String HA1_MD5_PREFIX = "ha1-md5:";
    private static final String HA1_SHA256_PREFIX = "ha1-sha256:";

    private record UserInRealm(String user, String realm) {
    }

    private final Map<UserInRealm, Map<DigestAlgorithm, String>> ha1ByUser;

    private UserDirectory(Map<UserInRealm, Map<DigestAlgorithm, String>> ha1ByUser) {
        this.ha1ByUser = Map.copyOf(ha1ByUser);
    }

    /**
     * Reads a user file (UTF-8).
     *
     * @throws IllegalArgumentException naming the file and line of the first bad line
     */
    public static UserDirectory load(Path file) throws IOException {
        return fromLines(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /**
     * Builds a directory from lines in the file format; {@code sourceName} labels error messages.
     *
     * @throws IllegalArgumentException naming the source and line of the first bad line
     */
    public static UserDirectory fromLines(String sourceName, List<String> lines) {
        Map<UserInRealm, Map<DigestAlgorithm, String>> ha1ByUser = new HashMap<>();
        for (int index = 0; index < lines.size(); index++) {
            String line = lines.get(index).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int lineNumber = index + 1;
            String[] fields = line.split("\\s+", 3);
            if (fields.length < 3) {
                throw badLine(sourceName, lineNumber, "expected 'user realm secret'");
            }
            UserInRealm key = new UserInRealm(fields[0], fields[1]);
            Map<DigestAlgorithm, String> ha1s = parseSecret(key, fields[2], sourceName, lineNumber);
            if (ha1ByUser.putIfAbsent(key, ha1s) != null) {
                throw badLine(sourceName, lineNumber,
                        "user '" + key.user() + "' in realm '" + key.realm() + "' is already defined");
            }
        }
        return new UserDirectory(ha1ByUser);
    }

    /**
     * The HA1 (lowercase hex) of {@code user} in {@code realm} for {@code algorithm}; empty when the user is
     * unknown or only has an HA1 of another algorithm.
     */
    public Optional<String> ha1(String user, String realm, DigestAlgorithm algorithm) {
        Map<DigestAlgorithm, String> ha1s = ha1ByUser.get(new UserInRealm(user, realm));
        return ha1s == null ? Optional.empty() : Optional.ofNullable(ha1s.get(algorithm));
    }

    /** Number of (user, realm) entries. */
    public int size() {
        return ha1ByUser.size();
    }

    private static Map<DigestAlgorithm, String> parseSecret(UserInRealm key, String secret, String sourceName,
                                                            int lineNumber) {
        Map<DigestAlgorithm, String> ha1s = new EnumMap<>(DigestAlgorithm.class);
        if (secret.startsWith(PASSWORD_PREFIX)) {
            String password = secret.substring(PASSWORD_PREFIX.length());
            if (password.isEmpty()) {
                throw badLine(sourceName, lineNumber, "empty password");
            }
            // Hashed once at load, so the plain password is not kept and every lookup costs the same whether the
            // file held a password or an HA1 (the authenticator relies on equal-cost lookups).
            for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
                ha1s.put(algorithm, algorithm.ha1(key.user(), key.realm(), password));
            }
            return Map.copyOf(ha1s);
        }
        for (String part : secret.split("\\s+")) {
            DigestAlgorithm algorithm;
            String hex;
            if (part.startsWith(HA1_MD5_PREFIX)) {
                algorithm = DigestAlgorithm.MD5;
                hex = part.substring(HA1_MD5_PREFIX.length());
            } else if (part.startsWith(HA1_SHA256_PREFIX)) {
                algorithm = DigestAlgorithm.SHA_256;
                hex = part.substring(HA1_SHA256_PREFIX.length());
            } else {
                // The part is not echoed: it may be a mistyped secret and error messages end up in logs.
                throw badLine(sourceName, lineNumber,
                        "secret must be 'password:<plain>' or 'ha1-md5:<hex>' and/or 'ha1-sha256:<hex>'");
            }
            if (hex.length() != algorithm.hexLength() || !isHex(hex)) {
                throw badLine(sourceName, lineNumber,
                        "HA1 for " + algorithm.token() + " must be " + algorithm.hexLength() + " hex digits");
            }
            if (ha1s.put(algorithm, hex.toLowerCase(Locale.ROOT)) != null) {
                throw badLine(sourceName, lineNumber, "HA1 for " + algorithm.token() + " given twice");
            }
        }
        return Map.copyOf(ha1s);
    }

    private static boolean isHex(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!HexFormat.isHexDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static IllegalArgumentException badLine(String sourceName, int lineNumber, String reason) {
        return new IllegalArgumentException(sourceName + ", line " + lineNumber + ": " + reason);
    }
}
