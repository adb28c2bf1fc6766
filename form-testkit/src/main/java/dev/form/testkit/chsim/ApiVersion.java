package dev.form.testkit.chsim;

/**
 * The Cloud Hypervisor release whose API behaviour the simulator reproduces. The releases differ in the
 * status codes of errors (api-notes §1.4), in the request body limit and in whether a repeated
 * remove-device is accepted.
 */
public enum ApiVersion {
    /** v52 and older: every API error is a 500. */
    V52("52.0.0", "v52.0", 51_200),
    /** v53.0: a missing VM (not created / config missing) becomes 404. */
    V53("53.0.0", "v53.0", 51_200),
    /** HEAD (future v54): unknown device 404, config validation 400, duplicates 409, 4 MiB bodies. */
    V54("54.0.0", "v53.0-246-gae44c2971", 4 * 1024 * 1024);

    private final String version;
    private final String buildVersion;
    private final int maxBodyBytes;

    ApiVersion(String version, String buildVersion, int maxBodyBytes) {
        this.version = version;
        this.buildVersion = buildVersion;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The crate version vmm.ping reports in {@code version}. */
    public String version() {
        return version;
    }

    /** The {@code git describe} string vmm.ping reports in {@code build_version}. */
    public String buildVersion() {
        return buildVersion;
    }

    /** Largest request body the HTTP layer accepts. */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    public boolean atLeast(ApiVersion other) {
        return compareTo(other) >= 0;
    }

    /** Parses "52", "v53", "54.0.0", "V54". */
    public static ApiVersion parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("v")) t = t.substring(1);
        int dot = t.indexOf('.');
        String major = dot < 0 ? t : t.substring(0, dot);
        for (ApiVersion v : values()) {
            if (v.version.startsWith(major + ".")) return v;
        }
        throw new IllegalArgumentException("unknown Cloud Hypervisor API version '" + text + "' (use 52, 53 or 54)");
    }
}
