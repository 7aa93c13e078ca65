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
import gov.nist.javax.sip.stack.SipEdgeUdpMessageProcessor;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Locale;

/**
 * The stack's message processors, with two additions: when a connection closes, {@link ConnectionEvents} hears
 * of it at once; and UDP gets a bounded, compact receive queue ({@link SipEdgeUdpMessageProcessor}). JAIN SIP has no such event; RFC 5626 and RFC 7118 need it (a flow's bindings die with
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
            case "udp" -> new SipEdgeUdpMessageProcessor(address, stack, port, udpQueueLimit(stack));
            default -> plain.createMessageProcessor(stack, address, port, transport);
        };
    }

    /** Stack property: most datagrams waiting for a worker thread; more are dropped and counted. */
    public static final String UDP_QUEUE_LIMIT = "org.sipedge.UDP_QUEUE_LIMIT";

    private static int udpQueueLimit(SIPTransactionStack stack) {
        if (stack instanceof gov.nist.javax.sip.SipStackImpl impl) {
            return Integer.parseInt(impl.getConfigurationProperties().getProperty(UDP_QUEUE_LIMIT, "10000"));
        }
        return 10000;
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
