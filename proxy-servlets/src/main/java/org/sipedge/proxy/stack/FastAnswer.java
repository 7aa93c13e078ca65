package org.sipedge.proxy.stack;

import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import java.net.InetAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a stateless answer to a request goes: its datagram's source (RFC 3581), taken while the request's message
 * channel still describes it (a channel moves on to the next datagram), so the answer can be sent later from any
 * thread. A 503 carries Retry-After.
 */
final class FastAnswer {
    private final FastSelf self;
    private final LongAdder dropped;
    private final MessageProcessor listener;
    private final InetAddress to;
    private final int port;

    private FastAnswer(FastSelf self, LongAdder dropped, MessageProcessor listener, InetAddress to, int port) {
        this.self = self;
        this.dropped = dropped;
        this.listener = listener;
        this.to = to;
        this.port = port;
    }

    static FastAnswer to(MessageChannel channel, FastSelf self, LongAdder dropped) {
        InetAddress source = channel.getPeerPacketSourceAddress();
        return source != null
                ? new FastAnswer(self, dropped, channel.getMessageProcessor(), source, channel.getPeerPacketSourcePort())
                : new FastAnswer(self, dropped, channel.getMessageProcessor(), peer(channel), channel.getPeerPort());
    }

    private static InetAddress peer(MessageChannel channel) {
        try {
            return InetAddress.getByName(channel.getPeerAddress()); // an IP literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    void send(SIPRequest req, int status, String reason) {
        try {
            SIPResponse r = req.createResponse(status, reason);
            if (status == 503) {
                RetryAfter ra = new RetryAfter();
                ra.setRetryAfter(5);
                r.setHeader(ra);
            }
            self.send(r, listener, to, port);
        } catch (Exception e) {
            dropped.increment();
        }
    }

    /** The source address of the request's datagram, for the engine's received-from. */
    static String sourceIp(MessageChannel channel) {
        if (channel == null) {
            return null;
        }
        InetAddress a = channel.getPeerPacketSourceAddress();
        return a != null ? a.getHostAddress() : null;
    }
}
