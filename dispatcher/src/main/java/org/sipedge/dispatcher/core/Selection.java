package org.sipedge.dispatcher.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;

/**
 * Orders a set's destinations for one new request: the first is where it goes, the rest the failover order.
 * Only active destinations take part. Priorities are tiers: the algorithm orders the highest-priority tier, then
 * the next tier follows as failover, and so on. Pure: state (turn counter, random source, call counts) comes in.
 */
public final class Selection {
    private Selection() {
    }

    /**
     * @param turn        for round-robin: this request's number in the set (a counter the caller increments)
     * @param random      for weighted
     * @param activeCalls for least-calls: the calls now on a destination
     */
    public static List<Destination> order(Algorithm algorithm, DestinationSet set, Predicate<Destination> active,
                                          RoutingKeys keys, long turn, RandomGenerator random,
                                          ToIntFunction<Destination> activeCalls) {
        Map<Integer, List<Destination>> tiers = new TreeMap<>(Comparator.reverseOrder());
        for (Destination d : set.destinations()) {
            if (active.test(d)) {
                tiers.computeIfAbsent(d.priority(), p -> new ArrayList<>()).add(d);
            }
        }
        List<Destination> out = new ArrayList<>();
        boolean first = true;
        for (List<Destination> tier : tiers.values()) {
            out.addAll(orderTier(algorithm, tier, keys, first ? turn : 0, random, activeCalls));
            first = false;
        }
        return out;
    }

    private static List<Destination> orderTier(Algorithm algorithm, List<Destination> tier, RoutingKeys keys,
                                               long turn, RandomGenerator random,
                                               ToIntFunction<Destination> activeCalls) {
        switch (algorithm) {
            case ROUND_ROBIN: {
                int n = tier.size();
                int start = (int) Math.floorMod(turn, (long) n);
                List<Destination> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(tier.get((start + i) % n));
                }
                return out;
            }
            case WEIGHTED: {
                List<Destination> left = new ArrayList<>(tier);
                List<Destination> out = new ArrayList<>(tier.size());
                while (!left.isEmpty()) {
                    long total = 0;
                    for (Destination d : left) {
                        total += d.weight();
                    }
                    long r = random.nextLong(total);
                    for (int i = 0; i < left.size(); i++) {
                        r -= left.get(i).weight();
                        if (r < 0) {
                            out.add(left.remove(i));
                            break;
                        }
                    }
                }
                return out;
            }
            case LEAST_CALLS: {
                List<Destination> out = new ArrayList<>(tier);
                // calls per unit of weight; the sort is stable, so ties keep file order
                out.sort(Comparator.comparingDouble(d -> activeCalls.applyAsInt(d) / (double) d.weight()));
                return out;
            }
            default:
                return Rendezvous.rank(keys.keyFor(algorithm), tier);
        }
    }
}
