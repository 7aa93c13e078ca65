package org.sipedge.store;

/**
 * Shared state with expiry, the one seam between SIP Edge's logic and where its state lives (this node's memory
 * now; a Hazelcast or Infinispan cluster later). Implementations must be thread-safe.
 */
public interface ClusterStore extends AutoCloseable {

    /** The named map, created on first use. The same name always returns the same map. */
    <V> ExpiringMap<V> map(String name);

    /** Which implementation this is ("memory", ...), for the start-up line and metrics. */
    String kind();

    /** Members of the cluster as this member sees it, including itself (1 for a store of one node). */
    default int memberCount() {
        return 1;
    }

    @Override
    void close();
}
