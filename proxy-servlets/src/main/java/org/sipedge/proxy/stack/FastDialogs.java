package org.sipedge.proxy.stack;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.Route;
import gov.nist.javax.sip.header.RouteList;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.sip.header.RouteHeader;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.SdpRewrite;
import org.sipedge.rtpengine.UaKind;

/**
 * Requests after an initial INVITE on the fast path: its CANCEL and non-2xx ACK (same branch as the INVITE we
 * forwarded), and in-dialog requests through a dialog we record-routed (loose routing to the next hop, re-offers
 * and late-offer answers through the engine, BYE deleting the call and releasing its conference).
 */
final class FastDialogs {
    private final FastTables t;
    private final FastSelf self;
    private final FastMedia media;
    private final FastConferences conferences;
    private final long secret;
    private final AddressFactoryImpl addresses = new AddressFactoryImpl();

    FastDialogs(FastTables t, FastSelf self, FastMedia media, FastConferences conferences, long secret) {
        this.t = t;
        this.self = self;
        this.media = media;
        this.conferences = conferences;
        this.secret = secret;
    }

    private boolean decline() {
        t.declined.increment();
        return false;
    }

    /** CANCEL, and the ACK of a non-2xx final response: same branch and Request-URI as the INVITE we forwarded. */
    boolean sameBranchAsInvite(SIPRequest req, MessageChannel channel) throws Exception {
        FastTables.Forwarded f = t.forwarded.get(req.getTopmostVia().getBranch());
        if (f == null) {
            return false; // not ours (or long gone): the container answers (481) or absorbs it
        }
        req.setRequestURI(addresses.createURI(f.requestUri()));
        MaxForwards mf = (MaxForwards) req.getMaxForwards();
        if (mf != null && mf.getMaxForwards() > 0) {
            mf.decrementMaxForwards();
        }
        self.pushVia(req, f.ourBranch());
        self.send(req, channel.getMessageProcessor(), f.host(), f.port());
        t.requestsForwarded.increment();
        return true;
    }

    /** A request routed through a dialog the fast path record-routed: loose routing to the next hop. */
    boolean inDialog(SIPRequest req, MessageChannel channel, RouteList routes) throws Exception {
        SipUri next;
        if (routes.size() > 1) {
            if (!(((Route) routes.get(1)).getAddress().getURI() instanceof SipUri r) || !r.hasParameter("lr")) {
                return decline(); // strict routers downstream are the container's business
            }
            next = r;
        } else if (req.getRequestURI() instanceof SipUri r) {
            next = r;
        } else {
            return decline();
        }
        String transport = next.getTransportParam();
        if ((transport != null && !transport.equalsIgnoreCase("udp")) || !FastPathRules.isIpv4Literal(next.getHost())) {
            return decline();
        }
        MaxForwards mf = (MaxForwards) req.getMaxForwards();
        if (mf != null && mf.getMaxForwards() <= 0) {
            if (!"ACK".equals(req.getMethod())) {
                FastAnswer.to(channel, self, t.dropped).send(req, 483, "Too Many Hops");
            }
            return true;
        }
        String method = req.getMethod();
        String callId = UdpFastProxy.callId(req);
        if ("BYE".equals(method)) {
            t.calls.ended(callId);
        }
        String ourBranch = FastPathRules.branchFor(req.getTopmostVia().getBranch(), secret);
        if (conferences != null && ((Route) routes.getFirst()).getAddress().getURI() instanceof SipUri own) {
            Optional<String> conf = ConferenceRouteParam.decode(own.getParameter(ConferenceRouteParam.NAME));
            if (conf.isPresent()) {
                switch (method) {
                    case "BYE" -> conferences.pins().releaseLater(conf.get(), callId);
                    case "INVITE", "UPDATE" -> conferences.pins().refreshLater(conf.get());
                    default -> {
                    }
                }
            }
        }
        MessageProcessor out = channel.getMessageProcessor();
        InetAddress nextHost = InetAddress.getByName(next.getHost()); // an IPv4 literal: no lookup
        int port = next.getPort() > 0 ? next.getPort() : 5060;
        Runnable send = () -> {
            try {
                routes.removeFirst();
                if (routes.isEmpty()) {
                    req.removeHeader(RouteHeader.NAME);
                }
                if (mf != null) {
                    mf.decrementMaxForwards();
                }
                self.pushVia(req, ourBranch);
                self.send(req, out, nextHost, port);
                t.requestsForwarded.increment();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        CompletableFuture<SdpRewrite> anchored = null;
        boolean offer = false;
        if (media.enabled()) {
            switch (method) {
                case "BYE" -> media.delete(callId);
                case "INVITE", "UPDATE" -> {
                    boolean sdp = FastMedia.hasSdp(req);
                    if (!t.invites.put(ourBranch, new FastTables.InviteState(false, !sdp && "INVITE".equals(method)))) {
                        return decline();
                    }
                    if (sdp) {
                        offer = true;
                        anchored = media.anchor().offerAsync(new MediaLeg(callId, req.getFromTag(), req.getToTag(),
                                null, UaKind.PLAIN, UaKind.PLAIN, FastAnswer.sourceIp(channel)), FastMedia.body(req));
                    }
                }
                case "ACK" -> {
                    if (FastMedia.hasSdp(req) && media.takeLateOffer(callId)) {
                        // the offer came in the 2xx from the callee: the callee is the offerer
                        anchored = media.anchor().answerAsync(new MediaLeg(callId, req.getToTag(), req.getFromTag(),
                                null, UaKind.PLAIN, UaKind.PLAIN, FastAnswer.sourceIp(channel)), FastMedia.body(req));
                    }
                }
                default -> {
                }
            }
        }
        if (anchored == null) {
            send.run();
            return true;
        }
        boolean refuseOnFailure = offer;
        FastAnswer answer = FastAnswer.to(channel, self, t.dropped);
        if (!media.then(anchored, callId, r -> {
            if (!media.apply(req, r) && refuseOnFailure) {
                answer.send(req, 503, "Media Relay Unavailable");
            } else {
                send.run();
            }
        })) {
            if (refuseOnFailure) {
                answer.send(req, 503, "Overloaded");
            } else {
                t.dropped.increment(); // an ACK: the callee retransmits its 2xx
            }
        }
        return true;
    }
}
