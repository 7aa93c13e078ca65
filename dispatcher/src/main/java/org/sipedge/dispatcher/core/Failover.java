package org.sipedge.dispatcher.core;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Serial failover over an ordered list: the first destination, then — only after a 408, a 5xx or no answer at all
 * — the next one, never the same URI twice. Any other final answer (2xx, 3xx, 4xx but 408, 6xx) ends the attempt.
 * One per request; not thread-safe (a request's responses arrive one at a time).
 */
public final class Failover {
    private final List<Destination> order;
    private final Set<String> tried = new HashSet<>();
    private int next;
    private boolean finished;

    public Failover(List<Destination> order) {
        this.order = List.copyOf(order);
    }

    /** Whether a final response with this status (0 = timeout / transport error) should try the next one. */
    public static boolean triesNextAfter(int status) {
        return status == 0 || status == 408 || (status >= 500 && status <= 599);
    }

    /** The first destination; empty when the set has no active destination. */
    public Optional<Destination> first() {
        if (!tried.isEmpty()) {
            throw new IllegalStateException("first() was already called");
        }
        return advance();
    }

    /**
     * The destination to try after the last one answered {@code status} (0 for a timeout); empty when that answer
     * ends the attempt or nothing untried is left.
     */
    public Optional<Destination> after(int status) {
        if (finished || !triesNextAfter(status)) {
            finished = true;
            return Optional.empty();
        }
        return advance();
    }

    private Optional<Destination> advance() {
        while (next < order.size()) {
            Destination d = order.get(next++);
            if (tried.add(d.uri().toLowerCase(java.util.Locale.ROOT))) {
                return Optional.of(d);
            }
        }
        finished = true;
        return Optional.empty();
    }

    /** How many destinations were handed out so far. */
    public int attempts() {
        return tried.size();
    }
}
