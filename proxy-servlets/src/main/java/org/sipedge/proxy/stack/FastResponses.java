package org.sipedge.proxy.stack;

import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sip.header.ViaHeader;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.SdpRewrite;
import org.sipedge.rtpengine.UaKind;

/**
 * Responses on the fast path: our Via comes off, the SDP is anchored (the answer to the caller's offer, or a late
 * offer in a 2xx), a conference server's failure is failed over from, and the response goes to the next Via — an
 * INVITE's 1xx never after its final response (RFC 3261 16.7 step 5).
 */
final class FastResponses {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy.fast");

    private final FastTables t;
    private final FastSelf self;
    private final FastMedia media;
    private final FastConferences conferences;

    FastResponses(FastTables tables, FastSelf self, FastMedia media, FastConferences conferences) {
        this.t = tables;
        this.self = self;
        this.media = media;
        this.conferences = conferences;
    }

    /** True when the response was ours (our branch on top): forwarded, absorbed, waiting for the engine or dropped. */
    boolean handle(SIPResponse resp, MessageChannel channel) {
        Via top = resp.getTopmostVia();
        String branch = top == null ? null : top.getBranch();
        if (branch == null || !branch.startsWith(FastPathRules.BRANCH_PREFIX)) {
            return false;
        }
        try {
            self.learn(channel.getMessageProcessor());
            resp.removeFirst(ViaHeader.NAME);
            Via next = resp.getTopmostVia();
            int status = resp.getStatusCode();
            boolean invite = "INVITE".equals(resp.getCSeq().getMethod());
            if (conferences != null && invite && conferences.onInviteResponse(branch, resp)) {
                return true; // a conference server's failure we fail over from (or its retransmission)
            }
            if (next == null || status == 100) {
                return true; // addressed to us, or hop-by-hop 100 Trying: nothing to forward
            }
            MessageProcessor out = channel.getMessageProcessor();
            String callId = UdpFastProxy.callId(resp);
            if (invite) {
                t.calls.responded(callId, status);
            }
            if (invite && media.enabled() && status < 300 && FastMedia.hasSdp(resp)) {
                FastTables.InviteState st = t.invites.get(branch);
                String sdp = FastMedia.body(resp);
                boolean lateOffer = st != null && st.lateOffer();
                CompletableFuture<SdpRewrite> anchored;
                if (lateOffer) {
                    anchored = media.anchor().offerAsync(new MediaLeg(callId, resp.getToTag(), resp.getFromTag(),
                            null, UaKind.PLAIN, UaKind.PLAIN, null), sdp);
                } else {
                    MediaLeg leg = new MediaLeg(callId, resp.getFromTag(), resp.getToTag(), null, UaKind.PLAIN,
                            UaKind.PLAIN, null);
                    anchored = st != null && st.initial()
                            ? media.once("a|" + branch + "|" + resp.getToTag() + "|" + status, sdp,
                                    () -> media.anchor().answerAsync(leg, sdp))
                            : media.anchor().answerAsync(leg, sdp);
                }
                if (!media.then(anchored, callId, r -> {
                    if (media.apply(resp, r) && lateOffer && status >= 200) {
                        media.lateOffer(callId);
                    }
                    forward(resp, out, next, branch, status, true);
                })) {
                    t.dropped.increment(); // too many waiting for the engine: the callee retransmits
                }
                return true;
            }
            if (invite && media.enabled() && status >= 300) {
                FastTables.InviteState st = t.invites.get(branch);
                if (st == null || st.initial()) {
                    media.delete(callId); // the call failed: nothing stays behind in the engine
                }
            }
            forward(resp, out, next, branch, status, invite);
            return true;
        } catch (Exception e) {
            t.dropped.increment(); // our Via was on it, so nobody else can use it: counted, the sender retransmits
            LOG.log(Level.FINE, "fast path dropped a response call-id=" + UdpFastProxy.callId(resp) + ": " + e, e);
            return true;
        }
    }

    private void forward(SIPResponse resp, MessageProcessor out, Via next, String branch, int status, boolean invite)
            throws Exception {
        FastPathRules.UdpTarget hop =
                FastPathRules.responseHop(next.getReceived(), next.getRPort(), next.getHost(), next.getPort());
        if (hop == null) {
            t.dropped.increment();
            return;
        }
        InetAddress to = InetAddress.getByName(hop.host()); // an IP literal: no lookup
        if (invite) {
            if (!t.inviteOrder.forward(branch, status, () -> self.send(resp, out, to, hop.port()))) {
                t.dropped.increment(); // a 1xx overtaken by the final response on another thread
                return;
            }
        } else {
            self.send(resp, out, to, hop.port());
        }
        t.responsesForwarded.increment();
    }
}
