package org.limes.gateway.source.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteOrder;

/**
 * Cuts a TCP stream into ASTERIX data blocks (EUROCONTROL ASTERIX Part 1): one octet CAT,
 * two octets LEN (big-endian, the length of the whole block including these three octets),
 * then the records.
 *
 * <pre>
 * offset  0     1     2     3 ...
 *        +-----+-----------+-------------------+
 *        | CAT |   LEN     |  records (LEN-3)  |
 *        +-----+-----------+-------------------+
 * 30 00 06 AA BB CC  →  one block of CAT 048, LEN 6: 30 00 06 AA BB CC
 * </pre>
 *
 * A block longer than the maximum is skipped (the decoder knows where it ends) and a
 * {@link io.netty.handler.codec.TooLongFrameException} raised; a LEN below 3 cannot be a
 * block and means the stream lost its alignment, so it raises a
 * {@link CorruptedFrameException} and the connection is closed.
 */
final class AsterixBlockDecoder extends LengthFieldBasedFrameDecoder {

    static final int HEADER_BYTES = 3;

    AsterixBlockDecoder(int maxBlockBytes) {
        super(ByteOrder.BIG_ENDIAN, maxBlockBytes, 1, 2, -HEADER_BYTES, 0, true);
    }

    @Override
    protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
        long len = super.getUnadjustedFrameLength(buf, offset, length, order);
        if (len < HEADER_BYTES) {
            throw new CorruptedFrameException("ASTERIX block LEN " + len + " is below 3 (the header alone) at CAT "
                    + buf.getUnsignedByte(offset - 1));
        }
        return len;
    }
}
