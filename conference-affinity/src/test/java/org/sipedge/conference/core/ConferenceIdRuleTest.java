package org.sipedge.conference.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.sipedge.conference.core.ConferenceIdRule.RequestFacts;
import org.sipedge.conference.core.ConferenceIdRule.Source;

class ConferenceIdRuleTest {
    private static RequestFacts request(String ruriUser, String toUser, Map<String, String> headers) {
        return new RequestFacts(ruriUser, toUser, headers::get);
    }

    @Test
    void requestUriUserWithTheDefaultPattern() {
        ConferenceIdRule rule = new ConferenceIdRule(Source.RURI_USER, "", Pattern.compile("conf-(.+)"));
        assertEquals(Optional.of("4711"), rule.conferenceId(request("conf-4711", "bob", Map.of())));
        assertEquals(Optional.empty(), rule.conferenceId(request("alice", "conf-4711", Map.of())),
                "only the configured source counts");
        assertEquals(Optional.empty(), rule.conferenceId(request("xconf-1", null, Map.of())), "the whole user must match");
        assertEquals(Optional.empty(), rule.conferenceId(request(null, null, Map.of())));
    }

    @Test
    void toUserAndAPatternWithoutGroup() {
        ConferenceIdRule rule = new ConferenceIdRule(Source.TO_USER, "", Pattern.compile("room\\d+"));
        assertEquals(Optional.of("room12"), rule.conferenceId(request("x", "room12", Map.of())));
        assertEquals(Optional.empty(), rule.conferenceId(request("room12", "bob", Map.of())));
    }

    @Test
    void header() {
        ConferenceIdRule rule = new ConferenceIdRule(Source.HEADER, "X-Conference-Id", Pattern.compile("(.+)"));
        assertEquals(Optional.of("weekly-sync"),
                rule.conferenceId(request("x", "y", Map.of("X-Conference-Id", " weekly-sync "))));
        assertEquals(Optional.empty(), rule.conferenceId(request("x", "y", Map.of())));
    }

    @Test
    void overlongIdsAreNotConferenceIds() {
        ConferenceIdRule rule = new ConferenceIdRule(Source.RURI_USER, "", Pattern.compile("conf-(.+)"));
        assertEquals(Optional.empty(), rule.conferenceId(request("conf-" + "9".repeat(200), null, Map.of())));
    }
}
