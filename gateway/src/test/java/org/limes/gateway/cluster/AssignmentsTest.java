package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AssignmentsTest {

    private final Assignments here = new Assignments();

    @Test
    void aSettledRebalanceIsOneLineWithEveryPartitionAndWhatWasTakenOver() {
        here.framesStarted(3, 2);
        here.framesStarted(0, 5);
        here.passagesStarted(1, 1);
        assertThat(here.framesOwned()).isEqualTo(2);
        assertThat(here.passagesOwned()).isEqualTo(1);
        assertThat(here.settled()).isEqualTo("frames partitions [0, 3] (7 devices' state taken over), passages "
                + "partitions [1] (1 open passages taken over); 3 tasks started and 0 closed since the last rebalance");
    }

    @Test
    void theCountsStartAgainAfterEachRebalanceAndThePartitionsStay() {
        here.framesStarted(0, 5);
        here.passagesStarted(0, 2);
        here.settled();
        // An outage: Streams closes the tasks and starts them again; one partition moves away.
        here.framesClosed(0);
        here.passagesClosed(0);
        here.framesStarted(0, 4);
        here.framesClosed(0);
        here.framesStarted(0, 4);
        here.passagesClosed(7);
        assertThat(here.settled()).isEqualTo("frames partitions [0] (8 devices' state taken over), passages "
                + "partitions [] (0 open passages taken over); 2 tasks started and 3 closed since the last "
                + "rebalance");
        assertThat(here.settled()).isEqualTo("frames partitions [0] (0 devices' state taken over), passages "
                + "partitions [] (0 open passages taken over); 0 tasks started and 0 closed since the last "
                + "rebalance");
    }

    @Test
    void aPartitionStartedTwiceIsOwnedOnce() {
        here.framesStarted(2, 0);
        here.framesStarted(2, 0);
        assertThat(here.framesOwned()).as("the gauge counts partitions, not starts").isEqualTo(1);
        here.framesClosed(2);
        assertThat(here.framesOwned()).isZero();
    }
}
