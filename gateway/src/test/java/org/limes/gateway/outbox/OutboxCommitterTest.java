package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class OutboxCommitterTest {

    @Test
    void ofTheSupersedingActionsOneCycleTakesUpOnlyTheNewestRunsInThePlaceOfTheEarliest() {
        List<String> ran = new CopyOnWriteArrayList<>();
        Object shard = new Object();
        Object other = new Object();
        try (OutboxCommitter committer = new OutboxCommitter(1)) {
            committer.hold();
            committer.start();
            committer.afterDurable(shard, () -> ran.add("save 1"));
            committer.afterDurable(() -> ran.add("ack a"));
            committer.afterDurable(other, () -> ran.add("other save"));
            committer.afterDurable(shard, () -> ran.add("save 2"));
            committer.afterDurable(() -> ran.add("ack b"));
            committer.afterDurable(shard, () -> ran.add("save 3"));
            committer.resume();
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 4);
            assertThat(ran).containsExactly("save 3", "ack a", "other save", "ack b");

            committer.afterDurable(shard, () -> ran.add("save 4"));
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 5);
            assertThat(ran).last().isEqualTo("save 4");
        }
    }
}
