package org.limes.gateway.mqtt;

import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Names MQTT 5 reason codes, and says why a connection ended, for the centre sinks and the
 * MQTT source alike: a takeover by a client with the same id (0x8E) must read as such in the
 * log, not as {@code (null)}. Stateless.
 */
public final class MqttReasons {

    private MqttReasons() {
    }

    /** A name for an MQTT 5 reason code in a log line. */
    public static String name(int code) {
        return switch (code) {
            case 0x80 -> "unspecified error";
            case 0x81 -> "malformed packet";
            case 0x82 -> "protocol error";
            case 0x83 -> "implementation specific error";
            case 0x87 -> "not authorised";
            case 0x89 -> "server busy";
            case 0x8B -> "server shutting down";
            case 0x8D -> "keep alive timeout";
            case 0x8E -> "session taken over: another client connected with the same client id";
            case 0x90 -> "topic name invalid";
            case 0x93 -> "receive maximum exceeded";
            case 0x95 -> "packet too large";
            case 0x97 -> "quota exceeded";
            case 0x98 -> "administrative action";
            case 0x99 -> "payload format invalid";
            case 0x9C -> "use another server";
            case 0x9D -> "server moved";
            case 0x9F -> "connection rate exceeded";
            default -> "reason code 0x" + Integer.toHexString(code);
        };
    }

    /**
     * Why the connection ended: the broker's DISCONNECT reason code and string (a takeover by
     * another client with the same client id is 0x8E), or the local cause — never "null".
     */
    public static String describe(MqttDisconnectResponse response) {
        if (response == null) {
            return "no reason given";
        }
        StringBuilder b = new StringBuilder();
        int code = response.getReturnCode();
        if (response.getException() == null || code != 0) {
            b.append("reason code 0x").append(Integer.toHexString(code)).append(' ')
                    .append(code == 0 ? "normal disconnection" : name(code));
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
}
