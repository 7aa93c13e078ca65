package org.sipedge.registrar.core;

/** The registrar's configured bounds, in seconds and contacts. */
public record RegistrarLimits(int minExpires, int maxExpires, int defaultExpires, int maxContacts) {
    public RegistrarLimits {
        if (minExpires > maxExpires) {
            throw new IllegalArgumentException("registrar.min-expires (" + minExpires
                    + ") is greater than registrar.max-expires (" + maxExpires + ")");
        }
    }

    public static RegistrarLimits defaults() {
        return new RegistrarLimits(60, 7200, 3600, 10);
    }
}
