package org.sipedge.store.hazelcast;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.properties.ClusterProperty;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.sipedge.store.ClusterOptions;
import org.sipedge.store.shared.Backend;
import org.sipedge.store.shared.SharedStore;

/**
 * An embedded Hazelcast member. Peers come from {@code store.members} only (TCP/IP join): multicast, auto-detection
 * and phone-home are off, and the member binds to {@code store.bind-address} alone, so nothing is sent anywhere
 * but to the listed members. Backups are synchronous: a write returns once its backups hold it. A member that
 * joins a cluster returns from {@link #start} only when the cluster is safe (partitions migrated, backups in sync).
 */
public final class HazelcastStore extends SharedStore {
    /** Every map of ours lives under this prefix, configured with the backup count. */
    static final String PREFIX = "sipedge.";
    private static final System.Logger LOG = System.getLogger("org.sipedge.store");
    /** Hazelcast retries an operation at once this many times before pausing between retries. */
    private static final int FAST_RETRIES = 5;
    private static final long RETRY_PAUSE_MILLIS = 500;

    private final HazelcastInstance hz;
    /** Copies of each entry: the owner's and its backups'. */
    private final int copies;

    private HazelcastStore(HazelcastInstance hz, int copies, Clock clock, Duration sweepInterval) {
        super(clock, sweepInterval, "sipedge-store-sweeper-hazelcast");
        this.hz = hz;
        this.copies = copies;
    }

    /** Starts a member and joins the listed peers (those that are up). */
    public static HazelcastStore start(ClusterOptions options) {
        return start(options, Map.of(), Clock.systemUTC(), Duration.ofSeconds(1));
    }

    /**
     * Starts a member with extra Hazelcast properties (tests shorten join waits) and a given sweep interval.
     */
    public static HazelcastStore start(ClusterOptions options, Map<String, String> extraProperties, Clock clock,
                                       Duration sweepInterval) {
        org.sipedge.store.QuietLibraries.apply();
        Config config = config(options);
        extraProperties.forEach(config::setProperty);
        // our classes, not the thread's (the container's) loader, resolve anything Hazelcast deserializes
        config.setClassLoader(HazelcastStore.class.getClassLoader());
        long t0 = System.nanoTime();
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
        String self = ClusterOptions.text(new InetSocketAddress(options.bindAddress(), options.port()));
        hz.getCluster().addMembershipListener(new MembershipLog());
        awaitSafe(hz, self, options, t0);
        return new HazelcastStore(hz, options.backups() + 1, clock, sweepInterval);
    }

    /**
     * Waits (up to {@code store.ready-timeout}) until the cluster is safe: no partition migrating and every backup
     * in sync with its primary. Right after a member joins, the partitions move to it one by one (about 2 s for
     * two members on a 2-core box); until a partition has moved, its entries — old ones and those written
     * meanwhile — exist on one member only, and losing that member loses them. A node must not call itself ready
     * in that window.
     */
    private static void awaitSafe(HazelcastInstance hz, String self, ClusterOptions options, long t0) {
        int members = hz.getCluster().getMembers().size();
        if (members == 1) {
            LOG.log(System.Logger.Level.INFO, "store hazelcast: member " + self + " started alone (no listed member "
                    + "is up), failure-timeout " + options.failureTimeout().toSeconds() + " s, operation-timeout "
                    + options.operationTimeout().toSeconds() + " s");
            return;
        }
        long joined = System.nanoTime();
        long deadline = joined + options.readyTimeout().toNanos();
        while (!hz.getPartitionService().isClusterSafe()) {
            if (System.nanoTime() > deadline) {
                LOG.log(System.Logger.Level.WARNING, "store hazelcast: member " + self + " joined "
                        + hz.getCluster().getMembers().size() + " members, but partitions are still migrating after "
                        + options.readyTimeout().toSeconds() + " s (store.ready-timeout); starting anyway: until "
                        + "the migration ends, some entries have no copy on a second member");
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // pacing; the deadline bounds the wait
        }
        LOG.log(System.Logger.Level.INFO, "store hazelcast: member " + self + " joined "
                + hz.getCluster().getMembers().size() + " members in " + (joined - t0) / 1_000_000 + " ms; cluster "
                + "safe (partitions migrated, " + options.backups() + " backup(s) in sync) "
                + (System.nanoTime() - joined) / 1_000_000 + " ms later; failure-timeout "
                + options.failureTimeout().toSeconds() + " s, operation-timeout "
                + options.operationTimeout().toSeconds() + " s");
    }

    /** One line per membership change, for operators: who joined or left, and how many remain. */
    private static final class MembershipLog implements MembershipListener {
        @Override
        public void memberAdded(MembershipEvent event) {
            LOG.log(System.Logger.Level.INFO, "store hazelcast: member "
                    + ClusterOptions.text(event.getMember().getSocketAddress()) + " joined, "
                    + event.getMembers().size() + " members; partitions migrate to it now");
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            LOG.log(System.Logger.Level.WARNING, "store hazelcast: member "
                    + ClusterOptions.text(event.getMember().getSocketAddress()) + " left or was declared dead, "
                    + event.getMembers().size() + " members; its entries are served from their backups");
        }
    }

    static Config config(ClusterOptions options) {
        Config config = new Config();
        config.setClusterName(options.clusterName());
        config.setInstanceName("sipedge-" + options.port() + "-" + UUID.randomUUID());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.socket.client.bind.any", "false");
        config.setProperty("hazelcast.local.localAddress", options.bindAddress());
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.health.monitoring.level", "OFF");
        // failure detection for a LAN cluster: a heartbeat every second, dead after store.failure-timeout of silence
        // (Hazelcast's default is 60 s, during which every operation on the dead member's partitions waits)
        config.setProperty(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName(), "1");
        config.setProperty(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS.getName(),
                Long.toString(options.failureTimeout().toSeconds()));
        // an operation waits for a silent member at most store.operation-timeout (more than the failure timeout:
        // one aimed at a dead member is retried on the member that takes its partitions over); its retries, paused
        // 500 ms each after the first few, are bounded by the same time
        config.setProperty(ClusterProperty.OPERATION_CALL_TIMEOUT_MILLIS.getName(),
                Long.toString(options.operationTimeout().toMillis()));
        config.setProperty(ClusterProperty.INVOCATION_RETRY_PAUSE.getName(), Long.toString(RETRY_PAUSE_MILLIS));
        config.setProperty(ClusterProperty.INVOCATION_MAX_RETRY_COUNT.getName(),
                Long.toString(FAST_RETRIES + options.operationTimeout().toMillis() / RETRY_PAUSE_MILLIS));
        // a write waits this long for its synchronous backups' acknowledgements
        config.setProperty(ClusterProperty.OPERATION_BACKUP_TIMEOUT_MILLIS.getName(),
                Long.toString(options.failureTimeout().toMillis()));
        config.getJetConfig().setEnabled(false);
        config.getManagementCenterConfig().setScriptingEnabled(false);

        NetworkConfig network = config.getNetworkConfig();
        network.setPort(options.port()).setPortAutoIncrement(false).setPortCount(1);
        network.getInterfaces().setEnabled(true).setInterfaces(List.of(options.bindAddress()));
        network.getRestApiConfig().setEnabled(false);
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        List<String> members = new ArrayList<>();
        members.add(ClusterOptions.text(new InetSocketAddress(options.bindAddress(), options.port())));
        for (InetSocketAddress m : options.members()) {
            members.add(ClusterOptions.text(m));
        }
        join.getTcpIpConfig().setEnabled(true).setMembers(members).setConnectionTimeoutSeconds(2);

        MapConfig maps = new MapConfig(PREFIX + "*");
        // synchronous backups only: a write returns once every backup holds it, so a member that acknowledged a
        // write can die without losing it. A read is served from this member's own copy when it holds one (backup
        // or primary): a lookup does not wait for a frozen owner until failure detection, and it needs no network
        // round trip. Writes and conditional updates still go to the owner; a backup is updated before the owner
        // acknowledges a write, so a read after an acknowledged write sees it.
        maps.setBackupCount(options.backups()).setAsyncBackupCount(0).setReadBackupData(true);
        config.addMapConfig(maps);
        return config;
    }

    @Override
    protected Backend backend(String name) {
        return new MapBackend(hz.getMap(PREFIX + name), () -> hz.getCluster().getMembers().size() <= copies);
    }

    @Override
    protected java.util.Set<String> clusterMapNames() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (com.hazelcast.core.DistributedObject o : hz.getDistributedObjects()) {
            if (o instanceof IMap<?, ?> && o.getName().startsWith(PREFIX)) {
                names.add(o.getName().substring(PREFIX.length()));
            }
        }
        return names;
    }

    /**
     * Off: Hazelcast's conditional replace cannot set a time to live in the same step, and a separate one could
     * shorten a newer write's life. The sweeper is the only thing that removes entries here.
     */
    @Override
    protected boolean backendExpiry() {
        return false;
    }

    @Override
    public String kind() {
        return "hazelcast";
    }

    /** Members of the cluster as this member sees it, including itself. */
    @Override
    public int memberCount() {
        return hz.getCluster().getMembers().size();
    }

    @Override
    public void close() {
        stopSweeper();
        hz.shutdown();
    }

    /** Leaves without handing anything over, as a crash would; the others carry on from their backups. */
    public void terminate() {
        stopSweeper();
        hz.getLifecycleService().terminate();
    }

    /** Selects entries whose stamp is at or before a time (evaluated where the entries live). */
    static final class ExpiredBy implements com.hazelcast.query.Predicate<String, byte[]> {
        private static final long serialVersionUID = 1L;
        private final long nowMillis;

        ExpiredBy(long nowMillis) {
            this.nowMillis = nowMillis;
        }

        @Override
        public boolean apply(Map.Entry<String, byte[]> entry) {
            byte[] value = entry.getValue();
            return value != null && !org.sipedge.store.shared.Stamped.liveAt(value, nowMillis);
        }
    }

    /**
     * {@code everyEntryHere}: this member holds a copy of every entry (no more members than copies), so a read is
     * answered from this member's memory (read-backup-data) and never waits for another member.
     */
    private record MapBackend(IMap<String, byte[]> map, java.util.function.BooleanSupplier everyEntryHere)
            implements Backend {
        @Override
        public byte[] get(String key) {
            return map.get(key);
        }

        /**
         * Hazelcast's getAsync always asks the owner (read-backup-data applies to get only), so when this member
         * holds every entry the read is a local get: it must not wait for an owner that has just hung.
         */
        @Override
        public java.util.concurrent.CompletableFuture<byte[]> getAsync(String key) {
            if (everyEntryHere.getAsBoolean()) {
                return java.util.concurrent.CompletableFuture.completedFuture(map.get(key));
            }
            return map.getAsync(key).toCompletableFuture();
        }

        @Override
        public void put(String key, byte[] value, long backstopMillis) {
            map.set(key, value);
        }

        @Override
        public byte[] putIfAbsent(String key, byte[] value, long backstopMillis) {
            return map.putIfAbsent(key, value);
        }

        @Override
        public boolean replace(String key, byte[] expected, byte[] value, long backstopMillis) {
            return map.replace(key, expected, value); // compares the serialized bytes, i.e. the content
        }

        @Override
        public boolean remove(String key, byte[] expected) {
            return map.remove(key, expected);
        }

        @Override
        public byte[] remove(String key) {
            return map.remove(key);
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public void forEach(BiConsumer<String, byte[]> visitor) {
            for (Map.Entry<String, byte[]> e : map.entrySet()) {
                visitor.accept(e.getKey(), e.getValue());
            }
        }

        @Override
        public void forEachOwnedExpired(long nowMillis, BiConsumer<String, byte[]> visitor) {
            // the predicate runs over this member's partitions in place: only expired keys come back
            for (String key : map.localKeySet(new ExpiredBy(nowMillis))) {
                byte[] value = map.get(key);
                if (value != null) {
                    visitor.accept(key, value);
                }
            }
        }
    }
}
