package org.sipedge.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;
import org.sipedge.dispatcher.core.ActiveCalls;
import org.sipedge.dispatcher.core.Algorithm;
import org.sipedge.dispatcher.core.Destination;
import org.sipedge.dispatcher.core.ListFile;
import org.sipedge.dispatcher.core.RoutingKeys;

class DispatcherTest {
    @TempDir
    Path dir;

    private Dispatcher dispatcher(String list, Algorithm algorithm) throws Exception {
        Path file = dir.resolve("dispatcher.list");
        Files.writeString(file, list);
        return new Dispatcher(ListFile.read(file), algorithm, 3, 2,
                new ActiveCalls(Clock.systemUTC(), Duration.ofHours(1), 1000), new Random(1), file);
    }

    private static List<String> uris(List<Destination> ds) {
        return ds.stream().map(Destination::uri).toList();
    }

    @Test
    void inactiveDestinationsLeaveTheOrderAndComeBack() throws Exception {
        Dispatcher d = dispatcher("1 sip:a\n1 sip:b\n", Algorithm.ROUND_ROBIN);
        List<String> changes = new ArrayList<>();
        d.addHealthListener((uri, active) -> changes.add(uri + "=" + active));
        for (int i = 0; i < 3; i++) {
            d.probed("sip:a", false);
        }
        assertFalse(d.isActive("sip:a"));
        assertEquals(List.of("sip:b"), uris(d.order(1, RoutingKeys.ofCallId("x"))));
        d.probed("sip:a", true);
        d.probed("sip:a", true);
        assertTrue(d.isActive("sip:a"));
        assertEquals(List.of("sip:a=false", "sip:a=true"), changes);
    }

    @Test
    void roundRobinTurnsPerSet() throws Exception {
        Dispatcher d = dispatcher("1 sip:a\n1 sip:b\n2 sip:c\n", Algorithm.ROUND_ROBIN);
        RoutingKeys k = RoutingKeys.ofCallId("x");
        assertEquals("sip:a", d.order(1, k).get(0).uri());
        assertEquals("sip:c", d.order(2, k).get(0).uri());
        assertEquals("sip:b", d.order(1, k).get(0).uri());
        assertEquals("sip:a", d.order(1, k).get(0).uri());
        assertTrue(d.order(9, k).isEmpty(), "an unknown set has no destination");
    }

    @Test
    void reloadSwapsSetsAtOnceAndKeepsHealthOfWhatStays() throws Exception {
        Dispatcher d = dispatcher("1 sip:a\n1 sip:b\n", Algorithm.HASH_CALL_ID);
        for (int i = 0; i < 3; i++) {
            d.probed("sip:a", false);
        }
        Path file = dir.resolve("dispatcher.list");
        Files.writeString(file, "1 sip:a\n1 sip:c\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertTrue(d.reloadIfChanged());
        assertFalse(d.reloadIfChanged(), "unchanged: nothing to do");
        assertFalse(d.isActive("sip:a"), "health of a kept destination survives the reload");
        assertEquals(List.of("sip:c"), uris(d.order(1, RoutingKeys.ofCallId("x"))));
    }

    @Test
    void aBadFileOnReloadKeepsTheCurrentSets() throws Exception {
        Dispatcher d = dispatcher("1 sip:a\n", Algorithm.HASH_CALL_ID);
        Path file = dir.resolve("dispatcher.list");
        Files.writeString(file, "1 sip:a\nbroken line\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertFalse(d.reloadIfChanged());
        assertEquals(List.of("sip:a"), uris(d.order(1, RoutingKeys.ofCallId("x"))));
        assertThrows(org.sipedge.dispatcher.core.ListFileException.class, d::reload);
    }

    @Test
    void readersNeverSeeAHalfSwappedList() throws Exception {
        Dispatcher d = dispatcher("1 sip:a1\n1 sip:a2\n1 sip:a3\n", Algorithm.ROUND_ROBIN);
        var generationA = ListFile.parse("1 sip:a1\n1 sip:a2\n1 sip:a3\n", "a");
        var generationB = ListFile.parse("1 sip:b1\n1 sip:b2\n", "b");
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> swapper = pool.submit(() -> {
                for (int i = 0; i < 20_000 && !stop.get(); i++) {
                    d.reload(i % 2 == 0 ? generationB : generationA);
                }
            });
            Future<Integer> reader = pool.submit(() -> {
                int checked = 0;
                while (!swapper.isDone()) {
                    List<String> o = uris(d.order(1, RoutingKeys.ofCallId("k" + checked)));
                    Set<Character> generations = new java.util.HashSet<>();
                    o.forEach(u -> generations.add(u.charAt(4)));
                    if (generations.size() != 1 || (o.size() != 3 && o.size() != 2)) {
                        throw new AssertionError("mixed sets: " + o);
                    }
                    checked++;
                }
                return checked;
            });
            swapper.get(60, TimeUnit.SECONDS);
            assertTrue(reader.get(60, TimeUnit.SECONDS) > 0);
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    @Test
    void settingsErrorsNameTheKeyTheFileAndTheLine() throws Exception {
        Path file = dir.resolve("bad.list");
        Files.writeString(file, "1 sip:a\n1 ftp:b\n");
        Properties p = new Properties();
        p.setProperty("dispatcher.list-file", file.toString());
        Settings s = Settings.load(List.of(DispatcherParam.values()), "test", n -> null, Set.of(), p);
        ConfigException e = assertThrows(ConfigException.class, () -> Dispatcher.validate(s));
        assertEquals("dispatcher.list-file", e.key());
        assertTrue(e.getMessage().contains(file + " line 2: 'ftp:b' is not a sip: or sips: URI"), e.getMessage());

        p.setProperty("dispatcher.algorithm", "random");
        assertEquals("dispatcher.algorithm", assertThrows(ConfigException.class,
                () -> Settings.load(List.of(DispatcherParam.values()), "test", n -> null, Set.of(), p)).key());
    }

    @Test
    void noListFileMeansNoDispatcher() {
        Dispatcher.validate(Settings.defaults(List.of(DispatcherParam.values())));
    }
}
