package org.limes.gateway.source.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderedAcksTest {

    private final List<Integer> sent = new ArrayList<>();
    private final OrderedAcks acks = new OrderedAcks(sent::add);

    @Test
    void releasesAcknowledgementsInArrivalOrderOnly() {
        OrderedAcks.Slot a = acks.arrived(11);
        OrderedAcks.Slot b = acks.arrived(12);
        OrderedAcks.Slot c = acks.arrived(13);

        acks.ready(c);
        acks.ready(b);
        assertThat(sent).isEmpty();
        assertThat(acks.pending()).isEqualTo(3);

        acks.ready(a);
        assertThat(sent).containsExactly(11, 12, 13);
        assertThat(acks.pending()).isZero();
    }

    @Test
    void slotsFromABrokenSessionNeverAcknowledgeTheNextSessionsMessages() {
        OrderedAcks.Slot old = acks.arrived(5);
        acks.reset();
        OrderedAcks.Slot fresh = acks.arrived(5);

        acks.ready(old);
        assertThat(sent).isEmpty();
        acks.ready(fresh);
        assertThat(sent).containsExactly(5);
    }
}
