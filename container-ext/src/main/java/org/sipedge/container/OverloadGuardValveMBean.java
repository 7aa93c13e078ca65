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
    /** Requests refused (503 or dropped) because their source was over sip.pike-limit or banned. */
    long getPikeRefused();
    /** Sources banned by sip.pike-limit since start (one log line each). */
    long getPikeBans();
}
