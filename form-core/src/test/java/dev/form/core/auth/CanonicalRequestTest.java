package dev.form.core.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CanonicalRequestTest {
    static final String NONCE = "0123456789abcdef0123456789abcdef";

    @Test
    void textIsSixLfSeparatedLinesWithoutTrailingNewline() {
        CanonicalRequest c = CanonicalRequest.of("DELETE", "/v1/instances/web-1/resources/d%2F1?wait=true&timeoutMs=500",
                null, NONCE, 1_764_130_000L);
        assertThat(c.text()).isEqualTo("""
                form-request v1
                method: DELETE
                target: /v1/instances/web-1/resources/d%2F1?wait=true&timeoutMs=500
                body-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                nonce: 0123456789abcdef0123456789abcdef
                expires: 1764130000""");
        assertThat(c.bytes()).isEqualTo(c.text().getBytes(StandardCharsets.UTF_8));
        assertThat(c.bytes()[c.bytes().length - 1]).isEqualTo((byte) '0');
    }

    @Test
    void bodyHashIsOverTheExactBytes() {
        assertThat(CanonicalRequest.sha256Hex(new byte[0])).isEqualTo(CanonicalRequest.sha256Hex(null));
        assertThat(CanonicalRequest.sha256Hex("abc".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(CanonicalRequest.sha256Hex("{\"a\":1}".getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(CanonicalRequest.sha256Hex("{\"a\": 1}".getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"post", "", "GET ", "G\nET", "ABCDEFGHIJKLMNOPQ"})
    void invalidMethods(String method) {
        assertThatThrownBy(() -> CanonicalRequest.of(method, "/v1/x", null, NONCE, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HTTP method");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "v1/x", "/v1/x y", "/v1/x\nmethod: GET", "/v1/ü", "http://host/v1/x", "/v1/x\t"})
    void invalidTargets(String target) {
        assertThatThrownBy(() -> CanonicalRequest.of("GET", target, null, NONCE, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request target");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0123456789abcdef0123456789abcde", "0123456789ABCDEF0123456789ABCDEF",
            "0123456789abcdef0123456789abcdeg", "0x0123456789abcdef0123456789abcdef"})
    void invalidNonces(String nonce) {
        assertThatThrownBy(() -> CanonicalRequest.of("GET", "/v1/x", null, nonce, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nonce");
    }

    @Test
    void nonceLengthBoundsAndExpiry() {
        assertThat(CanonicalRequest.of("GET", "/", null, "a".repeat(128), 0).nonce()).hasSize(128);
        assertThatThrownBy(() -> CanonicalRequest.of("GET", "/", null, "a".repeat(129), 0)).hasMessageContaining("nonce");
        assertThatThrownBy(() -> CanonicalRequest.of("GET", "/", null, NONCE, -1)).hasMessageContaining("expiry");
        assertThatThrownBy(() -> new CanonicalRequest("GET", "/", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", NONCE, 1))
                .hasMessageContaining("body hash");
    }
}
