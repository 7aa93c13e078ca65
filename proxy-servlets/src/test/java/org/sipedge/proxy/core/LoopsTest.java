package org.sipedge.proxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoopsTest {
    private static final Set<String> OURS = Set.of("127.0.0.1:5060", "127.0.0.1:5061", "[::1]:5060");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1                | true",
            "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1                     | true",   // default port 5060
            "SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK1                     | true",   // default port 5061 for TLS
            "SIP/2.0/WSS 127.0.0.1;branch=z9hG4bK1                     | true",
            "sip/2.0/udp 127.0.0.1:5060;branch=z9hG4bK1;rport          | true",
            "SIP/2.0/UDP [::1]:5060;branch=z9hG4bK1                    | true",
            "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1                | false",
            "SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK1                | false",
            "SIP/2.0/WS abcd.invalid;branch=z9hG4bK1                   | false",
            "garbage                                                   | false",
    })
    void aViaOfOursIsALoop(String via, boolean looped) {
        assertEquals(looped, Loops.looped(List.of("SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKfirst", via), OURS));
    }
}
