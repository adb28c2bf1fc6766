package dev.form.hypervisor.qemu;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.form.core.model.DeviceSpec;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import dev.form.hypervisor.VmLaunchSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The argv of one VM's QEMU process. Every boot resource sits on its own pcie-root-port like a
 * hot-added one, so that it can be unplugged later the same way, and spare ports follow for
 * hot-plug.
 */
public final class QemuCommandLine {

    /** QMP socket, pid file and QEMU's own output, inside the spec's run directory. */
    public static final String QMP_SOCKET = "qmp.sock";
    public static final String PID_FILE = "qemu.pid";
    public static final String LOG_FILE = "qemu.log";
    /** The id of the guest RAM backend when memory is shared. */
    public static final String RAM_BACKEND = "form-ram";
    /** Prefix of the pcie-root-port ids: rp1, rp2... */
    public static final String PORT_PREFIX = "rp";
    /** DIMM slots offered when the spec allows memory growth. */
    public static final int MEMORY_SLOTS = 8;
    /** sun_path is 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH = 107;

    private QemuCommandLine() {
    }

    /** Checks what QEMU would otherwise refuse later with a less direct message. */
    public static void check(VmLaunchSpec spec, QemuSettings settings) throws HypervisorException {
        int ports = spec.disks().size() + spec.filesystems().size() + spec.devices().size() + settings.spareHotplugSlots();
        if (ports > 30)
            throw refused(ports + " PCI slots needed (boot resources plus " + settings.spareHotplugSlots()
                    + " spare) but q35's root bus offers 30");
        if (spec.cpus() < 1) throw refused("cpus must be at least 1, got " + spec.cpus());
        if (spec.maxCpus() != 0 && spec.maxCpus() < spec.cpus())
            throw refused("maxCpus (" + spec.maxCpus() + ") must not be below cpus (" + spec.cpus() + ")");
        long mib = 1L << 20;
        if (spec.memoryBytes() < 16 * mib || spec.memoryBytes() % mib != 0)
            throw refused("memory must be a whole number of MiB and at least 16 MiB for QEMU, got " + spec.memoryBytes() + " bytes");
        if (spec.maxMemoryBytes() != 0 && spec.maxMemoryBytes() < spec.memoryBytes())
            throw refused("maxMemory (" + spec.maxMemoryBytes() + ") must not be below memory (" + spec.memoryBytes() + ")");
        if (spec.maxMemoryBytes() % mib != 0)
            throw refused("maxMemory must be a whole number of MiB for QEMU, got " + spec.maxMemoryBytes() + " bytes");
        if (spec.kernel() == null && spec.disks().isEmpty())
            throw refused("a QEMU VM needs a kernel or at least one disk to boot from");
        if (!spec.filesystems().isEmpty() && !spec.sharedMemory())
            throw refused("virtio-fs shares need shared guest memory: launch the VM with sharedMemory=true");
        Path sock = spec.runDir().toAbsolutePath().resolve(QMP_SOCKET);
        if (sock.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH)
            throw refused("the run directory " + spec.runDir() + " is too long: the QMP socket path " + sock
                    + " exceeds the " + MAX_SOCKET_PATH + " bytes a Unix socket address can hold");
        for (DiskSpec d : spec.disks()) QmpArguments.checkSupported(d);
        for (FsSpec f : spec.filesystems()) QmpArguments.checkSupported(f);
        for (DeviceSpec v : spec.devices()) QmpArguments.checkSupported(v);
    }

    /** The full argv, binary first. Call {@link #check} first. */
    public static List<String> build(String binary, boolean kvm, VmLaunchSpec spec, QemuSettings settings) {
        Path run = spec.runDir().toAbsolutePath();
        List<String> a = new ArrayList<>();
        a.add(binary);
        a.addAll(List.of("-name", "guest=" + opt("form-" + spec.instanceId())));
        a.addAll(List.of("-accel", kvm ? "kvm" : "tcg"));
        if (kvm) a.addAll(List.of("-cpu", "host"));
        a.addAll(List.of("-machine", "q35" + (spec.sharedMemory() ? ",memory-backend=" + RAM_BACKEND : "")));
        long mib = spec.memoryBytes() >> 20;
        String mem = "size=" + mib + "M";
        if (spec.maxMemoryBytes() > spec.memoryBytes())
            mem += ",slots=" + MEMORY_SLOTS + ",maxmem=" + (spec.maxMemoryBytes() >> 20) + "M";
        a.addAll(List.of("-m", mem));
        if (spec.sharedMemory())
            a.addAll(List.of("-object", "memory-backend-memfd,id=" + RAM_BACKEND + ",size=" + mib + "M,share=on"));
        int maxCpus = Math.max(spec.cpus(), spec.maxCpus());
        a.addAll(List.of("-smp", "cpus=" + spec.cpus() + ",maxcpus=" + maxCpus));
        a.addAll(List.of("-nodefaults", "-display", "none", "-no-reboot", "-no-user-config"));
        a.addAll(List.of("-chardev", "file,id=form-console,append=on,path=" + opt(spec.consoleLog().toAbsolutePath().toString()),
                "-serial", "chardev:form-console"));
        a.addAll(List.of("-chardev", "socket,id=form-qmp,server=on,wait=off,path=" + opt(run.resolve(QMP_SOCKET).toString()),
                "-mon", "chardev=form-qmp,mode=control"));
        a.addAll(List.of("-pidfile", run.resolve(PID_FILE).toString()));
        if (spec.kernel() != null) {
            a.addAll(List.of("-kernel", spec.kernel()));
            if (spec.initramfs() != null) a.addAll(List.of("-initrd", spec.initramfs()));
            if (spec.cmdline() != null) a.addAll(List.of("-append", spec.cmdline()));
        }
        int port = 0;
        List<String> devices = new ArrayList<>();
        boolean firstDisk = true;
        for (DiskSpec d : spec.disks()) {
            String bus = PORT_PREFIX + (++port);
            if (QmpArguments.throttled(d)) a.addAll(List.of("-object", QmpArguments.throttleGroup(d).toString()));
            a.addAll(List.of("-blockdev", QmpArguments.blockdev(d).toString()));
            ObjectNode dev = QmpArguments.diskDevice(d, bus);
            if (spec.kernel() == null && firstDisk) dev.put("bootindex", 0);
            firstDisk = false;
            devices.add(dev.toString());
        }
        for (FsSpec f : spec.filesystems()) {
            String bus = PORT_PREFIX + (++port);
            a.addAll(List.of("-chardev", "socket,id=" + BackingNames.of(f.id()).chardev() + ",path=" + opt(f.socketPath())));
            devices.add(QmpArguments.fsDevice(f, bus).toString());
        }
        for (DeviceSpec v : spec.devices()) {
            devices.add(QmpArguments.vfioDevice(v, PORT_PREFIX + (++port)).toString());
        }
        int ports = port + settings.spareHotplugSlots();
        for (int i = 1; i <= ports; i++) {
            // Root bus slots 1..n; q35 keeps slot 0 (host bridge) and 31 (LPC, SATA, SMBus) for itself.
            a.addAll(List.of("-device", "pcie-root-port,id=" + PORT_PREFIX + i + ",bus=pcie.0,chassis=" + i + ",slot=" + i
                    + ",addr=" + String.format("%x.0", i)));
        }
        for (String dev : devices) a.addAll(List.of("-device", dev));
        return a;
    }

    /** Escapes a value inside QEMU's comma-separated option syntax, where ',' is written ',,'. */
    static String opt(String value) {
        return value.replace(",", ",,");
    }

    private static HypervisorException refused(String message) {
        return new HypervisorException(Kind.REFUSED, message);
    }
}
