package dev.form.testkit.chsim;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The HTTP layer, byte for byte: status lines, header sets, micro_http's own answers, limits, keep-alive. */
class SimWireTest {
    @TempDir
    Path dir;
    SimFixture fx;
    CloudHypervisorSimulator sim;
    SimulatedVmm vmm;

    @BeforeEach
    void start() throws IOException {
        fx = new SimFixture(dir);
        sim = CloudHypervisorSimulator.start(SimulatorOptions.defaults());
        vmm = sim.serve(dir.resolve("api.sock"));
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void noContentHasNeitherTypeNorLength() throws IOException {
        RawClient.Response r = SimFixture.put(vmm, "vm.create", fx.vmConfig());
        assertThat(r.text()).isEqualTo("HTTP/1.1 204 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n\r\n");
    }

    @Test
    void hotAddAnswersPciDeviceInfoExactly() throws IOException {
        SimFixture.createAndBoot(vmm, fx.vmConfig());
        RawClient.Response r = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson(null, fx.rawImage("d.raw"), "\"image_type\":\"Raw\""));
        assertThat(r.text()).isEqualTo("HTTP/1.1 200 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n"
                + "Content-Type: application/json\r\nContent-Length: 36\r\n\r\n{\"id\":\"_disk0\",\"bdf\":\"0000:00:02.0\"}");
    }

    @Test
    void unknownPathIsNotFoundArray() throws IOException {
        RawClient.Response r = SimFixture.get(vmm, "vm.nothing");
        assertThat(r.text()).isEqualTo("HTTP/1.1 404 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n"
                + "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n[\"Not Found\"]");
    }

    @Test
    void queryStringIsNotStripped() throws IOException {
        RawClient.Response r = RawClient.once(vmm.socket(), "GET /api/v1/vmm.ping?x=1 HTTP/1.1\r\n\r\n");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("[\"Not Found\"]");
    }

    @Test
    void absoluteFormUriIsRouted() throws IOException {
        RawClient.Response r = RawClient.once(vmm.socket(), "GET http://localhost/api/v1/vmm.ping HTTP/1.1\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("\"version\":\"54.0.0\"");
    }

    @Test
    void postIsMicroHttpParseErrorWithNonJsonBody() throws IOException {
        RawClient.Response r = RawClient.once(vmm.socket(), "POST /api/v1/vm.info HTTP/1.1\r\n\r\n");
        String body = "{ \"error\": \"Invalid HTTP Method: Unsupported HTTP method.\nAll previous unanswered requests will be dropped.\" }";
        assertThat(r.text()).isEqualTo("HTTP/1.1 400 \r\nServer: Firecracker API\r\nConnection: keep-alive\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
    }

    @Test
    void wrongMethodOnRoute() throws IOException {
        assertThat(SimFixture.get(vmm, "vm.add-disk").body()).isEqualTo("[\"Bad Request\"]");
        RawClient.Response putInfo = RawClient.once(vmm.socket(), "PUT /api/v1/vm.info HTTP/1.1\r\n\r\n");
        assertThat(putInfo.status()).isEqualTo(400);
        assertThat(putInfo.body()).isEqualTo("[\"Bad Request\"]");
        RawClient.Response patch = RawClient.once(vmm.socket(), "PATCH /api/v1/vm.boot HTTP/1.1\r\n\r\n");
        assertThat(patch.text()).isEqualTo("HTTP/1.1 400 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n"
                + "Content-Type: application/json\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void bodyRulesPerEndpoint() throws IOException {
        assertThat(SimFixture.put(vmm, "vm.boot", "{}").body()).isEqualTo("[\"Bad Request\"]");
        assertThat(SimFixture.put(vmm, "vm.add-disk").body()).isEqualTo("[\"Bad Request\"]");
        RawClient.Response create = SimFixture.put(vmm, "vm.create");
        assertThat(create.status()).isEqualTo(400);
        assertThat(create.header("Content-Length")).isEqualTo("0");
    }

    @Test
    void vmmShutdownIs200WithZeroLengthThenSocketGoes() throws IOException {
        try (RawClient c = RawClient.connect(vmm.socket())) {
            RawClient.Response r = c.exchange(RawClient.put("vmm.shutdown"));
            assertThat(r.text()).isEqualTo("HTTP/1.1 200 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 0\r\n\r\n");
            assertThat(c.closedByServer(Duration.ofSeconds(5))).isTrue();
        }
        // the simulator closes the connection first and unlinks its socket right after, on its own thread
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(vmm.socket()) && vmm.isTerminated());
    }

    @Test
    void keepAliveAndPipelining() throws IOException {
        try (RawClient c = RawClient.connect(vmm.socket())) {
            for (int i = 0; i < 3; i++) assertThat(c.exchange(RawClient.get("vmm.ping")).status()).isEqualTo(200);
            c.send(RawClient.get("vmm.ping") + RawClient.put("vm.create", fx.vmConfig()) + RawClient.get("vm.info"));
            assertThat(c.read(Duration.ofSeconds(5)).status()).isEqualTo(200);
            assertThat(c.read(Duration.ofSeconds(5)).status()).isEqualTo(204);
            RawClient.Response info = c.read(Duration.ofSeconds(5));
            assertThat(info.status()).isEqualTo(200);
            assertThat(info.body()).contains("\"state\":\"Created\"");
        }
    }

    @Test
    void requestSplitAcrossWritesIsReassembled() throws IOException, InterruptedException {
        String req = RawClient.put("vm.create", fx.vmConfig());
        try (RawClient c = RawClient.connect(vmm.socket())) {
            for (int i = 0; i < req.length(); i += 7) {
                c.send(req.substring(i, Math.min(req.length(), i + 7)));
                if (i % 70 == 0) Thread.sleep(1);
            }
            assertThat(c.read(Duration.ofSeconds(5)).status()).isEqualTo(204);
        }
    }

    @Test
    void expectContinueGetsInterim100() throws IOException {
        String body = fx.vmConfig();
        try (RawClient c = RawClient.connect(vmm.socket())) {
            c.send("PUT /api/v1/vm.create HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n");
            RawClient.Response interim = c.read(Duration.ofSeconds(5));
            assertThat(interim.text()).isEqualTo("HTTP/1.1 100 \r\nServer: Firecracker API\r\nConnection: keep-alive\r\n\r\n");
            c.send(body);
            assertThat(c.read(Duration.ofSeconds(5)).status()).isEqualTo(204);
        }
    }

    @Test
    void chunkedBodyIsNotDecodedAndItsBytesFailToParse() throws IOException {
        String body = fx.vmConfig();
        String chunked = "PUT /api/v1/vm.create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
        try (RawClient c = RawClient.connect(vmm.socket())) {
            c.send(chunked);
            RawClient.Response first = c.read(Duration.ofSeconds(5));
            // No Content-Length: vm.create arrives without a body.
            assertThat(first.status()).isEqualTo(400);
            assertThat(first.header("Server")).isEqualTo("Cloud Hypervisor API");
            RawClient.Response second = c.read(Duration.ofSeconds(5));
            assertThat(second.status()).isEqualTo(400);
            assertThat(second.header("Server")).isEqualTo("Firecracker API");
            assertThat(second.body()).endsWith("\nAll previous unanswered requests will be dropped.\" }");
        }
        assertThat(vmm.state()).isEqualTo("none");
    }

    @Test
    void overLongHeaderLineIsRefused() throws IOException {
        String longHeader = "X-Long: " + "a".repeat(1100);
        RawClient.Response r = RawClient.once(vmm.socket(), "GET /api/v1/vmm.ping HTTP/1.1\r\n" + longHeader + "\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Server")).isEqualTo("Firecracker API");
    }

    @Test
    void headerRulesOfMicroHttp() throws IOException {
        RawClient.Response enc = RawClient.once(vmm.socket(), "GET /api/v1/vmm.ping HTTP/1.1\r\nAccept-Encoding: identity;q=0\r\n\r\n");
        assertThat(enc.status()).isEqualTo(400);
        assertThat(enc.header("Server")).isEqualTo("Firecracker API");
        RawClient.Response lower = RawClient.once(vmm.socket(), "get /api/v1/vmm.ping HTTP/1.1\r\n\r\n");
        assertThat(lower.body()).startsWith("{ \"error\": \"Invalid HTTP Method: Unsupported HTTP method.\n");
        RawClient.Response badLength = RawClient.once(vmm.socket(), "PUT /api/v1/vm.boot HTTP/1.1\r\nContent-Length: ten\r\n\r\n");
        assertThat(badLength.status()).isEqualTo(400);
        assertThat(badLength.header("Server")).isEqualTo("Firecracker API");
        // Content-Type is not required, odd values are ignored, HTTP/1.0 is accepted.
        RawClient.Response ok = RawClient.once(vmm.socket(), "GET /api/v1/vmm.ping HTTP/1.0\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n");
        assertThat(ok.status()).isEqualTo(200);
    }

    @Test
    void parseErrorDropsWhatWasBufferedButKeepsTheConnection() throws IOException {
        try (RawClient c = RawClient.connect(vmm.socket())) {
            c.send("POST /api/v1/vmm.ping HTTP/1.1\r\n\r\n" + RawClient.get("vmm.ping"));
            assertThat(c.read(Duration.ofSeconds(5)).status()).isEqualTo(400);
            assertThat(c.exchange(RawClient.get("vmm.ping")).status()).isEqualTo(200);
        }
    }

    @Test
    void unsupportedHttpVersionIsRefused() throws IOException {
        RawClient.Response r = RawClient.once(vmm.socket(), "GET /api/v1/vmm.ping HTTP/2.0\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).startsWith("{ \"error\": \"Invalid HTTP Version: Unsupported HTTP version.\n");
    }

    @Test
    void bodyLimitIs50KiBUpToV53() throws IOException {
        try (CloudHypervisorSimulator old = CloudHypervisorSimulator.start(SimulatorOptions.defaults().withVersion(ApiVersion.V53))) {
            SimulatedVmm v53 = old.serve(dir.resolve("v53.sock"));
            String big = bigConfig(51_201);
            RawClient.Response r = SimFixture.put(v53, "vm.create", big);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).isEqualTo("{ \"error\": \"Request payload with size 51201 is larger than the limit of 51200 allowed by server."
                    + "\nAll previous unanswered requests will be dropped.\" }");
            assertThat(SimFixture.put(v53, "vm.create", bigConfig(51_200)).status()).isEqualTo(204);
        }
    }

    @Test
    void bodyLimitIs4MiBInV54() throws IOException {
        assertThat(SimFixture.put(vmm, "vm.create", bigConfig(200_000)).status()).isEqualTo(204);
        RawClient.Response r = RawClient.once(vmm.socket(), "PUT /api/v1/vm.create HTTP/1.1\r\nContent-Length: 4194305\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("Request payload with size 4194305 is larger than the limit of 4194304 allowed by server.");
    }

    @Test
    void eleventhConnectionGetsCanned503() throws IOException {
        RawClient[] open = new RawClient[10];
        try {
            for (int i = 0; i < 10; i++) {
                open[i] = RawClient.connect(vmm.socket());
                assertThat(open[i].exchange(RawClient.get("vmm.ping")).status()).isEqualTo(200);
            }
            try (RawClient eleventh = RawClient.connect(vmm.socket())) {
                RawClient.Response r = eleventh.read(Duration.ofSeconds(5));
                assertThat(r.text()).isEqualTo("HTTP/1.1 503\r\nServer: Firecracker API\r\nConnection: close\r\n"
                        + "Content-Length: 40\r\n\r\n{ \"error\": \"Too many open connections\" }");
                assertThat(eleventh.closedByServer(Duration.ofSeconds(5))).isTrue();
            }
        } finally {
            for (RawClient c : open) if (c != null) c.close();
        }
        // Once connections are gone, new ones are served again.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> SimFixture.get(vmm, "vmm.ping").status() == 200);
    }

    @Test
    void pingReportsTheSimulatedRelease() throws IOException {
        for (ApiVersion v : ApiVersion.values()) {
            try (CloudHypervisorSimulator s = CloudHypervisorSimulator.start(SimulatorOptions.defaults().withVersion(v))) {
                SimulatedVmm x = s.serve(dir.resolve("p" + v + ".sock"));
                RawClient.Response r = SimFixture.get(x, "vmm.ping");
                assertThat(r.body()).isEqualTo("{\"build_version\":\"" + v.buildVersion() + "\",\"version\":\"" + v.version()
                        + "\",\"pid\":" + ProcessHandle.current().pid() + ",\"features\":[\"kvm\",\"io_uring\"]}");
            }
        }
    }

    @Test
    void requestLogKeepsRawMethodPathAndBody() throws IOException {
        SimFixture.get(vmm, "vmm.ping");
        SimFixture.put(vmm, "vm.remove-device", "{\"id\":\"x\"}");
        assertThat(vmm.requestLog()).containsExactly("GET /api/v1/vmm.ping", "PUT /api/v1/vm.remove-device {\"id\":\"x\"}");
    }

    /** A valid VmConfig padded with a long cmdline to exactly {@code size} bytes. */
    private String bigConfig(int size) {
        String base = fx.vmConfig();
        String marker = "console=ttyS0";
        int pad = size - base.getBytes(StandardCharsets.UTF_8).length;
        return base.replace(marker, marker + " " + "x".repeat(pad - 1));
    }
}
