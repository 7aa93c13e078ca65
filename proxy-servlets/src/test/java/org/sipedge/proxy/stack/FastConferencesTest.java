package org.sipedge.proxy.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipedge.conference.ConferencePins;
import org.sipedge.conference.core.ConferenceIdRule;
import org.sipedge.dispatcher.Dispatcher;
import org.sipedge.dispatcher.core.ActiveCalls;
import org.sipedge.dispatcher.core.Algorithm;
import org.sipedge.dispatcher.core.ListFile;
import org.sipedge.store.MemoryStore;

/** Conference routing and failover of the UDP fast path, with the real pin logic on the in-memory store. */
class FastConferencesTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong drops = new AtomicLong();
    private MemoryStore store;
    private Dispatcher dispatcher;
    private ConferencePins pins;
    private FastConferences conf;
    private final List<String> sent = new ArrayList<>();
    private final List<FastConferenceAttempt> resent = new ArrayList<>();
    private final List<FastConferenceAttempt> timedOut = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        store = new MemoryStore();
        dispatcher = new Dispatcher(ListFile.parse(
                "1 sip:127.0.0.1:5071\n1 sip:127.0.0.1:5072\n1 sip:127.0.0.1:5073\n", "test"),
                Algorithm.ROUND_ROBIN, 3, 2, new ActiveCalls(Clock.systemUTC(), Duration.ofHours(1), 100),
                new Random(1), null);
        pins = new ConferencePins(store, dispatcher, 1, Duration.ofSeconds(600), Duration.ZERO);
        conf = new FastConferences(pins, new ConferenceIdRule(ConferenceIdRule.Source.RURI_USER, "",
                Pattern.compile("conf-(.+)")), 4, nanos::get, drops::get, false);
        conf.bind(new FastConferences.Hooks() {
            @Override
            public Via via(String branch) throws Exception {
                Via v = new Via();
                v.setHost("127.0.0.1");
                v.setPort(5060);
                v.setTransport("UDP");
                v.setBranch(branch);
                return v;
            }

            @Override
            public String branch(String incomingBranch, int n) {
                return FastPathRules.BRANCH_PREFIX + incomingBranch + "-" + n;
            }

            @Override
            public void send(SIPMessage msg, InetAddress host, int port) {
                sent.add(port + " " + msg.getFirstLine().trim() + " " + msg.getTopmostVia().getBranch());
            }

            @Override
            public void resend(FastConferenceAttempt previous, FastConferenceAttempt next) {
                resent.add(next);
                conf.sent(next);
            }

            @Override
            public void timedOut(FastConferenceAttempt last) {
                timedOut.add(last);
            }
        });
    }

    @AfterEach
    void tearDown() {
        conf.close();
        store.close();
    }

    private static SIPRequest invite(String callId, String room) throws Exception {
        String m = "INVITE sip:conf-" + room + "@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
                + "To: <sip:conf-" + room + "@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:alice@127.0.0.1:5090>\r\n"
                + "Content-Length: 0\r\n\r\n";
        return (SIPRequest) new StringMsgParser().parseSIPMessage(m.getBytes(StandardCharsets.UTF_8), true, false,
                null);
    }

    private static SIPResponse response(SIPRequest forwarded, int status) throws Exception {
        SIPResponse r = forwarded.createResponse(status);
        r.getTo().setTag("srv");
        return r;
    }

    /** Routes and "sends" an INVITE the way the fast path does; returns the attempt. */
    private FastConferenceAttempt start(String callId, String room) throws Exception {
        SIPRequest req = invite(callId, room);
        String id = conf.conferenceOf(req).orElseThrow();
        FastConferences.Route r = conf.route(id, req, "conf-" + room);
        FastConferences.Route.To to = assertInstanceOf(FastConferences.Route.To.class, r);
        FastConferenceAttempt a = conf.attempt(id, to.keys(), "z9hG4bK-" + callId, to.serverUri(),
                new ArrayList<>(List.of(to.serverUri().toLowerCase())), req,
                InetAddress.getByName(to.target().host()), to.target().port(), "b-" + callId, 1);
        conf.sent(a);
        return a;
    }

    @Test
    void callsOfOneConferenceGoToOneServerAndOthersSpread() throws Exception {
        FastConferenceAttempt first = start("c1", "9");
        assertEquals("sip:conf-9@127.0.0.1:" + first.port, org.sipedge.sip.SipUri.withUser(first.serverUri, "conf-9"));
        for (int i = 2; i <= 5; i++) {
            assertEquals(first.serverUri, start("c" + i, "9").serverUri);
        }
        assertTrue(!start("d1", "10").serverUri.equals(first.serverUri), "round robin: the next conference moves on");
        assertEquals(5, pins.pinOf("9").orElseThrow().calls().size());
    }

    @Test
    void aServerFailureMovesThePinAndTheCallFollowsAcknowledgedHere() throws Exception {
        FastConferenceAttempt a = start("c1", "7");
        SIPResponse busy = response(a.forwarded, 503);
        assertTrue(conf.onInviteResponse("b-c1", busy), "503 is absorbed: the caller never sees it");
        assertEquals(1, resent.size());
        FastConferenceAttempt b = resent.get(0);
        assertFalse(b.serverUri.equals(a.serverUri));
        assertEquals(List.of(a.port + " ACK sip:conf-7@127.0.0.1 SIP/2.0 b-c1").get(0).split(" ")[0],
                sent.get(0).split(" ")[0], "the ACK goes to the server that failed");
        assertTrue(sent.get(0).contains(" ACK ") && sent.get(0).endsWith("b-c1"), sent.toString());
        assertEquals(b.serverUri, pins.pinOf("7").orElseThrow().uri(), "the pin moved with the call");
        assertTrue(conf.onInviteResponse("b-c1", busy), "a retransmitted 503 is acknowledged again, not forwarded");
        assertEquals(2, sent.size());
        assertFalse(conf.onInviteResponse(b.ourBranch, response(b.forwarded, 200)), "the 2xx goes to the caller");
        assertEquals(0, conf.openAttempts());
    }

    @Test
    void everyServerFailingGivesTheCallerTheLastFailureAndNeverTriesOneTwice() throws Exception {
        FastConferenceAttempt a = start("c1", "8");
        assertTrue(conf.onInviteResponse("b-c1", response(a.forwarded, 500)));
        FastConferenceAttempt b = resent.get(0);
        assertTrue(conf.onInviteResponse(b.ourBranch, response(b.forwarded, 408)));
        FastConferenceAttempt c = resent.get(1);
        assertEquals(3, List.of(a.serverUri, b.serverUri, c.serverUri).stream().distinct().count());
        assertFalse(conf.onInviteResponse(c.ourBranch, response(c.forwarded, 503)), "no server left: forwarded");
        assertEquals(2, resent.size());
        assertTrue(pins.pinOf("8").map(p -> p.calls().isEmpty()).orElse(true), "the call left the pin");
    }

    @Test
    void aRejectionThatIsNotAServerFailureGoesBackAndReleasesTheCall() throws Exception {
        FastConferenceAttempt a = start("c1", "5");
        String pinned = a.serverUri;
        assertFalse(conf.onInviteResponse("b-c1", response(a.forwarded, 486)));
        assertTrue(resent.isEmpty());
        assertEquals(pinned, pins.pinOf("5").map(p -> p.uri()).orElse(pinned), "the pin did not move");
        assertTrue(pins.pinOf("5").map(p -> p.calls().isEmpty()).orElse(true));
    }

    @Test
    void silenceFailsOverButAProvisionalAnswerMeansAliveEvenWhenSlow() throws Exception {
        FastConferenceAttempt quiet = start("c1", "3");
        FastConferenceAttempt ringing = start("c2", "4");
        assertFalse(conf.onInviteResponse(ringing.ourBranch, response(ringing.forwarded, 180)));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(5));
        conf.sweepSilent();
        assertEquals(1, resent.size(), "only the silent server is failed over from");
        assertEquals(quiet.callId, resent.get(0).callId);
        assertEquals(ringing.serverUri, pins.pinOf("4").orElseThrow().uri(), "the slow but alive server keeps its pin");
        // the next server is silent too, and then the last one: the caller gets a 408 built here
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(5));
        conf.sweepSilent();
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(5));
        conf.sweepSilent();
        assertEquals(2, resent.stream().filter(x -> x.callId.equals("c1")).count());
        assertEquals(1, timedOut.size());
        assertEquals("c1", timedOut.get(0).callId);
        SIPResponse late = response(quiet.forwarded, 503);
        assertTrue(conf.onInviteResponse(quiet.ourBranch, late), "a late failure from a dropped server is absorbed");
    }

    @Test
    void callerRetransmissionsGoOnOnlyWhileTheServerIsSilent() throws Exception {
        FastConferenceAttempt a = start("c1", "1");
        assertTrue(conf.forwardsRetransmission("b-c1"), "silent server: the caller's copy goes on");
        assertFalse(conf.onInviteResponse("b-c1", response(a.forwarded, 180)));
        assertFalse(conf.forwardsRetransmission("b-c1"), "it answered: the copy would arrive after its 200");
        assertFalse(conf.onInviteResponse("b-c1", response(a.forwarded, 200)));
        assertFalse(conf.forwardsRetransmission("b-c1"), "final answer sent: absorbed");
        assertFalse(conf.forwardsRetransmission("b-unknown"));
    }

    @Test
    void silenceWhileThisNodeDroppedDatagramsKeepsThePin() throws Exception {
        FastConferenceAttempt a = start("c1", "2");
        drops.addAndGet(17); // our receive queue or the kernel's buffer overflowed meanwhile
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(5));
        conf.sweepSilent();
        assertTrue(resent.isEmpty(), "no failover: the silence may have been ours");
        assertEquals(List.of("c1"), timedOut.stream().map(x -> x.callId).toList(), "the caller gets 408");
        assertEquals(a.serverUri, pins.pinOf("2").map(p -> p.uri()).orElse(a.serverUri), "the pin did not move");
    }

    @Test
    void theConferenceIdSurvivesTheRecordRouteParameter() {
        for (String id : List.of("9", "room-1", "Ünïcode room;=@")) {
            String p = ConferenceRouteParam.encode(id);
            assertTrue(p.matches("[A-Za-z0-9_-]+"), p);
            assertEquals(id, ConferenceRouteParam.decode(p).orElseThrow());
        }
        assertTrue(ConferenceRouteParam.decode("%%").isEmpty());
    }
}
