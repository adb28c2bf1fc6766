package dev.form.vmm.host;

import dev.form.vmm.ApiProblem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Checks that a PCI device can be passed through with VFIO, by reading sysfs the way the kernel lays it out:
 * {@code bus/pci/devices/<addr>} (a symlink into {@code devices/pci...}), its {@code driver} symlink (to
 * {@code bus/pci/drivers/<name>}), its {@code iommu_group} symlink (to {@code kernel/iommu_groups/<n>}), the group's
 * {@code devices/} directory and each member's {@code class} file; and the group's node in /dev/vfio. Both roots
 * come from the {@link HostPolicy} so tests run against a sysfs-shaped tree.
 *
 * <p>The rules, in order, each failure naming the field "path" and the rule:
 * <ol>
 *   <li>the request is a PCI address ({@code 0000:01:00.0}) or a sysfs path ending in one
 *       ({@code /sys/bus/pci/devices/0000:01:00.0}, {@code /sys/devices/pci0000:00/.../0000:01:00.0}) —
 *       {@code invalid_input};</li>
 *   <li>the host policy allows the device — {@code policy_denied} (checked before anything about the host is
 *       revealed);</li>
 *   <li>the device exists — {@code invalid_input};</li>
 *   <li>it is bound to vfio-pci — {@code conflict};</li>
 *   <li>it has an IOMMU group, and every other member of the group is bound to vfio-pci or is a PCI bridge
 *       (class 0x0604xx) — {@code conflict} (stricter than the kernel, which also tolerates unbound devices: an unbound
 *       device can be bound to a host driver at any time and break the group);</li>
 *   <li>{@code /dev/vfio/<group>} exists — {@code conflict};</li>
 *   <li>neither the device nor another member of its group is passed to another instance, and the device is not
 *       already passed to this one — {@code conflict}.</li>
 * </ol>
 */
public final class VfioDevices {

    private static final String VFIO_DRIVER = "vfio-pci";

    private final HostPolicy policy;
    private final Path sysfsRoot;
    private final Path vfioDevDir;

    public VfioDevices(HostPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.sysfsRoot = policy.sysfsRoot();
        this.vfioDevDir = policy.vfioDevDir();
    }

    /**
     * Resolves and checks the request's "path" (a PCI address or sysfs path) for {@code instanceId}.
     *
     * @param current every PCI device currently passed to (or recorded for) any instance
     */
    public VfioDevice resolve(String field, String requested, String instanceId, Collection<VfioAssignment> current) {
        PciAddress address = addressOf(field, requested);
        policy.requireDeviceAllowed(field, address);
        Path dev = deviceDir(address);
        if (!Files.isDirectory(dev)) {
            throw ApiProblem.invalid(field, "there is no PCI device " + address + " on this host (" + dev
                    + " does not exist)", "list devices with lspci -D");
        }
        String driver = driverOf(dev);
        if (!VFIO_DRIVER.equals(driver)) {
            throw ApiProblem.conflict(field, address + (driver == null ? " is bound to no driver" : " is bound to " + driver)
                    + ", not vfio-pci: " + (driver == null ? "" : "unbind it (echo " + address + " > /sys/bus/pci/devices/"
                    + address + "/driver/unbind) and ") + "bind vfio-pci (echo vfio-pci > /sys/bus/pci/devices/" + address
                    + "/driver_override; echo " + address + " > /sys/bus/pci/drivers_probe)");
        }
        int group = groupOf(field, address, dev);
        List<PciAddress> members = membersOf(field, address, group);
        for (PciAddress member : members) {
            if (member.equals(address)) continue;
            Path memberDir = deviceDir(member);
            String memberDriver = driverOf(memberDir);
            if (VFIO_DRIVER.equals(memberDriver) || isBridge(memberDir)) continue;
            throw ApiProblem.conflict(field, address + " shares IOMMU group " + group + " with " + member + ", which is "
                    + (memberDriver == null ? "bound to no driver" : "bound to " + memberDriver)
                    + ": every device of the group must be bound to vfio-pci (bridges excepted) before any is passed through");
        }
        Path groupDevice = vfioDevDir.resolve(Integer.toString(group));
        if (!Files.exists(groupDevice, LinkOption.NOFOLLOW_LINKS)) {
            throw ApiProblem.conflict(field, groupDevice + " does not exist, so IOMMU group " + group + " of " + address
                    + " cannot be opened: check that vfio-pci is loaded and the IOMMU is enabled");
        }
        for (VfioAssignment a : current) {
            if (a.address().equals(address)) {
                throw ApiProblem.conflict(field, address + " is already passed to instance " + a.instanceId() + " as '"
                        + a.resourceId() + "'; a device is given to one VM at a time");
            }
            if (members.contains(a.address()) && !a.instanceId().equals(instanceId)) {
                throw ApiProblem.conflict(field, address + " shares IOMMU group " + group + " with " + a.address()
                        + ", which is passed to instance " + a.instanceId() + "; a whole IOMMU group goes to one VM");
            }
        }
        return new VfioDevice(address, dev, group, members, groupDevice);
    }

    /** The PCI address a request names: a bare address, or a sysfs path whose last component is one. */
    PciAddress addressOf(String field, String requested) {
        if (requested == null || requested.isEmpty()) throw ApiProblem.invalid(field, field + " is required");
        if (PciAddress.looksLikeAddress(requested)) return PciAddress.parse(field, requested);
        PathSpelling.check(field, requested);
        Path p = Path.of(requested);
        if (!p.isAbsolute()) {
            throw ApiProblem.invalid(field, "'" + PciAddress.printable(requested) + "' is neither a PCI address like "
                    + "0000:01:00.0 nor an absolute sysfs path like /sys/bus/pci/devices/0000:01:00.0");
        }
        p = p.normalize();
        Path name = p.getFileName();
        if (name == null || !PciAddress.looksLikeAddress(name.toString())) {
            throw ApiProblem.invalid(field, "'" + PciAddress.printable(requested) + "' does not end in a PCI address"
                    + " (like /sys/bus/pci/devices/0000:01:00.0)");
        }
        PciAddress address = PciAddress.parse(field, name.toString());
        Path inSysfs = mapToSysfs(p);
        if (inSysfs == null) {
            throw ApiProblem.invalid(field, "'" + PciAddress.printable(requested) + "' is not below /sys; give the PCI address"
                    + " or its /sys/bus/pci/devices path");
        }
        // The path must name the very device its last component claims (not some other directory called so).
        try {
            Path real = inSysfs.toRealPath();
            Path expected = deviceDir(address).toRealPath();
            if (!real.equals(expected)) {
                throw ApiProblem.invalid(field, "'" + PciAddress.printable(requested) + "' is not the sysfs directory of "
                        + address + " (that is " + deviceDir(address) + ")");
            }
        } catch (IOException e) {
            throw ApiProblem.invalid(field, "there is no PCI device at '" + PciAddress.printable(requested) + "' on this host");
        }
        return address;
    }

    private Path mapToSysfs(Path p) {
        if (p.startsWith(sysfsRoot)) return p;
        Path sys = Path.of("/sys");
        if (p.startsWith(sys)) return sysfsRoot.resolve(sys.relativize(p).toString());
        return null;
    }

    private Path deviceDir(PciAddress address) {
        return sysfsRoot.resolve("bus/pci/devices").resolve(address.toString());
    }

    private static String driverOf(Path dev) {
        Path link = dev.resolve("driver");
        try {
            return Files.readSymbolicLink(link).getFileName().toString();
        } catch (IOException e) {
            return null;
        }
    }

    private static int groupOf(String field, PciAddress address, Path dev) {
        try {
            return Integer.parseInt(Files.readSymbolicLink(dev.resolve("iommu_group")).getFileName().toString());
        } catch (IOException | NumberFormatException e) {
            throw ApiProblem.conflict(field, address + " has no IOMMU group: enable the IOMMU (intel_iommu=on or "
                    + "amd_iommu=on on the kernel command line) to pass devices through");
        }
    }

    private List<PciAddress> membersOf(String field, PciAddress address, int group) {
        Path dir = sysfsRoot.resolve("kernel/iommu_groups").resolve(Integer.toString(group)).resolve("devices");
        List<PciAddress> members = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (PciAddress.looksLikeAddress(n)) members.add(PciAddress.parse(field, n));
            }
        } catch (IOException e) {
            throw ApiProblem.conflict(field, "IOMMU group " + group + " of " + address + " cannot be listed (" + dir + ")");
        }
        if (!members.contains(address)) {
            throw ApiProblem.conflict(field, "IOMMU group " + group + " does not list " + address + " among its devices");
        }
        members.sort(null);
        return members;
    }

    private static boolean isBridge(Path dev) {
        try {
            String cls = Files.readString(dev.resolve("class")).strip().toLowerCase();
            return cls.startsWith("0x0604");
        } catch (IOException e) {
            return false;
        }
    }
}
