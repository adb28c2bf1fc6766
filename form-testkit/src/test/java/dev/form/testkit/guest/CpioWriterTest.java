package dev.form.testkit.guest;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class CpioWriterTest {

    /** Reads newc entries back: name → (mode, content). The format's rules, independently of the writer. */
    static Map<String, Object[]> parse(byte[] a) {
        Map<String, Object[]> out = new LinkedHashMap<>();
        int p = 0;
        while (true) {
            String magic = new String(a, p, 6, StandardCharsets.US_ASCII);
            assertThat(magic).isEqualTo("070701");
            long[] f = new long[13];
            for (int i = 0; i < 13; i++) f[i] = Long.parseLong(new String(a, p + 6 + 8 * i, 8, StandardCharsets.US_ASCII), 16);
            int nameSize = (int) f[11];
            String name = new String(a, p + 110, nameSize - 1, StandardCharsets.UTF_8);
            assertThat(a[p + 110 + nameSize - 1]).isZero();
            p = align(p + 110 + nameSize);
            int size = (int) f[6];
            byte[] data = java.util.Arrays.copyOfRange(a, p, p + size);
            p = align(p + size);
            if (name.equals("TRAILER!!!")) return out;
            out.put(name, new Object[]{f[1], data, f[9], f[10]});
        }
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }

    @Provide
    Arbitrary<Map<String, byte[]>> files() {
        return Arbitraries.maps(Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(13),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(70)).ofMaxSize(8);
    }

    @Property(tries = 60)
    void everyEntryReadsBackWithItsNameModeAndBytes(@ForAll("files") Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (CpioWriter w = new CpioWriter(buf)) {
            w.directory("d", 0755);
            for (var e : files.entrySet()) w.file("d/" + e.getKey(), 0644, e.getValue());
        }
        byte[] a = buf.toByteArray();
        assertThat(a.length % 4).isZero();
        Map<String, Object[]> back = parse(a);
        assertThat(back.keySet()).containsExactlyElementsOf(withDir(files));
        for (var e : files.entrySet()) {
            Object[] entry = back.get("d/" + e.getKey());
            assertThat((long) entry[0]).isEqualTo(0100644L);
            assertThat((byte[]) entry[1]).isEqualTo(e.getValue());
        }
    }

    private static List<String> withDir(Map<String, byte[]> files) {
        List<String> names = new ArrayList<>(List.of("d"));
        files.keySet().forEach(k -> names.add("d/" + k));
        return names;
    }

    @Test
    void theCpioToolExtractsFilesSymlinksAndListsTheConsoleDevice(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("a.cpio");
        try (CpioWriter w = new CpioWriter(Files.newOutputStream(archive))) {
            w.directory("bin", 0755);
            w.file("bin/hello", 0755, "#!/bin/sh\necho hi\n".getBytes());
            w.symlink("bin/sh", "hello");
            w.charDevice("console", 0600, 5, 1);
        }
        Map<String, Object[]> back = parse(Files.readAllBytes(archive));
        assertThat((long) back.get("console")[0]).isEqualTo(0020600L);
        assertThat((long) back.get("console")[2]).isEqualTo(5L);
        assertThat((long) back.get("console")[3]).isEqualTo(1L);
        assertThat(new String((byte[]) back.get("bin/sh")[1])).isEqualTo("hello");
        if (!Files.isExecutable(Path.of("/usr/bin/cpio"))) return;
        Process p = new ProcessBuilder("cpio", "-t", "-F", archive.toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(listing).contains("bin/hello", "bin/sh", "console");
        Path out = Files.createDirectories(dir.resolve("out"));
        Process x = new ProcessBuilder("cpio", "-i", "-d", "--no-absolute-filenames", "-F", archive.toString(),
                "bin/hello", "bin/sh").directory(out.toFile()).redirectErrorStream(true).start();
        x.getInputStream().readAllBytes();
        assertThat(x.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(out.resolve("bin/hello"))).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(Files.isExecutable(out.resolve("bin/hello"))).isTrue();
        assertThat(Files.readSymbolicLink(out.resolve("bin/sh")).toString()).isEqualTo("hello");
    }
}
