package org.sipedge.launcher.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A SIP-over-WebSocket (RFC 7118) client for tests, on the JDK's {@link HttpClient} WebSocket: one SIP message per
 * text frame, each received message queued whole.
 */
final class WsSipClient implements AutoCloseable {
    private final WebSocket ws;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closedByServer = new CompletableFuture<>();

    private WsSipClient(HttpClient client, URI uri) throws Exception {
        Listener listener = new Listener();
        ws = client.newWebSocketBuilder().subprotocols("sip").connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, listener).get(10, TimeUnit.SECONDS);
    }

    static WsSipClient connect(HttpClient client, URI uri) throws Exception {
        return new WsSipClient(client, uri);
    }

    /** An HttpClient for ws://. */
    static HttpClient plainClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** An HttpClient for wss:// that trusts any certificate and any name (the product's cert is self-signed). */
    static HttpClient trustAllClient() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The subprotocol the server selected ("" when none). */
    String subprotocol() {
        return ws.getSubprotocol();
    }

    void send(String sipMessage) throws Exception {
        ws.sendText(sipMessage, true).get(5, TimeUnit.SECONDS);
    }

    /** The next final (>= 200) response, skipping provisionals; null when none arrives in time. */
    SipProbe.Response awaitFinal(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            String m = received.poll(left, TimeUnit.NANOSECONDS);
            if (m == null) {
                return null;
            }
            if (m.startsWith("SIP/2.0 ")) {
                SipProbe.Response r = SipProbe.parse(m);
                if (r.status() >= 200) {
                    return r;
                }
            }
        }
    }

    /** The next request with {@code method} (other frames are skipped); null when none arrives in time. */
    String awaitRequest(String method, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            String m = received.poll(left, TimeUnit.NANOSECONDS);
            if (m == null) {
                return null;
            }
            if (m.startsWith(method + " ")) {
                return m;
            }
        }
    }

    /** The next request (responses skipped); null when none arrives in time. */
    String awaitRequest(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            String m = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
            if (m == null || !m.startsWith("SIP/2.0 ")) {
                return m;
            }
        }
    }

    /** Answers {@code request} on this connection without a body, copying Via, From, To (plus a tag), Call-ID, CSeq. */
    void reply(String request, int status, String reason) throws Exception {
        StringBuilder r = new StringBuilder("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        for (String line : UdpPhone.headerLines(request)) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("via:") || lower.startsWith("v:") || lower.startsWith("from:")
                    || lower.startsWith("call-id:") || lower.startsWith("cseq:")) {
                r.append(line).append("\r\n");
            } else if (lower.startsWith("to:")) {
                r.append(line.contains(";tag=") ? line : line + ";tag=ws" + Long.toHexString(System.nanoTime()))
                        .append("\r\n");
            }
        }
        send(r.append("Content-Length: 0\r\n\r\n").toString());
    }

    /**
     * Normal close (1000) and wait, up to {@code timeout}, for the server's close frame. Returns true when the
     * server answered the close; the TCP connection is then closed by the client.
     */
    boolean closeNormally(Duration timeout) throws Exception {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        try {
            closedByServer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        }
    }

    boolean isClosed() {
        return ws.isInputClosed() && ws.isOutputClosed();
    }

    @Override
    public void close() {
        ws.abort(); // no-op when already closed
    }

    /** A browser-style REGISTER (JsSIP / SIP.js shape) for {@code user} with an Outbound flow. */
    static String browserRegister(String user, String domain, String instanceUuid, int regId, int cseq,
                                  String callId, int expires) {
        String host = "df7jal23ls0d.invalid";
        return "REGISTER sip:" + domain + " SIP/2.0\r\n"
                + "Via: SIP/2.0/WS " + host + ";branch=z9hG4bK" + UUID.randomUUID().toString().replace("-", "")
                + "\r\n"
                + "Max-Forwards: 69\r\n"
                + "To: <sip:" + user + "@" + domain + ">\r\n"
                + "From: <sip:" + user + "@" + domain + ">;tag=" + Long.toHexString(System.nanoTime()) + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " REGISTER\r\n"
                + "Contact: <sip:" + user + "@" + host + ";transport=ws>;+sip.instance=\"<urn:uuid:" + instanceUuid
                + ">\";reg-id=" + regId + ";expires=" + expires + "\r\n"
                + "Expires: " + expires + "\r\n"
                + "Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY\r\n"
                + "Supported: path, outbound, gruu\r\n"
                + "User-Agent: sipedge-it browser-like\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closedByServer.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closedByServer.completeExceptionally(error);
        }
    }

    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
