package org.sipedge.dispatcher.core;

import java.util.List;

/** The destinations of one set id, in file order. */
public record DestinationSet(int id, List<Destination> destinations) {
    public DestinationSet {
        destinations = List.copyOf(destinations);
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("set " + id + " has no destination");
        }
    }
}
