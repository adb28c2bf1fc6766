package dev.form.vmm.api;

import dev.form.core.api.ErrorCode;
import dev.form.core.model.ResourceKind;
import dev.form.vmm.ApiProblem;
import dev.form.vmm.instances.InstanceOperations;
import dev.form.vmm.pipeline.ApiResponse;
import dev.form.vmm.pipeline.Route;
import dev.form.vmm.resources.ResourceOperations;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The service's own routes under /v1 (the queue adds its own through an extension). */
public final class ServiceRoutes {
    private ServiceRoutes() {
    }

    public static final String OPENAPI_RESOURCE = "/dev/form/vmm/openapi.json";

    public static List<Route> of(InstanceOperations instances, ResourceOperations resources, Supplier<Map<String, Object>> health) {
        byte[] openapi = openApiDocument();
        String i = "/v1/instances/{ref}";
        return List.of(
                Route.open("GET", "/v1/health", call -> ApiResponse.json(200, health.get())),
                Route.open("GET", "/v1/openapi.json", call -> new ApiResponse(200, ApiResponse.JSON, openapi)),
                Route.signed("POST", "/v1/instances", call -> instances.create(call)),
                Route.signed("GET", "/v1/instances", call -> instances.list(call)),
                Route.signed("POST", "/v1/instances/adopt", call -> instances.adopt(call)),
                Route.signed("GET", i, call -> instances.show(call, call.path("ref"))),
                Route.signed("DELETE", i, call -> instances.delete(call, call.path("ref"))),
                Route.signed("POST", i + "/start", call -> instances.start(call, call.path("ref"))),
                Route.signed("POST", i + "/stop", call -> instances.stop(call, call.path("ref"))),
                Route.signed("GET", i + "/console", call -> instances.console(call, call.path("ref"))),
                Route.signed("GET", i + "/audit", call -> instances.audit(call, call.path("ref"))),
                Route.signed("PUT", i + "/grants/{address}", call -> instances.grant(call, call.path("ref"), call.path("address"))),
                Route.signed("DELETE", i + "/grants/{address}", call -> instances.revoke(call, call.path("ref"), call.path("address"))),
                Route.signed("POST", i + "/disks", call -> resources.addOne(call, call.path("ref"), ResourceKind.DISK)),
                Route.signed("POST", i + "/filesystems", call -> resources.addOne(call, call.path("ref"), ResourceKind.FS)),
                Route.signed("POST", i + "/devices", call -> resources.addOne(call, call.path("ref"), ResourceKind.DEVICE)),
                Route.signed("POST", i + "/batch", call -> resources.batch(call, call.path("ref"))),
                Route.signed("POST", i + "/resize", call -> resources.resize(call, call.path("ref"))),
                Route.signed("DELETE", i + "/resources/{resourceId}", call -> resources.remove(call, call.path("ref"), call.path("resourceId"))));
    }

    /** Our own OpenAPI 3.1 document, a resource of this module. */
    public static byte[] openApiDocument() {
        try (InputStream in = ServiceRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) throw new IllegalStateException("the OpenAPI document " + OPENAPI_RESOURCE + " is missing from the build");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ApiProblem(ErrorCode.INTERNAL, "cannot read the OpenAPI document: " + e.getMessage());
        }
    }

    public static Map<String, Object> healthBody(String hypervisor, int instances) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "ok");
        m.put("hypervisor", hypervisor);
        m.put("instances", instances);
        return m;
    }
}
