package org.sipedge.dispatcher.core;

import java.util.Arrays;
import java.util.Optional;

/** How the first destination of a set is chosen for a new request. */
public enum Algorithm {
    /** Each new request the next destination, in turn. */
    ROUND_ROBIN("round-robin"),
    /** At random, in proportion to the weights. */
    WEIGHTED("weighted"),
    /** Rendezvous hash of the Call-ID: every request of a call to the same destination. */
    HASH_CALL_ID("hash-call-id"),
    /** Rendezvous hash of the From user: a caller's requests to the same destination. */
    HASH_FROM_USER("hash-from-user"),
    /** Rendezvous hash of the Request-URI user: e.g. all calls to one conference room together. */
    HASH_RURI_USER("hash-ruri-user"),
    /** The destination with the fewest active calls per unit of weight. */
    LEAST_CALLS("least-calls");

    private final String word;

    Algorithm(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public boolean hashes() {
        return this == HASH_CALL_ID || this == HASH_FROM_USER || this == HASH_RURI_USER;
    }

    public static Optional<Algorithm> fromWord(String word) {
        return Arrays.stream(values()).filter(a -> a.word.equals(word)).findFirst();
    }

    public static String[] words() {
        return Arrays.stream(values()).map(Algorithm::word).toArray(String[]::new);
    }
}
