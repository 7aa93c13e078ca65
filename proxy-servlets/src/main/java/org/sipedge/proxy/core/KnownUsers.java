package org.sipedge.proxy.core;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.sipedge.registrar.Binding;
import org.sipedge.registrar.PushParams;
import org.sipedge.store.ExpiringMap;

/**
 * Users seen registering within the last {@code proxy.known-user-ttl}, with the push parameters of their devices.
 * The location service forgets an AOR with its last binding; this remembers that the user exists (480, not 404;
 * MESSAGEs may be stored) and how to wake its devices after their bindings went away (connection closed, expired).
 */
public final class KnownUsers {
    /** Name of the store map. */
    public static final String MAP_NAME = "proxy.known-users";

    /** Stored value. */
    public record User(List<PushContact> push) implements Serializable {
        public User {
            push = List.copyOf(push);
        }
    }

    private final ExpiringMap<User> map;
    private final Duration ttl;

    public KnownUsers(ExpiringMap<User> map, Duration ttl) {
        this.map = map;
        this.ttl = ttl;
    }

    /**
     * A REGISTER was accepted. Push parameters of the new bindings replace the remembered ones; a REGISTER without
     * any (a refresh of a plain binding, a removal) keeps the remembered ones so the device can still be woken.
     */
    public void registered(String aor, List<Binding> bindings) {
        List<PushContact> push = new ArrayList<>();
        for (Binding b : bindings) {
            PushParams p = b.push();
            if (p.present()) {
                PushContact c = new PushContact(p.provider(), p.prid(), p.param());
                if (!push.contains(c)) {
                    push.add(c);
                }
            }
        }
        map.update(aor, current -> push.isEmpty() && current != null ? current : new User(push), v -> ttl);
    }

    /** The user as remembered, read without waiting for a cluster store. */
    public java.util.concurrent.CompletableFuture<java.util.Optional<User>> userAsync(String aor) {
        return map.getAsync(aor);
    }

    public boolean known(String aor) {
        return map.get(aor).isPresent();
    }

    public List<PushContact> push(String aor) {
        return map.get(aor).map(User::push).orElse(List.of());
    }
}
