package org.sipedge.registrar.core;

import java.util.List;
import java.util.Map;
import org.sipedge.registrar.Binding;

/** What the registrar answers: the bindings after the update, or a rejection with its status and reason. */
public sealed interface RegisterOutcome {

    /** 200 OK listing {@code bindings} (all current bindings of the AOR). */
    record Accepted(List<Binding> bindings, boolean outboundFlow, List<String> storedPath) implements RegisterOutcome {
        public Accepted {
            bindings = List.copyOf(bindings);
            storedPath = List.copyOf(storedPath);
        }
    }

    /** An error response; {@code headers} are extra headers it must carry (e.g. Min-Expires). */
    record Rejected(int status, String reason, Map<String, String> headers) implements RegisterOutcome {
        public Rejected(int status, String reason) {
            this(status, reason, Map.of());
        }
    }
}
