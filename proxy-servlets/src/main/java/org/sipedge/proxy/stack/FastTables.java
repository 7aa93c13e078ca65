package org.sipedge.proxy.stack;

import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.sipedge.proxy.core.CallTable;
import org.sipedge.proxy.core.ShortLivedTable;

/**
 * The fast path's only state: short-lived tables per INVITE it forwarded (for its retransmissions, CANCEL and
 * non-2xx ACK, and the direction of its offer/answer), the INVITEs being handled, and the counters.
 */
final class FastTables {
    /** 64*T1 plus slack: CANCEL, ACK and 2xx retransmissions. */
    static final long TRANSACTION_MILLIS = 40_000;
    /**
     * Entries per transaction table: 5,000 new calls a second for the 40 s an entry lives, about 40 MB at most.
     * Fixed, not a parameter: when a table is full the fast path declines and the container's proxy carries the
     * call, so the limit bounds memory without refusing anyone.
     */
    static final int TABLE_LIMIT = 200_000;

    /** An INVITE we forwarded: where to, with which branch and Request-URI (for its CANCEL and non-2xx ACK). */
    record Forwarded(InetAddress host, int port, String ourBranch, String requestUri) {
    }

    /** How the SDP of the responses to an INVITE we forwarded is to be anchored. */
    record InviteState(boolean initial, boolean lateOffer) {
    }

    final ShortLivedTable<String, Forwarded> forwarded =
            new ShortLivedTable<>(TRANSACTION_MILLIS, TABLE_LIMIT, System::nanoTime);
    final ShortLivedTable<String, InviteState> invites =
            new ShortLivedTable<>(TRANSACTION_MILLIS, TABLE_LIMIT, System::nanoTime);
    /** Our INVITE branches whose final response has been forwarded: no 1xx after it. */
    final InviteResponseOrder inviteOrder = new InviteResponseOrder(
            new ShortLivedTable<>(TRANSACTION_MILLIS, TABLE_LIMIT, System::nanoTime));
    /**
     * Caller branches of initial INVITEs whose first copy is being handled (location lookup, media offer, send).
     * While the first copy waits for the store or for the media engine, the caller's retransmissions are absorbed:
     * handling each as well would anchor the offer again, and send the callee copies that can arrive after its 200
     * and even after the ACK. An entry leaves as its first copy goes out.
     */
    final Set<String> handling = ConcurrentHashMap.newKeySet();

    /** This node's calls, shared with the container's proxy (the admin API's list). */
    final CallTable calls;

    FastTables(CallTable calls) {
        this.calls = calls;
    }

    final LongAdder initialForwarded = new LongAdder();
    final LongAdder requestsForwarded = new LongAdder();
    final LongAdder responsesForwarded = new LongAdder();
    final LongAdder declined = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder absorbed = new LongAdder();
    final LongAdder slowStore = new LongAdder();
}
