package org.sipedge.dispatcher.probe;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.sipedge.dispatcher.Dispatcher;
import org.sipedge.dispatcher.core.Destination;

/**
 * One probe round: an OPTIONS to every destination, each answer (or its absence within the timeout) fed into the
 * dispatcher's health. Any final answer below 500 except 408 counts as alive (a 404 or 405 still proves a
 * listening SIP server); 408, 5xx, 6xx, a transport error or silence count as failed. At most one probe per
 * destination is in flight: a destination still unanswered is skipped, not probed again.
 */
public final class OptionsProber {
    private final Dispatcher dispatcher;
    private final OptionsSender sender;
    private final Duration timeout;
    private final Map<String, CompletableFuture<Integer>> inFlight = new ConcurrentHashMap<>();

    public OptionsProber(Dispatcher dispatcher, OptionsSender sender, Duration timeout) {
        this.dispatcher = dispatcher;
        this.sender = sender;
        this.timeout = timeout;
    }

    /** Whether a probe answered with {@code status} shows the destination alive. */
    public static boolean alive(int status) {
        return status >= 100 && status < 500 && status != 408;
    }

    /** Starts one round; the returned future completes when every probe of the round has an outcome. */
    public CompletableFuture<Void> round() {
        var all = dispatcher.allDestinations().stream().map(this::probe).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all);
    }

    private CompletableFuture<?> probe(Destination d) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        if (inFlight.putIfAbsent(d.uri(), f) != null) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            sender.options(d).whenComplete((status, error) -> {
                if (error != null) {
                    f.completeExceptionally(error);
                } else {
                    f.complete(status);
                }
            });
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((status, error) -> {
            inFlight.remove(d.uri(), f);
            dispatcher.probed(d.uri(), error == null && status != null && alive(status));
            return null;
        });
    }

    /** Probes still waiting for an answer. */
    public int inFlight() {
        return inFlight.size();
    }
}
