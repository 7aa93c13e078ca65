package org.sipedge.proxy.core;

import java.util.Optional;
import org.sipedge.registrar.Binding;

/**
 * The cluster hook: a binding whose connection lives on another node. A request for it must be sent by that node
 * (forwarded there with an internal Route), never from here: {@link ClusterNodes}. {@link #UNREACHABLE} drops such
 * bindings from the target set (the caller gets 480 when nothing else is left).
 */
@FunctionalInterface
public interface ForeignFlows {
    /** The binding of {@code aor} rewritten to be reached through its owner node (Path = that node), or empty. */
    Optional<Binding> resolve(String aor, Binding owned);

    /** Single node (or no cluster routing): such bindings are dropped from the target set. */
    ForeignFlows UNREACHABLE = (aor, b) -> Optional.empty();
}
