package org.limes.gateway.source.mqtt;

/**
 * MQTT topic filter matching (MQTT 5.0 §4.7): {@code +} matches one level, {@code #} the
 * rest (including the parent level); topics starting with {@code $} match no filter that
 * starts with a wildcard.
 */
public final class TopicFilter {

    private final String[] levels;
    private final String filter;

    public TopicFilter(String filter) {
        this.filter = filter;
        this.levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if (l.equals("#") && i != levels.length - 1) {
                throw new IllegalArgumentException("'#' must be the last level of filter '" + filter + "'");
            }
            if (!l.equals("#") && !l.equals("+") && (l.contains("#") || l.contains("+"))) {
                throw new IllegalArgumentException("wildcards must fill a whole level in filter '" + filter + "'");
            }
        }
    }

    /**
     * Whether {@code topic} matches, read level by level in place: called for every message a
     * source receives, so no split of the topic into an array of strings.
     */
    public boolean matches(String topic) {
        if (topic.startsWith("$") && (levels[0].equals("+") || levels[0].equals("#"))) {
            return false;
        }
        int n = topic.length();
        int start = 0; // where the topic's level i begins; n + 1 once every level was taken
        for (String level : levels) {
            if (level.equals("#")) {
                return true;
            }
            if (start > n) {
                return false;
            }
            int end = topic.indexOf('/', start);
            if (end < 0) {
                end = n;
            }
            if (!level.equals("+")
                    && (level.length() != end - start || !topic.regionMatches(start, level, 0, level.length()))) {
                return false;
            }
            start = end + 1;
        }
        return start == n + 1;
    }

    @Override
    public String toString() {
        return filter;
    }
}
