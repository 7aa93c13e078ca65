package org.sipedge.registrar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipedge.registrar.core.Requests.query;
import static org.sipedge.registrar.core.Requests.register;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sipedge.registrar.Binding;
import org.sipedge.registrar.PushParams;
import org.sipedge.registrar.Transport;

/**
 * The registrar's decisions, rule by rule: RFC 3261 §10.3 (steps 5–8), RFC 3327 Path, RFC 5626 Outbound, RFC 7118
 * WebSocket and RFC 8599 push. Each test plays REGISTERs against one address-of-record, the way a registrar would
 * receive them, and reads the bindings back.
 */
@DisplayName("RegistrarRules — RFC 3261 §10.3 processing of REGISTER")
class RegistrarRulesTest {
    static final long T0 = 1_700_000_000_000L;

    // Contact header values of Alice's devices, as they write them
    static final String DESK = "<sip:alice@192.0.2.10:5062>";
    static final String PHONE = "<sip:alice@198.51.100.20:5060;transport=tcp>";
    static final String TABLET = "<sip:alice@198.51.100.30:5070>";
    static final String BROWSER = "<sip:k3d9s0a1@df7jal23ls0d.invalid;transport=ws>";
    static final String INSTANCE = "\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"";
    static final String INSTANCE_ID = "<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>";

    /** min-expires 60 s, max-expires 7200 s, default 3600 s, 10 contacts per AOR. */
    RegistrarRules rules = new RegistrarRules(RegistrarLimits.defaults(), "node-1");
    /** What the location service holds for the AOR. */
    List<Binding> stored = List.of();
    long now = T0;

    // --- the harness: a one-AOR location service around the pure rules ----------------------------------------

    RegisterOutcome send(Requests.Builder request) {
        RegisterOutcome outcome = rules.apply(request.build(), stored, now);
        if (outcome instanceof RegisterOutcome.Accepted a) {
            stored = a.bindings();
        }
        return outcome;
    }

    RegisterOutcome.Accepted ok(Requests.Builder request) {
        RegisterOutcome o = send(request);
        return assertInstanceOf(RegisterOutcome.Accepted.class, o, () -> "expected 200, got " + o);
    }

    RegisterOutcome.Rejected rejected(int status, Requests.Builder request) {
        RegisterOutcome o = send(request);
        RegisterOutcome.Rejected r = assertInstanceOf(RegisterOutcome.Rejected.class, o,
                () -> "expected " + status + ", got " + o);
        assertEquals(status, r.status(), () -> "status of " + r);
        return r;
    }

    void secondsLater(int seconds) {
        now += seconds * 1000L;
    }

    static String uri(String contactHeaderValue) {
        return Requests.contact(contactHeaderValue).uri();
    }

    static List<String> uris(List<Binding> bindings) {
        return bindings.stream().map(Binding::contactUri).toList();
    }

    static Binding only(RegisterOutcome.Accepted a) {
        assertEquals(1, a.bindings().size(), () -> "bindings: " + a.bindings());
        return a.bindings().get(0);
    }

    Binding bindingOf(String contactHeaderValue) {
        String u = uri(contactHeaderValue);
        return stored.stream().filter(b -> b.contactUri().equals(u)).findFirst()
                .orElseThrow(() -> new AssertionError("no binding for " + u + " in " + uris(stored)));
    }

    // ---------------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("§10.3 step 7: the expiration interval")
    class Expiry {

        @ParameterizedTest(name = "Contact: {0} | Expires: {1} → bound for {2} s")
        @CsvSource(delimiter = '|', nullValues = "(none)", textBlock = """
                # Contact header value                   | Expires header | granted
                # neither: the registrar's default
                <sip:alice@192.0.2.10:5062>              | (none)         | 3600
                # only the header
                <sip:alice@192.0.2.10:5062>              | 300            | 300
                # only the parameter
                <sip:alice@192.0.2.10:5062>;expires=120  | (none)         | 120
                # both: the Contact parameter wins
                <sip:alice@192.0.2.10:5062>;expires=120  | 300            | 120
                <sip:alice@192.0.2.10:5062>;expires=3600 | 60             | 3600
                # exactly min-expires is not too brief
                <sip:alice@192.0.2.10:5062>;expires=60   | (none)         | 60
                <sip:alice@192.0.2.10:5062>              | 60             | 60
                # longer than max-expires: shortened to it
                <sip:alice@192.0.2.10:5062>;expires=7200 | (none)         | 7200
                <sip:alice@192.0.2.10:5062>;expires=7201 | (none)         | 7200
                <sip:alice@192.0.2.10:5062>              | 86400          | 7200
                <sip:alice@192.0.2.10:5062>;expires=2147483647 | (none)   | 7200
                """)
        void grantedInterval(String contact, Integer expiresHeader, int granted) {
            Binding b = only(ok(register().contact(contact).expires(expiresHeader)));
            assertEquals(T0 + granted * 1000L, b.expiresAtMillis(), "deadline = now + granted interval");
            assertEquals(granted, b.expiresInSeconds(T0), "expires in the 200");
        }

        @ParameterizedTest(name = "Contact: {0} | Expires: {1} → 423")
        @CsvSource(delimiter = '|', nullValues = "(none)", textBlock = """
                # Contact header value                   | Expires header
                <sip:alice@192.0.2.10:5062>;expires=1    | (none)
                <sip:alice@192.0.2.10:5062>;expires=59   | (none)
                <sip:alice@192.0.2.10:5062>              | 30
                # the parameter wins, for worse too
                <sip:alice@192.0.2.10:5062>;expires=30   | 3600
                """)
        void tooBriefIs423WithMinExpires(String contact, Integer expiresHeader) {
            RegisterOutcome.Rejected r = rejected(423, register().contact(contact).expires(expiresHeader));
            assertEquals("Interval Too Brief", r.reason());
            assertEquals(Map.of("Min-Expires", "60"), r.headers());
        }

        @ParameterizedTest(name = "Contact: {0} | Expires: {1} → removed, never 423")
        @CsvSource(delimiter = '|', nullValues = "(none)", textBlock = """
                # Contact header value                   | Expires header
                <sip:alice@192.0.2.10:5062>;expires=0    | (none)
                <sip:alice@192.0.2.10:5062>              | 0
                <sip:alice@192.0.2.10:5062>;expires=0    | 30
                """)
        void zeroIsARemovalNeverTooBrief(String contact, Integer expiresHeader) {
            ok(register().contact(DESK).cseq(1));
            RegisterOutcome.Accepted a = ok(register().contact(contact).expires(expiresHeader).cseq(2));
            assertEquals(List.of(), a.bindings());
        }

        @Test
        @DisplayName("Expires 0 for a contact that is not bound is simply accepted")
        void zeroForUnknownContact() {
            assertEquals(List.of(), ok(register().contact(DESK).expires(0)).bindings());
        }

        @Test
        @DisplayName("the Min-Expires value follows the configuration")
        void minExpiresFollowsConfiguration() {
            rules = new RegistrarRules(new RegistrarLimits(300, 7200, 3600, 10), "node-1");
            RegisterOutcome.Rejected r = rejected(423, register().contact(DESK).expires(299));
            assertEquals("300", r.headers().get("Min-Expires"));
        }

        @Test
        @DisplayName("a refresh restarts the interval from the time of the refresh")
        void refreshRestartsTheInterval() {
            ok(register().contact(DESK).expires(600).cseq(1));
            secondsLater(500);
            Binding b = only(ok(register().contact(DESK).expires(600).cseq(2)));
            assertEquals(now + 600_000L, b.expiresAtMillis());
            assertEquals(2, b.cseq());
        }
    }

    @Nested
    @DisplayName("§10.3 step 6: Contact: *")
    class Wildcard {

        @Test
        @DisplayName("Contact: * with Expires: 0 removes every binding of the AOR")
        void removesAll() {
            ok(register().callId("desk-1").contact(DESK));
            ok(register().callId("phone-1").contact(PHONE));
            ok(register().callId("tablet-1").contact(TABLET).cseq(7));
            assertEquals(3, stored.size());

            RegisterOutcome.Accepted a = ok(register().callId("admin-1").contact("*").expires(0));
            assertEquals(List.of(), a.bindings());
            assertFalse(a.outboundFlow());
        }

        @ParameterizedTest(name = "Contact: {0} | Expires: {1} → 400")
        @CsvSource(delimiter = '|', nullValues = "(none)", textBlock = """
                # Contact header value             | Expires header
                *                                  | (none)
                *                                  | 3600
                *                                  | 1
                *, <sip:alice@192.0.2.10:5062>     | 0
                <sip:alice@192.0.2.10:5062>, *     | 0
                """)
        void otherwiseBadRequest(String contact, Integer expiresHeader) {
            ok(register().callId("desk-1").contact(DESK));
            List<Binding> before = stored;
            rejected(400, register().callId("admin-1").contact(contact).expires(expiresHeader));
            assertEquals(before, stored);
        }

        @Test
        @DisplayName("Contact: * obeys the Call-ID/CSeq rule of each binding it removes")
        void obeysCSeqOrdering() {
            ok(register().contact(DESK).cseq(5));
            rejected(500, register().contact("*").expires(0).cseq(5).branch("z9hG4bK-star"));
            rejected(500, register().contact("*").expires(0).cseq(4));
            assertEquals(List.of(), ok(register().contact("*").expires(0).cseq(6)).bindings());
        }
    }

    @Nested
    @DisplayName("§10.3 step 8 / §10.2.3: a REGISTER without Contact is a query")
    class Query {

        @Test
        @DisplayName("lists the current bindings and changes nothing")
        void listsAndChangesNothing() {
            ok(register().callId("desk-1").contact(DESK + ";q=0.5"));
            secondsLater(10);
            ok(register().callId("phone-1").contact(PHONE + ";q=0.9"));
            List<Binding> before = stored;

            secondsLater(100);
            RegisterOutcome.Accepted a = ok(query().callId("query-1").cseq(1));
            assertEquals(before, a.bindings(), "same bindings, same deadlines");
            assertEquals(List.of(uri(PHONE), uri(DESK)), uris(a.bindings()));
            assertFalse(a.outboundFlow());
        }

        @Test
        @DisplayName("a query may carry an Expires header; it still changes nothing")
        void expiresHeaderIgnored() {
            ok(register().contact(DESK).expires(600));
            List<Binding> before = stored;
            assertEquals(before, ok(query().expires(0).cseq(2)).bindings());
        }

        @Test
        @DisplayName("of an unknown AOR: 200 with no Contact")
        void emptyAor() {
            assertEquals(List.of(), ok(query()).bindings());
        }
    }

    @Nested
    @DisplayName("§10.3 step 7: several contacts, q-values, max-contacts")
    class SeveralContacts {

        @Test
        @DisplayName("several contacts in one REGISTER are all bound")
        void severalInOneRequest() {
            RegisterOutcome.Accepted a = ok(register().contact(DESK, PHONE + ";expires=300", TABLET).expires(600));
            assertEquals(3, a.bindings().size());
            assertEquals(T0 + 600_000L, bindingOf(DESK).expiresAtMillis());
            assertEquals(T0 + 300_000L, bindingOf(PHONE).expiresAtMillis());
            assertEquals(T0 + 600_000L, bindingOf(TABLET).expiresAtMillis());
        }

        @Test
        @DisplayName("a comma-separated Contact header is the same as several Contact headers")
        void commaSeparated() {
            RegisterOutcome.Accepted a = ok(register().contact(DESK + ", " + PHONE + ";q=0.3"));
            assertEquals(List.of(uri(DESK), uri(PHONE)), uris(a.bindings()));
        }

        @Test
        @DisplayName("devices registering with their own Call-IDs accumulate on the AOR")
        void severalAcrossRequests() {
            ok(register().callId("desk-1").contact(DESK));
            ok(register().callId("phone-1").contact(PHONE));
            RegisterOutcome.Accepted a = ok(register().callId("tablet-1").contact(TABLET));
            assertEquals(3, a.bindings().size());
        }

        @Test
        @DisplayName("a refresh of the same contact updates its binding rather than adding one")
        void refreshDoesNotDuplicate() {
            ok(register().contact("<sip:alice@Desk.Example.COM:5062>").cseq(1));
            // RFC 3261 §19.1.4: the host is compared case-insensitively; parameters other than transport may change
            ok(register().contact("<sip:alice@desk.example.com:5062;ob>").cseq(2));
            Binding b = only(ok(register().contact("<sip:alice@DESK.example.com:5062;rinstance=7f3e1c>").cseq(3)));
            assertEquals(3, b.cseq());
            assertEquals("sip:alice@DESK.example.com:5062;rinstance=7f3e1c", b.contactUri(), "the latest as sent");
        }

        @Test
        @DisplayName("the same host and port with another transport is another contact")
        void otherTransportIsAnotherContact() {
            ok(register().contact("<sip:alice@192.0.2.10:5062>").cseq(1));
            assertEquals(2, ok(register().contact("<sip:alice@192.0.2.10:5062;transport=tcp>").cseq(2))
                    .bindings().size());
        }

        @Test
        @DisplayName("Contact appearing twice in one REGISTER is a 400")
        void duplicateInOneRequest() {
            rejected(400, register().contact(DESK + ";expires=60", DESK + ";expires=120"));
        }

        @Test
        @DisplayName("the 200 lists the highest q first; a contact without q counts as q=1.0")
        void orderedByQ() {
            RegisterOutcome.Accepted a = ok(register().contact(
                    "<sip:alice@192.0.2.1>;q=0.1",
                    "<sip:alice@192.0.2.2>",
                    "<sip:alice@192.0.2.3>;q=0.5",
                    "<sip:alice@192.0.2.4>;q=1.0",
                    "<sip:alice@192.0.2.5>;q=0.7"));
            assertEquals(List.of(1.0f, 1.0f, 0.7f, 0.5f, 0.1f),
                    a.bindings().stream().map(Binding::effectiveQ).toList());
            assertEquals(List.of("sip:alice@192.0.2.2", "sip:alice@192.0.2.4"), uris(a.bindings()).subList(0, 2));
            assertEquals("sip:alice@192.0.2.1", uris(a.bindings()).get(4));
            assertNull(a.bindings().get(0).q(), "no q in the request, none stored");
        }

        @Test
        @DisplayName("between equal q-values the newer registration comes first")
        void equalQNewestFirst() {
            ok(register().callId("desk-1").contact(DESK));
            secondsLater(5);
            ok(register().callId("phone-1").contact(PHONE + ";q=1.0"));
            secondsLater(5);
            RegisterOutcome.Accepted a = ok(register().callId("tablet-1").contact(TABLET + ";q=0.8"));
            assertEquals(List.of(uri(PHONE), uri(DESK), uri(TABLET)), uris(a.bindings()));
        }

        @Nested
        @DisplayName("max-contacts (3 here) → 403")
        class MaxContacts {
            @Test
            @DisplayName("a fourth device is refused and the three stay")
            void fourthRefused() {
                rules = new RegistrarRules(new RegistrarLimits(60, 7200, 3600, 3), "node-1");
                ok(register().callId("c1").contact(DESK));
                ok(register().callId("c2").contact(PHONE));
                ok(register().callId("c3").contact(TABLET));
                List<Binding> before = stored;
                rejected(403, register().callId("c4").contact(BROWSER));
                assertEquals(before, stored);
            }

            @Test
            @DisplayName("four contacts in one REGISTER are refused")
            void fourInOneRequest() {
                rules = new RegistrarRules(new RegistrarLimits(60, 7200, 3600, 3), "node-1");
                rejected(403, register().contact(DESK, PHONE, TABLET, BROWSER));
            }

            @Test
            @DisplayName("at the limit, refreshing a bound contact is fine")
            void refreshAtLimit() {
                rules = new RegistrarRules(new RegistrarLimits(60, 7200, 3600, 3), "node-1");
                ok(register().contact(DESK, PHONE, TABLET).cseq(1));
                assertEquals(3, ok(register().contact(PHONE).cseq(2)).bindings().size());
            }

            @Test
            @DisplayName("at the limit, one removed and one added in the same REGISTER is fine")
            void swapAtLimit() {
                rules = new RegistrarRules(new RegistrarLimits(60, 7200, 3600, 3), "node-1");
                ok(register().contact(DESK, PHONE, TABLET).cseq(1));
                RegisterOutcome.Accepted a = ok(register().contact(TABLET + ";expires=0", BROWSER).cseq(2));
                assertEquals(List.of(uri(DESK), uri(PHONE), uri(BROWSER)).stream().sorted().toList(),
                        uris(a.bindings()).stream().sorted().toList());
            }
        }

        @Test
        @DisplayName("expires=0 on one contact removes that one only")
        void removeOne() {
            ok(register().contact(DESK, PHONE, TABLET).cseq(1));
            RegisterOutcome.Accepted a = ok(register().contact(PHONE + ";expires=0").cseq(2));
            assertEquals(List.of(uri(DESK), uri(TABLET)).stream().sorted().toList(),
                    uris(a.bindings()).stream().sorted().toList());
            assertEquals(1, bindingOf(DESK).cseq(), "the others are not touched");
        }

        @Test
        @DisplayName("another device's Call-ID may remove a contact with any CSeq (Expires: 0)")
        void removalFromAnotherCallId() {
            ok(register().callId("desk-1").contact(DESK).cseq(40));
            ok(register().callId("phone-1").contact(PHONE).cseq(1));
            RegisterOutcome.Accepted a = ok(register().callId("admin-7").contact(DESK).expires(0).cseq(1));
            assertEquals(List.of(uri(PHONE)), uris(a.bindings()));
        }
    }

    /** What the request brings compared with the stored binding written by Call-ID a84b…, CSeq 5, branch z9hG4bK-5. */
    enum Expect { UPDATED, UNCHANGED, STALE_500 }

    @Nested
    @DisplayName("§10.3 step 7: Call-ID and CSeq ordering, retransmissions")
    class Ordering {

        @ParameterizedTest(name = "Call-ID {0}, CSeq {1}, branch {2} → {3}")
        @CsvSource(delimiter = '|', textBlock = """
                # Call-ID                          | CSeq | Via branch     | outcome
                # same Call-ID, CSeq going backwards: out of order
                a84b4c76e66710@pc33.example.com    | 4    | z9hG4bK-4      | STALE_500
                a84b4c76e66710@pc33.example.com    | 0    | z9hG4bK-0      | STALE_500
                # same Call-ID, same CSeq, new branch: a new request reusing the CSeq
                a84b4c76e66710@pc33.example.com    | 5    | z9hG4bK-again  | STALE_500
                # same Call-ID, CSeq and branch: a retransmission, answered as before
                a84b4c76e66710@pc33.example.com    | 5    | z9hG4bK-5      | UNCHANGED
                # same Call-ID, higher CSeq: the refresh
                a84b4c76e66710@pc33.example.com    | 6    | z9hG4bK-6      | UPDATED
                a84b4c76e66710@pc33.example.com    | 1000 | z9hG4bK-1000   | UPDATED
                # another Call-ID (the UA restarted): replaces, whatever its CSeq
                f81d4fae-7dec-11d0-a765@pc33       | 1    | z9hG4bK-r1     | UPDATED
                f81d4fae-7dec-11d0-a765@pc33       | 5    | z9hG4bK-5      | UPDATED
                """)
        void callIdAndCSeq(String callId, long cseq, String branch, Expect expect) {
            ok(register().contact(DESK).cseq(5).branch("z9hG4bK-5").expires(600));
            List<Binding> before = stored;

            secondsLater(30);
            RegisterOutcome o = send(register().callId(callId).cseq(cseq).branch(branch).contact(DESK).expires(600));
            switch (expect) {
                case STALE_500 -> {
                    RegisterOutcome.Rejected r = assertInstanceOf(RegisterOutcome.Rejected.class, o);
                    assertEquals(500, r.status());
                    assertEquals(before, stored);
                }
                case UNCHANGED -> {
                    RegisterOutcome.Accepted a = assertInstanceOf(RegisterOutcome.Accepted.class, o);
                    assertEquals(before, a.bindings(), "the retransmission is answered with the bindings as they are");
                }
                case UPDATED -> {
                    Binding b = only(assertInstanceOf(RegisterOutcome.Accepted.class, o));
                    assertEquals(callId, b.callId());
                    assertEquals(cseq, b.cseq());
                    assertEquals(branch, b.branch());
                    assertEquals(now + 600_000L, b.expiresAtMillis());
                }
                default -> throw new AssertionError(expect);
            }
        }

        @Test
        @DisplayName("a stale REGISTER changes none of its contacts, even those it would add")
        void staleChangesNothing() {
            ok(register().contact(DESK).cseq(5));
            List<Binding> before = stored;
            rejected(500, register().contact(PHONE, DESK).cseq(3));
            assertEquals(before, stored);
        }

        @Test
        @DisplayName("a stale removal (expires=0, old CSeq) is refused and the binding stays")
        void staleRemoval() {
            ok(register().contact(DESK).cseq(5));
            rejected(500, register().contact(DESK + ";expires=0").cseq(4));
            assertEquals(1, stored.size());
        }

        @Test
        @DisplayName("a retransmission of a multi-contact REGISTER arriving late changes nothing")
        void retransmissionOfSeveralContacts() {
            ok(register().callId("desk-1").contact(DESK, PHONE).expires(600).cseq(2));
            secondsLater(3);
            ok(register().callId("tablet-1").contact(TABLET));
            List<Binding> before = stored;

            secondsLater(4);
            RegisterOutcome.Accepted a = ok(register().callId("desk-1").contact(DESK, PHONE).expires(600).cseq(2));
            assertEquals(before, a.bindings(), "all bindings of the AOR, deadlines not pushed");
        }

        @Test
        @DisplayName("a retransmitted removal is accepted again and removes nothing else")
        void retransmittedRemoval() {
            ok(register().callId("desk-1").contact(DESK).cseq(1));
            ok(register().callId("phone-1").contact(PHONE).cseq(1));
            ok(register().callId("desk-1").contact(DESK).expires(0).cseq(2));
            RegisterOutcome.Accepted a = ok(register().callId("desk-1").contact(DESK).expires(0).cseq(2));
            assertEquals(List.of(uri(PHONE)), uris(a.bindings()));
        }
    }

    @Nested
    @DisplayName("RFC 5626 Outbound: +sip.instance and reg-id make a flow")
    class Outbound {
        final String flow1 = "<sip:alice@192.168.1.20:40001;transport=tcp;ob>;+sip.instance=" + INSTANCE + ";reg-id=1";

        @Test
        @DisplayName("a contact with +sip.instance and reg-id is a flow; the 200 says so (Require: outbound)")
        void flow() {
            RegisterOutcome.Accepted a = ok(register().over(Transport.TCP).from("203.0.113.9", 40001)
                    .supported("outbound").contact(flow1));
            Binding b = only(a);
            assertTrue(a.outboundFlow());
            assertTrue(b.isOutboundFlow());
            assertEquals(INSTANCE_ID, b.instanceId());
            assertEquals(1, b.regId());
        }

        @Test
        @DisplayName("same instance and reg-id from another Call-ID, contact URI and source port replaces the flow")
        void sameFlowReplaces() {
            ok(register().over(Transport.TCP).from("203.0.113.9", 40001).callId("boot-1").cseq(17).contact(flow1));
            secondsLater(20);
            String reconnected = "<sip:alice@192.168.1.20:40002;transport=tcp;ob>;+sip.instance=" + INSTANCE
                    + ";reg-id=1";
            RegisterOutcome.Accepted a = ok(register().over(Transport.TCP).from("203.0.113.9", 40002)
                    .callId("boot-2").cseq(1).contact(reconnected));

            Binding b = only(a);
            assertTrue(a.outboundFlow());
            assertEquals("sip:alice@192.168.1.20:40002;transport=tcp;ob", b.contactUri());
            assertEquals("203.0.113.9:40002", b.flowAddress());
            assertEquals("tcp:203.0.113.9:40002", b.connectionKey());
            assertEquals("boot-2", b.callId());
        }

        @Test
        @DisplayName("a second reg-id of the same instance is a second flow")
        void secondRegId() {
            ok(register().over(Transport.TCP).from("203.0.113.9", 40001).callId("boot-1").contact(flow1));
            String flow2 = "<sip:alice@192.168.1.20:40011;transport=tcp;ob>;+sip.instance=" + INSTANCE + ";reg-id=2";
            RegisterOutcome.Accepted a = ok(register().over(Transport.TCP).from("203.0.113.99", 40011)
                    .callId("boot-1b").contact(flow2));
            assertTrue(a.outboundFlow());
            assertEquals(2, a.bindings().size());
            assertEquals(List.of(1, 2), a.bindings().stream().map(Binding::regId).sorted().toList());
            assertEquals(List.of("tcp:203.0.113.99:40011", "tcp:203.0.113.9:40001"),
                    a.bindings().stream().map(Binding::connectionKey).sorted().toList());
        }

        @Test
        @DisplayName("the flow's own Expires: 0 from a new Call-ID removes it")
        void flowRemoved() {
            ok(register().over(Transport.TCP).from("203.0.113.9", 40001).callId("boot-1").cseq(9).contact(flow1));
            ok(register().callId("desk-1").contact(DESK));
            String gone = "<sip:alice@192.168.1.20:40005;transport=tcp;ob>;+sip.instance=" + INSTANCE
                    + ";reg-id=1;expires=0";
            RegisterOutcome.Accepted a = ok(register().over(Transport.TCP).from("203.0.113.9", 40005)
                    .callId("boot-2").cseq(1).contact(gone));
            assertEquals(List.of(uri(DESK)), uris(a.bindings()));
        }

        @Test
        @DisplayName("reg-id without +sip.instance is ignored: no flow")
        void regIdWithoutInstance() {
            RegisterOutcome.Accepted a = ok(register().over(Transport.TCP).from("203.0.113.9", 40001)
                    .contact("<sip:alice@192.168.1.20:40001;transport=tcp>;reg-id=1"));
            Binding b = only(a);
            assertFalse(a.outboundFlow());
            assertFalse(b.isOutboundFlow());
            assertEquals(0, b.regId());
            assertNull(b.connectionKey(), "plain TCP binding outlives its connection");
        }

        @Test
        @DisplayName("+sip.instance without reg-id is not a flow: contacts are told apart by URI")
        void instanceWithoutRegId() {
            ok(register().callId("c1").contact("<sip:alice@192.0.2.10:5062>;+sip.instance=" + INSTANCE));
            RegisterOutcome.Accepted a = ok(register().callId("c2")
                    .contact("<sip:alice@192.0.2.10:5064>;+sip.instance=" + INSTANCE));
            assertFalse(a.outboundFlow());
            assertEquals(2, a.bindings().size());
            assertEquals(INSTANCE_ID, a.bindings().get(0).instanceId(), "the instance is kept (for GRUU, 200)");
        }

        @Test
        @DisplayName("a plain REGISTER is not Outbound")
        void plain() {
            assertFalse(ok(register().contact(DESK)).outboundFlow());
        }

        @Test
        @DisplayName("the retransmission of a flow REGISTER still answers as Outbound")
        void retransmission() {
            ok(register().over(Transport.TCP).from("203.0.113.9", 40001).cseq(3).contact(flow1));
            RegisterOutcome.Accepted a = ok(register().over(Transport.TCP).from("203.0.113.9", 40001).cseq(3)
                    .contact(flow1));
            assertTrue(a.outboundFlow());
        }
    }

    @Nested
    @DisplayName("RFC 5626 / RFC 7118: which bindings live and die with their connection")
    class ConnectionTying {

        @ParameterizedTest(name = "{0} {1} → tied to the connection: {2}, WebSocket client: {3}")
        @CsvSource(delimiter = '|', textBlock = """
                # transport | Contact                                                                 | tied  | ws
                UDP | <sip:alice@192.168.1.20:5060>                                               | false | false
                UDP | <sip:alice@192.168.1.20:5060;ob>;+sip.instance="<urn:uuid:AA>";reg-id=1     | false | false
                TCP | <sip:alice@192.168.1.20:5060;transport=tcp>                                 | false | false
                TCP | <sip:alice@192.168.1.20:5060;transport=tcp;ob>;+sip.instance="<urn:uuid:AA>";reg-id=1 | true | false
                TLS | <sips:alice@192.168.1.20:5061>                                              | false | false
                TLS | <sips:alice@192.168.1.20:5061;ob>;+sip.instance="<urn:uuid:AA>";reg-id=1    | true  | false
                WS  | <sip:k3d9@df7jal23.invalid;transport=ws>                                    | true  | true
                WS  | <sip:k3d9@df7jal23.invalid;transport=ws;ob>;+sip.instance="<urn:uuid:AA>";reg-id=1 | true | true
                WSS | <sip:k3d9@df7jal23.invalid;transport=wss>                                   | true  | true
                WSS | <sip:k3d9@df7jal23.invalid;transport=wss;ob>;+sip.instance="<urn:uuid:AA>";reg-id=1 | true | true
                """)
        void tying(Transport transport, String contact, boolean tied, boolean webSocketClient) {
            Requests.Builder request = register().over(transport).from("203.0.113.9", 40123).contact(contact);
            String key = request.connectionKey();
            Binding b = only(ok(request));

            assertEquals(tied ? key : null, b.connectionKey());
            if (tied) {
                assertEquals(transport.name().toLowerCase() + ":203.0.113.9:40123", b.connectionKey());
            }
            assertEquals(webSocketClient, b.webSocketClient());
            assertEquals(transport, b.transport());
            assertEquals("node-1", b.nodeId(), "the node owning the connection");
        }

        @Test
        @DisplayName("a WebSocket UA re-registering on a new connection moves its binding to that connection")
        void webSocketReconnect() {
            ok(register().over(Transport.WSS).from("198.51.100.7", 40001).contact(BROWSER).cseq(1));
            Binding b = only(ok(register().over(Transport.WSS).from("198.51.100.7", 40777).contact(BROWSER)
                    .cseq(2)));
            assertEquals("wss:198.51.100.7:40777", b.connectionKey());
        }
    }

    @Nested
    @DisplayName("where the UA is: the flow address (RFC 3261 §18.2.1 received/rport, RFC 3581)")
    class FlowAddress {

        @ParameterizedTest(name = "{0} from {1}:{2} → {3}")
        @CsvSource(delimiter = '|', textBlock = """
                # transport | source address | port  | flow address
                UDP         | 203.0.113.9    | 40123 | 203.0.113.9:40123
                TCP         | 198.51.100.20  | 5060  | 198.51.100.20:5060
                WSS         | 198.51.100.7   | 52344 | 198.51.100.7:52344
                UDP         | 2001:db8::7    | 5062  | [2001:db8::7]:5062
                """)
        void sourceOfTheRequest(Transport transport, String address, int port, String flowAddress) {
            // behind a NAT: the Contact has the private address, the packet the public one
            Binding b = only(ok(register().over(transport).from(address, port)
                    .contact("<sip:alice@192.168.1.20:5060>")));
            assertEquals(flowAddress, b.flowAddress());
            assertEquals("sip:alice@192.168.1.20:5060", b.contactUri(), "the Contact is stored as sent");
        }
    }

    @Nested
    @DisplayName("RFC 3327 Path")
    class Path {
        final String[] path = {"<sip:edge-1.example.com;lr;ob>", "<sip:p2.example.net;lr>"};

        @Test
        @DisplayName("with Supported: path the Path is stored on the binding and echoed in the 200")
        void stored() {
            RegisterOutcome.Accepted a = ok(register().supported("path").path(path).contact(DESK));
            assertEquals(List.of(path), only(a).path());
            assertEquals(List.of(path), a.storedPath());
        }

        @Test
        @DisplayName("without Supported: path the Path is not stored")
        void notSupported() {
            RegisterOutcome.Accepted a = ok(register().path(path).contact(DESK));
            assertEquals(List.of(), only(a).path());
            assertEquals(List.of(), a.storedPath());
        }

        @Test
        @DisplayName("a refresh through another edge replaces the stored Path")
        void refreshedThroughAnotherEdge() {
            ok(register().supported("path").path(path).contact(DESK).cseq(1));
            Binding b = only(ok(register().supported("path").path("<sip:edge-2.example.com;lr>").contact(DESK)
                    .cseq(2)));
            assertEquals(List.of("<sip:edge-2.example.com;lr>"), b.path());
        }
    }

    @Nested
    @DisplayName("RFC 8599 push notifications")
    class Push {
        final String pushContact = "<sip:alice@192.0.2.10:5062;transport=tls"
                + ";pn-provider=apns;pn-prid=00fc13adff78512;pn-param=ABCD1234.com.example.voip>";

        @Test
        @DisplayName("the pn-* parameters of the Contact URI are carried onto the binding")
        void carried() {
            Binding b = only(ok(register().over(Transport.TLS).contact(pushContact)));
            assertEquals(new PushParams("apns", "00fc13adff78512", "ABCD1234.com.example.voip"), b.push());
            assertTrue(b.push().present());
        }

        @Test
        @DisplayName("no pn-* parameters: no push")
        void absent() {
            assertFalse(only(ok(register().contact(DESK))).push().present());
        }

        @Test
        @DisplayName("a refresh with a rotated push token updates the same binding")
        void rotatedToken() {
            ok(register().over(Transport.TLS).contact(pushContact).cseq(1));
            Binding b = only(ok(register().over(Transport.TLS).cseq(2).contact(pushContact
                    .replace("00fc13adff78512", "77aa01bb02cc"))));
            assertEquals("77aa01bb02cc", b.push().prid());
        }
    }

    @Nested
    @DisplayName("all or nothing: a refused REGISTER applies none of its contacts")
    class AllOrNothing {

        @Test
        @DisplayName("second contact too brief → 423, the first is not bound")
        void secondTooBrief() {
            RegisterOutcome.Rejected r = rejected(423,
                    register().contact(DESK + ";expires=3600", PHONE + ";expires=30"));
            assertEquals("60", r.headers().get("Min-Expires"));
            assertEquals(List.of(), ok(query().callId("q-1")).bindings());
        }

        @Test
        @DisplayName("first contact a removal, second too brief → 423, the binding stays")
        void removalNotApplied() {
            ok(register().contact(DESK).cseq(1));
            List<Binding> before = stored;
            rejected(423, register().contact(DESK + ";expires=0", PHONE + ";expires=5").cseq(2));
            assertEquals(before, ok(query().callId("q-1")).bindings());
        }

        @Test
        @DisplayName("a negative expires is a 400")
        void negativeExpires() {
            rejected(400, register().contact(DESK, PHONE + ";expires=-1"));
        }
    }

    @Nested
    @DisplayName("expired bindings are gone (RFC 3261 §10.2.1.1)")
    class Expired {

        @Test
        @DisplayName("not listed, neither in a query nor in a 200 to another device")
        void notListed() {
            ok(register().callId("desk-1").contact(DESK).expires(60));
            ok(register().callId("phone-1").contact(PHONE).expires(600));
            secondsLater(60);   // the deadline itself: gone
            assertEquals(List.of(uri(PHONE)), uris(ok(query().callId("q-1")).bindings()));
            assertEquals(List.of(uri(TABLET), uri(PHONE)),
                    uris(ok(register().callId("tablet-1").contact(TABLET)).bindings()));
        }

        @Test
        @DisplayName("not counted against max-contacts")
        void notCounted() {
            rules = new RegistrarRules(new RegistrarLimits(60, 7200, 3600, 3), "node-1");
            ok(register().callId("old").contact("<sip:alice@192.0.2.1>", "<sip:alice@192.0.2.2>",
                    "<sip:alice@192.0.2.3>").expires(60));
            secondsLater(61);
            RegisterOutcome.Accepted a = ok(register().callId("new").contact(DESK, PHONE, TABLET));
            assertEquals(3, a.bindings().size());
        }

        @Test
        @DisplayName("an expired binding's CSeq no longer orders the Call-ID")
        void noLongerOrders() {
            ok(register().contact(DESK).expires(60).cseq(50));
            secondsLater(61);
            assertEquals(3, only(ok(register().contact(DESK).cseq(3))).cseq());
        }
    }
}
