package dev.form.testkit.chsim;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Random and garbled input to the simulator's request parser and config reader: a clean answer every time, no hang. */
class SimCodecPropertyTest {

    @Property(tries = 300)
    void garbageBytesParseToARequestAnErrorOrNeedMore(@ForAll @Size(max = 3000) byte[] bytes) {
        HttpRequestReader r = new HttpRequestReader(51_200);
        r.feed(bytes, 0, bytes.length);
        for (int i = 0; i < 200 && !r.isEmpty(); i++) {
            HttpRequestReader.Step s = r.next();
            if (s instanceof HttpRequestReader.Failed f) {
                assertThat(f.message()).isNotBlank();
                r.discard();
            } else if (s instanceof HttpRequestReader.NeedMore) {
                return;
            }
        }
        assertThat(r.isEmpty()).isTrue();
    }

    @Property(tries = 300)
    void validRequestsSurviveAnySplitting(@ForAll("bodies") String body, @ForAll @Size(min = 1, max = 8) int[] cuts) {
        String req = "PUT /api/v1/vm.add-disk HTTP/1.1\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
        byte[] bytes = req.getBytes(StandardCharsets.UTF_8);
        HttpRequestReader r = new HttpRequestReader(51_200);
        int pos = 0;
        HttpRequest got = null;
        for (int cut : cuts) {
            int n = Math.min(bytes.length - pos, Math.floorMod(cut, 50) + 1);
            r.feed(bytes, pos, n);
            pos += n;
            if (r.next() instanceof HttpRequestReader.Parsed p) got = p.request();
        }
        r.feed(bytes, pos, bytes.length - pos);
        if (got == null) got = ((HttpRequestReader.Parsed) r.next()).request();
        assertThat(got.bodyText()).isEqualTo(body);
        assertThat(got.target()).isEqualTo("/api/v1/vm.add-disk");
    }

    @Property(tries = 500)
    void anyJsonTextGivesAConfigOrASerdeError(@ForAll("jsonish") String text) {
        try {
            ConfigReader.disk(LocatedJson.parse(text));
        } catch (DeserializeException e) {
            assertThat(e.getMessage()).containsPattern("(line \\d+ column \\d+)");
        }
    }

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(400);
    }

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> pieces = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"path\"", "\"readonly\"", "\"num_queues\"", "\"rate_limiter_config\"",
                "\"bandwidth\"", "\"size\"", "true", "false", "null", "1", "-1", "70000", "1.5", "\"x\"", "\"Raw\"", "\"image_type\"", " ");
        return pieces.list().ofMaxSize(30).map(l -> String.join("", l));
    }
}
