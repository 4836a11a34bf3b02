package org.limes.gateway.sink.centre.format;

import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;

/** {@code format: json} — the canonical alert JSON ({@link AlertJson}), exactly as the outbox holds it. */
final class JsonAlertFormat implements AlertFormat {

    private final String gateway;

    JsonAlertFormat(String gateway) {
        this.gateway = gateway;
    }

    @Override
    public String name() {
        return "json";
    }

    @Override
    public String contentType() {
        return "application/json";
    }

    @Override
    public byte[] encode(Alert alert) {
        return AlertJson.encode(alert, gateway);
    }
}
