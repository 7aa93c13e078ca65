package org.sipedge.relay.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.sipedge.ng.NgCommand;
import org.sipedge.relay.ng.NgFrontEnd;
import org.sipedge.relay.ng.NgHandler;
import org.sipedge.relay.webrtc.WebRtcContext;

/**
 * rtpengine's ng commands over the relay's calls: one table of commands ({@link NgCommand}), the options parsed in
 * one place ({@link SignalOptions}), replies and error reasons shaped as rtpengine 10.5 shapes them (transcripts 02,
 * 07, 08). An offer or answer is prepared first (sockets bound, SDP written), checked against the reply budget,
 * and only then applied, so a request that fails leaves no call and no socket behind (rtpengine keeps a call after
 * "Error rewriting SDP": we do not). One log line per call decision, with the Call-ID.
 *
 * <p>This class dispatches and counts the commands and answers ping, list and statistics itself; offer and answer
 * are in {@link OfferAnswer} (one exchange: {@link Exchange}), delete and query in {@link DeleteQuery}, the query
 * reply in {@link CallReport}.
 */
public final class NgCommands implements NgHandler {
    private final CallTable calls;
    private final MediaPorts ports;
    private final long startedMillis = System.currentTimeMillis();
    private final Map<NgCommand, LongAdder> commandCounts = new LinkedHashMap<>();
    private final LongAdder unsupportedRequests = new LongAdder();
    /** WebRTC termination (ICE-lite, DTLS-SRTP), or null: offers that need it are refused. */
    private final WebRtcContext webrtc;
    private final OfferAnswer offerAnswer;
    private final DeleteQuery deleteQuery;

    public NgCommands(RelaySettings settings, CallTable calls, MediaPorts ports) {
        this(settings, calls, ports, null);
    }

    public NgCommands(RelaySettings settings, CallTable calls, MediaPorts ports, WebRtcContext webrtc) {
        this.calls = calls;
        this.ports = ports;
        this.webrtc = webrtc;
        this.offerAnswer = new OfferAnswer(settings, calls, ports, webrtc, unsupportedRequests);
        this.deleteQuery = new DeleteQuery(settings, calls);
        for (NgCommand c : NgCommand.values()) {
            commandCounts.put(c, new LongAdder());
        }
    }

    @Override
    public Map<String, Object> handle(Map<String, Object> request, Predicate<Map<String, Object>> fits) {
        Object name = request.get("command");
        if (!(name instanceof String s)) {
            return NgFrontEnd.error("Dictionary contains no key \"command\"");
        }
        Optional<NgCommand> command = NgCommand.fromWire(s);
        if (command.isEmpty()) {
            return NgFrontEnd.error("Unrecognized command");
        }
        commandCounts.get(command.get()).increment();
        return switch (command.get()) {
            case PING -> ok(Map.of("result", "pong"));
            case OFFER -> offerAnswer.offerOrAnswer(request, fits, true);
            case ANSWER -> offerAnswer.offerOrAnswer(request, fits, false);
            case DELETE -> deleteQuery.delete(request);
            case QUERY -> deleteQuery.query(request);
            case LIST -> list(request);
            case STATISTICS -> statistics();
        };
    }

    // ------------------------------------------------------------------------------------------------ list/stats

    private Map<String, Object> list(Map<String, Object> d) {
        long limit = 32;
        Object l = d.get("limit");
        if (l instanceof Number n) {
            limit = n.longValue();
        } else if (l instanceof String s && s.matches("-?\\d{1,9}")) {
            limit = Long.parseLong(s);
        }
        if (limit < 0) {
            return NgFrontEnd.error("invalid limit, must be >= 0");
        }
        List<Object> ids = new ArrayList<>();
        for (Call c : calls.calls()) {
            if (ids.size() >= limit) {
                break;
            }
            ids.add(c.callId());
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("calls", ids);
        r.put("result", "ok");
        return r;
    }

    private Map<String, Object> statistics() {
        long packets = 0;
        long bytes = 0;
        long errors = 0;
        for (Call c : calls.calls()) {
            synchronized (c) {
                for (Party p : c.parties()) {
                    for (MediaSide m : p.mediaList()) {
                        packets += m.rtp.packets() + m.rtcp.packets();
                        bytes += m.rtp.bytes() + m.rtcp.bytes();
                        errors += m.rtp.errors() + m.rtcp.errors();
                    }
                }
            }
        }
        Map<String, Object> current = new LinkedHashMap<>();
        current.put("sessionsown", (long) calls.size());
        current.put("sessionsforeign", 0L);
        current.put("sessionstotal", (long) calls.size());
        current.put("transcodedmedia", 0L);
        current.put("portpairsopen", (long) ports.openPairs());
        current.put("portpairscapacity", (long) ports.capacityPairs());
        Map<String, Object> total = new LinkedHashMap<>();
        total.put("uptime", Long.toString((System.currentTimeMillis() - startedMillis) / 1000));
        total.put("managedsessions", calls.managed.sum());
        total.put("rejectedsessions", calls.rejected.sum());
        total.put("timeoutsessions", calls.timedOut.sum());
        total.put("offertimeoutsessions", calls.offerTimedOut.sum());
        total.put("regularterminatedsessions", calls.terminated.sum());
        total.put("forcedterminatedsessions", calls.forced.sum());
        total.put("relayedpackets", packets);
        total.put("relayedbytes", bytes);
        total.put("relayedpacketerrors", errors);
        total.put("droppedpackets", ports.droppedPackets());
        total.put("kernelreceivedrops", ports.kernelDrops());
        total.put("unsupportedrequests", unsupportedRequests.sum());
        Map<String, Object> control = new LinkedHashMap<>();
        commandCounts.forEach((c, n) -> control.put(c.wireName(), n.sum()));
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("currentstatistics", current);
        stats.put("totalstatistics", total);
        stats.put("controlstatistics", control);
        if (webrtc != null) {
            stats.put("webrtcstatistics", webrtc.statistics());
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("statistics", stats);
        r.put("result", "ok");
        return r;
    }

    private static Map<String, Object> ok(Map<String, Object> m) {
        return new LinkedHashMap<>(m);
    }

    static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    public long commands(NgCommand c) {
        return commandCounts.get(c).sum();
    }
}
