package org.sipedge.proxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sipedge.registrar.Binding;
import org.sipedge.registrar.PushParams;
import org.sipedge.registrar.Transport;

/** The routing decision, in the order an operator checks it (issue: 483, 482, fork by q, push, store, 480, 404). */
class RoutingRulesTest {
    private static final PushContact PHONE = new PushContact("apns", "DEV-1", "TEAM.org.example");

    private static Binding binding(String contact, Float q, String connection, String node) {
        return new Binding(contact, q, Long.MAX_VALUE, "c", 1, null, 0, List.of(), Transport.UDP, null, connection,
                node, false, PushParams.NONE, 0, "z9hG4bK1");
    }

    private static RoutingRules rules(boolean push, boolean store, boolean storeAny) {
        return new RoutingRules("n1", push, store, storeAny, ForeignFlows.UNREACHABLE);
    }

    private static RoutingDecision decide(RoutingRules r, String method, int maxForwards, boolean looped, AorState s) {
        return r.decide(new InitialRequest(method, "sip:bob@example.com", maxForwards, looped), s);
    }

    private static final AorState NOBODY = new AorState(false, List.of(), List.of());
    private static final AorState KNOWN_OFFLINE = new AorState(true, List.of(), List.of());
    private static final AorState SLEEPING = new AorState(true, List.of(), List.of(PHONE));
    private static final AorState ONLINE = new AorState(true, List.of(binding("sip:bob@127.0.0.1:5070", null, null, null)),
            List.of(PHONE));

    @ParameterizedTest(name = "{0} maxForwards={1} looped={2} state={3} push={4} store={5} -> {6}")
    @CsvSource({
            // method, Max-Forwards, looped, state, push on, store on, expected
            "INVITE,  0, false, ONLINE,        true,  true,  483",
            "INVITE,  0, true,  ONLINE,        true,  true,  483",   // hops first, like the stack would
            "INVITE, 70, true,  ONLINE,        true,  true,  482",
            "INVITE, 70, false, ONLINE,        true,  true,  fork",
            "MESSAGE,70, false, ONLINE,        true,  true,  fork",
            "INVITE, 70, false, SLEEPING,      true,  true,  push",
            "MESSAGE,70, false, SLEEPING,      true,  true,  push",
            "OPTIONS,70, false, SLEEPING,      true,  true,  480",   // only INVITE and MESSAGE wake a device
            "INVITE, 70, false, SLEEPING,      false, true,  480",   // push off
            "MESSAGE,70, false, SLEEPING,      false, true,  store",
            "MESSAGE,70, false, KNOWN_OFFLINE, true,  true,  store",
            "MESSAGE,70, false, KNOWN_OFFLINE, true,  false, 480",
            "INVITE, 70, false, KNOWN_OFFLINE, true,  true,  480",
            "INVITE, 70, false, NOBODY,        true,  true,  404",
            "MESSAGE,70, false, NOBODY,        true,  true,  404",   // strangers' messages are not kept by default
    })
    void decisionTable(String method, int maxForwards, boolean looped, String state, boolean push, boolean store,
                       String expected) {
        AorState s = switch (state) {
            case "ONLINE" -> ONLINE;
            case "SLEEPING" -> SLEEPING;
            case "KNOWN_OFFLINE" -> KNOWN_OFFLINE;
            default -> NOBODY;
        };
        RoutingDecision d = decide(rules(push, store, false), method, maxForwards, looped, s);
        assertEquals(expected, name(d), d.toString());
    }

    @Test
    void storeForAnyUserKeepsStrangersMessages() {
        assertInstanceOf(RoutingDecision.Store.class, decide(rules(false, true, true), "MESSAGE", 70, false, NOBODY));
    }

    @Test
    void requestUriWithoutUserIs404() {
        RoutingDecision d = rules(true, true, false).decide(new InitialRequest("INVITE", null, 70, false), ONLINE);
        assertEquals("404", name(d));
    }

    @Test
    void qValuesMakeSerialGroupsHighestFirstAndEqualOnesForkTogether() {
        AorState s = new AorState(true, List.of(
                binding("sip:a@127.0.0.1:1", 0.5f, null, null),
                binding("sip:b@127.0.0.1:2", null, null, null),     // no q = 1.0
                binding("sip:c@127.0.0.1:3", 1.0f, null, null),
                binding("sip:d@127.0.0.1:4", 0.1f, null, null)), List.of());
        RoutingDecision.Fork f = (RoutingDecision.Fork) decide(rules(false, false, false), "INVITE", 70, false, s);
        // contacts without a transport parameter are sent on the one they registered on (Binding.routableContactUri)
        assertEquals(List.of(List.of("sip:b@127.0.0.1:2;transport=udp", "sip:c@127.0.0.1:3;transport=udp"),
                List.of("sip:a@127.0.0.1:1;transport=udp"), List.of("sip:d@127.0.0.1:4;transport=udp")), f.groups().stream().map(g -> g.stream().map(Target::uri).toList()).toList());
        assertEquals(4, f.targetCount());
    }

    @Test
    void aConnectionOwnedByAnotherNodeIsNotSentFromHere() {
        AorState s = new AorState(true, List.of(binding("sip:ws@x.invalid;transport=ws", null, "ws:1", "n2")), List.of());
        assertEquals("480", name(decide(rules(false, false, false), "INVITE", 70, false, s)));

        Binding viaOwner = binding("sip:ws@x.invalid;transport=ws", null, null, null);
        RoutingRules clustered = new RoutingRules("n1", false, false, false, (aor, b) -> Optional.of(viaOwner));
        assertEquals("fork", name(clustered.decide(new InitialRequest("INVITE", "sip:bob@example.com", 70, false), s)));
    }

    @Test
    void aConnectionOwnedHereIsUsed() {
        AorState s = new AorState(true, List.of(binding("sip:ws@x.invalid;transport=ws", null, "ws:1", "n1")), List.of());
        assertEquals("fork", name(decide(rules(false, false, false), "INVITE", 70, false, s)));
    }

    private static String name(RoutingDecision d) {
        if (d instanceof RoutingDecision.Reject r) {
            return Integer.toString(r.status());
        }
        if (d instanceof RoutingDecision.Fork) {
            return "fork";
        }
        if (d instanceof RoutingDecision.Push) {
            return "push";
        }
        return "store";
    }
}
