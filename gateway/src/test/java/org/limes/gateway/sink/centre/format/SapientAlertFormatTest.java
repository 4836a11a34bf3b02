package org.limes.gateway.sink.centre.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.drivers.sapient.proto.SapientMessage;

/** What a higher fusion node receives, read back with the gateway's own sapient driver. */
class SapientAlertFormatTest {

    private final SapientAlertFormat format = new SapientAlertFormat("ras-ajdir-gw");

    private static Reading read(byte[] message) throws Exception {
        List<Reading> r = Drivers.load().create("sapient", DriverOptions.empty())
                .decode(new Frame(message, "test", "test", Instant.EPOCH));
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    @Test
    void aRaiseIsAnActiveAlertAndItsClearTheSameAlertIdCleared() throws Exception {
        Reading raised = read(format.encode(Alerts.raised("rdr-1", "critical", Alerts.LOCATED)));
        Reading cleared = read(format.encode(Alerts.cleared("rdr-1", "critical", Alerts.LOCATED)));

        assertThat(raised.kind()).isEqualTo("sapient_alert");
        assertThat(raised.deviceId()).isEqualTo(SapientAlertFormat.nodeId("ras-ajdir-gw"));
        assertThat(raised.tags()).containsEntry("status", "active").containsEntry("alert_type", "critical")
                .containsEntry("priority", "high");
        assertThat(raised.number("lat_deg")).isEqualTo(32.8843);
        assertThat(raised.fields().get("description").toString()).contains("rdr-1");
        assertThat(cleared.tags()).containsEntry("status", "clear");
        assertThat(cleared.fields().get("alert_id")).isEqualTo(raised.fields().get("alert_id"));
    }

    @Test
    void isDeterministicAndCarriesTheLimesEventId() throws Exception {
        byte[] once = format.encode(Alerts.raised("rdr-1", "warning", Map.of()));
        byte[] again = format.encode(Alerts.raised("rdr-1", "warning", Map.of()));

        assertThat(again).isEqualTo(once);
        assertThat(SapientMessage.parseFrom(once).getAdditionalInformation()).endsWith(":raised");
        assertThat(read(once).fields()).doesNotContainKey("lat_deg");
        assertThat(SapientAlertFormat.nodeId("ras-ajdir-gw")).isNotEqualTo(SapientAlertFormat.nodeId("salloum-gw"));
    }
}
