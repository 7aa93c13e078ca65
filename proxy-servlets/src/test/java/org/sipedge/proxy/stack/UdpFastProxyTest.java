package org.sipedge.proxy.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.SipFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipedge.proxy.core.Handoff;
import org.sipedge.registrar.LocationService;
import org.sipedge.registrar.Transport;
import org.sipedge.registrar.core.ContactSpec;
import org.sipedge.registrar.core.RegisterOutcome;
import org.sipedge.registrar.core.RegisterRequest;
import org.sipedge.registrar.core.RegistrarLimits;
import org.sipedge.registrar.core.RegistrarRules;
import org.sipedge.rtpengine.MediaAnchor;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.SdpRewrite;
import org.sipedge.store.MemoryStore;

/**
 * The fast path's request rules on a real JAIN SIP UDP listener, with a media engine whose answers the test
 * releases: what goes out (our Via and branch, Record-Route, Max-Forwards, the engine's SDP), retransmissions while
 * the first copy waits for the engine, the 503s, and what it leaves to the container.
 */
class UdpFastProxyTest {
    private static final Pattern VIA = Pattern.compile("(?im)^Via: SIP/2\\.0/UDP ([^;\\r\\n]+);branch=([^;\\r\\n]+)");

    /** An engine whose offers complete when the test says so. */
    private static final class HeldEngine implements MediaAnchor {
        final List<CompletableFuture<SdpRewrite>> offers = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();

        @Override public boolean enabled() { return true; }
        @Override public SdpRewrite offer(MediaLeg leg, String sdp) { return offerAsync(leg, sdp).join(); }
        @Override public SdpRewrite answer(MediaLeg leg, String sdp) { return new SdpRewrite.Anchored(sdp, "held"); }

        @Override
        public synchronized CompletableFuture<SdpRewrite> offerAsync(MediaLeg leg, String sdp) {
            CompletableFuture<SdpRewrite> f = new CompletableFuture<>();
            offers.add(f);
            return f;
        }

        @Override public synchronized void deleteCall(String callId) { deleted.add(callId); }
        @Override public void deleteBranch(MediaLeg leg) { }
        @Override public String describe() { return "held"; }
    }

    private SipStackImpl stack;
    private UDPMessageProcessor udp;
    private MemoryStore store;
    private LocationService location;
    private DatagramSocket caller;
    private DatagramSocket callee;
    private final HeldEngine engine = new HeldEngine();

    @BeforeEach
    void setUp() throws Exception {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "fast-path-test-" + UUID.randomUUID());
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1");
        SipFactory f = SipFactory.getInstance();
        f.setPathName("gov.nist");
        stack = (SipStackImpl) f.createSipStack(p);
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int port = probe.getLocalPort();
            probe.close();
            MessageProcessor mp = ((gov.nist.javax.sip.ListeningPointImpl) stack.createListeningPoint("127.0.0.1",
                    port, "udp")).getMessageProcessor();
            udp = (UDPMessageProcessor) mp;
        }
        assertNotNull(udp);
        store = new MemoryStore();
        location = new LocationService(store, new RegistrarRules(RegistrarLimits.defaults(), "node-1"),
                Clock.systemUTC());
        caller = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        callee = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        caller.setSoTimeout(300);
        callee.setSoTimeout(300);
        RegisterOutcome o = location.register(new RegisterRequest("sip:bob@127.0.0.1", "reg-1", 1,
                List.of(new ContactSpec("sip:bob@127.0.0.1:" + callee.getLocalPort(), 600, null, null, 0, null)),
                false, null, Transport.UDP, "127.0.0.1", callee.getLocalPort(), null, List.of(), false, false,
                "z9hG4bK-reg"));
        assertTrue(o instanceof RegisterOutcome.Accepted, o.toString());
    }

    @AfterEach
    void tearDown() {
        caller.close();
        callee.close();
        stack.stop();
        store.close();
    }

    private MessageChannel channel() throws Exception {
        return udp.createMessageChannel(InetAddress.getLoopbackAddress(), caller.getLocalPort());
    }

    private String invite(String callId, String branch, String viaExtra) {
        String sdp = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/AVP 0\r\n";
        return "INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
                + viaExtra
                + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=" + branch + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
                + "To: <sip:bob@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:alice@127.0.0.1:" + caller.getLocalPort() + ">\r\n"
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    private static SIPRequest parse(String text) throws Exception {
        return (SIPRequest) new StringMsgParser().parseSIPMessage(text.getBytes(StandardCharsets.UTF_8), true,
                false, null);
    }

    private static String receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[65535], 65535);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void anInviteWaitsForItsOfferWithoutTheThreadAndGoesOutOnceWithOurViaRecordRouteAndTheEnginesSdp()
            throws Exception {
        UdpFastProxy fast = new UdpFastProxy(location, engine, true, null, null, null, 0, null, new Handoff(10));
        String branch = "z9hG4bK-" + UUID.randomUUID();
        String text = invite("wait-1", branch, "");
        assertTrue(fast.handleRequest(parse(text), channel()), "taken");
        assertNull(receive(callee), "nothing goes out before the engine answered");
        assertTrue(fast.isRetransmission(parse(text)), "its copies are retransmissions while it waits");
        assertTrue(fast.handleRequest(parse(text), channel()), "a copy is absorbed");
        assertEquals(1, fast.absorbedRetransmissions());
        assertEquals(1, engine.offers.size(), "one engine round trip for the transaction");

        engine.offers.get(0).complete(new SdpRewrite.Anchored("v=0\r\no=engine 1 1 IN IP4 127.0.0.1\r\n", "e"));
        String out = receive(callee);
        assertNotNull(out, "forwarded once the engine answered");
        assertNull(receive(callee), "exactly once");
        assertTrue(out.startsWith("INVITE sip:bob@127.0.0.1:" + callee.getLocalPort()), out);
        Matcher via = VIA.matcher(out);
        assertTrue(via.find(), out);
        assertEquals("127.0.0.1:" + udp.getPort(), via.group(1), "our Via on top");
        assertTrue(via.group(2).startsWith(FastPathRules.BRANCH_PREFIX), "a fast-path branch: " + via.group(2));
        assertTrue(out.contains(";branch=" + branch), "the caller's Via below ours:\n" + out);
        assertTrue(out.contains("Record-Route: <sip:127.0.0.1:" + udp.getPort() + ";transport=udp;lr;"
                + FastPathRules.ROUTE_MARKER + ">"), out);
        assertTrue(out.contains("Max-Forwards: 69"), out);
        assertTrue(out.contains("o=engine"), "the engine's SDP:\n" + out);
        assertEquals(1, fast.initialForwarded());
        assertFalse(fast.handleRequest(parse(invite("wait-2", "z9hG4bK-" + UUID.randomUUID(),
                "Via: SIP/2.0/UDP 127.0.0.1:" + udp.getPort() + ";branch=z9hG4bK-x\r\n")), channel()),
                "a request that already passed here (our sent-by in its Vias) is the container's: 482");
    }

    @Test
    void aRetransmissionAfterTheForwardGoesToTheSameTargetWithoutReadingTheStore() throws Exception {
        UdpFastProxy fast = new UdpFastProxy(location, engine, true, null, null, null, 0, null, new Handoff(10));
        String text = invite("again-1", "z9hG4bK-" + UUID.randomUUID(), "");
        assertTrue(fast.handleRequest(parse(text), channel()));
        engine.offers.get(0).complete(new SdpRewrite.Anchored("v=0\r\no=engine 1 1 IN IP4 127.0.0.1\r\n", "e"));
        String first = receive(callee);
        assertNotNull(first);
        // the store no longer answers with the binding (here bob unregisters; in ClusterRelayIT a store read slowed
        // by a member's death sent the copy to the container's proxy, which made it a second call to the callee)
        RegisterOutcome gone = location.register(new RegisterRequest("sip:bob@127.0.0.1", "reg-1", 2,
                List.of(new ContactSpec("sip:bob@127.0.0.1:" + callee.getLocalPort(), 0, null, null, 0, null)),
                false, null, Transport.UDP, "127.0.0.1", callee.getLocalPort(), null, List.of(), false, false,
                "z9hG4bK-unreg"));
        assertTrue(gone instanceof RegisterOutcome.Accepted, gone.toString());
        assertTrue(fast.handleRequest(parse(text), channel()), "the caller's retransmission stays on the fast path");
        String again = receive(callee);
        assertNotNull(again, "forwarded to where the first copy went");
        assertEquals(first, again, "the same request again, same branch");
        assertEquals(1, engine.offers.size(), "no second offer");
        assertEquals(0, fast.declined());
    }

    @Test
    void aFailedOfferIsRefused503AndNothingGoesToTheCallee() throws Exception {
        UdpFastProxy fast = new UdpFastProxy(location, engine, true, null, null, null, 0, null, new Handoff(10));
        assertTrue(fast.handleRequest(parse(invite("fail-1", "z9hG4bK-" + UUID.randomUUID(), "")), channel()));
        engine.offers.get(0).complete(new SdpRewrite.Failed("engine down"));
        String answer = receive(caller);
        assertNotNull(answer, "the caller is answered");
        assertTrue(answer.startsWith("SIP/2.0 503 Media Relay Unavailable"), answer);
        assertTrue(answer.contains("Retry-After: 5"), answer);
        assertNull(receive(callee));
        assertEquals(1, fast.mediaFailures());
    }

    @Test
    void beyondTheWaitingBoundANewCallIsRefusedAtOnce() throws Exception {
        UdpFastProxy fast = new UdpFastProxy(location, engine, true, null, null, null, 0, null, new Handoff(1));
        assertTrue(fast.handleRequest(parse(invite("bound-1", "z9hG4bK-" + UUID.randomUUID(), "")), channel()));
        assertTrue(fast.handleRequest(parse(invite("bound-2", "z9hG4bK-" + UUID.randomUUID(), "")), channel()));
        String answer = receive(caller);
        assertNotNull(answer);
        assertTrue(answer.startsWith("SIP/2.0 503 Overloaded") && answer.contains("Call-ID: bound-2"), answer);
        engine.offers.get(0).complete(new SdpRewrite.Anchored("v=0\r\n", "e"));
        String out = receive(callee);
        assertNotNull(out);
        assertTrue(out.contains("Call-ID: bound-1"), out);
    }

    @Test
    void whatTheFastPathCannotCarryGoesToTheContainer() throws Exception {
        UdpFastProxy fast = new UdpFastProxy(location, engine, true, null, null, null, 0, null, new Handoff(10));
        String unknown = invite("nobody-1", "z9hG4bK-" + UUID.randomUUID(), "").replace("sip:bob@", "sip:carol@");
        assertFalse(fast.handleRequest(parse(unknown), channel()), "no binding: 404/480 are the container's");
        String noHops = invite("hops-1", "z9hG4bK-" + UUID.randomUUID(), "").replace("Max-Forwards: 70",
                "Max-Forwards: 0");
        assertFalse(fast.handleRequest(parse(noHops), channel()), "Max-Forwards 0: 483 is the container's");
        assertTrue(engine.offers.isEmpty(), "nothing was offered for a call without a target");
        assertEquals(2, fast.declined());
    }
}
