package dev.form.core.auth;

import dev.form.core.api.Json;
import dev.form.core.api.QueuedRequest;
import dev.form.core.keys.Credentials;
import dev.form.core.keys.PersonalSign;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/protocol.md must stay true: every worked example is rebuilt and verified from the document's own text.
 */
class ProtocolDocExamplesTest {
    private static final Pattern FENCE = Pattern.compile("(?ms)^```([a-z-]*)\\n(.*?)\\n```$");

    static String doc;
    static List<Example> examples;

    record Example(String title, Map<String, String> request, String canonicalText, Map<String, String> signature,
                   String http, String json) {
    }

    @BeforeAll
    static void readDoc() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docs/protocol.md"))) dir = dir.getParent();
        assertThat(dir).as("docs/protocol.md above " + Path.of("").toAbsolutePath()).isNotNull();
        doc = Files.readString(dir.resolve("docs/protocol.md"), StandardCharsets.UTF_8);
        examples = new ArrayList<>();
        String[] sections = doc.split("(?m)^### ");
        for (String section : sections) {
            if (!section.startsWith("Example ")) continue;
            String title = section.substring(0, section.indexOf('\n'));
            Map<String, String> blocks = new LinkedHashMap<>();
            Matcher m = FENCE.matcher(section);
            while (m.find()) blocks.putIfAbsent(m.group(1), m.group(2));
            examples.add(new Example(title, keyValues(blocks.get("example-request")), blocks.get("canonical-text"),
                    keyValues(blocks.get("example-signature")), blocks.get("http"), blocks.get("json")));
        }
    }

    private static Map<String, String> keyValues(String block) {
        assertThat(block).as("example block").isNotNull();
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : block.split("\n", -1)) {
            int colon = line.indexOf(':');
            String value = line.substring(colon + 1);
            out.put(line.substring(0, colon), value.startsWith(" ") ? value.substring(1) : value);
        }
        return out;
    }

    @Test
    void theDocumentHasAtLeastThreeCompleteExamplesAndMentionsTheEthersCrossCheck() {
        assertThat(examples).hasSizeGreaterThanOrEqualTo(3);
        assertThat(examples).allSatisfy(e -> {
            assertThat(e.canonicalText()).as(e.title()).isNotNull();
            assertThat(e.http() != null || e.json() != null).as(e.title() + " shows headers or a queued message").isTrue();
        });
        assertThat(doc).contains("Wallet.signMessage(canonicalText)").contains("ethers.js");
    }

    @Test
    void theDocumentedLayoutIsTheImplementedOne() {
        assertThat(doc).contains("| 1 | `" + CanonicalRequest.TAG_LINE + "` |");
        for (String header : List.of(SignedHeaders.NONCE, SignedHeaders.EXPIRES, SignedHeaders.SIGNATURE, SignedHeaders.ADDRESS)) {
            assertThat(doc).contains("| `" + header + "` |");
        }
        for (AuthenticationException.Reason r : AuthenticationException.Reason.values()) {
            assertThat(doc).contains("| `" + r.wire() + "` |");
        }
        assertThat(doc).contains(RequestVerifier.DIRECT_MAX_FUTURE_SKEW.toSeconds() + " s (5 minutes)")
                .contains("86 400 s (24 hours)");
        assertThat(RequestVerifier.QUEUED_MAX_FUTURE_SKEW).isEqualTo(Duration.ofSeconds(86_400));
    }

    @TestFactory
    List<DynamicTest> everyWorkedExampleVerifiesEndToEnd() {
        return examples.stream().map(e -> DynamicTest.dynamicTest(e.title(), () -> check(e))).toList();
    }

    private static void check(Example e) throws Exception {
        Map<String, String> r = e.request();
        Credentials key = Credentials.fromPrivateKeyHex(r.get("private-key"));
        assertThat(key.address()).isEqualTo(r.get("address"));
        byte[] body = r.get("body").getBytes(StandardCharsets.UTF_8);
        long expires = Long.parseLong(r.get("expires"));

        CanonicalRequest canonical = CanonicalRequest.of(r.get("method"), r.get("target"), body, r.get("nonce"), expires);
        assertThat(canonical.text()).isEqualTo(e.canonicalText());
        assertThat(HexFormat.of().formatHex(PersonalSign.messageHash(canonical.bytes())))
                .isEqualTo(e.signature().get("eip191-hash"));

        SignedHeaders signed = RequestSigner.sign(key, r.get("method"), r.get("target"), body, r.get("nonce"), expires);
        assertThat(signed.signature()).as("deterministic signature").isEqualTo(e.signature().get("signature"));

        Clock beforeExpiry = Clock.fixed(Instant.ofEpochSecond(expires - 60), ZoneOffset.UTC);
        if (e.http() != null) {
            String[] parts = e.http().split("\n\n", 2);
            String[] lines = parts[0].split("\n");
            String[] requestLine = lines[0].split(" ");
            assertThat(requestLine[0]).isEqualTo(r.get("method"));
            assertThat(requestLine[1]).isEqualTo(r.get("target"));
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon), lines[i].substring(colon + 1).strip());
            }
            assertThat(headers).containsAllEntriesOf(signed.asMap());
            byte[] sentBody = parts.length > 1 ? parts[1].getBytes(StandardCharsets.UTF_8) : new byte[0];
            assertThat(sentBody).isEqualTo(body);
            VerifiedRequest v = new RequestVerifier(beforeExpiry, RequestVerifier.DIRECT_MAX_FUTURE_SKEW)
                    .verify(requestLine[0], requestLine[1], sentBody, SignedHeaders.fromMap(headers::get));
            assertThat(v.address()).isEqualTo(r.get("address"));
            assertThat(v.bodySha256()).isEqualTo(CanonicalRequest.sha256Hex(body));
        }
        if (e.json() != null) {
            QueuedRequest q = Json.mapper().readValue(e.json(), QueuedRequest.class);
            assertThat(Base64.getDecoder().decode(q.bodyBase64())).isEqualTo(body);
            assertThat(q.signature()).isEqualTo(signed.signature());
            VerifiedRequest v = new RequestVerifier(Clock.fixed(Instant.ofEpochSecond(expires - 23 * 3600), ZoneOffset.UTC),
                    RequestVerifier.QUEUED_MAX_FUTURE_SKEW).verify(q);
            assertThat(v.address()).isEqualTo(r.get("address"));
            assertThat(v.nonce()).isEqualTo(r.get("nonce"));
        }
    }
}
