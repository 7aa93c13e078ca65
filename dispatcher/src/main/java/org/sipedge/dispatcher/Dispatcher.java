package org.sipedge.dispatcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;
import org.sipedge.dispatcher.core.ActiveCalls;
import org.sipedge.dispatcher.core.Algorithm;
import org.sipedge.dispatcher.core.Destination;
import org.sipedge.dispatcher.core.DestinationSet;
import org.sipedge.dispatcher.core.Failover;
import org.sipedge.dispatcher.core.Health;
import org.sipedge.dispatcher.core.ListFile;
import org.sipedge.dispatcher.core.ListFileException;
import org.sipedge.dispatcher.core.RoutingKeys;
import org.sipedge.dispatcher.core.Selection;

/**
 * The destination sets of this node, their health and the calls on them; hands out the failover order for a new
 * request. Sets are swapped atomically on reload: a request sees either the old sets or the new, never a mix.
 * Thread-safe.
 */
public final class Dispatcher {
    private static final Logger LOG = Logger.getLogger("org.sipedge.dispatcher");

    /** Told when a destination changes between active and inactive. */
    public interface HealthListener {
        void changed(String uri, boolean active);
    }

    private final AtomicReference<Map<Integer, DestinationSet>> sets = new AtomicReference<>(Map.of());
    private final Map<String, Health> health = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> turns = new ConcurrentHashMap<>();
    private final List<HealthListener> listeners = new CopyOnWriteArrayList<>();
    private final Algorithm algorithm;
    private final int inactiveAfter;
    private final int activeAfter;
    private final ActiveCalls calls;
    private final RandomGenerator random;
    private final Path listFile;
    private volatile FileStamp loadedStamp;

    private record FileStamp(FileTime modified, long size) {
    }

    public Dispatcher(List<DestinationSet> initial, Algorithm algorithm, int inactiveAfter, int activeAfter,
                      ActiveCalls calls, RandomGenerator random, Path listFile) {
        this.algorithm = algorithm;
        this.inactiveAfter = inactiveAfter;
        this.activeAfter = activeAfter;
        this.calls = calls;
        this.random = random;
        this.listFile = listFile;
        this.loadedStamp = listFile == null ? null : stampOf(listFile);
        reload(initial);
    }

    /** Reads {@code dispatcher.*}; a list file that cannot be used stops start-up naming the key, file and line. */
    public static Dispatcher fromSettings(Settings settings) {
        String file = settings.get(DispatcherParam.LIST_FILE);
        if (file.isEmpty()) {
            throw new ConfigException(DispatcherParam.LIST_FILE.key(), settings.sourceOf(DispatcherParam.LIST_FILE),
                    "the dispatcher needs a list file");
        }
        List<DestinationSet> initial;
        try {
            initial = ListFile.read(Path.of(file));
        } catch (ListFileException e) {
            throw new ConfigException(DispatcherParam.LIST_FILE.key(), settings.sourceOf(DispatcherParam.LIST_FILE),
                    e.getMessage());
        }
        Algorithm algorithm = Algorithm.fromWord(settings.get(DispatcherParam.ALGORITHM)).orElseThrow();
        ActiveCalls calls = new ActiveCalls(Clock.systemUTC(),
                Duration.ofSeconds(settings.getInt(DispatcherParam.MAX_CALL_DURATION)), 1_000_000);
        return new Dispatcher(initial, algorithm, settings.getInt(DispatcherParam.INACTIVE_AFTER),
                settings.getInt(DispatcherParam.ACTIVE_AFTER), calls, RandomGenerator.getDefault(), Path.of(file));
    }

    /** Checks the keys and the list file without keeping anything (the launcher calls this before start). */
    public static void validate(Settings settings) {
        if (!settings.get(DispatcherParam.LIST_FILE).isEmpty()) {
            fromSettings(settings);
        }
    }

    /** Swaps in new sets at once. Health of destinations still listed is kept; others are forgotten. */
    public void reload(List<DestinationSet> newSets) {
        Map<Integer, DestinationSet> byId = new LinkedHashMap<>();
        Set<String> uris = new HashSet<>();
        for (DestinationSet s : newSets) {
            byId.put(s.id(), s);
            for (Destination d : s.destinations()) {
                uris.add(d.uri());
                health.putIfAbsent(d.uri(), Health.INITIAL);
            }
        }
        sets.set(Map.copyOf(byId));
        health.keySet().retainAll(uris);
        turns.keySet().retainAll(byId.keySet());
    }

    /** Reads the list file again and swaps it in; a bad file keeps the current sets. */
    public void reload() throws ListFileException {
        if (listFile == null) {
            throw new IllegalStateException("no list file to reload");
        }
        FileStamp stamp = stampOf(listFile);
        reload(ListFile.read(listFile));
        loadedStamp = stamp;
        LOG.info("dispatcher: reloaded " + listFile + ": " + describe());
    }

    /** Reloads when the file's time or size changed since the last load; true when it did. */
    public boolean reloadIfChanged() {
        if (listFile == null) {
            return false;
        }
        FileStamp now = stampOf(listFile);
        if (now == null || now.equals(loadedStamp)) {
            return false;
        }
        try {
            reload();
            return true;
        } catch (ListFileException e) {
            loadedStamp = now; // complain once per change, not every check
            LOG.warning("dispatcher: kept the current sets: " + e.getMessage());
            return false;
        }
    }

    private static FileStamp stampOf(Path file) {
        try {
            return new FileStamp(Files.getLastModifiedTime(file), Files.size(file));
        } catch (IOException e) {
            return null;
        }
    }

    /** Destinations of {@code setId} in the order to try them for this request (active ones only). */
    public List<Destination> order(int setId, RoutingKeys keys) {
        return order(setId, keys, algorithm);
    }

    public List<Destination> order(int setId, RoutingKeys keys, Algorithm with) {
        DestinationSet set = sets.get().get(setId);
        if (set == null) {
            return List.of();
        }
        long turn = with == Algorithm.ROUND_ROBIN
                ? turns.computeIfAbsent(setId, k -> new AtomicLong()).getAndIncrement() : 0;
        return Selection.order(with, set, d -> isActive(d.uri()), keys, turn, random, d -> calls.on(d.uri()));
    }

    /** Serial failover for one request over {@link #order}. */
    public Failover failover(int setId, RoutingKeys keys) {
        return new Failover(order(setId, keys));
    }

    public boolean isActive(String uri) {
        Health h = health.get(uri);
        return h == null || h.active();
    }

    /** Feeds one probe result (or a request's outcome) into the destination's health. */
    public void probed(String uri, boolean ok) {
        Health[] before = new Health[1];
        Health after = health.computeIfPresent(uri, (k, h) -> {
            before[0] = h;
            return h.probed(ok, inactiveAfter, activeAfter);
        });
        if (after != null && before[0].active() != after.active()) {
            LOG.info("dispatcher: " + uri + " is now " + (after.active() ? "active" : "inactive"));
            for (HealthListener l : listeners) {
                l.changed(uri, after.active());
            }
        }
    }

    public void addHealthListener(HealthListener listener) {
        listeners.add(listener);
    }

    public Optional<DestinationSet> set(int id) {
        return Optional.ofNullable(sets.get().get(id));
    }

    public Collection<DestinationSet> sets() {
        return sets.get().values();
    }

    /** Every destination of every set (for the prober), each URI once. */
    public List<Destination> allDestinations() {
        Map<String, Destination> byUri = new LinkedHashMap<>();
        for (DestinationSet s : sets.get().values()) {
            for (Destination d : s.destinations()) {
                byUri.putIfAbsent(d.uri(), d);
            }
        }
        return new ArrayList<>(byUri.values());
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public ActiveCalls calls() {
        return calls;
    }

    public String describe() {
        StringBuilder b = new StringBuilder();
        for (DestinationSet s : sets.get().values()) {
            long up = s.destinations().stream().filter(d -> isActive(d.uri())).count();
            b.append(b.isEmpty() ? "" : ", ").append("set ").append(s.id()).append(": ").append(up).append('/')
                    .append(s.destinations().size()).append(" active");
        }
        return b + " (" + algorithm.word() + ")";
    }
}
