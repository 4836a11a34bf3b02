package org.limes.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The JVM options the gateway ships with, defined once in {@code gateway/jvm.options}: a java
 * launcher argument file, so a gateway is started as
 * {@code java @gateway/jvm.options -jar limes-gateway.jar run --config FILE} (the README, the
 * Docker image). The build copies the file into the jar as {@value #RESOURCE}, where the
 * simulator's bench reads the options of the gateway jar it starts and its demo those of the
 * gateway it runs, so every way of starting a gateway gets the same JVM.
 *
 * <p>The file holds one option per line; a line whose first non-blank character is {@code #} is a
 * comment. Quotes, {@code @} includes and options with blanks inside are refused: the java
 * launcher would read them otherwise than {@link #parse} does.
 *
 * <p>Stateless; safe from any thread.
 */
public final class JvmOptions {

    /** Where the options file is inside the gateway jar (and on the classpath of whatever embeds the gateway). */
    public static final String RESOURCE = "org/limes/gateway/jvm.options";

    private JvmOptions() {
    }

    /** The options of the gateway on this classpath. */
    public static List<String> shipped() {
        try (InputStream in = JvmOptions.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath: the gateway was built without it");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * The options a gateway jar ships with.
     *
     * @return its options, or an empty list for a jar built before it carried them
     */
    public static List<String> of(Path gatewayJar) throws IOException {
        try (ZipFile jar = new ZipFile(gatewayJar.toFile())) {
            ZipEntry entry = jar.getEntry(RESOURCE);
            if (entry == null) {
                return List.of();
            }
            try (InputStream in = jar.getInputStream(entry)) {
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * Parses an options file: one option per line, blank lines and {@code #} comment lines skipped.
     *
     * @throws IllegalArgumentException for a line the java launcher would read otherwise (quotes,
     *                                  {@code @}, blanks or a {@code #} inside an option)
     */
    public static List<String> parse(String text) {
        List<String> options = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (!line.startsWith("-") || line.chars().anyMatch(c -> c == '"' || c == '\'' || c == '#' || c == '@'
                    || Character.isWhitespace(c))) {
                throw new IllegalArgumentException("jvm.options line " + (i + 1) + ": one option per line, starting "
                        + "with '-', without quotes, blanks, '#' or '@', got: " + line);
            }
            options.add(line);
        }
        return List.copyOf(options);
    }

    /**
     * The options of {@code shipped} that {@code inEffect} (a JVM's input arguments) neither holds
     * nor overrides: an option given again with another value ({@code -Xmx1g} for {@code -Xmx256m},
     * {@code -XX:-UseFoo} for {@code -XX:+UseFoo}) is the operator's choice, not a missing one.
     */
    public static List<String> missing(List<String> shipped, List<String> inEffect) {
        Set<String> given = new HashSet<>();
        for (String option : inEffect) {
            given.add(key(option));
        }
        List<String> missing = new ArrayList<>();
        for (String option : shipped) {
            if (!given.contains(key(option))) {
                missing.add(option);
            }
        }
        return missing;
    }

    /** The shipped options this JVM lacks ({@link #missing} against its input arguments). */
    public static List<String> missingHere() {
        return missing(shipped(), ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    /** What to log, once, when {@link #missingHere} is not empty. */
    public static String warning(List<String> missing) {
        return "The JVM runs without the options the gateway ships with: " + missing + ". Its memory is sized by "
                + "the JVM's defaults for this host instead; start the gateway as `java @gateway/jvm.options -jar "
                + "limes-gateway.jar run --config FILE` (the Docker image does)";
    }

    /** What an option sets, without its value: {@code -Xmx}, {@code -XX:MaxRAM}, {@code -XX:UseSerialGC}, {@code -Dname}. */
    static String key(String option) {
        if (option.startsWith("-XX:")) {
            String flag = option.substring(4);
            if (flag.startsWith("+") || flag.startsWith("-")) {
                flag = flag.substring(1);
            }
            int eq = flag.indexOf('=');
            return "-XX:" + (eq < 0 ? flag : flag.substring(0, eq));
        }
        if (option.startsWith("-Xmx") || option.startsWith("-Xms") || option.startsWith("-Xss")
                || option.startsWith("-Xmn")) {
            return option.substring(0, 4);
        }
        if (option.startsWith("-D")) {
            int eq = option.indexOf('=');
            return eq < 0 ? option : option.substring(0, eq);
        }
        return option;
    }
}
