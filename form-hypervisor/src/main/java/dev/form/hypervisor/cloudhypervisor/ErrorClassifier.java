package dev.form.hypervisor.cloudhypervisor;

import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorException.Kind;

import java.util.List;
import java.util.Locale;

/**
 * Turns an error answer (status + message chain) into a {@link Kind}. Statuses are only trusted as
 * far as the server's version produces them; every 500 (and every status of an older server) is
 * read from the chain's text, whose fixed strings have been stable across releases.
 */
public final class ErrorClassifier {

    private final ServerVersion version;

    public ErrorClassifier(ServerVersion version) {
        this.version = version;
    }

    public Kind classify(int status, List<String> chain) {
        String text = String.join("\n", chain).toLowerCase(Locale.ROOT);
        // The HTTP layer and the router answer before any VMM logic: these are our own protocol bugs.
        if (status == 404 && chain.equals(List.of("Not Found"))) return Kind.PROTOCOL;
        if (status == 400 && (chain.equals(List.of("Bad Request")) || text.contains("failed to deserialize json")
                || text.contains("all previous unanswered requests will be dropped") || text.startsWith("http 400 without a body")))
            return Kind.PROTOCOL;
        if (status == 503) return Kind.UNAVAILABLE;
        // vCPU removal still pending: the call is fine, the moment is not.
        if (status == 429) return Kind.WRONG_STATE;
        if (version.reportsValidationStatuses()) {
            if (status == 409) return Kind.CONFLICT;
            if (status == 404) return Kind.NOT_FOUND;
            if (status == 400) return byText(text, Kind.REFUSED);
        } else if (version.reportsMissingVmAs404() && status == 404) {
            return Kind.NOT_FOUND;
        }
        return byText(text, status == 404 ? Kind.NOT_FOUND : status == 409 ? Kind.CONFLICT : Kind.REFUSED);
    }

    private static Kind byText(String text, Kind fallback) {
        if (text.contains("vm is not created") || text.contains("vm config is missing")) return Kind.NOT_FOUND;
        if (text.contains("no device with id") || text.contains("unknown device id")) return Kind.NOT_FOUND;
        if (text.contains("not unique") || text.contains("duplicated device path") || text.contains("duplicate device path"))
            return Kind.CONFLICT;
        if (mentionsSlotExhaustion(text)) return Kind.CONFLICT;
        if (text.contains("vm is not running") || text.contains("vm is already created")
                || text.contains("currently migrating") || text.contains("vm is not booted")
                || text.contains("already paused") || text.contains("not paused") || text.contains("invalid state"))
            return Kind.WRONG_STATE;
        return fallback;
    }

    /** No free PCI slot on the segment, or the explicitly requested device number is taken. */
    private static boolean mentionsSlotExhaustion(String text) {
        if (text.contains("pci device id") && (text.contains("allocate") || text.contains("available") || text.contains("find")))
            return true;
        if (!text.contains("slot")) return false;
        return text.contains("no available") || text.contains("not find an available") || text.contains("no free")
                || text.contains("no more") || text.contains("exhausted") || text.contains("full");
    }

    /** The exception for a refused call, keeping the whole chain for the user. */
    public HypervisorException exception(ApiCall call, int status, List<String> chain) {
        Kind kind = classify(status, chain);
        String message = "Cloud Hypervisor (" + version + ") answered " + call.action() + " with " + status + ": "
                + String.join(": ", chain);
        return new HypervisorException(kind, status, chain, message, null);
    }
}
