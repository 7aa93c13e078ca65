package org.sipedge.container;

import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsWebSocketMessageChannel;
import gov.nist.javax.sip.stack.NioWebSocketMessageChannel;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.SipEdgeStreamParser;
import gov.nist.javax.sip.stack.SipEdgeStreams;
import gov.nist.javax.sip.stack.SipEdgeUdpMessageProcessor;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.Locale;

/**
 * The stack's message processors, with five additions: every connection frames its messages with
 * {@link SipEdgeStreamParser} (compact Content-Length, 400 for what does not parse); when a connection closes,
 * {@link ConnectionEvents} hears of it at once; UDP gets a bounded, compact receive queue
 * ({@link SipEdgeUdpMessageProcessor}); WebSocket connections give browsers their own Via sent-by back in
 * responses ({@link BrowserSentBy}); and a browser's Contact on a secure WebSocket says {@code transport=wss}, so
 * requests to it find its connection ({@link SecureWebSocketContact}). JAIN SIP has no close event; RFC 5626 and
 * RFC 7118 need it (a flow's bindings die with their connection). Set as
 * {@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}.
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
            case "udp" -> new SipEdgeUdpMessageProcessor(address, stack, port, udpQueueLimit(stack),
                    udpDirectReceive(stack));
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

    /** Stack property: whether the worker threads receive UDP themselves (default true). */
    public static final String UDP_DIRECT_RECEIVE = "org.sipedge.UDP_DIRECT_RECEIVE";

    private static boolean udpDirectReceive(SIPTransactionStack stack) {
        if (stack instanceof gov.nist.javax.sip.SipStackImpl impl) {
            return !"false".equalsIgnoreCase(impl.getConfigurationProperties().getProperty(UDP_DIRECT_RECEIVE, "true"));
        }
        return true;
    }

    private static void report(ConnectionOrientedMessageChannel channel) {
        if (channel != null && channel.getPeerAddress() != null) {
            ConnectionEvents.closed(channel.getTransport(), channel.getPeerAddress(), channel.getPeerPort());
        }
    }

    static final class Tcp extends SipEdgeStreams.TcpProcessor {
        Tcp(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        protected synchronized void remove(ConnectionOrientedMessageChannel channel) {
            super.remove(channel);
            report(channel);
        }
    }

    static final class Tls extends SipEdgeStreams.TlsProcessor {
        Tls(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        protected synchronized void remove(ConnectionOrientedMessageChannel channel) {
            super.remove(channel);
            report(channel);
        }
    }

    /**
     * The stock processors' channel factory does the same: one channel per socket, registered in the stack's
     * socket-to-channel map (the NIO handler finds the channel of a readable socket there).
     */
    private static NioTcpMessageChannel register(SocketChannel socket, NioTcpMessageChannel created) {
        synchronized (NioTcpMessageChannel.class) {
            NioTcpMessageChannel existing = NioTcpMessageChannel.getMessageChannel(socket);
            if (existing != null) {
                return existing;
            }
            SipEdgeStreamParser.install(created, true);
            NioTcpMessageChannel.putMessageChannel(socket, created);
            return created;
        }
    }

    static final class Ws extends SipEdgeStreams.WsProcessor {
        Ws(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel socket)
                throws IOException {
            NioTcpMessageChannel existing = NioTcpMessageChannel.getMessageChannel(socket);
            return existing != null ? existing : register(socket, new WsChannel(sipStack, processor, socket));
        }

        @Override
        protected synchronized void remove(ConnectionOrientedMessageChannel channel) {
            super.remove(channel);
            report(channel);
        }
    }

    static final class Wss extends SipEdgeStreams.WssProcessor {
        Wss(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel socket)
                throws IOException {
            NioTcpMessageChannel existing = NioTcpMessageChannel.getMessageChannel(socket);
            return existing != null ? existing : register(socket, new WssChannel(sipStack, processor, socket));
        }

        @Override
        protected synchronized void remove(ConnectionOrientedMessageChannel channel) {
            super.remove(channel);
            report(channel);
        }
    }

    /** A WebSocket connection accepted from a browser: restores its Via sent-by in the responses it gets. */
    static final class WsChannel extends NioWebSocketMessageChannel {
        private final BrowserSentBy sentBy = new BrowserSentBy();

        WsChannel(SIPTransactionStack stack, NioTcpMessageProcessor processor, SocketChannel socket)
                throws IOException {
            super(stack, processor, socket);
        }

        @Override
        public void processMessage(SIPMessage message) throws Exception {
            sentBy.received(message);
            super.processMessage(message);
        }

        @Override
        public void sendMessage(SIPMessage message) throws IOException {
            sentBy.sending(message, getPeerAddress(), getPeerPort());
            super.sendMessage(message);
        }

        @Override
        public void sendMessage(SIPMessage message, InetAddress address, int port) throws IOException {
            sentBy.sending(message, getPeerAddress(), getPeerPort());
            super.sendMessage(message, address, port);
        }
    }

    /** The same over TLS; the browser's Contact is marked {@code transport=wss} ({@link SecureWebSocketContact}). */
    static final class WssChannel extends NioTlsWebSocketMessageChannel {
        private final BrowserSentBy sentBy = new BrowserSentBy();

        WssChannel(SIPTransactionStack stack, NioTcpMessageProcessor processor, SocketChannel socket)
                throws IOException {
            super(stack, processor, socket);
        }

        @Override
        public void processMessage(SIPMessage message) throws Exception {
            sentBy.received(message);
            if (getSIPStack().isPatchWebSocketHeaders()) {
                SecureWebSocketContact.mark(message);
            }
            super.processMessage(message);
        }

        @Override
        public void sendMessage(SIPMessage message) throws IOException {
            sentBy.sending(message, getPeerAddress(), getPeerPort());
            super.sendMessage(message);
        }

        @Override
        public void sendMessage(SIPMessage message, InetAddress address, int port) throws IOException {
            sentBy.sending(message, getPeerAddress(), getPeerPort());
            super.sendMessage(message, address, port);
        }
    }
}
