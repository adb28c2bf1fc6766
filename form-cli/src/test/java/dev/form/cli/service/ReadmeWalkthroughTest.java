package dev.form.cli.service;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReadmeWalkthroughTest {
    @Test
    void takesOnlyTheShellBlocksOfTheWalkthroughSection() {
        String md = """
                # form
                ```sh
                echo before
                ```
                ## Walk-through
                Install:
                ```sh
                echo one
                ```
                ```json
                {"not": "shell"}
                ```
                ### A first VM
                ```bash
                echo two
                echo three
                ```
                ## Next section
                ```sh
                echo after
                ```
                """;
        assertThat(ReadmeWalkthrough.shellBlocks(md)).containsExactly("echo one\n", "echo two\necho three\n");
    }

    @Test
    void noSectionNoBlocks() {
        assertThat(ReadmeWalkthrough.shellBlocks("# x\n```sh\nls\n```\n")).isEmpty();
    }
}
