package dev.form.hypervisor.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The QMP client against a scripted peer on a real Unix socket: what QEMU may send, and worse. */
class QmpClientProtocolTest {

    private Path dir;

    @BeforeEach
    @BeforeProperty
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("qmp-test");
    }

    @AfterEach
    @AfterProperty
    void removeDir() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Property(tries = 40)
    void repliesAreToldApartFromEventsAndGarbageInAnyInterleaving(@ForAll @IntRange(max = 6) int eventsBefore,
                                                                  @ForAll @IntRange(max = 4) int garbledBefore,
                                                                  @ForAll @IntRange(max = 6) int eventsAfter) throws Exception {
        try (ScriptedQmpPeer peer = new ScriptedQmpPeer(dir, true, cmd -> {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < eventsBefore; i++) out.add(ScriptedQmpPeer.event("BEFORE", "{\"n\": " + i + "}"));
            for (int i = 0; i < garbledBefore; i++) out.add(i % 2 == 0 ? "{not json" : "[1, 2]");
            out.add("{\"return\": {\"answer\": \"" + cmd.path("execute").asText() + "\"}, \"id\": \"{id}\"}");
            for (int i = 0; i < eventsAfter; i++) out.add(ScriptedQmpPeer.event("AFTER", "{\"n\": " + i + "}"));
            return out;
        }); QmpClient qmp = QmpClient.connect(peer.socket(), Duration.ofSeconds(5))) {
            JsonNode r = qmp.execute("query-something", null, Duration.ofSeconds(5));
            assertThat(r.path("answer").asText()).isEqualTo("query-something");
            Optional<QmpEvent> last = eventsAfter == 0 ? Optional.empty()
                    : qmp.awaitEvent(e -> e.name().equals("AFTER") && e.data().path("n").asInt() == eventsAfter - 1, 0, Duration.ofSeconds(5));
            assertThat(last.isPresent()).isEqualTo(eventsAfter > 0);
            List<QmpEvent> events = qmp.eventsAfter(0);
            assertThat(events).hasSize(eventsBefore + eventsAfter);
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).seq()).isEqualTo(i + 1);
                assertThat(events.get(i).name()).isEqualTo(i < eventsBefore ? "BEFORE" : "AFTER");
            }
            assertThat(qmp.garbledLines()).isEqualTo(garbledBefore);
            assertThat(qmp.isOpen()).isTrue();
        }
    }

    @Test
    void anErrorReplyCarriesQemusClassAndDescription() throws Exception {
        try (ScriptedQmpPeer peer = new ScriptedQmpPeer(dir, true, cmd -> List.of(
                "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'nope' not found\"}, \"id\": \"{id}\"}"));
             QmpClient qmp = QmpClient.connect(peer.socket(), Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> qmp.execute("device_del", JsonNodeFactory.instance.objectNode().put("id", "nope"), Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(QmpException.class, e -> {
                        assertThat(e.errorClass()).isEqualTo("DeviceNotFound");
                        assertThat(e.description()).isEqualTo("Device 'nope' not found");
                        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
                        assertThat(e.chain()).contains("Device 'nope' not found");
                        assertThat(e.getMessage()).contains("device_del");
                    });
            assertThat(peer.received.get(1).path("arguments").path("id").asText()).isEqualTo("nope");
        }
    }

    @Test
    void aReplyWithoutIdGoesToTheOnlyCommandInFlight() throws Exception {
        try (ScriptedQmpPeer peer = new ScriptedQmpPeer(dir, true, cmd -> List.of(
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid keyword\"}}"));
             QmpClient qmp = QmpClient.connect(peer.socket(), Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> qmp.execute("x", null, Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(QmpException.class, e -> assertThat(e.description()).contains("JSON parse error"));
        }
    }

    @Test
    void aPeerThatNeverAnswersTimesOutWithinTheLimit() throws Exception {
        try (ScriptedQmpPeer peer = new ScriptedQmpPeer(dir, true, cmd -> List.of());
             QmpClient qmp = QmpClient.connect(peer.socket(), Duration.ofSeconds(5))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> qmp.execute("query-status", null, Duration.ofMillis(300)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(290), Duration.ofSeconds(3));
            assertThat(qmp.isOpen()).as("a timeout leaves the connection usable").isTrue();
        }
    }

    @Test
    void aHangUpMidCallReleasesTheCallerAtOnceAndEveryLaterCall() throws Exception {
        try (ScriptedQmpPeer peer = new ScriptedQmpPeer(dir, true, cmd -> null);
             QmpClient qmp = QmpClient.connect(peer.socket(), Duration.ofSeconds(5))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> qmp.execute("query-status", null, Duration.ofSeconds(30)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("closed the QMP connection");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(qmp.isOpen()).isFalse();
            long t1 = System.nanoTime();
            assertThatThrownBy(() -> qmp.execute("query-status", null, Duration.ofSeconds(30)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
            assertThatThrownBy(() -> qmp.awaitEvent(e -> true, 0, Duration.ofSeconds(30)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
            assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void aPeerThatNeverGreetsIsUnavailableAfterTheConnectTimeout() throws Exception {
        try (ScriptedQmpPeer peer = new ScriptedQmpPeer(dir, false, cmd -> List.of())) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> QmpClient.connect(peer.socket(), Duration.ofMillis(400)))
                    .isInstanceOfSatisfying(HypervisorException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("no greeting");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void nothingListeningIsUnavailable() {
        assertThatThrownBy(() -> QmpClient.connect(dir.resolve("absent.sock"), Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(HypervisorException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("absent.sock");
                });
    }

    @Test
    void anEventArrivingLaterWakesItsWaiterAndOthersDoNot() throws Exception {
        try (ScriptedQmpPeer peer = new ScriptedQmpPeer(dir, true, cmd -> List.of(
                "{\"return\": {}, \"id\": \"{id}\"}",
                ScriptedQmpPeer.event("DEVICE_DELETED", "{\"path\": \"/machine/peripheral/d1/virtio-backend\"}"),
                ScriptedQmpPeer.event("DEVICE_DELETED", "{\"device\": \"d1\", \"path\": \"/machine/peripheral/d1\"}")));
             QmpClient qmp = QmpClient.connect(peer.socket(), Duration.ofSeconds(5))) {
            long seq = qmp.lastEventSeq();
            assertThat(qmp.awaitEvent(e -> e.isDeviceDeleted("d1"), seq, Duration.ofMillis(100))).isEmpty();
            qmp.execute("device_del", JsonNodeFactory.instance.objectNode().put("id", "d1"), Duration.ofSeconds(5));
            QmpEvent e = qmp.awaitEvent(ev -> ev.isDeviceDeleted("d1"), seq, Duration.ofSeconds(5)).orElseThrow();
            assertThat(e.dataText("path")).isEqualTo("/machine/peripheral/d1");
            assertThat(e.seq()).isEqualTo(seq + 2);
            assertThat(qmp.awaitEvent(ev -> ev.isDeviceDeleted("d2"), seq, Duration.ofMillis(100))).isEmpty();
            assertThat(qmp.awaitEvent(ev -> ev.isDeviceDeleted("d1"), e.seq(), Duration.ofMillis(100)))
                    .as("an event already seen is not returned again after its seq").isEmpty();
        }
    }

    @Test
    void errorClassesMapToKinds() {
        assertThat(QmpException.kindOf("GenericError", "Duplicate device ID 'd1'")).isEqualTo(Kind.CONFLICT);
        assertThat(QmpException.kindOf("GenericError", "Duplicate nodes with node-name='d1-fmt'")).isEqualTo(Kind.CONFLICT);
        assertThat(QmpException.kindOf("GenericError", "Bus 'rp9' not found")).isEqualTo(Kind.NOT_FOUND);
        assertThat(QmpException.kindOf("GenericError", "Could not open '/x': No such file or directory")).isEqualTo(Kind.REFUSED);
        assertThat(QmpException.kindOf("CommandNotFound", "The command foo has not been found")).isEqualTo(Kind.PROTOCOL);
        assertThat(QmpException.kindOf("DeviceNotFound", "Device 'x' not found")).isEqualTo(Kind.NOT_FOUND);
    }
}
