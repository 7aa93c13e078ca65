package org.sipedge.container;

import com.codahale.metrics.MetricFilter;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleListener;
import org.restcomm.commons.statistics.reporter.RestcommStatsReporter;

/**
 * Keeps the container from phoning home. Mobicents' statistics reporter POSTs counters to an outside host on
 * every shutdown, even with {@code gatherStatistics=false}; emptying its metric registry after init and before
 * stop leaves it nothing to send. Declared as a {@code <Listener>} on the {@code <Server>}.
 */
public final class StatsGuard implements LifecycleListener {
    @Override
    public void lifecycleEvent(LifecycleEvent event) {
        String type = event.getType();
        if (Lifecycle.AFTER_INIT_EVENT.equals(type) || Lifecycle.BEFORE_START_EVENT.equals(type)
                || Lifecycle.BEFORE_STOP_EVENT.equals(type)) {
            RestcommStatsReporter.getMetricRegistry().removeMatching(MetricFilter.ALL);
        }
    }
}
