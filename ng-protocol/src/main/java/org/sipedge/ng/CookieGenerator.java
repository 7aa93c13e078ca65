package org.sipedge.ng;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cookies as Kamailio makes them, {@code <pid>_<random>_<seq>}: unique per request so that rtpengine's reply cache
 * (keyed on the cookie alone, 30–60 s) never answers a new request with an old reply. The random part keeps two
 * processes with the same pid (containers, restarts) apart. Thread-safe.
 */
public final class CookieGenerator {
    private final String prefix;
    private final AtomicLong sequence = new AtomicLong();

    public CookieGenerator() {
        this(ProcessHandle.current().pid(), new SecureRandom().nextInt(1 << 30));
    }

    public CookieGenerator(long pid, int random) {
        this.prefix = pid + "_" + Integer.toString(random & 0x7fffffff, 36) + "_";
    }

    /** The next cookie. */
    public String next() {
        return prefix + sequence.incrementAndGet();
    }
}
