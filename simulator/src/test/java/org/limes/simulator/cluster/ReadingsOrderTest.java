package org.limes.simulator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadingsOrderTest {

    @Test
    void readsTheDeviceTagAndTheTimestampOfALine() {
        String line = "vehicle_count,device=cnt-001,direction=inbound,lane=1,site=ras-ajdir count_total=12i,"
                + "occupancy_pct=7.5 1764136800123000000";

        assertThat(ReadingsOrder.tag(line, "device")).isEqualTo("cnt-001");
        assertThat(ReadingsOrder.tag(line, "site")).isEqualTo("ras-ajdir");
        assertThat(ReadingsOrder.tag(line, "count_total")).as("a field is no tag").isNull();
        assertThat(ReadingsOrder.timestamp(line + "\n")).isEqualTo(1764136800123000000L);
        assertThat(ReadingsOrder.timestamp("vehicle_count,device=x count_total=1i")).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void splitsTheStoresCsvRows() {
        assertThat(StoreCheck.splitCsv("\"cnt-001\",1764136800123000")).containsExactly("cnt-001", "1764136800123000");
    }
}
