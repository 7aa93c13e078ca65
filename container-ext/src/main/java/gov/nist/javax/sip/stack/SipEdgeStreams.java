package gov.nist.javax.sip.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;

/**
 * The stack's connection-oriented processors with {@link SipEdgeStreamParser} on every connection, accepted
 * ({@code createMessageChannel}) or opened ({@code constructMessageChannel}, package-level in JAIN SIP, hence this
 * class in its package).
 */
public final class SipEdgeStreams {
    private SipEdgeStreams() {
    }

    private static ConnectionOrientedMessageChannel framed(ConnectionOrientedMessageChannel c, boolean webSocket) {
        if (c instanceof NioTcpMessageChannel nio) {
            SipEdgeStreamParser.install(nio, webSocket);
        }
        return c;
    }

    /** TCP. */
    public static class TcpProcessor extends NioTcpMessageProcessor {
        public TcpProcessor(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        ConnectionOrientedMessageChannel constructMessageChannel(InetAddress host, int port) throws IOException {
            return framed(super.constructMessageChannel(host, port), false);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor p, SocketChannel s)
                throws IOException {
            return (NioTcpMessageChannel) framed(super.createMessageChannel(p, s), false);
        }
    }

    /** TLS. */
    public static class TlsProcessor extends NioTlsMessageProcessor {
        public TlsProcessor(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        ConnectionOrientedMessageChannel constructMessageChannel(InetAddress host, int port) throws IOException {
            return framed(super.constructMessageChannel(host, port), false);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor p, SocketChannel s)
                throws IOException {
            return (NioTcpMessageChannel) framed(super.createMessageChannel(p, s), false);
        }
    }

    /** WebSocket: accepted connections are framed by the subclass that makes its own channels. */
    public static class WsProcessor extends NioWebSocketMessageProcessor {
        public WsProcessor(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        ConnectionOrientedMessageChannel constructMessageChannel(InetAddress host, int port) throws IOException {
            return framed(super.constructMessageChannel(host, port), true);
        }
    }

    /** Secure WebSocket: as {@link WsProcessor}. */
    public static class WssProcessor extends NioTlsWebSocketMessageProcessor {
        public WssProcessor(InetAddress a, SIPTransactionStack s, int p) {
            super(a, s, p);
        }

        @Override
        ConnectionOrientedMessageChannel constructMessageChannel(InetAddress host, int port) throws IOException {
            return framed(super.constructMessageChannel(host, port), true);
        }
    }
}
