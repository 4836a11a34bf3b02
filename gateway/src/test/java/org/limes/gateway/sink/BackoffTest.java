package org.limes.gateway.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The jitter comes from {@code ThreadLocalRandom}, which cannot be injected: the bounds are
 * checked on every draw, and that a ceiling was actually reached is checked over enough
 * draws that a miss has a probability below 2^-100.
 */
class BackoffTest {

    private static final int DRAWS = 400;

    @Test
    void delaysStayWithinHalfTheInitialAndTheDoublingCeiling() {
        long[] ceilings = {100, 200, 400, 800, 1600, 3000, 3000, 3000};
        long[] highest = new long[ceilings.length];
        for (int n = 0; n < DRAWS; n++) {
            Backoff b = new Backoff(100, 3000);
            for (int step = 0; step < ceilings.length; step++) {
                long d = b.nextDelayMs();
                assertThat(d).as("step %d", step).isBetween(50L, ceilings[step]);
                highest[step] = Math.max(highest[step], d);
            }
        }
        // Each step's ceiling is used, not just the previous one: the ceiling doubled, then held.
        for (int step = 1; step < ceilings.length; step++) {
            long below = ceilings[step] > ceilings[step - 1] ? ceilings[step - 1] : ceilings[step] * 2 / 3;
            assertThat(highest[step]).as("step %d", step).isGreaterThan(below);
        }
    }

    @Test
    void ceilingStaysAtTheMaximum() {
        Backoff b = new Backoff(250, 30_000);
        for (int i = 0; i < 20; i++) {
            b.nextDelayMs();
        }
        long highest = 0;
        for (int i = 0; i < 2_000; i++) {
            long d = b.nextDelayMs();
            assertThat(d).isBetween(125L, 30_000L);
            highest = Math.max(highest, d);
        }
        assertThat(highest).isGreaterThan(25_000L);
    }

    @Test
    void resetStartsAgainFromTheInitialDelay() {
        Backoff b = new Backoff(250, 30_000);
        for (int n = 0; n < DRAWS; n++) {
            for (int i = 0; i < 10; i++) {
                b.nextDelayMs();
            }
            b.reset();
            assertThat(b.nextDelayMs()).isBetween(125L, 250L);
            assertThat(b.nextDelayMs()).isBetween(125L, 500L);
        }
    }

    @Test
    void smallestDelaysAreStillPositive() {
        Backoff b = new Backoff(1, 4);

        assertThat(b.nextDelayMs()).isEqualTo(1);
        assertThat(b.nextDelayMs()).isBetween(1L, 2L);
        assertThat(b.nextDelayMs()).isBetween(1L, 4L);
        assertThat(b.nextDelayMs()).isBetween(1L, 4L);
    }

    @Test
    void equalInitialAndMaximumKeepsDelaysInOneBand() {
        Backoff b = new Backoff(100, 100);
        for (int i = 0; i < DRAWS; i++) {
            assertThat(b.nextDelayMs()).isBetween(50L, 100L);
        }
    }
}
