package dev.form.vmm.host;

import dev.form.core.api.ErrorCode;
import dev.form.vmm.ApiProblem;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Random sequences of attach attempts against the writer rule. */
class ImageClaimsProperties {

    record Attempt(int image, boolean readonly, int backing) {
    }

    @Provide
    Arbitrary<List<Attempt>> attempts() {
        // images 0..3; backing -1 (none) or another image
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.of(true, false),
                        Arbitraries.integers().between(-1, 3))
                .as(Attempt::new).filter(a -> a.backing != a.image).list().ofMaxSize(25);
    }

    /** Whatever order attachments arrive in, what is accepted never has a writer beside another user of its image. */
    @Property(tries = 500)
    void acceptedAttachmentsNeverPutAWriterBesideAnotherUse(@ForAll("attempts") List<Attempt> attempts) {
        List<ImageAttachment> accepted = new ArrayList<>();
        int n = 0;
        for (Attempt a : attempts) {
            ImageIdentity id = new ImageIdentity(1, a.image);
            List<ImageIdentity> backing = a.backing < 0 ? List.of() : List.of(new ImageIdentity(1, a.backing));
            try {
                ImageClaims.requireAttachable("path", id, backing, a.readonly, accepted);
                accepted.add(new ImageAttachment("vm" + (n % 3), "d" + n, Path.of("/v/" + a.image), id, a.readonly, backing));
            } catch (ApiProblem p) {
                assertThat(p.code()).isEqualTo(ErrorCode.CONFLICT);
                assertThat(p.field()).isEqualTo("path");
            }
            n++;
        }
        for (ImageAttachment w : accepted) {
            if (w.readonly()) continue;
            long uses = accepted.stream().filter(o -> o.identity().equals(w.identity()) || o.backing().contains(w.identity())).count();
            assertThat(uses).as("uses of written image %s in %s", w.identity(), accepted).isEqualTo(1);
        }
    }
}
