package dev.form.hypervisor.qemu;

import dev.form.core.model.DiskSpec;
import dev.form.core.model.FsSpec;
import dev.form.core.model.ImageFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures, on demand, how long the guest takes to see what the driver does: boot to the ready
 * marker, disk add → guest sees it, disk remove → guest reports it gone, share add → mounted and
 * read. Not a timed test: it asserts that every step was observed and prints the figures. Run:
 * {@code mvn -B -Dform.buildDir=target-qemu -pl form-hypervisor -am test -Dtest=HotplugLatencyMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dform.measure=true}
 */
@Tag("qemu")
class HotplugLatencyMeasurement {

    private static final int DISK_ROUNDS = 12;
    private static final int FS_ROUNDS = 6;
    private static final Duration GUEST = Duration.ofSeconds(30);

    @Test
    void measure() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("form.measure"), "on demand only: -Dform.measure=true");
        Map<String, List<Long>> ms = new LinkedHashMap<>();
        try (GuestVmFixture f = GuestVmFixture.boot(QemuSettings.defaults(), true, true)) {
            ms.put("boot to ready marker", List.of(f.bootMillis));
            List<Long> add = new ArrayList<>(), gone = new ArrayList<>(), released = new ArrayList<>(), call = new ArrayList<>();
            for (int i = 0; i < DISK_ROUNDS; i++) {
                String id = "m" + i;
                Path img = f.image(id + ".raw", 1L << 20, new byte[16]);
                long t0 = System.nanoTime();
                f.vm.addDisk(new DiskSpec(id, img.toString(), ImageFormat.RAW, false, true, false, "SERM" + i, null, null, null, null));
                call.add(since(t0));
                f.console.awaitEvent("disk-added", GUEST, "serial", "SERM" + i);
                add.add(since(t0));
                f.console.awaitEvent("disk-write", GUEST, "serial", "SERM" + i);
                long t1 = System.nanoTime();
                f.vm.removeDevice(id);
                assertThat(f.vm.awaitRemoval(id, GUEST)).isTrue();
                released.add(since(t1));
                f.console.awaitEvent("disk-removed", GUEST, "serial", "SERM" + i);
                gone.add(since(t1));
            }
            ms.put("addDisk call returns", call);
            ms.put("addDisk -> guest reports the disk", add);
            ms.put("removeDevice -> awaitRemoval true (node released)", released);
            ms.put("removeDevice -> guest reports it gone", gone);
            List<Long> fsRead = new ArrayList<>(), fsGone = new ArrayList<>();
            if (Files.isExecutable(VirtiofsdProcess.BINARY) && "root".equals(System.getProperty("user.name"))) {
                Path share = Files.createDirectories(f.dir.resolve("share"));
                Files.writeString(share.resolve("hello.txt"), "measured\n");
                for (int i = 0; i < FS_ROUNDS; i++) {
                    String tag = i % 2 == 0 ? "share1" : "share2";
                    try (VirtiofsdProcess vfs = VirtiofsdProcess.start(f.dir.resolve("v" + i + ".sock"), share, f.dir.resolve("v" + i + ".log"))) {
                        long t0 = System.nanoTime();
                        f.vm.addFs(new FsSpec("fs" + i, tag, vfs.socket.toString(), null, null));
                        f.console.awaitEvent("fs-read", GUEST, "tag", tag);
                        fsRead.add(since(t0));
                        f.console.awaitEvent("fs-wrote", GUEST, "tag", tag);
                        long t1 = System.nanoTime();
                        f.vm.removeDevice("fs" + i);
                        f.console.awaitEvent("fs-removed", GUEST, "tag", tag);
                        fsGone.add(since(t1));
                        assertThat(f.vm.awaitRemoval("fs" + i, GUEST)).isTrue();
                    }
                }
                ms.put("addFs -> guest mounted it and read hello.txt", fsRead);
                ms.put("removeDevice(fs) -> guest reports it gone", fsGone);
            }
        }
        StringBuilder out = new StringBuilder(String.format("%-52s %6s %6s %6s %4s%n", "step (ms)", "median", "min", "max", "n"));
        ms.forEach((k, v) -> {
            List<Long> s = v.stream().sorted().toList();
            long median = s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
            out.append(String.format("%-52s %6d %6d %6d %4d%n", k, median, s.get(0), s.get(s.size() - 1), s.size()));
        });
        System.out.println(out);
        Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "form-qemu-hotplug-latency.txt"), out.toString());
        assertThat(ms.get("addDisk -> guest reports the disk")).hasSize(DISK_ROUNDS);
    }

    private static long since(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
