package org.limes.gateway.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;
import org.limes.gateway.config.Require;

/**
 * A {@code type: watchlist} rule: an ANPR read ({@code anpr_read}, field {@code plate})
 * whose normalised plate is on the list raises an alert; the same plate read in the same
 * lane (by any camera) within {@code passage_window} of its last read is the same passage;
 * the alert clears once the window passes without another read.
 *
 * @param id              stable rule id
 * @param listFile        the list: one plate per line, {@code #} comments, optional
 *                        {@code plate,reason}; relative to the file the rule is written in
 * @param foldConfusables fold O→0, I→1, B→8 in list and reads (default false)
 * @param passageWindow   how long after a read the same plate in the same lane is the same
 *                        passage (default 30s, 1s..1h)
 * @param maxPassages     open passages kept (default 10,000); beyond it the least recently
 *                        read is cleared with reason {@code evicted}
 * @param severity        info, warning, critical (default critical)
 * @param list            the list as read by the configuration loader (not a YAML key)
 */
public record WatchlistRuleConfig(String id, String listFile, Boolean foldConfusables, String passageWindow,
        Integer maxPassages, String severity, Watchlist list) implements RuleConfig {

    static final long MAX_WINDOW_MS = 3_600_000L;

    public WatchlistRuleConfig {
        Require.identifier("id", id);
        Require.nonBlank("list_file", listFile);
        foldConfusables = foldConfusables != null && foldConfusables;
        Require.duration("passage_window", passageWindow, 30_000, 1_000, MAX_WINDOW_MS);
        maxPassages = (int) Require.range("max_passages", maxPassages, 10_000, 1, 1_000_000);
        severity = Require.oneOf("severity", severity, "critical", Set.of("info", "warning", "critical"));
        if (list != null && list.folds() != foldConfusables) {
            throw new IllegalArgumentException("list was read with fold_confusables " + list.folds());
        }
    }

    /** The YAML keys; the list is read later, by the configuration loader ({@link #withList}). */
    @JsonCreator
    public static WatchlistRuleConfig of(@JsonProperty("id") String id, @JsonProperty("list_file") String listFile,
            @JsonProperty("fold_confusables") Boolean foldConfusables,
            @JsonProperty("passage_window") String passageWindow, @JsonProperty("max_passages") Integer maxPassages,
            @JsonProperty("severity") String severity) {
        return new WatchlistRuleConfig(id, listFile, foldConfusables, passageWindow, maxPassages, severity, null);
    }

    /** This rule with its list read from {@code resolvedFile}. */
    public WatchlistRuleConfig withList(String resolvedFile, Watchlist read) {
        return new WatchlistRuleConfig(id, resolvedFile, foldConfusables, passageWindow, maxPassages, severity, read);
    }

    public long passageWindowMs() {
        return Require.duration("passage_window", passageWindow, 30_000, 1_000, MAX_WINDOW_MS);
    }
}
