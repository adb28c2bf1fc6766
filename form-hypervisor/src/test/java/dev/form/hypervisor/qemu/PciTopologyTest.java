package dev.form.hypervisor.qemu;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PciTopologyTest {

    /** query-pci of a q35 VM with a disk d1 on rp1 and nothing on rp2, as QEMU 7.2 printed it (trimmed). */
    private static final String QUERY_PCI = """
            [{"bus": 0, "devices": [
              {"bus": 0, "qdev_id": "", "slot": 0, "function": 0, "class_info": {"class": 1536, "desc": "Host bridge"}},
              {"bus": 0, "slot": 1, "function": 0, "qdev_id": "rp1", "class_info": {"class": 1540, "desc": "PCI bridge"},
               "pci_bridge": {"bus": {"number": 0, "secondary": 1, "subordinate": 1}, "devices": [
                 {"bus": 1, "qdev_id": "d1", "slot": 0, "function": 0, "class_info": {"class": 256, "desc": "SCSI controller"}}]}},
              {"bus": 0, "slot": 2, "function": 0, "qdev_id": "rp2", "class_info": {"class": 1540, "desc": "PCI bridge"},
               "pci_bridge": {"bus": {"number": 0, "secondary": 2, "subordinate": 2}, "devices": []}},
              {"bus": 0, "slot": 3, "function": 0, "qdev_id": "rp3", "class_info": {"class": 1540, "desc": "PCI bridge"},
               "pci_bridge": {"bus": {"number": 0, "secondary": 3, "subordinate": 3}, "devices": [
                 {"bus": 3, "qdev_id": "", "slot": 0, "function": 0, "class_info": {"class": 256, "desc": "SCSI controller"}}]}},
              {"bus": 0, "qdev_id": "", "slot": 31, "function": 0, "class_info": {"class": 1537, "desc": "ISA bridge"}}]}]
            """;

    @Test
    void findsPortsOccupantsAndGuestAddresses() throws Exception {
        PciTopology t = PciTopology.parse(new ObjectMapper().readTree(QUERY_PCI));
        assertThat(t.ports()).extracting(PciTopology.Port::id).containsExactly("rp1", "rp2", "rp3");
        assertThat(t.ports().get(0).occupants()).containsExactly("d1");
        assertThat(t.ports().get(0).secondaryBus()).isEqualTo(1);
        assertThat(t.ports().get(2).free()).as("a device without id still occupies its port").isFalse();
        assertThat(t.devices()).containsOnlyKeys("d1");
        PciTopology.Device d1 = t.device("d1").orElseThrow();
        assertThat(d1.address()).isEqualTo("0000:01:00.0");
        assertThat(d1.port()).isEqualTo("rp1");
        assertThat(t.firstFreePort().orElseThrow().id()).isEqualTo("rp2");
        assertThat(t.freePorts()).isEqualTo(1);
    }

    @Test
    void aFullTreeHasNoFreePort() throws Exception {
        PciTopology t = PciTopology.parse(new ObjectMapper().readTree(QUERY_PCI.replace("\"devices\": []", "\"devices\": [{\"bus\": 2, \"qdev_id\": \"x\", \"slot\": 0, \"function\": 0}]")));
        assertThat(t.firstFreePort()).isEmpty();
        assertThat(t.device("x").orElseThrow().address()).isEqualTo("0000:02:00.0");
    }
}
