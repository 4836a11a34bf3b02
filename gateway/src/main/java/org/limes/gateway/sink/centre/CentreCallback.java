package org.limes.gateway.sink.centre;

import org.eclipse.paho.mqttv5.client.IMqttToken;
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
        LOG.warn("centre {}: disconnected ({}); alerts wait in its outbox", centre, describe(response));
    }

    /**
     * Why the connection ended: the broker's DISCONNECT reason code and string (a takeover by
     * another client with the same client id is 0x8E), or the local cause — never "null".
     */
    static String describe(MqttDisconnectResponse response) {
        if (response == null) {
            return "no reason given";
        }
        StringBuilder b = new StringBuilder();
        int code = response.getReturnCode();
        if (response.getException() == null || code != 0) {
            b.append("reason code 0x").append(Integer.toHexString(code)).append(' ')
                    .append(code == 0 ? "normal disconnection" : CentreSink.reasonName(code));
        }
        if (response.getReasonString() != null) {
            b.append(b.length() == 0 ? "" : ": ").append(response.getReasonString());
        }
        if (response.getException() != null) {
            MqttException e = response.getException();
            b.append(b.length() == 0 ? "" : "; ").append(e.getMessage());
            if (e.getReasonCode() == MqttException.REASON_CODE_INVALID_RETURN_CODE) {
                b.append(" (the broker answered with a reason code Paho cannot read in that packet, e.g. 0x95 "
                        + "packet too large for a PUBACK)");
            }
            if (e.getCause() != null) {
                b.append(" (").append(e.getCause()).append(')');
            }
        }
        return b.toString();
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
