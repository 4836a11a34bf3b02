package org.limes.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogLimiterTest {

    @Test
    void allowsOncePerKeyPerInterval() {
        LogLimiter limiter = new LogLimiter(100, 10);

        assertThat(limiter.allow("a", 1_000)).isTrue();
        assertThat(limiter.allow("a", 1_000)).isFalse();
        assertThat(limiter.allow("a", 1_099)).isFalse();
        assertThat(limiter.allow("a", 1_100)).isTrue();
        assertThat(limiter.allow("a", 1_150)).isFalse();
        assertThat(limiter.allow("a", 1_200)).isTrue();
        assertThat(limiter.evictions()).isZero();
    }

    @Test
    void aRefusedAttemptDoesNotPushTheNextOneBack() {
        LogLimiter limiter = new LogLimiter(100, 10);

        limiter.allow("a", 0);
        for (long t = 10; t < 100; t += 10) {
            assertThat(limiter.allow("a", t)).isFalse();
        }

        assertThat(limiter.allow("a", 100)).isTrue();
    }

    @Test
    void keysAreIndependent() {
        LogLimiter limiter = new LogLimiter(100, 10);

        assertThat(limiter.allow("a", 0)).isTrue();
        assertThat(limiter.allow("b", 50)).isTrue();
        assertThat(limiter.allow("a", 60)).isFalse();
        assertThat(limiter.allow("b", 60)).isFalse();
        assertThat(limiter.allow("a", 100)).isTrue();
        assertThat(limiter.allow("b", 100)).isFalse();
        assertThat(limiter.allow("b", 150)).isTrue();
    }

    @Test
    void nanoTimeWrapAroundIsHandled() {
        LogLimiter limiter = new LogLimiter(100, 10);
        long nearWrap = Long.MAX_VALUE - 40;

        assertThat(limiter.allow("a", nearWrap)).isTrue();
        assertThat(limiter.allow("a", nearWrap + 50)).isFalse();
        assertThat(limiter.allow("a", nearWrap + 100)).isTrue();
    }

    @Test
    void keysAreBoundedAndEvictionsCounted() {
        LogLimiter limiter = new LogLimiter(1_000, 2);

        assertThat(limiter.allow("a", 0)).isTrue();
        assertThat(limiter.allow("b", 0)).isTrue();
        assertThat(limiter.evictions()).isZero();
        assertThat(limiter.allow("c", 0)).isTrue();
        assertThat(limiter.evictions()).isEqualTo(1);

        // b and c are remembered; a was forgotten, so it may log again early.
        assertThat(limiter.allow("b", 1)).isFalse();
        assertThat(limiter.allow("c", 1)).isFalse();
        assertThat(limiter.allow("a", 1)).isTrue();
        assertThat(limiter.evictions()).isEqualTo(2);

        for (int i = 0; i < 100; i++) {
            limiter.allow("k" + i, 2);
        }
        assertThat(limiter.evictions()).isEqualTo(102);
    }
}
