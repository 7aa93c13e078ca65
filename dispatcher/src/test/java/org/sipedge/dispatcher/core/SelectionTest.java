package org.sipedge.dispatcher.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SelectionTest {
    private static final Destination A = Destination.of(1, "sip:a");
    private static final Destination B = Destination.of(1, "sip:b");
    private static final Destination C = Destination.of(1, "sip:c");
    private static final DestinationSet ABC = new DestinationSet(1, List.of(A, B, C));
    private static final RoutingKeys KEYS = new RoutingKeys("call-1", "alice", "room-7");

    private static List<Destination> order(Algorithm alg, DestinationSet set, Set<Destination> down, long turn,
                                           Map<Destination, Integer> calls) {
        return Selection.order(alg, set, d -> !down.contains(d), KEYS, turn, new Random(1),
                d -> calls.getOrDefault(d, 0));
    }

    @Test
    void roundRobinTakesTurnsAndSkipsInactive() {
        assertEquals(List.of(A, B, C), order(Algorithm.ROUND_ROBIN, ABC, Set.of(), 0, Map.of()));
        assertEquals(List.of(B, C, A), order(Algorithm.ROUND_ROBIN, ABC, Set.of(), 1, Map.of()));
        assertEquals(List.of(C, A, B), order(Algorithm.ROUND_ROBIN, ABC, Set.of(), 5, Map.of()));
        assertEquals(List.of(C, A), order(Algorithm.ROUND_ROBIN, ABC, Set.of(B), 1, Map.of()));
    }

    @Test
    void weightedFollowsTheWeights() {
        DestinationSet set = new DestinationSet(1, List.of(new Destination(1, "sip:light", 1, 0, 0, Map.of()),
                new Destination(1, "sip:heavy", 3, 0, 0, Map.of())));
        Random random = new Random(3);
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 8000; i++) {
            List<Destination> o = Selection.order(Algorithm.WEIGHTED, set, d -> true, KEYS, 0, random, d -> 0);
            assertEquals(2, o.size(), "every destination appears once");
            firsts.merge(o.get(0).uri(), 1, Integer::sum);
        }
        assertEquals(6000, firsts.get("sip:heavy"), 250);
    }

    @Test
    void leastCallsPicksTheLeastLoadedPerWeight() {
        assertEquals(List.of(B, C, A), order(Algorithm.LEAST_CALLS, ABC, Set.of(), 0, Map.of(A, 5, B, 1, C, 2)));
        Destination big = new Destination(1, "sip:big", 4, 0, 0, Map.of());
        DestinationSet weighted = new DestinationSet(1, List.of(A, big));
        assertEquals(List.of(big, A), order(Algorithm.LEAST_CALLS, weighted, Set.of(), 0, Map.of(A, 1, big, 3)),
                "3 calls on weight 4 is less load than 1 call on weight 1");
        assertEquals(List.of(A, C), order(Algorithm.LEAST_CALLS, ABC, Set.of(B), 0, Map.of(A, 0, B, 0, C, 0)));
    }

    @Test
    void hashAlgorithmsHashTheirOwnKey() {
        assertEquals(Rendezvous.rank("call-1", ABC.destinations()), order(Algorithm.HASH_CALL_ID, ABC, Set.of(), 0, Map.of()));
        assertEquals(Rendezvous.rank("alice", ABC.destinations()), order(Algorithm.HASH_FROM_USER, ABC, Set.of(), 0, Map.of()));
        assertEquals(Rendezvous.rank("room-7", ABC.destinations()), order(Algorithm.HASH_RURI_USER, ABC, Set.of(), 0, Map.of()));
        assertEquals("call-9", RoutingKeys.ofCallId("call-9").keyFor(Algorithm.HASH_FROM_USER), "no From user: Call-ID");
    }

    @Test
    void lowerPriorityTiersOnlyFollow() {
        Destination primary1 = new Destination(2, "sip:p1", 1, 10, 0, Map.of());
        Destination primary2 = new Destination(2, "sip:p2", 1, 10, 0, Map.of());
        Destination backup = new Destination(2, "sip:backup", 1, 0, 0, Map.of());
        DestinationSet set = new DestinationSet(2, List.of(backup, primary1, primary2));
        for (Algorithm alg : Algorithm.values()) {
            List<Destination> o = order(alg, set, Set.of(), 0, Map.of());
            assertEquals(backup, o.get(2), alg + ": the backup tier comes last");
            assertTrue(Set.of(primary1, primary2).contains(o.get(0)));
            assertEquals(List.of(backup), order(alg, set, Set.of(primary1, primary2), 0, Map.of()),
                    alg + ": the backup takes over when the primaries are down");
        }
    }

    @Test
    void nothingActiveIsAnEmptyOrder() {
        for (Algorithm alg : Algorithm.values()) {
            assertTrue(order(alg, ABC, Set.of(A, B, C), 0, Map.of()).isEmpty());
        }
    }
}
