package org.sipedge.proxy.core;

import java.util.List;

/** What to do with an initial request addressed to a user. */
public sealed interface RoutingDecision {
    /** Answer locally with a final response. */
    record Reject(int status, String reason, String why) implements RoutingDecision {
    }

    /**
     * Proxy with record-route: the first group in parallel; the next group only when every branch of the one
     * before failed (q-values, highest first).
     */
    record Fork(List<List<Target>> groups) implements RoutingDecision {
        public Fork {
            groups = groups.stream().map(List::copyOf).toList();
        }

        public int targetCount() {
            return groups.stream().mapToInt(List::size).sum();
        }
    }

    /** The user is offline: keep the MESSAGE for later delivery and answer 202. */
    record Store() implements RoutingDecision {
    }

    /** The user's devices sleep: push them, hold the request until one registers (or the wait ends). */
    record Push(List<PushContact> contacts) implements RoutingDecision {
        public Push {
            contacts = List.copyOf(contacts);
        }
    }
}
