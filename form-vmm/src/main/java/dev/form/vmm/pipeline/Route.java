package dev.form.vmm.pipeline;

import java.util.List;
import java.util.Objects;

/**
 * One route: method, a path pattern whose segments are literals or {@code {name}} parameters, and
 * whether it needs a signed request (everything but health, the OpenAPI document and
 * {@code POST /v1/queue}, whose body is a signed request that its route verifies itself).
 */
public record Route(String method, String pattern, boolean signed, RouteHandler handler) {
    public Route {
        Objects.requireNonNull(method);
        Objects.requireNonNull(pattern);
        Objects.requireNonNull(handler);
    }

    public static Route signed(String method, String pattern, RouteHandler handler) {
        return new Route(method, pattern, true, handler);
    }

    public static Route open(String method, String pattern, RouteHandler handler) {
        return new Route(method, pattern, false, handler);
    }

    List<String> segments() {
        return PathParts.split(pattern);
    }

    /** Literal segments count more, so /v1/instances/adopt wins over /v1/instances/{ref}. */
    int literalWeight() {
        int w = 0;
        for (String s : segments()) if (!s.startsWith("{")) w++;
        return w;
    }
}
