package org.sipedge.registrar.auth;

/**
 * An Authorization header that cannot be parsed as digest credentials; the registrar answers 400 with
 * {@link #reason()}. Checked, because a malformed header is an expected outcome of hostile or buggy clients.
 */
public final class MalformedCredentialsException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedCredentialsException(String reason) {
        super(reason);
    }

    /** Why the header was rejected; safe to put in a response reason phrase (it never quotes secrets). */
    public String reason() {
        return getMessage();
    }
}
