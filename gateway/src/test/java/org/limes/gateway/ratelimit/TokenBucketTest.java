package org.limes.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void aFullBucketAllowsOneSecondsBurstThenRefillsAtTheRate() {
        TokenBucket bucket = new TokenBucket(10, now::get);
        for (int i = 0; i < 10; i++) {
            assertThat(bucket.tryTake()).as("token %d", i).isTrue();
        }
        assertThat(bucket.tryTake()).isFalse();
        assertThat(bucket.nanosUntilToken()).isEqualTo(100_000_000L);

        now.addAndGet(50_000_000L);
        assertThat(bucket.tryTake()).isFalse();
        assertThat(bucket.nanosUntilToken()).isEqualTo(50_000_000L);

        now.addAndGet(50_000_000L);
        assertThat(bucket.nanosUntilToken()).isZero();
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isFalse();
    }

    @Test
    void idleTimeDoesNotBankMoreThanOneSecond() {
        TokenBucket bucket = new TokenBucket(5, now::get);
        now.addAndGet(60_000_000_000L);
        int taken = 0;
        while (bucket.tryTake()) {
            taken++;
        }
        assertThat(taken).isEqualTo(5);
    }
}
