package dev.form.hypervisor.qemu;

import dev.form.hypervisor.HypervisorException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackingNamesTest {

    @Provide
    Arbitrary<String> qemuIds() {
        Arbitrary<Character> first = Arbitraries.chars().alpha();
        Arbitrary<String> rest = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-', '_', '.').ofMaxLength(60);
        return Combinators.combine(first, rest).as((f, r) -> f + r);
    }

    @Property
    void namesAreDeterministicValidAndFitQemusNodeNameLimit(@ForAll("qemuIds") String id) {
        BackingNames n = BackingNames.of(id);
        assertThat(BackingNames.of(id)).isEqualTo(n);
        for (String node : List.of(n.fileNode(), n.formatNode(), n.throttleNode())) {
            assertThat(node.length()).isLessThanOrEqualTo(BackingNames.MAX_NODE_NAME);
            assertThat(BackingNames.isValidId(node)).as(node).isTrue();
        }
        assertThat(n.chardev()).isEqualTo(id + "-chr");
        assertThat(n.throttleGroup()).isEqualTo(id + "-tg");
        assertThat(n.blockRoot(true)).isEqualTo(n.throttleNode());
        assertThat(n.blockRoot(false)).isEqualTo(n.formatNode());
    }

    @Property
    void differentIdsNeverShareNodes(@ForAll("qemuIds") String a, @ForAll("qemuIds") String b) {
        if (a.equals(b)) return;
        assertThat(BackingNames.of(a).formatNode()).isNotEqualTo(BackingNames.of(b).formatNode());
    }

    @Test
    void shortIdsKeepTheirNameSoAnOperatorRecognisesThem() {
        assertThat(BackingNames.of("disk-1").formatNode()).isEqualTo("disk-1-fmt");
        assertThat(BackingNames.of("disk-1").fileNode()).isEqualTo("disk-1-file");
        String uuid = "d3b07384-d9a0-4c8b-9f2e-7f6a1c2b3d4e";
        assertThat(BackingNames.of("r" + uuid).formatNode()).startsWith("n").endsWith("-fmt").hasSizeLessThanOrEqualTo(31);
    }

    @Test
    void idsQemuWouldRejectAreRefusedWithTheRule() {
        for (String bad : List.of("", "1abc", "a b", "a,b", "-x", "ä")) {
            assertThat(BackingNames.isValidId(bad)).as(bad).isFalse();
        }
        assertThatThrownBy(() -> BackingNames.requireValidId("9disk", "disk id"))
                .isInstanceOfSatisfying(HypervisorException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HypervisorException.Kind.REFUSED);
                    assertThat(e.getMessage()).contains("disk id '9disk'").contains("start with a letter");
                });
    }
}
