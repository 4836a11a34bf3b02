package org.limes.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code decode}: runs a driver over captured bytes, as a technician checks a device's
 * output against the gateway without starting it. Frames are cut by the driver's own
 * framing; every reading is one JSON object on standard output, every bad frame one line
 * on standard error, and decoding goes on. Exit 0 when every frame decoded, 1 when any
 * failed, 2 for usage errors.
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Decode a capture with a driver: one JSON object per reading on standard output, one line "
                + "per bad frame on standard error.",
            "Frames are cut by the driver's framing: NEWLINE one per line (blank lines skipped), ASTERIX_BLOCK by "
                + "the LEN of each block, LENGTH_PREFIXED_U32LE (SAPIENT) by the 4-byte little-endian length before "
                + "each message, DOCUMENT the whole input. LENGTH_PREFIXED needs the source's field width and is not "
                + "supported here.",
            "Exit status: 0 every frame decoded, 1 some frame failed, 2 usage error."})
public final class DecodeCommand implements Callable<Integer> {

    /** Inputs larger than this are refused rather than read into memory. */
    static final long MAX_INPUT_BYTES = 256L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--driver", required = true, paramLabel = "NAME", description = "The driver, e.g. counter-json.")
    String driverName;

    @Option(names = "--file", paramLabel = "F", description = "The capture to read; standard input when absent.")
    Path file;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "A driver option, e.g. zone=Africa/Tripoli; repeatable.")
    Map<String, String> options = new LinkedHashMap<>();

    private final InputStream stdin;
    private final Clock clock;

    public DecodeCommand() {
        this(System.in, Clock.systemUTC());
    }

    /** With the standard input and clock given, for tests. */
    public DecodeCommand(InputStream stdin, Clock clock) {
        this.stdin = stdin;
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Drivers drivers = Drivers.load();
        if (!drivers.has(driverName)) {
            err.println("unknown driver '" + driverName + "', expected one of " + drivers.names());
            err.flush();
            return 2;
        }
        Driver driver;
        try {
            driver = drivers.create(driverName, DriverOptions.of(options));
        } catch (IllegalArgumentException e) {
            err.println("driver " + driverName + ": " + e.getMessage());
            err.flush();
            return 2;
        }
        byte[] input;
        try {
            input = read();
        } catch (IOException e) {
            err.println((file == null ? "standard input" : file.toString()) + ": " + e.getMessage());
            err.flush();
            return 2;
        }
        String origin = file == null ? "stdin" : file.toString();
        boolean failed = switch (driver.framing()) {
            case NEWLINE -> lines(driver, input, origin, out, err);
            case ASTERIX_BLOCK -> blocks(driver, input, origin, out, err);
            case LENGTH_PREFIXED_U32LE -> messages(driver, input, origin, out, err);
            case DOCUMENT -> frame(driver, input, origin, "document", out, err);
            case LENGTH_PREFIXED -> false;
        };
        if (driver.framing() == Framing.LENGTH_PREFIXED) {
            err.println("driver " + driverName + " uses length-prefixed frames, whose length field width is set "
                    + "by the source; decoding them from a file is not supported");
        }
        out.flush();
        err.flush();
        if (driver.framing() == Framing.LENGTH_PREFIXED) {
            return 2;
        }
        return failed ? 1 : 0;
    }

    private byte[] read() throws IOException {
        if (file != null) {
            long size = Files.size(file);
            if (size > MAX_INPUT_BYTES) {
                throw new IOException("larger than " + MAX_INPUT_BYTES + " bytes; split it");
            }
            return Files.readAllBytes(file);
        }
        byte[] data = stdin.readNBytes((int) MAX_INPUT_BYTES + 1);
        if (data.length > MAX_INPUT_BYTES) {
            throw new IOException("larger than " + MAX_INPUT_BYTES + " bytes; split it");
        }
        return data;
    }

    private boolean lines(Driver driver, byte[] input, String origin, PrintWriter out, PrintWriter err) {
        boolean failed = false;
        int start = 0;
        int line = 0;
        while (start < input.length) {
            line++;
            int end = start;
            while (end < input.length && input[end] != '\n') {
                end++;
            }
            int stop = end > start && input[end - 1] == '\r' ? end - 1 : end;
            if (!isBlank(input, start, stop)) {
                failed |= frame(driver, Arrays.copyOfRange(input, start, stop), origin,
                        "line " + line + " (byte " + start + ")", out, err);
            }
            start = end + 1;
        }
        return failed;
    }

    private boolean blocks(Driver driver, byte[] input, String origin, PrintWriter out, PrintWriter err) {
        boolean failed = false;
        int at = 0;
        while (at < input.length) {
            if (input.length - at < 3) {
                err.println(origin + ": block at byte " + at + ": " + (input.length - at)
                        + " trailing byte(s), too few for a CAT and LEN header");
                return true;
            }
            int len = ((input[at + 1] & 0xff) << 8) | (input[at + 2] & 0xff);
            if (len < 3 || at + len > input.length) {
                err.println(origin + ": block at byte " + at + ": LEN " + len + " is "
                        + (len < 3 ? "below the 3-byte header" : "beyond the end of the input")
                        + "; the blocks after it cannot be found");
                return true;
            }
            failed |= frame(driver, Arrays.copyOfRange(input, at, at + len), origin, "block at byte " + at, out, err);
            at += len;
        }
        return failed;
    }

    /**
     * Messages each preceded by a 4-byte little-endian length (SAPIENT). A length running past the
     * end of the input (a truncated capture) ends the walk: the messages after it cannot be found.
     */
    private boolean messages(Driver driver, byte[] input, String origin, PrintWriter out, PrintWriter err) {
        boolean failed = false;
        int at = 0;
        while (at < input.length) {
            if (input.length - at < 4) {
                err.println(origin + ": message at byte " + at + ": " + (input.length - at)
                        + " trailing byte(s), too few for the 4-byte length");
                return true;
            }
            long len = ((input[at] & 0xffL) | (input[at + 1] & 0xffL) << 8 | (input[at + 2] & 0xffL) << 16
                    | (input[at + 3] & 0xffL) << 24);
            if (len > input.length - at - 4) {
                err.println(origin + ": message at byte " + at + ": length " + len + " runs past the end of the input ("
                        + (input.length - at - 4) + " bytes left); truncated, the messages after it cannot be found");
                return true;
            }
            int body = at + 4;
            failed |= frame(driver, Arrays.copyOfRange(input, body, body + (int) len), origin, "message at byte " + at,
                    out, err);
            at = body + (int) len;
        }
        return failed;
    }

    /** Decodes one frame, printing its readings and errors; true when it had any error. */
    private boolean frame(Driver driver, byte[] payload, String origin, String where, PrintWriter out,
            PrintWriter err) {
        DecodeResult result;
        try {
            result = driver.decodeAll(new Frame(payload, "decode", origin, clock.instant()));
        } catch (RuntimeException e) {
            err.println(origin + ": " + where + ": driver failed instead of reporting the frame malformed: " + e);
            return true;
        }
        for (Reading r : result.readings()) {
            out.println(json(r));
        }
        for (DecodeException e : result.errors()) {
            err.println(origin + ": " + where + ": " + e.getMessage());
        }
        return !result.errors().isEmpty();
    }

    static String json(Reading r) {
        ObjectNode node = JSON.createObjectNode();
        node.put("kind", r.kind());
        node.put("device", r.deviceId());
        node.put("site", r.site());
        ObjectNode tags = node.putObject("tags");
        r.tags().forEach(tags::put);
        ObjectNode fields = node.putObject("fields");
        r.fields().forEach((k, v) -> {
            if (v instanceof Double d) {
                fields.put(k, d);
            } else if (v instanceof Long l) {
                fields.put(k, l);
            } else if (v instanceof Boolean b) {
                fields.put(k, b);
            } else {
                fields.put(k, (String) v);
            }
        });
        node.put("device_time", r.deviceTime().toString());
        node.put("received_at", r.receivedAt().toString());
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers always serialises", e);
        }
    }

    private static boolean isBlank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != ' ' && b[i] != '\t') {
                return false;
            }
        }
        return true;
    }
}
