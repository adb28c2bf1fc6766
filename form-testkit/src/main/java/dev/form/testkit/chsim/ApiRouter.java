package dev.form.testkit.chsim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * Cloud Hypervisor's HTTP handlers: exact-path routing under /api/v1/, the method and body checks of
 * each handler kind, serde deserialization, and the mapping of results to status and body.
 */
final class ApiRouter {
    static final String BASE = "/api/v1/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a route's handler treats methods and bodies. */
    enum Handler {
        /** GET only (vmm.ping, vm.info). */
        GET,
        /** vm.create: PUT with a body; without body 400 with an empty body. */
        CREATE,
        /** VmActionHandler routes without body; PATCH/DELETE give 400 with an empty body. */
        ACTION,
        /** VmActionHandler routes that need a body. */
        ACTION_WITH_BODY,
        /** vmm.shutdown. */
        VMM_SHUTDOWN
    }

    static final Map<String, Handler> ROUTES = Map.ofEntries(
            Map.entry("vmm.ping", Handler.GET),
            Map.entry("vm.info", Handler.GET),
            Map.entry("vm.create", Handler.CREATE),
            Map.entry("vm.boot", Handler.ACTION),
            Map.entry("vm.shutdown", Handler.ACTION),
            Map.entry("vm.power-button", Handler.ACTION),
            Map.entry("vm.pause", Handler.ACTION),
            Map.entry("vm.resume", Handler.ACTION),
            Map.entry("vm.delete", Handler.ACTION),
            Map.entry("vm.add-disk", Handler.ACTION_WITH_BODY),
            Map.entry("vm.add-fs", Handler.ACTION_WITH_BODY),
            Map.entry("vm.add-device", Handler.ACTION_WITH_BODY),
            Map.entry("vm.remove-device", Handler.ACTION_WITH_BODY),
            Map.entry("vm.resize", Handler.ACTION_WITH_BODY),
            Map.entry("vmm.shutdown", Handler.VMM_SHUTDOWN));

    private final VmModel vm;
    private final ApiVersion version;

    ApiRouter(VmModel vm, ApiVersion version) {
        this.vm = vm;
        this.version = version;
    }

    /** The route name ("vm.add-disk") of a request target, or null when no route matches exactly. */
    static String routeOf(String target) {
        if (!target.startsWith(BASE)) return null;
        String name = target.substring(BASE.length());
        return ROUTES.containsKey(name) ? name : null;
    }

    HttpResponse handle(HttpRequest req) throws InterruptedException {
        String route = routeOf(req.target());
        if (route == null) return errorArray(404, List.of("Not Found"));
        Handler h = ROUTES.get(route);
        String m = req.method();
        switch (h) {
            case GET -> {
                if (!m.equals("GET")) return errorArray(400, List.of("Bad Request"));
            }
            case ACTION, ACTION_WITH_BODY -> {
                if (m.equals("PATCH") || m.equals("DELETE")) return HttpResponse.empty(400);
                if (!m.equals("PUT")) return errorArray(400, List.of("Bad Request"));
                if (h == Handler.ACTION && req.hasBody()) return errorArray(400, List.of("Bad Request"));
                if (h == Handler.ACTION_WITH_BODY && !req.hasBody()) return errorArray(400, List.of("Bad Request"));
            }
            case CREATE -> {
                if (!m.equals("PUT")) return errorArray(400, List.of("Bad Request"));
                if (!req.hasBody()) return HttpResponse.empty(400);
            }
            case VMM_SHUTDOWN -> {
                if (!m.equals("PUT")) return errorArray(400, List.of("Bad Request"));
                if (req.hasBody()) return errorArray(400, List.of("Bad Request"));
            }
        }
        try {
            return dispatch(route, req);
        } catch (DeserializeException e) {
            return errorArray(400, List.of("Failed to deserialize JSON", e.getMessage()));
        } catch (ApiError e) {
            return errorArray(e.status(version), e.chain());
        }
    }

    private HttpResponse dispatch(String route, HttpRequest req) throws DeserializeException, InterruptedException {
        switch (route) {
            case "vmm.ping" -> {
                ObjectNode o = JSON.createObjectNode();
                o.put("build_version", version.buildVersion());
                o.put("version", version.version());
                o.put("pid", ProcessHandle.current().pid());
                o.putArray("features").add("kvm").add("io_uring");
                return json(200, o);
            }
            case "vm.info" -> {
                return json(200, vm.info());
            }
            case "vm.create" -> {
                vm.create(ConfigReader.vmConfig(LocatedJson.parse(req.bodyText())));
                return HttpResponse.noContent();
            }
            case "vm.boot" -> vm.boot();
            case "vm.shutdown" -> vm.shutdown();
            case "vm.power-button" -> vm.powerButton();
            case "vm.pause" -> vm.pause();
            case "vm.resume" -> vm.resume();
            case "vm.delete" -> vm.delete();
            case "vm.add-disk" -> {
                return added(vm.addDisk(ConfigReader.disk(LocatedJson.parse(req.bodyText()))));
            }
            case "vm.add-fs" -> {
                return added(vm.addFs(ConfigReader.fs(LocatedJson.parse(req.bodyText()))));
            }
            case "vm.add-device" -> {
                return added(vm.addDevice(ConfigReader.device(LocatedJson.parse(req.bodyText()))));
            }
            case "vm.remove-device" -> vm.removeDevice(ConfigReader.removeDeviceId(LocatedJson.parse(req.bodyText())));
            case "vm.resize" -> vm.resize(ConfigReader.resize(LocatedJson.parse(req.bodyText())));
            case "vmm.shutdown" -> {
                vm.delete();
                return new HttpResponse(200, new byte[0], HttpResponse.CH_SERVER, true);
            }
            default -> throw new IllegalStateException("route without handler: " + route);
        }
        return HttpResponse.noContent();
    }

    private static HttpResponse added(ObjectNode info) {
        return info == null ? HttpResponse.noContent() : json(200, info);
    }

    private static HttpResponse json(int status, JsonNode body) {
        try {
            return HttpResponse.json(status, JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse errorArray(int status, List<String> chain) {
        ArrayNode a = JSON.createArrayNode();
        chain.forEach(a::add);
        return json(status, a);
    }
}
