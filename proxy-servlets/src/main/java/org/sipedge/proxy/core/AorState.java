package org.sipedge.proxy.core;

import java.util.List;
import org.sipedge.registrar.Binding;

/**
 * What the proxy knows about an address-of-record when a request arrives.
 *
 * @param known      the user registered within {@code proxy.known-user-ttl} (or has live bindings now)
 * @param live       its live bindings, most preferred first
 * @param push       push parameters remembered for its devices
 */
public record AorState(boolean known, List<Binding> live, List<PushContact> push) {
    public AorState {
        live = List.copyOf(live);
        push = List.copyOf(push);
    }
}
