package org.limes.gateway.rules;

/**
 * What the rules of every shard of one pipeline share: the watchlist passage table (a
 * plate read by two cameras of one lane on two shards is one passage) and the meters.
 * Built once per pipeline and handed to every shard's {@link RuleEngine}.
 *
 * @param passages watchlist passages, shared by all shards (thread-safe)
 * @param metrics  the rule meters (thread-safe)
 */
public record RuleContext(PassageTable passages, RuleMetrics metrics) {

    /** A context of its own, for an engine that is the only shard (tests, benchmarks, single-shard use). */
    public static RuleContext of(RuleMetrics metrics) {
        return new RuleContext(new PassageTable(), metrics);
    }
}
