package org.sipedge.dispatcher.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RendezvousTest {
    private static List<Destination> six() {
        List<Destination> ds = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            ds.add(Destination.of(1, "sip:10.0.0." + i + ":5060"));
        }
        return ds;
    }

    private static List<String> keys(int n) {
        Random r = new Random(42);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(Long.toHexString(r.nextLong()) + "@client.invalid");
        }
        return keys;
    }

    @Test
    void whenOneOfSixGoesDownItsShareSpreadsEvenlyAndNoOtherKeyMoves() {
        List<Destination> all = six();
        Destination dead = all.get(2);
        List<Destination> survivors = new ArrayList<>(all);
        survivors.remove(dead);
        Map<String, Integer> load = new HashMap<>();
        int moved = 0;
        for (String key : keys(6000)) {
            Destination before = Rendezvous.pick(key, all);
            Destination after = Rendezvous.pick(key, survivors);
            if (!before.equals(dead)) {
                assertEquals(before, after, "key " + key + " was not on the dead destination and moved");
            } else {
                moved++;
            }
            load.merge(after.uri(), 1, Integer::sum);
        }
        double mean = 6000 / 5.0;
        for (Destination d : survivors) {
            int n = load.getOrDefault(d.uri(), 0);
            assertTrue(n <= 1.3 * mean, d.uri() + " got " + n + " keys, more than 1.3 x the mean " + mean);
        }
        assertTrue(moved > 0 && moved < 6000 * 0.3, "the dead destination held about a sixth: " + moved);
    }

    @Test
    void weightsGiveProportionalShares() {
        List<Destination> ds = List.of(new Destination(1, "sip:a", 1, 0, 0, Map.of()),
                new Destination(1, "sip:b", 2, 0, 0, Map.of()), new Destination(1, "sip:c", 3, 0, 0, Map.of()));
        Map<String, Integer> load = new HashMap<>();
        for (String key : keys(12000)) {
            load.merge(Rendezvous.pick(key, ds).uri(), 1, Integer::sum);
        }
        assertEquals(2000, load.get("sip:a"), 200);
        assertEquals(4000, load.get("sip:b"), 300);
        assertEquals(6000, load.get("sip:c"), 300);
    }

    @Test
    void theOrderOfTheListDoesNotMatterAndRankStartsWithThePick() {
        List<Destination> ds = six();
        List<Destination> shuffled = new ArrayList<>(ds);
        Collections.shuffle(shuffled, new Random(7));
        for (String key : keys(500)) {
            assertEquals(Rendezvous.pick(key, ds), Rendezvous.pick(key, shuffled));
            List<Destination> ranked = Rendezvous.rank(key, shuffled);
            assertEquals(Rendezvous.pick(key, ds), ranked.get(0));
            assertEquals(6, ranked.size());
            assertEquals(Rendezvous.rank(key, ds), ranked);
        }
    }

    @Test
    void theFailoverOrderOfAKeyIsWhereItGoesWhenItsFirstChoiceDies() {
        List<Destination> ds = six();
        for (String key : keys(500)) {
            List<Destination> ranked = Rendezvous.rank(key, ds);
            List<Destination> without = new ArrayList<>(ds);
            without.remove(ranked.get(0));
            assertEquals(ranked.get(1), Rendezvous.pick(key, without));
        }
    }
}
