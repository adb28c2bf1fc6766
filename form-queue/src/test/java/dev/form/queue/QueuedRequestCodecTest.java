package dev.form.queue;

import dev.form.core.api.QueuedRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueuedRequestCodecTest {
    private static final String NONCE = "0123456789abcdef0123456789abcdef";
    private static final String SIG = "0x" + "ab".repeat(65);

    private static QueuedRequest valid() {
        return new QueuedRequest("i-1", "POST", "/v1/instances/i-1/disks",
                Base64.getEncoder().encodeToString("{\"path\":\"a.img\"}".getBytes(StandardCharsets.UTF_8)),
                NONCE, 2_000_000_000L, SIG, "0x" + "cd".repeat(20));
    }

    @Test
    void roundTripsAndKeepsTheExactBodyBytes() {
        QueuedRequest r = valid();
        QueuedRequest back = QueuedRequestCodec.decode("i-1".getBytes(StandardCharsets.UTF_8), QueuedRequestCodec.encode(r));
        assertThat(back).isEqualTo(r);
        assertThat(new String(QueuedRequestCodec.body(back), StandardCharsets.UTF_8)).isEqualTo("{\"path\":\"a.img\"}");
    }

    @Test
    void refusesWhatIsNotJson() {
        assertThatThrownBy(() -> QueuedRequestCodec.decode("nope{".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedRequestException.class).hasMessageContaining("not a QueuedRequest JSON object");
        assertThatThrownBy(() -> QueuedRequestCodec.decode(new byte[0]))
                .isInstanceOf(MalformedRequestException.class).hasMessageContaining("empty message");
    }

    @Test
    void refusesUnknownFields() {
        String json = new String(QueuedRequestCodec.encode(valid()), StandardCharsets.UTF_8).replace("{", "{\"extra\":1,");
        assertThatThrownBy(() -> QueuedRequestCodec.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedRequestException.class).hasMessageContaining("extra");
    }

    @Test
    void namesTheFieldAtFault() {
        QueuedRequest r = valid();
        assertField(new QueuedRequest(null, r.method(), r.target(), r.bodyBase64(), r.nonce(), r.expires(), r.signature(), r.address()), "instance");
        assertField(new QueuedRequest(r.instance(), "GET", r.target(), r.bodyBase64(), r.nonce(), r.expires(), r.signature(), r.address()), "method");
        assertField(new QueuedRequest(r.instance(), r.method(), "/v1/health", r.bodyBase64(), r.nonce(), r.expires(), r.signature(), r.address()), "target");
        assertField(new QueuedRequest(r.instance(), r.method(), "/v1/instances/adopt", r.bodyBase64(), r.nonce(), r.expires(), r.signature(), r.address()), "target");
        assertField(new QueuedRequest(r.instance(), r.method(), r.target(), r.bodyBase64(), "ABCDEF0123456789abcdef0123456789", r.expires(), r.signature(), r.address()), "nonce");
        assertField(new QueuedRequest(r.instance(), r.method(), r.target(), r.bodyBase64(), "abcd", r.expires(), r.signature(), r.address()), "nonce");
        assertField(new QueuedRequest(r.instance(), r.method(), r.target(), r.bodyBase64(), r.nonce(), 0, r.signature(), r.address()), "expires");
        assertField(new QueuedRequest(r.instance(), r.method(), r.target(), r.bodyBase64(), r.nonce(), r.expires(), null, r.address()), "signature");
        assertField(new QueuedRequest(r.instance(), r.method(), r.target(), "%%%", r.nonce(), r.expires(), r.signature(), r.address()), "bodyBase64");
        assertField(new QueuedRequest(r.instance(), r.method(), r.target(), null, r.nonce(), r.expires(), r.signature(), r.address()), "bodyBase64");
        assertField(new QueuedRequest(r.instance(), r.method(), r.target(), r.bodyBase64(), r.nonce(), r.expires(), r.signature()), "address");
        assertField(new QueuedRequest(r.instance(), r.method(), r.target(), r.bodyBase64(), r.nonce(), r.expires(), r.signature(), "0x12"), "address");
    }

    @Test
    void theKafkaKeyMustBeTheInstance() {
        byte[] value = QueuedRequestCodec.encode(valid());
        assertThatThrownBy(() -> QueuedRequestCodec.decode("i-2".getBytes(StandardCharsets.UTF_8), value))
                .isInstanceOf(MalformedRequestException.class).hasMessageContaining("keyed by instance id");
        assertThatThrownBy(() -> QueuedRequestCodec.decode(null, value))
                .isInstanceOf(MalformedRequestException.class).hasMessageContaining("(none)");
    }

    @Test
    void targetInstanceIsTheFirstSegmentAfterInstances() {
        assertThat(QueuedRequestCodec.targetInstance("/v1/instances/web-1/resources/d1?wait=true")).isEqualTo("web-1");
        assertThat(QueuedRequestCodec.targetInstance("/v1/instances/web-1?purge=true")).isEqualTo("web-1");
        assertThat(QueuedRequestCodec.targetInstance("/v1/instances/")).isNull();
        assertThat(QueuedRequestCodec.targetInstance("/v1/queue")).isNull();
    }

    @Test
    void queueKindParsesConfigValues() {
        assertThat(QueueKind.fromWire(null)).isEqualTo(QueueKind.EMBEDDED);
        assertThat(QueueKind.fromWire(" Kafka ")).isEqualTo(QueueKind.KAFKA);
        assertThatThrownBy(() -> QueueKind.fromWire("rabbit")).hasMessageContaining("\"embedded\" or \"kafka\"");
    }

    private static void assertField(QueuedRequest r, String field) {
        assertThatThrownBy(() -> QueuedRequestCodec.validate(r))
                .isInstanceOfSatisfying(MalformedRequestException.class, e -> assertThat(e.field()).isEqualTo(field));
    }
}
