package org.limes.gateway.sink.centre;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.limes.gateway.mqtt.MqttReasons;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs a centre connection's lifecycle; delivery itself is tracked through tokens. */
final class CentreCallback implements MqttCallback {

    private static final Logger LOG = LoggerFactory.getLogger(CentreCallback.class);

    private final String centre;

    CentreCallback(String centre) {
        this.centre = centre;
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        LOG.warn("centre {}: disconnected ({}); alerts wait in its outbox", centre, MqttReasons.describe(response));
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
        LOG.warn("centre {}: MQTT error: {}", centre, exception.getMessage());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        // A centre link only publishes.
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
        // Tracked by the sink through the token itself.
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
        LOG.debug("centre {}: connected to {}", centre, serverUri);
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
        // No enhanced authentication.
    }
}
