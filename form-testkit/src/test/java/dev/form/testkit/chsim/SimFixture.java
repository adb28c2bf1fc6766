package dev.form.testkit.chsim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared set-up for the simulator tests: a kernel file, image files, and VMs in a given state. */
final class SimFixture {
    final Path dir;
    final Path kernel;

    SimFixture(Path dir) throws IOException {
        this.dir = dir;
        this.kernel = Files.write(dir.resolve("vmlinux"), new byte[4096]);
    }

    /** A raw image of 1 MiB (zeros). */
    Path rawImage(String name) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, new byte[1 << 20]);
        return p;
    }

    Path qcow2Image(String name) throws IOException {
        byte[] b = new byte[1 << 16];
        b[0] = 'Q';
        b[1] = 'F';
        b[2] = 'I';
        b[3] = (byte) 0xfb;
        return Files.write(dir.resolve(name), b);
    }

    Path vhdxImage(String name) throws IOException {
        byte[] b = new byte[1 << 16];
        System.arraycopy("vhdxfile".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 8);
        return Files.write(dir.resolve(name), b);
    }

    /** A VmConfig body: kernel, vCPUs, memory (shared or not), serial to a file, plus extra top-level JSON members. */
    String vmConfig(int bootVcpus, int maxVcpus, boolean sharedMemory, String extraMembers) {
        String extra = extraMembers == null || extraMembers.isEmpty() ? "" : "," + extraMembers;
        return "{\"payload\":{\"kernel\":\"" + kernel + "\",\"cmdline\":\"console=ttyS0\"},"
                + "\"cpus\":{\"boot_vcpus\":" + bootVcpus + ",\"max_vcpus\":" + maxVcpus + "},"
                + "\"memory\":{\"size\":1073741824,\"shared\":" + sharedMemory + "},"
                + "\"serial\":{\"mode\":\"File\",\"file\":\"" + dir.resolve("serial.log") + "\"},"
                + "\"console\":{\"mode\":\"Off\"}" + extra + "}";
    }

    String vmConfig() {
        return vmConfig(2, 4, true, null);
    }

    /** Creates and boots a VM on this VMM; asserts both steps answered 204. */
    static void createAndBoot(SimulatedVmm vmm, String config) throws IOException {
        try (RawClient c = RawClient.connect(vmm.socket())) {
            assertThat(c.exchange(RawClient.put("vm.create", config)).status()).as("vm.create").isEqualTo(204);
            RawClient.Response boot = c.exchange(RawClient.put("vm.boot"));
            assertThat(boot.status()).as("vm.boot: " + boot.body()).isEqualTo(204);
        }
    }

    static RawClient.Response put(SimulatedVmm vmm, String route, String body) throws IOException {
        return RawClient.once(vmm.socket(), RawClient.put(route, body));
    }

    static RawClient.Response put(SimulatedVmm vmm, String route) throws IOException {
        return RawClient.once(vmm.socket(), RawClient.put(route));
    }

    static RawClient.Response get(SimulatedVmm vmm, String route) throws IOException {
        return RawClient.once(vmm.socket(), RawClient.get(route));
    }

    static String diskJson(String id, Path path, String extra) {
        return "{" + (id == null ? "" : "\"id\":\"" + id + "\",") + "\"path\":\"" + path + "\""
                + (extra == null ? "" : "," + extra) + "}";
    }
}
