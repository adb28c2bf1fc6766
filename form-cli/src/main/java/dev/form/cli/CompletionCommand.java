package dev.form.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "completion", description = "Print a shell completion script for form.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  source <(form completion bash)",
                "  form completion zsh > \"${fpath[1]}/_form\"",
                "  form completion bash > /etc/bash_completion.d/form"})
public final class CompletionCommand extends BaseCommand {
    public enum Shell { bash, zsh }

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Override
    protected int run() {
        CommandLine root = FormCli.commandLine(context());
        String script = AutoComplete.bash("form", root);
        if (shell == Shell.zsh) {
            // picocli's script drives zsh through bashcompinit; load it first so the script works when sourced alone.
            script = "#compdef form\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        if (output.json()) {
            printer().jsonValue(java.util.Map.of("shell", shell.name(), "script", script));
        } else {
            context().out().print(script);
            context().out().flush();
        }
        return 0;
    }
}
