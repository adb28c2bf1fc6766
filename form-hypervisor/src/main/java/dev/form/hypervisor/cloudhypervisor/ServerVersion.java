package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.cloudhypervisor.model.VmmPingResponse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Cloud Hypervisor release behind a socket, from {@code vmm.ping}. It decides how HTTP
 * statuses read (api-notes §1.4): up to v52 every API error is a 500; v53 answers 404 when there
 * is no VM; v54 adds 404 for unknown device ids, 400 for invalid configs and 409 for duplicates.
 *
 * @param major 0 when the server's answer names no recognisable version
 */
public record ServerVersion(int major, int minor, String text) {

    private static final Pattern NUMBERS = Pattern.compile("v?(\\d+)\\.(\\d+)");

    /** A version whose status codes are not trusted: errors are read by their text alone. */
    public static final ServerVersion UNKNOWN = new ServerVersion(0, 0, "unknown");

    public static ServerVersion of(VmmPingResponse ping) {
        ServerVersion v = parse(ping.version());
        if (v == UNKNOWN) v = parse(ping.buildVersion());
        return v;
    }

    public static ServerVersion parse(String s) {
        if (s == null) return UNKNOWN;
        Matcher m = NUMBERS.matcher(s.strip());
        if (!m.lookingAt()) return UNKNOWN;
        try {
            return new ServerVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), s.strip());
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }

    public boolean known() {
        return major > 0;
    }

    /** v53+: "no VM" is a 404 rather than a 500. */
    public boolean reportsMissingVmAs404() {
        return major >= 53;
    }

    /** v54+: unknown device 404, invalid config 400, duplicate id or path 409. */
    public boolean reportsValidationStatuses() {
        return major >= 54;
    }

    @Override
    public String toString() {
        return known() ? "v" + major + "." + minor : "an unknown version";
    }
}
