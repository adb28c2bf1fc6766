package dev.form.cli;

import picocli.CommandLine.ArgGroup;

/** A command on one instance, named by -i/--id or -n/--name (exactly one). */
public abstract class InstanceCommand extends ServiceCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    protected InstanceRef instance;

    /** The id or name as the user gave it. */
    public String ref() {
        return instance.ref();
    }

    /** The {ref} path segment. */
    public String refSegment() {
        return instance.segment();
    }
}
