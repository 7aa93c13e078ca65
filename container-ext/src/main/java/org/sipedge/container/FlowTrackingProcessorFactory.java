package org.sipedge.container;

import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsWebSocketMessageProcessor;
import gov.nist.javax.sip.stack.NioWebSocketMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Locale;

/**
 * The stack's NIO message processors, with one addition: when a connection closes, {@link ConnectionEvents}
 * hears of it at once. JAIN SIP has no such event; RFC 5626 and RFC 7118 need it (a flow's bindings die with
 * their connection). Set as {@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}.
 */
public final class FlowTrackingProcessorFactory implements MessageProcessorFactory {
    private final NioMessageProcessorFactory plain = new NioMessageProcessorFactory();

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
                                                   String transport) throws IOException {
        return switch (transport.toLowerCase(Locale.ROOT)) {
            case "tcp" -> new Tcp(address, stack, port);
            case "tls" -> new Tls(address, stack, port);
            case "ws" -> new Ws(address, stack, port);
            case "wss" -> new Wss(address, stack, port);
            default -> plain.createMessageProcessor(stack, address, port, transport);
        };
    }

    private static void report(ConnectionOrientedMessageChannel channel) {
        if (channel != null && channel.getPeerAddress() != null) {
            ConnectionEvents.closed(channel.getTransport(), channel.getPeerAddress(), channel.getPeerPort());
        }
    }

    static final class Tcp extends NioTcpMessageProcessor {
        Tcp(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        protected synchronized void remove(ConnectionOrientedMessageChannel channel) {
            super.remove(channel);
            report(channel);
        }
    }

    static final class Tls extends NioTlsMessageProcessor {
        Tls(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        protected synchronized void remove(ConnectionOrientedMessageChannel channel) {
            super.remove(channel);
            report(channel);
        }
    }

    static final class Ws extends NioWebSocketMessageProcessor {
        Ws(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        protected synchronized void remove(ConnectionOrientedMessageChannel channel) {
            super.remove(channel);
            report(channel);
        }
    }

    static final class Wss extends NioTlsWebSocketMessageProcessor {
        Wss(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        protected synchronized void remove(ConnectionOrientedMessageChannel channel) {
            super.remove(channel);
            report(channel);
        }
    }
}
