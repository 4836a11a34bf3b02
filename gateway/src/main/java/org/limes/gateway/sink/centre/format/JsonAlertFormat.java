package org.limes.gateway.sink.centre.format;

import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;

/**
 * {@code format: json} — the canonical alert JSON ({@link AlertJson}), exactly as the outbox holds
 * it: its {@code gateway} is the instance whose rules emitted the transition (single mode: the
 * gateway), whichever instance relays it. Never encoded again: the relay's name would replace it.
 */
final class JsonAlertFormat implements AlertFormat {

    @Override
    public String name() {
        return "json";
    }

    @Override
    public String contentType() {
        return "application/json";
    }

    @Override
    public byte[] encode(Alert alert, byte[] json) {
        return json;
    }
}
