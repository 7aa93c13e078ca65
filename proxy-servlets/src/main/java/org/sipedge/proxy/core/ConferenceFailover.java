package org.sipedge.proxy.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.sipedge.dispatcher.core.Destination;
import org.sipedge.dispatcher.core.Failover;
import org.sipedge.dispatcher.core.RoutingKeys;

/**
 * The one decision both proxy paths (the container's and the UDP fast path) make when a conference server fails a
 * call: fail over to another server, keep the call's answer as it is, or give up. Pure: the pin store is asked
 * through {@link Pins}, and each path only carries out the step.
 * <ul>
 *   <li>Only a 408, a 5xx or no answer in time (status 0) is a server failure ({@link Failover#triesNextAfter});
 *       anything else is the call's answer.</li>
 *   <li>A 408 or a timeout from a server that had answered provisionally is not a server failure: it is alive
 *       (the delay may well be ours, under overload), so the conference stays where it is.</li>
 *   <li>Otherwise the pin store moves the conference off the failed server (once, cluster-wide) and names the next;
 *       a server this call has tried is never tried again (URIs compared without case), and one this path cannot
 *       use (the fast path sends only to plain UDP addresses) ends the attempt as if none were left.</li>
 * </ul>
 */
public final class ConferenceFailover {
    private ConferenceFailover() {
    }

    /** Where the next server comes from: {@code ConferencePins.callFailed}. */
    @FunctionalInterface
    public interface Pins {
        Optional<Destination> callFailed(String conference, String callId, String failedUri, RoutingKeys keys,
                                         Set<String> tried);
    }

    /** What a path does after a server's final answer or silence. */
    public sealed interface Step {
    }

    /** Send the call to {@code uri}; {@code tried} is the call's tried list with it added (lower case). */
    public record Next(String uri, List<String> tried, String why) implements Step {
    }

    /** Not a server failure: the answer goes to the caller and the conference stays pinned where it is. */
    public record Keep(String why) implements Step {
    }

    /** No server left (or none this path can use): the failure goes to the caller, the call leaves the pin. */
    public record GiveUp(String why) implements Step {
    }

    /**
     * @param status final status from the failed server, 0 when it did not answer in time
     * @param heard  whether that server had answered provisionally
     * @param tried  servers this call was sent to so far, lower case (the failed one included)
     * @param usable whether this path can send to a server URI
     */
    public static Step afterFailure(String conference, String callId, RoutingKeys keys, String failedUri, int status,
                                    boolean heard, List<String> tried, Pins pins, Predicate<String> usable) {
        String answered = status == 0 ? "did not answer in time" : "answered " + status;
        if (!Failover.triesNextAfter(status)) {
            return new Keep(failedUri + " " + answered);
        }
        if ((status == 408 || status == 0) && heard) {
            return new Keep(failedUri + " timed out after a provisional response; pin kept");
        }
        Optional<Destination> next = pins.callFailed(conference, callId, failedUri, keys, Set.copyOf(tried));
        String uri = next.map(Destination::uri).orElse(null);
        if (uri == null || tried.contains(uri.toLowerCase(Locale.ROOT)) || !usable.test(uri)) {
            return new GiveUp(failedUri + " " + answered + ", no other server left");
        }
        List<String> now = new ArrayList<>(tried);
        now.add(uri.toLowerCase(Locale.ROOT));
        return new Next(uri, List.copyOf(now), failedUri + " " + answered + " -> next " + uri);
    }
}
