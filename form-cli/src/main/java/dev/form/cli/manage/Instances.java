package dev.form.cli.manage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.cli.http.ServiceResponse;
import dev.form.cli.http.StreamingJson;
import dev.form.core.api.InstanceView;
import dev.form.core.util.Sizes;

/** Human descriptions of instances. */
final class Instances {
    private Instances() {
    }

    static InstanceView view(JsonNode node) {
        try {
            return StreamingJson.treeToRecord(node, InstanceView.class);
        } catch (IllegalArgumentException e) {
            throw ServiceResponse.notA("an instance", e);
        }
    }

    /** e.g. "web (id 5f2c...): running, 2 CPUs, 512M memory". */
    static String summary(InstanceView v) {
        return v.name() + " (id " + v.id() + "): " + v.state() + ", " + v.cpus() + (v.cpus() == 1 ? " CPU, " : " CPUs, ")
                + Sizes.format(v.memoryBytes()) + " memory";
    }
}
