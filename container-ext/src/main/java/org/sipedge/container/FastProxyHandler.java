package org.sipedge.container;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;

/**
 * Forwards requests and responses straight from the transport, without the container's transactions and sessions
 * (the proxy's UDP fast path). Registered by a webapp through {@link StatelessRequests}; called by
 * {@link OverloadGuardValve} for every UDP request and for responses whose top Via it claims.
 */
public interface FastProxyHandler {
    /** True when the request was forwarded or answered here; false hands it to the container as usual. */
    boolean handleRequest(SIPRequest request, MessageChannel channel);

    /**
     * True when this initial request is a copy of one this handler is already working on or has forwarded (a
     * retransmission): it must not be refused on its own, or the caller would get a final answer for a call that
     * goes on.
     */
    default boolean isRetransmission(SIPRequest request) {
        return false;
    }

    /** True when the response belongs to this handler (its own Via on top) and was forwarded or dropped here. */
    boolean handleResponse(SIPResponse response, MessageChannel channel);
}
