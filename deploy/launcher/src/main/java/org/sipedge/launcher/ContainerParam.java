package org.sipedge.launcher;

import org.sipedge.config.Param;
import org.sipedge.config.ValueType;

/** Keys of the embedded container: listeners, TLS, stack tuning. Read by the launcher; listed in sip.xml. */
public enum ContainerParam implements Param {
    BIND_ADDRESS("sip.bind-address", "127.0.0.1", new ValueType.IpAddress(),
            "address every SIP listener binds to (loopback by default; a literal address, never a host name)"),
    UDP_PORT("sip.udp-port", "5060", port(), "SIP over UDP; 0 = off"),
    TCP_PORT("sip.tcp-port", "5060", port(), "SIP over TCP; 0 = off"),
    TLS_PORT("sip.tls-port", "5061", port(), "SIP over TLS; 0 = off"),
    WS_PORT("sip.ws-port", "8080", port(), "SIP over WebSocket (RFC 7118); 0 = off"),
    WSS_PORT("sip.wss-port", "8443", port(), "SIP over secure WebSocket; 0 = off"),
    WEB_PORT("web.port", "8088", port(),
            "demo softphone page (JsSIP) over plain HTTP on sip.bind-address, at /phone/; 0 = off"),
    WORK_DIR("sip.work-dir", ".sipedge", new ValueType.Text(),
            "directory for the generated container configuration and the self-signed certificate"),
    KEYSTORE("tls.keystore", "", new ValueType.Text(),
            "PKCS12 key store for TLS and WSS; empty = a self-signed certificate generated on first start"),
    KEYSTORE_PASSWORD("tls.keystore-password", "", new ValueType.Text(),
            "password of tls.keystore (for the generated one: generated too, kept in the work directory)"),
    TRUSTSTORE("tls.truststore", "", new ValueType.Text(),
            "extra CA certificates (PKCS12 or JKS) that outbound TLS trusts beside the JDK's default CAs and this "
                    + "node's own certificate; empty = those two only"),
    TRUSTSTORE_PASSWORD("tls.truststore-password", "", new ValueType.Text(),
            "password of tls.truststore (empty: none)"),
    CLIENT_AUTH("tls.client-auth", "none", ValueType.OneOf.of("none", "want", "need"),
            "client certificates on the SIP TLS port (mutual TLS, e.g. for trunks): none; want = checked against the "
                    + "trust store when one is sent; need = a connection without a trusted one is refused"),
    THREADS("sip.threads", "8", new ValueType.Int(1, 512),
            "SIP stack worker threads (JAIN SIP THREAD_POOL_SIZE)"),
    UDP_BUFFER_BYTES("sip.udp-buffer-bytes", "4194304", new ValueType.Int(65536, 268435456),
            "UDP socket send/receive buffer request (the kernel caps it at net.core.rmem_max/wmem_max)"),
    MAX_SERVER_TRANSACTIONS("sip.max-server-transactions", "100000", new ValueType.Int(100, 10000000),
            "above this many open server transactions new requests get 503 + Retry-After instead of exhausting memory"),
    UDP_QUEUE_LIMIT("sip.udp-queue-limit", "10000", new ValueType.Int(100, 1000000),
            "most UDP datagrams waiting for a worker; more are dropped and counted (the sender retransmits)"),
    UDP_DIRECT_RECEIVE("sip.udp-direct-receive", "true", new ValueType.Bool(),
            "the SIP worker threads receive UDP themselves, in turn, and an idle node processes a datagram on the"
                    + " thread that received it (one thread wake-up per request); false = one reader thread hands"
                    + " every datagram to a worker through the queue"),
    STALE_REQUEST_MILLIS("sip.stale-request-ms", "2000", new ValueType.Int(100, 60000),
            "a queued UDP request older than this is dropped: its sender has retransmitted it already"),
    MAX_QUEUE_WAIT_MILLIS("sip.overload-queue-wait-ms", "250", new ValueType.Int(0, 60000),
            "a new UDP call (initial INVITE) that waited longer than this in the receive queue, while every message"
                    + " taken for at least 100 ms did too, gets 503 + Retry-After, so the calls already taken complete;"
                    + " 0 = off"),
    OVERLOAD_HEAP_PERCENT("sip.overload-heap-percent", "85", new ValueType.Int(50, 99),
            "heap in use (percent of the maximum, looked at every 50 ms) above which new requests get 503 + "
                    + "Retry-After until a collection frees it"),
    RETRY_AFTER_SECONDS("sip.retry-after-seconds", "5", new ValueType.Int(1, 3600),
            "Retry-After of the 503 a request gets when the node is overloaded (transactions, heap, queue wait)"),
    PIKE_LIMIT("sip.pike-limit", "3000", new ValueType.Int(0, 10000000),
            "requests one source address may send per sip.pike-window before it is banned (pike): a flood from one "
                    + "address is cut off while everyone else is served; 0 = off"),
    PIKE_WINDOW("sip.pike-window", "2", new ValueType.Int(1, 3600),
            "seconds of the window sip.pike-limit counts in"),
    PIKE_BAN("sip.pike-ban", "10", new ValueType.Int(1, 86400),
            "seconds a source over sip.pike-limit stays banned (logged once per ban)"),
    PIKE_ACTION("sip.pike-action", "503", ValueType.OneOf.of("503", "drop"),
            "what a banned source's requests get: 503 with Retry-After (the ban's time left), or a silent drop"),
    WARMUP_SECONDS("sip.warmup-seconds", "3", new ValueType.Int(0, 60),
            "before the ready line the node REGISTERs and unREGISTERs users of warmup.invalid to its own UDP port for "
                    + "this long (below sip.pike-limit), so the JIT has compiled the REGISTER path before the first "
                    + "phone; 0 = off"),
    SERVER_HEADER("sip.server-header", "SIP Edge", new ValueType.Text(),
            "Server/User-Agent header value (never a version)");

    private final String key;
    private final String def;
    private final ValueType type;
    private final String description;

    ContainerParam(String key, String def, ValueType type, String description) {
        this.key = key;
        this.def = def;
        this.type = type;
        this.description = description;
    }

    private static ValueType port() {
        return new ValueType.Int(0, 65535);
    }

    @Override public String key() { return key; }
    @Override public String defaultValue() { return def; }
    @Override public String description() { return description; }
    @Override public ValueType type() { return type; }
}
