package org.sipedge.proxy.servlet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletMessage;
import javax.servlet.sip.SipServletRequest;
import org.sipedge.proxy.core.CallMedia;
import org.sipedge.rtpengine.SdpRewrite;

/**
 * A call's media on the container path: its {@link CallMedia} in the application session, offers and answers
 * carried by responses and in-dialog requests, and the delete when the call ends. (The initial offer is
 * anchored with the branches, in {@link Branches}.)
 *
 * <p>Answers in responses and offers in in-dialog requests wait for the engine on the container's thread: JSR 289
 * forwards a proxied response, and proxies a subsequent request, when the servlet returns, and has no way to hold
 * either. The wait is bounded by {@code rtpengine.timeout-ms} × {@code rtpengine.tries}.
 */
final class MediaSteps {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");
    static final String SDP = "application/sdp";
    static final String ATTR_MEDIA = "sipedge.media";

    private final ProxyContext cx;

    MediaSteps(ProxyContext cx) {
        this.cx = cx;
    }

    static CallMedia of(SipApplicationSession app) {
        return (CallMedia) app.getAttribute(ATTR_MEDIA);
    }

    /** Starts a call's media state for an initial INVITE when anchoring is on; null otherwise. */
    CallMedia start(SipServletRequest req) {
        if (!cx.components.media().enabled()) {
            return null;
        }
        CallMedia media = new CallMedia(req.getCallId(), fromTag(req), CallMedia.kindOfTransport(req.getTransport()));
        req.getApplicationSession().setAttribute(ATTR_MEDIA, media);
        return media;
    }

    /** Runs one offer/answer through the engine and rewrites the message body (original kept on failure). */
    void anchor(SipServletMessage m, CallMedia.Step step) throws IOException {
        String sdp = new String(m.getRawContent(), StandardCharsets.UTF_8);
        SdpRewrite r = step.offer() ? cx.components.media().offer(step.leg(), sdp)
                : cx.components.media().answer(step.leg(), sdp);
        if (r instanceof SdpRewrite.Anchored a) {
            m.setContent(a.sdp().getBytes(StandardCharsets.UTF_8), m.getContentType());
        } else if (r instanceof SdpRewrite.Failed f) {
            cx.metrics.mediaFailure(false);
            LOG.warning("media call-id=" + m.getCallId() + " " + (step.offer() ? "offer" : "answer")
                    + " not anchored (" + f.reason() + "): forwarding the original SDP");
        }
    }

    /** Whatever the call holds in the engine goes, once (BYE, CANCEL, final failure, session gone). */
    void end(SipApplicationSession app, String why) {
        if (app == null || !app.isValid()) {
            return;
        }
        CallMedia media = of(app);
        if (media != null && media.end()) {
            LOG.info("media call-id=" + media.callId() + " delete (" + why + ")");
            cx.components.media().deleteCall(media.callId());
        }
    }

    static boolean hasSdp(SipServletMessage m) {
        return SDP.equalsIgnoreCase(baseType(m.getContentType())) && m.getContentLength() > 0;
    }

    static String baseType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    }

    static String fromTag(SipServletMessage m) {
        return m.getFrom().getParameter("tag");
    }

    static String toTag(SipServletMessage m) {
        return m.getTo().getParameter("tag");
    }
}
