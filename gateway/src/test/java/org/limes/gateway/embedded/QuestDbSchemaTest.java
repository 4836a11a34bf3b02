package org.limes.gateway.embedded;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuestDbSchemaTest {

    // Validation happens before any I/O, so no server is needed behind this address.
    private final QuestDbSchema schema = new QuestDbSchema(new QuestDbClient("http://127.0.0.1:9"));

    @Test
    void rejectsMeasurementThatIsNotAnIdentifier() {
        assertThatThrownBy(() -> schema.ensure("lane-counts", List.of("device")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("measurement")
                .hasMessageContaining("'lane-counts'");
    }

    @Test
    void rejectsTagThatCouldInjectSql() {
        assertThatThrownBy(() -> schema.ensure("lane_counts", List.of("device\" SYMBOL); DROP TABLE x; --")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tag key");
    }

    @Test
    void rejectsEmptyAndOverlongNames() {
        assertThatThrownBy(() -> schema.ensure("", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> schema.ensure("m", List.of("t".repeat(128))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsTagNamedLikeTheDesignatedTimestamp() {
        assertThatThrownBy(() -> schema.ensure("lane_counts", List.of("Timestamp")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("designated timestamp");
    }

    @Test
    void rejectsNonPositiveCacheSize() {
        assertThatThrownBy(() -> new QuestDbSchema(new QuestDbClient("http://127.0.0.1:9"), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
