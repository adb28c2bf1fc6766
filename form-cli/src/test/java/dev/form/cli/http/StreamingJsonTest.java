package dev.form.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.form.core.api.AddDeviceRequest;
import dev.form.core.api.AddDiskRequest;
import dev.form.core.api.AddFsRequest;
import dev.form.core.api.AdoptInstanceRequest;
import dev.form.core.api.AuditEntry;
import dev.form.core.api.CreateInstanceRequest;
import dev.form.core.api.ErrorBody;
import dev.form.core.api.GrantRequest;
import dev.form.core.api.GrantView;
import dev.form.core.api.InstanceView;
import dev.form.core.api.Json;
import dev.form.core.api.QueuedRequest;
import dev.form.core.api.RateLimitRequest;
import dev.form.core.api.RequestStatusView;
import dev.form.core.api.ResizeRequest;
import dev.form.core.api.ResourceView;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CLI's mapper-free JSON must be exactly the shared mapper's: same request bytes, same trees, same records. */
class StreamingJsonTest {

    @Property(tries = 300)
    void everyRequestTheCliSendsIsWrittenByteForByteAsTheMapperWritesIt(@ForAll("requests") Object request) throws Exception {
        assertThat(new String(StreamingJson.write(request), StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.mapper().writeValueAsBytes(request), StandardCharsets.UTF_8));
    }

    @Test
    void aBatchItemCarriesItsKindAsTheMapperWritesIt() throws Exception {
        AddDiskRequest disk = new AddDiskRequest("d1", "a.raw", true, null, null, 1024L, null, null, null,
                new RateLimitRequest(10L, null, 100L), null);
        String written = new String(StreamingJson.write(disk), StandardCharsets.UTF_8);
        assertThat(written).isEqualTo(Json.mapper().writeValueAsString(disk));
        assertThat(Json.mapper().readValue(written, AddDiskRequest.class)).isEqualTo(disk);
    }

    @Test
    void theRecordsTheCliExchangesHaveGeneratedShapesEqualToTheirAnnotations() {
        for (Class<?> type : List.of(AddDiskRequest.class, AddFsRequest.class, AddDeviceRequest.class, RateLimitRequest.class,
                CreateInstanceRequest.class, AdoptInstanceRequest.class, ResizeRequest.class, GrantRequest.class, QueuedRequest.class,
                ErrorBody.class, ResourceView.class)) {
            assertThat(GeneratedWireShapes.of(type)).as(type.getSimpleName()).isNotNull().isEqualTo(WireShape.read(type));
            assertThat(StreamingJson.shape(type)).isEqualTo(WireShape.read(type));
        }
        assertThat(WireShape.read(AddDiskRequest.class)).isEqualTo(new WireShape(true, true, "kind", "disk"));
        assertThat(GeneratedWireShapes.of(Map.class)).isNull();
        assertThat(WireShape.read(java.util.AbstractMap.SimpleEntry.class).plain()).isFalse();
    }

    @Test
    void whatItDoesNotWriteItselfGoesToTheMapper() throws Exception {
        Map<String, Object> map = Map.of("a", List.of(1, 2));
        assertThat(StreamingJson.write(map)).isEqualTo(Json.mapper().writeValueAsBytes(map));
    }

    @Property(tries = 300)
    void treesAreTheMappersTrees(@ForAll("documents") JsonNode document) throws Exception {
        byte[] bytes = Json.mapper().writeValueAsBytes(document);
        JsonNode streamed = StreamingJson.readTree(bytes);
        assertThat(streamed).isEqualTo(Json.mapper().readTree(bytes));
        assertThat(streamed.toString()).isEqualTo(Json.mapper().readTree(bytes).toString());
    }

    @Test
    void numbersDuplicatesAndTrailingContentAreReadAsTheMapperReadsThem() throws Exception {
        for (String doc : List.of("{\"a\":1,\"a\":2}", "[2147483648, 9223372036854775808, 1.5, -0.0, 1e400, 12345678901234567890.5]",
                "\"x\"", "null", "true", "  7 ", "{}", "[]", "", "  \n ", "-0", "0", "1E5", "1e-5", "-1.5e+3", "2E-400",
                "[2147483647, -2147483648, -2147483649, 9223372036854775807, -9223372036854775808, -9223372036854775809, 1000000000, 99999999999999999999]",
                "\"\\u00e9\\ud83d\\ude00 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"", "\"\u00e9\ud83d\ude00\"", "\ufeff{\"bom\":true}",
                "{\"a\":{\"b\":[1,{\"c\":null}]},\"a\":false,\"d\":[]}", "[true,false,null]", "\t[ 1 , 2 ]\r\n")) {
            byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
            assertThat(StreamingJson.readTree(bytes)).as(doc).isEqualTo(Json.mapper().readTree(bytes));
        }
        for (String bad : List.of("{\"a\":1} x", "{\"a\":", "[1,]", "nope", "{} {}", "01", "1.", ".5", "+1", "-", "1e", "1e+",
                "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "{'a':1}", "[1 2]", "\"\\x\"", "\"a\u0001b\"", "\"\\u12g4\"", "\"open",
                "tru", "truex", "nul", "NaN", "Infinity", "[", "]", "{\"a\":1}}", "-01", "[1]]", "\"\\", "{\"a\"}", "[,1]")) {
            byte[] bytes = bad.getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> Json.mapper().readTree(bytes)).as(bad).isInstanceOf(java.io.IOException.class);
            assertThatThrownBy(() -> StreamingJson.readTree(bytes)).as(bad).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void invalidUtf8AndNestingBeyondJacksonsLimitFailAsJacksonFails() {
        byte[] badUtf8 = {'"', (byte) 0xc3, '"'};
        assertThatThrownBy(() -> Json.mapper().readTree(badUtf8)).isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(() -> StreamingJson.readTree(badUtf8)).isInstanceOf(java.io.IOException.class);
        byte[] deep = ("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Json.mapper().readTree(deep)).isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(() -> StreamingJson.readTree(deep)).isInstanceOf(java.io.IOException.class);
    }

    @Property(tries = 200)
    void recordsReadFromATreeAreTheMappersRecords(@ForAll("resourceViews") ResourceView view, @ForAll("errorBodies") ErrorBody error) {
        JsonNode viewTree = Json.mapper().valueToTree(view);
        assertThat(StreamingJson.treeToRecord(viewTree, ResourceView.class)).isEqualTo(view);
        JsonNode errorTree = Json.mapper().valueToTree(error);
        assertThat(StreamingJson.treeToRecord(errorTree, ErrorBody.class)).isEqualTo(error);
    }

    @Property(tries = 100)
    void instancesAndAuditEntriesReadFromATreeAreTheMappersRecords(@ForAll("instanceViews") InstanceView view,
                                                                  @ForAll("auditEntries") AuditEntry entry) throws Exception {
        JsonNode viewTree = Json.mapper().readTree(Json.mapper().writeValueAsBytes(view));
        assertThat(StreamingJson.treeToRecord(viewTree, InstanceView.class))
                .isEqualTo(view).isEqualTo(Json.mapper().treeToValue(viewTree, InstanceView.class));
        JsonNode entryTree = Json.mapper().readTree(Json.mapper().writeValueAsBytes(entry));
        assertThat(StreamingJson.treeToRecord(entryTree, AuditEntry.class)).isEqualTo(entry);
    }

    @Property(tries = 100)
    void requestStatusesReadFromATreeAreTheMappersRecords(@ForAll("requestStatuses") RequestStatusView view) throws Exception {
        JsonNode tree = Json.mapper().readTree(Json.mapper().writeValueAsBytes(view));
        assertThat(StreamingJson.treeToRecord(tree, RequestStatusView.class)).isEqualTo(Json.mapper().treeToValue(tree, RequestStatusView.class));
    }

    @Test
    void aTreeThatDoesNotFitTheRecordIsRefusedAsTheMapperRefusesIt() {
        ObjectNode badInstant = JsonNodeFactory.instance.objectNode().put("seq", 1).put("at", "yesterday");
        assertThatThrownBy(() -> Json.mapper().treeToValue(badInstant, AuditEntry.class)).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> StreamingJson.treeToRecord(badInstant, AuditEntry.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"at\"");
        ObjectNode numberInAList = Json.mapper().valueToTree(new InstanceView("i", "web", "running", "0x0", "qemu", 1, 2, 1L << 29,
                1L << 30, true, false, Instant.EPOCH, List.of(), List.of()));
        numberInAList.putArray("grants").add(7);
        assertThatThrownBy(() -> Json.mapper().treeToValue(numberInAList, InstanceView.class)).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> StreamingJson.treeToRecord(numberInAList, InstanceView.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grants");
        ObjectNode unknown = JsonNodeFactory.instance.objectNode().put("id", "d1").put("colour", "red");
        assertThatThrownBy(() -> Json.mapper().treeToValue(unknown, ResourceView.class)).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> StreamingJson.treeToRecord(unknown, ResourceView.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colour");
        ObjectNode wrongType = JsonNodeFactory.instance.objectNode().put("id", "d1").put("sizeBytes", "big");
        assertThatThrownBy(() -> StreamingJson.treeToRecord(wrongType, ResourceView.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sizeBytes");
        ArrayNode notAnObject = JsonNodeFactory.instance.arrayNode();
        assertThatThrownBy(() -> StreamingJson.treeToRecord(notAnObject, ResourceView.class)).isInstanceOf(IllegalArgumentException.class);
        ObjectNode listOfNumbers = JsonNodeFactory.instance.objectNode().put("code", "x");
        listOfNumbers.putArray("hypervisor").add(1);
        assertThatThrownBy(() -> StreamingJson.treeToRecord(listOfNumbers, ErrorBody.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hypervisor");
    }

    @Provide
    Arbitrary<Object> requests() {
        Arbitrary<String> s = text();
        Arbitrary<Boolean> b = Arbitraries.of(Boolean.TRUE, Boolean.FALSE).injectNull(0.4);
        Arbitrary<Long> l = Arbitraries.longs().injectNull(0.4);
        Arbitrary<Integer> i = Arbitraries.integers().injectNull(0.4);
        Arbitrary<RateLimitRequest> rate = Combinators.combine(l, l, l).as(RateLimitRequest::new).injectNull(0.4);
        Arbitrary<Object> disk = Combinators.combine(List.of(s.asGeneric(), s.asGeneric(), b.asGeneric(), b.asGeneric(), b.asGeneric(), l.asGeneric(), s.asGeneric(), i.asGeneric(), i.asGeneric(), rate.asGeneric(), rate.asGeneric()))
                .as(v -> new AddDiskRequest((String) v.get(0), (String) v.get(1), (Boolean) v.get(2), (Boolean) v.get(3),
                        (Boolean) v.get(4), (Long) v.get(5), (String) v.get(6), (Integer) v.get(7), (Integer) v.get(8),
                        (RateLimitRequest) v.get(9), (RateLimitRequest) v.get(10)));
        Arbitrary<Object> fs = Combinators.combine(s, s, s, s, i, i).as(AddFsRequest::new);
        Arbitrary<Object> device = Combinators.combine(s, s, b).as(AddDeviceRequest::new);
        Arbitrary<Object> resize = Combinators.combine(i, l).as(ResizeRequest::new);
        Arbitrary<Object> grant = s.map(GrantRequest::new);
        Arbitrary<Object> adopt = Combinators.combine(s, s).as(AdoptInstanceRequest::new);
        Arbitrary<List<String>> disks = text().filter(x -> x != null).list().ofMaxSize(3).injectNull(0.3);
        Arbitrary<Object> create = Combinators.combine(List.of(s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(), disks.asGeneric(), i.asGeneric(), i.asGeneric(), l.asGeneric(), l.asGeneric(), b.asGeneric(), b.asGeneric()))
                .as(v -> new CreateInstanceRequest((String) v.get(0), (String) v.get(1), (String) v.get(2), (String) v.get(3),
                        castList(v.get(4)), (Integer) v.get(5), (Integer) v.get(6), (Long) v.get(7), (Long) v.get(8),
                        (Boolean) v.get(9), (Boolean) v.get(10)));
        Arbitrary<Object> queued = Combinators.combine(List.of(s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(), Arbitraries.longs().asGeneric(), s.asGeneric(), s.asGeneric()))
                .as(v -> new QueuedRequest((String) v.get(0), (String) v.get(1), (String) v.get(2), (String) v.get(3),
                        (String) v.get(4), (Long) v.get(5), (String) v.get(6), (String) v.get(7)));
        return Arbitraries.oneOf(disk, fs, device, resize, grant, adopt, create, queued, rate.filter(r -> r != null).asGeneric());
    }

    @Provide
    Arbitrary<ResourceView> resourceViews() {
        Arbitrary<String> s = text();
        Arbitrary<Long> l = Arbitraries.longs().injectNull(0.3);
        Arbitrary<Boolean> b = Arbitraries.of(Boolean.TRUE, Boolean.FALSE).injectNull(0.3);
        return Combinators.combine(List.of(s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(), l.asGeneric(), b.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric()))
                .as(v -> new ResourceView((String) v.get(0), (String) v.get(1), (String) v.get(2), (String) v.get(3),
                        (String) v.get(4), (String) v.get(5), (Long) v.get(6), (Boolean) v.get(7), (String) v.get(8),
                        (String) v.get(9), (String) v.get(10), (String) v.get(11)));
    }

    @Provide
    Arbitrary<InstanceView> instanceViews() {
        Arbitrary<String> s = text();
        Arbitrary<Integer> i = Arbitraries.integers();
        Arbitrary<Long> l = Arbitraries.longs();
        Arbitrary<Boolean> b = Arbitraries.of(Boolean.TRUE, Boolean.FALSE);
        Arbitrary<List<ResourceView>> resources = resourceViews().list().ofMaxSize(3).injectNull(0.3);
        Arbitrary<List<GrantView>> grants = Combinators.combine(s, s).as(GrantView::new).list().ofMaxSize(3).injectNull(0.3);
        return Combinators.combine(List.of(s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(), i.asGeneric(),
                        i.asGeneric(), l.asGeneric(), l.asGeneric(), b.asGeneric(), b.asGeneric(), instants().asGeneric(),
                        resources.asGeneric(), grants.asGeneric()))
                .as(v -> new InstanceView((String) v.get(0), (String) v.get(1), (String) v.get(2), (String) v.get(3),
                        (String) v.get(4), (Integer) v.get(5), (Integer) v.get(6), (Long) v.get(7), (Long) v.get(8),
                        (Boolean) v.get(9), (Boolean) v.get(10), (Instant) v.get(11), castList(v.get(12)), castList(v.get(13))));
    }

    @Provide
    Arbitrary<AuditEntry> auditEntries() {
        Arbitrary<String> s = text();
        return Combinators.combine(List.of(Arbitraries.longs().asGeneric(), instants().asGeneric(), s.asGeneric(), s.asGeneric(),
                        s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(), Arbitraries.integers().injectNull(0.3).asGeneric(),
                        s.asGeneric()))
                .as(v -> new AuditEntry((Long) v.get(0), (Instant) v.get(1), (String) v.get(2), (String) v.get(3),
                        (String) v.get(4), (String) v.get(5), (String) v.get(6), (String) v.get(7), (Integer) v.get(8),
                        (String) v.get(9)));
    }

    @Provide
    Arbitrary<RequestStatusView> requestStatuses() {
        Arbitrary<String> s = text();
        return Combinators.combine(List.of(s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(), s.asGeneric(),
                        Arbitraries.integers().injectNull(0.3).asGeneric(), documents().injectNull(0.3).asGeneric(),
                        instants().asGeneric(), instants().asGeneric()))
                .as(v -> new RequestStatusView((String) v.get(0), (String) v.get(1), (String) v.get(2), (String) v.get(3),
                        (String) v.get(4), (Integer) v.get(5), (JsonNode) v.get(6), (Instant) v.get(7), (Instant) v.get(8)));
    }

    private static Arbitrary<Instant> instants() {
        return Combinators.combine(Arbitraries.longs().between(-62_000_000_000L, 250_000_000_000L), Arbitraries.integers().between(0, 999_999_999))
                .as(Instant::ofEpochSecond).injectNull(0.2);
    }

    @Provide
    Arbitrary<ErrorBody> errorBodies() {
        Arbitrary<String> s = text();
        return Combinators.combine(s, s, s, s, text().filter(x -> x != null).list().ofMaxSize(3).injectNull(0.5))
                .as(ErrorBody::new);
    }

    @Provide
    Arbitrary<JsonNode> documents() {
        return node(3);
    }

    private Arbitrary<JsonNode> node(int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Arbitrary<JsonNode> leaf = Arbitraries.oneOf(
                text().filter(x -> x != null).map(f::textNode),
                Arbitraries.integers().map(f::numberNode),
                Arbitraries.longs().map(f::numberNode),
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(70).negate(), BigInteger.TWO.pow(70)).map(f::numberNode),
                Arbitraries.doubles().map(f::numberNode),
                Arbitraries.of(true, false).map(f::booleanNode),
                Arbitraries.just(f.nullNode()));
        if (depth == 0) return leaf;
        Arbitrary<JsonNode> child = node(depth - 1);
        Arbitrary<JsonNode> array = child.list().ofMaxSize(4).map(items -> {
            ArrayNode a = f.arrayNode();
            items.forEach(a::add);
            return a;
        });
        Arbitrary<JsonNode> object = Arbitraries.maps(text().filter(x -> x != null), child).ofMaxSize(4).map(fields -> {
            ObjectNode o = f.objectNode();
            fields.forEach(o::set);
            return o;
        });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, leaf), net.jqwik.api.Tuple.of(1, array), net.jqwik.api.Tuple.of(1, object));
    }

    /** Any text: quotes, backslashes, control characters, non-ASCII and surrogate pairs included; sometimes null. */
    private static Arbitrary<String> text() {
        return Arbitraries.oneOf(
                        Arbitraries.strings().ofMaxLength(12),
                        Arbitraries.strings().withChars("\"\\/\b\f\n\r\t\u0000\u001f\u007f\u00e9\u2028\ud83d\ude00ab ").ofMaxLength(8),
                        Arbitraries.strings().alpha().ofMaxLength(8))
                // Text a user could type: no lone UTF-16 surrogate halves (neither writer accepts those).
                .filter(x -> StandardCharsets.UTF_8.newEncoder().canEncode(x))
                .injectNull(0.3);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> castList(Object o) {
        return (List<T>) o;
    }
}
