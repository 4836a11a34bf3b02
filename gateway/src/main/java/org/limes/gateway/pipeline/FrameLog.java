package org.limes.gateway.pipeline;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.limes.drivers.Frame;

/**
 * In cluster mode, where {@link Intake} hands a decoded and admitted frame instead of the
 * shards: a replicated log the cluster's instances share (the frames topic,
 * {@link org.limes.gateway.cluster.KafkaFrames}). The device is acknowledged when the returned
 * future completes, refused when it fails; absent in single-process mode.
 *
 * <p>Thread-safe: called on every source thread. The future may complete on the log's own I/O
 * thread, so what runs on it must be quick (resuming a PUBACK, writing an HTTP answer).
 */
public interface FrameLog {

    /**
     * Appends the frame once for each device whose readings it holds (the device is the key:
     * each device's frames stay in order, with one owner downstream).
     *
     * @param driver  the driver that decoded it, so the reader decodes it alike
     * @param devices the devices of its admitted readings, at least one
     * @param wait    true: wait while the log's bounded hand-off is full; false: answer null then,
     *                having changed nothing
     * @return completes once every copy is durable in the log; fails, with the reason, when the
     *         log did not take it
     * @throws InterruptedException only when waiting
     */
    CompletableFuture<Void> append(Frame frame, String driver, Set<String> devices, boolean wait)
            throws InterruptedException;
}
