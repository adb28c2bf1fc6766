package dev.form.core.auth;

import dev.form.core.keys.Credentials;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class RequestSignerVerifierTest {
    static final Credentials KEY = Credentials.fromPrivateKeyHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);

    @Test
    void roundTrip() {
        byte[] body = "{\"path\":\"/srv/a.img\"}".getBytes(StandardCharsets.UTF_8);
        SignedHeaders h = RequestSigner.sign(KEY, "POST", "/v1/instances/web-1/disks", body, CLOCK, Duration.ofMinutes(1));
        VerifiedRequest v = new RequestVerifier(CLOCK, Duration.ofMinutes(5))
                .verify("POST", "/v1/instances/web-1/disks", body, SignedHeaders.fromMap(h.asMap()::get));
        assertThat(v.address()).isEqualTo("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThat(v.nonce()).isEqualTo(h.nonce()).hasSize(32);
        assertThat(v.expires()).isEqualTo(Instant.ofEpochSecond(1_800_000_060L));
    }
}
