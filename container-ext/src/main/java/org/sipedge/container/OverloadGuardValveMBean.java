package org.sipedge.container;

/** JMX view of {@link OverloadGuardValve}: {@code org.sipedge:type=OverloadGuard}. */
public interface OverloadGuardValveMBean {
    long getRejected();

    long getSendFailures();

    int getOpenServerTransactions();
}
