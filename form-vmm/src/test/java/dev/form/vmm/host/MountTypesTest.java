package dev.form.vmm.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The mount table read by device number tells the same types as the JDK's own (slower) file store look-up. */
class MountTypesTest {
    @TempDir
    Path tmp;

    @Test
    void typesAgreeWithTheJdksFileStores() throws Exception {
        for (Path p : new Path[]{Path.of("/"), Path.of("/proc/self"), Path.of("/sys/kernel"), Path.of("/dev/null"), tmp}) {
            assertThat(MountTypes.of(p)).as(p.toString()).contains(Files.getFileStore(p).type());
        }
        assertThat(MountTypes.of(Path.of("/proc"))).contains("proc");
        assertThat(MountTypes.of(Path.of("/sys"))).contains("sysfs");
    }

    @Test
    void deviceNumbersAreEncodedAsTheKernelReportsThem() {
        assertThat(MountTypes.device(8, 1)).isEqualTo(0x801L);
        assertThat(MountTypes.device(0, 300)).as("minor above 255: its high bits go to bit 20").isEqualTo(0x10002CL);
        assertThat(MountTypes.device(259, 65536)).isEqualTo(0x10010300L);
        assertThat(MountTypes.device(4096, 0)).as("major above 4095: its high bits go to bit 44").isEqualTo(1L << 44);
    }
}
