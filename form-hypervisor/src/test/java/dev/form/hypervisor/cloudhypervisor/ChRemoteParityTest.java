package dev.form.hypervisor.cloudhypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ImageFormat;
import dev.form.core.model.RateLimit;
import dev.form.core.util.Sizes;
import dev.form.hypervisor.cloudhypervisor.http.ScriptedUnixServer;
import dev.form.hypervisor.cloudhypervisor.model.VmResize;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import static dev.form.hypervisor.cloudhypervisor.http.ScriptedUnixServer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The driver's request bodies against ch-remote's exact JSON for the same options (api-notes §3),
 * captured off the wire. Every difference is listed and deliberate: the id is always sent, the
 * image type is always named, and absent values are omitted instead of sent as null.
 */
class ChRemoteParityTest {

    private static final String ADDED = "HTTP/1.1 200 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n"
            + "Content-Type: application/json\r\nContent-Length: 36\r\n\r\n{\"id\":\"_disk3\",\"bdf\":\"0000:00:05.0\"}";
    private static final String NO_CONTENT = "HTTP/1.1 204 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n\r\n";

    @TempDir
    Path dir;
    ScriptedUnixServer server;
    CloudHypervisorClient client;

    @BeforeEach
    void start() throws IOException {
        server = new ScriptedUnixServer(dir);
        client = new CloudHypervisorClient(server.socket());
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        server.close();
    }

    /** Field path → "ch-remote value ⇒ driver value" for every field where they differ. */
    static Map<String, String> differences(String chRemote, String driver) throws IOException {
        Map<String, String> out = new TreeMap<>();
        diff("", CloudHypervisorJson.mapper().readTree(chRemote), CloudHypervisorJson.mapper().readTree(driver), out);
        return out;
    }

    private static void diff(String prefix, JsonNode chRemote, JsonNode driver, Map<String, String> out) {
        ObjectNode a = (ObjectNode) chRemote;
        ObjectNode b = (ObjectNode) driver;
        for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            JsonNode va = a.get(f);
            JsonNode vb = b.get(f);
            if (vb == null) out.put(prefix + f, va + " => absent");
            else if (va.isObject() && vb.isObject()) diff(prefix + f + ".", va, vb, out);
            else if (!va.equals(vb)) out.put(prefix + f, va + " => " + vb);
        }
        for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!a.has(f)) out.put(prefix + f, "absent => " + b.get(f));
        }
    }

    private String lastBody() {
        String raw = server.requests().getLast();
        return raw.substring(raw.indexOf("\r\n\r\n") + 4);
    }

    private String lastRequestLine() {
        String raw = server.requests().getLast();
        return raw.substring(0, raw.indexOf("\r\n"));
    }

    @Test
    void addDiskReadonly() throws Exception {
        server.then(bytes(ADDED));
        new CloudHypervisorVm(null, client, null, VmLimits.UNKNOWN).addDisk(
                new DiskSpec("data0", "/img/d.raw", ImageFormat.RAW, true, false, false, null, null, null, null, null));
        String chRemote = "{\"pci_segment\":0,\"path\":\"/img/d.raw\",\"readonly\":true,\"direct\":false,\"num_queues\":1,"
                + "\"queue_size\":128,\"vhost_user\":false,\"disable_io_uring\":false,\"disable_aio\":false,\"backing_files\":false,"
                + "\"sparse\":true,\"image_type\":\"Unknown\",\"lock_granularity\":\"ByteRange\"}";
        assertThat(lastRequestLine()).isEqualTo("PUT /api/v1/vm.add-disk HTTP/1.1");
        assertThat(differences(chRemote, lastBody())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "id", "absent => \"data0\"",
                "image_type", "\"Unknown\" => \"Raw\""));
    }

    @Test
    void addDiskWithIdSerialAndBandwidthLimit() throws Exception {
        server.then(bytes(ADDED));
        new CloudHypervisorVm(null, client, null, VmLimits.UNKNOWN).addDisk(new DiskSpec("data1", "/img/d.raw", ImageFormat.RAW,
                false, true, false, "SN1", null, null, new RateLimit(1048576, 0, 100), null));
        String chRemote = "{\"id\":\"data1\",\"pci_segment\":0,\"path\":\"/img/d.raw\",\"readonly\":false,\"direct\":true,"
                + "\"num_queues\":1,\"queue_size\":128,\"vhost_user\":false,\"rate_limiter_config\":{\"bandwidth\":{\"size\":1048576,"
                + "\"one_time_burst\":0,\"refill_time\":100},\"ops\":null},\"disable_io_uring\":false,\"disable_aio\":false,"
                + "\"serial\":\"SN1\",\"backing_files\":false,\"sparse\":true,\"image_type\":\"Raw\",\"lock_granularity\":\"ByteRange\"}";
        assertThat(differences(chRemote, lastBody())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "rate_limiter_config.ops", "null => absent"));
        // Apart from the null, byte for byte the same, field order included.
        assertThat(lastBody()).isEqualTo(chRemote.replace(",\"ops\":null", ""));
    }

    @Test
    void addFs() throws Exception {
        server.then(bytes(ADDED));
        new CloudHypervisorVm(null, client, null, VmLimits.UNKNOWN).addFs(new FsSpec("fs0", "share", "/run/vfsd.sock", null, null));
        String chRemote = "{\"id\":\"fs0\",\"pci_segment\":0,\"tag\":\"share\",\"socket\":\"/run/vfsd.sock\",\"num_queues\":1,\"queue_size\":1024}";
        assertThat(lastRequestLine()).isEqualTo("PUT /api/v1/vm.add-fs HTTP/1.1");
        assertThat(differences(chRemote, lastBody())).isEmpty();
        assertThat(lastBody()).isEqualTo(chRemote);
    }

    @Test
    void addDevice() throws Exception {
        server.then(bytes(ADDED));
        new CloudHypervisorVm(null, client, null, VmLimits.UNKNOWN).addDevice(
                new DeviceSpec("gpu0", "/sys/bus/pci/devices/0000:01:00.0/", "0000:01:00.0", false));
        String chRemote = "{\"id\":\"gpu0\",\"pci_segment\":0,\"path\":\"/sys/bus/pci/devices/0000:01:00.0/\",\"x_exclude_mmap_bars\":[]}";
        assertThat(lastRequestLine()).isEqualTo("PUT /api/v1/vm.add-device HTTP/1.1");
        assertThat(differences(chRemote, lastBody())).isEmpty();
        assertThat(lastBody()).isEqualTo(chRemote);
    }

    @Test
    void addDeviceBehindTheIommu() throws Exception {
        server.then(bytes(ADDED));
        new CloudHypervisorVm(null, client, null, new VmLimits(2, 1, java.util.List.of(0), false)).addDevice(
                new DeviceSpec("gpu0", "/sys/bus/pci/devices/0000:01:00.0/", "0000:01:00.0", true));
        String chRemote = "{\"id\":\"gpu0\",\"iommu\":true,\"pci_segment\":0,\"path\":\"/sys/bus/pci/devices/0000:01:00.0/\",\"x_exclude_mmap_bars\":[]}";
        assertThat(differences(chRemote, lastBody())).isEmpty();
        assertThat(lastBody()).isEqualTo(chRemote);
    }

    @Test
    void removeDevice() throws Exception {
        server.then(bytes(NO_CONTENT));
        new CloudHypervisorVm(null, client, null, VmLimits.UNKNOWN).removeDevice("data1");
        assertThat(lastRequestLine()).isEqualTo("PUT /api/v1/vm.remove-device HTTP/1.1");
        assertThat(lastBody()).isEqualTo("{\"id\":\"data1\"}");
    }

    @Test
    void resizeCpusAndMemory() throws Exception {
        server.then(bytes(NO_CONTENT));
        new CloudHypervisorVm(null, client, null, VmLimits.UNKNOWN).resize(4, Sizes.parse("2G"));
        String chRemote = "{\"desired_vcpus\":4,\"desired_ram\":2147483648,\"desired_balloon\":null}";
        assertThat(lastRequestLine()).isEqualTo("PUT /api/v1/vm.resize HTTP/1.1");
        assertThat(differences(chRemote, lastBody())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "desired_balloon", "null => absent"));
    }

    @Test
    void theClientSendsNoContentTypeOnlyWhereItSendsNoBody() {
        // ch-remote sends no Content-Type at all; micro_http accepts exactly "application/json", which the
        // driver sends with every body (and never on body-less calls, where a body header would be refused).
        assertThat(new String(new dev.form.hypervisor.cloudhypervisor.http.HttpRequest("PUT", "/api/v1/vm.boot", null).encode()))
                .isEqualTo("PUT /api/v1/vm.boot HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n");
    }
}
