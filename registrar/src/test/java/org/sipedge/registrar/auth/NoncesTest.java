package org.sipedge.registrar.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NoncesTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final byte[] SECRET = filled(32, (byte) 7);

    private final Nonces nonces = new Nonces(SECRET, 300, 1000);

    static Stream<Arguments> ages() {
        return Stream.of(
                Arguments.of(0L, Nonces.Validity.VALID),
                Arguments.of(299L, Nonces.Validity.VALID),
                Arguments.of(300L, Nonces.Validity.STALE),
                Arguments.of(86_400L, Nonces.Validity.STALE),
                Arguments.of(-60L, Nonces.Validity.VALID), // a peer's clock slightly ahead
                Arguments.of(-61L, Nonces.Validity.STALE)); // a clock that jumped
    }

    @ParameterizedTest(name = "checked {0} s after issue: {1}")
    @MethodSource("ages")
    void validityByAge(long ageSeconds, Nonces.Validity expected) {
        String nonce = nonces.issue(T0);
        assertEquals(expected, nonces.check(nonce, T0.plusSeconds(ageSeconds)));
    }

    @Test
    void noncesAreUrlSafeAndUnique() {
        String a = nonces.issue(T0);
        String b = nonces.issue(T0);
        assertNotEquals(a, b);
        assertTrue(a.matches("[A-Za-z0-9_-]{75}"), a);
    }

    static Stream<Arguments> forgeries() {
        Nonces ours = new Nonces(SECRET, 300, 1000);
        String good = ours.issue(T0);
        String foreign = new Nonces(filled(32, (byte) 8)).issue(T0);
        return Stream.of(
                Arguments.of("timestamp changed", flip(good, 3)),
                Arguments.of("random part changed", flip(good, 20)),
                Arguments.of("mac changed", flip(good, 60)),
                Arguments.of("non-canonical last character", flipLowBits(good)),
                Arguments.of("truncated", good.substring(0, 74)),
                Arguments.of("extended", good + "A"),
                Arguments.of("not base64url", good.substring(0, 74) + "+"),
                Arguments.of("padding inside", "=" + good.substring(1)),
                Arguments.of("other server's secret", foreign),
                Arguments.of("empty", ""),
                Arguments.of("null", null),
                Arguments.of("RFC example nonce", "dcd98b7102dd2f0e8b11d0f600bfb0c093"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void forgedNoncesAreInvalidNotStale(String description, String nonce) {
        Nonces ours = new Nonces(SECRET, 300, 1000);
        assertEquals(Nonces.Validity.INVALID, ours.check(nonce, T0));
        assertEquals(Nonces.Validity.INVALID, ours.check(nonce, T0.plusSeconds(10_000)));
    }

    @Test
    void nodesSharingTheSecretAcceptEachOthersNonces() {
        Nonces peer = new Nonces(SECRET.clone(), 300, 1000);
        assertEquals(Nonces.Validity.VALID, peer.check(nonces.issue(T0), T0.plusSeconds(1)));
    }

    @Test
    void nonceCountMustIncrease() {
        String nonce = nonces.issue(T0);
        long[] counts = {1, 1, 3, 2, 3, 4, 0x7fffffffL, 5};
        Nonces.NonceCountCheck[] expected = {
            Nonces.NonceCountCheck.ACCEPTED, Nonces.NonceCountCheck.REPLAYED, Nonces.NonceCountCheck.ACCEPTED,
            Nonces.NonceCountCheck.REPLAYED, Nonces.NonceCountCheck.REPLAYED, Nonces.NonceCountCheck.ACCEPTED,
            Nonces.NonceCountCheck.ACCEPTED, Nonces.NonceCountCheck.REPLAYED};
        for (int i = 0; i < counts.length; i++) {
            assertEquals(expected[i], nonces.recordNonceCount(nonce, counts[i], T0), "nc " + counts[i]);
        }
    }

    @Test
    void countsAreTrackedPerNonce() {
        String a = nonces.issue(T0);
        String b = nonces.issue(T0);
        assertEquals(Nonces.NonceCountCheck.ACCEPTED, nonces.recordNonceCount(a, 1, T0));
        assertEquals(Nonces.NonceCountCheck.ACCEPTED, nonces.recordNonceCount(b, 1, T0));
    }

    @Test
    void concurrentUsesOfOneCountAcceptExactlyOne() throws Exception {
        String nonce = nonces.issue(T0);
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (long nc = 1; nc <= 200; nc++) {
                long count = nc;
                CountDownLatch start = new CountDownLatch(1);
                List<Callable<Nonces.NonceCountCheck>> tasks = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    tasks.add(() -> {
                        start.await();
                        return nonces.recordNonceCount(nonce, count, T0);
                    });
                }
                List<Future<Nonces.NonceCountCheck>> futures = new ArrayList<>();
                for (Callable<Nonces.NonceCountCheck> task : tasks) {
                    futures.add(pool.submit(task));
                }
                start.countDown();
                int accepted = 0;
                for (Future<Nonces.NonceCountCheck> f : futures) {
                    accepted += f.get() == Nonces.NonceCountCheck.ACCEPTED ? 1 : 0;
                }
                assertEquals(1, accepted, "nc " + count);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void capEvictsOldestAndForgetsThem() {
        Nonces small = new Nonces(SECRET, 300, 2);
        String first = small.issue(T0);
        String second = small.issue(T0.plusSeconds(1));
        String third = small.issue(T0.plusSeconds(2));
        Instant now = T0.plusSeconds(3);
        assertEquals(Nonces.NonceCountCheck.ACCEPTED, small.recordNonceCount(first, 1, now));
        assertEquals(Nonces.NonceCountCheck.ACCEPTED, small.recordNonceCount(second, 1, now));
        assertEquals(Nonces.NonceCountCheck.ACCEPTED, small.recordNonceCount(third, 1, now));
        assertEquals(2, small.trackedNonceCount());
        // The evicted nonce cannot start over at count 1: that would accept a replay.
        assertEquals(Nonces.NonceCountCheck.FORGOTTEN, small.recordNonceCount(first, 1, now));
        assertEquals(Nonces.NonceCountCheck.FORGOTTEN, small.recordNonceCount(first, 2, now));
        assertEquals(Nonces.NonceCountCheck.ACCEPTED, small.recordNonceCount(third, 2, now));
        // Nonces issued after the evicted one are unaffected.
        String fourth = small.issue(T0.plusSeconds(3));
        assertEquals(Nonces.NonceCountCheck.ACCEPTED, small.recordNonceCount(fourth, 1, now));
        assertEquals(2, small.trackedNonceCount());
    }

    @Test
    void entriesExpireWithTheirNonce() {
        Nonces shortLived = new Nonces(SECRET, 10, 1000);
        String old = shortLived.issue(T0);
        assertEquals(Nonces.NonceCountCheck.ACCEPTED, shortLived.recordNonceCount(old, 1, T0));
        Instant later = T0.plusSeconds(11);
        String fresh = shortLived.issue(later);
        assertEquals(Nonces.NonceCountCheck.ACCEPTED, shortLived.recordNonceCount(fresh, 1, later));
        assertEquals(1, shortLived.trackedNonceCount());
        assertEquals(Nonces.NonceCountCheck.FORGOTTEN, shortLived.recordNonceCount(old, 2, later));
    }

    @Test
    void manyDistinctNoncesStayWithinTheCap() throws Exception {
        Nonces bounded = new Nonces(SECRET, 300, 500);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        bounded.recordNonceCount(bounded.issue(T0), 1, T0);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // A later insertion, alone, brings the map back within the cap (a concurrent sweep may have taken one more).
        bounded.recordNonceCount(bounded.issue(T0), 1, T0);
        int tracked = bounded.trackedNonceCount();
        assertTrue(tracked <= 500 && tracked >= 500 - threads, "tracked " + tracked);
    }

    @Test
    void rejectsWeakConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new Nonces(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> new Nonces(SECRET, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Nonces(SECRET, 300, 0));
    }

    @Test
    void recordingAForeignNonceIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> nonces.recordNonceCount("abc", 1, T0));
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }

    /** Changes one character to another base64url character, so only the content is wrong. */
    private static String flip(String nonce, int index) {
        char c = nonce.charAt(index);
        char replacement = c == 'A' ? 'B' : 'A';
        return nonce.substring(0, index) + replacement + nonce.substring(index + 1);
    }

    /** Sets the unused low bits of the last character: decodes to the same bytes, but is another spelling. */
    private static String flipLowBits(String nonce) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(nonce.charAt(nonce.length() - 1));
        return nonce.substring(0, nonce.length() - 1) + alphabet.charAt(last ^ 1);
    }
}
