package org.limes.simulator.device.camera;

import java.time.Instant;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;

/**
 * Simulated ANPR cameras at a crossing on the Libyan frontier, producing {@code anpr_read}
 * readings and the frames a camera would send: a Hikvision ISAPI multipart body
 * ({@code camera-hikvision}) or a {@code camera-json} line.
 *
 * <pre>
 * country  share  plate (example)      form
 * -------  -----  -------------------  ----------------------------------------------------
 * LY       50 %   5-123456             region 1..99, dash, 4..6 digits
 * TN       35 %   123 TU 4567          series 1..250, "TU" (Latin for تونس), 1..9999
 * EG       10 %   ن ه ر ١٢٣٤           three Arabic letters, four Eastern Arabic digits
 * DZ        5 %   01234 116 31         serial 5 digits, class + year 3 digits, wilaya 01..58
 *
 * confidence_pct  60..99.9 to a tenth; 5 % of reads 30..60 (dirty plate, glare)
 * list            blockList 1 %, allowList 10 %, otherList the rest
 * vehicle_type    car 70 %, van 10 %, truck 15 %, bus 5 %
 * lane            ((i-1) % 4) + 1; direction: odd i forward (hikvision) / inbound (json)
 * picture_bytes   hikvision only: 60 000..260 000
 * </pre>
 *
 * <p>Camera {@code i} (1-based) is {@code 10.20.0.<10+i>} in the Hikvision form (the
 * driver's default device id is the camera's {@code ipAddress}) and {@code <prefix>-NN} in
 * the JSON form. Deterministic and stateless: a read is a pure function of the seed, the
 * camera and the time. Immutable and safe to call from any number of threads.
 */
public final class AnprCameraModel {

    /** The wire form the cameras speak. */
    public enum Wire {
        HIKVISION("camera-hikvision"),
        CAMERA_JSON("camera-json");

        private final String driver;

        Wire(String driver) {
            this.driver = driver;
        }

        /** The driver name that decodes this form. */
        public String driver() {
            return driver;
        }
    }

    private static final String[] EGYPT_LETTERS = {"أ", "ب", "ج", "د", "ر", "س", "ص", "ط", "ع", "ف", "ق", "ل", "م", "ن", "ه", "و", "ى"};
    private static final char EASTERN_ZERO = '\u0660';

    private final long seed;
    private final String devicePrefix;
    private final int cameras;
    private final Wire wire;
    private final Driver driver;

    /**
     * @param seed         the seed every read derives from
     * @param devicePrefix the device id prefix of the JSON form, e.g. {@code anpr}
     * @param cameras      how many cameras, 1..200
     * @param wire         the form the cameras send
     */
    public AnprCameraModel(long seed, String devicePrefix, int cameras, Wire wire) {
        if (devicePrefix == null || devicePrefix.isBlank()) {
            throw new IllegalArgumentException("devicePrefix must not be blank");
        }
        if (cameras < 1 || cameras > 200) {
            throw new IllegalArgumentException("cameras must be 1..200, got " + cameras);
        }
        this.seed = seed;
        this.devicePrefix = devicePrefix;
        this.cameras = cameras;
        this.wire = Objects.requireNonNull(wire, "wire");
        this.driver = Drivers.load().create(wire.driver(), DriverOptions.empty());
    }

    public Wire wire() {
        return wire;
    }

    /** The id camera {@code index} reports under in this model's wire form. */
    public String deviceId(int index) {
        checkIndex(index);
        return wire == Wire.HIKVISION ? "10.20.0." + (10 + index) : devicePrefix + "-" + String.format("%02d", index);
    }

    /** The read camera {@code index} makes at {@code time} (also used as the receive time). */
    public Reading next(int index, Instant time) {
        checkIndex(index);
        Objects.requireNonNull(time, "time");
        SplittableRandom random = new SplittableRandom(mix(seed, index, time));
        double c = random.nextDouble();
        String country = c < 0.50 ? "LY" : c < 0.85 ? "TN" : c < 0.95 ? "EG" : "DZ";
        String plate = plate(country, random);
        double confidence = random.nextDouble() < 0.05 ? tenths(random.nextDouble(30, 60)) : tenths(random.nextDouble(60, 99.9));
        double l = random.nextDouble();
        String list = l < 0.01 ? "blockList" : l < 0.11 ? "allowList" : "otherList";
        double v = random.nextDouble();
        String vehicleType = v < 0.70 ? "car" : v < 0.80 ? "van" : v < 0.95 ? "truck" : "bus";

        TreeMap<String, String> tags = new TreeMap<>();
        tags.put("country", country);
        tags.put("lane", Integer.toString((index - 1) % 4 + 1));
        tags.put("list", list);
        tags.put("vehicle_type", vehicleType);
        TreeMap<String, Object> fields = new TreeMap<>();
        fields.put("plate", plate);
        fields.put("confidence_pct", confidence);
        if (wire == Wire.HIKVISION) {
            tags.put("direction", index % 2 == 1 ? "forward" : "reverse");
            fields.put("picture_bytes", random.nextLong(60_000, 260_001));
        } else {
            tags.put("direction", index % 2 == 1 ? "inbound" : "outbound");
        }
        return new Reading(deviceId(index), "", "anpr_read", tags, fields, time, time);
    }

    /** The bytes camera {@code index} sends for its read at {@code time}: an HTTP body or a JSON line. */
    public byte[] frame(int index, Instant time) {
        return driver.encode(next(index, time));
    }

    static String plate(String country, SplittableRandom random) {
        return switch (country) {
            case "LY" -> random.nextInt(1, 100) + "-" + digits(random, random.nextInt(4, 7));
            case "TN" -> random.nextInt(1, 251) + " TU " + random.nextInt(1, 10_000);
            case "EG" -> EGYPT_LETTERS[random.nextInt(EGYPT_LETTERS.length)] + " "
                    + EGYPT_LETTERS[random.nextInt(EGYPT_LETTERS.length)] + " "
                    + EGYPT_LETTERS[random.nextInt(EGYPT_LETTERS.length)] + " " + easternDigits(random, 4);
            case "DZ" -> digits(random, 5) + " " + random.nextInt(1, 3) + String.format("%02d", random.nextInt(0, 27))
                    + " " + String.format("%02d", random.nextInt(1, 59));
            default -> throw new IllegalArgumentException("no plate format for " + country);
        };
    }

    private static String digits(SplittableRandom random, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('0' + random.nextInt(10)));
        }
        return sb.toString();
    }

    private static String easternDigits(SplittableRandom random, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) (EASTERN_ZERO + random.nextInt(i == 0 ? 1 : 0, 10)));
        }
        return sb.toString();
    }

    private static double tenths(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static long mix(long seed, int index, Instant time) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h = (h ^ index) * 0xBF58476D1CE4E5B9L;
        h = (h ^ time.getEpochSecond()) * 0x94D049BB133111EBL;
        h = (h ^ time.getNano()) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 31);
    }

    private void checkIndex(int index) {
        if (index < 1 || index > cameras) {
            throw new IllegalArgumentException("camera index must be 1.." + cameras + ", got " + index);
        }
    }
}
