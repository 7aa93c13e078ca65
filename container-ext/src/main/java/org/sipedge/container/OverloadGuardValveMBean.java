package org.sipedge.container;

/** JMX view of {@link OverloadGuardValve}: {@code org.sipedge:type=OverloadGuard}. */
public interface OverloadGuardValveMBean {
    long getRejected();

    /** New calls refused because they waited too long in the UDP receive queue (included in {@link #getRejected}). */
    long getQueueWaitRejected();

    long getSendFailures();

    int getOpenServerTransactions();

    /** Messages the SIP parser rejected (answered 400 over UDP, dropped over connections). */
    long getMalformedMessages();

    /** Datagrams dropped because the UDP receive queue was full. */
    long getUdpQueueDrops();
}
