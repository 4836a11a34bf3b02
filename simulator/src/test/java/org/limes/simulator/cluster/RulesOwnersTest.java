package org.limes.simulator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RulesOwnersTest {

    @Test
    void aDevicesPartitionIsTheDefaultPartitionersForItsKey() {
        // murmur2 of the UTF-8 key, made positive, modulo the partitions: Kafka's built-in partitioner.
        assertThat(RulesOwners.partition("cnt-001", 12)).isEqualTo(5);
        assertThat(RulesOwners.partition("cnt-251", 12)).isEqualTo(0);
        assertThat(RulesOwners.partition("cnt-001", 1)).isZero();
    }

    @Test
    void aMembersInstanceIsTheNameItsClientIdCarries() {
        List<String> names = List.of("limes-a", "limes-b", "limes-c");

        assertThat(RulesOwners.instanceOf("limes-ras-ajdir-limes-b-rules-StreamThread-1-consumer", names))
                .isEqualTo("limes-b");
        assertThat(RulesOwners.instanceOf("limes-ras-ajdir-limes-b-sink-store", names)).isNull();
        assertThat(RulesOwners.instanceOf("someone-else", names)).isNull();
    }
}
