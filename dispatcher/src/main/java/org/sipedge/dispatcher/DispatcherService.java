package org.sipedge.dispatcher;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.sipedge.config.Settings;
import org.sipedge.dispatcher.probe.OptionsProber;
import org.sipedge.dispatcher.probe.OptionsSender;

/**
 * The dispatcher's timers: a probe round every {@code dispatcher.probe-interval} and a look at the list file every
 * {@code dispatcher.reload-interval}, on one daemon thread. The servlet layer supplies how an OPTIONS is sent.
 */
public final class DispatcherService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.sipedge.dispatcher");

    private final Dispatcher dispatcher;
    private final ScheduledExecutorService timer;

    public DispatcherService(Dispatcher dispatcher, OptionsSender sender, Settings settings) {
        this(dispatcher, sender, settings.getInt(DispatcherParam.PROBE_INTERVAL),
                Duration.ofMillis(settings.getInt(DispatcherParam.PROBE_TIMEOUT)),
                settings.getInt(DispatcherParam.RELOAD_INTERVAL));
    }

    public DispatcherService(Dispatcher dispatcher, OptionsSender sender, int probeIntervalSeconds,
                             Duration probeTimeout, int reloadIntervalSeconds) {
        this.dispatcher = dispatcher;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sipedge-dispatcher");
            t.setDaemon(true);
            return t;
        });
        if (probeIntervalSeconds > 0) {
            OptionsProber prober = new OptionsProber(dispatcher, sender, probeTimeout);
            timer.scheduleWithFixedDelay(() -> guarded("probe round", prober::round), probeIntervalSeconds,
                    probeIntervalSeconds, TimeUnit.SECONDS);
        }
        if (reloadIntervalSeconds > 0) {
            timer.scheduleWithFixedDelay(() -> guarded("list file check", dispatcher::reloadIfChanged),
                    reloadIntervalSeconds, reloadIntervalSeconds, TimeUnit.SECONDS);
        }
        timer.scheduleWithFixedDelay(() -> guarded("call expiry", dispatcher.calls()::expire), 60, 60,
                TimeUnit.SECONDS);
    }

    private static void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warning("dispatcher: " + what + " failed: " + e);
        }
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
