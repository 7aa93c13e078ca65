package org.sipedge.store.infinispan;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.commons.api.CacheContainerAdmin;
import org.infinispan.commons.util.CloseableIterator;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.Configuration;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.context.Flag;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.distribution.LocalizedCacheTopology;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.infinispan.remoting.transport.Address;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.infinispan.topology.CacheTopology;
import org.sipedge.store.ClusterOptions;
import org.sipedge.store.shared.Backend;
import org.sipedge.store.shared.SharedStore;

/**
 * An embedded Infinispan member: synchronous distributed caches ({@code store.backups} + 1 owners per entry) over a
 * JGroups TCP stack whose peers come from {@code store.members} only (TCPPING; no multicast, no diagnostics
 * socket), bound to {@code store.bind-address}. A member that joins a cluster returns from {@link #start} only when
 * every cache of the cluster runs here in a stable topology (state transferred, no rebalance running).
 */
public final class InfinispanStore extends SharedStore {
    static final String PREFIX = "sipedge.";
    private static final System.Logger LOG = System.getLogger("org.sipedge.store");

    private final DefaultCacheManager manager;
    private final Configuration cacheConfig;

    private InfinispanStore(DefaultCacheManager manager, Configuration cacheConfig, Clock clock,
                            Duration sweepInterval) {
        super(clock, sweepInterval, "sipedge-store-sweeper-infinispan");
        this.manager = manager;
        this.cacheConfig = cacheConfig;
    }

    public static InfinispanStore start(ClusterOptions options) {
        return start(options, Clock.systemUTC(), Duration.ofSeconds(1));
    }

    public static InfinispanStore start(ClusterOptions options, Clock clock, Duration sweepInterval) {
        org.sipedge.store.QuietLibraries.apply();
        GlobalConfigurationBuilder global = GlobalConfigurationBuilder.defaultClusteredBuilder();
        global.classLoader(InfinispanStore.class.getClassLoader());
        global.transport().clusterName(options.clusterName())
                .nodeName("sipedge-" + options.bindAddress() + "-" + options.port())
                .addProperty(JGroupsTransport.CONFIGURATION_STRING, jgroupsStack(options));
        global.jmx().enabled(false);
        global.metrics().gauges(false).histograms(false);
        global.cacheContainer().statistics(false);
        long t0 = System.nanoTime();
        DefaultCacheManager manager = new DefaultCacheManager(global.build(), true);
        manager.addListener(new MembershipLog());
        InfinispanStore store = new InfinispanStore(manager, cacheConfiguration(options), clock, sweepInterval);
        store.awaitStable(options, t0);
        return store;
    }

    /**
     * Waits (up to {@code store.ready-timeout}) until every cache that exists in the cluster runs on this member in a
     * stable topology: this member is among its owners and no rebalance is running. Until then some entries live
     * on the old members only, and losing one of them loses those entries. A node must not call itself ready in
     * that window.
     */
    private void awaitStable(ClusterOptions options, long t0) {
        String self = ClusterOptions.text(new InetSocketAddress(options.bindAddress(), options.port()));
        int members = memberCount();
        if (members == 1) {
            LOG.log(System.Logger.Level.INFO, "store infinispan: member " + self + " started alone (no listed member "
                    + "is up), failure-timeout " + options.failureTimeout().toSeconds() + " s, operation-timeout "
                    + options.operationTimeout().toSeconds() + " s");
            return;
        }
        long joined = System.nanoTime();
        long deadline = joined + options.readyTimeout().toNanos();
        Set<String> names = clusterMapNames();
        for (String name : names) {
            map(name); // starts the cache here if the manager did not already (waits for its initial state)
        }
        List<String> unstable = unstableCaches(names);
        while (!unstable.isEmpty()) {
            if (System.nanoTime() > deadline) {
                LOG.log(System.Logger.Level.WARNING, "store infinispan: member " + self + " joined " + memberCount()
                        + " members, but caches " + unstable + " are still rebalancing after "
                        + options.readyTimeout().toSeconds() + " s (store.ready-timeout); starting anyway: until "
                        + "the rebalance ends, some entries have no copy on this member");
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // pacing; the deadline bounds the wait
            unstable = unstableCaches(names);
        }
        LOG.log(System.Logger.Level.INFO, "store infinispan: member " + self + " joined " + memberCount()
                + " members in " + (joined - t0) / 1_000_000 + " ms; " + names.size() + " cache(s) stable ("
                + (options.backups() + 1) + " owners per entry) " + (System.nanoTime() - joined) / 1_000_000
                + " ms later; failure-timeout " + options.failureTimeout().toSeconds() + " s, operation-timeout "
                + options.operationTimeout().toSeconds() + " s");
    }

    /** Caches (of {@code names}) whose topology is not yet stable over every current member. */
    private List<String> unstableCaches(Set<String> names) {
        List<Address> clusterMembers = manager.getMembers();
        List<String> unstable = new ArrayList<>();
        for (String name : names) {
            DistributionManager dm = manager.getCache(PREFIX + name).getAdvancedCache().getDistributionManager();
            LocalizedCacheTopology t = dm.getCacheTopology();
            boolean stable = dm.isJoinComplete() && t.getPhase() == CacheTopology.Phase.NO_REBALANCE
                    && t.getPendingCH() == null
                    && new HashSet<>(t.getCurrentCH().getMembers()).containsAll(clusterMembers);
            if (!stable) {
                unstable.add(name);
            }
        }
        return unstable;
    }

    /** One line per view change, for operators: who joined or left, and how many remain. */
    @Listener
    public static final class MembershipLog {
        @ViewChanged
        public void viewChanged(ViewChangedEvent event) {
            Set<Address> joined = new HashSet<>(event.getNewMembers());
            event.getOldMembers().forEach(joined::remove);
            Set<Address> left = new HashSet<>(event.getOldMembers());
            event.getNewMembers().forEach(left::remove);
            int members = event.getNewMembers().size();
            for (Address a : joined) {
                LOG.log(System.Logger.Level.INFO, "store infinispan: member " + a + " joined, " + members
                        + " members; caches rebalance onto it now");
            }
            for (Address a : left) {
                LOG.log(System.Logger.Level.WARNING, "store infinispan: member " + a + " left or was declared dead, "
                        + members + " members; its entries are served from the other owners");
            }
        }
    }

    /** Every cache of ours: distributed, synchronous, {@code store.backups} + 1 owners, bounded waits. */
    static Configuration cacheConfiguration(ClusterOptions options) {
        ConfigurationBuilder cache = new ConfigurationBuilder();
        // synchronous: a write returns once every owner holds it
        cache.clustering().cacheMode(CacheMode.DIST_SYNC).hash().numOwners(options.backups() + 1);
        // a remote call or a lock waits at most store.operation-timeout (Infinispan's defaults: 15 s and 10 s)
        cache.clustering().remoteTimeout(options.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
        cache.locking().lockAcquisitionTimeout(options.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
        cache.statistics().enabled(false);
        return cache.build();
    }

    /** How long a suspected member gets to answer before it is declared dead (part of the failure timeout). */
    private static final long VERIFY_SUSPECT_MILLIS = 500;

    /**
     * JGroups over TCP with a fixed peer list: the only sockets are the member port and its peers. Failure
     * detection: a heartbeat every second; a member silent for the failure timeout (minus a 500 ms check that
     * it really does not answer) is suspected and removed from the view.
     */
    static String jgroupsStack(ClusterOptions options) {
        String self = jgroupsAddress(new InetSocketAddress(options.bindAddress(), options.port()));
        String peers = options.members().stream().map(InfinispanStore::jgroupsAddress)
                .collect(Collectors.joining(","));
        String hosts = peers.isEmpty() ? self : self + "," + peers;
        return """
                <config xmlns="urn:org:jgroups">
                  <TCP bind_addr="%s" bind_port="%d" port_range="0" diag.enabled="false"
                       thread_pool.min_threads="0" thread_pool.max_threads="32"/>
                  <TCPPING initial_hosts="%s" port_range="0" return_entire_cache="true"/>
                  <MERGE3 min_interval="2000" max_interval="5000"/>
                  <FD_ALL3 timeout="%d" interval="1000"/>
                  <VERIFY_SUSPECT2 timeout="%d"/>
                  <pbcast.NAKACK2 use_mcast_xmit="false"/>
                  <UNICAST3/>
                  <pbcast.STABLE desired_avg_gossip="5000" max_bytes="1M"/>
                  <pbcast.GMS print_local_addr="false" join_timeout="1000"/>
                  <UFC max_credits="2M"/>
                  <MFC max_credits="2M"/>
                  <FRAG4 frag_size="60000"/>
                </config>
                """.formatted(options.bindAddress(), options.port(), hosts,
                options.failureTimeout().toMillis() - VERIFY_SUSPECT_MILLIS, VERIFY_SUSPECT_MILLIS);
    }

    private static String jgroupsAddress(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + "[" + a.getPort() + "]";
    }

    @Override
    protected Backend backend(String name) {
        Cache<String, String> cache = manager.administration()
                .withFlags(CacheContainerAdmin.AdminFlag.VOLATILE).getOrCreateCache(PREFIX + name, cacheConfig);
        return new CacheBackend(cache.getAdvancedCache());
    }

    @Override
    protected java.util.Set<String> clusterMapNames() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String n : manager.getCacheNames()) {
            if (n.startsWith(PREFIX)) {
                names.add(n.substring(PREFIX.length()));
            }
        }
        return names;
    }

    /** On: Infinispan's putIfAbsent and replace take a lifespan in the same step. */
    @Override
    protected boolean backendExpiry() {
        return true;
    }

    @Override
    public String kind() {
        return "infinispan";
    }

    /** Members of the cluster as this member sees it, including itself. */
    @Override
    public int memberCount() {
        return manager.getMembers() == null ? 1 : manager.getMembers().size();
    }

    @Override
    public void close() {
        stopSweeper();
        manager.stop();
    }

    /**
     * Drops out of the cluster at the network level first (the others see it vanish and rebuild from their own
     * copies), then stops; the nearest a single JVM gets to a crash.
     */
    public void terminate() {
        stopSweeper();
        try {
            JGroupsTransport transport = (JGroupsTransport) org.infinispan.factories.GlobalComponentRegistry.of(manager)
                    .getComponent(org.infinispan.remoting.transport.Transport.class);
            transport.getChannel().close();
        } finally {
            manager.stop();
        }
    }

    /**
     * Values travel as ISO-8859-1 strings: a lossless one-char-per-byte mapping, so Infinispan's value equality
     * (used by conditional operations) compares content, and no custom marshaller is needed.
     */
    private record CacheBackend(AdvancedCache<String, String> cache) implements Backend {
        private static String text(byte[] b) {
            return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
        }

        private static byte[] bytes(String s) {
            return s == null ? null : s.getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public byte[] get(String key) {
            return bytes(cache.get(key));
        }

        @Override
        public java.util.concurrent.CompletableFuture<byte[]> getAsync(String key) {
            return cache.getAsync(key).thenApply(CacheBackend::bytes);
        }

        @Override
        public void put(String key, byte[] value, long backstopMillis) {
            cache.withFlags(Flag.IGNORE_RETURN_VALUES).put(key, text(value), backstopMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public byte[] putIfAbsent(String key, byte[] value, long backstopMillis) {
            return bytes(cache.putIfAbsent(key, text(value), backstopMillis, TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean replace(String key, byte[] expected, byte[] value, long backstopMillis) {
            return cache.replace(key, text(expected), text(value), backstopMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public boolean remove(String key, byte[] expected) {
            return cache.remove(key, text(expected));
        }

        @Override
        public byte[] remove(String key) {
            return bytes(cache.remove(key));
        }

        @Override
        public int size() {
            return cache.size();
        }

        @Override
        public void forEach(BiConsumer<String, byte[]> visitor) {
            try (CloseableIterator<Map.Entry<String, String>> it = cache.entrySet().iterator()) {
                while (it.hasNext()) {
                    Map.Entry<String, String> e = it.next();
                    visitor.accept(e.getKey(), bytes(e.getValue()));
                }
            }
        }

        @Override
        public void forEachOwnedExpired(long nowMillis, BiConsumer<String, byte[]> visitor) {
            LocalizedCacheTopology topology = cache.getDistributionManager().getCacheTopology();
            try (CloseableIterator<Map.Entry<String, String>> it =
                         cache.withFlags(Flag.CACHE_MODE_LOCAL).entrySet().iterator()) {
                while (it.hasNext()) {
                    Map.Entry<String, String> e = it.next();
                    if (topology.getDistribution(e.getKey()).isPrimary()) {
                        // a local walk of this member's data container: no remote call per entry
                        visitor.accept(e.getKey(), bytes(e.getValue()));
                    }
                }
            }
        }
    }
}
