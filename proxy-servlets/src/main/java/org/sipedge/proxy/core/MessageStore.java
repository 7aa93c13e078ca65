package org.sipedge.proxy.core;

import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.sipedge.store.ExpiringMap;

/**
 * MESSAGEs waiting for their user, per address-of-record in the cluster store: at most {@code perUser} per user
 * (the oldest goes when a new one comes), each for at most {@code ttl}.
 */
public final class MessageStore {
    /** Name of the store map. */
    public static final String MAP_NAME = "proxy.messages";

    /** Stored value: the waiting messages of one user, oldest first. */
    public record Waiting(List<StoredMessage> messages) implements Serializable {
        public Waiting {
            messages = List.copyOf(messages);
        }
    }

    /** What {@link #store} did. */
    public record Stored(int waiting, int droppedOldest) {
    }

    private final ExpiringMap<Waiting> map;
    private final int perUser;
    private final Duration ttl;
    private final Clock clock;

    public MessageStore(ExpiringMap<Waiting> map, int perUser, Duration ttl, Clock clock) {
        this.map = map;
        this.perUser = perUser;
        this.ttl = ttl;
        this.clock = clock;
    }

    public boolean enabled() {
        return perUser > 0;
    }

    public Stored store(String aor, StoredMessage m) {
        long now = clock.millis();
        int[] dropped = {0};
        Waiting after = map.update(aor, current -> {
            dropped[0] = 0; // a cluster store may run this more than once: count the stored run only
            List<StoredMessage> list = new ArrayList<>();
            if (current != null) {
                current.messages().stream().filter(x -> live(x, now)).forEach(list::add);
            }
            list.add(m);
            while (list.size() > perUser) {
                list.remove(0);
                dropped[0]++;
            }
            return new Waiting(list);
        }, v -> ttl);
        return new Stored(after == null ? 0 : after.messages().size(), dropped[0]);
    }

    /** Takes every live message of {@code aor}, oldest first; they are gone from the store. */
    public List<StoredMessage> drain(String aor) {
        long now = clock.millis();
        return map.remove(aor).map(w -> w.messages().stream().filter(x -> live(x, now)).toList()).orElse(List.of());
    }

    public int waiting(String aor) {
        long now = clock.millis();
        return map.get(aor).map(w -> (int) w.messages().stream().filter(x -> live(x, now)).count()).orElse(0);
    }

    private boolean live(StoredMessage m, long now) {
        return m.storedAtMillis() + ttl.toMillis() > now;
    }
}
