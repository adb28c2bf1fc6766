package dev.form.bench.service;

import dev.form.core.model.DiskSpec;
import dev.form.core.model.ImageFormat;
import dev.form.hypervisor.HypervisorKind;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.VmEndpoint;
import dev.form.hypervisor.cloudhypervisor.CloudHypervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline: the Cloud Hypervisor driver called directly, making exactly the hypervisor calls the
 * service makes for the same requests. An add is the service's device read (vm.info, to keep ids unique)
 * then vm.add-disk; a remove is vm.remove-device then polling vm.info until the guest has let go (the
 * service's default wait=true). What this takes is the simulator's (and driver's) time; what the service
 * takes beyond it is its own overhead.
 */
final class DriverPairClient implements PairClient {
    private static final Duration REMOVAL_WAIT = Duration.ofSeconds(10);

    private final List<RunningVm> vms = new ArrayList<>();
    private final List<Path> images;
    private final int client;

    /** @param sockets the API sockets of this client's VMs; {@code images} one per VM, used only by it */
    DriverPairClient(int client, List<Path> sockets, List<Path> images) throws Exception {
        this.client = client;
        this.images = images;
        CloudHypervisor driver = new CloudHypervisor(Path.of("/nonexistent/cloud-hypervisor"));
        for (Path s : sockets) vms.add(driver.reattach(new VmEndpoint(HypervisorKind.CLOUD_HYPERVISOR, s, 0, null)));
    }

    static String diskId(int client, int k) {
        return "b" + client + "x" + k;
    }

    @Override
    public void add(int k) throws Exception {
        int v = k % vms.size();
        RunningVm vm = vms.get(v);
        String id = diskId(client, k);
        if (vm.snapshot().lists(id)) throw new IllegalStateException("id " + id + " is still listed");
        vm.addDisk(new DiskSpec(id, images.get(v).toString(), ImageFormat.RAW, false, false, false, null, null, null, null, null));
    }

    @Override
    public void remove(int k) throws Exception {
        RunningVm vm = vms.get(k % vms.size());
        String id = diskId(client, k);
        vm.removeDevice(id);
        if (!vm.awaitRemoval(id, REMOVAL_WAIT)) throw new IllegalStateException("the guest did not release " + id + " within " + REMOVAL_WAIT);
    }

    @Override
    public void close() {
        vms.forEach(RunningVm::close);
    }
}
