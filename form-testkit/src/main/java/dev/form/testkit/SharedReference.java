package dev.form.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's shared reference folder, which lies beside the checkout (../shared) on
 * developer machines and in CI. FORM_SHARED_DIR overrides the search.
 */
public final class SharedReference {
    private SharedReference() {
    }

    /** The shared/ folder, or null when none is found. */
    public static Path sharedDir() {
        String env = System.getenv("FORM_SHARED_DIR");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isDirectory(p) ? p : null;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("reference"))) return candidate;
            if (Files.isDirectory(dir.resolve("shared/reference"))) return dir.resolve("shared");
        }
        return null;
    }

    /** The official Cloud Hypervisor OpenAPI spec; the calling test skips or fails without it. */
    public static Path cloudHypervisorSpec() {
        Path shared = sharedDir();
        Path spec = shared == null ? null : shared.resolve("reference/cloud-hypervisor/cloud-hypervisor.yaml");
        Prerequisites.require(spec != null && Files.isRegularFile(spec),
                "the official Cloud Hypervisor spec ../shared/reference/cloud-hypervisor/cloud-hypervisor.yaml (set FORM_SHARED_DIR)");
        return spec;
    }
}
