package org.sipedge.relay.core;

import java.util.List;

/**
 * What the command layer needs from the configuration.
 *
 * @param interfaces         media interfaces, the first is the default
 * @param learning           {@code relay.endpoint-learning}
 * @param maxCalls           calls at most (0 = no limit but the ports)
 * @param deleteDelaySeconds {@code relay.delete-delay}: how long a deleted call keeps relaying unless the delete
 *                           says otherwise
 */
public record RelaySettings(List<RelayInterface> interfaces, Learning learning, int maxCalls, int deleteDelaySeconds) {
    public RelaySettings {
        if (interfaces.isEmpty()) {
            throw new IllegalArgumentException("at least one interface");
        }
        interfaces = List.copyOf(interfaces);
    }

    /** The interface named {@code name}, or null. */
    RelayInterface iface(String name) {
        for (RelayInterface i : interfaces) {
            if (i.name().equals(name)) {
                return i;
            }
        }
        return null;
    }
}
