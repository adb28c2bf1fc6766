package dev.form.cli.manage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.form.cli.CliFailure;
import dev.form.core.api.AddResourceRequest;
import dev.form.core.api.ApiPaths;
import dev.form.core.api.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

@Command(name = "batch", description = "Hot-add several resources at once, all or nothing.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  form manage add batch -n web --file resources.json",
                "  echo '[{\"kind\":\"disk\",\"path\":\"a.raw\",\"sizeBytes\":1073741824},{\"kind\":\"fs\",\"source\":\"/srv/x\",\"tag\":\"x\"}]' \\",
                "    | form manage add batch -n web --file -",
                "",
                "The file is a JSON array of the API's add requests, each with \"kind\": disk, fs or device",
                "(the fields of POST /v1/instances/{ref}/disks, /filesystems and /devices). If one fails, none stays."})
public final class AddBatchCommand extends MutatingCommand {
    @Option(names = "--file", required = true, paramLabel = "FILE|-", description = "JSON array of add requests, or '-' for standard input.")
    String file;

    @Override
    protected int run() {
        byte[] body = read();
        try {
            List<AddResourceRequest> parsed = Json.mapper().readValue(body, new TypeReference<List<AddResourceRequest>>() {
            });
            if (parsed.isEmpty()) throw CliFailure.usage("--file " + file + ": the batch is empty", "give at least one add request");
        } catch (JsonProcessingException e) {
            throw CliFailure.usage("--file " + file + " is not a JSON array of add requests: " + e.getOriginalMessage()
                            + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""),
                    "each element needs \"kind\": \"disk\", \"fs\" or \"device\" and that kind's fields");
        } catch (IOException e) {
            throw CliFailure.usage("cannot read --file " + file + ": " + e.getMessage(), null);
        }
        return submit("POST", ApiPaths.instanceAction(refSegment(), "batch"), body, (p, json) -> {
            for (JsonNode r : json) p.line(Resources.attached(Resources.view(r), ref()));
        });
    }

    private byte[] read() {
        try {
            if ("-".equals(file)) return context().in().readAllBytes();
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw CliFailure.usage("cannot read --file " + file + ": " + e.getMessage(), null);
        }
    }
}
