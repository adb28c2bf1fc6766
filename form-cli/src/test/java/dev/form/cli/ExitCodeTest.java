package dev.form.cli;

import dev.form.cli.http.ServiceError;
import dev.form.core.api.ErrorBody;
import dev.form.core.api.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The documented exit codes, and the one failure no service can produce: an unreachable one. */
class ExitCodeTest {
    @TempDir
    Path home;

    @Test
    void everyServiceErrorCodeMapsToItsDocumentedExitCode() {
        assertThat(ServiceError.exitCodeOf(400, body(ErrorCode.INVALID_INPUT))).isEqualTo(2);
        assertThat(ServiceError.exitCodeOf(401, body(ErrorCode.UNAUTHENTICATED))).isEqualTo(3);
        assertThat(ServiceError.exitCodeOf(403, body(ErrorCode.FORBIDDEN))).isEqualTo(3);
        assertThat(ServiceError.exitCodeOf(403, body(ErrorCode.POLICY_DENIED))).isEqualTo(3);
        assertThat(ServiceError.exitCodeOf(404, body(ErrorCode.NOT_FOUND))).isEqualTo(4);
        assertThat(ServiceError.exitCodeOf(409, body(ErrorCode.CONFLICT))).isEqualTo(5);
        assertThat(ServiceError.exitCodeOf(409, body(ErrorCode.WRONG_STATE))).isEqualTo(5);
        assertThat(ServiceError.exitCodeOf(409, body(ErrorCode.NO_FREE_SLOT))).isEqualTo(5);
        assertThat(ServiceError.exitCodeOf(502, body(ErrorCode.HYPERVISOR_REFUSED))).isEqualTo(6);
        assertThat(ServiceError.exitCodeOf(500, body(ErrorCode.INTERNAL))).isEqualTo(1);
        assertThat(ServiceError.exitCodeOf(504, body(ErrorCode.TIMEOUT))).isEqualTo(7);
    }

    @Test
    void unknownCodesFallBackToTheHttpStatus() {
        ErrorBody unknown = new ErrorBody("something_new", "m", null, null, null);
        assertThat(ServiceError.exitCodeOf(400, unknown)).isEqualTo(2);
        assertThat(ServiceError.exitCodeOf(403, unknown)).isEqualTo(3);
        assertThat(ServiceError.exitCodeOf(404, unknown)).isEqualTo(4);
        assertThat(ServiceError.exitCodeOf(409, unknown)).isEqualTo(5);
        assertThat(ServiceError.exitCodeOf(502, unknown)).isEqualTo(6);
        assertThat(ServiceError.exitCodeOf(503, unknown)).isEqualTo(1);
    }

    @Test
    void theErrorLineCarriesFieldHypervisorChainAndCode() {
        ServiceError e = new ServiceError(502, new ErrorBody("hypervisor_refused", "cloud-hypervisor refused vm.add-disk", null,
                "check the image", java.util.List.of("Error from device manager", "Disk image is locked")));
        assertThat(e.getMessage()).contains("vm.add-disk", "Disk image is locked", "[hypervisor_refused]");
        assertThat(e.hint()).isEqualTo("check the image");
        ServiceError f = new ServiceError(400, new ErrorBody("invalid_input", "must be a power of two", "queueSize", null, null));
        assertThat(f.getMessage()).contains("queueSize", "power of two");
    }

    @Test
    void anUnreachableServiceExitsSevenWithAHint() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliRun.Result r = new CliRun(home).env("FORM_PRIVATE_KEY", WalletCommandTest.TEST_KEY)
                .run("manage", "add", "disk", "-n", "web", "--path", "a.raw", "--host", "http://127.0.0.1:" + port);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(7);
        assertThat(r.err()).contains("cannot reach the form service at http://127.0.0.1:" + port).contains("hint: ")
                .doesNotContain("\tat ");
        CliRun.Result json = new CliRun(home).env("FORM_PRIVATE_KEY", WalletCommandTest.TEST_KEY).env("FORM_HOST", "http://127.0.0.1:" + port)
                .run("manage", "list", "--json");
        assertThat(json.exitCode()).isEqualTo(7);
        assertThat(json.json().at("/error/code").asText()).isEqualTo("unreachable");
        assertThat(json.json().at("/error/exitCode").asInt()).isEqualTo(7);
    }

    @Test
    void debugShowsTheStackTrace() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliRun.Result r = new CliRun(home).env("FORM_PRIVATE_KEY", WalletCommandTest.TEST_KEY)
                .run("manage", "list", "--host", "http://127.0.0.1:" + port, "--debug");
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.err()).contains("> GET http://127.0.0.1:" + port + "/v1/instances").contains("\tat ");
    }

    @Test
    void noKeyIsAUsageErrorBeforeAnythingIsSent() {
        CliRun.Result r = new CliRun(home).run("manage", "list", "--host", "http://127.0.0.1:9");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("hint: ");
    }

    private static ErrorBody body(ErrorCode code) {
        return new ErrorBody(code.wire(), "m", null, null, null);
    }
}
