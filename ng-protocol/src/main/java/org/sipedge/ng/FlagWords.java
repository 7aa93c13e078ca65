package org.sipedge.ng;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An operator's flag string in Kamailio/OpenSIPS syntax ({@code ICE=force DTLS=passive RTP/AVP replace-origin
 * rtcp-mux-demux generate-mid SDES-off trust-address}), turned into ng dictionary keys the way Kamailio's rtpengine
 * module does it on the client side. rtpengine 10.5 ignores most of these words when they arrive as strings in
 * {@code "flags"} (it only logs "Unknown flag"), so this translation is what makes the words work at all.
 *
 * <p>Unknown words are rejected with {@link UnknownFlagWordException}: a typo in a flag string must stop start-up,
 * not silently give one-way audio. Keys appear in the order their first word appears; list values keep word order
 * and drop duplicates.
 */
public final class FlagWords {
    private static final Set<String> TRANSPORTS = Set.of("RTP/AVP", "RTP/SAVP", "RTP/AVPF", "RTP/SAVPF",
            "UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVPF");
    private static final Set<String> ICE = Set.of("remove", "force", "force-relay", "default", "optional");
    private static final Set<String> DTLS = Set.of("off", "no", "disable", "passive", "active");
    private static final Set<String> REPLACE = Set.of("origin", "session-connection", "sdp-version", "username",
            "session-name", "zero-address", "force-increment-sdp-ver");
    private static final Set<String> RTCP_MUX = Set.of("demux", "offer", "accept", "reject", "require");
    private static final Set<String> ADDRESS_FAMILY = Set.of("IP4", "IP6");

    /** Words passed to rtpengine as strings in {@code "flags"} (each one parsed by rtpengine 10.5). */
    private static final Set<String> PLAIN_FLAGS = Set.of("trust-address", "SIP-source-address", "asymmetric",
            "strict-source", "media-handover", "port-latching", "no-port-latching", "trickle-ICE", "reject-ICE",
            "ICE-reject", "strip-extmap", "no-rtcp-attribute", "full-rtcp-attribute", "loop-protect",
            "original-sendrecv", "record-call", "reset", "debug", "single-codec", "always-transcode", "pad-crypto",
            "generate-mid", "unidirectional", "fatal");

    /** Word prefixes passed in {@code "flags"} with their argument (codec names, crypto suites). */
    private static final List<String> PLAIN_FLAG_PREFIXES = List.of("codec-strip-", "codec-mask-", "codec-offer-",
            "codec-except-", "codec-transcode-", "transcode-");

    /** {@code key=value} words that become a dictionary entry under the same key (as Kamailio does). */
    private static final Set<String> STRING_KEYS = Set.of("media-address", "label", "set-label", "from-label",
            "to-label", "metadata", "DTLS-fingerprint", "DTLS-reverse", "xmlrpc-callback", "ICE-lite", "media-echo",
            "record-call");
    private static final Set<String> INTEGER_KEYS = Set.of("TOS", "ptime", "ptime-reverse", "delete-delay");
    private static final Pattern WORD_CHARS = Pattern.compile("[A-Za-z0-9/_.:+=-]+");

    private final String source;
    private final Map<String, Object> entries;

    private FlagWords(String source, Map<String, Object> entries) {
        this.source = source;
        this.entries = entries;
    }

    /** No flags. */
    public static FlagWords none() {
        return new FlagWords("", Map.of());
    }

    /** Parses a flag string (null or blank = no flags). */
    public static FlagWords parse(String flagString) {
        String text = flagString == null ? "" : flagString.trim();
        Map<String, Object> out = new LinkedHashMap<>();
        if (!text.isEmpty()) {
            for (String word : text.split("\\s+")) {
                apply(word, out);
            }
        }
        Map<String, Object> frozen = new LinkedHashMap<>();
        out.forEach((k, v) -> frozen.put(k, v instanceof List<?> l ? List.copyOf(l) : v));
        return new FlagWords(text, Collections.unmodifiableMap(frozen));
    }

    private static void apply(String word, Map<String, Object> out) {
        if (!WORD_CHARS.matcher(word).matches()) {
            throw new UnknownFlagWordException(word, "contains characters no flag word has");
        }
        int eq = word.indexOf('=');
        if (eq >= 0) {
            applyKeyValue(word, word.substring(0, eq), word.substring(eq + 1), out);
            return;
        }
        if (TRANSPORTS.contains(word)) {
            setOnce(word, "transport-protocol", word, out);
        } else if (word.startsWith("replace-")) {
            addToList(word, "replace", word.substring("replace-".length()), REPLACE, out);
        } else if (word.startsWith("rtcp-mux-")) {
            addToList(word, "rtcp-mux", word.substring("rtcp-mux-".length()), RTCP_MUX, out);
        } else if (word.startsWith("SDES-")) {
            String suite = word.substring("SDES-".length());
            if (suite.isEmpty()) {
                throw new UnknownFlagWordException(word, "SDES- needs an argument (SDES-off, SDES-no-SUITE, ...)");
            }
            addToList(word, "SDES", suite, null, out);
        } else if (word.equals("symmetric")) {
            // rtpengine's default; 10.5 does not even know the word, so it is not sent
        } else if (PLAIN_FLAGS.contains(word) || hasArgumentPrefix(word)) {
            addToList(word, "flags", word, null, out);
        } else {
            throw new UnknownFlagWordException(word, "unknown (known: transport words like RTP/AVP, ICE=, DTLS=, "
                    + "replace-*, rtcp-mux-*, SDES-*, address-family=, in-iface=, out-iface=, "
                    + String.join(", ", PLAIN_FLAGS.stream().sorted().toList()) + ", "
                    + String.join("X, ", PLAIN_FLAG_PREFIXES) + "X)");
        }
    }

    private static boolean hasArgumentPrefix(String word) {
        for (String prefix : PLAIN_FLAG_PREFIXES) {
            if (word.startsWith(prefix) && word.length() > prefix.length()) {
                return true;
            }
        }
        return false;
    }

    private static void applyKeyValue(String word, String key, String value, Map<String, Object> out) {
        if (value.isEmpty()) {
            throw new UnknownFlagWordException(word, "no value after '='");
        }
        switch (key) {
            case "ICE" -> setOnce(word, "ICE", checked(word, value, ICE), out);
            case "DTLS" -> setOnce(word, "DTLS", checked(word, value, DTLS), out);
            case "transport-protocol" -> setOnce(word, "transport-protocol", checked(word, value, TRANSPORTS), out);
            case "address-family" -> setOnce(word, "address family", checked(word, value, ADDRESS_FAMILY), out);
            case "in-iface", "out-iface" -> addDirection(word, key, value, out);
            case "via-branch" -> throw new UnknownFlagWordException(word,
                    "via-branch is set by the proxy for each forked branch; remove it from the flag string");
            default -> {
                if (STRING_KEYS.contains(key)) {
                    setOnce(word, key, value, out);
                } else if (INTEGER_KEYS.contains(key)) {
                    try {
                        setOnce(word, key, Long.parseLong(value), out);
                    } catch (NumberFormatException e) {
                        throw new UnknownFlagWordException(word, "'" + value + "' is not an integer");
                    }
                } else {
                    throw new UnknownFlagWordException(word, "unknown key '" + key + "'");
                }
            }
        }
    }

    private static String checked(String word, String value, Set<String> allowed) {
        if (!allowed.contains(value)) {
            throw new UnknownFlagWordException(word, "unknown value '" + value + "' (one of "
                    + String.join(", ", allowed.stream().sorted().toList()) + ")");
        }
        return value;
    }

    private static void setOnce(String word, String key, Object value, Map<String, Object> out) {
        Object old = out.putIfAbsent(key, value);
        if (old != null && !old.equals(value)) {
            throw new UnknownFlagWordException(word, "conflicts with an earlier word that set " + key + "=" + old);
        }
    }

    @SuppressWarnings("unchecked")
    private static void addToList(String word, String key, String item, Set<String> allowed,
                                  Map<String, Object> out) {
        if (allowed != null && !allowed.contains(item)) {
            throw new UnknownFlagWordException(word, "unknown " + key + " value '" + item + "' (one of "
                    + String.join(", ", allowed.stream().sorted().toList()) + ")");
        }
        List<Object> list = (List<Object>) out.computeIfAbsent(key, k -> new ArrayList<>());
        if (!list.contains(item)) {
            list.add(item);
        }
    }

    @SuppressWarnings("unchecked")
    private static void addDirection(String word, String key, String value, Map<String, Object> out) {
        List<Object> direction = (List<Object>) out.computeIfAbsent("direction", k -> new ArrayList<>());
        if (direction.size() >= 2) {
            throw new UnknownFlagWordException(word, "more than two interfaces given for direction");
        }
        // Kamailio appends in word order; in-iface first is the operator's job, as there
        direction.add(value);
    }

    /** The dictionary entries, in word order; lists are immutable. */
    public Map<String, Object> entries() {
        return entries;
    }

    /** The flag string as given (trimmed). */
    public String source() {
        return source;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Adds these entries to a request dictionary: scalar keys are set, lists are appended to any list already
     * there (without duplicates).
     */
    @SuppressWarnings("unchecked")
    public void mergeInto(Map<String, Object> dictionary) {
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            Object existing = dictionary.get(e.getKey());
            if (e.getValue() instanceof List<?> add && existing instanceof List<?> have) {
                List<Object> merged = new ArrayList<>((List<Object>) have);
                for (Object item : add) {
                    if (!merged.contains(item)) {
                        merged.add(item);
                    }
                }
                dictionary.put(e.getKey(), merged);
            } else {
                dictionary.put(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public String toString() {
        return source.isEmpty() ? "(no flags)" : source;
    }
}
