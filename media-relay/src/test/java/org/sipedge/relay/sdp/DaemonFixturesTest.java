package org.sipedge.relay.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture captured from rtpengine 10.5 (sdp/daemon/, see capture-fixtures.py): our rewrite of the same SDP
 * with the same options and the daemon's ports must be byte-identical to what the daemon sent, line endings
 * included. A fixture may name lines the daemon writes that we deliberately do not (its own ICE/SRTP material,
 * "a=rtpmap:97 /0"); only those are removed from the expectation, and the test checks they were really there.
 */
class DaemonFixturesTest {

    static Stream<DaemonFixture> fixtures() throws Exception {
        return DaemonFixture.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void rewriteIsByteIdenticalToRtpengine(DaemonFixture f) {
        String actual = f.rewrite();
        String expected = f.expectedWithoutIgnored();
        assertEquals(escape(expected), escape(actual), () -> f.name() + ": " + f.description() + "\nsource: "
                + f.source() + "\n" + SdpNormalizer.describeDifference(expected, actual));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void ignoredLinesAreRealDifferences(DaemonFixture f) {
        if (f.ignoreExpected() != null) {
            assertNotEquals(f.expected(), f.expectedWithoutIgnored(),
                    f.name() + ": ignoreExpected matches nothing; drop it (" + f.ignoreWhy() + ")");
        }
    }

    @Test
    void thereAreFixturesForEveryPlainTranscriptAndTheExperiments() throws Exception {
        var names = fixtures().map(DaemonFixture::name).toList();
        for (String prefix : new String[] {"t02-", "t06-", "t07-20-", "t08-", "t11-", "t12-", "x-answer-"}) {
            assertTrue(names.stream().anyMatch(n -> n.startsWith(prefix)), "no fixture " + prefix + "*");
        }
        assertTrue(names.size() >= 80, "fixtures went missing: " + names.size());
    }

    @Test
    void fixturesKeepTheirLineEndings() throws Exception {
        // if git or an editor normalised line endings, the bare-LF fixtures would silently test CRLF
        DaemonFixture bareLf = fixtures().filter(f -> f.name().equals("t07-20-offer-bare-lf")).findFirst()
                .orElseThrow();
        assertFalse(bareLf.input().contains("\r"));
        assertTrue(bareLf.expected().contains("\r\n") && bareLf.expected().contains("t=0 0\nm="));
    }

    /** Shows CR and LF so that an ending difference is visible in the assertion message. */
    private static String escape(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n\n");
    }
}
