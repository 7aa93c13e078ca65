package org.sipedge.container;

/** JMX view of {@link OverloadGuardValve}: {@code org.sipedge:type=OverloadGuard}. */
public interface OverloadGuardValveMBean {
    long getRejected();

    /** New calls refused because they waited too long in the UDP receive queue (included in {@link #getRejected}). */
    long getQueueWaitRejected();

    long getSendFailures();

    int getOpenServerTransactions();

    /** Messages the SIP parser or a stream's framing rejected (answered 400 where a Via allowed it). */
    long getMalformedMessages();

    /** Responses dropped because their top Via is not this node (RFC 3261 16.11). */
    long getStrayResponses();

    /** Requests answered 420 (Proxy-Require) or 481 (a dialog's request without Route) by the protocol rules. */
    long getRefusedByRule();

    /** Connections closed because their framing was lost (bad Content-Length, oversized message). */
    long getStreamFramingErrors();

    /** Datagrams dropped because the UDP receive queue was full. */
    long getUdpQueueDrops();
    /** Requests refused (503 or dropped) because their source was over sip.pike-limit or banned. */
    long getPikeRefused();
    /** Sources banned by sip.pike-limit since start (one log line each). */
    long getPikeBans();
}
