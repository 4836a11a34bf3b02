package org.limes.gateway.source;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code devices_by_peer:} — which device sits at a peer address, for drivers whose frames
 * carry no device id (NMEA, ASTERIX). Keys are an IP address ({@code 10.1.2.3}) or a CIDR
 * block ({@code 10.1.2.0/24}); the most specific match wins. Immutable; safe to share.
 *
 * <p>Example: {@code {"10.1.2.3": radar-01, "10.1.3.0/24": radar-02}} maps 10.1.2.3 to
 * radar-01, 10.1.3.77 to radar-02 and 10.9.9.9 to nothing.
 */
public final class PeerDevices {

    private static final PeerDevices NONE = new PeerDevices(List.of());

    private final List<Block> blocks;

    private PeerDevices(List<Block> blocks) {
        this.blocks = blocks;
    }

    /**
     * Parses the configured map.
     *
     * @throws IllegalArgumentException starting with {@code devices_by_peer} and naming the bad key
     */
    public static PeerDevices parse(Map<String, String> byPeer) {
        if (byPeer == null || byPeer.isEmpty()) {
            return NONE;
        }
        List<Block> blocks = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(byPeer).entrySet()) {
            String key = e.getKey().trim();
            String device = e.getValue();
            if (device == null || !device.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")) {
                throw new IllegalArgumentException("devices_by_peer." + key + " must be a device id (1-64 letters, "
                        + "digits or . _ : -), got '" + device + "'");
            }
            int slash = key.indexOf('/');
            byte[] address = literal(slash < 0 ? key : key.substring(0, slash), e.getKey());
            int bits = address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(key.substring(slash + 1));
                } catch (NumberFormatException x) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("devices_by_peer key '" + e.getKey() + "' must be an IP "
                            + "address or a CIDR block like 10.1.2.0/24 (prefix 0.." + bits + ")");
                }
            }
            blocks.add(new Block(address, prefix, device));
        }
        blocks.sort((a, b) -> Integer.compare(b.prefix, a.prefix));
        return new PeerDevices(List.copyOf(blocks));
    }

    public static PeerDevices none() {
        return NONE;
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Every device named, for creating their drivers up front. */
    public List<String> devices() {
        return blocks.stream().map(b -> b.device).distinct().toList();
    }

    /** The device at this address, or null. */
    public String deviceAt(InetAddress peer) {
        byte[] a = peer.getAddress();
        for (Block b : blocks) {
            if (b.matches(a)) {
                return b.device;
            }
        }
        return null;
    }

    private static byte[] literal(String text, String key) {
        // Only numeric literals: a host name here would mean a DNS lookup at start-up.
        if (!text.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new IllegalArgumentException("devices_by_peer key '" + key + "' must be an IP address or a CIDR "
                    + "block like 10.1.2.0/24, not a host name");
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("devices_by_peer key '" + key + "' is not an IP address", e);
        }
    }

    private record Block(byte[] address, int prefix, String device) {
        boolean matches(byte[] a) {
            if (a.length != address.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (a[full] & mask) == (address[full] & mask);
        }
    }
}
