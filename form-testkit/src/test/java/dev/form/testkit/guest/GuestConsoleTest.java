package dev.form.testkit.guest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuestConsoleTest {

    private static void append(Path f, String s) throws Exception {
        Files.writeString(f, s, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void findsMarkersBehindFirmwareEscapesAndAcrossPartialWrites(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("console.log");
        GuestConsole c = GuestConsole.fromStart(f);
        CompletableFuture<GuestLine> seen = CompletableFuture.supplyAsync(
                () -> c.awaitEvent("disk-added", Duration.ofSeconds(10), "serial", "S1"));
        append(f, "\u001b[2J\u001b[01;01HSeaBIOS (version 1.16)\r\n\u001b[0mFORM-GUEST disk-added name=vda ser");
        Thread.sleep(50);
        assertThat(seen).isNotDone();
        append(f, "ial=S1 size=1048576 ro=0 head=00ff\r\n");
        GuestLine l = seen.get(10, TimeUnit.SECONDS);
        assertThat(l.get("name")).isEqualTo("vda");
        assertThat(l.getLong("size")).isEqualTo(1048576L);
        assertThat(l.get("head")).isEqualTo("00ff");
    }

    @Test
    void eachAwaitConsumesOnlyItsMatchSoOrderDoesNotMatter(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("console.log");
        append(f, "FORM-GUEST disk-removed name=vdb serial=B\nFORM-GUEST disk-removed name=vda serial=A\nFORM-GUEST ready\nFORM-GUEST ready\n");
        GuestConsole c = GuestConsole.fromStart(f);
        assertThat(c.awaitEvent("disk-removed", Duration.ofSeconds(1), "serial", "A").get("name")).isEqualTo("vda");
        assertThat(c.awaitEvent("disk-removed", Duration.ofSeconds(1), "serial", "B").get("name")).isEqualTo("vdb");
        c.await("FORM-GUEST ready", Duration.ofSeconds(1));
        c.await("FORM-GUEST ready", Duration.ofSeconds(1));
        assertThatThrownBy(() -> c.await("FORM-GUEST ready", Duration.ofMillis(100)))
                .isInstanceOf(GuestConsole.ConsoleTimeoutException.class)
                .hasMessageContaining("within 100 ms").hasMessageContaining("FORM-GUEST ready");
        assertThat(c.lines()).hasSize(4);
    }

    @Test
    void fromEndIgnoresWhatWasThereAndATruncatedFileIsReadAgain(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("console.log");
        append(f, "FORM-GUEST ready old\n");
        GuestConsole c = GuestConsole.fromEnd(f);
        assertThatThrownBy(() -> c.await("ready old", Duration.ofMillis(50))).isInstanceOf(GuestConsole.ConsoleTimeoutException.class);
        Path next = dir.resolve("console.log.new");
        Files.writeString(next, "x\nFORM-GUEST ready new\n");
        Files.move(next, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(c.await("ready", Duration.ofSeconds(2))).as("a replaced file is read from its start").contains("ready new");
        Files.writeString(f, "FORM-GUEST ready 2\n", StandardOpenOption.TRUNCATE_EXISTING);
        assertThat(c.await("ready", Duration.ofSeconds(2))).as("a truncated file is read from its start").contains("ready 2");
    }

    @Test
    void aCharacterSplitAcrossTwoWritesStaysWhole(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("console.log");
        byte[] text = "FORM-GUEST fs-read tag=t hello=héllo\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int split = new String(text, java.nio.charset.StandardCharsets.UTF_8).indexOf('é') + 1; // inside the 2-byte é
        Files.write(f, java.util.Arrays.copyOf(text, split));
        GuestConsole c = GuestConsole.fromStart(f);
        assertThatThrownBy(() -> c.await("hello", Duration.ofMillis(30))).isInstanceOf(GuestConsole.ConsoleTimeoutException.class);
        Files.write(f, java.util.Arrays.copyOfRange(text, split, text.length), StandardOpenOption.APPEND);
        assertThat(c.awaitEvent("fs-read", Duration.ofSeconds(2), "tag", "t").get("hello")).isEqualTo("héllo");
    }

    @Test
    void markerFieldsKeepFreeTextWhole() {
        GuestLine l = GuestLine.parse("junk FORM-GUEST fs-read tag=share1 hello=hello from the host 42 ").orElseThrow();
        assertThat(l.event()).isEqualTo("fs-read");
        assertThat(l.get("tag")).isEqualTo("share1");
        assertThat(l.get("hello")).isEqualTo("hello from the host 42");
        assertThat(l.is("fs-read", "tag", "share1")).isTrue();
        assertThat(l.is("fs-read", "tag", "share2")).isFalse();
        assertThat(GuestLine.parse("[ 1.0] virtio: nothing")).isEmpty();
        assertThat(GuestLine.parse("FORM-GUEST disk-added name=vda serial= size=0").orElseThrow().get("serial")).isEmpty();
    }
}
