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

    public boolean matches(String topic) {
        if (topic.startsWith("$") && (levels[0].equals("+") || levels[0].equals("#"))) {
            return false;
        }
        String[] t = topic.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            if (levels[i].equals("#")) {
                return true;
            }
            if (i >= t.length) {
                return false;
            }
            if (!levels[i].equals("+") && !levels[i].equals(t[i])) {
                return false;
            }
        }
        return t.length == levels.length;
    }

    @Override
    public String toString() {
        return filter;
    }
}
