package org.limes.simulator.scenario;

/** A scenario file that cannot be used, naming the file, the path inside it and what was expected. */
public final class ScenarioException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final String path;

    public ScenarioException(String file, String path, String message, Throwable cause) {
        super(file + (path.isEmpty() ? "" : ": " + path) + ": " + message, cause);
        this.file = file;
        this.path = path;
    }

    /** The file name. */
    public String file() {
        return file;
    }

    /** The path inside the file, e.g. {@code faults[1].ratio}; empty for the whole file. */
    public String path() {
        return path;
    }
}
