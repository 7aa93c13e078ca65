package org.sipedge.proxy.stack;

import gov.nist.javax.sip.message.SIPRequest;
import java.net.InetAddress;
import java.util.List;
import org.sipedge.dispatcher.core.RoutingKeys;

/** One INVITE of a conference on its way to one server: what failing over from it needs ({@link FastConferences}). */
final class FastConferenceAttempt {
    final String conference;
    final String callId;
    final RoutingKeys keys;
    final String incomingBranch;
    final String serverUri;
    final List<String> tried;
    /** The INVITE as forwarded, without our Via. */
    final SIPRequest forwarded;
    final InetAddress host;
    final int port;
    final String ourBranch;
    final int number;
    final long sentNanos;
    /** The server has answered (a provisional response): it is alive, and its silence no longer counts. */
    volatile boolean heard;
    /** Datagrams this node had dropped when the attempt was sent (see {@link FastConferences}). */
    final long dropsAtSend;

    FastConferenceAttempt(String conference, RoutingKeys keys, String incomingBranch, String serverUri,
                          List<String> tried, SIPRequest forwarded, InetAddress host, int port, String ourBranch,
                          int number, long sentNanos, long dropsAtSend) {
        this.conference = conference;
        this.callId = keys.callId();
        this.keys = keys;
        this.incomingBranch = incomingBranch;
        this.serverUri = serverUri;
        this.tried = tried;
        this.forwarded = forwarded;
        this.host = host;
        this.port = port;
        this.ourBranch = ourBranch;
        this.number = number;
        this.sentNanos = sentNanos;
        this.dropsAtSend = dropsAtSend;
    }
}
