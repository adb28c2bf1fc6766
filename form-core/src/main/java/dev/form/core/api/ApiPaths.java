package dev.form.core.api;

/**
 * The service's routes. {@code {ref}} is an instance id or name. Every /v1 route is signed except
 * {@link #HEALTH} and {@link #OPENAPI}.
 */
public final class ApiPaths {
    private ApiPaths() {
    }

    public static final String HEALTH = "/v1/health";
    public static final String OPENAPI = "/v1/openapi.json";
    public static final String INSTANCES = "/v1/instances";
    public static final String ADOPT = "/v1/instances/adopt";
    public static final String QUEUE = "/v1/queue";
    public static final String REQUESTS = "/v1/requests";

    public static String instance(String ref) {
        return INSTANCES + "/" + ref;
    }

    /** POST start, stop, resize, batch; GET console, audit. */
    public static String instanceAction(String ref, String action) {
        return instance(ref) + "/" + action;
    }

    /** POST disks, filesystems, devices. */
    public static String resources(String ref, String kindPlural) {
        return instance(ref) + "/" + kindPlural;
    }

    /** DELETE removes (query: wait=true|false, timeoutMs=N). */
    public static String resource(String ref, String resourceId) {
        return instance(ref) + "/resources/" + resourceId;
    }

    public static String grant(String ref, String address) {
        return instance(ref) + "/grants/" + address;
    }

    public static String request(String requestId) {
        return REQUESTS + "/" + requestId;
    }
}
