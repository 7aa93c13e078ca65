package org.sipedge.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PageTest {
    private static final List<String> AORS = List.of("sip:alice@example.com", "sip:bob@example.com",
            "sip:carol@example.com", "sip:dave@example.org", "sip:erin@example.org");

    @Test
    void searchIsCaseInsensitiveAnywhereAndTotalCountsEveryMatch() {
        Page<String> p = Page.of(AORS, Function.identity(), "EXAMPLE.ORG", 1, 1);
        assertEquals(List.of("sip:dave@example.org"), p.items());
        assertEquals(2, p.total());
    }

    @Test
    void pagesCutInOrderAndPastTheEndIsEmpty() {
        assertEquals(List.of("sip:carol@example.com", "sip:dave@example.org"),
                Page.of(AORS, Function.identity(), "", 2, 2).items());
        assertEquals(List.of(), Page.of(AORS, Function.identity(), null, 9, 2).items());
        assertEquals(5, Page.of(AORS, Function.identity(), null, 9, 2).total());
    }

    @Test
    void nonsenseSizesAreBounded() {
        assertEquals(1, Page.of(AORS, Function.identity(), "", 0, 0).size());
        assertEquals(Page.MAX_SIZE, Page.of(AORS, Function.identity(), "", 1, 1_000_000).size());
        assertEquals(1, Page.of(AORS, Function.identity(), "", -3, 5).page());
    }
}
