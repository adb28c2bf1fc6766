package dev.form.cli;

import dev.form.cli.http.PathSegments;
import picocli.CommandLine.Option;

/** The instance a command acts on: exactly one of -i/--id or -n/--name; the service resolves either. */
public final class InstanceRef {
    @Option(names = {"-i", "--id"}, paramLabel = "ID", required = true, description = "The instance's id.")
    String id;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", required = true, description = "The instance's name, an alternative to --id.")
    String name;

    public InstanceRef() {
    }

    public InstanceRef(String id, String name) {
        this.id = id;
        this.name = name;
    }

    /** The id or name as given. */
    public String ref() {
        return id != null ? id : name;
    }

    /** The path segment for {ref}. */
    public String segment() {
        return PathSegments.encode(ref());
    }
}
