package org.limes.gateway.pipeline;

import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.privacy.PlatePseudonymiser;

/**
 * A destination as the pipeline sees it: its durable queue, what it receives, and whether
 * plates are pseudonymised for it.
 *
 * @param queue   the destination's outbox
 * @param routing what it receives
 * @param plates  hashes the plates of the readings it receives; null: plain plates
 */
public record Destination(DestinationQueue queue, Routing routing, PlatePseudonymiser plates) {

    /** A destination that receives plain plates. */
    public Destination(DestinationQueue queue, Routing routing) {
        this(queue, routing, null);
    }
}
