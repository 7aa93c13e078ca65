package org.sipedge.proxy.servlet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import javax.servlet.sip.Proxy;
import javax.servlet.sip.ProxyBranch;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.URI;
import org.sipedge.proxy.core.CallMedia;
import org.sipedge.proxy.core.Target;
import org.sipedge.registrar.core.AddressOfRecord;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.SdpRewrite;

/**
 * Proxy branches on the container path: a fork to a user's bindings in q groups (the next group when one fails),
 * a dispatch to configured servers, each branch's Path, identity and anchored offer, and which branch a response
 * came on ({@link #labelOf}).
 */
final class Branches {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");
    private static final String ATTR_LABELS = "sipedge.labels";
    private static final String ATTR_GROUPS = "sipedge.groups";
    static final String ATTR_STARTED = "sipedge.started";
    /** Request attribute: when the initial INVITE arrived (System.nanoTime), for the call table's timing. */
    static final String ATTR_ARRIVED = "sipedge.arrived";
    /** Application session attribute: the Call-ID of the call it carries (for the call table at its end). */
    static final String ATTR_CALL_ID = "sipedge.call-id";
    /** Request attribute: the caller's authenticated identity (sip:user@domain), for trusted next hops. */
    static final String ATTR_IDENTITY = "sipedge.identity";

    private final ProxyContext cx;
    private final MediaSteps media;

    Branches(ProxyContext cx, MediaSteps media) {
        this.cx = cx;
        this.media = media;
    }

    /** Starts proxying to the first group; the rest wait in the application session for its failure. */
    void fork(SipServletRequest req, List<List<Target>> groups, boolean anchorMedia) throws IOException {
        Proxy proxy = proxyOf(req);
        if (proxy == null) {
            return;
        }
        proxy.setRecordRoute(true);
        proxy.setSupervised(true);
        proxy.setParallel(true);
        proxy.setProxyTimeout(cx.components.branchTimeoutSeconds());
        CallMedia m = anchorMedia && req.getMethod().equals("INVITE") ? media.start(req) : null;
        req.getApplicationSession().setAttribute(ATTR_GROUPS, new ArrayList<>(groups.subList(1, groups.size())));
        startGroup(req, proxy, groups.get(0), m, () -> { }, false);
    }

    /**
     * Proxies to dispatcher destinations (plain SIP servers), with media anchoring for calls; {@code notStarted}
     * runs when the request is answered here instead.
     */
    void dispatch(SipServletRequest req, List<Target> targets, boolean call, Runnable notStarted) throws IOException {
        Proxy proxy = proxyOf(req);
        if (proxy == null) {
            notStarted.run();
            return;
        }
        proxy.setRecordRoute(true);
        proxy.setSupervised(true);
        // one branch at a time, started by us (failover in ConferenceCalls); "parallel" with a single branch
        // because the container's sequential mode leaves its search timer running after the answer
        proxy.setParallel(true);
        proxy.setProxyTimeout(cx.components.dispatchTimeoutSeconds());
        startGroup(req, proxy, targets, call ? media.start(req) : null, notStarted, false);
    }

    private Proxy proxyOf(SipServletRequest req) throws IOException {
        try {
            return req.getProxy();
        } catch (javax.servlet.sip.TooManyHopsException e) {
            cx.reject(req, 483, "Too Many Hops");
            return null;
        }
    }

    /** All branches of a q group failed: try the next group. True when one was started. */
    boolean nextGroup(SipServletResponse resp, CallMedia m) {
        SipApplicationSession app = resp.getApplicationSession();
        @SuppressWarnings("unchecked")
        List<List<Target>> rest = (List<List<Target>>) app.getAttribute(ATTR_GROUPS);
        int status = resp.getStatus();
        if (rest == null || rest.isEmpty() || status == 487 || status >= 600) {
            return false;
        }
        List<Target> next = rest.remove(0);
        app.setAttribute(ATTR_GROUPS, rest);
        try {
            SipServletRequest req = resp.getProxy().getOriginalRequest();
            LOG.info("route call-id=" + resp.getCallId() + " group failed (" + status + ") -> next q group "
                    + describe(List.of(next)));
            return startGroup(req, resp.getProxy(), next, m, () -> { }, true);
        } catch (IOException | RuntimeException e) {
            LOG.warning("call-id=" + resp.getCallId() + " next q group not started: " + e);
            return false;
        }
    }

    /**
     * Creates the branches of one group and anchors their offers, then starts them. With {@code now} (inside a
     * response: the container forwards it when the servlet returns) the offers are waited for here; otherwise the
     * branches start when the engine has answered every offer ({@link ProxyContext#then}). Returns false when the
     * request was answered instead (no usable target, media refused), after {@code notStarted} ran.
     */
    boolean startGroup(SipServletRequest req, Proxy proxy, List<Target> group, CallMedia m, Runnable notStarted,
                       boolean now) throws IOException {
        List<URI> uris = new ArrayList<>();
        List<Target> targets = new ArrayList<>(); // targets.get(i) is the binding of uris.get(i)
        for (Target t : group) {
            try {
                uris.add(cx.factory.createURI(t.uri()));
                targets.add(t);
            } catch (ServletParseException e) {
                LOG.warning("call-id=" + req.getCallId() + " unusable contact " + t.uri() + ": " + e.getMessage());
            }
        }
        if (uris.isEmpty()) {
            notStarted.run();
            cx.reject(req, 480, "Temporarily Unavailable");
            return false;
        }
        List<ProxyBranch> branches = proxy.createProxyBranches(uris);
        SipApplicationSession app = req.getApplicationSession();
        @SuppressWarnings("unchecked")
        Map<String, String> labels = (Map<String, String>) app.getAttribute(ATTR_LABELS);
        if (labels == null) {
            labels = new HashMap<>();
        }
        byte[] offer = MediaSteps.SDP.equalsIgnoreCase(MediaSteps.baseType(req.getContentType()))
                ? req.getRawContent() : null;
        List<CompletableFuture<SdpRewrite>> offers = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            ProxyBranch branch = branches.get(i);
            SipServletRequest br = branch.getRequest();
            // the branch request still carries the original Request-URI here; the container sets the target's
            // when it sends the branch, and that is what a response's branch shows (labelOf): key by the target
            int at = branches.size() == targets.size() ? i : 0;
            Target t = targets.get(at);
            labels.put(uris.get(at).toString(), t.label());
            List<String> route = new ArrayList<>(t.route());
            Collections.reverse(route);
            for (String r : route) {
                try {
                    br.pushRoute(cx.factory.createAddress(r));
                } catch (ServletParseException e) {
                    LOG.warning("call-id=" + req.getCallId() + " unusable Path " + r + ": " + e.getMessage());
                }
            }
            Object identity = req.getAttribute(ATTR_IDENTITY);
            if (identity != null && uris.get(at) instanceof SipURI hop
                    && cx.components.callers().trustedHop(hop.getHost())) {
                br.setHeader("P-Asserted-Identity", "<" + identity + ">");
            }
            CompletableFuture<SdpRewrite> anchored = CompletableFuture.completedFuture(null);
            if (m != null) {
                m.branch(t.label(), CallMedia.kindOfBinding(t.webSocket()));
                if (offer != null && offer.length > 0) {
                    MediaLeg leg = m.initialOffer(t.label(), req.getRemoteAddr());
                    anchored = cx.components.media().offerAsync(leg, new String(offer, StandardCharsets.UTF_8));
                }
            }
            offers.add(anchored);
        }
        app.setAttribute(ATTR_LABELS, labels);
        CompletableFuture<Void> all = CompletableFuture.allOf(offers.toArray(CompletableFuture[]::new));
        if (now) {
            all.join(); // offerAsync never completes exceptionally
            return start(req, proxy, branches, offers, m, notStarted);
        }
        Runnable undo = () -> {
            if (m != null) {
                // also when a CANCEL already ended the call: an offer that completed after its delete is deleted
                m.end();
                cx.components.media().deleteCall(req.getCallId());
            }
            notStarted.run();
        };
        cx.then(req, all, "media offer", v -> start(req, proxy, branches, offers, m, notStarted), undo);
        return true;
    }

    /** Puts each branch's anchored offer in and starts the branches, or answers 503 when media is required. */
    private boolean start(SipServletRequest req, Proxy proxy, List<ProxyBranch> branches,
                          List<CompletableFuture<SdpRewrite>> offers, CallMedia m, Runnable notStarted)
            throws IOException {
        for (int i = 0; i < branches.size(); i++) {
            SdpRewrite r = offers.get(i).join();
            if (r instanceof SdpRewrite.Anchored a) {
                branches.get(i).getRequest().setContent(a.sdp().getBytes(StandardCharsets.UTF_8),
                        req.getContentType());
            } else if (r instanceof SdpRewrite.Failed f) {
                boolean rejectIt = cx.components.rejectOnMediaFailure();
                cx.metrics.mediaFailure(rejectIt);
                LOG.warning("media call-id=" + req.getCallId() + " offer not anchored (" + f.reason() + "): "
                        + (rejectIt ? "503" : "forwarding the original SDP"));
                if (rejectIt) {
                    m.end();
                    cx.components.media().deleteCall(req.getCallId());
                    notStarted.run();
                    cx.rejectRetry(req, 503, "Service Unavailable", 30);
                    return false;
                }
            }
        }
        req.getApplicationSession().setAttribute(ATTR_STARTED, Boolean.TRUE);
        if (req.getMethod().equals("INVITE")) { // listed before a response can come
            req.getApplicationSession().setAttribute(ATTR_CALL_ID, req.getCallId());
            Object arrived = req.getAttribute(ATTR_ARRIVED);
            cx.components.calls().started(req.getCallId(), req.getFrom().getURI().toString(),
                    req.getTo().getURI().toString(), "container", targetsOf(branches),
                    arrived instanceof Long t ? t : System.nanoTime());
        }
        proxy.startProxy();
        cx.metrics.proxied(req.getMethod());
        return true;
    }

    private static String targetsOf(List<ProxyBranch> branches) {
        StringBuilder sb = new StringBuilder();
        for (ProxyBranch b : branches) {
            sb.append(sb.length() == 0 ? "" : " ").append(b.getRequest().getRequestURI());
        }
        return sb.toString();
    }

    /**
     * The label of the branch a response came on: by the branch's Request-URI, then by contact equivalence (the
     * container may hand back the branch request with a re-written URI), then the only label when just one branch
     * was created.
     */
    String labelOf(SipServletResponse resp) {
        @SuppressWarnings("unchecked")
        Map<String, String> labels = (Map<String, String>) resp.getApplicationSession().getAttribute(ATTR_LABELS);
        if (labels == null || labels.isEmpty()) {
            return null;
        }
        ProxyBranch b = resp.getProxyBranch();
        String uri = b == null || b.getRequest() == null ? null : b.getRequest().getRequestURI().toString();
        if (uri != null) {
            String l = labels.get(uri);
            if (l != null) {
                return l;
            }
            for (Map.Entry<String, String> e : labels.entrySet()) {
                if (sameContact(e.getKey(), uri)) {
                    return e.getValue();
                }
            }
        }
        java.util.Set<String> distinct = new java.util.HashSet<>(labels.values());
        return distinct.size() == 1 ? distinct.iterator().next() : null;
    }

    private static boolean sameContact(String a, String b) {
        return a.equalsIgnoreCase(b) || AddressOfRecord.contactKey(a).equals(AddressOfRecord.contactKey(b));
    }

    static String describe(List<List<Target>> groups) {
        StringBuilder b = new StringBuilder();
        for (List<Target> g : groups) {
            b.append(b.length() == 0 ? "" : " then ").append('[');
            for (int i = 0; i < g.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(g.get(i).uri()).append(" q=").append(g.get(i).q());
            }
            b.append(']');
        }
        return b.toString();
    }
}
