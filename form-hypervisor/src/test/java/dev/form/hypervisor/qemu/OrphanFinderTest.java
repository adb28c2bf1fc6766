package dev.form.hypervisor.qemu;

import dev.form.hypervisor.qemu.QemuInventory.Orphan;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class OrphanFinderTest {

    @Test
    void aFormatNodeNoDeviceUsesIsAnOrphanAndItsFileChildIsNotListedSeparately() {
        List<Orphan> o = OrphanFinder.find(Set.of("d1"), List.of("d1-fmt", "d1-file", "d2-fmt", "d2-file"),
                Set.of("d1-fmt"), List.of(), List.of());
        assertThat(o).containsExactly(new Orphan(Orphan.Type.BLOCK_NODE, "d2-fmt"));
    }

    @Test
    void underAThrottleFilterOnlyTheFilterIsReleasedAndTheGroupAfterIt() {
        List<Orphan> o = OrphanFinder.find(Set.of(), List.of("d3-thr", "d3-fmt", "d3-file"), Set.of(), List.of(), List.of("d3-tg"));
        assertThat(o).containsExactly(new Orphan(Orphan.Type.BLOCK_NODE, "d3-thr"), new Orphan(Orphan.Type.THROTTLE_GROUP, "d3-tg"));
        assertThat(OrphanFinder.find(Set.of("d3"), List.of("d3-thr", "d3-fmt", "d3-file"), Set.of("d3-thr"), List.of(), List.of("d3-tg")))
                .isEmpty();
    }

    @Test
    void aChardevIsAnOrphanOnlyWhenItsDeviceIsGoneAndForeignObjectsAreLeftAlone() {
        List<Orphan> o = OrphanFinder.find(Set.of("fs1"), List.of("boot", "other-node"), Set.of(),
                List.of("fs1-chr", "fs2-chr", "form-qmp", "form-console", "serial0"), List.of("somebody-elses-group"));
        assertThat(o).containsExactly(new Orphan(Orphan.Type.CHARDEV, "fs2-chr"));
        assertThat(o.get(0).describe()).isEqualTo("chardev fs2-chr");
    }
}
