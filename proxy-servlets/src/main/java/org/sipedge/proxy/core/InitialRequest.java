package org.sipedge.proxy.core;

/**
 * The facts of an initial request the routing decision depends on.
 *
 * @param method      SIP method
 * @param aor         canonical address-of-record of the Request-URI, or null when it has no user part
 * @param maxForwards Max-Forwards value, -1 when absent
 * @param looped      a Via of this node is already in the request (see {@link Loops})
 */
public record InitialRequest(String method, String aor, int maxForwards, boolean looped) {
}
