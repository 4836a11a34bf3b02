package org.limes.gateway.picture;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Attachment;
import org.limes.drivers.Reading;

class PictureStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00.250Z");

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong now = new AtomicLong(T0.toEpochMilli());
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };
    private Path root;

    @BeforeEach
    void setUp() {
        root = dir.resolve("pictures");
    }

    private PictureStore keep(long maxBytes, int maxReads, String maxAge) throws IOException {
        return PictureStore.open(new PictureConfig("keep", null, maxBytes, maxReads, maxAge), root, clock, registry);
    }

    private static Reading read(String device, Instant at) {
        return new Reading(device, "ras-ajdir", "anpr_read", Map.of("lane", "2"),
                Map.of("plate", "5-123456", "picture_bytes", 7L), at, at);
    }

    /** A body with two pictures, "PLATE" and "SCENE…" (scene of {@code sceneBytes}), and their spans. */
    private record Body(byte[] payload, List<Attachment> attachments) {
        static Body of(int sceneBytes, char fill) {
            String head = "xml…";
            String plate = "PLATE";
            String scene = String.valueOf(fill).repeat(sceneBytes);
            byte[] payload = (head + plate + scene).getBytes(StandardCharsets.UTF_8);
            int h = head.getBytes(StandardCharsets.UTF_8).length;
            return new Body(payload, List.of(new Attachment(0, "licensePlatePicture.jpg", "image/jpeg", h, 5),
                    new Attachment(0, "detectionPicture.jpg", "image/jpeg", h + 5, sceneBytes)));
        }
    }

    /** Attaches {@code body}'s pictures to a read of {@code device} at {@code at}; its picture_ref or null. */
    private static String ref(PictureStore store, String device, Instant at, Body body) {
        return (String) store.attach(read(device, at), body.payload(), body.attachments()).fields()
                .get(PictureStore.FIELD);
    }

    /** Keeps {@code n} reads of anpr-01 a second apart (clock and modification times too); their references. */
    private String[] keepReads(PictureStore store, int n) throws IOException {
        String[] refs = new String[n];
        for (int i = 0; i < n; i++) {
            refs[i] = ref(store, "anpr-01", T0.plusSeconds(i), Body.of(10, (char) ('a' + i)));
            Files.setLastModifiedTime(root.resolve(refs[i]), FileTime.fromMillis(now.get()));
            now.addAndGet(1_000);
        }
        return refs;
    }

    private double outcome(String o) {
        var c = registry.find("limes.pictures").tag("outcome", o).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void keepsAReadsPicturesUnderItsReferenceWithTheExactBytes() throws IOException {
        PictureStore store = keep(1 << 20, 100, "7d");
        Body body = Body.of(20, 's');

        Reading r = store.attach(read("anpr-01", T0), body.payload(), body.attachments());

        String ref = (String) r.fields().get(PictureStore.FIELD);
        assertThat(ref).matches("anpr-01/2026-11-26/060000\\.250Z-[0-9a-f]{8}");
        assertThat(r.fields()).containsEntry("plate", "5-123456");
        assertThat(Files.readString(root.resolve(ref).resolve("licensePlatePicture.jpg"))).isEqualTo("PLATE");
        assertThat(Files.readString(root.resolve(ref).resolve("detectionPicture.jpg"))).isEqualTo("s".repeat(20));
        assertThat(store.pictures(ref)).containsExactly("detectionPicture.jpg", "licensePlatePicture.jpg");
        assertThat(store.picture(ref, "detectionPicture.jpg")).isEqualTo(root.resolve(ref).resolve(
                "detectionPicture.jpg"));
        assertThat(store.reads()).isEqualTo(1);
        assertThat(store.bytes()).isEqualTo(25);
        assertThat(outcome("kept")).isEqualTo(1);
        assertThat(registry.get("limes.pictures.kept.bytes").gauge().value()).isEqualTo(25);
        try (Stream<Path> left = Files.list(root.resolve(".incoming"))) {
            assertThat(left).as("nothing half-written is left behind").isEmpty();
        }
    }

    @Test
    void aRedeliveredReadIsKeptOnceUnderTheSameReference() throws IOException {
        PictureStore store = keep(1 << 20, 100, "7d");
        Body body = Body.of(20, 's');

        String first = ref(store, "anpr-01", T0, body);
        String again = ref(store, "anpr-01", T0, body);
        Body other = Body.of(20, 't');
        String different = ref(store, "anpr-01", T0, other);

        assertThat(again).isEqualTo(first);
        assertThat(different).as("another read at the same millisecond").isNotEqualTo(first);
        assertThat(store.reads()).isEqualTo(2);
        assertThat(outcome("duplicate")).isEqualTo(1);
    }

    @Test
    void theOldestReadsAreEvictedBeyondMaxBytesAndMaxReads() throws IOException {
        PictureStore store = keep(1 << 20, 3, "7d");
        String[] refs = keepReads(store, 5);

        assertThat(store.reads()).isEqualTo(3);
        assertThat(Files.exists(root.resolve(refs[0]))).isFalse();
        assertThat(Files.exists(root.resolve(refs[1]))).isFalse();
        assertThat(Files.exists(root.resolve(refs[4]))).isTrue();
        assertThat(outcome("evicted")).isEqualTo(2);
        assertThat(store.picture(refs[0], "licensePlatePicture.jpg")).isNull();

        PictureStore bytesBound = PictureStore.open(new PictureConfig("keep", null, 1L << 20, 100, "7d"),
                dir.resolve("by-bytes"), clock, new SimpleMeterRegistry());
        Body big = Body.of(600 * 1024, 'x');
        String a = ref(bytesBound, "anpr-02", T0, big);
        String b = ref(bytesBound, "anpr-02", T0.plusSeconds(1), big);
        assertThat(Files.exists(dir.resolve("by-bytes").resolve(a))).isFalse();
        assertThat(Files.exists(dir.resolve("by-bytes").resolve(b))).isTrue();
        assertThat(bytesBound.bytes()).isLessThanOrEqualTo(1 << 20);
    }

    @Test
    void aReadBiggerThanTheWholeBoundIsNotKeptAndTheReadingGoesOn() throws IOException {
        PictureStore store = keep(1 << 20, 100, "7d");
        Body huge = Body.of((1 << 20) + 1, 'h');

        Reading r = store.attach(read("anpr-01", T0), huge.payload(), huge.attachments());

        assertThat(r.fields()).doesNotContainKey(PictureStore.FIELD).containsEntry("plate", "5-123456");
        assertThat(outcome("too_large")).isEqualTo(1);
        assertThat(store.reads()).isZero();
    }

    @Test
    void readsOlderThanMaxAgeAreDeletedBySweepWithTheirEmptyDirectories() throws IOException {
        PictureStore store = keep(1 << 20, 100, "1h");
        Body body = Body.of(10, 'a');
        String old = ref(store, "anpr-01", T0, body);
        now.addAndGet(50 * 60_000L);
        String young = ref(store, "anpr-02", T0, body);

        now.addAndGet(20 * 60_000L);
        store.sweep();

        assertThat(Files.exists(root.resolve(old))).isFalse();
        assertThat(Files.exists(root.resolve("anpr-01"))).as("empty device directory removed").isFalse();
        assertThat(Files.exists(root.resolve(young))).isTrue();
        assertThat(outcome("expired")).isEqualTo(1);
    }

    @Test
    void aWriteThatFailsIsCountedAndTheReadingGoesOnWithoutAReference() throws IOException {
        PictureStore store = keep(1 << 20, 100, "7d");
        // A file where the device's directory must go: the write cannot succeed.
        Files.writeString(root.resolve("anpr-09"), "in the way");
        Body body = Body.of(10, 'a');

        Reading r = store.attach(read("anpr-09", T0), body.payload(), body.attachments());

        assertThat(r.fields()).doesNotContainKey(PictureStore.FIELD);
        assertThat(outcome("failed")).isEqualTo(1);
        assertThat(store.reads()).isZero();
        try (Stream<Path> left = Files.list(root.resolve(".incoming"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aRestartIndexesWhatIsThereOldestFirstAndTrimsItToTheBounds() throws IOException {
        String[] refs = keepReads(keep(1 << 20, 10, "7d"), 4);
        Files.createDirectories(root.resolve(".incoming").resolve("99"));

        PictureStore again = keep(1 << 20, 2, "7d");

        assertThat(again.reads()).isEqualTo(2);
        assertThat(again.bytes()).isEqualTo(30);
        assertThat(Files.exists(root.resolve(refs[1]))).isFalse();
        assertThat(Files.exists(root.resolve(refs[2]))).isTrue();
        assertThat(again.pictures(refs[3])).hasSize(2);
        assertThat(Files.exists(root.resolve(".incoming").resolve("99"))).isFalse();
    }

    @Test
    void aSpanBeyondTheFrameIsAFailureAndTheReadingGoesOn() throws IOException {
        PictureStore store = keep(1 << 20, 100, "7d");
        byte[] payload = new byte[10];

        Reading r = store.attach(read("anpr-01", T0), payload, List.of(new Attachment(0, "p.jpg", "image/jpeg", 8, 5)));

        assertThat(r.fields()).doesNotContainKey(PictureStore.FIELD).containsEntry("plate", "5-123456");
        assertThat(outcome("failed")).isEqualTo(1);
        assertThat(store.reads()).isZero();
    }

    @Test
    void theDropPolicyWritesNothingAndCountsTheRead() throws IOException {
        PictureStore store = PictureStore.open(PictureConfig.defaults(), root, clock, registry);
        Body body = Body.of(10, 'a');

        Reading r = store.attach(read("anpr-01", T0), body.payload(), body.attachments());

        assertThat(r.fields()).doesNotContainKey(PictureStore.FIELD);
        assertThat(outcome("dropped")).isEqualTo(1);
        assertThat(Files.exists(root)).isFalse();
    }

    @Test
    void onlyWellFormedReferencesInsideTheDirectoryResolve() throws IOException {
        PictureStore store = keep(1 << 20, 100, "7d");
        Body body = Body.of(10, 'a');
        String ref = ref(store, "anpr-01", T0, body);
        Files.writeString(dir.resolve("secret.txt"), "no");

        assertThat(store.picture(ref, "licensePlatePicture.jpg")).isNotNull();
        assertThat(store.picture(ref, "../../../secret.txt")).isNull();
        assertThat(store.picture("../../..", "secret.txt")).isNull();
        assertThat(store.picture("anpr-01/../..", "secret.txt")).isNull();
        assertThat(store.picture(ref, ".hidden")).isNull();
        assertThat(store.picture(ref, "missing.jpg")).isNull();
        assertThat(store.pictures("anpr-01/../x")).isEmpty();
    }

    @Test
    void aLinkPlantedInTheDirectoryIsNeverFollowed() throws IOException {
        PictureStore store = keep(1 << 20, 100, "7d");
        String ref = ref(store, "anpr-01", T0, Body.of(10, 'a'));
        Path secret = Files.writeString(dir.resolve("secret.txt"), "not a picture");
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("licensePlatePicture.jpg"), "not a picture either");

        // A link to a file, planted among a kept read's pictures.
        Files.createSymbolicLink(root.resolve(ref).resolve("evil.jpg"), secret);
        // A link to a directory posing as a read, and one posing as a device.
        Path day = root.resolve("anpr-01").resolve(ref.split("/")[1]);
        Files.createSymbolicLink(day.resolve("000000.000Z-00000000"), outside);
        Files.createSymbolicLink(root.resolve("anpr-09"), dir);

        assertThat(store.picture(ref, "evil.jpg")).isNull();
        assertThat(store.read(ref, "evil.jpg")).isNull();
        String planted = "anpr-01/" + ref.split("/")[1] + "/000000.000Z-00000000";
        assertThat(store.picture(planted, "licensePlatePicture.jpg")).isNull();
        assertThat(store.pictures(planted)).isEmpty();
        assertThat(store.read("anpr-09/outside/x", "licensePlatePicture.jpg")).isNull();
        assertThat(store.read(ref, "licensePlatePicture.jpg")).asString(StandardCharsets.UTF_8).isEqualTo("PLATE");

        // Indexed again at start: the links are not taken for kept reads, nor deleted through.
        PictureStore again = keep(1 << 20, 100, "7d");
        assertThat(again.reads()).isEqualTo(1);
        assertThat(again.picture(planted, "licensePlatePicture.jpg")).isNull();
        assertThat(again.pictures(ref)).containsExactly("detectionPicture.jpg", "licensePlatePicture.jpg");
        assertThat(again.read(ref, "evil.jpg")).isNull();
        assertThat(secret).exists();
        assertThat(outside.resolve("licensePlatePicture.jpg")).exists();
    }
}
