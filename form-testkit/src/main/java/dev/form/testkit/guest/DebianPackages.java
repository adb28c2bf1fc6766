package dev.form.testkit.guest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian packages fetched and unpacked without installing them: apt-cache for versions,
 * apt-get download for the .deb, dpkg-deb piped into tar for the few files needed.
 */
final class DebianPackages {

    private static final long STEP_TIMEOUT_SECONDS = 300;

    private DebianPackages() {
    }

    /** The version apt would install, from the local package lists. */
    static String candidateVersion(String pkg) {
        String out = run(List.of("apt-cache", "policy", pkg), null, "apt-cache policy " + pkg);
        for (String line : out.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Candidate:")) {
                String v = t.substring("Candidate:".length()).trim();
                if (!v.isEmpty() && !v.equals("(none)")) return v;
            }
        }
        throw new GuestBuildException("apt knows no candidate version of " + pkg
                + ": run `apt-get update` first (as root) so that the Debian package lists are present");
    }

    /** The first package a (meta)package depends on whose name starts with {@code prefix}. */
    static String dependency(String pkg, String prefix) {
        String out = run(List.of("apt-cache", "depends", pkg), null, "apt-cache depends " + pkg);
        for (String line : out.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Depends:")) {
                String dep = t.substring("Depends:".length()).trim();
                if (dep.startsWith(prefix)) return dep;
            }
        }
        throw new GuestBuildException("apt-cache depends " + pkg + " names no dependency starting with " + prefix
                + ": run `apt-get update` and check that " + pkg + " exists for this Debian release");
    }

    /** Downloads one .deb into {@code dir} and returns it. */
    static Path download(String pkg, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new GuestBuildException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        try {
            run(List.of("apt-get", "download", "-q", pkg), dir, "apt-get download " + pkg);
        } catch (GuestBuildException e) {
            throw new GuestBuildException("`apt-get download " + pkg + "` failed: it needs `apt-get update` to have been run"
                    + " and the Debian archive to be reachable. " + e.getMessage(), e);
        }
        String stem = pkg + "_";
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(stem) && f.toString().endsWith(".deb"))
                    .findFirst()
                    .orElseThrow(() -> new GuestBuildException("apt-get download " + pkg + " succeeded but left no " + stem + "*.deb in " + dir));
        } catch (IOException e) {
            throw new GuestBuildException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Extracts the members matching the tar wildcards from a .deb's data archive into {@code dir}. */
    static void extract(Path deb, Path dir, List<String> wildcards) {
        try {
            Files.createDirectories(dir);
            List<String> tar = new ArrayList<>(List.of("tar", "-x", "-C", dir.toString(), "--wildcards"));
            tar.addAll(wildcards);
            List<Process> pipeline = ProcessBuilder.startPipeline(List.of(
                    new ProcessBuilder("dpkg-deb", "--fsys-tarfile", deb.toString()).redirectError(ProcessBuilder.Redirect.DISCARD),
                    new ProcessBuilder(tar).redirectErrorStream(true)));
            Process last = pipeline.get(pipeline.size() - 1);
            String output = new String(last.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            for (Process p : pipeline) {
                if (!p.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new GuestBuildException("unpacking " + deb + " took over " + STEP_TIMEOUT_SECONDS + " s");
                }
            }
            if (last.exitValue() != 0)
                throw new GuestBuildException("unpacking " + wildcards + " from " + deb + " failed: " + output.trim());
        } catch (IOException e) {
            throw new GuestBuildException("cannot run dpkg-deb/tar on " + deb + " (are dpkg and tar installed?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuestBuildException("interrupted while unpacking " + deb, e);
        }
    }

    private static String run(List<String> cmd, Path dir, String what) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (dir != null) pb.directory(dir.toFile());
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new GuestBuildException(what + " took over " + STEP_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) throw new GuestBuildException(what + " exited with " + p.exitValue() + ": " + lastLines(out));
            return out;
        } catch (IOException e) {
            throw new GuestBuildException("cannot run " + cmd.get(0) + " (" + what + "): " + e.getMessage()
                    + "; the test guest is built from Debian packages with apt", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuestBuildException("interrupted during " + what, e);
        }
    }

    private static String lastLines(String out) {
        String[] lines = out.strip().split("\n");
        return String.join(" | ", List.of(lines).subList(Math.max(0, lines.length - 4), lines.length));
    }
}
