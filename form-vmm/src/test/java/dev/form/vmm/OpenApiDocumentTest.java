package dev.form.vmm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.api.ErrorBody;
import dev.form.core.api.Json;
import dev.form.vmm.api.ServiceRoutes;
import dev.form.vmm.pipeline.Route;
import dev.form.vmm.testing.OpenApiContract;
import dev.form.vmm.testing.SignedClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our OpenAPI document describes every route the service serves, and the contract check really bites. */
class OpenApiDocumentTest {
    @Test
    void everyRouteIsDescribedWithItsSecurity() {
        JsonNode doc = OpenApiContract.document();
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
        List<Route> routes = ServiceRoutes.of(null, null, Map::of);
        for (Route r : routes) {
            JsonNode op = doc.path("paths").path(r.pattern()).path(r.method().toLowerCase());
            assertThat(op.isMissingNode()).as("%s %s", r.method(), r.pattern()).isFalse();
            assertThat(op.path("security").isEmpty()).as("%s %s signed=%s", r.method(), r.pattern(), r.signed()).isEqualTo(!r.signed());
            if (r.signed()) assertThat(op.path("responses").has("401")).as("%s %s documents 401", r.method(), r.pattern()).isTrue();
        }
    }

    @Test
    void theContractCheckRefusesAnAnswerThatDoesNotMatch() throws Exception {
        byte[] wrongShape = Json.mapper().writeValueAsBytes(Map.of("id", "i_1", "name", "x"));
        SignedClient.Reply bogus = new SignedClient.Reply(200, "application/json", wrongShape, "GET", "/v1/instances/x");
        assertThatThrownBy(() -> OpenApiContract.check(bogus)).isInstanceOf(AssertionError.class).hasMessageContaining("state");

        byte[] badCode = Json.mapper().writeValueAsBytes(new ErrorBody("oops", "m", null, null, null));
        assertThatThrownBy(() -> OpenApiContract.check(new SignedClient.Reply(404, "application/json", badCode, "GET", "/v1/instances/x")))
                .isInstanceOf(AssertionError.class);
        SignedClient.Reply undocumentedStatus = new SignedClient.Reply(418, "application/json", "{}".getBytes(StandardCharsets.UTF_8), "GET", "/v1/instances");
        assertThatThrownBy(() -> OpenApiContract.check(undocumentedStatus)).isInstanceOf(AssertionError.class);
        byte[] goodError = Json.mapper().writeValueAsBytes(new ErrorBody("not_found", "no instance", null, null, null));
        OpenApiContract.check(new SignedClient.Reply(404, "application/json", goodError, "GET", "/v1/instances/x"));
    }
}
