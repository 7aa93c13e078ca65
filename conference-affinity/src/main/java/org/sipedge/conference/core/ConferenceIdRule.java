package org.sipedge.conference.core;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a request's conference id comes from: the Request-URI user, the To user or a header, matched in full
 * against a pattern. The id is the pattern's first group (or the whole match when it has no group). No match, or
 * no such header, means the request is not for a conference.
 */
public record ConferenceIdRule(Source source, String header, Pattern pattern) {
    /** Longest id accepted; longer ones are not conference ids (the id is a cluster-wide key). */
    public static final int MAX_ID_LENGTH = 128;

    public enum Source {
        RURI_USER("ruri-user"), TO_USER("to-user"), HEADER("header");

        private final String word;

        Source(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static Optional<Source> fromWord(String w) {
            for (Source s : values()) {
                if (s.word.equals(w.toLowerCase(Locale.ROOT))) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /** What a rule may look at, taken from the request by the servlet layer. */
    public record RequestFacts(String requestUriUser, String toUser, Function<String, String> header) {
    }

    public ConferenceIdRule {
        if (source == Source.HEADER && (header == null || header.isBlank())) {
            throw new IllegalArgumentException("a header rule needs a header name");
        }
    }

    public Optional<String> conferenceId(RequestFacts request) {
        String text = switch (source) {
            case RURI_USER -> request.requestUriUser();
            case TO_USER -> request.toUser();
            case HEADER -> request.header().apply(header);
        };
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = pattern.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        String id = m.groupCount() >= 1 && m.group(1) != null ? m.group(1) : m.group();
        return id.isEmpty() || id.length() > MAX_ID_LENGTH ? Optional.empty() : Optional.of(id);
    }
}
