package org.limes.gateway.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerDevicesTest {

    @Test
    void theMostSpecificAddressOrBlockWins() throws Exception {
        PeerDevices p = PeerDevices.parse(Map.of("10.1.2.3", "radar-01", "10.1.2.0/24", "radar-02",
                "10.0.0.0/8", "radar-03", "fd00::/8", "radar-v6"));
        assertThat(p.deviceAt(InetAddress.getByName("10.1.2.3"))).isEqualTo("radar-01");
        assertThat(p.deviceAt(InetAddress.getByName("10.1.2.77"))).isEqualTo("radar-02");
        assertThat(p.deviceAt(InetAddress.getByName("10.200.0.1"))).isEqualTo("radar-03");
        assertThat(p.deviceAt(InetAddress.getByName("fd12::1"))).isEqualTo("radar-v6");
        assertThat(p.deviceAt(InetAddress.getByName("192.168.1.1"))).isNull();
        assertThat(p.devices()).containsExactlyInAnyOrder("radar-01", "radar-02", "radar-03", "radar-v6");
    }

    @Test
    void aPrefixThatIsNotAByteBoundaryMasksTheRest() throws Exception {
        PeerDevices p = PeerDevices.parse(Map.of("192.168.4.0/22", "cam"));
        assertThat(p.deviceAt(InetAddress.getByName("192.168.7.255"))).isEqualTo("cam");
        assertThat(p.deviceAt(InetAddress.getByName("192.168.8.0"))).isNull();
    }

    @Test
    void hostNamesBadPrefixesAndBadDeviceIdsAreRejected() {
        assertThatThrownBy(() -> PeerDevices.parse(Map.of("radar.local", "r")))
                .hasMessageStartingWith("devices_by_peer key 'radar.local' must be an IP address");
        assertThatThrownBy(() -> PeerDevices.parse(Map.of("10.0.0.0/40", "r")))
                .hasMessageContaining("prefix 0..32");
        assertThatThrownBy(() -> PeerDevices.parse(Map.of("10.0.0.1", "has space")))
                .hasMessageStartingWith("devices_by_peer.10.0.0.1 must be a device id");
    }
}
