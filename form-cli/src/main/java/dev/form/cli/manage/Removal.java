package dev.form.cli.manage;

import dev.form.cli.http.PathSegments;
import dev.form.core.api.ApiPaths;

/** DELETE /v1/instances/{ref}/resources/{id}, shared by remove and rm disk|fs|device. */
final class Removal {
    private Removal() {
    }

    static int remove(MutatingCommand command, String resourceId) {
        String target = ApiPaths.resource(command.refSegment(), PathSegments.encode(resourceId))
                + "?wait=" + command.waitForOutcome + "&timeoutMs=" + command.timeout.toMillis();
        return command.submit("DELETE", target, null,
                (p, json) -> p.line(Resources.removed(Resources.view(json), command.ref())));
    }
}
