package org.sipedge.registrar;

import java.util.List;

/** Told about each accepted REGISTER of an address-of-record. */
@FunctionalInterface
public interface RegistrationListener {
    /**
     * @param aor      the canonical address-of-record
     * @param bindings all of its bindings after the REGISTER (empty after a removal of the last one)
     */
    void registered(String aor, List<Binding> bindings);
}
