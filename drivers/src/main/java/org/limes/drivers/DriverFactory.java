package org.limes.drivers;

/**
 * Creates a {@link Driver} of one format. Registered with {@link java.util.ServiceLoader}
 * in {@code META-INF/services/org.limes.drivers.DriverFactory}, so a new device family is
 * a new package plus one line there.
 *
 * <p>Factories are cheap and do no I/O; {@link #create} validates its options and throws
 * {@link IllegalArgumentException} naming the bad option.
 */
public interface DriverFactory {

    /** The configuration name of the format this factory creates. */
    String name();

    /** One line for listings: what devices speak this format. */
    String description();

    /** A driver configured with the given options (empty for the defaults). */
    Driver create(DriverOptions options);
}
