package org.limes.gateway.rules;

/**
 * Which parts of a shard's rule state changed since it was last taken for saving, so the
 * shard writes only those files: an alert transition rewrites {@code open.json}, not every
 * device's times in {@code armed.json} and {@code heard.json} beside it.
 *
 * @param open  the open episodes ({@code open.json})
 * @param armed the armed times ({@code armed.json}); a device leaving them is also heard, so
 *              {@code heard} is set with it
 * @param heard the last-heard times ({@code heard.json})
 */
public record StateChanges(boolean open, boolean armed, boolean heard) {

    public static final StateChanges NONE = new StateChanges(false, false, false);

    public boolean any() {
        return open || armed || heard;
    }
}
