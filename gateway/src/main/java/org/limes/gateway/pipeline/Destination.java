package org.limes.gateway.pipeline;

import org.limes.gateway.outbox.DestinationQueue;

/**
 * A destination as the pipeline sees it: its durable queue and what it receives.
 *
 * @param queue   the destination's outbox
 * @param routing what it receives
 */
public record Destination(DestinationQueue queue, Routing routing) {
}
