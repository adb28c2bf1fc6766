package dev.form.vmm.host;

import dev.form.core.api.ErrorCode;
import dev.form.core.model.ResourceKind;
import dev.form.vmm.ApiProblem;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ResourceIdsProperties {

    /** QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_' (checked against qemu-system-x86_64 7.2). */
    private static final Pattern QEMU_ID = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");

    @Provide
    Arbitrary<String> givenIds() {
        return Arbitraries.strings().withChars("abcxyz019_.-Z ").ofMinLength(0).ofMaxLength(34);
    }

    /** Every accepted given id is a QEMU identifier, and a generated id is never one a caller could give. */
    @Property(tries = 2000)
    void givenAndGeneratedIdsNeverMeet(@ForAll("givenIds") String candidate) {
        boolean accepted;
        try {
            ResourceIds.requireGivenId("diskId", candidate);
            accepted = true;
        } catch (ApiProblem p) {
            assertThat(p.code()).isEqualTo(ErrorCode.INVALID_INPUT);
            accepted = false;
        }
        if (accepted) {
            assertThat(candidate).matches(QEMU_ID).doesNotStartWith("_").hasSizeLessThanOrEqualTo(31);
            assertThat(ResourceIds.isGenerated(candidate)).isFalse();
        }
    }

    @Property(tries = 100)
    void generatedIdsAreUniqueQemuIdentifiers(@ForAll @StringLength(max = 6) List<String> noise) {
        Set<String> inUse = new HashSet<>(noise);
        for (int i = 0; i < 20; i++) {
            for (ResourceKind k : ResourceKind.values()) {
                String id = ResourceIds.generate(k, inUse);
                assertThat(inUse).doesNotContain(id);
                assertThat(id).matches(QEMU_ID);
                assertThat(ResourceIds.GIVEN_ID.matcher(id).matches()).isFalse();
                inUse.add(id);
            }
        }
    }
}
