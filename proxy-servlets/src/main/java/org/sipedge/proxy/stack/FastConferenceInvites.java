package org.sipedge.proxy.stack;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.RecordRoute;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import java.net.InetAddress;
import java.util.List;
import org.sipedge.proxy.core.CallerPolicy;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.UaKind;

/**
 * Initial INVITEs into a conference on the fast path: to the pinned server ({@link FastConferences} routes, times
 * and fails over), with the conference id in our Record-Route, the caller's identity towards trusted servers, and
 * the offer anchored first.
 */
final class FastConferenceInvites {
    private final FastTables t;
    private final FastSelf self;
    private final FastMedia media;
    private final FastConferences conferences;
    private final CallerPolicy callers;
    private final long secret;
    private final AddressFactoryImpl addresses = new AddressFactoryImpl();
    private final HeaderFactoryImpl headers = new HeaderFactoryImpl();

    FastConferenceInvites(FastTables t, FastSelf self, FastMedia media, FastConferences conferences,
                          CallerPolicy callers, long secret) {
        this.t = t;
        this.self = self;
        this.media = media;
        this.conferences = conferences;
        this.callers = callers;
        this.secret = secret;
        conferences.bind(new Hooks());
    }

    private boolean decline() {
        t.declined.increment();
        return false;
    }

    /**
     * An initial INVITE into a conference: to the pinned server (a retransmission to wherever its INVITE went
     * last). The request as forwarded is kept until the final response, for failover.
     */
    boolean invite(SIPRequest req, MessageChannel channel, SipUri ruri, MaxForwards mf, String conf,
                                     String identity) throws Exception {
        long arrived = System.nanoTime();
        String incoming = req.getTopmostVia().getBranch();
        FastTables.Forwarded prior = t.forwarded.get(incoming);
        FastConferences.Route.To route = null;
        FastTables.Forwarded f;
        if (prior != null) {
            // a retransmission from the caller: forwarded the same way (same bytes, same branch) to wherever the
            // INVITE went last while that server is silent; the caller's own timers drive retransmission, as on the
            // rest of the fast path. Once the server answered, its answer is on the way: the copy is absorbed.
            if (!conferences.forwardsRetransmission(prior.ourBranch())) {
                t.absorbed.increment();
                return true;
            }
            f = prior;
        } else {
            FastConferences.Route r = conferences.route(conf, req, ruri.getUser());
            if (r instanceof FastConferences.Route.Refuse refuse) {
                FastAnswer.to(channel, self, t.dropped).send(req, refuse.status(), refuse.reason());
                return true;
            }
            if (!(r instanceof FastConferences.Route.To to)) {
                return decline();
            }
            FastTables.Forwarded mine = new FastTables.Forwarded(InetAddress.getByName(to.target().host()),
                    to.target().port(), FastPathRules.branchFor(incoming, secret), to.target().requestUri());
            // a retransmission may be on another worker thread right now: one of the two keeps the attempt
            f = t.forwarded.putIfAbsent(incoming, mine);
            if (f == null) {
                return decline(); // table full (the pin already counts the call; the container joins it again)
            }
            route = f == mine ? to : null;
        }
        boolean hasSdp = FastMedia.hasSdp(req);
        boolean anchoring = media.enabled();
        if (!t.invites.put(f.ourBranch(), new FastTables.InviteState(true, anchoring && !hasSdp))) {
            return decline();
        }
        FastConferences.Route.To first = route;
        MessageProcessor out = channel.getMessageProcessor();
        Runnable send = () -> {
            try {
                req.setRequestURI(addresses.createURI(f.requestUri()));
                if (identity != null && callers.trustedHop(f.host().getHostAddress())
                        && req.getHeader("P-Asserted-Identity") == null) {
                    req.addHeader(headers.createHeader("P-Asserted-Identity", "<" + identity + ">"));
                }
                mf.decrementMaxForwards();
                RecordRoute rr = self.recordRoute();
                ((SipUri) rr.getAddress().getURI()).setParameter(ConferenceRouteParam.NAME,
                        ConferenceRouteParam.encode(conf));
                req.addFirst(rr);
                if (first != null) {
                    conferences.sent(conferences.attempt(conf, first.keys(), incoming, first.serverUri(),
                            new java.util.ArrayList<>(List.of(first.serverUri().toLowerCase(java.util.Locale.ROOT))),
                            (SIPRequest) req.clone(), f.host(), f.port(), f.ourBranch(), 1));
                }
                self.pushVia(req, f.ourBranch());
                // listed before it goes: the server's answer can be handled on another thread first
                t.calls.started(UdpFastProxy.callId(req), req.getFrom().getAddress().getURI().toString(),
                        req.getTo().getAddress().getURI().toString(), "fast", "conference " + conf + " "
                                + f.host().getHostAddress() + ":" + f.port(), arrived);
                self.send(req, out, f.host(), f.port());
                t.initialForwarded.increment();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        if (!(anchoring && hasSdp)) {
            send.run();
            return true;
        }
        // copies that come while the engine answers are absorbed: the attempt is open only once sent
        MediaLeg leg = new MediaLeg(UdpFastProxy.callId(req), req.getFromTag(), null, null, UaKind.PLAIN, UaKind.PLAIN,
                FastAnswer.sourceIp(channel));
        String sdp = FastMedia.body(req);
        Boolean done = media.forwardWhenAnchored(media.once("o|" + incoming, sdp, () -> media.anchor().offerAsync(leg, sdp)), req,
                FastAnswer.to(channel, self, t.dropped), () -> t.handling.remove(incoming),
                () -> conferences.pins().release(conf, UdpFastProxy.callId(req)), send);
        return done == null || done;
    }

    /** What conference failover needs from the fast path. */
    final class Hooks implements FastConferences.Hooks {
        @Override
        public Via via(String branch) throws Exception {
            return self.via(branch);
        }

        @Override
        public String branch(String incomingBranch, int n) {
            return FastPathRules.branchFor(incomingBranch + "/" + n, secret);
        }

        @Override
        public void send(SIPMessage msg, InetAddress host, int port) throws Exception {
            self.send(msg, host, port);
        }

        @Override
        public void resend(FastConferenceAttempt previous, FastConferenceAttempt next) throws Exception {
            FastTables.InviteState st = t.invites.get(previous.ourBranch);
            String ruri = next.forwarded.getRequestURI().toString();
            t.forwarded.put(next.incomingBranch, new FastTables.Forwarded(next.host, next.port, next.ourBranch, ruri));
            t.invites.put(next.ourBranch, st != null ? st : new FastTables.InviteState(true, false));
            conferences.sent(next);
            SIPRequest out = (SIPRequest) next.forwarded.clone();
            out.addFirst(via(next.ourBranch));
            send(out, next.host, next.port);
            t.requestsForwarded.increment();
        }

        @Override
        public void timedOut(FastConferenceAttempt last) throws Exception {
            SIPResponse r = last.forwarded.createResponse(408, "Request Timeout");
            Via top = r.getTopmostVia();
            FastPathRules.UdpTarget hop =
                    FastPathRules.responseHop(top.getReceived(), top.getRPort(), top.getHost(), top.getPort());
            if (media.enabled()) {
                media.delete(last.callId);
            }
            if (hop != null) {
                send(r, InetAddress.getByName(hop.host()), hop.port());
                t.responsesForwarded.increment();
            }
        }
    }
}
