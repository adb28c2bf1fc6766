package dev.form.testkit.guest;

import dev.form.testkit.Prerequisites;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class TestGuestTest {

    @Test
    void theInitScriptLoadsTheModulesInDependencyOrderAndReadsTagsFromTheCmdline() {
        String init = TestGuest.initScript();
        assertThat(init).startsWith("#!/bin/busybox sh");
        assertThat(init).contains("for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk fuse virtiofs; do");
        assertThat(init).contains("form.tags=").doesNotContain("@MODULES@");
        assertThat(TestGuest.initHash()).hasSize(12).isEqualTo(TestGuest.initHash());
    }

    @Test
    @Tag("qemu")
    void buildsFromDebianPackagesOnceAndThenServesTheCache(@TempDir Path cache) throws Exception {
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/apt-get")) && Files.isExecutable(Path.of("/usr/bin/dpkg-deb")),
                "apt-get and dpkg-deb (a Debian host)");
        GuestImage g;
        try {
            g = TestGuest.build(cache);
        } catch (GuestBuildException e) {
            Prerequisites.require(false, "building the test guest: " + e.getMessage());
            return;
        }
        assertThat(g.kernel()).startsWith(cache);
        assertThat(g.kernelPackage()).startsWith("linux-image-").endsWith("-cloud-amd64");
        byte[] kernel = Files.readAllBytes(g.kernel());
        assertThat(new String(kernel, 0x202, 4)).as("bzImage header magic").isEqualTo("HdrS");
        byte[] cpio;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(g.initramfs()))) {
            cpio = in.readAllBytes();
        }
        Map<String, Object[]> entries = CpioWriterTest.parse(cpio);
        assertThat(entries).containsKeys("init", "bin/busybox", "dev/console");
        for (String m : TestGuest.MODULES) assertThat(entries).containsKey("lib/modules/" + m + ".ko");
        assertThat(new String((byte[]) entries.get("init")[1])).isEqualTo(TestGuest.initScript());
        long modified = Files.getLastModifiedTime(g.initramfs()).toMillis();

        GuestImage again = TestGuest.build(cache);
        assertThat(again).isEqualTo(g);
        assertThat(Files.getLastModifiedTime(again.initramfs()).toMillis()).as("served from the cache, not rebuilt").isEqualTo(modified);
        try (var dirs = Files.list(cache)) {
            assertThat(dirs.filter(d -> !d.getFileName().toString().startsWith(".")).count()).isEqualTo(1);
        }
        assertThat(g.cmdline("a", "b")).contains("console=ttyS0").endsWith("form.tags=a,b");
    }

}
