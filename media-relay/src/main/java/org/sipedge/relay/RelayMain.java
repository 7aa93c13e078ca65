package org.sipedge.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Param;
import org.sipedge.config.Settings;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.StoreParam;
import org.sipedge.store.Stores;

/**
 * {@code ./sipedge relay [--config FILE] [-Dkey=value ...]}: the media relay alone, ng on UDP (rtpengine's
 * protocol: SIP Edge nodes, Kamailio and OpenSIPS point at it), joining the cluster store when one is configured.
 * Prints one ready line and one stopped line; a bad key or value stops start-up naming the key and its source.
 */
public final class RelayMain {
    private RelayMain() {
    }

    /**
     * Netty's buffer leak detection off unless {@code -Dio.netty.leakDetection.level} says otherwise: it records a
     * stack trace for one buffer in 128, thousands a second on the media path (about 3 % of the relay's CPU at
     * 40,000 packets/s). A debugging aid; the tests keep it on. Call before any Netty buffer class loads.
     */
    public static void productionNetty() {
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
    }

    /** The keys a standalone relay reads: its own and the cluster store's. */
    public static List<Param> params() {
        List<Param> all = new ArrayList<>(List.of(RelayParam.values()));
        all.addAll(List.of(StoreParam.values()));
        return all;
    }

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        productionNetty();
        RelayConfig config;
        Settings settings;
        try {
            Settings.applyCommandLine(args, "relay");
            settings = Settings.load(params(), "built-in defaults", k -> null, List.of(), System.getProperties());
            Stores.validate(settings);
            config = RelayConfig.from(settings, true, RelayConfig.STANDALONE_INTERFACE);
        } catch (ConfigException e) {
            System.err.println("sipedge relay: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        ClusterStore store = null;
        MediaRelay relay;
        try {
            store = Stores.open(settings);
            relay = MediaRelay.start(config, store);
        } catch (RuntimeException e) {
            if (store != null) {
                store.close();
            }
            System.err.println("sipedge relay: not started: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ClusterStore finalStore = store;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long s0 = System.nanoTime();
            int calls = relay.calls();
            long forwarded = relay.forwardedPackets();
            long dropped = relay.droppedPackets();
            relay.close();
            finalStore.close();
            System.out.println("sipedge relay stopped in " + (System.nanoTime() - s0) / 1_000_000 + " ms; calls="
                    + calls + ", relayed=" + forwarded + ", dropped=" + dropped);
            System.out.flush();
            stopped.countDown();
        }, "sipedge-relay-shutdown"));
        System.out.println("sipedge relay ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms: "
                + relay.describe() + " (store=" + settings.get(StoreParam.KIND) + ", java=" + Runtime.version().feature()
                + ", pid=" + ProcessHandle.current().pid() + ")");
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
