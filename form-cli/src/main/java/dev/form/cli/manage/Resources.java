package dev.form.cli.manage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.cli.http.StreamingJson;
import dev.form.core.api.ResourceView;
import dev.form.core.util.Sizes;

/** Human descriptions of resources as the service reports them. */
final class Resources {
    private Resources() {
    }

    static ResourceView view(JsonNode node) {
        try {
            return StreamingJson.treeToRecord(node, ResourceView.class);
        } catch (RuntimeException e) {
            throw new dev.form.cli.CliFailure(dev.form.cli.CliFailure.SERVICE_FAILURE,
                    "the service's answer is not a resource: " + e.getMessage(),
                    "the CLI and the service may be of different versions", "bad_response", e);
        }
    }

    /** e.g. "attached disk data1 to web at 0000:00:05.0". */
    static String attached(ResourceView r, String instance) {
        StringBuilder sb = new StringBuilder();
        sb.append("attached ").append(r.kind()).append(' ').append(r.id());
        if ("fs".equals(r.kind()) && r.tag() != null) sb.append(" (tag ").append(r.tag()).append(')');
        if ("disk".equals(r.kind()) && r.sizeBytes() != null) sb.append(" (").append(Sizes.format(r.sizeBytes()))
                .append(r.format() != null ? " " + r.format() : "").append(Boolean.TRUE.equals(r.readonly()) ? ", read-only" : "").append(')');
        sb.append(" to ").append(instance);
        if (r.pciAddress() != null) sb.append(" at ").append(r.pciAddress());
        if (r.state() != null && !"attached".equals(r.state())) sb.append(" [").append(r.state()).append(']');
        return sb.toString();
    }

    static String removed(ResourceView r, String instance) {
        if ("removed".equals(r.state())) return "removed " + r.kind() + " " + r.id() + " from " + instance;
        return "removal of " + r.kind() + " " + r.id() + " from " + instance + " is " + r.state()
                + ": the guest has not released it yet (watch it with form manage show)";
    }
}
