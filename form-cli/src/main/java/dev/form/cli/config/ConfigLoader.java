package dev.form.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.cli.CliContext;
import dev.form.cli.CliFailure;
import dev.form.cli.http.StreamingJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Finds and reads the CLI configuration; a missing file is an empty configuration, a broken one an error. */
public final class ConfigLoader {
    public static final String ENV_CONFIG = "FORMKIT";

    private ConfigLoader() {
    }

    /** {@code $FORMKIT} when set, else {@code ~/.config/form/config.json}. */
    public static Path location(CliContext ctx) {
        String explicit = ctx.env(ENV_CONFIG);
        if (explicit != null) return Path.of(explicit);
        return ctx.home().resolve(".config").resolve("form").resolve("config.json");
    }

    public static CliConfig load(CliContext ctx) {
        Path path = location(ctx);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            if (ctx.env(ENV_CONFIG) != null)
                throw CliFailure.usage("config file " + path + " (from " + ENV_CONFIG + ") does not exist",
                        "unset " + ENV_CONFIG + " or point it at a JSON file such as {\"hosts\": [\"127.0.0.1\"], \"vmm_port\": 3002}");
            return CliConfig.empty();
        } catch (IOException e) {
            throw CliFailure.usage("cannot read config file " + path + ": " + e.getMessage(), null);
        }
        JsonNode tree;
        try {
            tree = StreamingJson.readTree(bytes);
        } catch (IOException e) {
            throw CliFailure.usage("config file " + path + " is not valid JSON: " + e.getMessage(), null);
        }
        try {
            return ConfigTree.bind(tree);
        } catch (ConfigTree.BadField e) {
            throw CliFailure.usage("config file " + path + ": " + e.getMessage(),
                    e.unknown ? "known fields: " + ConfigTree.KNOWN_FIELDS : null);
        }
    }
}
