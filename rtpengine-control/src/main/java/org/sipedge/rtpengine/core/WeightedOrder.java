package org.sipedge.rtpengine.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;

/**
 * Orders candidates for a new call: the first is drawn with probability proportional to its weight, then the next
 * from the rest, and so on (weighted sampling without replacement), so a failover also prefers heavier engines.
 */
public final class WeightedOrder {
    private WeightedOrder() {
    }

    public static <T> List<T> order(List<T> candidates, ToIntFunction<T> weight, RandomGenerator random) {
        List<T> rest = new ArrayList<>(candidates);
        List<T> out = new ArrayList<>(candidates.size());
        while (!rest.isEmpty()) {
            long total = 0;
            for (T t : rest) {
                total += Math.max(1, weight.applyAsInt(t));
            }
            long pick = random.nextLong(total);
            int chosen = 0;
            for (int i = 0; i < rest.size(); i++) {
                pick -= Math.max(1, weight.applyAsInt(rest.get(i)));
                if (pick < 0) {
                    chosen = i;
                    break;
                }
            }
            out.add(rest.remove(chosen));
        }
        return out;
    }
}
