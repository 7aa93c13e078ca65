package org.sipedge.dispatcher.probe;

import java.util.concurrent.CompletionStage;
import org.sipedge.dispatcher.core.Destination;

/** Sends one OPTIONS to a destination; completes with the final status, or exceptionally on a transport error. */
public interface OptionsSender {
    CompletionStage<Integer> options(Destination destination);
}
