package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.cloudhypervisor.http.HttpResponse;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Status + chain → kind, per server release, on the chains api-notes §1.4 lists. */
class ErrorClassifierTest {

    private static final ServerVersion V52 = ServerVersion.parse("52.0.0");
    private static final ServerVersion V53 = ServerVersion.parse("53.0.0");
    private static final ServerVersion V54 = ServerVersion.parse("54.0.0");

    private static Kind kind(ServerVersion v, int status, String... chain) {
        return new ErrorClassifier(v).classify(status, List.of(chain));
    }

    @Test
    void readsTheVersionFromPing() {
        assertThat(ServerVersion.of(new dev.form.hypervisor.cloudhypervisor.model.VmmPingResponse("v53.0-246-gae44c2971", "54.0.0", 1L, List.of())))
                .isEqualTo(new ServerVersion(54, 0, "54.0.0"));
        assertThat(ServerVersion.of(new dev.form.hypervisor.cloudhypervisor.model.VmmPingResponse("v52.0", null, null, null)).major()).isEqualTo(52);
        assertThat(ServerVersion.parse("garbage").known()).isFalse();
    }

    @Test
    void missingVm() {
        String[] chain = {"Error from API", "The VM info is not available", "VM is not created"};
        assertThat(kind(V52, 500, chain)).isEqualTo(Kind.NOT_FOUND);
        assertThat(kind(V53, 404, chain)).isEqualTo(Kind.NOT_FOUND);
        assertThat(kind(V54, 404, chain)).isEqualTo(Kind.NOT_FOUND);
    }

    @Test
    void duplicateIdAndPath() {
        String[] dup = {"Error from API", "The disk could not be added to the VM", "Failed to validate config", "Identifier data1 is not unique"};
        assertThat(kind(V52, 500, dup)).isEqualTo(Kind.CONFLICT);
        assertThat(kind(V53, 500, dup)).isEqualTo(Kind.CONFLICT);
        assertThat(kind(V54, 409, dup)).isEqualTo(Kind.CONFLICT);
        // The device manager's own uniqueness check is a 500 even on v54.
        assertThat(kind(V54, 500, "Error from API", "The disk could not be added to the VM", "Error from device manager",
                "Invalid identifier as it is not unique")).isEqualTo(Kind.CONFLICT);
        assertThat(kind(V54, 409, "Error from API", "The device could not be added to the VM", "Failed to validate config",
                "Duplicated device path: /sys/bus/pci/devices/0000:01:00.0/")).isEqualTo(Kind.CONFLICT);
    }

    @Test
    void unknownDevice() {
        String[] running = {"Error from API", "The device could not be removed from the VM", "Error from device manager", "Unknown device id: nope"};
        String[] cold = {"Error from API", "The device could not be removed from the VM", "No device with id \"nope\" to remove"};
        assertThat(kind(V52, 500, running)).isEqualTo(Kind.NOT_FOUND);
        assertThat(kind(V53, 500, cold)).isEqualTo(Kind.NOT_FOUND);
        assertThat(kind(V54, 404, running)).isEqualTo(Kind.NOT_FOUND);
    }

    @Test
    void wrongState() {
        assertThat(kind(V54, 500, "Error from API", "The VM could not shutdown", "VM is not running")).isEqualTo(Kind.WRONG_STATE);
        assertThat(kind(V52, 500, "Error from API", "The VM could not boot", "VM is already created")).isEqualTo(Kind.WRONG_STATE);
        assertThat(kind(V54, 429, "Error from API", "The VM could not be resized", "Error from CPU manager")).isEqualTo(Kind.WRONG_STATE);
    }

    @Test
    void invalidConfigIsARefusal() {
        String[] chain = {"Error from API", "The fs could not be added to the VM", "Failed to validate config",
                "Using vhost-user requires using shared memory or huge pages"};
        assertThat(kind(V52, 500, chain)).isEqualTo(Kind.REFUSED);
        assertThat(kind(V54, 400, chain)).isEqualTo(Kind.REFUSED);
        assertThat(kind(V54, 500, "Error from API", "The disk could not be added to the VM", "Error from device manager",
                "Cannot open disk path", "I/O error (path=/nope.img op=open)", "No such file or directory (os error 2)")).isEqualTo(Kind.REFUSED);
    }

    @Test
    void slotExhaustionIsAConflict() {
        assertThat(kind(V54, 500, "Error from API", "The disk could not be added to the VM", "Error from device manager",
                "Failed to allocate PCI device slot", "No available PCI device slot")).isEqualTo(Kind.CONFLICT);
        assertThat(kind(V52, 500, "Error from API", "The disk could not be added to the VM", "Error from device manager",
                "Failed to allocate a PCI device id on segment 0")).isEqualTo(Kind.CONFLICT);
    }

    @Test
    void protocolLevelRefusalsAreOurBugs() {
        assertThat(kind(V54, 404, "Not Found")).isEqualTo(Kind.PROTOCOL);
        assertThat(kind(V54, 400, "Bad Request")).isEqualTo(Kind.PROTOCOL);
        assertThat(kind(V52, 400, "Failed to deserialize JSON", "missing field `tag` at line 1 column 25")).isEqualTo(Kind.PROTOCOL);
        assertThat(kind(V54, 503, "Too many open connections")).isEqualTo(Kind.UNAVAILABLE);
    }

    @Test
    void readsEveryBodyShape() {
        assertThat(ErrorChain.of(response(400, "{ \"error\": \"Invalid HTTP method.\nAll previous unanswered requests will be dropped.\" }")))
                .containsExactly("Invalid HTTP method.", "All previous unanswered requests will be dropped.");
        assertThat(ErrorChain.of(response(500, "[\"Error from API\",\"The VM could not boot\",\"VM is already created\"]")))
                .containsExactly("Error from API", "The VM could not boot", "VM is already created");
        assertThat(ErrorChain.of(response(400, ""))).containsExactly("HTTP 400 without a body");
        assertThat(ErrorChain.of(response(500, "Error from API: The disk could not be added to the VM: boom")))
                .containsExactly("Error from API: The disk could not be added to the VM: boom");
        assertThat(new ErrorClassifier(V54).classify(400, ErrorChain.of(response(400, "")))).isEqualTo(Kind.PROTOCOL);
    }

    @Test
    void theExceptionKeepsTheWholeChain() {
        List<String> chain = List.of("Error from API", "The disk could not be added to the VM", "Failed to validate config", "Identifier d is not unique");
        HypervisorException e = new ErrorClassifier(V54).exception(ApiCall.VM_ADD_DISK, 409, chain);
        assertThat(e.kind()).isEqualTo(Kind.CONFLICT);
        assertThat(e.status()).isEqualTo(409);
        assertThat(e.chain()).isEqualTo(chain);
        assertThat(e.getMessage()).contains("vm.add-disk").contains("409").contains("Identifier d is not unique");
    }

    private static HttpResponse response(int status, String body) {
        return new HttpResponse(status, Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }
}
