package org.limes.gateway.rules;

/** The two transitions of an alert episode. */
public enum AlertState {
    RAISED,
    CLEARED;

    public String label() {
        return this == RAISED ? "raised" : "cleared";
    }
}
