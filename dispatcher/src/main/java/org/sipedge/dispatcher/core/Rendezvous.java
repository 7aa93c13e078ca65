package org.sipedge.dispatcher.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Weighted rendezvous (highest-random-weight) hashing: every destination scores {@code -weight / ln(u)} where
 * {@code u} in (0,1) is a hash of (key, destination URI); the highest score wins. A destination's share is its
 * weight over the total, and when one drops out only the keys it held move — each to the destination that scored
 * next for that key, which spreads its share over the survivors in proportion to their weights. No other key
 * moves, and the order of the list file does not matter.
 */
public final class Rendezvous {
    private Rendezvous() {
    }

    /** The candidates ordered best first for {@code key}: the first is the pick, the rest the failover order. */
    public static List<Destination> rank(String key, List<Destination> candidates) {
        long k = hash64(key);
        List<Scored> scored = new ArrayList<>(candidates.size());
        for (Destination d : candidates) {
            scored.add(new Scored(d, score(k, d)));
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed()
                .thenComparing(s -> s.destination().uri()));
        List<Destination> out = new ArrayList<>(scored.size());
        for (Scored s : scored) {
            out.add(s.destination());
        }
        return out;
    }

    /** The highest scorer for {@code key}; null when there are no candidates. */
    public static Destination pick(String key, List<Destination> candidates) {
        long k = hash64(key);
        Destination best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Destination d : candidates) {
            double s = score(k, d);
            if (s > bestScore || (s == bestScore && best != null && d.uri().compareTo(best.uri()) < 0)) {
                best = d;
                bestScore = s;
            }
        }
        return best;
    }

    static double score(long keyHash, Destination d) {
        long h = mix(keyHash ^ mix(hash64(d.uri()) + 0x9E3779B97F4A7C15L));
        double u = ((h >>> 11) + 0.5) * 0x1.0p-53; // uniform in (0,1), never 0 or 1
        return -d.weight() / Math.log(u);
    }

    private record Scored(Destination destination, double score) {
    }

    /** FNV-1a over UTF-8, finished with a 64-bit avalanche so similar keys land far apart. */
    static long hash64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** The MurmurHash3 64-bit finalizer. */
    static long mix(long z) {
        z ^= z >>> 33;
        z *= 0xff51afd7ed558ccdL;
        z ^= z >>> 33;
        z *= 0xc4ceb9fe1a85ec53L;
        z ^= z >>> 33;
        return z;
    }
}
