package org.sipedge.container;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;

/**
 * Answers a request straight from the transport, without a server transaction or SIP session. Registered by a
 * webapp (the registrar, for UDP REGISTER) through {@link StatelessRequests}; called by {@link OverloadGuardValve}.
 */
public interface StatelessRequestHandler {
    /** True when the request was answered here; false hands it on to the container as usual. */
    boolean handle(SIPRequest request, MessageChannel channel);
}
