package org.limes.gateway.config;

/**
 * A configuration that cannot be used, naming the file, the path in it and what was
 * expected: {@code demo.yml: sources[1].port must be 1..65535, got 70000}.
 */
public final class ConfigException extends RuntimeException {

    private final String file;
    private final String path;
    private final String problem;

    public ConfigException(String file, String path, String problem, Throwable cause) {
        super(file + ": " + (path.isEmpty() ? "" : path + " ") + problem, cause);
        this.file = file;
        this.path = path;
        this.problem = problem;
    }

    public String file() {
        return file;
    }

    public String path() {
        return path;
    }

    /** What is wrong there, without the file and the path: {@code must be 1..65535, got 70000}. */
    public String problem() {
        return problem;
    }
}
