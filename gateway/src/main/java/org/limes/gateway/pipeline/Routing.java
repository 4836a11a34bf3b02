package org.limes.gateway.pipeline;

import java.util.List;
import java.util.Set;
import org.limes.drivers.Reading;
import org.limes.gateway.rules.Alert;

/**
 * {@code routing:} of a destination — what it receives. Each list, when given, admits only
 * its values; an absent or empty list admits everything. A partner country's centre may,
 * for example, receive only the agreed cross-border rules at one site, while Tripoli and
 * Benghazi receive everything.
 *
 * <p>Routing is applied when a record is queued: changing it never touches what is already
 * in the destination's outbox.
 *
 * @param rules      rule ids of alerts
 * @param severities alert severities
 * @param sites      sites of alerts and readings
 * @param kinds      reading kinds (of readings, and of the readings an alert was raised on)
 */
public record Routing(List<String> rules, List<String> severities, List<String> sites, List<String> kinds) {

    public static final Routing ALL = new Routing(null, null, null, null);

    public Routing {
        rules = rules == null ? List.of() : List.copyOf(rules);
        severities = severities == null ? List.of() : List.copyOf(severities);
        for (String s : severities) {
            if (!Set.of("info", "warning", "critical").contains(s)) {
                throw new IllegalArgumentException("severities must list info, warning or critical, got '" + s + "'");
            }
        }
        sites = sites == null ? List.of() : List.copyOf(sites);
        kinds = kinds == null ? List.of() : List.copyOf(kinds);
    }

    public boolean accepts(Alert a) {
        return admits(rules, a.rule()) && admits(severities, a.severity()) && admits(sites, a.site())
                && admits(kinds, a.kind());
    }

    public boolean accepts(Reading r) {
        return admits(sites, r.site()) && admits(kinds, r.kind());
    }

    private static boolean admits(List<String> allowed, String value) {
        return allowed.isEmpty() || allowed.contains(value);
    }
}
