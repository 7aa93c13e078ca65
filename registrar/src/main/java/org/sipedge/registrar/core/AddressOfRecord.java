package org.sipedge.registrar.core;

import java.util.Locale;

/** Canonical address-of-record keys: {@code sip:user@host}, host in lower case, no port or parameters. */
public final class AddressOfRecord {
    private AddressOfRecord() {
    }

    /** The AOR of a user at a host ({@code sips} registers into the same AOR as {@code sip}). */
    public static String of(String user, String host) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("To URI has no user part");
        }
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("To URI has no host");
        }
        return "sip:" + user + "@" + host.toLowerCase(Locale.ROOT);
    }

    /**
     * The key two Contact URIs are compared by: scheme, user, host and port, plus the transport parameter
     * (RFC 3261 §19.1.4 in the parts that matter for bindings); other parameters such as push tokens may change
     * between refreshes of the same contact.
     */
    public static String contactKey(String uri) {
        String u = uri.trim();
        if (u.startsWith("<") && u.endsWith(">")) {
            u = u.substring(1, u.length() - 1);
        }
        int q = u.indexOf('?');
        if (q >= 0) {
            u = u.substring(0, q); // URI headers are not part of the comparison
        }
        int at = u.indexOf('@');
        // parameters start after the host; the user part may itself contain ';' (RFC 3966 phone-context)
        int semi = u.indexOf(';', Math.max(at, 0));
        String base = semi < 0 ? u : u.substring(0, semi);
        String transport = "";
        if (semi >= 0) {
            for (String p : u.substring(semi + 1).split(";")) {
                if (p.toLowerCase(Locale.ROOT).startsWith("transport=")) {
                    transport = ";transport=" + p.substring(10).toLowerCase(Locale.ROOT);
                }
            }
        }
        int colon = base.indexOf(':');
        String scheme = colon < 0 ? "" : base.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest;
        if (at >= 0 && at > colon) {
            rest = base.substring(colon + 1, at) + "@" + base.substring(at + 1).toLowerCase(Locale.ROOT);
        } else {
            rest = base.substring(colon + 1).toLowerCase(Locale.ROOT);
        }
        return scheme + ":" + rest + transport;
    }
}
