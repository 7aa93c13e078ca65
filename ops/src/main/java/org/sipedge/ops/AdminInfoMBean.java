package org.sipedge.ops;

/** {@code org.sipedge:type=Admin}: where the admin listener is, for the launcher's start-up line. */
public interface AdminInfoMBean {
    /** {@code http://ADDRESS:PORT}, or empty when admin.port is 0. */
    String getUrl();

    /** The token made at start when admin.token is empty (printed once by the launcher), else empty. */
    String getGeneratedToken();

    /** API calls refused for want of the token. */
    long getUnauthorized();
}
