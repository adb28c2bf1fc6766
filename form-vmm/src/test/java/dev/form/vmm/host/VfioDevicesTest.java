package dev.form.vmm.host;

import dev.form.core.api.ErrorCode;
import dev.form.core.model.DeviceSpec;
import dev.form.vmm.ApiProblem;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A sysfs-shaped tree laid out like the kernel's: devices under devices/pci0000:00/..., bus/pci/devices/&lt;addr&gt;
 * symlinks to them, driver symlinks into bus/pci/drivers, iommu_group symlinks into kernel/iommu_groups, whose
 * devices/ directories link back; /dev/vfio/&lt;group&gt; as plain files.
 */
class VfioDevicesTest {

    @TempDir
    Path tmp;

    private Path sys;
    private Path devVfio;
    private HostPolicy policy;

    private static final String GPU = "0000:01:00.0";
    private static final String GPU_AUDIO = "0000:01:00.1";
    private static final String NIC = "0000:02:00.0";
    private static final String BRIDGE = "0000:00:01.0";
    private static final String LONELY = "0000:03:00.0";
    private static final String NO_GROUP = "0000:04:00.0";

    @BeforeEach
    void buildSysfs() throws IOException {
        sys = tmp.resolve("sys");
        devVfio = Files.createDirectories(tmp.resolve("dev/vfio"));
        for (String d : List.of("vfio-pci", "e1000e", "snd_hda_intel", "pcieport")) {
            Files.createDirectories(sys.resolve("bus/pci/drivers").resolve(d));
        }
        device(BRIDGE, "devices/pci0000:00/" + BRIDGE, "pcieport", 1, "0x060400");
        device(GPU, "devices/pci0000:00/" + BRIDGE + "/" + GPU, "vfio-pci", 1, "0x030000");
        device(GPU_AUDIO, "devices/pci0000:00/" + BRIDGE + "/" + GPU_AUDIO, "vfio-pci", 1, "0x040300");
        device(NIC, "devices/pci0000:00/0000:00:02.0/" + NIC, "e1000e", 2, "0x020000");
        device(LONELY, "devices/pci0000:00/0000:00:03.0/" + LONELY, "vfio-pci", 3, "0x010802");
        device(NO_GROUP, "devices/pci0000:00/0000:00:04.0/" + NO_GROUP, "vfio-pci", -1, "0x010802");
        Files.createFile(devVfio.resolve("1"));
        Files.createFile(devVfio.resolve("2"));
        policy = HostPolicy.defaults(tmp.resolve("data")).withSysfsRoot(sys).withVfioDevDir(devVfio)
                .withAllowedDevices(Set.of(GPU, GPU_AUDIO, NIC, LONELY, NO_GROUP, BRIDGE).stream()
                        .map(a -> PciAddress.parse("x", a)).collect(java.util.stream.Collectors.toSet()));
    }

    private void device(String addr, String realRel, String driver, int group, String cls) throws IOException {
        Path real = Files.createDirectories(sys.resolve(realRel));
        Files.writeString(real.resolve("class"), cls + "\n");
        Files.writeString(real.resolve("vendor"), "0x8086\n");
        Files.createDirectories(sys.resolve("bus/pci/devices"));
        Files.createSymbolicLink(sys.resolve("bus/pci/devices").resolve(addr),
                sys.resolve("bus/pci/devices").relativize(real));
        if (driver != null) {
            Files.createSymbolicLink(real.resolve("driver"), real.relativize(sys.resolve("bus/pci/drivers").resolve(driver)));
        }
        if (group >= 0) {
            Path groupDir = Files.createDirectories(sys.resolve("kernel/iommu_groups").resolve(Integer.toString(group)).resolve("devices"));
            Files.createSymbolicLink(real.resolve("iommu_group"), real.relativize(groupDir.getParent()));
            Files.createSymbolicLink(groupDir.resolve(addr), groupDir.relativize(real));
        }
    }

    private VfioDevice resolve(String requested, String vm, List<VfioAssignment> current) {
        return new VfioDevices(policy).resolve("path", requested, vm, current);
    }

    private static void refused(ThrowingCallable call, ErrorCode code, String... parts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.field()).isEqualTo("path");
            assertThat(p.code()).isEqualTo(code);
            assertThat(p.getMessage()).contains(parts);
        });
    }

    @Test
    void aViableDeviceResolvesFromAddressOrSysfsPaths() {
        VfioDevice byAddress = resolve(GPU, "vm1", List.of());
        assertThat(byAddress.address().toString()).isEqualTo(GPU);
        assertThat(byAddress.iommuGroup()).isEqualTo(1);
        assertThat(byAddress.groupMembers()).extracting(PciAddress::toString).containsExactly(BRIDGE, GPU, GPU_AUDIO);
        assertThat(byAddress.sysfsPath()).isEqualTo(sys.resolve("bus/pci/devices/" + GPU));
        assertThat(byAddress.groupDevice()).isEqualTo(devVfio.resolve("1"));

        assertThat(resolve("/sys/bus/pci/devices/" + GPU, "vm1", List.of())).isEqualTo(byAddress);
        assertThat(resolve("/sys/bus/pci/devices/" + GPU + "/", "vm1", List.of())).isEqualTo(byAddress);
        assertThat(resolve(sys + "/bus/pci/devices/" + GPU, "vm1", List.of())).isEqualTo(byAddress);
        assertThat(resolve("/sys/devices/pci0000:00/" + BRIDGE + "/" + GPU, "vm1", List.of())).isEqualTo(byAddress);
        assertThat(resolve("0000:01:00.0".toUpperCase(), "vm1", List.of())).isEqualTo(byAddress);

        DeviceSpec spec = byAddress.toSpec("gpu", false);
        assertThat(spec.sysfsPath()).isEqualTo(sys + "/bus/pci/devices/" + GPU + "/");
        assertThat(spec.pciAddress()).isEqualTo(GPU);
    }

    @Test
    void malformedRequestsAreInvalid() {
        refused(() -> resolve("01:00.0", "vm1", List.of()), ErrorCode.INVALID_INPUT, "neither a PCI address");
        refused(() -> resolve("0000:01:20.0", "vm1", List.of()), ErrorCode.INVALID_INPUT, "slot must be 00..1f");
        refused(() -> resolve("0000:01:00.8", "vm1", List.of()), ErrorCode.INVALID_INPUT, "neither a PCI address");
        refused(() -> resolve("/etc/passwd", "vm1", List.of()), ErrorCode.INVALID_INPUT, "does not end in a PCI address");
        refused(() -> resolve("/tmp/" + GPU, "vm1", List.of()), ErrorCode.INVALID_INPUT, "not below /sys");
        refused(() -> resolve("/sys/class/" + GPU, "vm1", List.of()), ErrorCode.INVALID_INPUT, "no PCI device at");
        refused(() -> resolve("", "vm1", List.of()), ErrorCode.INVALID_INPUT, "required");
        refused(() -> resolve("/sys/bus/pci/devices/\u202e" + GPU, "vm1", List.of()), ErrorCode.INVALID_INPUT, "U+202E");
    }

    @Test
    void aSysfsPathMustNameTheDeviceItClaims() throws IOException {
        Files.createDirectories(sys.resolve("bus/pci/fake/" + GPU));
        refused(() -> resolve("/sys/bus/pci/fake/" + GPU, "vm1", List.of()), ErrorCode.INVALID_INPUT,
                "is not the sysfs directory of " + GPU);
    }

    @Test
    void policyComesBeforeAnythingAboutTheHost() {
        HostPolicy none = policy.withAllowedDevices(Set.of());
        assertThatThrownBy(() -> new VfioDevices(none).resolve("path", "0000:09:00.0", "vm1", List.of()))
                .isInstanceOfSatisfying(ApiProblem.class, p -> {
                    assertThat(p.code()).isEqualTo(ErrorCode.POLICY_DENIED);
                    assertThat(p.getMessage()).contains("0000:09:00.0 is not in the host policy's allowed devices");
                    assertThat(p.hint()).contains("administrator");
                });
        HostPolicy withMissing = policy.withAllowedDevices(Set.of(PciAddress.parse("x", "0000:09:00.0")));
        assertThatThrownBy(() -> new VfioDevices(withMissing).resolve("path", "0000:09:00.0", "vm1", List.of()))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.getMessage()).contains("there is no PCI device 0000:09:00.0"));
    }

    @Test
    void theDeviceMustBeBoundToVfioPci() throws IOException {
        refused(() -> resolve(NIC, "vm1", List.of()), ErrorCode.CONFLICT,
                NIC + " is bound to e1000e, not vfio-pci: unbind it", "bind vfio-pci");
        Files.delete(sys.resolve("bus/pci/devices/" + NIC + "/driver"));
        refused(() -> resolve(NIC, "vm1", List.of()), ErrorCode.CONFLICT, NIC + " is bound to no driver, not vfio-pci");
    }

    @Test
    void everyGroupMemberMustBeVfioOrABridge() throws IOException {
        Path audioDriver = sys.resolve("bus/pci/devices/" + GPU_AUDIO + "/driver");
        Files.delete(audioDriver);
        Files.createSymbolicLink(audioDriver, Path.of("../../../../bus/pci/drivers/snd_hda_intel"));
        refused(() -> resolve(GPU, "vm1", List.of()), ErrorCode.CONFLICT,
                "shares IOMMU group 1 with " + GPU_AUDIO + ", which is bound to snd_hda_intel");
    }

    @Test
    void theGroupAndItsVfioNodeMustExist() throws IOException {
        refused(() -> resolve(NO_GROUP, "vm1", List.of()), ErrorCode.CONFLICT, "has no IOMMU group", "intel_iommu=on");
        refused(() -> resolve(LONELY, "vm1", List.of()), ErrorCode.CONFLICT, devVfio.resolve("3") + " does not exist");
        Files.createFile(devVfio.resolve("3"));
        assertThat(resolve(LONELY, "vm1", List.of()).groupMembers()).extracting(PciAddress::toString).containsExactly(LONELY);
    }

    @Test
    void aDeviceOrItsGroupGoesToOneVmOnly() {
        PciAddress gpu = PciAddress.parse("x", GPU);
        PciAddress audio = PciAddress.parse("x", GPU_AUDIO);
        refused(() -> resolve(GPU, "vm2", List.of(new VfioAssignment("vm1", "gpu", gpu))), ErrorCode.CONFLICT,
                "already passed to instance vm1 as 'gpu'");
        refused(() -> resolve(GPU, "vm1", List.of(new VfioAssignment("vm1", "gpu", gpu))), ErrorCode.CONFLICT,
                "already passed to instance vm1");
        refused(() -> resolve(GPU, "vm2", List.of(new VfioAssignment("vm1", "audio", audio))), ErrorCode.CONFLICT,
                "shares IOMMU group 1 with " + GPU_AUDIO + ", which is passed to instance vm1");
        assertThat(resolve(GPU, "vm1", List.of(new VfioAssignment("vm1", "audio", audio))).address()).isEqualTo(gpu);
    }
}
