package org.limes.gateway.sink.centre;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Set;
import org.limes.gateway.config.CheckContext;
import org.limes.gateway.config.Require;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.privacy.PseudonymiseConfig;
import org.limes.gateway.sink.centre.format.CapFormatConfig;
import org.limes.gateway.sink.centre.format.CotFormatConfig;

/**
 * One entry of {@code centres:} — a border-security centre that receives every alert, fed
 * from its own outbox. {@code type:} picks the transport ({@code mqtt} when absent, as
 * before there was a choice), {@code format:} what each message looks like.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type", visible = true,
        defaultImpl = MqttCentreConfig.class)
@JsonSubTypes({@JsonSubTypes.Type(value = MqttCentreConfig.class, name = "mqtt"),
        @JsonSubTypes.Type(value = WebhookCentreConfig.class, name = "webhook"),
        @JsonSubTypes.Type(value = CotCentreConfig.class, name = "cot"),
        @JsonSubTypes.Type(value = SapientCentreConfig.class, name = "sapient")})
public sealed interface CentreConfig permits MqttCentreConfig, WebhookCentreConfig, CotCentreConfig,
        SapientCentreConfig {

    Set<String> TYPES = Set.of("mqtt", "webhook", "cot", "sapient");
    Set<String> FORMATS = Set.of("json", "cap", "cot");

    /** Names the centre's outbox, metrics and logs. */
    String name();

    /** What this centre receives. */
    Routing routing();

    /**
     * When given, the plates in this centre's alerts (a watchlist hit's {@code plate} and
     * {@code match} tags, its subject and the ids built from it) are keyed hashes; null:
     * plain plates, for a centre with clearance.
     */
    PseudonymiseConfig pseudonymisePlates();

    /** {@code mqtt}, {@code webhook} or {@code cot}. */
    String type();

    /** {@code json}, {@code cap} or {@code cot}. */
    String format();

    /** CAP settings with {@code format: cap} (defaults when the centre gave none); null otherwise. */
    CapFormatConfig cap();

    /** Cursor on Target settings with {@code format: cot} (defaults when the centre gave none); null otherwise. */
    CotFormatConfig cot();

    /**
     * Checks this centre against what its constructor cannot see (the broker defaults);
     * nothing by default.
     *
     * @param ctx at this centre, e.g. {@code centres[0]}
     * @throws org.limes.gateway.config.ConfigException naming the key under the centre's path
     */
    default void check(CheckContext ctx) {
    }

    /** Checks what every centre type shares; returns the format, defaulted. */
    static String checkCommon(String name, String format, String fallbackFormat, Set<String> formats,
            CapFormatConfig cap, CotFormatConfig cot) {
        Require.identifier("name", name);
        String f = Require.oneOf("format", format, fallbackFormat, formats);
        if (cap != null && !"cap".equals(f)) {
            throw new IllegalArgumentException("cap applies only with format: cap, and format is " + f);
        }
        if (cot != null && !"cot".equals(f)) {
            throw new IllegalArgumentException("cot applies only with format: cot, and format is " + f);
        }
        return f;
    }
}
